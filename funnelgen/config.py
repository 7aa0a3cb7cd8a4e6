"""The schema of `site.yml`: every key a user may write, with its type and default.

docs/format.md documents each key; tests/test_repo.py checks that every key here is documented there.
Step kinds come from funnelgen/kinds.py and tracking keys from funnelgen/vendors/.
"""

from __future__ import annotations

from pathlib import Path

from .errors import BuildError
from .hosts import HOSTS
from .kinds import STEP_KINDS
from .schema import Bool, Context, Field, ListOf, MapOf, Number, OneOf, Str, Struct, Url
from .vendors import VENDORS
from .yamlsource import load_yaml_file

CONFIG_NAMES = ("site.yml", "site.yaml", "funnelgen.yml")

LANGUAGES = ("ja", "en")
CURRENCIES = ("JPY", "USD", "EUR", "GBP", "AUD", "CAD")
FIELD_TYPES = ("text", "email", "tel", "textarea", "select", "checkbox", "url", "number", "date", "datetime")
# The HTML inputmode values (https://html.spec.whatwg.org/multipage/interaction.html#input-modalities:-the-inputmode-attribute)
INPUTMODES = ("text", "email", "tel", "url", "numeric", "decimal", "search", "none")
# A LINE official account's add-friend URL (https://lin.ee/… short link or https://line.me/R/ti/p/@id)
LINE_URL = r"https://(lin\.ee|line\.me|page\.line\.me)/[A-Za-z0-9_@%~./?=&+-]+"

ID = r"[a-z0-9][a-z0-9_-]*"
DATETIME = r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?(Z|[+-]\d{2}:?\d{2})?"
AUDIENCES = ("jp", "eu", "us")
# Industry rule packs of `funnelgen check` (funnelgen/rules/jp_industry.py)
INDUSTRIES = ("health-food", "cosmetics", "judo", "medical")


VARIANT_ID = r"[A-Za-z0-9_-]{1,40}"
# A split test on a step (funnelgen/variants.py, docs/experiments.md): the other versions of its page.
VARIANT = Struct({
    "page": Field(Str(example="optin-b.md"), doc="a sibling Markdown file under pages/ (default: the step's page "
                                                 "with its front matter's variants: overrides)"),
    "weight": Field(Number(minimum=None, example="50"), doc="share of visitors, relative to the other variants' weights"),
    "offer": Field(Str(ID, "starter-b"), doc="sell another offer in this variant (a price test)"),
}, example="{page: optin-b.md, weight: 50}")
SPLIT_FIELDS = {
    "variants": Field(MapOf(VARIANT, key_pattern=VARIANT_ID, example="{b: {page: optin-b.md}}"),
                      doc="split test: the other versions of this page (the original is the step's variant:)"),
    "experiment": Field(Str(ID, "headline-test", "is not a valid experiment id (lower-case letters, digits, '-', '_')"),
                        doc="steps naming the same experiment show a visitor the same variant (default: the step id)"),
    "winner": Field(Str(VARIANT_ID, "b", "is not a valid variant label"), doc="ends the test: everyone gets this variant"),
    "winner_since": Field(Str(r"\d{4}-\d{2}-\d{2}", "2026-12-03", "is not a date (YYYY-MM-DD)"),
                          doc="the day the winner was declared (required with winner:; reports count from it)"),
}

_step_fields = {
    "id": Field(Str(ID, "gift", "is not a valid step id (lower-case letters, digits, '-', '_')"), required=True,
                doc="unique across the site; becomes the URL /id/"),
    "kind": Field(Str(choices=STEP_KINDS, example="sales"), default="page"),
    "page": Field(Str(example="gift.md"), required=True, doc="Markdown file under pages/"),
    "offer": Field(Str(ID, "starter")),
    "offers": Field(ListOf(Str(ID, "standard", "is not a valid offer id"), example="[standard, premium]"),
                    doc="a choice of two or three plans, each paid through its own checkout (funnelgen/plans.py)"),
    "recommended": Field(Str(ID, "premium"), doc="the plan of offers: shown first on phones and marked"),
    "bump": Field(Struct({
        "offer": Field(Str(ID, "starter-bundle"), required=True, doc="the bundle: the offer plus the extra"),
        "label": Field(Str(example="テンプレート集も一緒に申し込む"), doc="the checkbox's text"),
        "cta": Field(Str(example="セットを購入する"), doc="the buy button's text while the box is ticked"),
    }, example="{offer: starter-bundle, label: ...}"), doc="an order bump: a checkbox switching to the bundle"),
    "form": Field(Str(ID, "lead")),
    "next": Field(Str(ID, "gift")),
    "accept": Field(Str(ID, "backend")),
    "decline": Field(Str(ID, "downsell")),
    "slug": Field(Str(r"[A-Za-z0-9][A-Za-z0-9_-]*(/[A-Za-z0-9_-]+)*", "free-ebook",
                      "is not a valid URL slug (letters, digits, '-', '_'; '/' only between parts)")),
    "variant": Field(Str(VARIANT_ID, "b", "is not a valid variant label"), default="a"),
    "index": Field(Bool()),
    "final": Field(Bool(), default=False),
    **SPLIT_FIELDS,
}
STEP = Struct(_step_fields, example="{id: gift, kind: thankyou, page: gift.md}")
# In a funnel's list a bare id reuses a step defined in another funnel (shared steps).
STEP_OR_REF = OneOf(Str(ID, "gift", "is not a valid step id"), STEP)

FUNNEL = Struct({
    "title": Field(Str(example="ブログ読者向け")),
    "steps": Field(ListOf(STEP_OR_REF, example="[...]"), required=True),
}, example="{steps: [...]}")

def _billing_terms(value, path, ctx) -> None:
    """A fixed number of charges (count) and a commitment that then renews (minimum) are two different
    contracts; a subscription says one or the other."""
    if value.get("count") and value.get("minimum"):
        ctx.error(f"{path}.minimum", value.lines.get("minimum"),
                  "count (a fixed number of charges) and minimum (a commitment, then automatic renewal) exclude "
                  "each other", "Keep count for a fixed term, or minimum for 「最低N回、以降自動更新」.")


BILLING = Struct({
    "interval": Field(Str(choices=("week", "month", "year"), example="month"), required=True),
    "count": Field(Number(minimum=1, integer=True, example="6"), doc="number of charges; omit for until cancelled"),
    "minimum": Field(Number(minimum=2, integer=True, example="3"),
                     doc="a renewing subscription that cannot be cancelled before this many charges (最低契約期間)"),
    "cancel_by": Field(Str(example="毎月20日までのお申し出で翌月分から解約できます"),
                       doc="how and by when a subscription is cancelled (shown beside the price and on the 表記 page)"),
}, example="{interval: month, count: 6}", after=_billing_terms)

OFFER = Struct({
    "name": Field(Str(example="動画講座"), required=True),
    "price": Field(Number(example="1980"), required=True, doc="per charge"),
    "currency": Field(Str(choices=CURRENCIES, example="JPY")),
    "tax": Field(Str(choices=("included", "excluded"), example="included"), default="included"),
    "tax_rate": Field(Number(minimum=0, example="0.10"), default=0.10),
    "checkout": Field(Url("https://buy.stripe.com/xxxxxxxx")),
    "billing": Field(BILLING),
    "trial_days": Field(Number(minimum=1, integer=True, example="14")),
    "quantity": Field(Str(example="1本（動画6本）"), doc="what one purchase contains"),
    "payment_methods": Field(Str(example="クレジットカード")),
    "payment_timing": Field(Str(example="ご注文時に決済")),
    "delivery": Field(Str(example="決済完了後すぐ")),
    "cancellation": Field(Str(example="30日間返金保証")),
    "extra_charges": Field(Str(example="送料500円（税込）"),
                           doc="costs besides the price for this offer (default: legal.extra_charges)"),
    "description": Field(Str(example="...")),
    "features": Field(ListOf(Str(example="動画6本")), doc="what the offer includes, listed in a plan table"),
    "compare_at_price": Field(Number(example="29800"), doc="struck-through regular price (needs compare_at_basis)"),
    "compare_at_basis": Field(Str(example="2026年9月1日〜11月30日の通常販売価格"),
                              doc="why the regular price is real (景品表示法 二重価格)"),
    "ends_at": Field(Str(DATETIME, "'2026-12-31 23:59'", "is not a date and time like 2026-12-31 23:59"),
                     doc="absolute end of the offer (JST for language: ja unless a zone is given)"),
}, example="{name: ..., price: 1980, checkout: https://buy.stripe.com/...}")

def _date_range(value, path, ctx) -> None:
    """min_days/max_days make sense only on dates, and only in that order."""
    lines = getattr(value, "lines", {})
    lo, hi = value.get("min_days"), value.get("max_days")
    if (lo is not None or hi is not None) and value.get("type") not in ("date", "datetime"):
        key = "min_days" if lo is not None else "max_days"
        ctx.error(f"{path}.{key}", lines.get(key), f"{key} applies only to type: date or datetime",
                  "Add `type: date` to this field, or remove the key.")
    elif lo is not None and hi is not None and lo > hi:
        ctx.error(f"{path}.max_days", lines.get("max_days"), f"max_days ({hi}) is before min_days ({lo})",
                  f"Write max_days: {lo} or more.")


FORM_FIELD = OneOf(
    Str(r"[a-z][a-z0-9_]*", "email", "is not a valid field name"),
    Struct({
        "name": Field(Str(r"[a-z][a-z0-9_]*", "company", "is not a valid field name"), required=True),
        "label": Field(Str(example="会社名")),
        "type": Field(Str(choices=FIELD_TYPES, example="text")),
        "required": Field(Bool(), default=True),
        "placeholder": Field(Str(example="例：山田 花子")),
        "options": Field(ListOf(Str(example="A"))),
        "autocomplete": Field(Str(example="organization")),
        "inputmode": Field(Str(choices=INPUTMODES, example="numeric"), doc="on-screen keyboard (default: by type)"),
        "min_days": Field(Number(minimum=-36600, integer=True, example="1"),
                          doc="date/datetime: earliest choice, in days from the visitor's today (default 0)"),
        "max_days": Field(Number(minimum=-36600, integer=True, example="60"),
                          doc="date/datetime: latest choice, in days from the visitor's today (default 365)"),
    }, example="{name: company, label: 会社名}", after=_date_range),
)

FORM = Struct({
    "provider": Field(Str(choices=("netlify", "post"), example="netlify"), default="netlify"),
    "fields": Field(ListOf(FORM_FIELD, example="[name, email]"), required=True),
    "action": Field(Url("https://app.convertkit.com/forms/123/subscriptions"), doc="provider: post only"),
    "field_map": Field(MapOf(Str(r"[A-Za-z0-9_\[\]\-]+", "EMAIL", "is not a valid field name"),
                             key_pattern=r"[a-z][a-z0-9_]*")),
    "redirect_field": Field(Str(r"[A-Za-z0-9_\[\]\-]+", "_next", "is not a valid field name")),
    "honeypot": Field(Str(r"[A-Za-z0-9_\[\]\-]+", "bot-field", "is not a valid field name")),
    "consent": Field(Str(example="ことのは舎（佐藤美咲）から、メール講座とご案内をお送りします。")),
    "consent_checkbox": Field(Bool(), default=True),
    "purpose": Field(Str(example="ご入力の情報は、特典のお届けとご案内にのみ使います。")),
    "button": Field(Str(example="無料で受け取る")),
}, example="{provider: netlify, fields: [name, email]}")


TRACKING = Struct({
    **{v.key: Field(v.spec, doc=f"{v.name}: {v.docs}") for v in VENDORS},
    "head": Field(Str(example="<script>...</script>"), doc="raw HTML for the end of <head> on every page"),
    "body": Field(Str(example="<script>...</script>"), doc="raw HTML for the end of <body> on every page"),
    "server_events": Field(Str(choices=("netlify", "cloudflare-pages"), example="netlify"),
                           doc="write the Stripe-webhook function that sends purchases from the server "
                               "(docs/server-events.md) for this host"),
    "browser_purchase": Field(Bool(), default=True,
                              doc="send the purchase from the buyer's browser too (turn off once server_events "
                                  "reports purchases)"),
    "on_legal_pages": Field(Bool(), default=False,
                            doc="also load the vendor tags on the 表記, privacy and 404 pages (off: they measure nothing "
                                "a funnel needs, and a privacy page should not track its readers)"),
}, example="{ga4: G-XXXXXXXXXX}")

LEGAL = Struct({
    "seller": Field(Str(example="合同会社ことのは舎"), required=True, doc="legal name (販売業者)"),
    "representative": Field(Str(example="佐藤 美咲"), required=True),
    "address": Field(Str(example="東京都…1-2-3"), required=True),
    "phone": Field(Str(r"\+?[0-9][0-9 ()-]{8,}", "03-1234-5678", "is not a phone number"), required=True),
    "email": Field(Str(r"[^@\s]+@[^@\s]+\.[^@\s]+", "hello@example.jp", "is not an email address"), required=True),
    "business_name": Field(Str(example="ことのは舎")),
    "extra_charges": Field(Str(example="インターネット接続料金・通信料金はお客様のご負担です。"), required=True),
    "payment_methods": Field(Str(example="クレジットカード"), required=True),
    "payment_timing": Field(Str(example="ご注文時にお支払いが確定します。"), required=True),
    "delivery_timing": Field(Str(example="決済完了後すぐにご覧いただけます。"), required=True),
    "returns": Field(Str(example="デジタル商品の性質上…"), required=True),
    "on_request": Field(ListOf(Str(choices=("representative", "address", "phone"), example="phone")),
                        doc="shown as 'provided on request' (特商法11条ただし書); keep the real value here"),
    "privacy": Field(Struct({
        "purposes": Field(ListOf(Str(example="特典のお届け")), required=True),
        "third_parties": Field(Str(example="法令に基づく場合を除き…")),
        "security": Field(Str(example="…安全管理措置を講じます。")),
        "requests": Field(Str(example="開示等のご請求は…")),
        "updated": Field(Str(r"\d{4}-\d{2}-\d{2}", "2026-11-01", "is not a date (YYYY-MM-DD)"),
                         doc="最終改定日 (last revision), shown as 「最終改定日：2026年11月1日」"),
        "established": Field(Str(r"\d{4}-\d{2}-\d{2}", "2025-04-01", "is not a date (YYYY-MM-DD)"),
                             doc="制定日 (first published)"),
        "recipients": Field(ListOf(Struct({
            "name": Field(Str(example="株式会社〇〇（メール配信）"), required=True),
            "country": Field(Str(example="日本"), required=True, doc="where it processes the data (個人情報保護法28条)"),
            "purpose": Field(Str(example="メールマガジンの配信")),
            "host": Field(Str(example="example-mail.jp"), doc="the form-action or checkout host it stands for"),
        }, example="{name: ..., country: 日本}")), doc="other services that receive personal data (email service, "
                                                     "booking system); Stripe, Netlify and common email services "
                                                     "are listed automatically"),
    }, example="{purposes: [...]}"), required=True),
}, example="{seller: ..., address: ..., phone: ..., email: ...}")

REDIRECT = Struct({
    "from": Field(Str(r"/[A-Za-z0-9._~/-]*", "/seminar/", "is not a path on the site (it starts with / and holds "
                      "letters, digits, '-', '_', '.', '/')"), required=True),
    "to": Field(Str(example="optin"), required=True, doc="a step id, a path on the site (/gift/) or an https:// URL"),
    "status": Field(Number(integer=True, example="301"), default=301, doc="301 (permanent) or 302 (temporary)"),
}, example="{from: /seminar/, to: webinar, status: 301}")

SITE = Struct({
    "title": Field(Str(example="ことのは舎"), required=True),
    "base_url": Field(Url("https://example.netlify.app/"), required=True),
    "language": Field(Str(choices=LANGUAGES, example="ja"), default="ja"),
    "theme": Field(Str(example="default"), default="default"),
    "home": Field(Str(ID, "optin", "is not a step id"), doc="step shown at / (default: first funnel's entry)"),
    "description": Field(Str(example="...")),
    "accent_color": Field(Str(r"#[0-9a-fA-F]{6}", "'#d9480f'", "is not a colour like #d9480f"), default="#c2410c"),
    "allow_html": Field(Bool(), default=False, doc="allow raw HTML inside Markdown"),
    "line_url": Field(Str(LINE_URL, "https://lin.ee/AbCdEfG",
                          "is not a LINE official account URL (https://lin.ee/… or https://line.me/R/ti/p/@…)"),
                      doc="the LINE official account's add-friend URL, for the 友だち追加 button"),
    "logo": Field(Str(example="/images/logo.png"), doc="image in static/ shown in the header instead of the title"),
    "favicon": Field(Str(example="/images/icon.png"),
                     doc="one square image in static/ (PNG, at least 512×512): favicon.ico, touch icon, manifest"),
    "share_image": Field(Str(example="/images/share.png"),
                         doc="image in static/ for og:image on pages without their own image:"),
    "industry": Field(ListOf(Str(choices=INDUSTRIES, example="judo")),
                      doc="switch on the industry rule packs of funnelgen check (health-food, cosmetics, judo, medical)"),
    "audience": Field(ListOf(Str(choices=AUDIENCES, example="eu")),
                      doc="whose law `funnelgen check` applies: jp (always on for language: ja), eu, us"),
    "host": Field(Str(choices=tuple(h.key for h in HOSTS), example="netlify"), default="netlify",
                  doc="where the output is deployed: decides _headers/_redirects, .nojekyll and the form providers"),
    "csp": Field(Str(choices=("enforce", "report-only", "off"), example="enforce"), default="enforce",
                 doc="the Content-Security-Policy computed for each page (funnelgen/csp.py)"),
}, example="{title: ..., base_url: https://..., language: ja}")

ROOT = Struct({
    "site": Field(SITE, required=True),
    "legal": Field(LEGAL, required=True),
    "offers": Field(MapOf(OFFER), default=dict),
    "forms": Field(MapOf(FORM), default=dict),
    "tracking": Field(TRACKING, default=dict),
    "funnels": Field(MapOf(FUNNEL), required=True),
    "pages": Field(ListOf(STEP, example="[{id: about, page: about.md}]"), default=list),
    "redirects": Field(ListOf(REDIRECT, example="[{from: /old/, to: optin}]"), default=list),
})


def find_config(src: Path) -> Path:
    for name in CONFIG_NAMES:
        candidate = src / name
        if candidate.is_file():
            return candidate
    from .errors import Problem, rel

    raise BuildError([Problem(rel(src), f"no site config found (looked for {', '.join(CONFIG_NAMES)})",
                              hint="Run funnelgen in a site folder, or pass the folder: funnelgen build site_src")])


def load_config(src: Path, cache=None) -> tuple[Path, dict]:
    """Read site.yml and validate it against the schema; raise BuildError on problems (`cache`: a
    frontcache.FrontMatterCache, so an unchanged site.yml is not parsed again)."""
    from .errors import Problem, rel
    from .pages import link_problem

    path = find_config(src)
    if (problem := link_problem(path, src)) is not None:  # its values are published (title, legal …)
        raise BuildError([problem])
    raw = load_yaml_file(path, cache.parse) if cache is not None else load_yaml_file(path)
    ctx = Context(rel(path))
    if not isinstance(raw, dict):
        raise BuildError([Problem(ctx.file, "the file must be a YAML mapping with site:, legal:, offers:, funnels: …",
                                  line=1, hint="See docs/format.md for a complete example.")])
    data = ROOT.check(raw, "", 1, ctx)
    check_prices(data, ctx)
    if data.get("funnels") == {}:
        ctx.error("funnels", raw.lines.get("funnels"), "no funnel: funnels: is empty",
                  "Add a funnel with its steps, e.g. funnels: {main: {steps: [...]}} (see docs/format.md).")
    if ctx.problems:
        raise BuildError(ctx.problems)
    return path, data


MAX_TAX_RATE = 1  # a rate is a fraction: 0.10 is 10 %


def check_prices(data: dict, ctx: Context) -> None:
    """Tax rates are fractions (the currency's decimals are checked in model.py, next to prices.MINOR_UNITS)."""
    from decimal import Decimal

    for oid, offer in (data.get("offers") or {}).items():
        lines = getattr(offer, "lines", {})
        rate = offer.get("tax_rate")
        if rate is not None and rate >= MAX_TAX_RATE:
            ctx.error(f"offers.{oid}.tax_rate", lines.get("tax_rate"), f"tax_rate {rate} is not a rate: a rate is a "
                      "fraction, at least 0 and below 1 (0.10 is 10 %)",
                      f"Write tax_rate: {Decimal(str(rate)) / 100} (write 0.10 for 10 %).")
