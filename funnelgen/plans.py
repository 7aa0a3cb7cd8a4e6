"""What a step sells: one offer, a choice of offers (a plan table), or one offer with an order bump.

A selling step names `offer:` (one offer) or `offers:` (two or three plans side by side, each with its own
payment link); a step with `offer:` may add `bump:`, a checkbox that switches its buy button to a bundle
offer's own payment link. Every offer a buyer can pay for on a step is an ordinary offer: it has its own
checkout, price line, order summary and 表記 section, and its success URL leads to the step's paid edge.
Everything that asks "does this step sell offer X?" (success URLs, purchase pages, the checks, verify)
asks here, so a plan or a bundle is never forgotten.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

MAX_CHOICES = 3  # more than three plans side by side stops being a choice (and no longer fits a row)


@dataclass
class Bump:
    """`bump: {offer: <bundle id>, label: …, cta: …}` of a step; `offer` is resolved by `link_offers`."""

    offer_id: str
    label: str | None = None  # the checkbox's text (default: the bundle's name)
    cta: str | None = None  # the buy button's text while the box is ticked
    offer: object | None = None  # model.Offer

    @classmethod
    def from_config(cls, d) -> Bump | None:
        return cls(d["offer"], d.get("label"), d.get("cta")) if d else None


def link_offers(step, offers: dict) -> None:
    """Resolve the step's offer ids into offers (unknown ids stay None; validation names them)."""
    step.offer = offers.get(step.offer_id) if step.offer_id else None
    step.choices = [offers[o] for o in step.choice_ids if o in offers]
    if step.bump is not None:
        step.bump.offer = offers.get(step.bump.offer_id)


def sold_ids(step) -> list[str]:
    """Every offer id a visitor can pay for on `step`: the plans, or the offer and its bump bundle."""
    ids = list(step.choice_ids) or ([step.offer_id] if step.offer_id else [])
    if step.bump is not None:
        ids.append(step.bump.offer_id)
    for v in step.split.variants if getattr(step, "split", None) else ():  # a split test's variant offers
        if v.offer is not None and v.offer.id not in ids:
            ids.append(v.offer.id)
    return ids


def sold_offers(step) -> list:
    """The resolved offers of `sold_ids` (what the step's buttons can charge, in any variant)."""
    out = list(step.choices) or ([step.offer] if step.offer else [])
    if step.bump is not None and step.bump.offer is not None:
        out.append(step.bump.offer)
    for v in step.split.variants if getattr(step, "split", None) else ():  # a split test's variant offers
        if v.offer is not None and v.offer not in out:
            out.append(v.offer)
    return out


def sells(step, offer_id: str) -> bool:
    return offer_id in sold_ids(step)


# -- the graph rule (listed in validate.RULES) ------------------------------------------------------

def choice_problems(site) -> Iterator:
    """`offers:` and `bump:` name real offers, and say one honest thing: 2–3 plans, or one offer + a bundle."""
    from .errors import Problem, did_you_mean, rel

    cfg = rel(site.config_file)
    for step in site.steps.values():
        def p(key, message, hint="", step=step):
            return Problem(cfg, message, key=f"{step.defined_in}.{key}", line=step.line, hint=hint)

        ids = step.choice_ids
        if ids and step.offer_id:
            yield p("offers", f"step '{step.id}' has both offer: and offers:",
                    "Keep offer: for one offer, or offers: [a, b] for a choice of plans.")
        if ids and not step.traits.sells:
            yield p("offers", f"{step.kind} step '{step.id}' sells nothing, so it cannot offer a choice of plans",
                    "Use offers: on a sales, upsell, downsell, crosssell or backend step.")
        if ids and step.form_id:
            yield p("offers", f"step '{step.id}' has a form and offers: — a plan table needs a payment link per plan",
                    "Remove form: (each plan is paid through its own checkout:), or keep one offer: with the form.")
        if ids and not MAX_CHOICES >= len(ids) >= 2:
            yield p("offers", f"offers: lists {len(ids)} offer{'s' if len(ids) != 1 else ''}; a choice needs 2 or "
                              f"{MAX_CHOICES}", "Write offer: <id> for one offer, or list two or three plans.")
        for oid in dict.fromkeys(o for o in ids if ids.count(o) > 1):
            yield p("offers", f"offer '{oid}' is listed twice in offers:", "List each plan once.")
        for oid in ids:
            if oid not in site.offers:
                yield p("offers", f"unknown offer '{oid}'.{did_you_mean(oid, site.offers)}",
                        "Define it under offers: or fix the id.")
        if step.recommended and step.recommended not in ids:
            yield p("recommended", f"recommended: '{step.recommended}' is not one of the step's offers: "
                                   f"({', '.join(ids) or 'none'})", "Name one of the plans listed in offers:.")
        if step.bump is not None:
            yield from _bump_problems(site, step, p)


def _bump_problems(site, step, p) -> Iterator:
    from .errors import did_you_mean

    bump = step.bump
    if not step.offer_id or step.form_id or not step.traits.sells:
        yield p("bump", f"step '{step.id}': an order bump needs a step that sells one offer: by checkout",
                "Use bump: on a selling step with offer: (not offers:, not a form).")
        return
    bundle, base = bump.offer, step.offer
    if bundle is None:
        yield p("bump.offer", f"unknown offer '{bump.offer_id}'.{did_you_mean(bump.offer_id, site.offers)}",
                "Define the bundle (the offer plus the extra, at its full price) under offers:.")
        return
    if base is None:
        return  # unknown offer: reported by graph.references
    if bundle.id == base.id:
        yield p("bump.offer", "the bump's offer is the step's own offer",
                "Name a bundle offer: the step's offer plus the extra, with its own payment link.")
    elif bundle.currency != base.currency:
        yield p("bump.offer", f"the bundle '{bundle.id}' is priced in {bundle.currency} and '{base.id}' in "
                              f"{base.currency}", "Price both in the same currency: the page shows the difference.")
    elif bundle.billing or base.billing or bundle.trial_days or base.trial_days:
        yield p("bump.offer", "an order bump switches between two one-off payments; a subscription cannot be one",
                "Offer the subscription on its own step (an upsell), or remove billing: from both offers.")
    elif bundle.gross <= base.gross:
        yield p("bump.offer", f"the bundle '{bundle.id}' does not cost more than '{base.id}' ({bundle.gross} ≤ "
                              f"{base.gross}): the page would show a difference of zero or less",
                "The bundle's price: is the full price of the offer plus the extra.")
