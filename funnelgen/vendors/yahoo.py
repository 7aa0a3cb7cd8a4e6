"""Yahoo!広告 (LINEヤフー): the site general tag on every page, a search-ads conversion on purchase.

Site general tag and conversion tag: https://ads-help.yahoo.co.jp/yahooads/ss/articledetail?lan=ja&aid=47048
(the general tag runs before any conversion tag; one per page).
"""

from __future__ import annotations

from ..schema import Field, Str, Struct
from .base import Snippet, Vendor


def _head(_value) -> str:
    return ('<script async src="https://s.yimg.jp/images/listing/tool/cv/ytag.js"></script>'
            "<script>window.yjDataLayer=window.yjDataLayer||[];function ytag(){yjDataLayer.push(arguments);}"
            "ytag({\"type\":\"ycl_cookie\"});</script>")


def _call(args: list) -> tuple[str, dict] | None:
    if not args or not isinstance(args[0], dict) or args[0].get("type") != "yss_conversion":
        return None
    config = args[0].get("config") or {}
    value = config.get("yahoo_conversion_value")
    return "yss_conversion", {"value": int(value) if str(value).isdigit() else value, "params": config}


YAHOO = Vendor(
    key="yahoo", name="Yahoo!広告 site general tag",
    spec=Struct({
        "conversion_id": Field(Str(r"\d{10}", "'1234567890'", "is not a Yahoo!広告 conversion ID (10 digits)"),
                               required=True),
        "conversion_label": Field(Str(example="AbCdEfG"), required=True),
    }, example="{conversion_id: '1234567890', conversion_label: ...}"),
    recipient={"ja": "LINEヤフー株式会社（Yahoo!広告 サイトジェネラルタグ）", "en": "LY Corporation (Yahoo! Ads site general tag)"},
    country={"ja": "", "en": "Japan"},
    hosts={"script-src": ("s.yimg.jp", "*.yimg.jp"), "img-src": ("*.yahoo.co.jp",), "connect-src": ("*.yahoo.co.jp",)},
    head=_head,
    snippet=Snippet(src="s.yimg.jp/images/listing/tool/cv/ytag.js", carries_id=False),
    docs="https://ads-help.yahoo.co.jp/yahooads/ss/articledetail?lan=ja&aid=47048",
    events={"purchase": "yss_conversion"},
    adapter=("function (d, cfg, w) { if (typeof w.ytag !== 'function') return; w.ytag({ type: 'yss_conversion', "
             "config: { yahoo_conversion_id: cfg.conversion_id, yahoo_conversion_label: cfg.conversion_label, "
             "yahoo_conversion_value: String(d.offer ? d.offer.value : 0) } }); }"),
    runtime_config=lambda v: {"conversion_id": v["conversion_id"], "conversion_label": v["conversion_label"]},
    recorder="queue:yjDataLayer", read_call=_call,
    examples=("1234567890",),
    ids=lambda v: [("conversion_id", str(v.get("conversion_id") or "")),
                   ("conversion_label", str(v.get("conversion_label") or ""))],
)
