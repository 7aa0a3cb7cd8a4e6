"""The browser side of one walk: its lane's context and page (funnelgen/verify/lanes.py), what goes wrong in
it, clicks and screenshots.

Requests stay on the preview server: the browser refuses everything else (`funnelgen.browser.DeadEnd`); a
vendor's tag fails quietly (the inline snippets still create the queues the checks read), anything else off the
site is reported (`funnelgen.browser.request_policy`). Console
errors, failed requests and blocked requests are collected as they happen, filed under the page they
happened on, and turned into checks by `health`. The recorder init script
(funnelgen/verify/recorder.py) mirrors tracking calls into the tab's sessionStorage.
"""

from __future__ import annotations

import asyncio
import base64
import re
from urllib.parse import parse_qs, urlsplit

from ..browser import request_policy
from ..serve.livereload import EVENTS_PATH  # the preview's reload stream: closed on every navigation
from .hand import CannotClick, aim, look
from .recorder import parse as parse_records
from .results import Arrival, Env, StepResult, Stop, short

SHOT = {"format": "jpeg", "quality": 70, "optimizeForSpeed": True}


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
        self.seen: dict = {}  # what the last look read (funnelgen/verify/hand.py LOOK_JS)

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
        url = req.url
        if not self._local(url):
            # the browser refuses it (funnelgen.browser.DeadEnd); only a vendor's tag may try and fail quietly
            if request_policy(url, self.env.allow_hosts) == "blocked":
                self.blocked.append((self._page_path(), url))
            return
        if req.method == "POST" and req.is_navigation_request():
            self.posts.append(self.rel(url))

    # -- where the browser is -------------------------------------------------------------------------
    def rel(self, url: str) -> str:
        if self._local(url):
            parts = urlsplit(url)
            return parts.path + (f"?{parts.query}" if parts.query else "")
        return url

    def where(self) -> tuple[str, dict]:
        parts = urlsplit(self.page.url)
        return parts.path, parse_qs(parts.query)

    async def look(self) -> dict:
        """Read the page on arrival (funnelgen/verify/hand.py, one round trip); kept as `seen` until the next."""
        self.seen = await look(self.page)
        return self.seen

    def records(self) -> list[dict]:
        """The tracking calls recorded in this tab up to the last look, every document's."""
        return parse_records(self.seen.get("records"))

    # -- doing things ---------------------------------------------------------------------------------
    async def screenshot(self, sr: StepResult) -> None:
        """The visible screen as a JPEG for the storyboard: one DevTools call (`Page.captureScreenshot`,
        https://chromedevtools.github.io/devtools-protocol/tot/Page/#method-captureScreenshot, encoded for speed).
        Playwright's `page.screenshot` took twice as long (it first waits for fonts and freezes animations;
        the lane's context already asks for reduced motion)."""
        if self.env.shots is None:
            return
        self.shot_no += 1
        name = f"{self.name}-{self.shot_no:02d}-{re.sub(r'[^A-Za-z0-9_-]+', '-', sr.label)[:40]}.jpg"
        try:
            shot = await asyncio.wait_for(self.lane.cdp.send("Page.captureScreenshot", SHOT), self.env.timeout)
            (self.env.shots / name).write_bytes(base64.b64decode(shot["data"]))
            sr.screenshot = name
        except Exception:  # noqa: BLE001 - a screenshot is a nicety, never a failure
            pass

    async def navigate(self, css: str, what: str, sr: StepResult, scope: str = "") -> Arrival:
        """Click the element (funnelgen/verify/hand.py: visible, enabled, not covered; real mouse events) that must
        load a new page, and look at that page; Stop with the reason when it cannot be clicked or nothing loads."""
        from playwright.async_api import Error as PlaywrightError
        from playwright.async_api import TimeoutError as PlaywrightTimeout

        before = self.page.url
        posts = len(self.posts)
        try:
            x, y = await aim(self.page, css, scope)
        except CannotClick as exc:
            await self.screenshot(sr)
            sr.check(what, False, f"{what}: {' '.join(filter(None, (scope, css)))} {exc}")
            raise Stop from None
        try:
            async with self.page.expect_navigation(wait_until="load", timeout=self.env.timeout * 1000) as nav:
                await self.page.mouse.click(x, y)
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
        await self.look()
        return Arrival(resp.status if resp else None, posted_to=posted)

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
