"""`funnelgen check`: one small broken site per rule (the rule fires with the right message), the example
site is clean, and error-level rules fail `funnelgen build` without touching the previous output."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import MINIMAL_CONFIG, copy_example, write_site

from funnelgen.check import check_source
from funnelgen.cli import main
from funnelgen.errors import BuildError
from funnelgen.rules import RULES

ROOT = Path(__file__).resolve().parent.parent

# The minimal test site, made clean under every rule (real-looking phone and mail, a stated purpose).
CLEAN = copy.deepcopy(MINIMAL_CONFIG)
CLEAN["legal"].update(phone="03-6805-4127", email="info@tesuto-shoten.jp")
CLEAN["forms"]["lead"]["purpose"] = "ご入力の情報は特典のお届けにのみ使います。"
NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)


def make(tmp_path, change=None, pages=None, templates=None) -> Path:
    cfg = copy.deepcopy(CLEAN)
    if change:
        change(cfg)
    src = write_site(tmp_path / "site", cfg, pages)
    for name, text in (templates or {}).items():
        path = src / "templates" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return src


def run(src, **kw):
    kw.setdefault("now", NOW)
    kw.setdefault("preview", False)
    return check_source(src, **kw)


def found(problems, rule, text="", severity="error"):
    hits = [p for p in problems if p.rule == rule and text in p.message and p.severity == severity]
    assert hits, f"no {severity} {rule} containing {text!r} in:\n" + "\n".join(p.format() for p in problems)
    return hits[0]


def steps(cfg):
    return cfg["funnels"]["main"]["steps"]


def page(body, front="title: x"):
    return f"---\n{front}\n---\n\n{body}\n"


# -- the example site and the clean minimal site -----------------------------------------------------

def test_example_site_is_clean_with_zero_warnings(tmp_path):
    src = copy_example(tmp_path / "site")
    problems = check_source(src, preview=False)
    assert problems == [], "\n".join(p.format() for p in problems)


def test_minimal_clean_site_is_clean(tmp_path):
    assert run(make(tmp_path)) == []


def test_rules_are_registered_once_with_why_and_docs():
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    docs = (ROOT / "docs" / "check.md").read_text(encoding="utf-8")
    for r in RULES:
        assert r.why and r.doc, r.id
        assert f"`{r.id}`" in docs, f"{r.id} is not documented in docs/check.md"


# -- integrity -----------------------------------------------------------------------------------------

def test_config_errors_are_reported(tmp_path):
    p = found(run(make(tmp_path, lambda c: c["site"].update(language="fr"))), "config.schema", "'fr'")
    assert p.key == "site.language"


def test_graph_unreachable(tmp_path):
    src = make(tmp_path, lambda c: steps(c).append({"id": "orphan", "kind": "page", "page": "orphan.md"}))
    found(run(src), "graph.unreachable", "step 'orphan' is unreachable")


def test_graph_dead_end(tmp_path):
    src = make(tmp_path, lambda c: steps(c)[2].pop("next"))
    found(run(src), "graph.dead-end", "dead end: sales step 'starter' has no 'next'")


def test_graph_unknown_reference(tmp_path):
    src = make(tmp_path, lambda c: steps(c)[1].update(next="nowhere"))
    found(run(src), "graph.references", "unknown step 'nowhere'")


def test_links_resolve(tmp_path):
    src = make(tmp_path, pages={"gift.md": page("[PDF](/downloads/missing.pdf)\n\n[上へ](#nope)"),
                                "thanks.md": page("![](img/a.png)")})
    problems = run(src)
    p = found(problems, "links.resolve", "/downloads/missing.pdf is not part of the built site")
    assert p.file.endswith("gift.md") and p.line == 5
    found(problems, "links.resolve", "no element with id 'nope'")
    # images go through the media pipeline, which names the file it looked for (relative to the page's URL)
    image = next(p for p in problems if "/thanks/img/a.png" in p.message)
    assert "does not exist" in image.message and image.file.endswith("thanks.md")


def test_forms_netlify(tmp_path):
    form = ('<form name="{{ form.id }}" method="POST" action="{{ form.action }}" data-netlify="true">'
            '<input name="email"><p class="purpose">目的</p><a href="{{ privacy_url }}">p</a>'
            '<button>無料で受け取る</button></form>')
    problems = run(make(tmp_path, templates={"partials/form.html": form}))
    found(problems, "forms.netlify", "has no hidden form-name input")
    found(problems, "forms.netlify", "has no honeypot")


def test_payments_success_url(tmp_path):
    def change(c):
        steps(c)[2].pop("next")
        steps(c)[2]["final"] = True
        steps(c).pop()  # thanks
    found(run(make(tmp_path, change)), "payments.success-url", "have no page to return to")


def test_payments_test_keys_warn_in_production_only(tmp_path):
    src = make(tmp_path, lambda c: c["offers"]["starter"].update(checkout="https://buy.stripe.com/test_abc123"))
    found(run(src), "payments.test-keys", "Stripe test-mode payment link", severity="warning")
    assert not [p for p in run(src, preview=True) if p.rule == "payments.test-keys"]


def test_payments_secret_key_is_an_error(tmp_path):
    src = make(tmp_path, lambda c: c.update(tracking={"body": "<script>var k='sk_live_abcdefgh12345'</script>"}))
    found(run(src), "payments.test-keys", "secret API key")


def test_payments_encoded_session_placeholder(tmp_path):
    url = "https://buy.stripe.com/abc123?next=%7BCHECKOUT_SESSION_ID%7D"
    src = make(tmp_path, lambda c: c["offers"]["starter"].update(checkout=url))
    found(run(src), "payments.checkout-url", "URL-encoded")


def test_privacy_pii_in_urls(tmp_path):
    src = make(tmp_path, pages={"gift.md": page("[次へ](https://other.example.org/?email=a@b.jp)")})
    found(run(src), "privacy.pii-in-urls", "carries personal data (email)")


# -- tracking ------------------------------------------------------------------------------------------

def test_tracking_placeholder_ids(tmp_path):
    src = make(tmp_path, lambda c: c.update(tracking={"ga4": "G-XXXXXXXXXX", "meta_pixel": "111111111111111",
                                                      "gtm": "GTM-AB12CD3"}))
    problems = run(src)
    found(problems, "tracking.placeholder-ids", "tracking.ga4 'G-XXXXXXXXXX' is a placeholder")
    found(problems, "tracking.placeholder-ids", "tracking.meta_pixel")
    found(problems, "tracking.placeholder-ids", "example ID from the documentation", severity="warning")


def test_tracking_placeholder_in_pasted_snippet(tmp_path):
    src = make(tmp_path, lambda c: c.update(tracking={"head": "<script>fbq('init','YOUR_PIXEL_ID')</script>"}))
    found(run(src), "tracking.placeholder-ids", "YOUR_PIXEL_ID")


def test_tracking_placement_duplicate(tmp_path):
    dup = '<script async src="https://www.googletagmanager.com/gtag/js?id=G-K7T2Q9X4LM"></script>'
    src = make(tmp_path, lambda c: c.update(tracking={"ga4": "G-K7T2Q9X4LM", "head": dup}))
    found(run(src), "tracking.placement", "GA4 gtag.js appears 2 times")


def test_tracking_placement_outside_head(tmp_path):
    base = (ROOT / "themes/default/templates/base.html").read_text(encoding="utf-8")
    moved = base.replace("{{ tracking_head }}\n", "", 1).replace("</body>", "{{ tracking_head }}</body>")
    src = make(tmp_path, lambda c: c.update(tracking={"ga4": "G-K7T2Q9X4LM"}), templates={"base.html": moved})
    found(run(src), "tracking.placement", "is not in <head>")


def test_tracking_events(tmp_path):
    cta = '{% if action %}<a class="btn" href="{{ action.href }}">{{ action.label }}</a>{% endif %}'
    src = make(tmp_path, templates={"partials/cta.html": cta})
    found(run(src), "tracking.events", "does not fire begin_checkout")


def test_tracking_purchase_unpaid(tmp_path):
    gift = page("本文", "title: g\nbody: \"<script>gtag('event','purchase',{value:1})</script>\"")
    src = make(tmp_path, pages={"gift.md": gift,
                                "optin.md": page("[購入済みの方](/thanks/?fg_offer=starter&session_id=x)")})
    problems = run(src)
    found(problems, "tracking.purchase-unpaid", "fires a purchase event from pasted code")
    found(problems, "tracking.purchase-unpaid", "pretends to come back from checkout")


# -- Japanese law --------------------------------------------------------------------------------------

def test_jp_tokushoho_fields(tmp_path):
    def change(c):
        c["legal"].update(seller="Test Shop", address="東京都千代田区丸の内", returns="未定")
    problems = run(make(tmp_path, change))
    found(problems, "jp.tokushoho-fields", "is the shop name, not the seller's legal name")
    found(problems, "jp.tokushoho-fields", "has no 番地")
    found(problems, "jp.tokushoho-fields", "legal.returns is still a placeholder")


def test_jp_tokushoho_on_request_is_rendered(tmp_path):
    src = make(tmp_path, lambda c: c["legal"].update(on_request=["phone"]))
    assert run(src) == []
    out = tmp_path / "out"
    from funnelgen.build import build

    build(src, out)
    legal = (out / "legal" / "index.html").read_text(encoding="utf-8")
    assert "ご請求いただければ遅滞なく" in legal and "03-6805-4127" not in legal


def test_jp_tokushoho_page(tmp_path):
    legal = '{% extends "base.html" %}{% block main %}<table><tr><th>販売業者</th><td>{{ legal.seller }}</td></tr></table>{% endblock %}'
    problems = run(make(tmp_path, templates={"legal.html": legal}))
    found(problems, "jp.tokushoho-page", "no '所在地' entry")


def test_jp_tokushoho_link(tmp_path):
    footer = '<footer><a href="{{ privacy_url }}">privacy</a></footer>'
    src = make(tmp_path, pages={"gift.md": page("講座は1,980円（税込）です。")}, templates={"partials/footer.html": footer})
    p = found(run(src), "jp.tokushoho-link", "/gift/ shows a price")
    assert p.file.endswith("gift.md")


def test_jp_final_confirmation(tmp_path):
    summary = '<table class="facts summary"><tr><th>{{ t.price }}</th><td>{{ offer.price_label }}</td></tr></table>'
    problems = run(make(tmp_path, templates={"partials/order_summary.html": summary}))
    found(problems, "jp.final-confirmation", "has no 'お支払い時期'")
    found(problems, "jp.final-confirmation", "has no 'キャンセル・返品'")


def test_jp_final_confirmation_subscription(tmp_path):
    summary = ('<table class="facts summary">{% for k in ["quantity","payment_methods","payment_timing","delivery",'
               '"cancellation","billing_terms"] %}<tr><th>{{ t[k] }}</th><td>x</td></tr>{% endfor %}'
               '<tr><th>{{ t.price }}</th><td>月額（税込）</td></tr></table>')
    src = make(tmp_path, lambda c: c["offers"]["starter"].update(billing={"interval": "month"}),
               templates={"partials/order_summary.html": summary})
    problems = run(src)
    found(problems, "jp.final-confirmation", "does not show the price per charge")
    found(problems, "jp.final-confirmation", "does not say whether it renews automatically")


def test_jp_order_button(tmp_path):
    src = make(tmp_path, pages={"starter.md": page("本文", "title: s\ncta: 次へ")})
    p = found(run(src), "jp.order-button", "only says '次へ'")
    assert p.line == 3


def test_jp_total_price(tmp_path):
    body = "価格は10,000円（税抜）です。\n\n今なら29,800円でご案内します。\n\n月商100万円を目指す方へ。"
    problems = run(make(tmp_path, pages={"starter.md": page(body)}))
    p = found(problems, "jp.total-price", "shows a price without tax (税抜/+税)")
    assert p.line == 5
    found(problems, "jp.total-price", "29,800円", severity="warning")
    assert not [x for x in problems if "100万円" in x.message]


def test_jp_countdown(tmp_path):
    body = ("::: countdown 締切まで\n:::\n\n::: countdown 終了 ends_at=\"2026-01-31 23:59\"\n:::\n\n"
            "::: countdown あと duration=\"24h\"\n:::\n\n::: countdown 本当の締切 ends_at=\"2026-12-31\"\n:::\n")
    problems = run(make(tmp_path, pages={"starter.md": page(body)}))
    found(problems, "jp.countdown", "needs an absolute ends_at")
    p = found(problems, "jp.countdown", "countdown ended at 2026-01-31 23:59")
    assert p.line == 8
    found(problems, "jp.countdown", "per-visitor (evergreen) countdowns are not supported")
    assert len([x for x in problems if x.rule == "jp.countdown"]) == 3


def test_jp_countdown_renders_absolute_time(tmp_path):
    body = '::: countdown 締切 ends_at="2026-12-31 23:59"\n:::\n'
    src = make(tmp_path, pages={"starter.md": page(body)})
    from funnelgen.build import build

    build(src, tmp_path / "out")
    html = (tmp_path / "out" / "starter" / "index.html").read_text(encoding="utf-8")
    assert "2026年12月31日 23:59まで（日本時間）" in html


def test_jp_offer_deadline_past(tmp_path):
    src = make(tmp_path, lambda c: c["offers"]["starter"].update(ends_at="2026-03-01 00:00"))
    found(run(src), "jp.countdown", "offer 'starter' ended at 2026-03-01 00:00")


def test_jp_compare_at_price(tmp_path):
    src = make(tmp_path, lambda c: c["offers"]["starter"].update(compare_at_price=980),
               pages={"starter.md": page("通常価格 ~~2,980円~~ → 1,980円（税込）")})
    problems = run(src)
    found(problems, "jp.compare-at-price", "has compare_at_price but no compare_at_basis")
    found(problems, "jp.compare-at-price", "is not above the price")
    found(problems, "jp.compare-at-price", "struck-through price '2,980円'")


def test_jp_compare_at_price_with_basis_is_clean(tmp_path):
    basis = "2026年3月1日〜5月31日の販売価格"
    src = make(tmp_path, lambda c: c["offers"]["starter"].update(compare_at_price=2980, compare_at_basis=basis),
               pages={"starter.md": page(f"通常価格 ~~2,980円（税込）~~ → 1,980円（税込）\n\n※通常価格は{basis}です。")})
    assert [p for p in run(src) if p.rule == "jp.compare-at-price"] == []


def test_jp_pr_label(tmp_path):
    body = '::: testimonial name="A" compensated="はい"\n良かったです。\n:::\n'
    found(run(make(tmp_path, pages={"starter.md": page(body)})), "jp.pr-label", "neither true nor false")
    override = '<figure class="testimonial" data-compensated="true">{{ content }}</figure>'
    body = '::: testimonial name="A" compensated="true"\n良かったです。\n:::\n'
    src = make(tmp_path / "b", pages={"starter.md": page(body)}, templates={"blocks/testimonial.html": override})
    found(run(src), "jp.pr-label", "has no 広告/PR label")


def test_jp_pr_label_default_theme_labels_compensated(tmp_path):
    body = '::: testimonial name="A" compensated="yes"\n良かったです。\n:::\n'
    assert run(make(tmp_path, pages={"starter.md": page(body)})) == []


def test_jp_superlatives(tmp_path):
    problems = run(make(tmp_path, pages={"starter.md": page("業界No.1の講座です。")}))
    p = found(problems, "jp.superlatives", "'No.1'", severity="warning")
    assert p.line == 5
    src = make(tmp_path / "b", pages={"starter.md": page("業界No.1の講座です。\n\n※2026年5月 自社調べ")})
    assert [p for p in run(src) if p.rule == "jp.superlatives"] == []


def test_jp_form_purpose(tmp_path):
    src = make(tmp_path, lambda c: c["forms"]["lead"].pop("purpose"))
    found(run(src), "jp.form-purpose", "form 'lead' has no purpose", severity="warning")
    form = ('<form name="{{ form.id }}" method="POST" action="{{ form.action }}">'
            '<input name="email"><button>無料で受け取る</button></form>')
    problems = run(make(tmp_path / "b", templates={"partials/form.html": form}))
    found(problems, "jp.form-purpose", "does not state the purpose of use")
    found(problems, "jp.form-purpose", "no link to the privacy policy")


def test_jp_consent_text(tmp_path):
    src = make(tmp_path, lambda c: c["forms"]["lead"].update(consent="同意します。"))
    problems = run(src)
    found(problems, "jp.consent-text", "does not name the sender", severity="warning")
    found(problems, "jp.consent-text", "does not say what will be sent", severity="warning")


def test_jp_consent_box_not_pre_ticked(tmp_path):
    form = (ROOT / "themes/default/templates/partials/form.html").read_text(encoding="utf-8")
    form = form.replace('type="checkbox" value="yes" required', 'type="checkbox" value="yes" checked required')
    found(run(make(tmp_path, templates={"partials/form.html": form})), "jp.consent-text", "is pre-ticked")


def test_jp_privacy_sections_and_external_transmission(tmp_path):
    privacy = '{% extends "base.html" %}{% block main %}<h2>利用目的</h2>{% endblock %}'
    src = make(tmp_path, lambda c: c.update(tracking={"ga4": "G-K7T2Q9X4LM"}), templates={"privacy.html": privacy})
    problems = run(src)
    found(problems, "jp.privacy-sections", "no '安全管理措置' section")
    found(problems, "jp.privacy-sections", "does not show legal.address")
    found(problems, "jp.external-transmission", "no 外部送信 notice")


def test_jp_rules_off_for_english_sites_unless_selected(tmp_path):
    def english(c):
        c["site"]["language"] = "en"
        c["forms"]["lead"]["consent"] = "Test Shop sends you a weekly email."
        c["forms"]["lead"]["purpose"] = "Only to send the gift."
    src = make(tmp_path, english, pages={"starter.md": page("Now 10,000円 plus tax")})
    assert [p for p in run(src) if p.rule.startswith("jp.")] == []
    src = make(tmp_path / "b", lambda c: (english(c), c["site"].update(audience=["jp"])),
               pages={"starter.md": page("Now 10,000円 plus tax")})
    found(run(src), "jp.total-price", "without tax")


# -- EU / US -------------------------------------------------------------------------------------------

TAGS = {"ga4": "G-K7T2Q9X4LM", "meta_pixel": "104857361920475", "tiktok": "CJMB7ERC77U2JVNG7RX9",
        "line_tag": "3f6a2c1e-8b4d-4f7a-9c2e-5d1b0a7e6f43"}


def test_eu_default_theme_is_clean_and_gates_tags(tmp_path):
    src = make(tmp_path, lambda c: c.update(tracking=dict(TAGS)) or c["site"].update(audience=["eu"]))
    assert run(src) == []
    from funnelgen.build import build

    build(src, tmp_path / "out")
    html = (tmp_path / "out" / "optin" / "index.html").read_text(encoding="utf-8")
    assert html.index("gtag('consent','default'") < html.index('<template id="fg-consent-tags"')
    assert "facebook.com/tr?id" not in html and 'id="fg-consent"' in html and "data-fg-consent-open" in html
    legal = (tmp_path / "out" / "legal" / "index.html").read_text(encoding="utf-8")
    assert "/assets/funnel." in legal and 'id="fg-consent"' in legal


def test_eu_consent_banner_missing(tmp_path):
    src = make(tmp_path, lambda c: c["site"].update(audience=["eu"]), templates={"partials/consent.html": ""})
    found(run(src), "eu.consent-banner", "has no consent banner")


def test_eu_consent_mode(tmp_path):
    base = (ROOT / "themes/default/templates/base.html").read_text(encoding="utf-8")
    plain = base.replace('{% set eu = "eu" in site.audience %}', "{% set eu = false %}", 1)
    assert plain != base
    raw = '<script async src="https://analytics.tiktok.com/i18n/pixel/events.js?sdkid=X"></script>'

    def change(c):
        c["site"]["audience"] = ["eu"]
        c["tracking"] = {"ga4": TAGS["ga4"], "meta_pixel": TAGS["meta_pixel"], "head": raw}
    problems = run(make(tmp_path, change, templates={"base.html": plain}))
    found(problems, "eu.consent-mode", "runs before Consent Mode defaults are denied")
    found(problems, "eu.consent-mode", "initialised before fbq('consent','revoke')")
    found(problems, "eu.consent-mode", "loads before consent")
    found(problems, "eu.consent-mode", "noscript tracking pixel")
    found(problems, "eu.consent-banner", "no consent banner")


def test_us_renewal_terms(tmp_path):
    def change(c):
        c["site"].update(audience=["us"])
        c["offers"]["starter"]["billing"] = {"interval": "month"}
    assert run(make(tmp_path, change, pages={"starter.md": page("本文\n\n::: cta\n:::\n")})) == []
    # a site template that puts the payment link in a box of its own, away from the summary and its terms
    sales = ('{% extends "page.html" %}{% block action %}<section id="order">{% include "partials/order_summary.html" %}'
             '</section><div class="buy"><a class="btn" href="{{ action.href }}" data-fg-checkout '
             'data-fg-offer="{{ action.offer }}">購入する</a></div>{% endblock %}')
    src = make(tmp_path / "b", change, pages={"starter.md": page("本文\n\n::: cta\n:::\n")},
               templates={"sales.html": sales})
    problems = run(src)
    found(problems, "us.renewal-terms", "has no renewal terms next to it")
    assert len([p for p in problems if p.rule == "us.renewal-terms"]) == 1  # the ::: cta scrolls, it is no link
    found(problems, "jp.final-confirmation", "does not come right after the order summary")


# -- build and CLI -------------------------------------------------------------------------------------

def test_build_fails_on_check_errors_and_keeps_previous_output(tmp_path):
    from funnelgen.build import build

    src = make(tmp_path)
    out = tmp_path / "out"
    build(src, out)
    before = (out / "gift" / "index.html").read_bytes()
    (src / "pages" / "gift.md").write_text(page("[PDF](/downloads/missing.pdf)"), encoding="utf-8")
    with pytest.raises(BuildError) as exc:
        build(src, out)
    assert [p.rule for p in exc.value.problems] == ["links.resolve"]
    assert (out / "gift" / "index.html").read_bytes() == before
    assert not list(tmp_path.glob(".out.staging-*"))


def test_build_ignores_warnings(tmp_path):
    """A warning-level finding (a price without 税込 in the copy) is reported by check but does not stop the
    build; --strict would."""
    from funnelgen.build import build

    src = make(tmp_path, pages={"starter.md": page("今なら29,800円でご案内します。")})
    warned = [p for p in run(src) if p.rule == "jp.total-price"]
    assert warned and all(p.severity == "warning" for p in warned)
    result = build(src, tmp_path / "out")
    assert result.ok and "29,800円" in (tmp_path / "out" / "starter" / "index.html").read_text(encoding="utf-8")
    with pytest.raises(BuildError):
        build(src, tmp_path / "strict-out", strict=True)


def test_cli_check_text_json_strict_and_exit_codes(tmp_path):
    src = make(tmp_path, pages={"starter.md": page("今なら29,800円でご案内します。")})
    runner = CliRunner()
    text = runner.invoke(main, ["check", str(src)])
    assert text.exit_code == 0, text.output
    assert "starter.md" in text.output and "[jp.total-price]" in text.output and "why:" in text.output
    assert "0 errors, 1 warning" in text.output
    assert not (src / "dist").exists()  # check never touches the deploy output
    res = runner.invoke(main, ["check", str(src), "--format", "json", "--strict"])
    assert res.exit_code == 1
    data = json.loads(res.output)
    assert data["ok"] is False and data["errors"] == 1
    assert data["problems"][0]["rule"] == "jp.total-price" and data["problems"][0]["why"]
    broken = make(tmp_path / "b", lambda c: c.update(tracking={"ga4": "G-XXXXXXXXXX"}))
    assert runner.invoke(main, ["check", str(broken)]).exit_code == 1


def test_cli_allow_test_keys(tmp_path):
    src = make(tmp_path, lambda c: c["offers"]["starter"].update(checkout="https://buy.stripe.com/test_abc123"))
    runner = CliRunner()
    assert runner.invoke(main, ["check", str(src), "--strict"]).exit_code == 1
    assert runner.invoke(main, ["check", str(src), "--strict", "--allow-test-keys"]).exit_code == 0
