"""TikTok Pixel.

Install: https://ads.tiktok.com/help/article/get-started-pixel (base code "as early as possible … between
the <head></head> tags"); standard events: https://ads.tiktok.com/help/article/supported-standard-events;
`event_id` for deduplication with the Events API: https://ads.tiktok.com/help/article/event-deduplication.
"""

from __future__ import annotations

from ..escaping import script_json
from ..schema import Str
from .base import Snippet, Vendor, track_call_reader


def _head(pixel: str) -> str:
    return ("<script>!function(w,d,t){w.TiktokAnalyticsObject=t;var ttq=w[t]=w[t]||[];ttq.methods=['page','track',"
            "'identify','instances','debug','on','off','once','ready','alias','group','enableCookie','disableCookie',"
            "'holdConsent','revokeConsent','grantConsent'];ttq.setAndDefer=function(t,e){t[e]=function(){"
            "t.push([e].concat(Array.prototype.slice.call(arguments,0)))}};for(var i=0;i<ttq.methods.length;i++)"
            "ttq.setAndDefer(ttq,ttq.methods[i]);ttq.load=function(e){var n='https://analytics.tiktok.com/i18n/pixel/events.js';"
            "ttq._i=ttq._i||{};ttq._i[e]=[];ttq._u=n;var s=d.createElement('script');s.async=!0;s.src=n+'?sdkid='+e+'&lib='+t;"
            "var f=d.getElementsByTagName('script')[0];f.parentNode.insertBefore(s,f)};"
            f"ttq.load({script_json(pixel)});ttq.page();}}(window,document,'ttq');</script>")


TIKTOK = Vendor(
    key="tiktok", name="TikTok Pixel",
    spec=Str(r"[A-Z0-9]{20}", "CJMB7ERC77U2JVNG7RF0", "is not a TikTok Pixel ID (20 letters/digits)"),
    recipient={"ja": "TikTok Pte. Ltd.（TikTok ピクセル）", "en": "TikTok Pte. Ltd. (TikTok Pixel)"},
    country={"ja": "シンガポール", "en": "Singapore"},
    hosts={"script-src": ("analytics.tiktok.com",), "connect-src": ("analytics.tiktok.com",),
           "img-src": ("analytics.tiktok.com",)},
    head=_head,
    snippet=Snippet(text=r"ttq\.load\("),
    docs="https://ads.tiktok.com/help/article/get-started-pixel",
    events={"lead": "SubmitForm", "registration": "CompleteRegistration", "view_item": "ViewContent",
            "begin_checkout": "InitiateCheckout", "purchase": "Purchase"},
    adapter=("function (d, cfg, w) { if (!w.ttq || typeof w.ttq.track !== 'function') return; var o = d.offer, m = o ? "
             "{ value: o.value, currency: o.currency, content_ids: [o.id], content_name: o.name, content_type: "
             "'product' } : {}; if (d.eventId) w.ttq.track(d.name, m, { event_id: d.eventId }); "
             "else w.ttq.track(d.name, m); }"),
    recorder="queue:ttq", read_call=track_call_reader("event_id"),
    examples=("CJMB7ERC77U2JVNG7RF0",),
)
