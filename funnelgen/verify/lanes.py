"""Lanes: one browser context and page per concurrent walker, reused from walk to walk and wiped in between.

Opening a context and a page costs about half a second of wall time and of the browser process's CPU
(a new renderer process each time; measured in docs/verify.md, "Where verify's time goes"), which
was a fifth of a run. A walk needs a clean start, not a new process: before each walk its lane
clears cookies, local and session storage, IndexedDB and caches of the site's origin
(Chrome DevTools Protocol `Storage.clearDataForOrigin`,
https://chromedevtools.github.io/devtools-protocol/tot/Storage/#method-clearDataForOrigin).
A lane is used by one walk at a time, so walks running at once never share cookies, storage or
recorded events. Browser events go to the lane's current `Tab` (funnelgen/verify/tab.py). No request is
routed through Playwright: the browser itself refuses everything off the machine
(`funnelgen.browser.DeadEnd`), so the site's own files never wait for the driver or Python.
"""

from __future__ import annotations

from .recorder import CONSENT_JS, RECORDER_JS
from .results import Env

RESET_PATH = "/_fg/status"  # a small same-origin document (JSON): somewhere to clear the tab's storage from
CLEAR_JS = "() => { try { sessionStorage.clear(); localStorage.clear(); } catch (e) {} }"
PAGE_EVENTS = ("console", "pageerror", "requestfailed", "response", "request")


class Lane:
    """One context + one page of the shared browser; `current` is the Tab walking in it (or None)."""

    def __init__(self, browser, env: Env, language: str, eu: bool):
        self.browser, self.env, self.language, self.eu = browser, env, language, eu
        self.context = self.page = self.cdp = None
        self.current = None
        self.used = False  # a walk ran here since the last wipe
        self.stale = False  # a walk left something a wipe cannot remove (an init script): use a new context

    async def open(self) -> Lane:
        env = self.env
        self.context = context = await self.browser.new_context(
            viewport=env.viewport, device_scale_factor=1, locale="ja-JP" if self.language == "ja" else "en-US",
            service_workers="block", reduced_motion="reduce")
        await context.add_init_script(RECORDER_JS)
        if self.eu:
            await context.add_init_script(CONSENT_JS)
        page = self.page = await context.new_page()
        page.set_default_timeout(env.timeout * 1000)
        for name in PAGE_EVENTS:
            page.on(name, self._forward(name))
        self.cdp = await context.new_cdp_session(page)
        return self

    def _forward(self, name: str):
        handler = f"_on_{name}"

        def forward(arg) -> None:
            tab = self.current
            if tab is not None:
                getattr(tab, handler)(arg)
        return forward

    async def wipe(self) -> None:
        """The state a new context starts with: no cookies, no storage of the site's origin."""
        base = self.env.base
        # leave the last page first: what its scripts store as it unloads must be wiped too
        await self.page.goto(base + RESET_PATH, wait_until="load")
        # session storage belongs to the tab: today's Chromium clears it with the origin's data below too,
        # but the protocol does not say so
        await self.page.evaluate(CLEAR_JS)
        for page in self.context.pages:  # a window the last walk's pages opened
            if page is not self.page:
                await page.close()
        await self.context.clear_cookies()
        await self.cdp.send("Storage.clearDataForOrigin", {"origin": base, "storageTypes": "all"})
        self.used = False

    async def ready(self) -> Lane:
        """This lane wiped for the next walk, or a new lane when the old one cannot be wiped (a crashed page, a
        walk's init script that could not be removed)."""
        if not self.used:
            return self
        if not self.stale:
            try:
                await self.wipe()
                return self
            except Exception:  # noqa: BLE001 - Playwright's own errors: start over with a new context
                pass
        await self.close()
        return await Lane(self.browser, self.env, self.language, self.eu).open()

    async def close(self) -> None:
        if self.context is not None:
            try:
                await self.context.close()
            except Exception:  # noqa: BLE001 - the browser may be gone already
                pass
