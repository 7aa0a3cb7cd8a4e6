"""Vendor tracking snippets, placed where each vendor requires, plus the page data
the runtime (funnelgen/runtime/funnel.js) reads to fire funnel events.

Snippets follow shared/reference/integrations.md §1.2: GTM and GA4 as high in
<head> as possible, GTM's noscript right after <body>, Meta/LINE noscript images
in <body>. IDs were validated against vendor formats when the config loaded;
they are still JSON-escaped here because escaping is cheap and habits matter.
"""

from __future__ import annotations

import json
from html import escape

# Who receives what, for the privacy page's 外部送信 notice (電気通信事業法27条の12).
VENDORS = {
    "gtm": ("Google LLC（Google タグマネージャー）", "Google LLC (Google Tag Manager)"),
    "ga4": ("Google LLC（Google アナリティクス）", "Google LLC (Google Analytics)"),
    "meta_pixel": ("Meta Platforms, Inc.（Meta ピクセル）", "Meta Platforms, Inc. (Meta Pixel)"),
    "line_tag": ("LINEヤフー株式会社（LINE Tag）", "LY Corporation (LINE Tag)"),
    "tiktok": ("TikTok Pte. Ltd.（TikTok ピクセル）", "TikTok Pte. Ltd. (TikTok Pixel)"),
    "yahoo": ("LINEヤフー株式会社（Yahoo!広告 サイトジェネラルタグ）", "LY Corporation (Yahoo! Ads site general tag)"),
}


def js(value) -> str:
    """JSON for inline <script>: `<`, `>` and `&` escaped so nothing closes the tag."""
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def enabled_vendors(tracking: dict) -> list[str]:
    return [v for v in VENDORS if tracking.get(v)]


def head_snippets(tracking: dict) -> str:
    """Everything that belongs in <head>, in vendor-required order."""
    parts = []
    gtm, ga4, meta, line, tiktok, yahoo = (tracking.get(k) for k in
                                           ("gtm", "ga4", "meta_pixel", "line_tag", "tiktok", "yahoo"))
    if gtm:
        parts.append(
            "<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':new Date().getTime(),event:'gtm.js'});"
            "var f=d.getElementsByTagName(s)[0],j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;"
            "j.src='https://www.googletagmanager.com/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);"
            f"}})(window,document,'script','dataLayer',{js(gtm)});</script>")
    if ga4:
        parts.append(
            f'<script async src="https://www.googletagmanager.com/gtag/js?id={escape(ga4)}"></script>'
            "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}"
            f"gtag('js',new Date());gtag('config',{js(ga4)});</script>")
    if meta:
        parts.append(
            "<script>!function(f,b,e,v,n,t,s){if(f.fbq)return;n=f.fbq=function(){n.callMethod?"
            "n.callMethod.apply(n,arguments):n.queue.push(arguments)};if(!f._fbq)f._fbq=n;n.push=n;n.loaded=!0;"
            "n.version='2.0';n.queue=[];t=b.createElement(e);t.async=!0;t.src=v;s=b.getElementsByTagName(e)[0];"
            "s.parentNode.insertBefore(t,s)}(window,document,'script','https://connect.facebook.net/en_US/fbevents.js');"
            f"fbq('init',{js(meta)});fbq('track','PageView');</script>")
    if tiktok:
        parts.append(
            "<script>!function(w,d,t){w.TiktokAnalyticsObject=t;var ttq=w[t]=w[t]||[];ttq.methods=['page','track',"
            "'identify','instances','debug','on','off','once','ready','alias','group','enableCookie','disableCookie',"
            "'holdConsent','revokeConsent','grantConsent'];ttq.setAndDefer=function(t,e){t[e]=function(){"
            "t.push([e].concat(Array.prototype.slice.call(arguments,0)))}};for(var i=0;i<ttq.methods.length;i++)"
            "ttq.setAndDefer(ttq,ttq.methods[i]);ttq.load=function(e){var n='https://analytics.tiktok.com/i18n/pixel/events.js';"
            "ttq._i=ttq._i||{};ttq._i[e]=[];ttq._u=n;var s=d.createElement('script');s.async=!0;s.src=n+'?sdkid='+e+'&lib='+t;"
            "var f=d.getElementsByTagName('script')[0];f.parentNode.insertBefore(s,f)};"
            f"ttq.load({js(tiktok)});ttq.page();}}(window,document,'ttq');</script>")
    if line:
        parts.append(
            "<script>(function(g,d,o){g._ltq=g._ltq||[];g._lt=g._lt||function(){g._ltq.push(arguments)};"
            "var h=location.protocol==='https:'?'https://d.line-scdn.net':'http://d.line-cdn.net';"
            "var s=d.createElement('script');s.async=1;s.src=o||h+'/n/line_tag/public/release/v1/lt.js';"
            "var t=d.getElementsByTagName('script')[0];t.parentNode.insertBefore(s,t);})(window,document);"
            f"_lt('init',{{customerType:'lap',tagId:{js(line)}}});_lt('send','pv',[{js(line)}]);</script>")
    if yahoo:
        parts.append(
            '<script async src="https://s.yimg.jp/images/listing/tool/cv/ytag.js"></script>'
            "<script>window.yjDataLayer=window.yjDataLayer||[];function ytag(){yjDataLayer.push(arguments);}"
            "ytag({\"type\":\"ycl_cookie\"});</script>")
    return "".join(parts)


def body_start_snippets(tracking: dict) -> str:
    """noscript fallbacks: GTM's iframe must come right after <body>."""
    parts = []
    if tracking.get("gtm"):
        parts.append(f'<noscript><iframe src="https://www.googletagmanager.com/ns.html?id={escape(tracking["gtm"])}" '
                     'height="0" width="0" style="display:none;visibility:hidden"></iframe></noscript>')
    if tracking.get("meta_pixel"):
        parts.append(f'<noscript><img height="1" width="1" style="display:none" alt="" '
                     f'src="https://www.facebook.com/tr?id={escape(tracking["meta_pixel"])}&amp;ev=PageView&amp;noscript=1">'
                     '</noscript>')
    if tracking.get("line_tag"):
        parts.append(f'<noscript><img height="1" width="1" style="display:none" alt="" '
                     f'src="https://tr.line.me/tag.gif?c_t=lap&amp;t_id={escape(tracking["line_tag"])}&amp;e=pv&amp;noscript=1">'
                     '</noscript>')
    return "".join(parts)


def page_data(site, step, funnel_entry_of: str | None) -> dict:
    """What funnel.js needs on this page: who we are, what is sold, what was bought."""
    from .prices import tracking_value

    def offer_json(offer):
        return {"id": offer.id, "name": offer.name, "value": tracking_value(offer), "currency": offer.currency}

    tracking = site.tracking
    data = {
        "step": step.id,
        "kind": step.kind,
        "variant": step.variant,
        "funnels": step.funnels,
        "entry_of": funnel_entry_of,
        "vendors": {
            "ga4": bool(tracking.get("ga4")),
            "meta": bool(tracking.get("meta_pixel")),
            "tiktok": bool(tracking.get("tiktok")),
            "line": tracking.get("line_tag"),
            "yahoo": tracking.get("yahoo"),
        },
    }
    if step.offer:
        data["offer"] = offer_json(step.offer)
    if step.kind in ("optin", "backend") and step.form:
        data["lead_form"] = step.form.id
    bought = site.purchase_offers(step)
    if bought:
        data["purchase"] = {o.id: offer_json(o) for o in bought}
    return data
