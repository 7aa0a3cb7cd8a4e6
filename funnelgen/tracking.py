"""Tracking on the built pages: vendor snippets in their places, the page data the runtime reads, and
the runtime script itself, assembled for the vendors a site enables.

What each vendor needs lives in funnelgen/vendors/; this module only places and assembles: snippets in
<head> in registry order (GTM and GA4 first, as Google asks), noscript parts right after <body>, and
funnel.js with the attribution keys, event names and the enabled vendors' send functions filled in, so
no list is kept twice in Python and JavaScript.
"""

from __future__ import annotations

import re
from pathlib import Path

from .escaping import script_json
from .vendors import VENDORS, enabled

RUNTIME_JS = Path(__file__).parent / "runtime" / "funnel.js"
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
# Ad platforms' click ids, kept with the first touch (gclid: Google, fbclid: Meta, yclid: Yahoo!,
# ttclid: TikTok, ldtag_cl: LINE, twclid: X).
CLICK_IDS = ("gclid", "fbclid", "yclid", "ttclid", "ldtag_cl", "twclid")
# Where payment providers put the transaction id on the after-payment URL, and what a real one looks like:
# Stripe Checkout's {CHECKOUT_SESSION_ID} is cs_test_… / cs_live_…
# (https://docs.stripe.com/payments/checkout/custom-success-page); other providers' ids are plain tokens.
# A return URL whose id does not look like one (a typed-in ?session_id=abc) counts no purchase.
_TOKEN = r"^[A-Za-z0-9][A-Za-z0-9._-]{5,127}$"
TRANSACTION_PARAMS = {"session_id": r"^cs_(test|live)_[A-Za-z0-9_]{6,250}$", "transaction_id": _TOKEN,
                      "order_id": _TOKEN, "orderId": _TOKEN}
RETURN_PARAMS = ("fg_offer", *TRANSACTION_PARAMS)
# The funnel events and the GA4/dataLayer name of each (a GTM container maps these names).
EVENTS = {"lead": "generate_lead", "registration": "sign_up", "view_item": "view_item",
          "begin_checkout": "begin_checkout", "purchase": "purchase"}


def head_snippets(tracking) -> str:
    """Everything that belongs in <head>, in the registry's (vendor-required) order."""
    return "".join(v.head(value) for v, value in enabled(tracking))


def body_start_snippets(tracking) -> str:
    """noscript fallbacks: GTM's iframe must come right after <body>."""
    return "".join(v.body(value) for v, value in enabled(tracking))


def privacy_recipients(tracking, language: str) -> list[dict]:
    """Who receives data from the tags, for the 外部送信 notice (電気通信事業法27条の12)."""
    return [{"name": v.recipient[language], "country": v.country[language]} for v, _value in enabled(tracking)]


def runtime_config(tracking) -> dict:
    return {
        "keys": list(UTM_FIELDS + CLICK_IDS), "utm": list(UTM_FIELDS), "tx": list(TRANSACTION_PARAMS.items()),
        "events": EVENTS, "browser_purchase": getattr(tracking, "browser_purchase", True),
        "vendors": {v.key: {"names": v.event_names(value), "config": v.runtime_config(value)}
                    for v, value in enabled(tracking) if v.adapter},
    }


_SLOT = re.compile(r"/\*@FUNNELGEN_(CONFIG|ADAPTERS)@\*/.*?/\*@END@\*/", re.S)


_FEATURE = re.compile(r"/\*@IF (\w+)@\*/(.*?)/\*@ENDIF@\*/", re.S)


def runtime_features(site) -> set[str]:
    """The optional parts of funnel.js this site uses: the EU consent banner (site.audience: eu) and the order
    bump. Every page carries the runtime, so a site without them does not pay their bytes."""
    features = {"eu"} if "eu" in site.settings.audience else set()
    if any(step.bump is not None for step in site.steps.values()):
        features.add("bump")
    return features


def runtime_script(tracking, features: set[str] | frozenset = frozenset({"eu", "bump"})) -> bytes:
    """funnel.js for this site: the core, the optional parts in `features`, and the send function of each
    enabled vendor."""
    adapters = "{" + ",".join(f"{script_json(v.key)}:{v.adapter}" for v, _value in enabled(tracking)
                              if v.adapter) + "}"
    slots = {"CONFIG": script_json(runtime_config(tracking)), "ADAPTERS": adapters}
    text = RUNTIME_JS.read_text(encoding="utf-8")
    text = _FEATURE.sub(lambda m: m.group(2) if m.group(1) in features else "", text)
    from .compact import compact_js

    return compact_js(_SLOT.sub(lambda m: slots[m.group(1)], text)).encode("utf-8")


def transaction_event_id(transaction_id: str) -> str:
    """The id vendors get for a purchase instead of the provider's own transaction id: the first 32 hex digits
    of its SHA-256, prefixed "fg_". The browser (funnel.js) and a server-side sender compute the same value,
    so the ad platforms can deduplicate, and the raw id (which can open the provider's receipt) never leaves."""
    import hashlib

    return "fg_" + hashlib.sha256(transaction_id.encode("utf-8")).hexdigest()[:32]


def return_guard_script() -> str:
    """Inline, first thing in <head> of a page buyers return to: moves the provider's return parameters
    (fg_offer, session_id, …) from the address bar into `window.__fgReturn`, before any vendor tag can read
    the URL (tags report page_location; the raw session id must not reach them)."""
    return ("(function(w){try{var u=new URL(w.location.href),q=u.searchParams,r={},hit=0;"
            f"{script_json(list(RETURN_PARAMS))}.forEach(function(k){{if(q.has(k)){{r[k]=q.get(k);q.delete(k);hit=1;}}}});"
            "if(hit){w.__fgReturn=r;var s=q.toString();"
            "w.history.replaceState(w.history.state,'',u.pathname+(s?'?'+s:'')+u.hash);}}catch(e){}})(window);")


def page_data(site, step, funnel_entry_of: str | None) -> dict:
    """What funnel.js needs on this page: who we are, what is sold, what was bought."""
    from .plans import sold_offers
    from .prices import tracking_value

    def offer_json(offer):
        return {"id": offer.id, "name": offer.name, "value": tracking_value(offer), "currency": offer.currency}

    data = {
        "step": step.id,
        "kind": step.kind,
        "variant": step.variant,
        "funnels": step.funnels,
        "entry_of": funnel_entry_of,
    }
    sold = sold_offers(step)
    if step.offer:
        data["offer"] = offer_json(step.offer)
    if len(sold) > 1 or step.choices:  # a plan table, or an offer and its bump bundle
        data["offers"] = {o.id: offer_json(o) for o in sold}
    if sold:
        data["view_item"] = step.traits.sells
    if step.traits.lead_event and step.form:
        data["lead_form"] = step.form.id
    bought = site.purchase_offers(step)
    if bought:
        data["purchase"] = {o.id: offer_json(o) for o in bought}
    return data


__all__ = ["VENDORS", "EVENTS", "head_snippets", "body_start_snippets", "page_data", "runtime_script"]
