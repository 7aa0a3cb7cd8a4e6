"""The plan table and the order bump as plain data for the theme (partials/plans.html, partials/bump.html).

Each plan and the bump's bundle is shown through `Renderer.offer_view` (the same price line and order-summary
rows as a single offer), so a choice is never priced or described differently from the offer it charges.
"""

from __future__ import annotations

from .prices import money


def plans_view(renderer, step) -> list[dict] | None:
    """One card per plan of `offers:`, in the listed order; the recommended one is marked."""
    if not step.choices or not step.sells_by_checkout:
        return None
    t = renderer.t
    return [{"offer": renderer.offer_view(o), "href": o.checkout, "recommended": o.id == step.recommended,
             "label": t["plan_buy"]} for o in step.choices]


def bump_view(renderer, step) -> dict | None:
    """The bump's checkbox: the bundle's full price and what it adds, tax included, and the texts the buy
    button switches to while the box is ticked."""
    bump = step.bump
    if bump is None or bump.offer is None or step.offer is None or not step.sells_by_checkout:
        return None
    base, bundle, lang, t = step.offer, bump.offer, renderer.lang, renderer.t
    price = money(bundle.gross, bundle.currency, lang)
    return {
        "id": f"fg-bump-{step.id}", "offer": renderer.offer_view(bundle), "href": bundle.checkout,
        "label": bump.label or bundle.name,
        "price": t["bump_price"].format(price=price, base_price=money(base.gross, base.currency, lang),
                                        diff=money(bundle.gross - base.gross, base.currency, lang)),
        "cta": bump.cta or t["bump_buy"].format(price=price),
    }


def main_action(renderer, step) -> dict | None:
    """A plan table's main action: buttons in the copy and the sticky bar scroll to the plans."""
    if not step.choices or not step.sells_by_checkout:
        return None
    return {"type": "plans", "href": "#order", "label": step.meta.get("cta") or renderer.t["choose_plan"]}
