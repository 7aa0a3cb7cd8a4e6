"""Japanese law for funnel pages (on for language: ja, or site.audience: [jp]).

特定商取引法 (表記 and 最終確認画面), 消費税法63条 (総額表示), 景品表示法 (deadlines, 二重価格,
ステマ, superlatives), 個人情報保護法 and 特定電子メール法. shared/reference/integrations.md §5.
"""

from __future__ import annotations

import re

from ..dates import parse_deadline
from ..i18n import LABELS
from ..markdown import parse_info
from ..tracking import privacy_recipients
from .registry import audience_rule

PLACEHOLDER = re.compile(r"○○|〇〇|●●|××|ＸＸ|XXX|TBD|TODO|未定|準備中|ダミー|要確認|サンプル|\bsample\b|\bdummy\b|"
                         r"lorem|例：|（例）|\(例\)|your (company|name|address)", re.I)
CORPORATE = re.compile(r"株式会社|合同会社|有限会社|合資会社|合名会社|一般社団法人|一般財団法人|特定非営利活動法人|NPO法人|"
                       r"\(株\)|（株）|\(同\)|（同）|Inc\.?|LLC|Ltd\.?|Co\.,?|K\.K\.", re.I)
LEGAL_KEYS = ("seller", "representative", "address", "phone", "email", "extra_charges", "payment_methods",
              "payment_timing", "delivery_timing", "returns")


jp_rule = audience_rule("jp")  # only for Japanese sites (language: ja or audience: [jp])


def _compact(text: str) -> str:
    return re.sub(r"[\s　・]", "", text or "")


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
    if phone and (len(set(phone)) == 1 or "12345678" in phone or phone.endswith("00000000")):
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


@jp_rule("jp.tokushoho-page", html=True,
         why="特定商取引法11条: the 表記 page itself must show every item (or the lawful 'on request' sentence).")
def tokushoho_page(ctx, page):
    """The generated 特定商取引法に基づく表記 page shows every row, and the 'provided on request' sentence where used."""
    if page.role != "legal":
        return
    rows = {}
    for tr in page.doc.find("tr"):
        th = tr.find("th")
        td = tr.find("td")
        if th and td:
            rows[th[0].text] = td[0].text
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
    for offer in ctx.site.offers.values():
        if " ".join(offer.name.split()) not in rows.get(LEGAL_ROWS[lang][5], ""):  # the page text is collapsed
            yield ctx.error(page.url, f"the price of '{offer.name}' is missing from the 表記 page")


PRICE = re.compile(r"(?:[¥￥]\s*[0-9０-９][0-9０-９,，]*|[0-9０-９][0-9０-９,，.]*\s*万?円)")


def _shows_price(page) -> bool:
    doc = page.doc
    return bool(doc.find("a", lambda e: "data-fg-checkout" in e.attrs) or doc.find(
        None, lambda e: e.has_class("price")) or PRICE.search(doc.text)) or (
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
    cancellation; subscriptions add term, renewal, per-charge and total price."""
    t = LABELS["ja" if ctx.site.language == "ja" else "en"]
    step = page.step
    if step is None or not step.traits.sells or step.offer is None:
        return
    file = ctx.page_file(page)
    tables = page.doc.find("table", lambda e: e.has_class("summary"))
    if not tables:
        yield ctx.error(file, f"{page.url} sells '{step.offer.id}' but shows no order summary",
                        hint="Keep {% include \"partials/order_summary.html\" %} next to the order button.")
        return
    rows = {}
    for tr in tables[0].find("tr"):
        th, td = tr.find("th"), tr.find("td")
        if th and td:
            rows[th[0].text] = td[0].text
    needed = ["quantity", "price", "payment_methods", "payment_timing", "delivery", "cancellation"]
    if step.offer.billing:
        needed.append("billing_terms")
    for key in needed:
        if not rows.get(t[key]):
            yield ctx.error(file, f"the order summary on {page.url} has no '{t[key]}'",
                            hint="Fill it in the offer (or legal:) in site.yml and keep the row in "
                                 "order_summary.html.")
    price = rows.get(t["price"], "")
    if price and ctx.site.language == "ja" and "税込" not in price:
        yield ctx.error(file, f"the order summary price on {page.url} is not marked 税込")
    offer = step.offer
    if offer.billing:
        from ..prices import money

        each = money(offer.gross, offer.currency, ctx.site.language)
        terms = rows.get(t["billing_terms"], "")
        if each not in price:
            yield ctx.error(file, f"the subscription on {page.url} does not show the price per charge ({each})")
        if offer.charges and money(offer.total, offer.currency, ctx.site.language) not in price:
            yield ctx.error(file, f"the subscription on {page.url} does not show the total price")
        renewal = t["auto_renew"] if not offer.charges else t["fixed_term"].format(count=offer.charges)
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


# -- 総額表示 ---------------------------------------------------------------------

EXCLUSIVE = re.compile(r"[+＋]\s*税|税抜|税別|本体価格|tax excl|plus tax|\+ ?tax", re.I)
INCLUSIVE = re.compile(r"税込|消費税込|tax incl", re.I)
NOT_A_PRICE = re.compile(r"(月商|年商|売上|売り上げ|収益|利益|年収|月収|収入|貯金|損失|資本金|予算)\S{0,6}$")


@jp_rule("jp.total-price", severity="error", html=True,
         why="消費税法63条 (総額表示): prices shown to consumers must include consumption tax.")
def total_price(ctx, page):
    """Every price shows its tax-inclusive amount: offer prices always, copy prices flagged when 税抜 alone
    (error) or without 税込 (warning)."""
    if page.role not in ("step", "legal"):
        return
    for el in page.doc.els:
        text = el.own_text if el.tag not in ("script", "style", "title") else ""
        if el.has_class("price") and ctx.site.language == "ja" and text and not INCLUSIVE.search(el.text):
            yield ctx.error(ctx.page_file(page), f"price '{el.text}' on {page.url} is not marked 税込",
                            hint="Render offer prices with the price helper (they always say 税込).")
            continue
        if not text:
            continue
        amounts = [m for m in PRICE.finditer(text) if not NOT_A_PRICE.search(text[:m.start()])]
        if not amounts:
            continue
        if INCLUSIVE.search(text):
            continue
        file, line = ctx.where(page, text, text[:20], amounts[0].group(0).strip())
        if EXCLUSIVE.search(text):
            yield ctx.error(file, f"'{text[:80]}' on {page.url} shows a price without tax (税抜/+税) and no "
                                  "tax-inclusive amount", line=line,
                            hint="Write the tax-inclusive price, e.g. 11,000円（税込） or 10,000円（税込11,000円）.")
        else:
            yield ctx.warn(file, f"'{text[:80]}' on {page.url} shows a price without 税込", line=line,
                           hint="Add （税込） after the amount, so it is clear the price includes tax.")


# -- 景品表示法 -------------------------------------------------------------------

COUNTDOWN = re.compile(r"^\s*:{3,}\s*countdown\b(.*)$")
EVERGREEN = re.compile(r"\b(duration|minutes|hours|days|seconds|evergreen|per_visitor|reset|relative)\b", re.I)


@jp_rule("jp.countdown",
         why="景品表示法 (有利誤認): a deadline that is not real, or has passed while the offer runs on, is a false "
             "'limited time' claim (措置命令 2025-03-27).")
def countdown(ctx):
    """Countdowns and offer deadlines use one absolute end time, never per-visitor timers, and are not past."""
    lang = ctx.site.language
    for offer in ctx.site.offers.values():
        if not offer.ends_at:
            continue
        end = parse_deadline(offer.ends_at, lang)
        sellers = [s.id for s in ctx.site.steps.values() if s.offer_id == offer.id]
        if end and end < ctx.now and sellers:
            yield ctx.error(ctx.cfg, f"offer '{offer.id}' ended at {offer.ends_at} but step '{sellers[0]}' still "
                                     "sells it", key=f"offers.{offer.id}.ends_at", line=offer.line,
                            hint="Take the step down, or set a new real deadline (and honour it).")
    from ..errors import rel

    for step in ctx.site.steps.values():
        file = rel(step.source) if step.source else step.page
        for i, line in enumerate(ctx.source_lines(step), 1):
            m = COUNTDOWN.match(line)
            if not m:
                continue
            _title, attrs = parse_info("countdown" + m.group(1), "countdown")
            if EVERGREEN.search(" ".join(attrs)):
                yield ctx.error(file, "per-visitor (evergreen) countdowns are not supported: the deadline must be the "
                                      "same for everyone", line=i, hint='Use ends_at="2026-12-31 23:59".')
                continue
            value = attrs.get("ends_at", "")
            end = parse_deadline(value, lang) if value else None
            if end is None:
                yield ctx.error(file, f"countdown needs an absolute ends_at date and time (got '{value}')", line=i,
                                hint='Write ::: countdown ends_at="2026-12-31 23:59" (JST unless you add +09:00 etc.).')
            elif end < ctx.now:
                yield ctx.error(file, f"countdown ended at {value}, but the page is still published", line=i,
                                hint="Remove the countdown (and the offer, if it was limited), or set a real new "
                                     "deadline.")
            elif step.offer and step.offer.ends_at:
                offer_end = parse_deadline(step.offer.ends_at, lang)
                if offer_end and end != offer_end:
                    yield ctx.warn(file, f"countdown ends at {value} but offer '{step.offer.id}' ends at "
                                         f"{step.offer.ends_at}", line=i, hint="Use the same deadline in both places.")


COMPARE_WHY = ("景品表示法 (二重価格): a struck-through 'regular price' is only lawful if it really was the price "
               "(the majority of the last 8 weeks) or states its basis.")


@jp_rule("jp.compare-at-price", why=COMPARE_WHY)
def compare_at_price(ctx):
    """A compare-at (struck-through) price states its basis and is higher than the price."""
    for offer in ctx.site.offers.values():
        if offer.compare_at_price is None:
            continue
        key = f"offers.{offer.id}"
        if not offer.compare_at_basis:
            yield ctx.error(ctx.cfg, f"offer '{offer.id}' has compare_at_price but no compare_at_basis",
                            key=f"{key}.compare_at_price", line=offer.line,
                            hint="Add compare_at_basis: when and how long it sold at that price "
                                 "(e.g. 2026年9月1日〜11月30日の販売価格).")
        if offer.compare_at_price <= offer.gross:
            yield ctx.error(ctx.cfg, f"offer '{offer.id}': compare_at_price {offer.compare_at_price} is not above the "
                                     f"price {offer.gross}", key=f"{key}.compare_at_price", line=offer.line)


@jp_rule("jp.compare-at-price", html=True, why=COMPARE_WHY)
def struck_prices(ctx, page):
    """Struck-through prices in the copy state their basis on the page."""
    if page.step is None:
        return
    for el in page.doc.find(None, lambda e: e.tag in ("del", "s", "strike")):
        if not PRICE.search(el.text):
            continue
        bases = [o.compare_at_basis for o in ctx.site.offers.values() if o.compare_at_basis]
        page_text = page.doc.text
        if not any(b in page_text for b in bases):
            file, line = ctx.where(page, el.text)
            yield ctx.error(file, f"struck-through price '{el.text}' on {page.url} does not state its basis",
                            line=line, hint="Set offers.<id>.compare_at_price and compare_at_basis, and write the "
                                            "basis next to the price.")


COMPENSATED = re.compile(r"compensated=[\"']?([^\"'\s]*)")


@jp_rule("jp.pr-label", html=True,
         why="ステマ告示 (2023-10-01): a paid or gifted testimonial that is not labelled 広告/PR is an unlawful "
             "representation.")
def pr_label(ctx, page):
    """Testimonials marked compensated carry a visible 広告/PR label."""
    for fig in page.doc.find(None, lambda e: e.has_class("testimonial") and "data-compensated" in e.attrs):
        labels = [e for e in fig.find() if e.has_class("pr") and re.search(r"広告|PR|Sponsored|\bAd\b", e.text)]
        if not labels:
            file, line = ctx.where(page, "compensated")
            yield ctx.error(file, f"compensated testimonial on {page.url} has no 広告/PR label", line=line,
                            hint="Use the theme's testimonial block (it adds the label).")
    for i, line in enumerate(ctx.source_lines(page.step), 1):
        m = COMPENSATED.search(line)
        if m and m.group(1).lower() not in ("true", "yes", "1", "false", "no", "0"):
            yield ctx.error(ctx.page_file(page), f"compensated=\"{m.group(1)}\" is neither true nor false", line=i,
                            hint='Write compensated="true" for paid or gifted testimonials.')


SUPERLATIVE = re.compile(r"No\.?\s?1|Ｎｏ[.．]?\s?[1１]|ナンバーワン|最安|日本一|世界一|業界初|業界最|最高峰|"
                         r"[1１][0０][0０]\s?[%％]|絶対に?(儲|稼|痩|治)", re.I)
SOURCE_NOTE = re.compile(r"出典|調べ|調査|source:|according to", re.I)


@jp_rule("jp.superlatives", severity="warning", html=True,
         why="景品表示法 (優良誤認): 'No.1', '最安' or '100%' without an objective source is the most common "
             "措置命令 in ads.")
def superlatives(ctx, page):
    """Superlative claims (No.1, 最安, 100%) come with a source note on the page (出典・調査)."""
    if page.step is None:
        return
    if SOURCE_NOTE.search(page.doc.text):
        return
    for el in page.doc.els:
        m = SUPERLATIVE.search(el.own_text) if el.tag not in ("script", "style") else None
        if m:
            file, line = ctx.where(page, m.group(0))
            yield ctx.warn(file, f"'{m.group(0)}' on {page.url} has no source note", line=line,
                           hint="Add a note with the survey or source (※2026年〇月 自社調べ …), or drop the claim.")


# -- 個人情報保護法 / 特定電子メール法 -----------------------------------------------

PURPOSE_WHY = ("個人情報保護法21条: the purpose of use must be shown before personal data is entered, next to the "
               "form, with the privacy policy one click away.")


@jp_rule("jp.form-purpose", why=PURPOSE_WHY)
def form_purpose(ctx):
    """Every form states the purpose of use and links the privacy policy next to its button."""
    used = {s.form_id for s in ctx.site.steps.values() if s.form_id}
    for fid in sorted(used):
        form = ctx.site.forms.get(fid)
        if form and not form.purpose:
            yield ctx.warn(ctx.cfg, f"form '{fid}' has no purpose: the page only refers to the privacy policy",
                           key=f"forms.{fid}.purpose", line=form.line,
                           hint="Add purpose: saying what this form's data is used for.")


@jp_rule("jp.form-purpose", html=True, why=PURPOSE_WHY)
def form_purpose_shown(ctx, page):
    """Each form on a page shows its purpose and links the privacy policy."""
    for form in page.doc.find("form"):
        file = ctx.page_file(page)
        purpose = [e for e in form.find() if e.has_class("purpose") and e.text]
        privacy = form.find("a", lambda e: (e.get("href") or "").split("#")[0] == ctx.privacy_url)
        if not purpose:
            yield ctx.error(file, f"form on {page.url} does not state the purpose of use",
                            hint="Set forms.<id>.purpose and keep it in partials/form.html.")
        if not privacy:
            yield ctx.error(file, f"form on {page.url} has no link to the privacy policy next to its button",
                            hint="Keep the privacy link inside the form (partials/form.html).")


SENT_WORDS = re.compile(r"メール|メルマガ|ニュースレター|LINE|ご案内|お知らせ|配信|newsletter|e-?mail", re.I)


CONSENT_WHY = ("特定電子メール法3条: marketing email needs prior consent to a named sender and a stated kind of "
               "mail; a pre-ticked box is not consent.")


@jp_rule("jp.consent-text", why=CONSENT_WHY)
def consent_text(ctx):
    """Opt-in consent text names the sender and what will be sent; consent boxes are never pre-ticked."""
    legal = ctx.site.legal
    names = [legal.seller, legal.business_name, legal.representative,
             ctx.site.settings.title]
    names = [_compact(n) for n in names if n]
    names += [_compact(CORPORATE.sub("", n)) for n in names]
    forms = {s.form_id for s in ctx.site.steps.values() if s.traits.collects_email and s.form_id}
    for fid in sorted(forms):
        form = ctx.site.forms.get(fid)
        if form is None or not form.consent:
            continue
        text = _compact(form.consent)
        key, line = f"forms.{fid}.consent", form.line
        if not any(n and n in text for n in names):
            yield ctx.warn(ctx.cfg, f"consent text of form '{fid}' does not name the sender", key=key, line=line,
                            hint=f"Say who sends the mail, e.g. 「{legal.seller}から…」.")
        if not SENT_WORDS.search(form.consent):
            yield ctx.warn(ctx.cfg, f"consent text of form '{fid}' does not say what will be sent", key=key, line=line,
                            hint="Say what you will send: メールマガジン, セミナーのご案内 ….")


@jp_rule("jp.consent-text", html=True, why=CONSENT_WHY)
def consent_boxes(ctx, page):
    """Consent boxes on a page are never pre-ticked."""
    for box in page.doc.find("input", lambda e: e.get("type") == "checkbox" and "checked" in e.attrs):
        if box.closest(lambda e: e.tag == "form") is not None:
            yield ctx.error(ctx.page_file(page), f"checkbox '{box.get('name')}' on {page.url} is pre-ticked",
                            hint="Consent boxes must start unticked.")


PRIVACY_SECTIONS = {
    "ja": (("事業者", r"事業者"), ("利用目的", r"利用目的"), ("第三者提供", r"第三者"), ("安全管理措置", r"安全管理"),
           ("開示等のご請求・苦情の窓口", r"開示|お問い合わせ|苦情")),
    "en": (("Who we are", r"who we are"), ("Purposes", r"use it for|purpose"), ("Sharing", r"shar|third"),
           ("Security", r"secur"), ("Requests and contact", r"request|contact")),
}


@jp_rule("jp.privacy-sections", html=True,
         why="個人情報保護法32条 (2022): the business name, address, representative, purposes, request procedure, "
             "complaint contact and security measures must be published.")
def privacy_sections(ctx, page):
    """The privacy page has every required section: who, purposes, sharing, security, requests and complaints."""
    if page.role != "privacy":
        return
    heads = " / ".join(h.text for h in page.doc.find("h2"))
    lang = "ja" if ctx.site.language == "ja" else "en"
    for name, pattern in PRIVACY_SECTIONS[lang]:
        if not re.search(pattern, heads, re.I):
            yield ctx.error(page.url, f"the privacy policy has no '{name}' section", hint="Restore it in privacy.html.")
    text = page.doc.text
    for key in ("seller", "address", "representative"):
        if getattr(ctx.site.legal, key) and str(getattr(ctx.site.legal, key)) not in text:
            yield ctx.error(page.url, f"the privacy policy does not show legal.{key}")
    for purpose in ctx.site.legal.privacy.purposes:
        if purpose not in text:
            yield ctx.error(page.url, f"the privacy policy does not list the purpose '{purpose}'")


@jp_rule("jp.external-transmission", html=True,
         why="電気通信事業法27条の12: sites that send visitor data to tag vendors must say to whom, what and why.")
def external_transmission(ctx, page):
    """The privacy page lists every enabled tracking vendor in the 外部送信 notice."""
    lang = "ja" if ctx.site.language == "ja" else "en"
    vendors = [r["name"] for r in privacy_recipients(ctx.site.tracking, lang)]
    if not vendors or page.role != "privacy":
        return
    section = [h for h in page.doc.find("h2") if h.get("id") == "external"]
    text = page.doc.text
    if not section:
        yield ctx.error(page.url, "the privacy page has no 外部送信 notice for the enabled tracking tags",
                        hint="Keep the external-transmission table in privacy.html.")
        return
    for name in vendors:
        if name not in text:
            yield ctx.error(page.url, f"the 外部送信 notice does not list {name}")
