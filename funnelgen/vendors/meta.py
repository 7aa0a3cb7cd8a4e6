"""Meta Pixel (Facebook, Instagram).

Install and events: https://developers.facebook.com/docs/meta-pixel/get-started and
https://developers.facebook.com/docs/meta-pixel/reference (standard events; `eventID` as the fourth
argument lets Meta deduplicate against the Conversions API:
https://developers.facebook.com/docs/marketing-api/conversions-api/deduplicate-pixel-and-server-events).
EU: https://developers.facebook.com/docs/meta-pixel/implementation/gdpr (revoke before init).
"""

from __future__ import annotations

from html import escape

from ..escaping import script_json
from ..schema import Str
from .base import REVOKE_BEFORE_INIT, Snippet, Vendor, track_call_reader


def _head(pixel: str) -> str:
    return ("<script>!function(f,b,e,v,n,t,s){if(f.fbq)return;n=f.fbq=function(){n.callMethod?"
            "n.callMethod.apply(n,arguments):n.queue.push(arguments)};if(!f._fbq)f._fbq=n;n.push=n;n.loaded=!0;"
            "n.version='2.0';n.queue=[];t=b.createElement(e);t.async=!0;t.src=v;s=b.getElementsByTagName(e)[0];"
            "s.parentNode.insertBefore(t,s)}(window,document,'script','https://connect.facebook.net/en_US/fbevents.js');"
            f"fbq('init',{script_json(pixel)});fbq('track','PageView');</script>")


def _body(pixel: str) -> str:
    return (f'<noscript><img height="1" width="1" style="display:none" alt="" '
            f'src="https://www.facebook.com/tr?id={escape(pixel)}&amp;ev=PageView&amp;noscript=1"></noscript>')


META = Vendor(
    key="meta_pixel", name="Meta Pixel",
    spec=Str(r"\d{15,16}", "'123456789012345'", "is not a Meta Pixel ID (15 or 16 digits)"),
    recipient={"ja": "Meta Platforms, Inc.（Meta ピクセル）", "en": "Meta Platforms, Inc. (Meta Pixel)"},
    country={"ja": "米国", "en": "United States"},
    hosts={"script-src": ("connect.facebook.net",), "img-src": ("www.facebook.com",),
           "connect-src": ("www.facebook.com", "connect.facebook.net")},
    head=_head, body=_body,
    snippet=Snippet(text=r"fbq\(\s*['\"]init", noscript=("img", "facebook.com/tr")),
    docs="https://developers.facebook.com/docs/meta-pixel/get-started",
    events={"lead": "Lead", "registration": "CompleteRegistration", "view_item": "ViewContent",
            "begin_checkout": "InitiateCheckout", "purchase": "Purchase"},
    adapter=("function (d, cfg, w) { if (typeof w.fbq !== 'function') return; var o = d.offer, m = o ? "
             "{ value: o.value, currency: o.currency, content_ids: [o.id], content_name: o.name, content_type: "
             "'product' } : {}; if (d.eventId) w.fbq('track', d.name, m, { eventID: d.eventId }); "
             "else w.fbq('track', d.name, m); }"),
    consent=REVOKE_BEFORE_INIT,
    recorder="fn:fbq", read_call=track_call_reader("eventID"),
    examples=("123456789012345", "1234567890123456"),
)
