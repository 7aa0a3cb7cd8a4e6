"""Helpers for the end-to-end tests: a visitor that walks the funnel and asserts at every step."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from funnelgen.tracking import transaction_event_id
from funnelgen.vendors import BY_KEY
from funnelgen.verify.recorder import READ_JS, layer_events, parse
from funnelgen.verify.recorder import calls as recorded_calls

UTM = {"utm_source": "newsletter", "utm_medium": "email", "utm_campaign": "spring-2026"}


def read_submissions(src: Path) -> list[dict]:
    path = src / ".funnelgen" / "submissions.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def recorded(page) -> list[dict]:
    return parse(page.evaluate(READ_JS))


def path_of(page) -> str:
    return urlsplit(page.url).path


def query_of(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


class Guard:
    """Everything a page did that a test may assert on: outside requests, errors, recorded tracking calls."""

    def __init__(self, base: str):
        self.base = base
        self.stubbed: list[str] = []  # vendor scripts answered locally
        self.outside: list[str] = []  # anything else off 127.0.0.1 (aborted: a test failure)
        self.console: list[str] = []
        self.failed: list[str] = []

    def route(self, route) -> None:
        from funnelgen.browser import STUB, request_policy

        url = route.request.url
        policy = request_policy(url)
        if policy == "local" and (url.startswith(self.base) or not url.startswith("http")):
            return route.continue_()
        if policy == "vendor":
            self.stubbed.append(url)
            return route.fulfill(**STUB)
        self.outside.append(url)
        return route.abort()

    def watch(self, page) -> None:
        def console(msg):
            if msg.type == "error":
                self.console.append(msg.text)

        def failed(req):
            if urlsplit(req.url).path == "/_fg/events" or "ERR_ABORTED" in (req.failure or ""):
                return  # the reload stream closes on every navigation
            self.failed.append(f"{req.url} {req.failure}")

        def response(resp):
            if resp.status >= 400:
                self.failed.append(f"{resp.url} {resp.status}")

        page.on("console", console)
        page.on("pageerror", lambda exc: self.console.append(f"pageerror: {exc}"))
        page.on("requestfailed", failed)
        page.on("response", response)

    def assert_clean(self, where: str = "") -> None:
        """No console error, no failed request, nothing outside 127.0.0.1 (since the last call)."""
        problems = {"console errors": self.console, "failed requests": self.failed, "outside requests": self.outside}
        bad = {k: list(v) for k, v in problems.items() if v}
        for v in problems.values():
            v.clear()
        assert not bad, f"{where}: {bad}"


def guarded_context(browser, base_url: str, **options):
    """A browser context whose requests stay on 127.0.0.1 (vendors stubbed) and whose tracking calls are
    recorded across navigations; returns (context, page, guard)."""
    from funnelgen.verify.recorder import RECORDER_JS

    context = browser.new_context(reduced_motion="reduce", **options)
    guard = Guard(base_url)
    context.route("**/*", guard.route)
    context.add_init_script(RECORDER_JS)
    context.set_default_timeout(10_000)
    page = context.new_page()
    guard.watch(page)
    return context, page, guard


class Visitor:
    """Clicks like a visitor and checks URL, headline and page health at every step."""

    def __init__(self, page, guard, base: str, front_matter: dict[str, dict]):
        self.page, self.guard, self.base, self.fm = page, guard, base, front_matter
        self.trail: list[str] = []  # paths visited, in order
        self.txs: list[str] = []  # test transaction ids, in order

    def enter(self, path: str, utm: dict) -> None:
        resp = self.page.goto(f"{self.base}{path}?{urlencode(utm)}")
        assert resp.status == 200

    def at(self, path: str, page_file: str) -> None:
        """The browser is on `path`, the page's headline is visible, nothing went wrong loading it."""
        page = self.page
        assert path_of(page) == path, f"expected {path}, at {page.url}"
        h1 = page.locator("h1").first
        assert h1.is_visible()
        fm = self.fm[page_file]  # a split test's page shows the headline of the variant it chose
        chosen = page.evaluate("document.documentElement.getAttribute('data-fg-variant')")
        want = ((fm.get("variants") or {}).get(chosen) or {}).get("headline") or fm["headline"]
        assert norm(h1.inner_text()) == norm(want)
        self.guard.assert_clean(path)
        self.trail.append(path)

    def _go(self, click) -> None:
        with self.page.expect_navigation(wait_until="load"):
            click()

    def submit_form(self, form_id: str, values: dict[str, str], consent: bool = False) -> None:
        form = self.page.locator(f"form[data-fg-form={form_id}]")
        for name, value in values.items():
            field = form.locator(f"[name={name}]")
            if field.evaluate("e => e.tagName") == "SELECT":
                field.select_option(label=value)
            else:
                field.fill(value)
        if consent:
            form.locator("input[type=checkbox][name=consent]").check()
        self._go(lambda: form.locator("button[type=submit]").click())

    def next(self) -> None:
        self._go(lambda: self.page.locator("a[data-fg-next]").first.click())

    def decline(self) -> None:
        self._go(lambda: self.page.locator("a[data-fg-decline]").first.click())

    def buy(self, offer: str) -> str:
        """Click the offer's checkout button, check the test checkout, pay; returns the id vendors get for
        the transaction (its hash: funnelgen.tracking.transaction_event_id)."""
        page = self.page
        self._go(lambda: page.locator(f"a[data-fg-checkout][data-fg-offer={offer}]").first.click())
        assert path_of(page) == f"/_fg/checkout/{offer}"
        assert page.locator("[data-fg-test]").is_visible()  # says it is a test payment
        assert page.locator(f"table[data-fg-offer={offer}]").is_visible()
        self.guard.assert_clean(f"checkout {offer}")
        self._go(lambda: page.locator("form[action^='/_fg/pay/'] button[type=submit]").click())
        assert "fg_offer" not in query_of(page) and "session_id" not in query_of(page), page.url  # taken off the bar
        q = page.evaluate("() => window.__fgReturn || {}")
        assert q.get("fg_offer") == offer, q
        tx = q.get("session_id") or q.get("transaction_id")
        assert tx and tx.startswith("cs_test_"), q
        event_id = transaction_event_id(tx)
        self.txs.append(event_id)
        return event_id

    # -- tracking, as recorded across the whole walk ------------------------------------------
    def layer(self) -> list[dict]:
        return layer_events(recorded(self.page))

    def calls(self, vendor: str) -> list[list]:
        """Every recorded call to vendor `vendor` (a key of tracking:), as its argument list."""
        return recorded_calls(recorded(self.page), BY_KEY[vendor].recorder)

    def gtag(self) -> list[list]:
        """gtag('event', name, params) calls (GA4's Arguments pushed to dataLayer)."""
        return [c for c in self.calls("ga4") if len(c) >= 2 and c[0] == "event"]

    def fbq(self) -> list[list]:
        """fbq('track', name, ...) calls (PageView included)."""
        return [c for c in self.calls("meta_pixel") if len(c) >= 2 and c[0] == "track"]
