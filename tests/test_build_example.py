"""Integration: build the real example site and assert on the parsed HTML."""

from __future__ import annotations

import json

import pytest
import yaml
from bs4 import BeautifulSoup
from helpers import copy_example

from funnelgen.build import build


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    src = copy_example(tmp_path_factory.mktemp("ex") / "site")
    out = src.parent / "out"
    result = build(src, out)
    return src, out, result


def page(out, path) -> BeautifulSoup:
    return BeautifulSoup((out / path).read_text(encoding="utf-8"), "html.parser")


def test_builds_every_step_with_zero_warnings(built):
    _src, out, result = built
    assert result.warnings == []
    for slug in ("optin", "optin-sns", "gift", "starter", "upsell", "downsell", "apply", "thanks", "legal", "privacy"):
        assert (out / slug / "index.html").is_file(), slug
    for name in ("404.html", "sitemap.xml", "robots.txt", "_headers", "_redirects"):
        assert (out / name).is_file(), name


def test_home_is_a_netlify_rewrite_to_the_first_funnel_entry(built):
    _src, out, _ = built
    assert not (out / "index.html").exists()  # it would shadow the rewrite (docs.netlify.com/routing/redirects)
    rules = [line.split() for line in (out / "_redirects").read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    assert ["/", "/optin/", "200"] in rules
    assert page(out, "optin/index.html").find("form")["name"] == "lead-optin"


def test_lang_and_japanese_font_stack(built):
    _src, out, _ = built
    doc = page(out, "optin/index.html")
    assert doc.html["lang"] == "ja"
    assert "Noto Sans JP" in doc.style.text and "Hiragino" in doc.style.text


def test_optin_form_is_wired_to_next_step_for_netlify(built):
    _src, out, _ = built
    form = page(out, "optin/index.html").find("form", attrs={"data-fg-form": "lead"})
    assert form["method"] == "POST" and form["action"] == "/gift/"
    assert form["data-netlify"] == "true" and form["netlify-honeypot"] == "bot-field"
    hidden = {i["name"]: i.get("value", "") for i in form.find_all("input", type="hidden")}
    assert hidden["form-name"] == form["name"] == "lead-optin"  # one name per placed form, site-unique
    assert hidden["fg_step"] == "optin" and hidden["fg_funnel"] == "blog" and hidden["fg_variant"] == "a"
    for key in ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"):
        assert key in hidden
    assert "ことのは舎" in hidden["fg_consent"]
    assert form.find("input", attrs={"name": "bot-field"}) is not None


def test_optin_form_consent_labels_and_privacy_link(built):
    _src, out, _ = built
    form = page(out, "optin/index.html").find("form")
    for field in form.find_all(["input", "textarea", "select"]):
        if field.get("type") in ("hidden",) or field.get("name") == "bot-field":
            continue
        assert form.find("label", attrs={"for": field["id"]}), field
    box = form.find("input", type="checkbox")
    assert box is not None and not box.has_attr("checked") and box.has_attr("required")
    assert "合同会社ことのは舎" in form.text  # who sends
    assert form.find("a", href="/privacy/")
    assert "利用目的" in form.text


def test_variant_and_second_funnel(built):
    _src, out, _ = built
    hidden = {i["name"]: i.get("value") for i in page(out, "optin-sns/index.html").find_all("input", type="hidden")}
    assert hidden["fg_funnel"] == "instagram" and hidden["fg_variant"] == "sns"


def test_checkout_links_go_to_offer_checkout(built):
    src, out, _ = built
    configured = yaml.safe_load((src / "site.yml").read_text())["offers"]["starter"]["checkout"]
    link = page(out, "starter/index.html").find("a", attrs={"data-fg-checkout": True})
    assert link["href"] == configured
    assert link["data-fg-offer"] == "starter"


def test_upsell_has_accept_checkout_and_decline_link(built):
    _src, out, _ = built
    doc = page(out, "upsell/index.html")
    assert doc.find("a", attrs={"data-fg-checkout": True})["data-fg-offer"] == "templates"
    assert doc.find("a", attrs={"data-fg-decline": True})["href"] == "/downsell/"


def test_success_urls_are_printed_and_written_outside_output(built):
    src, out, result = built
    urls = dict(result.success_urls)
    assert urls["starter"] == "https://funnelgen-example.netlify.app/upsell/?fg_offer=starter&session_id={CHECKOUT_SESSION_ID}"
    assert urls["templates"].startswith("https://funnelgen-example.netlify.app/apply/?fg_offer=templates&")
    text = (src / ".funnelgen" / "success-urls.txt").read_text()
    assert urls["starter"] in text
    assert not list(out.rglob("success-urls.txt"))


def test_purchase_page_data_lists_the_offers_that_land_there(built):
    _src, out, _ = built
    data = json.loads(page(out, "apply/index.html").find("script", id="fg-page").string)
    assert set(data["purchase"]) == {"templates", "templates-lite"}
    assert data["purchase"]["templates-lite"] == {"id": "templates-lite", "name": "『メール文例テンプレート ライト版（30本）』",
                                                  "value": 4980, "currency": "JPY"}
    assert data["offer"]["id"] == "coaching" and data["lead_form"] == "apply"
    starter = json.loads(page(out, "starter/index.html").find("script", id="fg-page").string)
    assert "purchase" not in starter  # reachable without paying: never fires purchase


def test_noindex_and_sitemap(built):
    _src, out, _ = built
    for slug in ("gift", "upsell", "downsell", "thanks"):
        robots = page(out, f"{slug}/index.html").find("meta", attrs={"name": "robots"})
        assert robots and "noindex" in robots["content"], slug
    for slug in ("optin", "starter", "apply"):
        assert page(out, f"{slug}/index.html").find("meta", attrs={"name": "robots"}) is None, slug
    sitemap = (out / "sitemap.xml").read_text()
    assert "/starter/" in sitemap and "/optin/" in sitemap
    for slug in ("gift", "upsell", "downsell", "thanks"):
        assert f"/{slug}/" not in sitemap
    assert "Sitemap: https://funnelgen-example.netlify.app/sitemap.xml" in (out / "robots.txt").read_text()


def test_tracking_snippets_once_in_head_and_noscript_in_body(built):
    _src, out, _ = built
    doc = page(out, "optin/index.html")
    head = str(doc.head)
    assert head.count("gtag/js?id=G-K7T2Q9X4LM") == 1
    assert head.count("fbq('init',\"104857361920475\")") == 1
    assert head.count("_lt('init'") == 1
    first = doc.body.find(True)
    assert first.name == "noscript"  # vendor noscript right after <body>
    assert "facebook.com/tr?id=104857361920475" in str(doc.body)


def test_prices_are_tax_inclusive_everywhere(built):
    _src, out, _ = built
    assert "1,980円（税込）" in page(out, "starter/index.html").text
    assert "4,980円（税込）" in page(out, "downsell/index.html").text  # given tax-exclusive
    assert "月額49,800円（税込）×6回（総額298,800円（税込））" in page(out, "apply/index.html").text


def test_legal_pages_and_footer_links(built):
    _src, out, _ = built
    legal = page(out, "legal/index.html").text
    for needle in ("合同会社ことのは舎", "03-6805-4127", "hello@kotonoha-sha.jp", "東京都世田谷区", "1,980円（税込）"):
        assert needle in legal
    for slug in ("optin", "gift", "starter", "upsell", "apply", "thanks", "legal"):
        footer = page(out, f"{slug}/index.html").find("footer")
        assert footer.find("a", href="/legal/") and footer.find("a", href="/privacy/"), slug
    privacy = page(out, "privacy/index.html").text
    assert "外部送信" in privacy and "Meta Platforms" in privacy


def test_blocks_render_through_partials(built):
    _src, out, _ = built
    doc = page(out, "starter/index.html")
    assert doc.select("figure.testimonial")
    assert doc.select("figure.testimonial .pr")  # the compensated testimonial is labelled
    assert doc.select("details.faq summary")
    assert doc.select(".price-box .price")[0].text == "1,980円（税込）"
    assert doc.select(".guarantee")


def test_order_summary_on_selling_pages(built):
    _src, out, _ = built
    summary = page(out, "apply/index.html").select_one("table.summary").text
    for needle in ("数量", "お支払い方法", "お支払い時期", "提供時期", "キャンセル", "全6回"):
        assert needle in summary


def test_optin_page_weighs_well_under_30kb(built):
    _src, out, _ = built
    size = (out / "optin" / "index.html").stat().st_size
    runtime = next((out / "assets").glob("funnel.*.js")).stat().st_size
    assert size + runtime < 30_000


def test_no_external_render_blocking_resources(built):
    _src, out, _ = built
    doc = page(out, "optin/index.html")
    assert not doc.find("link", rel="stylesheet")
    for script in doc.find_all("script", src=True):
        assert script.has_attr("async") or script.has_attr("defer"), script


def test_404_page_exists_and_is_noindex(built):
    _src, out, _ = built
    doc = page(out, "404.html")
    assert "noindex" in doc.find("meta", attrs={"name": "robots"})["content"]


def test_sticky_mobile_cta_and_visible_focus(built):
    _src, out, _ = built
    assert page(out, "optin/index.html").select_one(".sticky a.btn")["href"] == "#fg-form-lead"
    assert page(out, "starter/index.html").select_one(".sticky a.btn")["href"] == "#order"
    # every selling step has one, post-purchase offers included; the decline link sits in the hero card
    assert page(out, "upsell/index.html").select_one(".sticky a.btn")["href"] == "#order"
    assert page(out, "upsell/index.html").select_one(".hero-action a[data-fg-decline]")["href"] == "/downsell/"
    assert page(out, "downsell/index.html").select_one(".sticky a.btn")["href"] == "#order"
    assert page(out, "apply/index.html").select_one(".sticky a.btn")["href"] == "#fg-form-apply"
    assert page(out, "gift/index.html").select_one(".sticky") is None  # nothing to sell on a thank-you page
    css = page(out, "optin/index.html").style.text
    assert ":focus-visible" in css and "@media (min-width:48rem){.sticky{display:none}" in css
