"""funnel.js in a real Chromium, on the statically built example (no preview server).

Chromium is the one funnelgen itself would pick (`find_chromium`: --browser, $FUNNELGEN_CHROMIUM,
/usr/bin/chromium, Playwright's own). Vendor scripts are answered with an empty script
(`request_policy` / `STUB`): the inline snippets create the gtag/fbq/_lt queues we assert on;
nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import functools
import http.server
import threading

import pytest
from helpers import copy_example

from funnelgen.browser import STUB, request_policy
from funnelgen.tracking import transaction_event_id

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from funnelgen.build import build

    src = copy_example(tmp_path_factory.mktemp("rt") / "site")
    out = src.parent / "out"
    build(src, out)
    handler = functools.partial(QuietHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):  # a static host that accepts the form post and shows the action page
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(303)
        self.send_header("Location", self.path)
        self.end_headers()


@pytest.fixture
def rt_page(browser, site):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    outside = []

    def route(route):
        url = route.request.url
        if url.startswith(site):
            return route.continue_()
        policy = request_policy(url)
        outside.append((policy, url))
        if policy == "vendor":
            return route.fulfill(**STUB)
        return route.abort()

    context.route("**/*", route)
    pg = context.new_page()
    errors = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    assert errors == []
    assert all(policy == "vendor" for policy, _url in outside), outside
    context.close()


def events(pg) -> list[dict]:
    return pg.evaluate("window.dataLayer.filter(e => e && e.event && !e.event.startsWith('gtm')).map(e => ({...e}))")


def fbq_calls(pg) -> list[list]:
    return pg.evaluate("window.fbq.queue.map(a => Array.from(a))")


def test_optin_submit_fires_lead_and_fills_first_touch_utm(rt_page, site):
    page = rt_page
    page.goto(f"{site}/optin/?utm_source=blog&utm_medium=organic&utm_campaign=ebook")
    form = page.locator("form[data-fg-form=lead]")
    assert form.locator("input[name=utm_source]").input_value() == "blog"
    # a later visit with other UTMs does not overwrite the first touch
    page.goto(f"{site}/optin/?utm_source=instagram")
    assert form.locator("input[name=utm_source]").input_value() == "blog"
    page.fill("#fg-lead-name", "山田 花子")
    page.fill("#fg-lead-email", "hanako@example.jp")
    page.check("#fg-lead-consent")
    page.evaluate("document.querySelector('form').addEventListener('submit', e => e.preventDefault())")
    page.click("form button[type=submit]")
    lead = [e for e in events(page) if e["event"] == "generate_lead"]
    assert lead and lead[0]["fg_funnel"] == "blog" and lead[0]["fg_step"] == "optin"
    assert ["track", "Lead", {}] in fbq_calls(page)
    assert page.evaluate("window._ltq.some(a => a[0] === 'send' && a[1] === 'cv' && a[2].type === 'Lead')")


def test_empty_submit_shows_accessible_errors_and_sends_nothing(rt_page, site):
    page = rt_page
    page.goto(f"{site}/optin/")
    page.click("form button[type=submit]")
    assert page.get_attribute("#fg-lead-email", "aria-invalid") == "true"
    assert page.locator("#fg-lead-email-error").inner_text().strip() != ""
    assert page.evaluate("document.activeElement.id") == "fg-lead-name"
    assert not [e for e in events(page) if e["event"] == "generate_lead"]
    assert page.url.endswith("/optin/")


def test_sales_page_view_and_checkout_click(rt_page, site):
    page = rt_page
    page.goto(f"{site}/optin/?utm_source=blog&utm_campaign=ebook")
    page.evaluate("sessionStorage.setItem('fg_email', 'hanako@example.jp')")
    page.goto(f"{site}/starter/")
    view = [e for e in events(page) if e["event"] == "view_item"][0]
    assert view["value"] == 1980 and view["currency"] == "JPY" and view["fg_offer"] == "starter"
    assert ["track", "ViewContent", {"value": 1980, "currency": "JPY", "content_ids": ["starter"],
                                     "content_name": "動画講座『はじめてのステップメール設計』",
                                     "content_type": "product"}] in fbq_calls(page)
    link = page.locator("a[data-fg-checkout]").first
    href = link.get_attribute("href")
    assert "prefilled_email=hanako%40example.jp" in href
    assert "client_reference_id=blog-starter-a" in href and "utm_source=blog" in href
    page.evaluate("document.querySelectorAll('a[data-fg-checkout]').forEach(a => "
                  "a.addEventListener('click', e => e.preventDefault()))")
    link.click()
    begin = [e for e in events(page) if e["event"] == "begin_checkout"][0]
    assert begin["value"] == 1980 and begin["currency"] == "JPY"
    assert page.evaluate("window.dataLayer.some(a => a[0] === 'event' && a[1] === 'begin_checkout')")  # gtag call


def purchases(page) -> list[dict]:
    page.wait_for_load_state("load")
    page.wait_for_timeout(50)  # the purchase waits for the id's SHA-256 (crypto.subtle is asynchronous)
    return [e for e in events(page) if e["event"] == "purchase"]


def test_purchase_fires_once_per_transaction_with_a_hashed_id(rt_page, site):
    page = rt_page
    tx = "cs_test_a1B2c3D4e5F6g7H8i9J0"
    page.goto(f"{site}/upsell/?fg_offer=starter&session_id={tx}&utm_source=x")
    event_id = transaction_event_id(tx)
    found = purchases(page)
    assert len(found) == 1
    assert found[0]["transaction_id"] == event_id and found[0]["value"] == 1980
    assert ["track", "Purchase", {"value": 1980, "currency": "JPY", "content_ids": ["starter"],
                                  "content_name": "動画講座『はじめてのステップメール設計』", "content_type": "product"},
            {"eventID": event_id}] in fbq_calls(page)
    assert tx not in page.content() + page.url + str(events(page)) + str(fbq_calls(page))  # the raw id is gone
    assert page.url == f"{site}/upsell/?utm_source=x"  # return parameters off the bar, the rest kept
    page.reload()
    assert purchases(page) == []


def test_forged_return_urls_send_no_purchase(rt_page, site):
    page = rt_page
    for query in ("fg_offer=starter&session_id=cs_anything", "fg_offer=starter&session_id=abc",
                  "fg_offer=starter&session_id=cs_test_x", "fg_offer=starter&transaction_id=%3Cscript%3E1",
                  "fg_offer=starter&session_id=cs_live_ok%20but%20spaces"):
        page.goto(f"{site}/upsell/?{query}")
        assert purchases(page) == [], query
        assert not [c for c in fbq_calls(page) if c[:2] == ["track", "Purchase"]], query
        assert page.evaluate("(window._ltq || []).filter(a => a[1] === 'cv' && a[2].type === 'Purchase').length") == 0


def test_tags_never_see_the_transaction_in_the_address_bar(browser, site):
    """gtag.js is answered with a script that records what it sees: the URL is already clean."""
    context = browser.new_context()
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(site) else r.fulfill(
        status=200, content_type="application/javascript",
        body="window.__tagSaw = (window.__tagSaw || []).concat([location.href]);"))
    page = context.new_page()
    page.goto(f"{site}/upsell/?fg_offer=starter&session_id=cs_test_a1B2c3D4e5F6g7H8i9J0")
    page.wait_for_load_state("load")
    seen = page.evaluate("window.__tagSaw || []")
    context.close()
    assert seen and all("session_id" not in url and "fg_offer" not in url for url in seen), seen


def test_no_purchase_without_payment(rt_page, site):
    page = rt_page
    for url in (f"{site}/upsell/", f"{site}/upsell/?fg_offer=starter",
                f"{site}/upsell/?fg_offer=starter&session_id={{CHECKOUT_SESSION_ID}}",
                f"{site}/starter/?fg_offer=starter&session_id=cs_1",
                f"{site}/apply/?fg_offer=constructor&session_id=cs_2", f"{site}/apply/?fg_offer=__proto__&session_id=cs_3"):
        page.goto(url)
        assert [e for e in events(page) if e["event"] == "purchase"] == [], url


def test_no_browser_purchase_when_the_server_reports_it(browser, tmp_path):
    """tracking.browser_purchase: false (the host function sends purchases): a real return sends nothing."""
    from funnelgen.build import build

    src = copy_example(tmp_path / "site")
    cfg = (src / "site.yml").read_text(encoding="utf-8")
    (src / "site.yml").write_text(cfg.replace("tracking:\n", "tracking:\n  browser_purchase: false\n", 1),
                                  encoding="utf-8")
    out = tmp_path / "out"
    build(src, out)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    context = browser.new_context()
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.fulfill(**STUB))
    page = context.new_page()
    try:
        page.goto(f"{base}/upsell/?fg_offer=starter&session_id=cs_test_a1B2c3D4e5F6g7H8i9J0")
        assert purchases(page) == [] and "session_id" not in page.url  # nothing sent, the bar still cleaned
        assert not [c for c in fbq_calls(page) if c[:2] == ["track", "Purchase"]]
    finally:
        context.close()
        server.shutdown()
