"""The media pipeline in a real Chromium, on the built example: nothing leaves the site before the video facade
is clicked and the player loads from youtube-nocookie after (answered by a local stub); every image carries
width/height and a srcset; the video page does not scroll sideways at 320 and 390 px."""

from __future__ import annotations

import pytest
from helpers import copy_example, serve_folder

from funnelgen.browser import STUB, request_policy

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from funnelgen.build import build

    src = copy_example(tmp_path_factory.mktemp("media") / "site")
    out = src.parent / "out"
    build(src, out)
    with serve_folder(out) as url:
        yield url


def open_page(browser, site, path, width=390, height=844):
    context = browser.new_context(viewport={"width": width, "height": height})
    outside: list[str] = []  # requests to other hosts, the example's own tracking tags (GA4, Meta …) aside

    def route(route):
        url = route.request.url
        if url.startswith(site):
            return route.continue_()
        if request_policy(url) == "vendor":
            return route.fulfill(**STUB)
        outside.append(url)
        if url.startswith("https://www.youtube-nocookie.com/embed/"):  # the player, stubbed locally
            return route.fulfill(status=200, content_type="text/html", body="<title>player</title>stub")
        return route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.goto(site + path)
    page.wait_for_load_state("networkidle")
    return page, outside


def test_nothing_leaves_the_site_until_the_facade_is_clicked(browser, site):
    page, outside = open_page(browser, site, "/starter/")
    facade = page.locator("a.video-facade").first
    facade.scroll_into_view_if_needed()
    page.mouse.wheel(0, 3000)  # lazy posters and everything below the fold load
    page.wait_for_timeout(300)
    assert outside == []
    facade.click()
    frame = page.locator("iframe.video-player")
    frame.wait_for()
    assert frame.get_attribute("src").startswith("https://www.youtube-nocookie.com/embed/M7lc1UVf-VE")
    page.wait_for_timeout(300)
    assert len(outside) == 1 and outside[0].startswith("https://www.youtube-nocookie.com/embed/M7lc1UVf-VE")
    assert page.evaluate("document.activeElement.tagName") == "IFRAME"
    assert page.url == site + "/starter/"  # the click did not follow the fallback link
    page.context.close()


@pytest.mark.parametrize("path", ["/optin/", "/starter/", "/gift/", "/apply/"])
def test_images_carry_size_and_srcset(browser, site, path):
    page, _outside = open_page(browser, site, path, 1366, 900)
    for img in page.locator("img").all():  # lazy ones load once near the viewport
        img.scroll_into_view_if_needed()
    page.wait_for_function("[...document.images].every(i => i.complete)")
    images = page.evaluate("""[...document.images].map(i => ({src: i.currentSrc, w: i.getAttribute('width'),
        h: i.getAttribute('height'), srcset: i.closest('picture') ? i.closest('picture').querySelector('source')
        .srcset : i.srcset, done: i.complete && i.naturalWidth > 0, lazy: i.loading, cls: i.className}))""")
    assert images
    for img in images:
        assert img["w"] and img["h"] and img["srcset"], img
        assert img["done"] and img["src"].endswith(".webp"), img  # Chromium picked the WebP source
    hero = [i for i in images if i["cls"] == "hero-img"]
    assert all(i["lazy"] == "eager" for i in hero)
    page.context.close()


@pytest.mark.parametrize("width", [320, 390])
def test_video_page_does_not_scroll_sideways(browser, site, width):
    page, _outside = open_page(browser, site, "/starter/", width, 800)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    box = page.locator(".video-frame").first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width and abs(box["width"] / box["height"] - 16 / 9) < 0.02
    page.locator("a.video-facade").first.click()
    page.locator("iframe.video-player").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.context.close()
