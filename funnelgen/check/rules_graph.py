"""The funnel-graph rules of validate.py, listed here so `funnelgen check` names them.

They already run inside every build (load_site), so the build skips them here.
"""

from __future__ import annotations

from .. import validate
from .registry import RULES, Rule

_GRAPH = [
    ("graph.references", validate.unknown_references,
     "Every next/accept/decline, offer, form and site.home names something that exists.",
     "An edge, offer or form that names nothing breaks the page a visitor is on."),
    ("graph.dead-end", validate.step_requirements,
     "Selling steps have an offer, opt-ins a form, and no step is a dead end (unless final: true).",
     "A step without its required edge, offer or form leaves visitors (and ad spend) stranded."),
    ("graph.offers-forms", validate.offers_and_forms,
     "Sold offers have a checkout, each offer returns buyers to one step, forms have an email, consent and "
     "a next step.", "An offer without a checkout, or a form without a destination, silently loses the sale or the "
                     "lead."),
    ("graph.unreachable", validate.reachability, "Every funnel step is reachable from some funnel's entry.",
     "A step nobody can reach is usually a broken edge; its offer never sells."),
    ("graph.output-paths", validate.output_paths, "No two pages (or a page and a static file) write the same URL.",
     "Two pages writing one URL means one of them silently disappears."),
]

for _id, _fn, _title, _why in _GRAPH:
    RULES.append(Rule(id=_id, area="integrity", fn=lambda ctx, fn=_fn: fn(ctx.site), why=_why, phase="graph",
                      title=_title))
