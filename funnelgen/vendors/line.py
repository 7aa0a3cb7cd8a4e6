"""LINE Tag (LINE広告, LINEヤフー).

Base code in <head>, one per account and page; conversions with `_lt('send','cv',{type: …},[tagId])`.
Standard events (only Purchase and Lead are optimisation targets):
https://www.lycbiz.com/jp/manual/line-ads/tracking_021/ ; LINE Tag: https://www.lycbiz.com/jp/manual/line-ads/tracking_001/
"""

from __future__ import annotations

from html import escape

from ..escaping import script_json
from ..schema import Str
from .base import GATED, Snippet, Vendor


def _head(tag: str) -> str:
    return ("<script>(function(g,d,o){g._ltq=g._ltq||[];g._lt=g._lt||function(){g._ltq.push(arguments)};"
            "var h=location.protocol==='https:'?'https://d.line-scdn.net':'http://d.line-cdn.net';"
            "var s=d.createElement('script');s.async=1;s.src=o||h+'/n/line_tag/public/release/v1/lt.js';"
            "var t=d.getElementsByTagName('script')[0];t.parentNode.insertBefore(s,t);})(window,document);"
            f"_lt('init',{{customerType:'lap',tagId:{script_json(tag)}}});_lt('send','pv',[{script_json(tag)}]);</script>")


def _body(tag: str) -> str:
    return (f'<noscript><img height="1" width="1" style="display:none" alt="" '
            f'src="https://tr.line.me/tag.gif?c_t=lap&amp;t_id={escape(tag)}&amp;e=pv&amp;noscript=1"></noscript>')


def _call(args: list) -> tuple[str, dict] | None:
    if len(args) < 3 or args[0] != "send" or args[1] != "cv" or not isinstance(args[2], dict):
        return None
    cv = args[2]
    return str(cv.get("type")), {"value": cv.get("value"), "currency": cv.get("currency"), "params": cv}


LINE = Vendor(
    key="line_tag", name="LINE Tag",
    spec=Str(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
             "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "is not a LINE Tag ID (a UUID)"),
    recipient={"ja": "LINEヤフー株式会社（LINE Tag）", "en": "LY Corporation (LINE Tag)"},
    country={"ja": "", "en": "Japan"},
    hosts={"script-src": ("d.line-scdn.net", "d.line-cdn.net"), "img-src": ("tr.line.me",),
           "connect-src": ("tr.line.me",)},
    head=_head, body=_body,
    snippet=Snippet(text=r"_lt\(\s*['\"]init", noscript=("img", "tr.line.me/tag.gif")),
    docs="https://www.lycbiz.com/jp/manual/line-ads/tracking_001/",
    events={"lead": "Lead", "registration": "Lead", "purchase": "Purchase"},
    adapter=("function (d, cfg, w) { if (typeof w._lt !== 'function') return; var cv = { type: d.name }; "
             "if (d.offer) { cv.value = d.offer.value; cv.currency = d.offer.currency; } "
             "w._lt('send', 'cv', cv, [cfg]); }"),
    runtime_config=lambda tag: tag,
    consent=GATED,
    recorder="fn:_lt", read_call=_call,
    examples=("1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",),
)
