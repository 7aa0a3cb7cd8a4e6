"""Step kinds: the one table that says what each kind of funnel step needs, sells and sends.

Every stage reads this table instead of keeping its own list: the schema (which kinds exist), the
model (edges, paid return edge, indexing), validation (dead ends, required offer/form), rendering
(template fallbacks, default button), tracking (which funnel event a form fires, whether an offer view
is reported), the checks and `funnelgen verify` (decline links, lead forms). A new kind is one entry
here plus its template, docs and tests.
"""

from __future__ import annotations

from dataclasses import dataclass

EDGE_NAMES = ("next", "accept", "decline")


@dataclass(frozen=True)
class StepKind:
    name: str
    doc: str
    # Edges a step of this kind must have unless it is `final: true` (no edge at all: it may end a path).
    required_edges: tuple[str, ...] = ()
    # The edge a buyer returns through after paying on this step (the payment link's success URL).
    paid_edge: str | None = None
    sells: bool = False  # needs an offer; shows an order summary; reports view_item
    needs_form: bool = False  # refuses to build without a form (opt-in, registration)
    collects_email: bool = False  # its form must ask for an email and say who will write (特定電子メール法)
    lead_event: str | None = None  # canonical event its form fires on submit ("lead", "registration")
    declinable: bool = False  # shows a decline link next to the offer (post-purchase offers)
    indexable: bool = False  # search engines may index it by default
    templates: tuple[str, ...] = ()  # templates tried after `<kind>.html`, before page.html
    button: str = "submit"  # i18n label of its form's default button
    event_fields: bool = False  # front matter may give starts_at/duration/venue (an event date)

    def template_names(self) -> list[str]:
        return [f"{self.name}.html"] + [f"{t}.html" for t in self.templates] + ["page.html"]


_KINDS = (
    StepKind("optin", "an opt-in page: a free gift for a name and an email", required_edges=("next",),
             needs_form=True, collects_email=True, lead_event="lead", indexable=True, button="optin_submit"),
    StepKind("webinar", "a seminar or webinar registration page with its date; its next step shows the reminder",
             required_edges=("next",), needs_form=True, collects_email=True, lead_event="registration",
             indexable=True, templates=("optin",), button="register_submit", event_fields=True),
    StepKind("thankyou", "a thank-you or gift page (may end a path)"),
    StepKind("content", "an education step that earns trust before the offer", required_edges=("next",),
             templates=("page",)),
    StepKind("sales", "a front-end offer paid through its checkout link", required_edges=("next",),
             paid_edge="next", sells=True, indexable=True),
    StepKind("upsell", "a one-time offer right after a purchase", required_edges=("accept", "decline"),
             paid_edge="accept", sells=True, declinable=True),
    StepKind("downsell", "a smaller offer after a declined upsell", required_edges=("accept", "decline"),
             paid_edge="accept", sells=True, declinable=True, templates=("upsell",)),
    StepKind("crosssell", "a related offer after a purchase", required_edges=("accept", "decline"),
             paid_edge="accept", sells=True, declinable=True, templates=("upsell",)),
    StepKind("backend", "the high-price offer: a checkout, or an application form", required_edges=("next",),
             paid_edge="next", sells=True, lead_event="lead", indexable=True, templates=("sales",),
             button="apply_submit"),
    StepKind("page", "any other page (about, blog post); not part of a path unless linked", indexable=True),
)

KINDS: dict[str, StepKind] = {k.name: k for k in _KINDS}
STEP_KINDS = tuple(KINDS)


def kind(name: str) -> StepKind:
    """The kind called `name` (the schema has already refused unknown names)."""
    return KINDS[name]
