"""A webinar registration in Chromium: the form sends `registration` to every vendor under its own name
(GA4 sign_up, Meta CompleteRegistration, X's configured event id), and an opt-in still sends `lead`."""

from __future__ import annotations

import pytest
from test_webinar import SEMINAR, webinar_config

pytestmark = pytest.mark.browser

TRACKING = {"ga4": "G-K7T2Q9X4LM", "meta_pixel": "104857361920475",
            "x_pixel": {"id": "o8xyz", "events": {"registration": "tw-o8xyz-o8reg", "lead": "tw-o8xyz-o8lea"}}}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from helpers import serve_folder, write_site

    from funnelgen.build import build

    cfg = webinar_config()
    cfg["tracking"] = TRACKING
    src = write_site(tmp_path_factory.mktemp("webinar") / "site", cfg, {"seminar.md": SEMINAR})
    out = src.parent / "out"
    build(src, out)
    with serve_folder(out) as url:
        yield url


def submitted(browser, url: str, form_id: str) -> dict:
    """Fill and submit the form (the navigation is cancelled so the page's calls can be read)."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    outside: list[str] = []

    def route(r):
        if r.request.url.startswith(url.split("/", 3)[0] + "//" + url.split("/", 3)[2]):
            return r.continue_()
        outside.append(r.request.url)
        return r.fulfill(status=200, content_type="application/javascript", body="")
    context.route("**/*", route)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.fill(f"#fg-{form_id}-name", "山田 花子")
    page.fill(f"#fg-{form_id}-email", "hanako@example.jp")
    page.check(f"#fg-{form_id}-consent")
    page.evaluate(f"document.getElementById('fg-form-{form_id}').addEventListener('submit', e => e.preventDefault())")
    page.click(f"#fg-form-{form_id} button[type=submit]")
    calls = page.evaluate("""() => ({
        layer: dataLayer.filter(e => e && e.event && !String(e.event).startsWith('gtm')).map(e => e.event),
        gtag: dataLayer.filter(e => Object.prototype.toString.call(e) === '[object Arguments]' && e[0] === 'event')
                       .map(a => a[1]),
        fbq: fbq.queue.filter(a => a[0] === 'track').map(a => a[1]),
        twq: twq.queue.filter(a => a[0] === 'event').map(a => a[1]),
    })""")
    context.close()
    assert errors == [] and all(h in " ".join(outside) for h in ("googletagmanager", "facebook")), (errors, outside)
    return calls


def test_registration_form_sends_registration_to_every_vendor(site, browser):
    calls = submitted(browser, f"{site}/seminar/", "seminar")
    assert calls["layer"] == ["sign_up"] and calls["gtag"] == ["sign_up"]
    assert calls["fbq"] == ["PageView", "CompleteRegistration"]
    assert calls["twq"] == ["tw-o8xyz-o8reg"]


def test_optin_still_sends_lead(site, browser):
    calls = submitted(browser, f"{site}/optin/", "lead")
    assert calls["layer"] == ["generate_lead"] and calls["fbq"] == ["PageView", "Lead"]
    assert calls["twq"] == ["tw-o8xyz-o8lea"]
