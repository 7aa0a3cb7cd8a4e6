"""Every path a visitor can take through each funnel, from the funnel map alone.

A path starts at a funnel's entry and, at each step, does the one thing the
page asks (submit its form, pay its checkout, follow its next link) or, on an
upsell, declines. Both choices of an upsell/downsell make separate paths, so
the example funnel has three paths per entry: accept, decline then accept,
decline then decline. A path stops at a step with no way on, or when an edge
returns to a step already on the path (a loop is walked once).

What each action is, and where it must lead, mirrors the renderer
(`Renderer.main_action`) and the model (`Step.paid_target`): the browser then
checks that the built site does what the map says.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MAX_PATHS = 200

# What the visitor does on a step.
FORM, CHECKOUT, NEXT, DECLINE = "form", "checkout", "next", "decline"
ACTION_WORDS = {FORM: "submitting the form", CHECKOUT: "paying", NEXT: "following the next link", DECLINE: "declining"}


@dataclass(frozen=True)
class Hop:
    """One step of a path and what the visitor does there (nothing on the last one)."""

    step: str
    action: str | None = None  # FORM, CHECKOUT, NEXT, DECLINE
    edge: str | None = None  # the funnel-map edge this action follows
    target: str | None = None  # step id it must lead to (None: the map has nowhere to go)


@dataclass
class FunnelPath:
    id: str  # "blog-2"
    funnel: str
    hops: list[Hop]
    loop_to: str | None = None  # the last hop returns to this earlier step

    @property
    def step_ids(self) -> list[str]:
        return [h.step for h in self.hops]

    def label(self) -> str:
        """'optin → gift → starter (buy) → upsell (decline) → downsell (accept) → apply → thanks'."""
        parts = []
        for hop in self.hops:
            word = ""
            if hop.action == CHECKOUT:
                word = " (accept)" if hop.edge == "accept" else " (buy)"
            elif hop.action == DECLINE:
                word = " (decline)"
            parts.append(hop.step + word)
        if self.loop_to:
            parts.append(f"{self.loop_to} (again)")
        return " → ".join(parts)


def actions(site, step) -> list[tuple[str, str | None, str | None]]:
    """(action, edge, target) choices on `step`, main action first."""
    out: list[tuple[str, str | None, str | None]] = []
    edges = step.edges
    if step.form is not None:
        out.append((FORM, "next", edges.get("next")))
    elif step.sells_by_checkout and step.offer is not None and step.offer.checkout:
        edge = step.traits.paid_edge or "next"
        out.append((CHECKOUT, edge, edges.get(edge)))
    elif edges.get("next"):
        out.append((NEXT, "next", edges["next"]))
    if step.traits.declinable and edges.get("decline"):
        out.append((DECLINE, "decline", edges["decline"]))
    return out


def enumerate_paths(site, funnels: list[str] | None = None,
                    max_paths: int = DEFAULT_MAX_PATHS) -> tuple[list[FunnelPath], bool]:
    """All paths of the chosen funnels (default: every funnel); returns (paths, truncated)."""
    result: list[FunnelPath] = []
    for fid, funnel in site.funnels.items():
        if funnels and fid not in funnels:
            continue
        if not funnel.step_ids or funnel.entry not in site.steps:
            continue
        for hops, loop_to in _walk(site, funnel.entry, [], frozenset({funnel.entry})):
            if len(result) >= max_paths:
                return result, True
            count = sum(1 for p in result if p.funnel == fid) + 1
            result.append(FunnelPath(f"{fid}-{count}", fid, hops, loop_to))
    return result, False


def _walk(site, sid: str, hops: list[Hop], seen: frozenset[str]):
    """Depth first from `sid`: yields (hops, loop_to) for every path, main action before decline."""
    choices = actions(site, site.steps[sid])
    if not choices:
        yield hops + [Hop(sid)], None
        return
    for action, edge, target in choices:
        hop = Hop(sid, action, edge, target)
        if target is None or target not in site.steps:
            yield hops + [hop], None
        elif target in seen:
            yield hops + [hop], target
        else:
            yield from _walk(site, target, hops + [hop], seen | {target})


def expected_funnel(site, entries: dict[str, str], path: FunnelPath, upto: int) -> list[str]:
    """fg_funnel funnel.js reports on each step of `path` (up to index `upto`, inclusive).

    The funnel a visitor entered through is kept for the session (and re-set on
    any funnel's entry page); a step outside that funnel reports its own first funnel.
    """
    current = path.funnel
    out = []
    for hop in path.hops[: upto + 1]:
        step = site.steps[hop.step]
        if hop.step in entries:
            current = entries[hop.step]
        out.append(current if current in step.funnels else (step.funnels[0] if step.funnels else ""))
    return out


def funnel_entries(site) -> dict[str, str]:
    """Entry step id -> funnel id, as the renderer computes it (the last funnel wins on a shared entry)."""
    return {f.entry: fid for fid, f in site.funnels.items() if f.step_ids}


def is_offer_page(step) -> bool:
    return step.offer is not None and step.traits.sells


def is_lead_form(step) -> bool:
    return step.form is not None and step.traits.lead_event is not None
