"""The local test checkout: `/_fg/checkout/<offer>` (最終確認画面) and `/_fg/pay/<offer>`.

Checkout buttons (`a[data-fg-checkout]`) point here in the preview. The page shows the order terms
through the site's own `partials/order_summary.html` (the same rows and legal fallbacks as the sales
page), then the total, a pay button and a cancel link. Paying redirects to the offer's success URL
with a test transaction id, so the purchase event fires as after a real payment.
"""

from __future__ import annotations

import secrets
from urllib.parse import quote, urlsplit

from markupsafe import Markup

from .. import ui
from .capture import ORDERS, Store, first, local_path, now, parse_body
from .server import RESERVED, Request, Response

ORDER_SUMMARY = "partials/order_summary.html"

WORDS = {
    "ja": {
        "confirm_title": "ご注文内容の確認",
        "test_note": "プレビュー用のテスト決済です。実際の請求は発生しません（本番では決済サービスの画面に進みます）。",
        "pay": "注文を確定する",
        "cancel": "キャンセルして戻る",
        "total": "お支払い総額",
        "first_charge": "初回のお支払い",
        "trial": "{days}日間の無料お試し期間のあとに課金されます。",
        "no_success": "この商品には決済後に進むページがありません（この商品を売るステップに next/accept を設定してください）。",
        "until_cancelled": "{amount}（解約されるまで継続して課金されます）",
    },
    "en": {
        "confirm_title": "Review your order",
        "test_note": "Test checkout for the preview: no real payment is taken (in production the payment provider's page opens).",
        "pay": "Place order",
        "cancel": "Cancel and go back",
        "total": "Total",
        "first_charge": "First charge",
        "trial": "You are charged after a {days}-day free trial.",
        "no_success": "No page follows payment for this offer (set next/accept on the step that sells it).",
        "until_cancelled": "{amount} (charged until you cancel)",
    },
}


def success_path(site, offer) -> str | None:
    """The offer's success URL made local, with a test transaction id."""
    from ..urls import add_query

    url = site.success_url(offer)
    if not url:
        return None
    parts = urlsplit(url)
    local = parts.path + (f"?{parts.query}" if parts.query else "")
    tx = f"cs_test_fg_{secrets.token_hex(8)}"
    if "{CHECKOUT_SESSION_ID}" in local:
        return local.replace("{CHECKOUT_SESSION_ID}", tx)
    return add_query(local, {"transaction_id": tx})


def totals(offer, lang: str) -> list[tuple[str, str]]:
    """What the order summary partial does not show: the total to pay and, with a trial, the first charge."""
    from ..prices import money

    w = WORDS[lang]
    if offer.billing and offer.charges:
        total = money(offer.total, offer.currency, lang)
    elif offer.billing:
        total = w["until_cancelled"].format(amount=money(offer.gross, offer.currency, lang))
    else:
        total = money(offer.gross, offer.currency, lang)
    rows = [(w["total"], total)]
    if offer.trial_days:
        rows.append((w["first_charge"], w["trial"].format(days=offer.trial_days)))
    return rows


def order_summary(renderer, offer) -> Markup:
    """The theme's order summary for `offer`, rendered by the site's own environment (overrides apply;
    a theme without the partial gets the built-in theme's)."""
    import jinja2

    from ..theme import builtin_themes_dir

    env = renderer.env
    fallback = jinja2.FileSystemLoader(str(builtin_themes_dir() / "default" / "templates"))
    try:
        template = env.get_template(ORDER_SUMMARY)
    except jinja2.TemplateNotFound:
        template = env.overlay(loader=jinja2.ChoiceLoader([env.loader, fallback])).get_template(ORDER_SUMMARY)
    ctx = {**renderer.common(), "offer": renderer.offer_view(offer)}
    return Markup(template.render(ctx))


def checkout_page(site, renderer, offer_id: str, back: str, decorate=lambda html: html) -> Response:
    """The 最終確認画面 for `offer_id`; `back`: the local page the buyer came from."""
    from jinja2 import TemplateError

    from ..theme import template_problem

    offer = site.offers.get(offer_id)
    if offer is None:
        return Response.text(f"unknown offer '{offer_id}'", 404)
    lang = site.language
    try:
        summary = order_summary(renderer, offer)
    except TemplateError as exc:  # a broken site override of the partial: say which file
        return Response.text(template_problem(exc).format(), 500)
    w = WORDS[lang]
    legal_url = f"{site.prefix}legal/"
    html = ui.render(
        "checkout.html", lang=lang, accent=site.settings.accent_color, css=renderer.css, w=w,
        t=renderer.t, title=f"{w['confirm_title']}: {offer.name}", offer_id=offer.id, summary=summary,
        totals=totals(offer, lang), no_success=not site.success_url(offer), legal_url=legal_url,
        legal_linked=legal_url in summary,
        pay_url=f"{RESERVED}pay/{quote(offer.id, safe='')}", back=back or site.prefix)
    return Response.html(decorate(html))


def pay(site, store: Store, offer_id: str, req: Request) -> Response:
    offer = site.offers.get(offer_id)
    if offer is None:
        return Response.text(f"unknown offer '{offer_id}'", 404)
    fields, error = parse_body(req)
    if error:
        return error
    target = success_path(site, offer)
    back = local_path(first(fields, "from"))
    store.append(ORDERS, {"time": now(), "offer": offer.id, "from": back, "redirect": target})
    return Response.redirect(target or back or site.prefix)
