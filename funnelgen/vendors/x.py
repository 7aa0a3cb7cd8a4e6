"""X Pixel (formerly the Twitter website tag).

Base code on every page, then one `twq('event', 'tw-<pixel>-<event>', {...})` per conversion event; each
event is created in X Ads Events Manager, which gives it its own id, so site.yml names them:
https://business.x.com/en/help/campaign-measurement-and-analytics/conversion-tracking-for-websites .
`conversion_id` lets X deduplicate against its Conversion API
(https://developer.x.com/en/docs/x-ads-api/measurement/api-reference/conversions).
"""

from __future__ import annotations

from ..escaping import script_json
from ..schema import Field, MapOf, Str, Struct
from .base import Snippet, Vendor

CANONICAL_EVENTS = r"lead|registration|view_item|begin_checkout|purchase"


def _head(value) -> str:
    return ("<script>!function(e,t,n,s,u,a){e.twq||(s=e.twq=function(){s.exe?s.exe.apply(s,arguments):"
            "s.queue.push(arguments);},s.version='1.1',s.queue=[],u=t.createElement(n),u.async=!0,"
            "u.src='https://static.ads-twitter.com/uwt.js',a=t.getElementsByTagName(n)[0],"
            f"a.parentNode.insertBefore(u,a))}}(window,document,'script');twq('config',{script_json(value['id'])});"
            "</script>")


def _same_pixel(value, path, ctx) -> None:
    """An event id from another pixel (copied from a second ad account) never counts anything."""
    pixel = value.get("id")
    for name, event in (value.get("events") or {}).items():
        if pixel and event and event.split("-")[1] != pixel:
            ctx.error(f"{path}.events.{name}", value.lines.get("events"),
                      f"'{event}' belongs to pixel '{event.split('-')[1]}', not to '{pixel}'",
                      "Copy the event id from the same pixel in X Ads Events Manager.")


def _call(args: list) -> tuple[str, dict] | None:
    if len(args) < 2 or args[0] != "event":
        return None
    params = args[2] if len(args) > 2 and isinstance(args[2], dict) else {}
    contents = params.get("contents") or [{}]
    return str(args[1]), {"value": params.get("value"), "currency": params.get("currency"),
                          "offer": contents[0].get("content_id"), "id": params.get("conversion_id"), "params": params}


X = Vendor(
    key="x_pixel", name="X Pixel",
    spec=Struct({
        "id": Field(Str(r"[a-z0-9]{5,6}", "o8xyz", "is not an X Pixel ID (5 or 6 letters and digits)"),
                    required=True),
        "events": Field(MapOf(Str(r"tw-[a-z0-9]{5,6}-[a-z0-9]{5,6}", "tw-o8xyz-o8abc",
                                  "is not an X event id (tw-<pixel>-<event>)"), key_pattern=CANONICAL_EVENTS,
                              example="{purchase: tw-o8xyz-o8abc, lead: tw-o8xyz-o8def}"),
                        doc="funnel event -> the event id X Ads Events Manager shows for it"),
    }, example="{id: o8xyz, events: {purchase: tw-o8xyz-o8abc}}", after=_same_pixel),
    recipient={"ja": "X Corp.（X ピクセル）", "en": "X Corp. (X Pixel)"},
    country={"ja": "米国", "en": "United States"},
    hosts={"script-src": ("static.ads-twitter.com",), "img-src": ("analytics.twitter.com", "t.co"),
           "connect-src": ("analytics.twitter.com", "static.ads-twitter.com")},
    head=_head,
    snippet=Snippet(text=r"twq\(\s*['\"]config"),
    docs="https://business.x.com/en/help/campaign-measurement-and-analytics/conversion-tracking-for-websites",
    adapter=("function (d, cfg, w) { if (typeof w.twq !== 'function') return; var p = {}; if (d.offer) { "
             "p.value = d.offer.value; p.currency = d.offer.currency; p.contents = [{ content_id: d.offer.id, "
             "content_name: d.offer.name, num_items: 1 }]; } if (d.eventId) p.conversion_id = d.eventId; "
             "w.twq('event', d.name, p); }"),
    recorder="fn:twq", read_call=_call,
    examples=("o8xyz",),
    ids=lambda v: [("id", str(v.get("id") or ""))] + [(f"events.{k}", str(e)) for k, e in (v.get("events") or {}).items()],
)
