"""Order bumps: the checkbox that adds to an order must be the buyer's own, informed choice.

An extra payment agreed through a box ticked in advance is not consent (EU Consumer Rights Directive
2011/83/EU, Art. 22: https://eur-lex.europa.eu/eli/dir/2011/83/oj), and a final screen that hides what a
ticked box adds to the price misleads the buyer (特定商取引法12条の6; 消費者庁「通信販売の申込み段階における表示
についてのガイドライン」: https://www.caa.go.jp/policies/policy/consumer_transaction/specified_commercial_transactions/).
"""

from __future__ import annotations

from ..prices import money
from .registry import rule


@rule("payments.order-bump", area="integrity", html=True,
      why="A pre-ticked or unpriced add-on charges people for something they did not choose (EU Directive "
          "2011/83/EU Art. 22; 特定商取引法12条の6).")
def order_bump(ctx, page):
    """The order bump is an unticked checkbox with a label, showing the bundle's full price and the difference,
    tax included."""
    step = page.step
    if step is None or step.bump is None or step.bump.offer is None or step.offer is None:
        return
    file = ctx.page_file(page)
    bundle, base, lang = step.bump.offer, step.offer, ctx.site.language
    boxes = page.doc.find("input", lambda e: "data-fg-bump" in e.attrs)
    if not boxes:
        yield ctx.error(file, f"{page.url} has bump: '{bundle.id}' but no order-bump checkbox",
                        hint="Keep {% include \"partials/bump.html\" %} in sales.html.")
        return
    box = boxes[0]
    if box.get("type") != "checkbox" or "checked" in box.attrs:
        yield ctx.error(file, f"the order bump on {page.url} is {'pre-ticked' if 'checked' in box.attrs else 'not a checkbox'}",
                        hint="An add-on is the buyer's choice: an unticked <input type=\"checkbox\"> (partials/bump.html).")
    labels = page.doc.find("label", lambda e: box.get("id") and e.get("for") == box.get("id"))
    if not labels or not labels[0].text:
        yield ctx.error(file, f"the order bump on {page.url} has no label", hint="Keep <label for=…> in partials/bump.html.")
    wrap = box.closest(lambda e: "data-fg-bump-box" in e.attrs) or box.parent
    text = wrap.text if wrap is not None else ""
    for what, amount in (("full price", bundle.gross), ("difference", bundle.gross - base.gross)):
        shown = money(amount, bundle.currency, lang)
        if shown not in text:
            yield ctx.error(file, f"the order bump on {page.url} does not show the bundle's {what} ({shown})",
                            hint="Keep the price line of partials/bump.html next to the checkbox.")
