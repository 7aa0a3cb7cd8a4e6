"""Tracking: every tag once, in its vendor's place, with a real ID; every step fires its funnel event."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

from ..plans import sold_offers
from ..prices import tracking_value
from ..tracking import EVENTS
from ..vendors import VENDORS, enabled
from .registry import rule

# Example IDs from the schema and vendor docs: copied verbatim, they measure nothing.
DOC_EXAMPLES = {example for v in VENDORS for example in v.examples}
PLACEHOLDER_TEXT = re.compile(r"(?-i:XXXX+|<[A-Z_]{4,}>)|YOUR[_ -]?(PIXEL|TAG|MEASUREMENT|CONTAINER|ID|CODE)([_ -]?ID)?|"
                              r"\bG-X{3,}|\bGTM-X{3,}|\bUA-X{3,}|PIXEL_ID|TAG_ID", re.I)


def placeholder_reason(value: str) -> tuple[str, str]:
    """(severity, why) when a syntactically valid ID is still a placeholder, else ("", "").

    Unmistakable placeholders (XXX…, one digit repeated) are errors; IDs that merely look like the
    documentation's examples or a 1234… sequence are warnings (real IDs can, rarely, look like that).
    """
    v = str(value)
    core = re.sub(r"^(G|GTM|AW)-", "", v).replace("-", "")
    if re.search(r"X{3,}", v, re.I):
        return "error", "is a placeholder (XXX…)"
    if core and len(set(core)) == 1:
        return "error", "is a placeholder (one character repeated)"
    if v in DOC_EXAMPLES:
        return "warning", "is the example ID from the documentation"
    if core.isdigit() and core in "12345678901234567890":
        return "warning", "looks like a placeholder (1234…)"
    return "", ""


@rule("tracking.placeholder-ids", area="tracking",
      why="A placeholder ID passes the format check but sends every visit and sale into the void.")
def placeholder_ids(ctx):
    """Tracking IDs and pasted snippets contain no placeholders (G-XXXXXXXXXX, YOUR_PIXEL_ID, 000…)."""
    values = [(f"tracking.{v.key}" + (f".{sub}" if sub else ""), text)
              for v, value in enabled(ctx.site.tracking) for sub, text in v.ids(value)]
    for key, value in values:
        if not value:
            continue
        severity, reason = placeholder_reason(value)
        if not severity and PLACEHOLDER_TEXT.search(str(value)):
            severity, reason = "error", "is a placeholder"
        if severity:
            report = ctx.error if severity == "error" else ctx.warn
            yield report(ctx.cfg, f"{key} '{value}' {reason}", key=key, line=ctx.line_of(key),
                         hint="Copy the real ID from the vendor's admin screen, or remove the key.")
    for file, key, line, text in ctx.pasted_snippets():
        m = PLACEHOLDER_TEXT.search(text)
        if m:
            yield ctx.error(file, f"pasted snippet still contains the placeholder '{m.group(0)}'", key=key, line=line,
                            hint="Replace it with your real ID, or remove the snippet.")


def _count(doc, tag, pred):
    """The `tag` elements matching `pred` (which looks only at `tag` elements)."""
    return doc.find(tag, pred)


def _noscript_pixel(tag, fragment):
    return lambda e: e.tag == tag and fragment in (e.get("src") or "") and any(a.tag == "noscript" for a in e.ancestors())


@rule("tracking.placement", area="tracking", html=True,
      why="Vendors only count a tag in its documented place; a duplicate doubles every page view and conversion.")
def placement(ctx, page):
    """Each enabled tag appears exactly once per page, in <head>; noscript parts right after <body> with the same ID.
    The 表記, privacy and 404 pages carry no tags unless tracking.on_legal_pages is set."""
    vendors = enabled(ctx.site.tracking)
    if not vendors:
        return
    if page.role != "step" and not ctx.site.tracking.on_legal_pages:
        for vendor, _value in vendors:
            if _count(page.doc, "script", vendor.snippet.matches):
                yield ctx.error(ctx.page_file(page), f"{vendor.name} is loaded on {page.url}",
                                hint="Legal, privacy and 404 pages carry no tracking tags unless "
                                     "tracking.on_legal_pages: true.")
        return
    doc = page.doc
    file = ctx.page_file(page)
    for vendor, value in vendors:
        name, vid = vendor.name, vendor.ids(value)[0][1] if vendor.snippet.carries_id else None
        noscript = _noscript_pixel(*vendor.snippet.noscript) if vendor.snippet.noscript else None
        found = _count(doc, "script", vendor.snippet.matches)
        if len(found) != 1:
            yield ctx.error(file, f"{name} appears {len(found)} times on {page.url} (expected exactly once)",
                            hint="Remove the copy pasted into tracking.head/body or a page's head:; funnelgen "
                                 "adds the tag itself from tracking:.")
            continue
        el = found[0]
        if not el.in_head:
            yield ctx.error(file, f"{name} on {page.url} is not in <head> (line {el.line} of the built page)",
                            hint="Keep {{ tracking_head }} right after <meta charset> in your base template.")
        if vid and vid not in (el.get("src") or el.get("data-src") or "") + el.text:
            yield ctx.error(file, f"{name} on {page.url} does not carry the ID {vid}")
        if noscript is None or ctx.eu:
            continue
        pixels = _count(doc, vendor.snippet.noscript[0], noscript)
        if len(pixels) != 1:
            yield ctx.error(file, f"the noscript part of {name} appears {len(pixels)} times on {page.url}",
                            hint="Keep {{ tracking_body }} right after <body>.")
            continue
        if vid and vid not in pixels[0].get("src", ""):
            yield ctx.error(file, f"the noscript part of {name} on {page.url} uses another ID than the script")
        if vendor.key == "gtm":
            first = doc.first_in_body()
            holder = pixels[0].parent
            if first is not holder:
                yield ctx.error(file, f"GTM's noscript iframe on {page.url} is not right after <body>",
                                hint="Google requires it immediately after the opening <body> tag.")


def page_json(doc, variant: str | None = None) -> dict | None:
    """The page's funnel data as funnel.js sees it; on a split test's page, as `variant`'s visitors get it."""
    for el in doc.find("script", lambda e: e.get("id") == "fg-page"):
        try:
            data = json.loads(el.text)
        except ValueError:
            return None
        own = (data.get("variants") or {}).get(variant) if isinstance(data, dict) else None
        return {**data, **own} if isinstance(own, dict) else data
    return None


@rule("tracking.events", area="tracking", html=True,
      why="Ads optimise on these events: an opt-in without generate_lead or a paid page without purchase makes "
          "the campaign look like it never converts.")
def events(ctx, page):
    """Every step kind carries its funnel events: lead on forms, view and checkout on offers, purchase after paying."""
    step = page.step
    if step is None:
        return
    file = ctx.page_file(page)
    data = page_json(page.doc, page.variant)
    runtime = page.doc.find("script", lambda e: re.search(r"/assets/funnel\.[0-9a-f]+\.js$", e.get("src") or ""))
    if data is None or not runtime:
        yield ctx.error(file, f"{page.url} has no funnel data or no funnel.js: no event can fire",
                        hint="Keep the fg-page script and the runtime <script> of base.html in your template.")
        return
    if step.form and step.traits.lead_event:
        forms = page.doc.find("form", lambda e, fid=step.form.id: e.get("data-fg-form") == fid)
        if data.get("lead_form") != step.form.id or not forms or forms[0].get("data-fg-lead") != step.traits.lead_event:
            event = step.traits.lead_event
            yield ctx.error(file, f"{step.kind} page {page.url} does not fire its {event} event ({EVENTS[event]}) on submit",
                            hint="Keep data-fg-form and data-fg-lead on the form (partials/form.html).")
    if step.traits.sells and step.offer:
        if (data.get("offer") or {}).get("id") != step.offer.id:
            yield ctx.error(file, f"offer page {page.url} does not fire view_item / ViewContent for "
                                  f"'{step.offer.id}'")
    if step.traits.sells and step.sells_by_checkout:
        yield from _checkout_events(ctx, page, file, data, step)
    bought = ctx.site.purchase_offers(step)
    fired = data.get("purchase") or {}
    for offer in bought:
        value = (fired.get(offer.id) or {}).get("value")
        if offer.id not in fired:
            yield ctx.error(file, f"{page.url} is where buyers of '{offer.id}' return, but it does not fire "
                                  "purchase")
        elif offer.currency == "JPY" and not isinstance(value, int):
            yield ctx.error(file, f"purchase value for '{offer.id}' is {value!r}; JPY values must be integers")


def _checkout_events(ctx, page, file, data, step):
    """begin_checkout reports the offer the button charges: every plan has its own button, the bump's box names
    its bundle, and the page data holds each of their values (funnel.js reads them on the click)."""
    links = page.doc.find("a", lambda e: "data-fg-checkout" in e.attrs)
    named = [a.get("data-fg-offer") for a in links]
    wanted = [o.id for o in step.choices] or [step.offer_id]
    if not links or set(named) != set(wanted):
        yield ctx.error(file, f"checkout button on {page.url} does not fire begin_checkout / InitiateCheckout"
                              f"{' for every plan' if step.choices else ''}",
                        hint="Keep data-fg-checkout and data-fg-offer on the button (partials/cta.html, "
                             "partials/plans.html).")
    bump = step.bump.offer if step.bump is not None else None
    if bump is not None and not page.doc.find("input", lambda e: "data-fg-bump" in e.attrs and
                                              e.get("data-fg-offer") == bump.id):
        yield ctx.error(file, f"the order bump on {page.url} does not name its bundle '{bump.id}', so a ticked box "
                              "would report the plain offer", hint="Keep partials/bump.html's data-fg-offer.")
    sold = sold_offers(step)
    if len(sold) > 1:
        reported = data.get("offers") or {}
        for offer in sold:
            if (reported.get(offer.id) or {}).get("value") != tracking_value(offer):
                yield ctx.error(file, f"{page.url} would report a wrong value for '{offer.id}' when it is chosen")


PURCHASE_CODE = re.compile(
    r"gtag\(\s*['\"]event['\"]\s*,\s*['\"]purchase['\"]|fbq\(\s*['\"]track['\"]\s*,\s*['\"]Purchase['\"]|"
    r"ttq\.track\(\s*['\"](CompletePayment|Purchase)['\"]|['\"]type['\"]\s*:\s*['\"]Purchase['\"]|"
    r"yss_conversion|yjad_conversion|event['\"]?\s*:\s*['\"]purchase['\"]")

# Every alternative of PURCHASE_CODE contains one of these (it is case-sensitive): a script without them is skipped.
PURCHASE_WORDS = ("purchase", "Purchase", "CompletePayment", "yss_conversion", "yjad_conversion")


@rule("tracking.purchase-unpaid", area="tracking", html=True,
      why="A purchase fired without a payment inflates revenue and trains ad platforms on people who never bought.")
def purchase_unpaid(ctx, page):
    """Purchase is only fired by funnel.js with the provider's transaction id; no hand-written purchase code, no
    internal link that fakes a return from checkout."""
    file = ctx.page_file(page)
    for el in page.doc.find("script", lambda e: e.get("id") != "fg-page" and not e.get("src")):
        if any(word in el.text for word in PURCHASE_WORDS) and PURCHASE_CODE.search(el.text):
            yield ctx.error(file, f"{page.url} fires a purchase event from pasted code on every visit",
                            hint="Remove it: funnelgen fires purchase on the after-payment page only when the "
                                 "payment provider's session id is in the URL.")
    for a in page.doc.find("a"):
        href = a.get("href") or ""
        if "?" not in href:
            continue  # no query, so neither fg_offer nor session_id
        parts = urlsplit(href)
        if parts.netloc and parts.netloc != urlsplit(ctx.site.settings.base_url).netloc:
            continue
        query = parse_qs(parts.query)
        if "fg_offer" in query or "session_id" in query:
            file, line = ctx.where(page, href)
            yield ctx.error(file, f"link {href!r} on {page.url} pretends to come back from checkout", line=line,
                            hint="Link to the step without fg_offer/session_id; only the payment provider "
                                 "adds them.")
