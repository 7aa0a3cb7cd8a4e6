"""Offer choices (plan tables) and order bumps: validation, the model, the built pages, the checks, the map,
the preview's test checkout and verify's paths. The browser side is in test_offers_browser.py."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from helpers import EXAMPLE, MINIMAL_CONFIG, copy_example, write_site

from funnelgen.build import build, load_site
from funnelgen.cli import main
from funnelgen.diagram import mermaid
from funnelgen.errors import BuildError
from funnelgen.graph import CHECKOUT, paths

STANDARD = {"name": "動画講座スタンダード", "price": 9800, "checkout": "https://buy.stripe.com/std123",
            "features": ["動画12本", "ワークシート"]}
PREMIUM = {"name": "動画講座＋個別相談", "price": 29800, "checkout": "https://buy.stripe.com/pre456",
           "features": ["動画12本", "個別相談60分×2回"], "delivery": "決済後すぐ。個別相談は2週間以内に日程調整します。"}
BUNDLE = {"name": "入門講座＋テンプレート集", "price": 4960, "checkout": "https://buy.stripe.com/bun789",
          "features": ["テンプレート30本"]}


def plans_config(**step) -> dict:
    """The minimal site whose sales step offers two plans (premium recommended)."""
    cfg = copy.deepcopy(MINIMAL_CONFIG)
    cfg["offers"].update(standard=dict(STANDARD), premium=dict(PREMIUM))
    sales = cfg["funnels"]["main"]["steps"][2]
    del sales["offer"]
    sales.update({"offers": ["standard", "premium"], "recommended": "premium", **step})
    return cfg


def bump_config(**bump) -> dict:
    cfg = copy.deepcopy(MINIMAL_CONFIG)
    cfg["offers"]["bundle"] = dict(BUNDLE)
    cfg["funnels"]["main"]["steps"][2]["bump"] = {"offer": "bundle", **bump}
    return cfg


def problems(tmp_path: Path, cfg: dict) -> list[str]:
    """The problems `funnelgen build` reports for this config, as the terminal prints them."""
    result = CliRunner().invoke(main, ["build", str(write_site(tmp_path / "s", cfg)), "-o", str(tmp_path / "o")])
    assert "Traceback" not in result.output
    if result.exit_code == 0:
        return []
    assert result.exit_code == 1, result.output
    return [line for line in result.output.splitlines() if line.startswith("error:")]


def built(tmp_path: Path, cfg: dict, page: str = "starter") -> BeautifulSoup:
    src = write_site(tmp_path / "s", cfg)
    build(src, tmp_path / "o")
    return BeautifulSoup((tmp_path / "o" / page / "index.html").read_text(encoding="utf-8"), "html.parser")


def page_data(soup: BeautifulSoup) -> dict:
    return json.loads(soup.find("script", id="fg-page").string)


# -- validation ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("change", "expected"), [
    (lambda s: s.update(offer="starter"), "has both offer: and offers:"),
    (lambda s: s.update(offers=["standard", "premum"]), "unknown offer 'premum'. Did you mean 'premium'?"),
    (lambda s: s.update(offers=["standard"], recommended="standard"), "offers: lists 1 offer; a choice needs 2 or 3"),
    (lambda s: s.update(offers=["standard", "premium", "starter", "standard2"]), "lists 4 offers"),
    (lambda s: s.update(offers=["standard", "standard"], recommended="standard"), "'standard' is listed twice"),
    (lambda s: s.update(recommended="starter"), "recommended: 'starter' is not one of the step's offers:"),
    (lambda s: s.update(form="lead"), "a plan table needs a payment link per plan"),
])
def test_plan_table_mistakes_are_named_with_file_key_and_line(tmp_path, change, expected):
    cfg = plans_config()
    cfg["offers"]["standard2"] = dict(STANDARD)
    change(cfg["funnels"]["main"]["steps"][2])
    found = problems(tmp_path, cfg)
    hits = [p for p in found if expected in p]
    assert hits, found
    assert re.match(r"error: .*site\.yml:\d+: funnels\.main\.steps\[2\]\.(offers|recommended): ", hits[0]), hits[0]


def test_a_plan_without_a_checkout_link_is_refused(tmp_path):
    cfg = plans_config()
    del cfg["offers"]["premium"]["checkout"]
    assert any("offer 'premium' has no checkout URL but step 'starter' sells it" in p for p in problems(tmp_path, cfg))


@pytest.mark.parametrize(("change", "expected"), [
    (lambda c: c["funnels"]["main"]["steps"][2]["bump"].update(offer="bundel"),
     "bump.offer: unknown offer 'bundel'. Did you mean 'bundle'?"),
    (lambda c: c["offers"]["bundle"].update(price=1980), "does not cost more than 'starter'"),
    (lambda c: c["offers"]["bundle"].update(currency="USD"), "priced in USD"),
    (lambda c: c["offers"]["bundle"].update(billing={"interval": "month"}), "two one-off payments"),
    (lambda c: c["funnels"]["main"]["steps"][2]["bump"].update(offer="starter"), "the step's own offer"),
    (lambda c: c["funnels"]["main"]["steps"][1].update(bump={"offer": "bundle"}), "an order bump needs a step"),
])
def test_bump_mistakes_are_refused(tmp_path, change, expected):
    cfg = bump_config()
    change(cfg)
    found = problems(tmp_path, cfg)
    assert any(expected in p for p in found), found


def test_unknown_keys_inside_bump_get_a_did_you_mean(tmp_path):
    found = problems(tmp_path, bump_config(lable="x"))
    assert any("unknown key 'lable'" in p and "label" in p for p in found), found


# -- the model -------------------------------------------------------------------------------------------
def test_every_plan_and_the_bundle_return_to_the_steps_next_and_fire_purchase_there(tmp_path):
    site, _ = load_site(write_site(tmp_path / "p", plans_config()))
    thanks = site.steps["thanks"]
    assert [o.id for o in site.purchase_offers(thanks)] == ["standard", "premium"]
    assert site.success_url(site.offers["premium"]) == (
        "https://shop.example.com/thanks/?fg_offer=premium&session_id={CHECKOUT_SESSION_ID}")
    site, _ = load_site(write_site(tmp_path / "b", bump_config()))
    assert [o.id for o in site.purchase_offers(site.steps["thanks"])] == ["starter", "bundle"]
    assert site.success_url(site.offers["bundle"]).startswith("https://shop.example.com/thanks/?fg_offer=bundle")


def test_paths_expand_by_choice(tmp_path):
    site, _ = load_site(write_site(tmp_path / "p", plans_config()))
    found, _ = paths(site)
    buys = [next(h for h in p.hops if h.action == CHECKOUT) for p in found]
    assert [(h.offer, h.bump, h.target) for h in buys] == [("standard", False, "thanks"), ("premium", False, "thanks")]
    assert found[1].label() == "optin → gift → starter (buy premium) → thanks"
    site, _ = load_site(write_site(tmp_path / "b", bump_config()))
    found, _ = paths(site)
    assert [p.label().split(" → ")[2] for p in found] == ["starter (buy starter)", "starter (buy bundle + bump)"]


def test_the_map_draws_one_edge_per_choice(tmp_path):
    site, _ = load_site(write_site(tmp_path / "p", plans_config()))
    text = mermaid(site)
    assert 's_starter -->|"購入: standard"| s_thanks' in text and 's_starter -->|"購入: premium"| s_thanks' in text
    assert "premium: 29,800円（税込）" in text
    example, _ = load_site(EXAMPLE)
    assert 's_starter -->|"購入 + バンプ: starter-review"| s_upsell' in mermaid(example)


# -- the built pages ---------------------------------------------------------------------------------------
def test_each_plan_has_its_own_summary_price_and_checkout_link(tmp_path):
    soup = built(tmp_path, plans_config())
    cards = soup.select("#order [data-fg-plan]")
    assert [c["data-fg-plan"] for c in cards] == ["standard", "premium"]
    for card, offer in zip(cards, (STANDARD, PREMIUM), strict=True):
        link = card.select_one("a[data-fg-checkout]")
        assert link["href"] == offer["checkout"] and link["data-fg-offer"] == card["data-fg-plan"]
        rows = {tr.th.get_text(strip=True): tr.td.get_text(" ", strip=True) for tr in card.select("table.summary tr")}
        assert rows["商品"] == offer["name"] and rows["価格"].replace(" ", "") == f"{offer['price']:,}円（税込）"  # <wbr> between phrases
        assert card.select_one("table.summary").sourceline < link.sourceline  # the terms come before the button
        assert [li.get_text() for li in card.select(".features li")] == offer["features"]
    assert "決済後すぐ。個別相談は2週間以内に日程調整します。" in cards[1].get_text()
    assert [c.select_one(".badge") is not None for c in cards] == [False, True]  # premium is recommended
    data = page_data(soup)
    assert "offer" not in data and data["view_item"] is True
    assert {k: v["value"] for k, v in data["offers"].items()} == {"standard": 9800, "premium": 29800}
    # buttons in the copy and the sticky bar scroll to the plans
    assert soup.select_one(".sticky a")["href"] == "#order"
    legal = (tmp_path / "o" / "legal" / "index.html").read_text(encoding="utf-8")
    assert 'id="offer-standard"' in legal and 'id="offer-premium"' in legal


def test_the_bump_is_unticked_labelled_priced_and_hidden_without_javascript(tmp_path):
    src = copy_example(tmp_path / "site")
    build(src, tmp_path / "o")
    soup = BeautifulSoup((tmp_path / "o" / "starter" / "index.html").read_text(encoding="utf-8"), "html.parser")
    box = soup.select_one("input[data-fg-bump]")
    assert box["type"] == "checkbox" and not box.has_attr("checked")
    assert box["data-fg-offer"] == "starter-review" and box["data-fg-href"] == "https://buy.stripe.com/5kQ8aB2cD3eF4gH5iJ"
    assert box["data-fg-label"] == "4,960円（税込）でセットを購入する"
    assert soup.select_one(f"label[for={box['id']}]").get_text(strip=True) == "書いたステップメール7通の添削（1回）も一緒に申し込む"
    price = soup.find(id=box["aria-describedby"]).get_text()
    assert "4,960円（税込）" in price and "1,980円（税込）" in price and "2,980円（税込）" in price
    assert soup.select_one("[data-fg-bump-box]").has_attr("hidden")  # only funnel.js shows it
    # without JavaScript the page sells the plain offer
    link = soup.select_one("#order a[data-fg-checkout]")
    assert link["data-fg-offer"] == "starter" and link["href"] == "https://buy.stripe.com/6oE5kN0aB1cD2eF3gH"
    bundle_summary = soup.select_one("[data-fg-bump-summary]")
    assert bundle_summary.has_attr("hidden") and "4,960円（税込）" in bundle_summary.select_one("td.price").get_text()
    data = page_data(soup)
    assert data["offer"]["id"] == "starter" and data["offers"]["starter-review"]["value"] == 4960


def test_a_pre_ticked_bump_stops_the_build(tmp_path):
    src = copy_example(tmp_path / "site")
    partial = (Path(__file__).parent.parent / "themes/default/templates/partials/bump.html").read_text(encoding="utf-8")
    (src / "templates" / "partials").mkdir(parents=True)
    (src / "templates" / "partials" / "bump.html").write_text(partial.replace(' autocomplete="off"', " checked"),
                                                               encoding="utf-8")
    with pytest.raises(BuildError) as err:
        build(src, tmp_path / "o")
    assert any(p.rule == "payments.order-bump" and "pre-ticked" in p.message for p in err.value.problems)


def test_a_plan_card_without_its_order_summary_stops_the_build(tmp_path):
    src = write_site(tmp_path / "s", plans_config())
    partial = (Path(__file__).parent.parent / "themes/default/templates/partials/plans.html").read_text(encoding="utf-8")
    (src / "templates" / "partials").mkdir(parents=True)
    (src / "templates" / "partials" / "plans.html").write_text(
        partial.replace('{% include "partials/order_summary.html" %}', ""), encoding="utf-8")
    with pytest.raises(BuildError) as err:
        build(src, tmp_path / "o")
    messages = [p.message for p in err.value.problems if p.rule == "jp.final-confirmation"]
    assert any("sells 'premium' but shows no order summary for it" in m for m in messages), messages


def test_a_bump_button_text_that_hides_the_order_is_refused(tmp_path):
    found = problems(tmp_path, bump_config(cta="次へ"))
    assert any("order button" in p and "次へ" in p for p in found), found


# -- the preview's test checkout -----------------------------------------------------------------------------
def test_preview_sends_each_plan_and_the_bundle_to_its_own_test_checkout(tmp_path):
    from test_serve import get, request

    from funnelgen.serve import Preview

    src = write_site(tmp_path / "s", plans_config())
    with Preview(src, port=0, debounce=0.01) as p:
        soup = BeautifulSoup(get(p, "/starter/")[2], "html.parser")
        hrefs = [a["href"] for a in soup.select("a[data-fg-checkout]")]
        assert hrefs == ["/_fg/checkout/standard?from=/starter/", "/_fg/checkout/premium?from=/starter/"]
        status, _, page = get(p, hrefs[1])
        assert status == 200 and "動画講座＋個別相談" in page and "29,800円（税込）" in page
        status, headers, _ = request(p, "POST", "/_fg/pay/premium", "from=/starter/",
                                     {"Content-Type": "application/x-www-form-urlencoded"})
        assert status in (302, 303) and headers["location"].startswith("/thanks/?fg_offer=premium&session_id=cs_test_")
    bump_src = copy_example(tmp_path / "example")
    with Preview(bump_src, port=0, debounce=0.01) as p:
        soup = BeautifulSoup(get(p, "/starter/")[2], "html.parser")
        assert soup.select_one("input[data-fg-bump]")["data-fg-href"] == "/_fg/checkout/starter-review?from=/starter/"
        assert soup.select_one("a[data-fg-checkout]")["href"] == "/_fg/checkout/starter?from=/starter/"
        status, _, page = get(p, "/_fg/checkout/starter-review?from=/starter/")
        assert status == 200 and "4,960円（税込）" in page


def test_english_sites_get_english_plan_and_bump_words(tmp_path):
    cfg = plans_config()
    cfg["site"]["language"] = "en"
    for offer in cfg["offers"].values():
        offer["currency"] = "USD"
    soup = built(tmp_path / "plans", cfg)
    assert soup.select_one("#order-title").get_text() == "Choose your plan"
    assert soup.select_one("[data-fg-plan=premium] .badge").get_text() == "Recommended"
    assert soup.select_one("[data-fg-plan=premium] a[data-fg-checkout]").get_text() == "Buy this plan"
    cfg = bump_config()
    cfg["site"]["language"] = "en"
    cfg["offers"]["starter"]["price"], cfg["offers"]["bundle"]["price"] = 19, 29.5
    for offer in cfg["offers"].values():
        offer["currency"] = "USD"
    soup = built(tmp_path / "bump", cfg)
    assert soup.select_one(".bump-price").get_text() == "Ticked, you pay $29.50 in total ($19 + $10.50 for the extra)."
    assert soup.select_one("input[data-fg-bump]")["data-fg-label"] == "Buy the bundle for $29.50"
