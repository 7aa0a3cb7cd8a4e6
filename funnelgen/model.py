"""The funnel graph: steps, offers, forms and the edges between steps.

Built from validated config; knows nothing about files or HTML. Everything a
template or the tracking runtime needs to know about *where a visitor goes
next* is derived here, once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

from .kinds import EDGE_NAMES, StepKind, kind
from .plans import Bump, link_offers, sells, sold_offers
from .prices import MINOR_UNITS, decimal_problems
from .recording import Recorded
from .settings import Legal, SiteSettings, Tracking
from .variants import split_config


@dataclass(eq=False)  # one object per id: identity is equality, and comparing reads no attribute (recording.py)
class Offer(Recorded):  # every read is a dependency of the page being built (recording.py)
    id: str
    name: str
    price: Decimal
    currency: str
    tax: str
    tax_rate: Decimal
    checkout: str | None
    billing: dict | None = None
    trial_days: int | None = None
    quantity: str | None = None
    payment_methods: str | None = None
    payment_timing: str | None = None
    delivery: str | None = None
    cancellation: str | None = None
    extra_charges: str | None = None
    description: str | None = None
    features: list[str] | None = None
    line: int | None = None
    compare_at_price: Decimal | None = None  # struck-through regular price (tax-inclusive)
    compare_at_basis: str | None = None
    ends_at: str | None = None  # absolute deadline, ISO text

    @property
    def gross(self) -> Decimal:
        """Tax-inclusive price per charge; the one number shown and tracked.

        Tax on an exclusive price is rounded down to the currency's minor unit
        (切り捨て, the usual Japanese practice, and never above the shown total).
        """
        if self.tax == "included":
            return self.price
        exp = Decimal(1).scaleb(-MINOR_UNITS.get(self.currency, 2))
        return (self.price * (1 + self.tax_rate)).quantize(exp, rounding=ROUND_DOWN)

    @property
    def charges(self) -> int | None:
        """Number of charges: 1 for one-off, N for fixed terms, None for until-cancelled."""
        if not self.billing:
            return 1
        return self.billing.get("count")

    @property
    def total(self) -> Decimal | None:
        n = self.charges
        return self.gross * n if n else None

    @property
    def is_stripe_link(self) -> bool:
        return bool(self.checkout and self.checkout.startswith("https://buy.stripe.com/"))


@dataclass
class FormField:
    name: str
    label: str
    type: str
    required: bool = True
    placeholder: str | None = None
    options: list[str] | None = None
    autocomplete: str | None = None
    inputmode: str | None = None
    min_days: int | None = None  # date/datetime: range in days from the visitor's today
    max_days: int | None = None


@dataclass
class Form:
    id: str
    provider: str
    fields: list[FormField]
    action: str | None
    field_map: dict
    redirect_field: str | None
    honeypot: str
    consent: str | None
    consent_checkbox: bool
    purpose: str | None
    button: str | None
    line: int | None = None

    def wire_name(self, name: str) -> str:
        """The name a field is posted under (email services want their own names)."""
        return self.field_map.get(name, name)


@dataclass
class Step:
    id: str
    kind: str
    page: str
    offer_id: str | None
    form_id: str | None
    edges: dict[str, str]
    slug: str
    variant: str
    index: bool | None
    final: bool
    line: int | None
    funnels: list[str] = field(default_factory=list)
    defined_in: str = ""  # "funnels.blog.steps[0]" — for error messages
    url: str = ""  # root-relative, set by Site.assign_urls
    # Filled by the loader from the page's front matter:
    meta: dict = field(default_factory=dict)
    source: Path | None = None
    offer: Offer | None = None
    form: Form | None = None
    choice_ids: list[str] = field(default_factory=list)  # offers: a choice of plans (funnelgen/plans.py)
    recommended: str | None = None
    bump: Bump | None = None  # an order bump switching the checkout to a bundle offer
    choices: list[Offer] = field(default_factory=list)  # the offers of choice_ids, resolved
    split: object = None  # variants.Split: the step's split test, if any

    @property
    def traits(self) -> StepKind:
        """What this step's kind needs, sells and sends (funnelgen/kinds.py)."""
        return kind(self.kind)

    @property
    def is_funnel_step(self) -> bool:
        return bool(self.funnels)

    @property
    def indexable(self) -> bool:
        if self.meta.get("index") is not None:
            return bool(self.meta["index"])
        if self.index is not None:
            return self.index
        return self.traits.indexable

    @property
    def sells_by_checkout(self) -> bool:
        """True when the main button of this step is a payment link (not a form)."""
        return self.traits.sells and bool(self.offer_id or self.choice_ids) and self.form_id is None

    @property
    def paid_target(self) -> str | None:
        """Step id the buyer returns to after paying on this step."""
        if not self.sells_by_checkout:
            return None
        return self.edges.get(self.traits.paid_edge or "next")


@dataclass(eq=False)
class PageRef:
    """One rendering of a step: the step in one of its variants (split tests). Every variant of a step
    is served at the step's URL, from the step's output file."""

    step: Step
    variant: str
    output: str  # the file inside the output folder, e.g. starter/index.html

    @property
    def url(self) -> str:
        return self.step.url

    @property
    def key(self) -> tuple[str, str]:
        return self.step.id, self.variant


@dataclass
class Funnel:
    id: str
    title: str
    step_ids: list[str]

    @property
    def entry(self) -> str:
        return self.step_ids[0]


@dataclass
class Site:
    src: Path
    config_file: Path
    settings: SiteSettings
    legal: Legal
    tracking: Tracking
    offers: dict[str, Offer]
    forms: dict[str, Form]
    funnels: dict[str, Funnel]
    steps: dict[str, Step]
    prefix: str = "/"
    redirects: list = field(default_factory=list)  # redirects.Redirect, from site.yml's redirects:
    _paid_into: dict | None = field(default=None, repr=False)  # step id -> offers paid into it (cache)

    @property
    def language(self) -> str:
        return self.settings.language

    @property
    def home_step(self) -> Step | None:
        home = self.settings.home
        if home:
            return self.steps.get(home)
        first = next(iter(self.funnels.values()), None)
        return self.steps.get(first.entry) if first else None

    def assign_urls(self) -> None:
        """Root-relative URL of every step, under base_url's path (sites may live in a sub-folder)."""
        from .urls import base_path, slug_path

        self.prefix = base_path(self.settings.base_url)
        for step in self.steps.values():
            step.url = slug_path(self.prefix, step.slug)

    def output_path(self, step: Step) -> str:
        """Where a step's page goes inside the output folder (pretty URL: /slug/ -> slug/index.html)."""
        return f"{step.url[len(self.prefix):]}index.html"

    def pages(self) -> list[PageRef]:
        """Every (step, variant) the build renders, in site.yml order."""
        return [PageRef(step, step.variant, self.output_path(step)) for step in self.steps.values()]

    def page(self, key: tuple[str, str]) -> PageRef:
        step = self.steps[key[0]]
        return PageRef(step, key[1], self.output_path(step))

    def success_targets(self, offer_id: str) -> dict[str, list[str]]:
        """Map: step id a buyer of `offer_id` returns to -> steps that sell it."""
        targets: dict[str, list[str]] = {}
        for step in self.steps.values():
            if sells(step, offer_id) and step.paid_target:
                targets.setdefault(step.paid_target, []).append(step.id)
        return targets

    def purchase_offers(self, step: Step) -> list[Offer]:
        """Offers whose payment lands on `step`: that page fires the purchase event."""
        if self._paid_into is None:
            paid: dict[str, list[Offer]] = {}
            for other in self.steps.values():
                target = other.paid_target
                for offer in sold_offers(other) if target else ():
                    if offer not in paid.setdefault(target, []):
                        paid[target].append(offer)
            self._paid_into = paid
        return self._paid_into.get(step.id, [])

    def success_url(self, offer: Offer) -> str | None:
        """The URL to paste into the payment provider as the after-payment redirect."""
        from .urls import absolute, add_query

        targets = self.success_targets(offer.id)
        if not targets:
            return None
        target = self.steps[next(iter(targets))]
        params = {"fg_offer": offer.id}
        if offer.is_stripe_link:
            params["session_id"] = "{CHECKOUT_SESSION_ID}"
        return add_query(absolute(self.settings.base_url, target.url), params)


def _offer(oid: str, d: dict, language: str) -> Offer:
    currency = d.get("currency") or ("JPY" if language == "ja" else "USD")
    return Offer(
        id=oid, name=d["name"], price=Decimal(str(d["price"])), currency=currency, tax=d["tax"],
        tax_rate=Decimal(str(d["tax_rate"])), checkout=d.get("checkout"), billing=d.get("billing"),
        trial_days=d.get("trial_days"), quantity=d.get("quantity"), payment_methods=d.get("payment_methods"),
        payment_timing=d.get("payment_timing"), delivery=d.get("delivery"), cancellation=d.get("cancellation"),
        extra_charges=d.get("extra_charges"),
        description=d.get("description"), features=d.get("features"), line=getattr(d, "line", None),
        compare_at_price=Decimal(str(d["compare_at_price"])) if d.get("compare_at_price") is not None else None,
        compare_at_basis=d.get("compare_at_basis"), ends_at=d.get("ends_at"),
    )


DEFAULT_FIELDS = {
    # name: (ja label, en label, type, autocomplete)
    "name": ("お名前", "Name", "text", "name"),
    "email": ("メールアドレス", "Email", "email", "email"),
    "phone": ("電話番号", "Phone", "tel", "tel"),
    "company": ("会社名・屋号", "Company", "text", "organization"),
    "message": ("ご相談内容", "Message", "textarea", None),
    "website": ("ウェブサイト", "Website", "url", "url"),
}


def _form(fid: str, d: dict, language: str) -> Form:
    fields = []
    for item in d["fields"]:
        spec = {"name": item} if isinstance(item, str) else dict(item)
        ja, en, ftype, auto = DEFAULT_FIELDS.get(spec["name"], (spec["name"], spec["name"], "text", None))
        fields.append(FormField(
            name=spec["name"], label=spec.get("label") or (ja if language == "ja" else en),
            type=spec.get("type") or ftype, required=spec.get("required", True),
            placeholder=spec.get("placeholder"), options=spec.get("options"),
            autocomplete=spec.get("autocomplete") or auto, inputmode=spec.get("inputmode"),
            min_days=spec.get("min_days"), max_days=spec.get("max_days"),
        ))
    provider = d["provider"]
    return Form(
        id=fid, provider=provider, fields=fields, action=d.get("action"), field_map=dict(d.get("field_map") or {}),
        redirect_field=d.get("redirect_field"),
        honeypot=d.get("honeypot") or ("bot-field" if provider == "netlify" else "_gotcha"),
        consent=d.get("consent"), consent_checkbox=d["consent_checkbox"], purpose=d.get("purpose"),
        button=d.get("button"), line=getattr(d, "line", None),
    )


def _step(d: dict, where: str) -> Step:
    return Step(
        id=d["id"], kind=d["kind"], page=d["page"], offer_id=d.get("offer"), form_id=d.get("form"),
        edges={e: d[e] for e in EDGE_NAMES if d.get(e)}, slug=d.get("slug") or d["id"],
        variant=d.get("variant") or "a", index=d.get("index"), final=d.get("final", False),
        line=getattr(d, "line", None), defined_in=where, choice_ids=list(d.get("offers") or []),
        recommended=d.get("recommended"), bump=Bump.from_config(d.get("bump")), split=split_config(d),
    )


def build_model(src: Path, config_file: Path, data: dict) -> tuple[Site, list]:
    """Turn validated config into a Site; returns (site, problems) for duplicates found on the way."""
    from .errors import Problem, rel

    problems = []
    cfg = rel(config_file)
    language = data["site"]["language"]
    offers = {oid: _offer(oid, d, language) for oid, d in data["offers"].items()}
    problems += [p for oid, d in data["offers"].items() for p in decimal_problems(cfg, oid, d, offers[oid].currency)]
    forms = {fid: _form(fid, d, language) for fid, d in data["forms"].items()}
    steps: dict[str, Step] = {}
    funnels: dict[str, Funnel] = {}
    refs: list[tuple[str, str, str, int]] = []

    def add(step: Step):
        if step.id in steps:
            first = steps[step.id]
            problems.append(Problem(cfg, f"duplicate step id '{step.id}' (first defined at {first.defined_in}, line {first.line})",
                                    key=f"{step.defined_in}.id", line=step.line,
                                    hint="Step ids are site-wide URLs; give this step another id, or reuse the first "
                                         f"one by writing just `- {step.id}` in the steps list."))
            return False
        steps[step.id] = step
        return True

    for fid, fdata in data["funnels"].items():
        ids = []
        for i, item in enumerate(fdata["steps"]):
            where = f"funnels.{fid}.steps[{i}]"
            line = fdata["steps"].lines[i]
            if isinstance(item, str):
                refs.append((fid, item, where, line))
                ids.append(item)
                continue
            step = _step(item, where)
            if add(step):
                step.funnels.append(fid)
            ids.append(step.id)
        funnels[fid] = Funnel(fid, fdata.get("title") or fid, ids)
    for i, item in enumerate(data["pages"]):
        add(_step(item, f"pages[{i}]"))
    for fid, sid, where, line in refs:
        if sid not in steps:
            from .errors import did_you_mean

            problems.append(Problem(cfg, f"unknown step '{sid}'.{did_you_mean(sid, steps)}", key=where, line=line,
                                    hint="A bare id in a steps list must name a step defined in another funnel."))
        elif fid not in steps[sid].funnels:
            steps[sid].funnels.append(fid)
    for step in steps.values():
        link_offers(step, offers)
        step.form = forms.get(step.form_id) if step.form_id else None

    site = Site(src=src, config_file=config_file, settings=SiteSettings.from_config(data["site"]),
                legal=Legal.from_config(data["legal"]), tracking=Tracking.from_config(data["tracking"]),
                offers=offers, forms=forms, funnels=funnels, steps=steps)
    site.assign_urls()
    from .graph import assign_journeys
    from .redirects import read_redirects

    site.redirects = read_redirects(data.get("redirects"))
    assign_journeys(site)
    return site, problems
