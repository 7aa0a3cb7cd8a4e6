"""Split tests: the variants of a step's page, their weights, the experiment they share and its winner.

A variant comes from two places (docs/experiments.md): the step's `variants:` in site.yml (a sibling page,
a weight, another offer) and its page's front matter `variants:` (copy overrides). Both are merged and
checked here, once, after the pages are loaded, so render (funnelgen/splitpage.py), tracking and verify
read one finished `Split` per step.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import Problem, did_you_mean, rel

SPLIT_KEYS = ("variants", "experiment", "winner", "winner_since")
COPY_KEYS = ("title", "description", "headline", "subheadline", "cta", "decline")
SHARE = 100  # variants without a weight share what the weighted ones leave of 100


@dataclass
class Variant:
    id: str
    weight: float = 0.0
    page: str | None = None  # a sibling Markdown file; None: the step's own page
    offer: object = None  # model.Offer sold in this variant (None: the step's offer)
    meta: dict = field(default_factory=dict)  # the front matter this variant renders with
    source: Path | None = None
    content: str | None = None  # Markdown body replacing the page's (front matter `content:`)
    content_line: int = 0  # the front-matter line of `content:` (its Markdown's line 1 is the next one)


@dataclass
class Split:
    """A step's test. `variants` lists the original first; empty until `load_variants` ran."""

    config: dict  # the step's split keys as written in site.yml (a LineDict keeps their lines)
    experiment: str = ""
    winner: str | None = None
    winner_since: str | None = None
    variants: list[Variant] = field(default_factory=list)

    @property
    def live(self) -> bool:
        """Traffic is split (no winner yet): every variant is in the page and the head script picks one."""
        return self.winner is None and len(self.variants) > 1

    def get(self, vid: str) -> Variant | None:
        return next((v for v in self.variants if v.id == vid), None)

    def weights(self) -> list[tuple[str, float]]:
        return [(v.id, v.weight) for v in self.variants]


def split_config(d: dict) -> Split | None:
    """The split keys of one step of site.yml (None when it has none)."""
    if not any(d.get(k) for k in SPLIT_KEYS):
        return None
    return Split(config=d, experiment=d.get("experiment") or "", winner=d.get("winner"),
                 winner_since=d.get("winner_since"))


def view(step, vid: str):
    """The step as variant `vid` renders it: its copy, its offer, its label (a copy; the step is unchanged)."""
    split = step.split
    v = split.get(vid) if split else None
    if v is None or vid == step.variant:
        return step
    offer = v.offer or step.offer
    return replace(step, variant=v.id, meta=v.meta, source=v.source or step.source, offer=offer,
                   offer_id=offer.id if offer else step.offer_id)


def shown(step) -> str:
    """The variant a visitor gets when nothing is chosen in the browser: the winner, else the original."""
    return step.split.winner if step.split and step.split.winner else step.variant


def static_label(step) -> str:
    """The variant label written into the HTML (a form's fg_variant): a live test's original, which is what
    shows without JavaScript (funnel.js writes the chosen one), else the step's own."""
    split = step.split
    return split.variants[0].id if split is not None and split.live else step.variant


def page_text(step, vid: str) -> str:
    """The Markdown a variant renders: its `content:` override, else its (or the step's) page file."""
    v = step.split.get(vid) if step.split else None
    if v is not None and v.content is not None:
        return v.content
    source = v.source if v is not None and v.source else step.source
    return source.read_text(encoding="utf-8")


def sold_offers(step) -> list:
    """Every offer a step sells: its own and its variants' (each returns buyers to the step's paid target)."""
    offers = [step.offer] if step.offer else []
    for v in step.split.variants if step.split else ():
        if v.offer is not None and v.offer not in offers:
            offers.append(v.offer)
    return offers


def load_variants(site) -> list[Problem]:
    """Merge every step's site.yml and front-matter variants, load sibling pages, check everything."""
    problems: list[Problem] = []
    for step in site.steps.values():
        problems += load_step_variants(site, step)
    return problems + _shared(site)


def load_step_variants(site, step) -> list[Problem]:
    """One step's variants, from its site.yml keys and its freshly loaded front matter (serve calls this
    alone when the page or a variant's page is saved)."""
    front = step.meta.pop("variants", None)
    step.split = split_config(step.split.config) if step.split is not None and step.split.config else None
    if step.split is None and not front:
        return []
    if step.split is None:
        step.split = Split(config={})
    return _variants(site, step, front or {})


def _variants(site, step, front: dict) -> list[Problem]:
    from .pages import load_page

    split, cfg = step.split, rel(site.config_file)
    page_file = rel(step.source) if step.source else step.page
    written = split.config.get("variants") or {}
    ylines, flines = getattr(written, "lines", {}), getattr(front, "lines", {})
    where = f"{step.defined_in}.variants"
    problems: list[Problem] = []

    def yaml_problem(vid, key, message, hint=""):
        problems.append(Problem(cfg, message, key=f"{where}.{vid}" + (f".{key}" if key else ""),
                                line=ylines.get(vid, step.line), hint=hint))

    def front_problem(vid, key, message, hint=""):
        problems.append(Problem(page_file, message, key=f"variants.{vid}" + (f".{key}" if key else ""),
                                line=flines.get(vid), hint=hint))

    ids = [step.variant] + [v for v in [*written, *front] if v != step.variant]
    ids = list(dict.fromkeys(ids))
    variants, weights = [], {}
    for vid in ids:
        y, f = written.get(vid) or {}, front.get(vid) or {}
        v = Variant(vid, meta=step.meta, source=step.source)
        if vid == step.variant:
            for key in ("page", "offer"):
                if y.get(key):
                    yaml_problem(vid, key, f"'{vid}' is the original (the step's variant:): its {key} is the step's own",
                                 f"Set {key}: on the step itself, or give this variant another label.")
            extra = [k for k in f if f.get(k) is not None and k != "weight"]
            if extra:
                front_problem(vid, extra[0], f"'{vid}' is the original: its copy is this page's own front matter",
                              "Write the original's copy at the top of the front matter; give overrides to b, c, ….")
        for key in ("weight", "offer"):
            if y.get(key) is not None and f.get(key) is not None:
                front_problem(vid, key, f"{key} of variant '{vid}' is given twice (here and in site.yml)",
                              f"Keep one: {where}.{vid}.{key} in site.yml or this front matter's.")
        weight = y.get("weight") if y.get("weight") is not None else f.get("weight")
        if weight is not None:
            if weight <= 0:
                (yaml_problem if y.get("weight") is not None else front_problem)(
                    vid, "weight", f"weight of variant '{vid}' must be above 0, got {weight}",
                    "Give a positive share (e.g. weight: 50), or remove the variant (or declare a winner:).")
            weights[vid] = weight
        if y.get("page"):
            shell = replace(step, page=y["page"], defined_in=f"{where}.{vid}", meta={}, source=None, split=None)
            found = load_page(site, shell)
            problems.extend(found)
            if shell.meta.pop("variants", None):
                problems.append(Problem(rel(shell.source), "a variant's own page cannot have variants:",
                                        key="variants", hint="List every variant on the step in site.yml (or in the "
                                                             "original page's front matter)."))
            v.page, v.meta, v.source = y["page"], shell.meta, shell.source
            if shell.source is not None and shell.source == step.source:
                yaml_problem(vid, "page", f"variant '{vid}' uses the step's own page {y['page']}",
                             "Point page: at a sibling file (e.g. optin-b.md), or write the overrides in the "
                             "page's front matter variants: instead.")
        if vid != step.variant and f:
            v.meta = {**v.meta, **{k: f[k] for k in COPY_KEYS if f.get(k) is not None}}
            v.content = f.get("content")
            v.content_line = getattr(f, "lines", {}).get("content") or 0
        offer_id = y.get("offer") or f.get("offer")
        if offer_id and vid != step.variant:
            offer = site.offers.get(offer_id)
            report = yaml_problem if y.get("offer") else front_problem
            if offer is None:
                report(vid, "offer", f"variant '{vid}' sells unknown offer '{offer_id}'.{did_you_mean(offer_id, site.offers)}",
                       "Define it under offers: or fix the id.")
            elif not step.offer_id:
                report(vid, "offer", f"variant '{vid}' sells '{offer_id}' but step '{step.id}' sells nothing",
                       "Give the step an offer: first; a variant can only replace it.")
            else:
                v.offer = offer
        variants.append(v)
    if len(variants) < 2:
        target = f"{where}" if written else "variants"
        problems.append(Problem(cfg if written else page_file, f"step '{step.id}' has a split test with no variant "
                                f"besides the original '{step.variant}'", key=target,
                                line=split.config.lines.get("variants") if written else flines.get(step.variant),
                                hint="Add a variant (e.g. b: {headline: ...}), or remove variants:."))
    lines = getattr(split.config, "lines", {})
    unweighed = _weigh(variants, weights)
    if unweighed:
        problems.append(Problem(cfg if written else page_file, unweighed, key=where if written else "variants",
                                line=lines.get("variants", step.line) if written else getattr(front, "line", None),
                                hint="Give every variant a weight (site.yml or the page's front matter), or keep "
                                     "the given weights below 100 in all."))
    split.variants = variants
    split.experiment = split.experiment or step.id
    if split.winner and split.get(split.winner) is None:
        problems.append(Problem(cfg, f"winner '{split.winner}' is not a variant of step '{step.id}'."
                                f"{did_you_mean(split.winner, [v.id for v in variants])}",
                                key=f"{step.defined_in}.winner", line=lines.get("winner", step.line),
                                hint=f"Name one of: {', '.join(v.id for v in variants)}."))
    if split.winner and not split.winner_since:
        problems.append(Problem(cfg, "winner: needs winner_since: (the day the test ended)",
                                key=f"{step.defined_in}.winner_since", line=lines.get("winner", step.line),
                                hint="Add `winner_since: 2026-12-03` (reports count the test's visitors up to it)."))
    if split.winner_since and not split.winner:
        problems.append(Problem(cfg, "winner_since: without winner:", key=f"{step.defined_in}.winner_since",
                                line=lines.get("winner_since", step.line), hint="Add `winner: b`, or remove it."))
    return problems


def _weigh(variants: list[Variant], weights: dict) -> str:
    """Weighted variants keep their weight; the others share what is left of 100 equally. Returns what is
    wrong ('' when nothing is)."""
    open_ = [v for v in variants if v.id not in weights]
    left = SHARE - sum(weights.values())
    for v in variants:
        v.weight = float(weights.get(v.id, left / len(open_) if open_ and left > 0 else 0))
    if open_ and left <= 0:
        return (f"variant{'s' if len(open_) > 1 else ''} {', '.join(v.id for v in open_)} "
                f"{'have' if len(open_) > 1 else 'has'} no weight and the others already take {sum(weights.values()):g}")
    return ""


def _shared(site) -> list[Problem]:
    """Steps that name one experiment must offer the same variants, weights and winner."""
    problems: list[Problem] = []
    first: dict[str, object] = {}
    for step in site.steps.values():
        split = step.split
        if split is None or not split.variants:
            continue
        other = first.setdefault(split.experiment, step)
        if other is step:
            continue
        mine, theirs = (split.weights(), split.winner), (other.split.weights(), other.split.winner)
        if mine != theirs:
            def say(s):
                return ", ".join(f"{vid} {w:g}" for vid, w in s.split.weights()) + \
                    (f", winner {s.split.winner}" if s.split.winner else "")
            problems.append(Problem(
                rel(site.config_file), f"steps '{other.id}' and '{step.id}' share experiment '{split.experiment}' "
                f"but differ ({say(other)} / {say(step)})", key=f"{step.defined_in}.experiment",
                line=getattr(split.config, "lines", {}).get("experiment", step.line),
                hint="A visitor gets the same variant on every step of one experiment: give those steps the same "
                     "variant labels, weights and winner, or another experiment: id."))
    return problems
