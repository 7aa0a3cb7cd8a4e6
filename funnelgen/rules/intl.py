"""EU and US rules, switched on by site.audience: [eu] / [us]."""

from __future__ import annotations

import re

from ..i18n import LABELS
from ..prices import renewal_terms as renewal_sentence
from ..vendors import GATED, VENDORS
from .registry import audience_rule

GOOGLE_TAG = re.compile(r"googletagmanager\.com/(gtag/js|gtm\.js)|gtag\(\s*['\"]config['\"]")
CONSENT_DEFAULT = re.compile(r"gtag\(\s*['\"]consent['\"]\s*,\s*['\"]default['\"]\s*,\s*\{(?P<body>[^}]*)\}")
CONSENT_TYPES = ("ad_storage", "ad_user_data", "ad_personalization", "analytics_storage")
META_INIT = re.compile(r"fbq\(\s*['\"]init['\"]")
META_REVOKE = re.compile(r"fbq\(\s*['\"]consent['\"]\s*,\s*['\"]revoke['\"]")
# Tags with no consent API (or whose vendor requires opting in first): they may only load after consent.
# funnelgen's own vendors say so in their registry entry; the rest are tags users paste by hand.
PASTED_GATED = (r"ytag\(", r"clarity\.ms", r"hotjar", r"snap\.licdn\.com", r"pintrk", r"googleadservices", r"doubleclick\.net")
GATED_ONLY = re.compile("|".join(
    [re.escape(h.lstrip("*.")) for v in VENDORS if v.consent == GATED for h in v.hosts.get("script-src", ())]
    + [v.snippet.text for v in VENDORS if v.consent == GATED and v.snippet.text] + list(PASTED_GATED)))
NOSCRIPT_PIXEL = re.compile(r"facebook\.com/tr|tr\.line\.me|googletagmanager\.com/ns\.html")


eu_rule = audience_rule("eu")


@eu_rule("eu.consent-banner", html=True,
         why="ePrivacy Art. 5(3) and GDPR: analytics and ad tags need prior consent, rejecting must be as easy as "
             "accepting, and consent must be withdrawable at any time.")
def consent_banner(ctx, page):
    """Every page has the consent banner (accept and reject buttons) and a footer link that reopens it."""
    doc, file = page.doc, ctx.page_file(page)
    banner = doc.with_attr("id", "fg-consent")
    if not banner:
        yield ctx.error(file, f"{page.url} has no consent banner", hint="Keep base.html's consent partial "
                                                                        "(partials/consent.html).")
        return
    accept = banner[0].find(None, lambda e: "data-fg-consent-accept" in e.attrs)
    reject = banner[0].find(None, lambda e: "data-fg-consent-reject" in e.attrs)
    if not accept or not reject:
        yield ctx.error(file, f"the consent banner on {page.url} needs both an accept and a reject button")
    if banner[0].find("input", lambda e: "checked" in e.attrs):
        yield ctx.error(file, f"the consent banner on {page.url} has a pre-ticked box")
    if not doc.with_attr("data-fg-consent-open"):
        yield ctx.error(file, f"{page.url} has no link to reopen the cookie settings",
                        hint="Keep the Cookie settings link in partials/footer.html.")
    if not doc.find("script", lambda e: "/assets/funnel." in (e.get("src") or "")):
        yield ctx.error(file, f"{page.url} does not load funnel.js, so its banner cannot work")


@eu_rule("eu.consent-mode", html=True,
         why="Google requires Consent Mode v2 for EEA traffic; Meta must be revoked before init; other pixels may "
             "not load, and noscript pixels not fire, before consent.")
def consent_mode(ctx, page):
    """Consent Mode v2 defaults to denied before any Google tag; Meta is revoked before init or waits for consent;
    other tags and noscript pixels never run before consent."""
    doc, file = page.doc, ctx.page_file(page)
    default_seen = False
    revoked = False
    for el in doc.find("script"):
        text, src = el.text, el.get("src") or el.get("data-src") or ""
        if el.executable:
            m = CONSENT_DEFAULT.search(text)
            if m and all(re.search(rf"{t}\s*:\s*['\"]denied['\"]", m.group("body")) for t in CONSENT_TYPES):
                default_seen = True
            if META_REVOKE.search(text):
                revoked = True
        if not el.executable:
            continue
        if GOOGLE_TAG.search(src + " " + text) and not default_seen:
            yield ctx.error(file, f"a Google tag on {page.url} runs before Consent Mode defaults are denied",
                            hint="Put gtag('consent','default',{ad_storage:'denied',ad_user_data:'denied',"
                                 "ad_personalization:'denied',analytics_storage:'denied'}) first "
                                 "(base.html does for audience: [eu]).")
            default_seen = True  # one report per page
        init = META_INIT.search(text)
        if init and not (revoked or META_REVOKE.search(text[:init.start()])):
            yield ctx.error(file, f"Meta Pixel on {page.url} is initialised before fbq('consent','revoke')",
                            hint="Let funnelgen load it after consent, or call fbq('consent','revoke') first.")
        if GATED_ONLY.search(src + " " + text):
            yield ctx.error(file, f"a tracking tag on {page.url} loads before consent "
                                  f"({(src or text)[:60]}…)",
                            hint='Wrap pasted tags as <script type="text/plain" data-fg-consent>…</script>; '
                                 "funnel.js runs them after the visitor accepts.")
    for el in doc.find_tags("img", "iframe"):
        if not NOSCRIPT_PIXEL.search(el.get("src") or ""):
            continue
        if not el.gated:
            yield ctx.error(file, f"a noscript tracking pixel on {page.url} fires without consent",
                            hint="Remove tracking noscript parts for EU audiences (base.html does).")


us_rule = audience_rule("us")


@us_rule("us.renewal-terms", html=True,
         why="ROSCA and state automatic-renewal laws: renewal terms must be clear and conspicuous next to the "
             "button that starts the subscription.")
def renewal_terms(ctx, page):
    """Every checkout button of a subscription has its renewal terms right next to it."""
    t = LABELS["ja" if ctx.site.language == "ja" else "en"]
    for a in page.doc.find("a", lambda e: "data-fg-checkout" in e.attrs):
        offer = ctx.site.offers.get(a.get("data-fg-offer") or "")
        if offer is None or not offer.billing:
            continue
        renewal = renewal_sentence(offer, t)
        near = a.parent.text if a.parent is not None else ""
        if renewal not in near:
            file, line = ctx.where(page, a.text)
            yield ctx.error(file, f"subscription button '{a.text}' on {page.url} has no renewal terms next to it",
                            line=line, hint="Keep partials/cta.html's renewal note under checkout buttons.")
