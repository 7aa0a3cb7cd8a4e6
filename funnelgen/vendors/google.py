"""Google tag (gtag.js, GA4) and Google Tag Manager.

Install: https://developers.google.com/analytics/devguides/collection/gtagjs (gtag: "immediately after
the <head> tag"), https://support.google.com/tagmanager/answer/6103696 (GTM: the script as high in <head>
as possible, the noscript iframe immediately after <body>). Hosts for a content security policy:
https://developers.google.com/tag-platform/security/guides/csp. GA4 event names and parameters:
https://developers.google.com/analytics/devguides/collection/ga4/reference/events.
"""

from __future__ import annotations

from html import escape

from ..escaping import script_json
from ..schema import Str
from .base import GOOGLE_CONSENT_MODE, Snippet, Vendor

_RECIPIENT_COUNTRY = {"ja": "米国", "en": "United States"}


def _gtm_head(cid: str) -> str:
    return ("<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':new Date().getTime(),event:'gtm.js'});"
            "var f=d.getElementsByTagName(s)[0],j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;"
            "j.src='https://www.googletagmanager.com/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);"
            f"}})(window,document,'script','dataLayer',{script_json(cid)});</script>")


def _gtm_body(cid: str) -> str:
    return (f'<noscript><iframe src="https://www.googletagmanager.com/ns.html?id={escape(cid)}" '
            'height="0" width="0" style="display:none;visibility:hidden"></iframe></noscript>')


GTM = Vendor(
    key="gtm", name="Google Tag Manager",
    spec=Str(r"GTM-[A-Z0-9]{6,9}", "GTM-AB12CD3", "is not a Google Tag Manager container ID"),
    recipient={"ja": "Google LLC（Google タグマネージャー）", "en": "Google LLC (Google Tag Manager)"},
    country=_RECIPIENT_COUNTRY,
    hosts={"script-src": ("www.googletagmanager.com",), "img-src": ("www.googletagmanager.com",),
           "frame-src": ("www.googletagmanager.com",)},
    head=_gtm_head, body=_gtm_body,
    snippet=Snippet(text=r"googletagmanager\.com/gtm\.js", noscript=("iframe", "googletagmanager.com/ns.html")),
    docs="https://support.google.com/tagmanager/answer/6103696",
    consent=GOOGLE_CONSENT_MODE,  # GTM reads the funnel events from dataLayer, which the runtime always fills
    examples=("GTM-AB12CD3", "GTM-XXXXXXX"),
)


def _ga4_head(mid: str) -> str:
    return (f'<script async src="https://www.googletagmanager.com/gtag/js?id={escape(mid)}"></script>'
            "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}"
            f"gtag('js',new Date());gtag('config',{script_json(mid)});</script>")


def _ga4_call(args: list) -> tuple[str, dict] | None:
    if len(args) < 2 or args[0] != "event":
        return None
    params = args[2] if len(args) > 2 and isinstance(args[2], dict) else {}
    return str(args[1]), {"value": params.get("value"), "currency": params.get("currency"),
                          "id": params.get("transaction_id"), "params": params}


GA4 = Vendor(
    key="ga4", name="GA4 gtag.js",
    spec=Str(r"G-[A-Z0-9]{6,12}", "G-AB12CD34EF", "is not a GA4 measurement ID"),
    recipient={"ja": "Google LLC（Google アナリティクス）", "en": "Google LLC (Google Analytics)"},
    country=_RECIPIENT_COUNTRY,
    hosts={"script-src": ("*.googletagmanager.com",),
           "img-src": ("*.google-analytics.com", "*.googletagmanager.com"),
           "connect-src": ("*.google-analytics.com", "*.analytics.google.com", "*.googletagmanager.com")},
    head=_ga4_head,
    snippet=Snippet(src="googletagmanager.com/gtag/js"),
    docs="https://developers.google.com/analytics/devguides/collection/gtagjs",
    events={"lead": "generate_lead", "registration": "sign_up", "view_item": "view_item",
            "begin_checkout": "begin_checkout", "purchase": "purchase"},
    adapter="function (d, cfg, w) { if (typeof w.gtag === 'function') w.gtag('event', d.name, d.params); }",
    consent=GOOGLE_CONSENT_MODE,
    recorder="queue:dataLayer", read_call=_ga4_call,
    examples=("G-AB12CD34EF", "G-XXXXXXXXXX"),
)
