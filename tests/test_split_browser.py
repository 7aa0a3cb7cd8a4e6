"""Split tests in a real Chromium, on the statically built example (its opt-in runs a 50/50 headline test; here
the thank-you step `gift` joins the same experiment and `starter` gets a variant b to follow a visitor to the
checkout): no flash of the other variant, sticky across reloads and steps, forced variants, the variant in
events, forms and the checkout reference, and the original with JavaScript off."""

from __future__ import annotations

import http.server
from urllib.parse import parse_qs

import pytest
from helpers import copy_example, serve_folder

from funnelgen.browser import STUB, request_policy

pytestmark = pytest.mark.browser

HEAD_A = "売り込むのが苦手なあなたへ。読むだけで「この人から買いたい」と思ってもらえるメール7通"
HEAD_B = "登録直後の7日間で、読者が「ファン」に変わる。そのまま使えるメール7通の型"
GIFT_B = "GIFT-B ご登録ありがとうございます"
# Every animation frame from the start of the navigation until load: which headlines can be seen. The first
# requestAnimationFrame callback runs before the first paint, so frame 0 is what the first paint shows.
FRAMES = """
window.__frames = [];
(function frame() {
  var seen = Array.prototype.filter.call(document.querySelectorAll('h1'), function (h) {
    return h.getClientRects().length > 0 && getComputedStyle(h).visibility !== 'hidden';
  }).map(function (h) { return h.textContent.trim(); });
  window.__frames.push(seen);
  if (window.__frames.length < 120) requestAnimationFrame(frame);
})();
"""


def replace_in(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


class Handler(http.server.SimpleHTTPRequestHandler):
    posts: list = []

    def log_message(self, *args):
        pass

    def do_POST(self):  # a static host that accepts the form post and shows the action page
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        Handler.posts.append({k: v[0] for k, v in parse_qs(body).items()})
        self.send_response(303)
        self.send_header("Location", self.path)
        self.end_headers()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from funnelgen.build import build

    src = copy_example(tmp_path_factory.mktemp("split") / "site")
    replace_in(src / "site.yml", "{id: gift, kind: thankyou, page: gift.md, next: starter}",
               "{id: gift, kind: thankyou, page: gift.md, next: starter, experiment: optin}")
    replace_in(src / "pages" / "gift.md", "\n---\n", f"\nvariants:\n  a: {{weight: 50}}\n  b: {{weight: 50, headline: "
                                                   f"\"{GIFT_B}\"}}\n---\n")
    replace_in(src / "pages" / "starter.md", "\n---\n", "\nvariants:\n  b: {cta: \"B: 講座を申し込む\"}\n---\n")
    out = src.parent / "out"
    build(src, out)
    with serve_folder(out, Handler) as url:
        yield url


@pytest.fixture
def new_context(browser, site):
    made, errors = [], []

    def make(random: float | None = None, js: bool = True, size=(390, 844)):
        context = browser.new_context(viewport={"width": size[0], "height": size[1]}, java_script_enabled=js)
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(site) else
                      (r.fulfill(**STUB) if request_policy(r.request.url) == "vendor" else r.abort()))
        if random is not None:  # the draw a new visitor makes (split.js uses Math.random)
            context.add_init_script(f"Math.random = function () {{ return {random}; }};")
        context.add_init_script(FRAMES)
        made.append(context)
        return context

    yield make
    for context in made:
        for page in context.pages:
            page.close()
        context.close()
    assert errors == []


def open_page(context, url):
    page = context.new_page()
    errs = []
    page.on("pageerror", lambda e: errs.append(str(e)))
    page.goto(url, wait_until="load")
    page.wait_for_timeout(30)
    assert errs == []
    return page


def shown(page) -> list[str]:
    return page.evaluate("""Array.from(document.querySelectorAll('h1')).filter(h => h.getClientRects().length)
                            .map(h => h.textContent.trim())""")


def frames(page) -> list[list[str]]:
    return page.evaluate("window.__frames")


@pytest.mark.parametrize("random,url,want", [
    (0.9, "/optin/", HEAD_B), (0.1, "/optin/", HEAD_A),  # drawn: 0.9 of 100 falls in b's half
    (0.1, "/optin/?fg_variant=b", HEAD_B), (0.9, "/optin/?fg_variant=a", HEAD_A),  # forced
], ids=["drawn-b", "drawn-a", "forced-b", "forced-a"])
def test_no_flash_only_the_chosen_variant_is_ever_painted(new_context, site, random, url, want):
    page = open_page(new_context(random), site + url)
    seen = frames(page)
    assert seen and seen[0] in ([], [want])  # the first paint
    assert all(f in ([], [want]) for f in seen), seen  # and every frame after it
    assert [want] in seen and shown(page) == [want]
    assert page.evaluate("document.documentElement.getAttribute('data-fg-variant')") == ("b" if want == HEAD_B else "a")
    assert page.locator("h1").count() == 1  # funnel.js removed the other variant from the document


def test_first_paint_screenshots_differ_by_variant(new_context, site, tmp_path):
    """The pixels too: the top of the page as first shown in each variant (and nothing of the other)."""
    shots = {}
    for vid in ("a", "b"):
        page = open_page(new_context(), f"{site}/optin/?fg_variant={vid}")
        shots[vid] = page.screenshot(clip={"x": 0, "y": 0, "width": 390, "height": 400})
    assert shots["a"] != shots["b"]


def test_assignment_sticks_across_reloads_and_the_steps_of_the_experiment(new_context, site):
    context = new_context(0.9)
    page = open_page(context, f"{site}/optin/")
    assert shown(page) == [HEAD_B]
    context.add_init_script("Math.random = function () { return 0.1; };")  # a fresh draw would now give a
    for _ in range(3):
        page.reload(wait_until="load")
        assert shown(page) == [HEAD_B]
    page.goto(f"{site}/gift/", wait_until="load")
    assert shown(page) == [GIFT_B]  # the same experiment: the same variant on the next step
    assert page.evaluate("localStorage.getItem('fg_x_optin')") == "b"
    other = open_page(new_context(0.1), f"{site}/gift/")  # someone else, drawn on the second step first
    assert shown(other) != [GIFT_B]
    other.goto(f"{site}/optin/", wait_until="load")
    assert shown(other) == [HEAD_A]


def test_forced_variant_holds_for_the_tab_only(new_context, site):
    context = new_context(0.1)
    page = open_page(context, f"{site}/optin/?fg_variant=b")
    assert shown(page) == [HEAD_B] and page.evaluate("document.documentElement.dataset.fgForced") == "b"
    page.goto(f"{site}/gift/", wait_until="load")
    assert shown(page) == [GIFT_B]  # the tab keeps the forced variant across steps
    assert page.evaluate("localStorage.getItem('fg_x_optin')") is None  # not the visitor's assignment
    fresh = open_page(context, f"{site}/optin/")  # a new tab: the visitor's own draw
    assert shown(fresh) == [HEAD_A]
    unknown = open_page(context, f"{site}/optin/?fg_variant=zz")
    assert shown(unknown) == [HEAD_A]


def test_javascript_off_shows_the_original(new_context, site):
    page = new_context(js=False).new_page()
    page.goto(f"{site}/optin/", wait_until="load")
    assert shown(page) == [HEAD_A]
    assert page.locator("h1", has_text=HEAD_B).count() == 1 and not page.locator("h1", has_text=HEAD_B).is_visible()


def test_events_form_and_checkout_carry_the_variant(new_context, site):
    Handler.posts.clear()
    page = open_page(new_context(0.9), f"{site}/optin/?utm_source=ad")
    assert page.evaluate("window.funnelgen.page.variant") == "b"
    assert page.locator("input[name=fg_variant]").input_value() == "b"
    page.fill("#fg-lead-name", "山田 花子")
    page.fill("#fg-lead-email", "hanako@example.jp")
    page.check("#fg-lead-consent")
    page.click("form button[type=submit]")
    page.wait_for_url("**/gift/")
    assert Handler.posts[-1]["fg_variant"] == "b" and Handler.posts[-1]["fg_step"] == "optin"
    page.goto(f"{site}/optin/", wait_until="load")  # the lead event of a stopped submit
    page.fill("#fg-lead-name", "山田 花子")
    page.fill("#fg-lead-email", "hanako@example.jp")
    page.check("#fg-lead-consent")
    page.evaluate("document.querySelector('form').addEventListener('submit', e => e.preventDefault())")
    page.click("form button[type=submit]")
    lead = page.evaluate("window.dataLayer.filter(e => e.event === 'generate_lead').map(e => ({...e}))")
    assert lead and lead[0]["fg_variant"] == "b"
    page.goto(f"{site}/starter/?fg_variant=b", wait_until="load")
    view = page.evaluate("window.dataLayer.filter(e => e.event === 'view_item').map(e => ({...e}))")
    assert view[0]["fg_variant"] == "b"
    link = page.locator("a[data-fg-checkout]").first
    assert "B: 講座を申し込む" in link.inner_text()
    assert "client_reference_id=blog-starter-b" in link.get_attribute("href")
    page.evaluate("document.querySelectorAll('a[data-fg-checkout]').forEach(a => "
                  "a.addEventListener('click', e => e.preventDefault()))")
    link.click()
    begin = page.evaluate("window.dataLayer.filter(e => e.event === 'begin_checkout').map(e => ({...e}))")
    assert begin[0]["fg_variant"] == "b"
    sticky = page.locator(".sticky a")
    assert sticky.get_attribute("href") == "#order" and page.locator("#order").count() == 1  # ids are its own again


def test_verify_walks_every_variant_and_catches_the_one_that_reports_the_wrong_label(tmp_path):
    """A form partial override that drops the runtime mark on fg_variant: variant b's visitors would be
    counted as a. verify walks a and b (forced) and fails only b, naming the field."""
    from pathlib import Path

    from funnelgen.verify import verify

    site = copy_example(tmp_path / "site")
    theme = Path(__file__).resolve().parent.parent / "themes" / "default" / "templates"
    (site / "templates" / "partials").mkdir(parents=True)
    form = (theme / "partials" / "form.html").read_text(encoding="utf-8")
    old = '{% if h.key %} data-fg-hidden="{{ h.key }}"{% endif %}'
    assert old in form
    (site / "templates" / "partials" / "form.html").write_text(
        form.replace(old, '{% if h.key and h.key != "fg_variant" %} data-fg-hidden="{{ h.key }}"{% endif %}'),
        encoding="utf-8")
    result = verify(site, funnels=("blog",), timeout=5, max_paths=1)
    assert [p.path.id for p in result.paths] == ["blog-1-a", "blog-1-b"]
    ok = {p.path.id: p.ok for p in result.paths}
    assert ok == {"blog-1-a": True, "blog-1-b": False}
    failures = result.paths[1].failures()
    assert failures == ["at optin: the form 'lead' posted fg_variant='a' (expected 'b')"], failures
    headline = result.paths[1].steps[0].headline
    assert headline.startswith("登録直後の7日間で")  # the b walk saw b's headline
