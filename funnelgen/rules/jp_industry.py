"""Industry rule packs for Japanese sites: wording the authorities name as unlawful in an industry's ads.

Off unless `site.industry` lists the industry. A linter can find words, not judge evidence or context, so
every finding is a warning with the law behind it:
- health-food: 医薬品医療機器等法68条 (a food claiming to treat or prevent disease is advertised as an
  unapproved drug) and 健康増進法65条 (誇大表示); wording after the examples of 広島市
  (https://www.city.hiroshima.lg.jp/soshiki/70/14781.html) and 札幌市
  (https://www.city.sapporo.jp/hokenjo/syokuiku/kodaihyouzinokinsi.html);
- cosmetics: 医薬品医療機器等法66条 and the 化粧品の効能の範囲 (平成23年 薬食発0721第1号; https://cftc.jp/kiyaku/kiyaku02-3.html);
- judo (整骨院・接骨院, 鍼灸, マッサージ): 柔道整復師法24条 and あはき法7条 allow only listed items, and the
  あはき・柔整広告ガイドライン (厚生労働省, 2025-02-18; https://www.mhlw.go.jp/stf/shingi/other-isei_547242.html);
- medical (クリニック, 歯科, 美容医療): 医療法6条の5 and the 医療広告ガイドライン (https://www.mhlw.go.jp/stf/newpage_41120.html).
Text is NFKC-normalised first, so full-width and half-width spellings match alike.
"""

from __future__ import annotations

import re
import unicodedata

from .registry import audience_rule

jp_rule = audience_rule("jp")

DISEASE_CLAIM = re.compile(
    r"(がん|ガン|癌|糖尿病|高血圧|高血糖|便秘|冷え性|冷え症|更年期|アトピー|花粉症|肩こり|腰痛|不眠|うつ|認知症|肥満|"
    r"生活習慣病|動脈硬化|骨粗しょう症|関節痛|二日酔い)\S{0,12}?(に効く|が治る|を治す|治ります|改善|予防|解消|撃退|完治)")
DRUG_LIKE = re.compile(r"疲労回復|強精|強壮|体力増強|食欲増進|老化防止|免疫(力|機能)(の)?(向上|アップ|を高める)|"
                       r"自然治癒力|脂肪燃焼|血圧が下がる|血糖値が下がる|整腸作用|視力回復|デトックス")
DOCTOR = re.compile(r"医師(が|も)?(推奨|監修|おすすめ|認めた)|専門家も認めた|厚生労働省(の|から)?(許可|認可|承認|認定)")
HEARSAY = re.compile(r"(効く|治る|痩せる|やせる|効果がある)と(言われて|いわれて)")
COSMETIC = re.compile(r"アンチエイジング|若返[りる]|老化防止|シワ(が|を)?(消え|消す|改善|なくす|なくなる)|たるみ(を|が)?(解消|改善|消)|"
                      r"シミ(が|を)?(消え|消す|なくす|なくなる)|美白効果")
SMALL_WRINKLES = re.compile(r"小ジワ")
SMALL_WRINKLES_OK = "乾燥による小ジワを目立たなくする"
SYMPTOM_CURE = re.compile(r"(腰痛|肩こり|膝の痛み|ひざの痛み|頭痛|自律神経|骨盤のゆがみ|産後の骨盤|坐骨神経痛|ヘルニア|"
                          r"むち打ち)\S{0,12}?(治る|治す|改善|根本|解消|効く|完治)")
TECHNIQUE = re.compile(r"[\w・ー]{1,12}(式|流)(施術|整体|矯正|療法|メソッド)|[\w・ー]{1,12}療法")
INSURANCE = re.compile(r"保険(適用|が使え|取扱|診療)")
DOCTOR_CONSENT = re.compile(r"医師の同意")
MEDICAL_SUPERLATIVE = re.compile(r"日本一|No\.?1|ナンバーワン|地域一番|最先端|唯一|最高(の|峰)?(技術|治療|医療)")
ABSOLUTE = re.compile(r"絶対(に)?(治|安全|痩)|100%|必ず(治|痩|効)|痛くない|痛みゼロ|副作用(は|が)?(一切)?(ない|なし|ありません)")
RISKS = re.compile(r"リスク|副作用")


def _industries(ctx) -> set[str]:
    return set(ctx.site.settings.industry)


def _sentences(page):
    """(text, element) for every block of the page's copy, NFKC-normalised."""
    for el in page.doc.blocks():  # the only elements with an own text
        if el.tag in ("script", "style", "title"):
            continue
        text = el.own_text
        if text:
            yield unicodedata.normalize("NFKC", text), el


def _find(ctx, page, patterns, allowed=None):
    for text, _el in _sentences(page):
        for pattern in patterns:
            m = pattern.search(text)
            if m and not (allowed and allowed in text):
                yield m.group(0), text


def _warn(ctx, page, claim: str, text: str, why: str, hint: str):
    file, line = ctx.where(page, claim, text[:20])
    return ctx.warn(file, f"'{claim}' on {page.url}: {why}", line=line, hint=hint)


@jp_rule("industry.health-food", severity="warning", html=True,
         why="医薬品医療機器等法68条・健康増進法65条: a food that claims to cure, prevent or improve a disease (or to "
             "boost body functions) is advertised as an unapproved drug.")
def health_food(ctx, page):
    """Health foods (site.industry: [health-food]): no disease or drug-like effect claims, no 'doctor recommends'."""
    if page.step is None or "health-food" not in _industries(ctx):
        return
    for claim, text in _find(ctx, page, (DISEASE_CLAIM, DRUG_LIKE, DOCTOR, HEARSAY)):
        yield _warn(ctx, page, claim, text, "a food may not claim a medicinal effect",
                    "Describe taste, ingredients and how to use it; a 機能性表示食品 states only its 届出 function.")


@jp_rule("industry.cosmetics", severity="warning", html=True,
         why="医薬品医療機器等法66条: cosmetics may claim only the 56 effects of the 化粧品の効能の範囲; anti-ageing, "
             "removing wrinkles or spots are drug claims.")
def cosmetics(ctx, page):
    """Cosmetics (site.industry: [cosmetics]): nothing beyond the permitted effects; 小ジワ only in the exact
    permitted wording."""
    if page.step is None or "cosmetics" not in _industries(ctx):
        return
    for claim, text in _find(ctx, page, (COSMETIC, DOCTOR)):
        yield _warn(ctx, page, claim, text, "this goes beyond the effects a cosmetic may claim",
                    "Use the permitted effects (e.g. 「肌にうるおいを与える」「キメを整える」).")
    for claim, text in _find(ctx, page, (SMALL_WRINKLES,), allowed=SMALL_WRINKLES_OK):
        yield _warn(ctx, page, claim, text, f"小ジワ may only be said as 「{SMALL_WRINKLES_OK}」 (after the test)",
                    f"Write 「{SMALL_WRINKLES_OK}」 in full, and only with the functional test done.")


@jp_rule("industry.judo", severity="warning", html=True,
         why="柔道整復師法24条・あはき法7条: a 接骨院・整骨院 may advertise only listed items; symptoms it cures, "
             "techniques, careers and testimonials are not among them (あはき・柔整広告ガイドライン 2025).")
def judo(ctx, page):
    """整骨院・接骨院・鍼灸 (site.industry: [judo]): no cure claims for symptoms, technique names, testimonials,
    or insurance claims without the doctor's-consent condition."""
    if page.step is None or "judo" not in _industries(ctx):
        return
    for claim, text in _find(ctx, page, (SYMPTOM_CURE, TECHNIQUE, ABSOLUTE)):
        yield _warn(ctx, page, claim, text, "an 施術所 may not advertise what it cures or its technique",
                    "Keep to the listed items: 施術所の名称・所在地・電話・施術日時・予約・駐車場 and the like.")
    for claim, text in _find(ctx, page, (INSURANCE,)):
        if not DOCTOR_CONSENT.search(page.doc.text):
            yield _warn(ctx, page, claim, text, "insurance may be mentioned only with 「脱臼・骨折は医師の同意が必要」",
                        "State that 脱臼・骨折の施術には医師の同意が必要です, or drop the insurance claim.")
    for fig in page.doc.with_class("testimonial"):
        yield _warn(ctx, page, "お客様の声", fig.text[:20], "testimonials of treatment results are not an "
                    "advertisable item", "Remove testimonials from pages you advertise with.")


@jp_rule("industry.medical", severity="warning", html=True,
         why="医療法6条の5・医療広告ガイドライン: testimonials, superlatives, absolute claims and a free-treatment price "
             "without its risks are prohibited in medical advertising, websites included.")
def medical(ctx, page):
    """Clinics (site.industry: [medical]): no testimonials, superlatives or 'painless/100%' claims; a page with a
    price (自由診療) states the risks and side effects."""
    if page.step is None or "medical" not in _industries(ctx):
        return
    for claim, text in _find(ctx, page, (MEDICAL_SUPERLATIVE, ABSOLUTE)):
        yield _warn(ctx, page, claim, text, "superlative or absolute claims are prohibited in medical ads",
                    "State facts: the treatment, its usual course and price, and its risks.")
    for fig in page.doc.with_class("testimonial"):
        yield _warn(ctx, page, "患者様の声", fig.text[:20], "patients' testimonials of treatment effects are "
                    "prohibited", "Remove testimonials about treatment results.")
    if page.doc.with_class("price") and not RISKS.search(page.doc.text):
        yield _warn(ctx, page, "自由診療の価格", "", "a price without the treatment's main risks and side effects",
                    "Add the usual treatment, its cost, and its main risks and side effects next to the price.")
