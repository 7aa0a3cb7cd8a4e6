"""消費税法63条 (総額表示) and 景品表示法 for Japanese sites (on for language: ja, or site.audience: [jp]).

What the advertising copy claims: that every price shown includes consumption tax (総額表示), and that
deadlines (有利誤認), struck-through regular prices (二重価格), paid testimonials (ステマ告示) and
superlatives (優良誤認) are not misleading. All of them read prices and claims in the pages' copy.
"""

from __future__ import annotations

import re

from ..dates import parse_deadline
from ..markdown import parse_info
from ..plans import sells
from .registry import audience_rule

jp_rule = audience_rule("jp")  # only for Japanese sites (language: ja or audience: [jp])

# an amount of yen in the copy; jp_tokushoho uses it too (a page that shows a price links the 表記)
PRICE = re.compile(r"(?:[¥￥]\s*[0-9０-９][0-9０-９,，]*|[0-9０-９][0-9０-９,，.]*\s*万?円)")
PRICE_CHARS = "¥￥円"  # PRICE (and REFERENCE_PRICE) cannot match a text without one of these


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
    for el in _price_candidates(page.doc):
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


def _price_candidates(doc):
    """The elements total_price can report, in document order: those with class price, and the blocks whose
    own text holds a yen sign or 円 (PRICE matches nothing without one; other elements have no own text)."""
    priced = doc.with_class("price")
    blocks = doc.owners(PRICE_CHARS)
    if not priced:
        return blocks
    if not blocks:
        return priced
    return doc.in_order(priced + blocks)


# -- 景品表示法 -------------------------------------------------------------------

COUNTDOWN = re.compile(r"^\s*:{3,}\s*countdown\b(.*)$")
EVERGREEN = re.compile(r"\b(duration|minutes|hours|days|seconds|evergreen|per_visitor|reset|relative)\b", re.I)


COUNTDOWN_WHY = ("景品表示法 (有利誤認): a deadline that is not real, or has passed while the offer runs on, is a false "
                 "'limited time' claim (措置命令 2025-03-27).")


@jp_rule("jp.countdown", why=COUNTDOWN_WHY)
def countdown(ctx):
    """Countdowns and offer deadlines use one absolute end time, never per-visitor timers, and are not past."""
    lang = ctx.site.language
    for offer in ctx.site.offers.values():
        if not offer.ends_at:
            continue
        end = parse_deadline(offer.ends_at, lang)
        sellers = [s.id for s in ctx.site.steps.values() if sells(s, offer.id)]
        if end and end < ctx.now and sellers:
            yield ctx.error(ctx.cfg, f"offer '{offer.id}' ended at {offer.ends_at} but step '{sellers[0]}' still "
                                     "sells it", key=f"offers.{offer.id}.ends_at", line=offer.line,
                            hint="Take the step down, or set a new real deadline (and honour it).")


@jp_rule("jp.countdown", html=True, why=COUNTDOWN_WHY)
def page_countdowns(ctx, page):
    """The page part: every `::: countdown` in the step's Markdown (so serve's single-page saves check it too)."""
    step = page.step
    if step is None:
        return
    lang, file = ctx.site.language, ctx.page_file_of(step)
    for i, line in enumerate(ctx.source_lines(step), 1):
        m = COUNTDOWN.match(line) if "countdown" in line else None  # a substring test first: most lines have none
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


# A regular price compared in prose: 「通常6,600円（税込）のところ2,980円」, 「定価9,800円→4,980円」.
REFERENCE_PRICE = re.compile(r"(通常|定価|元値|正規|参考|本来|いつもは|普段は)(価格|料金|販売価格)?(は)?[:：]?\s*"
                             r"(?:[¥￥]\s*[0-9０-９][0-9０-９,，]*|[0-9０-９][0-9０-９,，.]*\s*万?円)(（[^）]{0,12}）)?\s*"
                             r"(のところ|→|⇒|➡|から|が今なら|が今だけ|が特別に)")


@jp_rule("jp.compare-at-price", html=True, why=COMPARE_WHY)
def struck_prices(ctx, page):
    """Reference prices in the copy, struck through (~~6,600円~~) or in prose (「通常6,600円のところ」), state
    their basis on the page (二重価格)."""
    if page.step is None or not page.doc.may_contain(PRICE_CHARS):  # both patterns need a yen sign or 円
        return
    struck = [el.text for el in page.doc.find_tags("del", "s", "strike") if PRICE.search(el.text)]
    prose = [m.group(0) for el in page.doc.owners(PRICE_CHARS) if el.tag not in ("script", "style", "del", "s", "strike")
             and (m := REFERENCE_PRICE.search(el.own_text))]
    if not struck and not prose:
        return  # (before reading the offers: a page without a comparison does not depend on them, buildcache.py)
    bases = [o.compare_at_basis for o in ctx.site.offers.values() if o.compare_at_basis]
    if any(b in page.doc.text for b in bases):
        return
    hint = ("Set offers.<id>.compare_at_price and compare_at_basis, and write the basis next to the price "
            "(when and how long it sold at that price), or drop the comparison.")
    for text in struck:
        file, line = ctx.where(page, text)
        yield ctx.error(file, f"struck-through price '{text}' on {page.url} does not state its basis", line=line, hint=hint)
    for text in prose:
        file, line = ctx.where(page, text, text[:8])
        yield ctx.error(file, f"'{text}' on {page.url} compares with a regular price but does not state its basis",
                        line=line, hint=hint)


COMPENSATED = re.compile(r"compensated=[\"']?([^\"'\s]*)")


@jp_rule("jp.pr-label", html=True,
         why="ステマ告示 (2023-10-01): a paid or gifted testimonial that is not labelled 広告/PR is an unlawful "
             "representation.")
def pr_label(ctx, page):
    """Testimonials marked compensated carry a visible 広告/PR label."""
    for fig in page.doc.with_class("testimonial"):
        if "data-compensated" not in fig.attrs:
            continue
        labels = [e for e in fig.find() if e.has_class("pr") and re.search(r"広告|PR|Sponsored|\bAd\b", e.text)]
        if not labels:
            file, line = ctx.where(page, "compensated")
            yield ctx.error(file, f"compensated testimonial on {page.url} has no 広告/PR label", line=line,
                            hint="Use the theme's testimonial block (it adds the label).")
    for i, line in enumerate(ctx.source_lines(page.step), 1):
        m = COMPENSATED.search(line) if "compensated=" in line else None
        if m and m.group(1).lower() not in ("true", "yes", "1", "false", "no", "0"):
            yield ctx.error(ctx.page_file(page), f"compensated=\"{m.group(1)}\" is neither true nor false", line=i,
                            hint='Write compensated="true" for paid or gifted testimonials.')


SUPERLATIVE = re.compile(r"No\.?\s?1|Ｎｏ[.．]?\s?[1１]|ナンバーワン|最安|日本一|世界一|業界初|業界最|最高峰|"
                         r"[1１][0０][0０]\s?[%％]|絶対に?(儲|稼|痩|治)", re.I)
SUPERLATIVE_CHARS = "1１ナ最日世業絶"  # every alternative of SUPERLATIVE has one of these (case does not change them)
SOURCE_NOTE = re.compile(r"出典|調べ|調査|source:|according to", re.I)


@jp_rule("jp.superlatives", severity="warning", html=True,
         why="景品表示法 (優良誤認): 'No.1', '最安' or '100%' without an objective source is the most common "
             "措置命令 in ads.")
def superlatives(ctx, page):
    """Superlative claims (No.1, 最安, 100%) come with a source note on the page (出典・調査)."""
    if page.step is None:
        return
    claims = [m for el in page.doc.owners(SUPERLATIVE_CHARS)
              if (m := SUPERLATIVE.search(el.own_text) if el.tag not in ("script", "style") else None)]
    if not claims or SOURCE_NOTE.search(page.doc.text):  # the page-wide note is only looked for when needed
        return
    for m in claims:
        file, line = ctx.where(page, m.group(0))
        yield ctx.warn(file, f"'{m.group(0)}' on {page.url} has no source note", line=line,
                       hint="Add a note with the survey or source (※2026年〇月 自社調べ …), or drop the claim.")

