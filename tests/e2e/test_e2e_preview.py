"""The preview server's live reload and error overlay, seen from the browser.

Each test runs its own preview on its own copy of the example (it edits files).
"""

from __future__ import annotations

import time

import pytest
from helpers import copy_example

from e2e.e2e_helpers import guarded_context, norm

pytestmark = pytest.mark.browser


def _wait_clients(preview, page, n: int = 1, timeout: float = 10.0) -> None:
    """Until the page's EventSource is connected (page.wait_for_timeout, not sleep: route handlers
    run on this thread, and the stream's request passes through the guard)."""
    end = time.monotonic() + timeout
    while preview.server.hub.clients < n:
        assert time.monotonic() < end, "the page never connected to the reload stream"
        page.wait_for_timeout(20)


def replace_in(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def own_preview(tmp_path):
    from funnelgen.serve import Preview

    site = copy_example(tmp_path / "site")
    p = Preview(site, port=0, debounce=0.01)
    assert p.start().ok
    yield site, p
    p.close()


@pytest.fixture
def live_page(own_preview, browser):
    site, preview = own_preview
    context, page, guard = guarded_context(browser, preview.url, viewport={"width": 1280, "height": 800})
    page.goto(f"{preview.url}/starter/")
    _wait_clients(preview, page)
    yield site, preview, page, guard
    context.close()
    assert guard.outside == []


def test_saving_a_page_reloads_the_browser(live_page):
    site, preview, page, guard = live_page
    page.evaluate("window.__before_reload = true")
    replace_in(site / "pages" / "starter.md", 'headline: "書いたメールが', 'headline: "【改訂】書いたメールが')
    page.wait_for_function("() => document.querySelector('h1').textContent.includes('【改訂】')")
    assert page.evaluate("window.__before_reload === undefined")  # a real reload, not a DOM patch
    assert page.locator("#fg-overlay").count() == 0
    # the reloaded page is still fully wired: the offer view fires again, the checkout goes to the test checkout
    assert page.evaluate("window.dataLayer.filter(e => e.event === 'view_item').length") == 1
    href = page.locator("a[data-fg-checkout]").first.get_attribute("href")
    assert href.startswith("/_fg/checkout/starter")
    guard.assert_clean("after reload")


def test_build_error_shows_overlay_over_last_good_page_then_clears(live_page):
    site, preview, page, guard = live_page
    headline = norm(page.locator("h1").inner_text())
    replace_in(site / "site.yml", "next: upsell}", "next: upsel}")  # a typo'd step id: the build refuses it
    overlay = page.locator("#fg-overlay")
    overlay.wait_for(state="visible")
    text = overlay.inner_text()
    assert "site.yml" in text and "upsel" in text and "unknown step" in text
    assert "Did you mean 'upsell'?" in text
    assert overlay.get_attribute("role") == "alert"
    assert norm(page.locator("h1").inner_text()) == headline  # the last good version stays on screen
    # a page opened while the build is broken shows the overlay too (rendered by the server, before any script)
    page2 = page.context.new_page()
    page2.goto(f"{preview.url}/gift/")
    assert page2.locator("#fg-overlay").is_visible()
    page2.close()
    # fixing it clears the overlay without a manual refresh
    replace_in(site / "site.yml", "next: upsel}", "next: upsell}")
    overlay.wait_for(state="detached")
    assert norm(page.locator("h1").inner_text()) == headline
    guard.assert_clean("overlay")


def test_front_matter_error_overlay_names_the_file(live_page):
    site, preview, page, guard = live_page
    replace_in(site / "pages" / "starter.md", 'title: "動画講座', 'title: ["動画講座')
    overlay = page.locator("#fg-overlay")
    overlay.wait_for(state="visible")
    assert "starter.md" in overlay.inner_text()
    replace_in(site / "pages" / "starter.md", 'title: ["動画講座', 'title: "動画講座')
    overlay.wait_for(state="detached")
    guard.assert_clean("front matter")
