"""Plan tables and order bumps in a real Chromium, on statically built sites: each plan's button sends its own
begin_checkout and opens its own payment link; the bump switches the link, the label, the summary and the
reported value, back again when unticked, by mouse and by keyboard; without JavaScript the plain offer is sold.
Payment pages are answered locally (nothing leaves 127.0.0.1)."""

from __future__ import annotations

import contextlib

import pytest
from helpers import copy_example, serve_folder, write_site
from test_offers import plans_config

from funnelgen.browser import STUB, request_policy
from funnelgen.build import build

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """{'plans': base URL of the two-plan fixture, 'bump': base URL of the example (its starter has a bump)}."""
    base = tmp_path_factory.mktemp("offers")
    with contextlib.ExitStack() as stack:
        urls = {}
        for name, src in (("plans", write_site(base / "plans", plans_config())), ("bump", copy_example(base / "ex"))):
            out = base / f"{name}-out"
            build(src, out)
            urls[name] = stack.enter_context(serve_folder(out))
        yield urls


def open_page(browser, sites, **context_args):
    """A page whose payment links land on a local stub and whose vendor tags are empty scripts."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, **context_args)

    def route(route):
        url = route.request.url
        if url.startswith(tuple(sites.values())):
            return route.continue_()
        if url.startswith("https://buy.stripe.com/"):
            return route.fulfill(status=200, content_type="text/html", body="<title>paid</title>")
        return route.fulfill(**STUB) if request_policy(url) == "vendor" else route.abort()

    context.route("**/*", route)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    return page


def layer(page, name: str) -> list[dict]:
    return page.evaluate(f"window.dataLayer.filter(e => e && e.event === {name!r}).map(e => ({{...e}}))")


@pytest.mark.parametrize(("plan", "link"), [("standard", "https://buy.stripe.com/std123"),
                                             ("premium", "https://buy.stripe.com/pre456")])
def test_each_plan_opens_its_own_payment_link(browser, sites, plan, link):
    page = open_page(browser, sites)
    page.goto(f"{sites['plans']}/starter/")
    view = layer(page, "view_item")
    assert len(view) == 1 and "value" not in view[0]  # no plan is chosen yet: no value is claimed
    assert [i["item_id"] for i in view[0]["items"]] == ["standard", "premium"]
    page.click(f"[data-fg-plan={plan}] a[data-fg-checkout]")
    page.wait_for_url(f"{link}*")
    assert page.url.split("?")[0] == link and "client_reference_id=main-starter-a" in page.url
    assert page.errors == []
    page.context.close()


def test_each_plan_click_reports_that_plan(browser, sites):
    page = open_page(browser, sites)
    page.goto(f"{sites['plans']}/starter/")
    page.evaluate("document.querySelectorAll('a[data-fg-checkout]').forEach(a => "
                  "a.addEventListener('click', e => e.preventDefault()))")
    for plan, value, name in (("premium", 29800, "動画講座＋個別相談"), ("standard", 9800, "動画講座スタンダード")):
        page.click(f"[data-fg-plan={plan}] a[data-fg-checkout]")
        begin = layer(page, "begin_checkout")[-1]
        assert (begin["fg_offer"], begin["value"], begin["currency"]) == (plan, value, "JPY")
        assert begin["items"] == [{"item_id": plan, "item_name": name, "price": value, "quantity": 1}]
    assert len(layer(page, "begin_checkout")) == 2
    assert page.errors == []
    page.context.close()


def test_the_bump_switches_link_label_summary_and_value_and_back(browser, sites):
    page = open_page(browser, sites)
    page.goto(f"{sites['bump']}/starter/")
    box, link = page.locator("input[data-fg-bump]"), page.locator("#order a[data-fg-checkout]")
    assert box.is_visible() and not box.is_checked()
    assert layer(page, "view_item")[0]["value"] == 1980  # the page's own offer is what is viewed
    page.evaluate("document.querySelector('#order a[data-fg-checkout]').addEventListener('click', e => e.preventDefault())")

    box.check()
    assert link.get_attribute("data-fg-offer") == "starter-review"
    assert link.get_attribute("href").startswith("https://buy.stripe.com/5kQ8aB2cD3eF4gH5iJ?")
    assert "client_reference_id=blog-starter-a" in link.get_attribute("href")
    assert link.inner_text() == "4,960円（税込）でセットを購入する"
    echoes = page.locator("a[data-fg-to-order], .sticky a")  # buttons in the copy and the sticky bar say so too
    assert set(echoes.all_inner_texts()) == {"4,960円（税込）でセットを購入する"}
    assert page.locator("[data-fg-bump-summary] td.price").is_visible()
    assert not page.locator("#order > table.summary").is_visible()
    link.click()
    begin = layer(page, "begin_checkout")[-1]
    assert (begin["fg_offer"], begin["value"], begin["items"][0]["item_id"]) == ("starter-review", 4960, "starter-review")

    box.uncheck()
    assert link.get_attribute("data-fg-offer") == "starter"
    assert link.get_attribute("href").startswith("https://buy.stripe.com/6oE5kN0aB1cD2eF3gH?")
    assert link.inner_text() == "1,980円（税込）で講座を購入する"
    assert set(echoes.all_inner_texts()) == {"1,980円（税込）で講座を購入する"}
    assert page.locator("#order > table.summary").is_visible()
    assert not page.locator("[data-fg-bump-summary]").is_visible()
    link.click()
    begin = layer(page, "begin_checkout")[-1]
    assert (begin["fg_offer"], begin["value"]) == ("starter", 1980)
    assert page.errors == []
    page.context.close()


def test_the_keyboard_toggles_the_bump_and_the_ticked_link_goes_to_the_bundle(browser, sites):
    page = open_page(browser, sites)
    page.goto(f"{sites['bump']}/starter/")
    box = page.locator("input[data-fg-bump]")
    box.focus()
    page.keyboard.press("Space")
    assert box.is_checked()
    # Tab goes on to the buy button, Enter follows it: to the bundle's payment link
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('data-fg-offer')") == "starter-review"
    page.keyboard.press("Enter")
    page.wait_for_url("https://buy.stripe.com/5kQ8aB2cD3eF4gH5iJ*")
    page.go_back()
    page.wait_for_url(f"{sites['bump']}/starter/")
    box = page.locator("input[data-fg-bump]")
    if box.is_checked():  # a restored page keeps box and link in step
        assert page.locator("#order a[data-fg-checkout]").get_attribute("data-fg-offer") == "starter-review"
    else:
        assert page.locator("#order a[data-fg-checkout]").get_attribute("data-fg-offer") == "starter"
    box.focus()
    page.keyboard.press("Space")
    page.keyboard.press("Space")
    assert page.locator("#order a[data-fg-checkout]").get_attribute("data-fg-offer") == (
        "starter-review" if box.is_checked() else "starter")
    assert page.errors == []
    page.context.close()


def test_without_javascript_the_plain_offer_is_sold_and_no_box_is_shown(browser, sites):
    page = open_page(browser, sites, java_script_enabled=False)
    page.goto(f"{sites['bump']}/starter/")
    assert not page.locator("input[data-fg-bump]").is_visible()
    link = page.locator("#order a[data-fg-checkout]")
    assert link.get_attribute("href") == "https://buy.stripe.com/6oE5kN0aB1cD2eF3gH"
    assert page.locator("#order > table.summary td.price").inner_text() == "1,980円（税込）"
    page.context.close()


def test_verify_walks_every_plan_and_checks_what_each_reports(tmp_path):
    from funnelgen.verify import verify

    result = verify(write_site(tmp_path / "s", plans_config()), timeout=5)
    assert result.ok, [f for p in result.paths for f in p.failures()]
    labels = [p.path.label() for p in result.paths]
    assert labels == ["optin → gift → starter (buy standard) → thanks", "optin → gift → starter (buy premium) → thanks"]
    for path, (plan, value) in zip(result.as_dict()["paths"], (("standard", 9800), ("premium", 29800)), strict=True):
        checks = {s["label"]: {c["name"]: c["detail"] for c in s["checks"]} for s in path["steps"]}
        assert checks["starter"]["view_item fires"] == "view_item once"  # every plan listed, no value claimed
        assert checks["starter"]["begin_checkout fires"] == f"begin_checkout once ({plan}, {value}, JPY)"
        assert checks[f"checkout: {plan}"]["test checkout opens"] == f"order summary for '{plan}'"
        assert checks["thanks"]["purchase fires"].startswith(f"purchase once ({plan}, {value}, JPY, fg_")
