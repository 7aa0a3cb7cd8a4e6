"""The browser side of one walk: its lane's context and page (funnelgen/verify/lanes.py), what goes wrong in
it, clicks and screenshots.

Requests stay on the preview server: vendor tags are answered with an empty script
(`funnelgen.browser.request_policy`), anything else off the site is blocked and reported. Console
errors, failed requests and blocked requests are collected as they happen, filed under the page they
happened on, and turned into checks by `health`. The recorder init script
(funnelgen/verify/recorder.py) mirrors tracking calls into the tab's sessionStorage.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from ..browser import STUB, request_policy
from .recorder import DOC, READ_JS
from .recorder import parse as parse_records
from .results import Arrival, Env, StepResult, Stop, short

ARRIVAL_JS = f"""() => {{
  const h = document.querySelector('h1');
  let visible = false;
  if (h) {{
    const box = h.getBoundingClientRect();
    visible = (!h.checkVisibility || h.checkVisibility()) && getComputedStyle(h).visibility === 'visible'
      && box.width > 0 && box.height > 0;
  }}
  return {{visible, text: visible ? h.innerText : '', doc: window.{DOC} || null,
           runtime: typeof window.funnelgen === 'object'}};
}}"""
EVENTS_PATH = "/_fg/events"  # the preview server's reload stream: closed on every navigation


class Tab:
    def __init__(self, env: Env, name: str):
        self.env = env
        self.name = name  # screenshot file names start with it (the path id)
        self.lane = self.context = self.page = None
        self._scripts: list = []  # this walk's own init scripts (Playwright disposables)
        self.shot_no = 0
        # noise collected from the browser since the last health check
        # (page path, text): what went wrong, filed under the page it happened on
        self.console: list[tuple[str, str]] = []
        self.failed: list[tuple[str, str]] = []
        self.blocked: list[tuple[str, str]] = []
        self.posts: list[str] = []  # where forms posted, in order

    async def open(self, lane) -> None:
        """Walk in `lane` (funnelgen/verify/lanes.py): its context and page, its browser events from now on."""
        self.lane, self.context, self.page = lane, lane.context, lane.page
        lane.current, lane.used = self, True

    async def force(self, script: str) -> None:
        """An init script for this walk only (removed when the walk ends; the lane serves other walks)."""
        self._scripts.append(await self.page.add_init_script(script))

    async def close(self) -> None:
        lane = self.lane
        if lane is not None and lane.current is self:
            lane.current = None
        for script in self._scripts:
            try:  # Playwright 1.5x returns a Disposable; older versions return None: no way to remove it
                await script.close()
            except Exception:  # noqa: BLE001
                if lane is not None:
                    lane.stale = True  # its next walk gets a new context instead of a wipe
        self._scripts = []

    @property
    def noisy(self) -> bool:
        return bool(self.console or self.failed or self.blocked)

    # -- listeners ------------------------------------------------------------------------------------
    async def _route(self, route) -> None:
        url = route.request.url
        policy = request_policy(url, self.env.allow_hosts)
        if policy in ("local", "allowed"):
            await route.continue_()
        elif policy == "vendor":
            await route.fulfill(**STUB)
        else:
            self.blocked.append((self._page_path(), url))
            await route.abort("blockedbyclient")

    def _on_console(self, msg) -> None:
        if msg.type != "error":
            return
        text = msg.text
        if text.startswith("Failed to load resource"):
            return  # the request itself is reported (with its URL) as a failed request
        self.console.append((self._page_path(), text))

    def _on_pageerror(self, exc) -> None:
        self.console.append((self._page_path(), f"uncaught error: {exc}"))

    def _page_path(self) -> str:
        """The page the browser is on as an event arrives (events come in order with navigations)."""
        try:
            return urlsplit(self.page.url).path
        except Exception:  # noqa: BLE001
            return ""

    def _local(self, url: str) -> bool:
        return url.startswith(self.env.base + "/")

    def _on_requestfailed(self, req) -> None:
        url, failure = req.url, req.failure or ""
        if not self._local(url) or urlsplit(url).path == EVENTS_PATH or "ERR_ABORTED" in failure:
            return  # outside requests are reported as blocked; aborted = left the page
        self.failed.append((self._page_path(), f"{self.rel(url)} ({failure})"))

    def _on_response(self, resp) -> None:
        req = resp.request
        if req.is_navigation_request() and req.frame == self.page.main_frame:
            return  # the page itself: judged by the arrival check
        if resp.status >= 400 and self._local(resp.url):
            self.failed.append((self._page_path(), f"{self.rel(resp.url)} answered {resp.status}"))

    def _on_request(self, req) -> None:
        if req.method == "POST" and req.is_navigation_request():
            self.posts.append(self.rel(req.url))

    # -- where the browser is -------------------------------------------------------------------------
    def rel(self, url: str) -> str:
        if self._local(url):
            parts = urlsplit(url)
            return parts.path + (f"?{parts.query}" if parts.query else "")
        return url

    def where(self) -> tuple[str, dict]:
        parts = urlsplit(self.page.url)
        return parts.path, parse_qs(parts.query)

    async def records(self) -> list[dict]:
        try:
            return parse_records(await self.page.evaluate(READ_JS))
        except Exception:  # noqa: BLE001 - an error page has no storage; nothing recorded
            return []

    async def doc(self) -> str | None:
        """The id the recorder gave the current document (its calls are tagged with it)."""
        try:
            return await self.page.evaluate(f"() => window.{DOC} || null")
        except Exception:  # noqa: BLE001
            return None

    async def arrival(self) -> dict:
        """What the walker reads on every page, in one round trip: the first h1 (visible as Playwright's
        `is_visible` decides: rendered, visibility visible, a non-empty box; and its text), the recorder's
        document id and whether funnel.js ran."""
        try:
            return await self.page.evaluate(ARRIVAL_JS) or {}
        except Exception:  # noqa: BLE001 - an error page or a page that is going away: nothing seen
            return {}

    # -- doing things ---------------------------------------------------------------------------------
    async def screenshot(self, sr: StepResult) -> None:
        if self.env.shots is None:
            return
        self.shot_no += 1
        name = f"{self.name}-{self.shot_no:02d}-{re.sub(r'[^A-Za-z0-9_-]+', '-', sr.label)[:40]}.jpg"
        try:
            await self.page.screenshot(path=str(self.env.shots / name), type="jpeg", quality=70,
                                       animations="disabled", caret="hide", timeout=self.env.timeout * 1000)
            sr.screenshot = name
        except Exception:  # noqa: BLE001 - a screenshot is a nicety, never a failure
            pass

    async def navigate(self, click, what: str, sr: StepResult) -> Arrival:
        """Click something that must load a new page; Stop with the reason when it does not."""
        from playwright.async_api import Error as PlaywrightError
        from playwright.async_api import TimeoutError as PlaywrightTimeout

        before = self.page.url
        posts = len(self.posts)
        try:
            async with self.page.expect_navigation(wait_until="load", timeout=self.env.timeout * 1000) as nav:
                await click()
            resp = await nav.value
        except PlaywrightTimeout:
            extra = await self._field_errors()
            sr.check(what, False, f"{what}: nothing happened within {self.env.timeout:g} s "
                                  f"(still on {self.rel(before)}){extra}")
            raise Stop from None
        except PlaywrightError as exc:
            blocked = f" It tried to open {self.blocked[-1][1]}, outside the site." if self.blocked else ""
            sr.check(what, False, f"{what}: the browser could not load the next page "
                                  f"({short(str(exc).splitlines()[0], 100)}).{blocked}")
            raise Stop from None
        posted = self.posts[posts] if len(self.posts) > posts else None
        return Arrival(resp.status if resp else None, posted_to=posted)

    @staticmethod
    async def press(locator, how: str = "click") -> None:
        """Scroll the element to the middle of the screen first, as a visitor would: a sticky bar at the
        bottom of a mobile page would otherwise sit on top of it and make Playwright retry for a second."""
        try:
            await locator.evaluate("e => e.scrollIntoView({block: 'center', inline: 'nearest'})")
        except Exception:  # noqa: BLE001 - the click itself reports a missing element
            pass
        await getattr(locator, how)()

    async def _field_errors(self) -> str:
        try:
            msgs = await self.page.evaluate(
                "() => Array.from(document.querySelectorAll('[aria-invalid=true]')).map(f => "
                "(f.name || f.id) + ': ' + (f.validationMessage || 'invalid'))")
        except Exception:  # noqa: BLE001
            return ""
        return "; the form reports: " + "; ".join(msgs) if msgs else ""

    # -- health ---------------------------------------------------------------------------------------
    def health(self, sr: StepResult, everything: bool = False) -> None:
        """Console errors, failed requests and outside requests of the page `sr` shows (or all that are left)."""
        here = urlsplit(sr.url).path

        def take(items: list) -> list[str]:
            mine = [text for path, text in items if everything or path == here]
            items[:] = [(path, text) for path, text in items if not (everything or path == here)]
            return mine

        console, failed, blocked = take(self.console), take(self.failed), take(self.blocked)
        sr.check("no console errors", not console, "; ".join(short(c, 200) for c in console[:3])
                 + (f" (+{len(console) - 3} more)" if len(console) > 3 else ""))
        sr.check("no failed requests", not failed,
                 ("failed: " + "; ".join(failed[:5])) if failed else "")
        hosts = sorted({urlsplit(u).hostname or u for u in blocked})
        sr.check("nothing loaded from outside the site", not blocked,
                 (f"the page requests {short(blocked[0], 120)}" + (f" (and {len(blocked) - 1} more)" if len(blocked) > 1 else "")
                  + " outside the site; verify blocks it so results do not depend on other servers "
                  f"(allow it with --allow-host {hosts[0]})") if blocked else "")
