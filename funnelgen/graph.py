"""The funnel graph: every walk over steps and edges, in one place.

Steps are nodes; `next`, `accept` and `decline` are edges. From this one module come: the steps each
funnel owns (its journey: every step its entry leads to, so a visitor who came in through the Instagram
opt-in is still in the Instagram funnel on shared pages), which steps no entry reaches, the paths a
visitor can take (what `funnelgen verify` walks), and the funnel map as data (what the preview dashboard,
the verify storyboard and `funnelgen graph` draw). Nothing here reads files or renders HTML.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

# What a visitor does on a step.
FORM, CHECKOUT, NEXT, DECLINE = "form", "checkout", "next", "decline"
ACTION_WORDS = {FORM: "submitting the form", CHECKOUT: "paying", NEXT: "following the next link", DECLINE: "declining"}
DEFAULT_MAX_PATHS = 200


def successors(step) -> list[str]:
    """Step ids the edges of `step` lead to, in edge order (next, accept, decline)."""
    return [target for target in step.edges.values() if target]


def reachable(site, starts) -> list[str]:
    """Step ids reachable from `starts` (themselves included), in breadth-first order."""
    seen: dict[str, None] = {}
    queue = deque(starts)
    while queue:
        sid = queue.popleft()
        if sid in seen or sid not in site.steps:
            continue
        seen[sid] = None
        queue.extend(successors(site.steps[sid]))
    return list(seen)


def entries(site) -> dict[str, str]:
    """Entry step id -> funnel id (on a shared entry the last funnel listed wins, as funnel.js reports it)."""
    return {f.entry: fid for fid, f in site.funnels.items() if f.step_ids}


def assign_journeys(site) -> None:
    """Each step belongs to every funnel that lists it *or* whose entry leads to it."""
    for fid, funnel in site.funnels.items():
        if not funnel.step_ids:
            continue
        for sid in reachable(site, [funnel.entry]):
            step = site.steps[sid]
            if fid not in step.funnels:
                step.funnels.append(fid)


def unreachable(site) -> list[str]:
    """Funnel steps no funnel entry leads to (usually a broken edge)."""
    seen = set(reachable(site, [f.entry for f in site.funnels.values() if f.step_ids]))
    return [sid for sid, step in site.steps.items() if step.is_funnel_step and sid not in seen]


# -- the map as data ----------------------------------------------------------------------------

@dataclass
class MapStep:
    id: str
    kind: str
    url: str
    offer: str | None
    form: str | None
    edges: dict[str, str]
    shared: bool  # reached from this funnel but listed by another one
    final: bool = False
    title: str = ""  # the page's headline, when loaded
    price: str = ""  # the offer's honest price label, when the caller gives a formatter
    choices: list[dict] = field(default_factory=list)  # every offer paid by checkout here: id, name, price, bump

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class FunnelMap:
    id: str
    title: str
    entry: str
    steps: list[MapStep] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "entry": self.entry, "steps": [s.as_dict() for s in self.steps]}


def funnel_map(site) -> list[FunnelMap]:
    """Every funnel with every step its visitors can reach: its own steps in site.yml order, then the
    shared ones it leads to, each with its offer's honest price label."""
    from .plans import sold_offers
    from .prices import price_label

    out = []
    for fid, funnel in site.funnels.items():
        own = [sid for sid in funnel.step_ids if sid in site.steps]
        reach = set(reachable(site, own))
        order = own + [sid for sid in site.steps if sid in reach and sid not in own]
        fmap = FunnelMap(fid, funnel.title, funnel.entry)
        for sid in order:
            s = site.steps[sid]
            fmap.steps.append(MapStep(
                s.id, s.kind, s.url, s.offer_id, s.form_id, dict(s.edges), shared=sid not in own, final=s.final,
                title=str((s.meta or {}).get("headline") or (s.meta or {}).get("title") or ""),
                price=price_label(s.offer, site.language) if s.offer else "",
                choices=[{"id": o.id, "name": o.name, "price": price_label(o, site.language),
                          "bump": s.bump is not None and o is s.bump.offer}
                         for o in sold_offers(s)] if s.sells_by_checkout else []))
        out.append(fmap)
    return out


# -- paths a visitor can take ---------------------------------------------------------------------

@dataclass(frozen=True)
class Hop:
    """One step of a path and what the visitor does there (nothing on the last one)."""

    step: str
    action: str | None = None  # FORM, CHECKOUT, NEXT, DECLINE
    edge: str | None = None  # the edge this action follows
    target: str | None = None  # step id it must lead to (None: the map has nowhere to go)
    offer: str | None = None  # CHECKOUT: the offer paid for (a plan of offers:, or the bump's bundle)
    bump: bool = False  # CHECKOUT: the order bump's box is ticked first
    choice: bool = False  # CHECKOUT: one of several ways to pay on the step (plans, or with/without the bump)


@dataclass
class FunnelPath:
    id: str  # "blog-2"
    funnel: str
    hops: list[Hop]
    loop_to: str | None = None  # the last hop returns to this earlier step
    variants: dict = field(default_factory=dict)  # split tests: experiment -> the variant this walk forces

    @property
    def step_ids(self) -> list[str]:
        return [h.step for h in self.hops]

    def label(self) -> str:
        """'optin → gift → starter (buy) → upsell (decline) → downsell (accept) → apply → thanks'."""
        parts = []
        for hop in self.hops:
            word = ""
            if hop.action == CHECKOUT:
                verb = "accept" if hop.edge == "accept" else "buy"
                word = f" ({verb} {hop.offer}{' + bump' if hop.bump else ''})" if hop.choice else f" ({verb})"
            elif hop.action == DECLINE:
                word = " (decline)"
            parts.append(hop.step + word)
        if self.loop_to:
            parts.append(f"{self.loop_to} (again)")
        forced = ", ".join(f"{e}: {v}" for e, v in self.variants.items())
        return " → ".join(parts) + (f"  [variant {forced}]" if forced else "")


def choices(step) -> list[Hop]:
    """What a visitor can do on `step` (hops without their next step yet), the page's main action first.

    Mirrors what the page offers (Renderer.main_action): its form, else its checkout (which returns
    through the kind's paid edge) — one per plan of a plan table, and the offer with and without its order
    bump —, else its next link; post-purchase offers add their decline link.
    """
    out: list[Hop] = []
    edges = step.edges
    if step.form is not None:
        out.append(Hop(step.id, FORM, "next", edges.get("next")))
    elif step.sells_by_checkout:
        from .plans import sold_offers

        edge = step.traits.paid_edge or "next"
        offers = [o for o in sold_offers(step) if o.checkout]
        for offer in offers:
            bump = step.bump is not None and offer is step.bump.offer
            out.append(Hop(step.id, CHECKOUT, edge, edges.get(edge), offer.id, bump, len(offers) > 1))
    elif edges.get("next"):
        out.append(Hop(step.id, NEXT, "next", edges["next"]))
    if step.traits.declinable and edges.get("decline"):
        out.append(Hop(step.id, DECLINE, "decline", edges["decline"]))
    return out


def paths(site, funnels: list[str] | None = None, max_paths: int = DEFAULT_MAX_PATHS) -> tuple[list[FunnelPath], bool]:
    """Every path of the chosen funnels (default: all), main action before decline; (paths, truncated).

    A path stops at a step with no way on, or when an edge returns to a step already on it (a loop is
    walked once). Both choices of an upsell make separate paths.
    """
    result: list[FunnelPath] = []
    for fid, funnel in site.funnels.items():
        if funnels and fid not in funnels:
            continue
        if not funnel.step_ids or funnel.entry not in site.steps:
            continue
        count = 0
        for hops, loop_to in _walk(site, funnel.entry, [], frozenset({funnel.entry})):
            if len(result) >= max_paths:
                return result, True
            count += 1
            result.append(FunnelPath(f"{fid}-{count}", fid, hops, loop_to))
    return result, False


def _walk(site, sid: str, hops: list[Hop], seen: frozenset[str]):
    options = choices(site.steps[sid])
    if not options:
        yield hops + [Hop(sid)], None
        return
    for hop in options:
        target = hop.target
        if target is None or target not in site.steps:
            yield hops + [hop], None
        elif target in seen:
            yield hops + [hop], target
        else:
            yield from _walk(site, target, hops + [hop], seen | {target})
