"""特定商取引法 for Japanese sites (on for language: ja, or site.audience: [jp]).

The seller's disclosures and the order itself: the 特定商取引法に基づく表記 (11条) — its fields in site.yml,
the generated page and the link to it from every page that sells — and the final confirmation screen
(12条の6: the order summary and an order button that says it places an order). They share the seller's
legal data (legal:) and the notion of a page that takes an order.
"""

from __future__ import annotations

import re

from ..i18n import LABELS
from ..plans import sold_offers
from ..prices import renewal_terms
from .jp_advertising import PRICE, PRICE_CHARS
from .placeholders import found_in
from .registry import audience_rule

PLACEHOLDER = re.compile(r"○○|〇〇|●●|××|ＸＸ|XXX|TBD|TODO|未定|準備中|ダミー|要確認|サンプル|\bsample\b|\bdummy\b|"
                         r"lorem|例：|（例）|\(例\)|your (company|name|address)", re.I)
CORPORATE = re.compile(r"株式会社|合同会社|有限会社|合資会社|合名会社|一般社団法人|一般財団法人|特定非営利活動法人|NPO法人|"
                       r"\(株\)|（株）|\(同\)|（同）|Inc\.?|LLC|Ltd\.?|Co\.,?|K\.K\.", re.I)
LEGAL_KEYS = ("seller", "representative", "address", "phone", "email", "extra_charges", "payment_methods",
              "payment_timing", "delivery_timing", "returns")


jp_rule = audience_rule("jp")  # only for Japanese sites (language: ja or audience: [jp])


# -- 特定商取引法に基づく表記 ------------------------------------------------------

@jp_rule("jp.tokushoho-fields",
         why="特定商取引法11条: a sales page without the seller's legal name, full address, phone and terms is an "
             "illegal advertisement, and payment providers suspend such accounts.")
def tokushoho_fields(ctx):
    """Every 表記 field is filled with a real value: legal name (not a shop name), full address, no placeholders."""
    legal, cfg = ctx.site.legal, ctx.cfg
    for key in LEGAL_KEYS:
        value = str(getattr(legal, key) or "")
        if PLACEHOLDER.search(value):
            yield ctx.error(cfg, f"legal.{key} is still a placeholder: '{value}'", key=f"legal.{key}",
                            line=ctx.line_of(f"legal.{key}"), hint="Write the real value before publishing.")
    seller = str(legal.seller or "")
    shop = {str(ctx.site.settings.title or ""), str(legal.business_name or "")} - {""}
    if seller in shop and not CORPORATE.search(seller):
        yield ctx.error(cfg, f"legal.seller '{seller}' is the shop name, not the seller's legal name",
                        key="legal.seller", line=ctx.line_of("legal.seller"),
                        hint="Write the registered company name (登記上の商号) or, for a sole trader, the name on the "
                             "family register (戸籍上の氏名); put the shop name in business_name.")
    address = str(legal.address or "")
    if "私書箱" in address or re.search(r"P\.?O\.?\s*Box", address, re.I):
        yield ctx.error(cfg, "legal.address is a post-office box", key="legal.address", line=ctx.line_of("legal.address"),
                        hint="Give the address where you actually work, with the full 番地.")
    elif not re.search(r"[0-9０-９]|[一二三四五六七八九十]+(丁目|番|号)", address) or "…" in address:
        yield ctx.error(cfg, f"legal.address '{address}' has no 番地 (street number)", key="legal.address",
                        line=ctx.line_of("legal.address"), hint="Write the full address including the 番地.")
    phone = re.sub(r"\D", "", str(legal.phone or ""))
    if phone and not found_in(str(legal.phone)) and (len(set(phone)) == 1 or "12345678" in phone or phone.endswith("00000000")):
        yield ctx.warn(cfg, f"legal.phone '{legal.phone}' looks like a placeholder", key="legal.phone",
                       line=ctx.line_of("legal.phone"), hint="Give a number where customers can reliably reach you.")
    if re.search(r"@(example\.(com|jp|org|net)|(.+\.)?example\.(com|jp|org|net))$", str(legal.email or "")):
        yield ctx.warn(cfg, f"legal.email '{legal.email}' is an example address", key="legal.email",
                       line=ctx.line_of("legal.email"), hint="Give a mailbox you read.")


LEGAL_ROWS = {
    "ja": ("販売業者", "運営統括責任者", "所在地", "電話番号", "メールアドレス", "販売価格", "商品代金以外の必要料金",
           "お支払い方法", "お支払い時期", "商品の引渡時期", "返品・キャンセル"),
    "en": ("Seller", "Responsible person", "Address", "Phone", "Email", "Prices", "Additional charges",
           "Payment methods", "Payment timing", "Delivery", "Returns and cancellation"),
}


def _rows(table) -> dict[str, str]:
    rows = {}
    for tr in table.find("tr"):
        th, td = tr.find("th"), tr.find("td")
        if th and td:
            rows[th[0].text] = td[0].text
    return rows


# The rows every offer's own section of the 表記 page must fill (price, costs, payment, delivery, returns).
OFFER_ROWS = {"ja": ("販売価格", "商品代金以外の必要料金", "お支払い方法", "お支払い時期", "商品の引渡時期", "返品・キャンセル"),
              "en": ("Prices", "Additional charges", "Payment methods", "Payment timing", "Delivery",
                     "Returns and cancellation")}


@jp_rule("jp.tokushoho-page", html=True,
         why="特定商取引法11条: the 表記 page itself must show every item (or the lawful 'on request' sentence).")
def tokushoho_page(ctx, page):
    """The generated 特定商取引法に基づく表記 page shows every row, the 'provided on request' sentence where used, and
    for every offer its own price, costs, payment, delivery and cancellation terms (a subscription its term)."""
    if page.role != "legal":
        return
    offer_sections = page.doc.find("section", lambda e: e.has_class("offer-terms"))
    common = [t for t in page.doc.find("table") if not t.closest(lambda e: e.has_class("offer-terms"))]
    rows = _rows(common[0]) if common else {}
    lang = "ja" if ctx.site.language == "ja" else "en"
    for label in LEGAL_ROWS[lang]:
        if not rows.get(label):
            yield ctx.error(page.url, f"the 表記 page has no '{label}' entry (or it is empty)",
                            hint="Restore the row in legal.html (a site templates/legal.html overrides the theme).")
    on_request = LABELS[lang]["on_request"]
    for key in ctx.site.legal.on_request:
        label = LEGAL_ROWS[lang][{"representative": 1, "address": 2, "phone": 3}[key]]
        if on_request not in rows.get(label, ""):
            yield ctx.error(page.url, f"legal.on_request lists {key} but the 表記 page does not say it is provided "
                                      f"on request ('{on_request}')", hint="Use the theme's legal.html.")
    sections = {s.get("data-fg-offer"): s for s in offer_sections}
    t = LABELS[lang]
    for offer in ctx.site.offers.values():
        if " ".join(offer.name.split()) not in rows.get(LEGAL_ROWS[lang][5], ""):  # the page text is collapsed
            yield ctx.error(page.url, f"the price of '{offer.name}' is missing from the 表記 page")
        section = sections.get(offer.id)
        own = _rows(section.find("table")[0]) if section is not None and section.find("table") else {}
        missing = [label for label in OFFER_ROWS[lang] if not own.get(label)]
        if missing:
            yield ctx.error(page.url, f"the 表記 page has no terms of its own for '{offer.name}' "
                                      f"({', '.join(missing)})",
                            hint="Keep the per-offer sections of legal.html; fill the offer's keys or legal:.")
        elif offer.billing and " ".join(renewal_terms(offer, t).split()) not in section.text:
            yield ctx.error(page.url, f"the 表記 page does not state the term and renewal of '{offer.name}'")


def _shows_price(page) -> bool:
    doc = page.doc
    return bool(doc.find("a", lambda e: "data-fg-checkout" in e.attrs) or doc.with_class("price")
                or doc.may_contain(PRICE_CHARS) and PRICE.search(doc.text)) or (
        page.step is not None and page.step.traits.sells and page.step.form is not None)


@jp_rule("jp.tokushoho-link", html=True,
         why="特定商取引法: the 表記 must be reachable from every page that advertises a price or takes an order.")
def tokushoho_link(ctx, page):
    """Every page that shows a price or an order link links to the 特定商取引法に基づく表記 page."""
    if page.role != "step" or not _shows_price(page):
        return
    if not page.doc.find("a", lambda e: (e.get("href") or "").split("#")[0] in (ctx.legal_url,
                                                                                 ctx.legal_url + "index.html")):
        yield ctx.error(ctx.page_file(page), f"{page.url} shows a price or an order button but does not link to "
                                             "the 特定商取引法に基づく表記", hint="Keep the footer link (partials/footer.html).")


# -- 最終確認画面 -----------------------------------------------------------------

@jp_rule("jp.final-confirmation", html=True,
         why="特定商取引法12条の6 (2022): where the order is placed, quantity, price, payment, delivery and "
             "cancellation must be shown together; buyers misled here may cancel and fines apply.")
def final_confirmation(ctx, page):
    """Offer pages show an order summary: quantity, tax-inclusive price, payment method and timing, delivery,
    cancellation; subscriptions add term, renewal, per-charge and total price. Each plan of a plan table has
    its own summary before its own button, and an order bump's bundle its own summary before the buy button."""
    step = page.step
    if step is None or not step.traits.sells or not sold_offers(step):
        return
    file = ctx.page_file(page)
    summaries = _summaries(page, step)
    for offer, table, _scope in summaries:
        if table is None:
            yield ctx.error(file, f"{page.url} sells '{offer.id}' but shows no order summary" +
                            (" for it" if len(summaries) > 1 else ""),
                            hint="Keep {% include \"partials/order_summary.html\" %} next to the order button "
                                 "(partials/plans.html, partials/bump.html).")
        else:
            yield from _summary_rows(ctx, page, file, offer, table)
    # With a payment link the site's page is the last one the buyer reads before paying: every link to the
    # checkout must follow the full summary of what it can charge, in the same section (earlier buttons scroll).
    order = page.doc.position
    for link in page.doc.find("a", lambda e: "data-fg-checkout" in e.attrs):
        before = [(table, scope) for offer, table, scope in summaries if table is not None and (
            not step.choices or offer.id == link.get("data-fg-offer"))]
        fine = bool(before) and all(any(a is scope for a in link.ancestors()) and order(link) > order(table)
                                    for table, scope in before)
        if not fine:
            where, line = ctx.where(page, link.text)
            yield ctx.error(where, f"checkout link '{link.text}' on {page.url} does not come right after the order "
                                   "summary", line=line,
                            hint="Let buttons in the copy scroll to the summary (::: cta does), and keep the payment "
                                 "link in the order section after partials/order_summary.html.")


def _summaries(page, step) -> list:
    """(offer, its order-summary table or None, the section a button charging it must sit in) per sold offer."""
    def section(el):
        return el.closest(lambda e: e.tag in ("section", "form", "main", "article", "div")
                          and "data-fg-bump-summary" not in e.attrs)

    tables = page.doc.find("table", lambda e: e.has_class("summary"))
    if step.choices:
        out = []
        for offer in step.choices:
            plan = page.doc.with_attr("data-fg-plan", offer.id)
            own = plan[0].find("table", lambda e: e.has_class("summary")) if plan else []
            out.append((offer, own[0] if own else None, plan[0] if plan else None))
        return out
    in_bump = [t for t in tables if t.closest(lambda e: "data-fg-bump-summary" in e.attrs)]
    plain = [t for t in tables if t not in in_bump]
    out = [(step.offer, plain[0] if plain else None, section(plain[0]) if plain else None)]
    if step.bump is not None and step.bump.offer is not None and step.form is None:
        out.append((step.bump.offer, in_bump[0] if in_bump else None, section(in_bump[0]) if in_bump else None))
    return out


def _summary_rows(ctx, page, file, offer, table):
    t = LABELS["ja" if ctx.site.language == "ja" else "en"]
    rows = _rows(table)
    whose = f" for '{offer.id}'" if len(sold_offers(page.step)) > 1 else ""
    needed = ["quantity", "price", "payment_methods", "payment_timing", "delivery", "cancellation"]
    if offer.billing:
        needed.append("billing_terms")
    for key in needed:
        if not rows.get(t[key]):
            yield ctx.error(file, f"the order summary{whose} on {page.url} has no '{t[key]}'",
                            hint="Fill it in the offer (or legal:) in site.yml and keep the row in "
                                 "order_summary.html.")
    price = rows.get(t["price"], "")
    if price and ctx.site.language == "ja" and "税込" not in price:
        yield ctx.error(file, f"the order summary price{whose} on {page.url} is not marked 税込")
    if offer.billing:
        from ..prices import money

        each = money(offer.gross, offer.currency, ctx.site.language)
        terms = rows.get(t["billing_terms"], "")
        if each not in price:
            yield ctx.error(file, f"the subscription on {page.url} does not show the price per charge ({each})")
        if offer.charges and money(offer.total, offer.currency, ctx.site.language) not in price:
            yield ctx.error(file, f"the subscription on {page.url} does not show the total price")
        minimum = offer.billing.get("minimum")
        if minimum and money(offer.gross * minimum, offer.currency, ctx.site.language) not in price:
            yield ctx.error(file, f"the subscription on {page.url} does not show the minimum total of its "
                                  f"{minimum}-charge commitment")
        renewal = renewal_terms(offer, t)
        if renewal not in terms:
            yield ctx.error(file, f"the subscription on {page.url} does not say whether it renews automatically")


GENERIC_BUTTON = re.compile(r"(送信(する|して)?|次へ(進む)?|進む|確認(する)?|ok|submit|send|next|continue|go)+", re.I)
ORDER_WORDS = re.compile(r"注文|購入|申込|申し込|確定|支払|決済|契約|予約|buy|order|pay|purchase|subscribe|apply|book|"
                         r"checkout", re.I)


@jp_rule("jp.order-button", html=True,
         why="特定商取引法12条の6第2項: a button that only says 次へ or 送信 hides that clicking it places a paid "
             "order.")
def order_button(ctx, page):
    """Order buttons say what they do (購入する, 注文を確定する, 申し込む), never just 次へ or 送信."""
    step = page.step
    if step is None or not step.traits.sells:
        return
    buttons = page.doc.find("a", lambda e: "data-fg-checkout" in e.attrs)
    buttons += [_Label(b.get("data-fg-label") or "") for b in page.doc.find("input", lambda e: "data-fg-bump" in e.attrs)]
    if step.form is not None:
        buttons += [b for f in page.doc.find("form") for b in f.find("button")
                    if (b.get("type") or "submit") == "submit"]
    for b in buttons:
        label = b.text
        compact = re.sub(r"[\s　、。・（）()「」!！]", "", label)
        file, line = ctx.where(page, label)
        if not compact or GENERIC_BUTTON.fullmatch(compact):
            yield ctx.error(file, f"order button on {page.url} only says '{label}'", line=line,
                            hint="Say what the click does: e.g. cta: \"注文を確定する\" or \"1,980円（税込）で購入する\".")
        elif not ORDER_WORDS.search(label):
            yield ctx.error(file, f"order button on {page.url} ('{label}') does not say that it places an order",
                            line=line, hint="Include 購入・注文・申し込み in the button text (front matter cta:).")


class _Label:
    """The text the buy button switches to when the order bump is ticked (checked like any order button)."""

    def __init__(self, text: str):
        self.text = text
