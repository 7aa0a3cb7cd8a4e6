"""Drive Chromium through one funnel path and check every step against the funnel map.

One `Walker` per path, each in its own browser context (fresh cookies and
storage, so first-touch UTM and once-per-transaction logic start clean);
walkers run concurrently on one browser (Playwright's async API).

At each step the walker checks, in this order:

- arrival: the URL is the step's URL (where the previous action had to lead),
  the page answered 200, the headline is visible;
- tracking on arrival: `view_item` on offer pages, `purchase` with the test
  transaction id after a payment (and not again on reload);
- the action: the form is filled with test data and posted (the preview
  server must capture every field, hidden funnel/step/UTM fields included;
  `generate_lead` fires once), or the checkout button opens the test checkout
  (`begin_checkout` fires once) and the pay button is pressed, or the next or
  decline link is followed;
- health: no console error, no failed or 4xx/5xx request, nothing fetched
  from outside the site (vendor tags are answered with an empty script).

A failure that leaves the browser somewhere unexpected ends the path; others
(a missing event, a console error) are recorded and the walk goes on.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from ..browser import STUB, request_policy
from ..graph import ACTION_WORDS, CHECKOUT, FORM, NEXT, FunnelPath, Hop, entries
from .expectations import expected_funnel
from .recorder import CONSENT_JS, DOC, FUNNEL_EVENTS, READ_JS, RECORDER_JS, fbq_tracks, gtag_events, layer_events
from .recorder import parse as parse_records

MOBILE = {"width": 390, "height": 844}
UTM_SOURCE, UTM_MEDIUM = "funnelgen-verify", "test"
EVENTS_PATH = "/_fg/events"
CHECKOUT_PREFIX = "/_fg/checkout/"
PAY_PREFIX = "/_fg/pay/"
TX_PARAMS = ("session_id", "transaction_id", "order_id", "orderId")


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""

    def as_dict(self) -> dict:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


@dataclass
class StepResult:
    step: str  # step id ("" for the test checkout)
    label: str  # what the storyboard card is titled
    kind: str
    url: str = ""  # path and query the browser was at
    headline: str = ""
    action: str = ""  # what verify did on this page, in words
    checks: list[Check] = field(default_factory=list)
    screenshot: str | None = None  # file name inside the report's shots/ folder

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        self.checks.append(Check(name, bool(ok), detail))
        return bool(ok)

    def as_dict(self) -> dict:
        return {"step": self.step, "label": self.label, "kind": self.kind, "url": self.url,
                "headline": self.headline, "action": self.action, "ok": self.ok,
                "screenshot": self.screenshot, "checks": [c.as_dict() for c in self.checks]}


@dataclass
class PathResult:
    path: FunnelPath
    steps: list[StepResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return bool(self.steps) and all(s.ok for s in self.steps)

    @property
    def failure(self) -> str | None:
        """The first failed check, in plain words: 'at upsell: ...'."""
        for s in self.steps:
            for c in s.checks:
                if not c.ok:
                    return f"at {s.label}: {c.detail or c.name}"
        return None if self.steps else "the path was not walked"

    def failures(self) -> list[str]:
        return [f"at {s.label}: {c.detail or c.name}" for s in self.steps for c in s.checks if not c.ok]

    def as_dict(self) -> dict:
        return {"id": self.path.id, "funnel": self.path.funnel, "label": self.path.label(),
                "steps_planned": self.path.step_ids, "ok": self.ok, "seconds": round(self.seconds, 2),
                "failure": self.failure, "failures": self.failures(), "steps": [s.as_dict() for s in self.steps]}


@dataclass
class Env:
    """What every walker shares."""

    site: object
    base: str  # http://127.0.0.1:PORT
    submissions: Path  # the preview server's capture file
    shots: Path | None  # screenshots folder, None for no screenshots
    timeout: float = 10.0  # seconds for one navigation or click
    allow_hosts: tuple[str, ...] = ()
    viewport: dict = field(default_factory=lambda: dict(MOBILE))


class Stop(Exception):
    """The browser is not where the funnel map says: the rest of the path cannot be walked."""


@dataclass
class Arrival:
    status: int | None
    via: Hop | None = None  # the hop whose action led here
    posted_to: str | None = None  # where a form posted (path)


def norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def short(text: str, n: int = 160) -> str:
    text = norm(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def expected_headline(step) -> str:
    meta = step.meta or {}
    return norm(str(meta.get("headline") or meta.get("title") or ""))


def tracking_value(offer):
    from ..prices import tracking_value as value

    return value(offer)


def test_values(form, token: str, index: int) -> dict[str, str]:
    """Plausible test data for every field of `form` (by name, then by type); unique per path."""
    values = {}
    for f in form.fields:
        if f.type == "email" or f.name == "email":
            v = f"verify.{token}@example.com"
        elif f.name == "name":
            v = f"Verify Test {token}"
        elif f.type == "tel":
            v = "0312345678"
        elif f.type == "url":
            v = "https://example.com/"
        elif f.type == "number":
            v = "3"
        elif f.type == "checkbox":
            v = "on"
        elif f.type == "select":
            v = next((o for o in (f.options or []) if o), "")
        elif f.type == "textarea":
            v = f"funnelgen verify test message {token}"
        else:
            v = f"verify {token}"
        values[f.name] = v
    return values


class Walker:
    def __init__(self, env: Env, browser, path: FunnelPath, index: int):
        self.env = env
        self.site = env.site
        self.browser = browser
        self.path = path
        self.index = index
        self.token = f"{path.id}-{int(time.time() * 1000) % 100000:05d}".replace("_", "-")
        self.result = PathResult(path)
        self.entries = entries(self.site)
        self.funnels = expected_funnel(self.site, self.entries, path, len(path.hops) - 1)
        self.utm = {"utm_source": UTM_SOURCE, "utm_medium": UTM_MEDIUM, "utm_campaign": path.funnel}
        self.page = None
        self.shot_no = 0
        # noise collected from the browser since the last health check
        # (page path, text): what went wrong, filed under the page it happened on
        self.console: list[tuple[str, str]] = []
        self.failed: list[tuple[str, str]] = []
        self.blocked: list[tuple[str, str]] = []
        self.posts: list[str] = []
        self.main_responses: dict[str, int] = {}

    # -- browser plumbing -----------------------------------------------------------------
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
        self.failed.append((self._page_path(), f"{self._rel(url)} ({failure})"))

    def _on_response(self, resp) -> None:
        req = resp.request
        if req.is_navigation_request() and req.frame == self.page.main_frame:
            return  # the page itself: judged by the arrival check
        if resp.status >= 400 and self._local(resp.url):
            self.failed.append((self._page_path(), f"{self._rel(resp.url)} answered {resp.status}"))

    def _on_request(self, req) -> None:
        if req.method == "POST" and req.is_navigation_request():
            self.posts.append(self._rel(req.url))

    def _rel(self, url: str) -> str:
        if self._local(url):
            parts = urlsplit(url)
            return parts.path + (f"?{parts.query}" if parts.query else "")
        return url

    def _where(self) -> tuple[str, dict]:
        parts = urlsplit(self.page.url)
        return parts.path, parse_qs(parts.query)

    async def _records(self) -> list[dict]:
        try:
            return parse_records(await self.page.evaluate(READ_JS))
        except Exception:  # noqa: BLE001 - an error page has no storage; nothing recorded
            return []

    async def _doc(self) -> str | None:
        try:
            return await self.page.evaluate(f"() => window.{DOC} || null")
        except Exception:  # noqa: BLE001
            return None

    async def _screenshot(self, sr: StepResult) -> None:
        if self.env.shots is None:
            return
        self.shot_no += 1
        name = f"{self.path.id}-{self.shot_no:02d}-{re.sub(r'[^A-Za-z0-9_-]+', '-', sr.label)[:40]}.jpg"
        try:
            await self.page.screenshot(path=str(self.env.shots / name), type="jpeg", quality=70,
                                       animations="disabled", caret="hide", timeout=self.env.timeout * 1000)
            sr.screenshot = name
        except Exception:  # noqa: BLE001 - a screenshot is a nicety, never a failure
            pass

    async def _navigate(self, click, what: str, sr: StepResult) -> Arrival:
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
                                  f"(still on {self._rel(before)}){extra}")
            raise Stop from None
        except PlaywrightError as exc:
            blocked = f" It tried to open {self.blocked[-1][1]}, outside the site." if self.blocked else ""
            sr.check(what, False, f"{what}: the browser could not load the next page "
                                  f"({short(str(exc).splitlines()[0], 100)}).{blocked}")
            raise Stop from None
        posted = self.posts[posts] if len(self.posts) > posts else None
        return Arrival(resp.status if resp else None, posted_to=posted)

    @staticmethod
    async def _press(locator, how: str = "click") -> None:
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

    # -- the walk ----------------------------------------------------------------------------
    async def run(self) -> PathResult:
        started = time.perf_counter()
        context = await self.browser.new_context(viewport=self.env.viewport, device_scale_factor=1,
                                                 locale="ja-JP" if self.site.language == "ja" else "en-US",
                                                 service_workers="block", reduced_motion="reduce")
        try:
            await context.route("**/*", self._route)
            await context.add_init_script(RECORDER_JS)
            if "eu" in self.site.settings.audience:
                await context.add_init_script(CONSENT_JS)
            page = self.page = await context.new_page()
            page.set_default_timeout(self.env.timeout * 1000)
            page.on("console", self._on_console)
            page.on("pageerror", self._on_pageerror)
            page.on("requestfailed", self._on_requestfailed)
            page.on("response", self._on_response)
            page.on("request", self._on_request)
            try:
                await self._walk()
            except Stop:
                pass
            except Exception as exc:  # noqa: BLE001 - report, do not crash the other paths
                sr = self.result.steps[-1] if self.result.steps else self._new("(start)", "")
                sr.check("browser", False, f"the browser failed: {short(str(exc), 300)}")
                await self._screenshot(sr)
            if self.result.steps and (self.console or self.failed or self.blocked):
                self._health(self.result.steps[-1], everything=True)  # whatever the last page left behind
        finally:
            self.result.seconds = time.perf_counter() - started
            await context.close()
        return self.result

    def _new(self, label: str, kind: str, step: str = "") -> StepResult:
        sr = StepResult(step=step, label=label, kind=kind)
        self.result.steps.append(sr)
        return sr

    async def _walk(self) -> None:
        site, hops = self.site, self.path.hops
        first = site.steps[hops[0].step]
        sr = self._new(first.id, first.kind, first.id)
        url = f"{first.url}?{urlencode(self.utm)}"
        try:
            resp = await self.page.goto(self.env.base + url, wait_until="load")
        except Exception as exc:  # noqa: BLE001
            sr.check("page loads", False, f"the entry page {url} did not load: {short(str(exc), 200)}")
            raise Stop from None
        arrival = Arrival(resp.status if resp else None)
        for i, hop in enumerate(hops):
            step = site.steps[hop.step]
            if i > 0:
                sr = self._new(step.id, step.kind, step.id)
            await self._arrive(sr, step, i, arrival, shoot=hop.action != FORM)
            if hop.action is None:
                self._health(sr)
                return
            arrival = await self._act(sr, step, hop, i)
            self._health(sr)
            arrival.via = hop
        last = hops[-1]
        if last.target is None:
            await self._nowhere(last)
        elif self.path.loop_to:
            target = site.steps[last.target]
            sr = self._new(f"{target.id} (again)", target.kind, target.id)
            sr.url = self._rel(self.page.url)
            path, _q = self._where()
            sr.check("arrives where the map says", path == target.url,
                     f"expected to return to '{target.id}' ({target.url}), but the browser is at {path}")
            await self._screenshot(sr)

    async def _nowhere(self, hop: Hop) -> None:
        """The last action has no target in the map (a paid step with no next): say what the buyer sees."""
        step = self.site.steps[hop.step]
        sr = self._new(f"after {ACTION_WORDS[hop.action]} on {step.id}", "", "")
        sr.url = self._rel(self.page.url)
        await self._screenshot(sr)
        if hop.action == CHECKOUT:
            offer = step.offer
            sr.check("payment returns to a page", False,
                     f"after paying for '{offer.id}' on '{step.id}' there is no page to return to: the offer has "
                     f"no after-payment (success) URL because step '{step.id}' has no '{hop.edge}' step. Buyers "
                     f"would be left on the payment provider's page and the purchase would never be tracked. "
                     f"Add `{hop.edge}: <step id>` (e.g. a thank-you page) to step '{step.id}'.")
        else:
            sr.check("leads somewhere", False, f"'{step.id}' has no '{hop.edge}' step to go to")

    # -- arrival ---------------------------------------------------------------------------
    async def _arrive(self, sr: StepResult, step, i: int, arrival: Arrival, shoot: bool = True) -> None:
        sr.url = self._rel(self.page.url)
        path, query = self._where()
        via = arrival.via
        if path != step.url:
            await self._screenshot(sr)
            sr.check("arrives where the map says", False, self._wrong_place(step, via, path, arrival))
            raise Stop
        if via is not None:
            sr.check("arrives where the map says", True, f"{ACTION_WORDS[via.action]} on '{via.step}' led here")
        if arrival.status is not None and arrival.status >= 400:
            await self._screenshot(sr)
            sr.check("page loads", False, f"{step.url} answered HTTP {arrival.status}")
            raise Stop
        sr.check("page loads", True, f"{step.url} ({arrival.status or 200})")
        await self._headline(sr, step)
        doc = await self._doc()
        runtime = await self.page.evaluate("() => typeof window.funnelgen === 'object'")
        sr.check("tracking runtime runs", runtime,
                 "funnel.js did not run on this page, so no funnel event can fire here (a template override "
                 "probably dropped `<script id=\"fg-page\">` or `<script src=\"{{ runtime_url }}\">` from base.html)")
        records = await self._records()
        expected = {"view_item": self._offer_params(step, i) if step.offer is not None and step.traits.sells else None, "purchase": None}
        if via is not None and via.action == CHECKOUT:
            paid = self.site.steps[via.step].offer
            tx = next((query[k][0] for k in TX_PARAMS if query.get(k)), None)
            got_offer = (query.get("fg_offer") or [""])[0]
            ok = got_offer == paid.id and bool(tx)
            sr.check("payment returns with the order", ok,
                     f"returned with fg_offer={got_offer or '(none)'} and transaction id {tx or '(none)'}; "
                     f"expected fg_offer={paid.id} and a transaction id")
            if tx:
                expected["purchase"] = {**self._base(step, i), "fg_offer": paid.id, "value": tracking_value(paid),
                                        "currency": paid.currency, "transaction_id": tx}
        self._events(sr, step, records, doc, expected, "when the page loads")
        if shoot:
            await self._screenshot(sr)
        if expected["purchase"]:
            await self._reload_check(sr, step)

    def _wrong_place(self, step, via: Hop | None, path: str, arrival: Arrival) -> str:
        status = arrival.status
        where = f"{path} (HTTP {status}, not found)" if status == 404 else path
        if via is None:
            return f"the entry page {step.url} redirected to {where}"
        prev = self.site.steps[via.step]
        text = f"after {ACTION_WORDS[via.action]} on '{prev.id}' the visitor should reach '{step.id}' " \
               f"({step.url}), but the browser ended up at {where}"
        if via.action == FORM and arrival.posted_to:
            posted = urlsplit(arrival.posted_to).path
            owner = next((s.id for s in self.site.steps.values() if s.url == posted), None)
            if owner is None:
                text += f": the form posts to {posted}, which is not a page of this site"
            elif posted != step.url:
                text += f": the form posts to {posted} (step '{owner}') instead of its next step"
        elif via.action == CHECKOUT:
            owner = next((s.id for s in self.site.steps.values() if s.url == path), None)
            if owner:
                text += f" (step '{owner}')"
            text += f": the test checkout returns buyers of '{prev.offer.id}' to the offer's after-payment URL"
        return text

    async def _headline(self, sr: StepResult, step) -> None:
        want = expected_headline(step)
        h1 = self.page.locator("h1").first
        try:
            visible = await h1.count() > 0 and await h1.is_visible()
            seen = norm(await h1.inner_text()) if visible else ""
        except Exception:  # noqa: BLE001
            visible, seen = False, ""
        sr.headline = seen
        if not visible:
            sr.check("headline visible", False, "no visible headline (h1) on the page")
        elif want and seen != want:
            sr.check("headline visible", False, f"the headline reads “{short(seen, 80)}” but the page's front "
                                                f"matter says “{short(want, 80)}”")
        else:
            sr.check("headline visible", True, short(seen, 80))

    async def _reload_check(self, sr: StepResult, step) -> None:
        await self.page.reload(wait_until="load")
        doc = await self._doc()
        again = [e for e in layer_events(await self._records(), doc) if e.get("event") == "purchase"]
        sr.check("purchase counted once", not again,
                 f"reloading {step.url} fired purchase again ({len(again)}×): the same order would be counted "
                 "twice" if again else "reloading the page does not fire purchase again")

    # -- tracking ------------------------------------------------------------------------------
    def _base(self, step, i: int) -> dict:
        return {"fg_funnel": self.funnels[i], "fg_step": step.id, "fg_variant": step.variant}

    def _offer_params(self, step, i: int) -> dict:
        o = step.offer
        return {**self._base(step, i), "fg_offer": o.id, "value": tracking_value(o), "currency": o.currency}

    def _events(self, sr: StepResult, step, records: list[dict], doc: str | None, expected: dict, when: str) -> None:
        tracking = self.site.tracking or {}
        layer = layer_events(records, doc)
        gtags = gtag_events(records, doc)
        fbqs = fbq_tracks(records, doc)
        for name, want in expected.items():
            meta = FUNNEL_EVENTS[name]
            got = [e for e in layer if e.get("event") == name]
            n = 1 if want is not None else 0
            if len(got) != n:
                if n:
                    detail = f"{name} should fire once {when} on '{step.id}', but it fired {len(got)} times"
                    if not got:
                        detail = f"{name} did not fire {when} on '{step.id}'"
                else:
                    detail = f"{name} fired {len(got)}× {when} on '{step.id}', where it should not fire at all"
                sr.check(f"{name} fires", False, detail)
                continue
            if want is None:
                continue
            bad = [f"{k}={got[0].get(k)!r} (expected {v!r})" for k, v in want.items() if got[0].get(k) != v]
            if bad:
                sr.check(f"{name} fires", False, f"{name} on '{step.id}' has wrong values: " + ", ".join(bad))
                continue
            summary = ", ".join(str(want[k]) for k in ("fg_offer", "value", "currency", "transaction_id") if k in want)
            sr.check(f"{name} fires", True, f"{name} once" + (f" ({summary})" if summary else ""))
            if tracking.get("ga4"):
                calls = [c for c in gtags if c[1] == name]
                params = calls[0][2] if calls and len(calls[0]) > 2 and isinstance(calls[0][2], dict) else {}
                bad = [k for k, v in want.items() if params.get(k) != v]
                sr.check(f"GA4 {name}", len(calls) == 1 and not bad,
                         f"gtag('event', '{name}') was called {len(calls)} times" if len(calls) != 1 else
                         f"gtag('event', '{name}') has wrong values for {', '.join(bad)}" if bad else
                         f"gtag('event', '{name}')")
            if tracking.get("meta_pixel"):
                calls = [c for c in fbqs if c[1] == meta]
                problem = None
                if len(calls) != 1:
                    problem = f"fbq('track', '{meta}') was called {len(calls)} times"
                elif "fg_offer" in want:
                    params = calls[0][2] if len(calls[0]) > 2 and isinstance(calls[0][2], dict) else {}
                    if params.get("value") != want["value"] or params.get("currency") != want["currency"] \
                            or params.get("content_ids") != [want["fg_offer"]]:
                        problem = f"fbq('track', '{meta}') has value/currency/content_ids {params!r}"
                    elif "transaction_id" in want and (len(calls[0]) < 4 or not isinstance(calls[0][3], dict)
                                                       or calls[0][3].get("eventID") != want["transaction_id"]):
                        problem = f"fbq('track', '{meta}') has no eventID {want['transaction_id']!r} (deduplication)"
                sr.check(f"Meta {meta}", problem is None, problem or f"fbq('track', '{meta}')")

    # -- actions -------------------------------------------------------------------------------
    async def _act(self, sr: StepResult, step, hop: Hop, i: int) -> Arrival:
        if hop.action == FORM:
            return await self._form(sr, step, i)
        if hop.action == CHECKOUT:
            return await self._checkout(sr, step, hop, i)
        return await self._link(sr, step, hop)

    async def _link(self, sr: StepResult, step, hop: Hop) -> Arrival:
        target = self.site.steps[hop.target]
        attr = "data-fg-next" if hop.action == NEXT else "data-fg-decline"
        link = self.page.locator(f"a[{attr}]")
        if await link.count() == 0:
            link = self.page.locator(f'a[href="{target.url}"]')
        if await link.count() == 0:
            await self._screenshot(sr)
            word = "next" if hop.action == NEXT else "decline"
            sr.check(f"{word} link", False, f"no {word} link to '{target.id}' ({target.url}) on '{step.id}' "
                                            f"(looked for a[{attr}] and a[href=\"{target.url}\"])")
            raise Stop
        sr.action = f"clicked “{short(await link.first.inner_text(), 60)}”"
        doc = await self._doc()
        arrival = await self._navigate(lambda: self._press(link.first), f"following the {hop.action} link", sr)
        self._events(sr, step, await self._records(), doc, {"generate_lead": None, "begin_checkout": None},
                     "on this page")
        return arrival

    async def _form(self, sr: StepResult, step, i: int) -> Arrival:
        spec = step.form
        form = self.page.locator(f'form[data-fg-form="{spec.id}"]')
        if await form.count() == 0:
            await self._screenshot(sr)
            sr.check("form present", False, f"no form '{spec.id}' on '{step.id}' (form[data-fg-form=\"{spec.id}\"])")
            raise Stop
        form = form.first
        values = test_values(spec, self.token, self.index)
        missing = []
        for f in spec.fields:
            wire = spec.wire_name(f.name)
            field_loc = form.locator(f'[name="{wire}"]')
            if await field_loc.count() == 0:
                missing.append(wire)
                continue
            el = field_loc.first
            if f.type == "select":
                if values[f.name]:
                    await el.select_option(label=values[f.name])
            elif f.type == "checkbox":
                await self._press(el, "check")
            else:
                await el.fill(values[f.name])
        if missing:
            sr.check("form fields", False, f"the form '{spec.id}' has no field named {', '.join(missing)}")
        consent = form.locator(f'input[type=checkbox][name="{spec.wire_name("consent")}"]')
        if spec.consent and spec.consent_checkbox:
            if await consent.count():
                await self._press(consent.first, "check")
            else:
                sr.check("consent checkbox", False, f"the form '{spec.id}' has no consent checkbox")
        lead_attr = await form.get_attribute("data-fg-lead") is not None
        sr.action = f"filled in {len(spec.fields)} field{'s' if len(spec.fields) != 1 else ''} and submitted"
        await self._screenshot_form(sr, form)
        doc = await self._doc()
        submit = form.locator("button[type=submit], input[type=submit], button:not([type])").first
        if await form.locator("button[type=submit], input[type=submit], button:not([type])").count() == 0:
            sr.check("submit button", False, f"the form '{spec.id}' has no submit button")
            raise Stop
        arrival = await self._navigate(lambda: self._press(submit), "submitting the form", sr)
        want = {**self._base(step, i), "form": spec.id} if step.form is not None and step.traits.lead_event else None
        self._events(sr, step, await self._records(), doc, {"generate_lead": want, "begin_checkout": None},
                     "when the form is submitted")
        if want is not None and not lead_attr and not sr.ok:
            sr.checks[-1].detail += " (the form has no data-fg-lead attribute, so funnel.js does not treat it as a lead form)"
        self._submission(sr, step, spec, values, i)
        return arrival

    async def _screenshot_form(self, sr: StepResult, form) -> None:
        """The storyboard shows the filled-in form rather than the top of the page."""
        if self.env.shots is None:
            return
        try:
            await form.scroll_into_view_if_needed(timeout=2000)
        except Exception:  # noqa: BLE001 - then the top of the page it is
            pass
        await self._screenshot(sr)

    def _submission(self, sr: StepResult, step, spec, values: dict, i: int) -> None:
        """The preview server must have captured the post with every field, hidden ones included."""
        entries = []
        try:
            for line in self.env.submissions.read_text(encoding="utf-8").splitlines():
                try:
                    entries.append(json.loads(line))
                except ValueError:
                    continue
        except OSError:
            pass
        marker = [v for v in values.values() if self.token in v]
        mine = [e for e in entries if isinstance(e.get("fields"), dict)
                and any(v in e["fields"].values() for v in marker)]
        if not mine:
            sr.check("form data received", False,
                     f"the form '{spec.id}' was not received by the preview server (it posted to "
                     f"{self.posts[-1] if self.posts else 'nowhere'})")
            return
        got = mine[-1]["fields"]
        want: dict[str, str] = {}
        for f in spec.fields:
            want[spec.wire_name(f.name)] = values[f.name]
        if spec.consent and spec.consent_checkbox:
            want[spec.wire_name("consent")] = "yes"
        want[spec.wire_name("fg_funnel")] = self.funnels[i]
        want[spec.wire_name("fg_step")] = step.id
        want[spec.wire_name("fg_variant")] = step.variant
        for k, v in self.utm.items():
            want[spec.wire_name(k)] = v
        if spec.provider == "netlify":
            want["form-name"] = spec.id
        if spec.consent:
            want[spec.wire_name("fg_consent")] = spec.consent
        missing = [k for k in want if k not in got]
        wrong = [f"{k}={short(str(got[k]), 40)!r} (expected {short(want[k], 40)!r})"
                 for k in want if k in got and got[k] != want[k]]
        problems = []
        if missing:
            problems.append("posted without " + ", ".join(missing))
        if wrong:
            problems.append("posted " + ", ".join(wrong))
        sr.check("form data received", not problems,
                 f"the form '{spec.id}' " + "; ".join(problems) if problems
                 else f"{len(got)} fields captured, funnel/step/UTM included")

    async def _checkout(self, sr: StepResult, step, hop: Hop, i: int) -> Arrival:
        offer = step.offer
        link = self.page.locator(f'a[data-fg-checkout][data-fg-offer="{offer.id}"]')
        if await link.count() == 0:
            sr.check("checkout button", False, await self._no_checkout(step))
            raise Stop
        sr.action = f"clicked “{short(await link.first.inner_text(), 60)}”, paid in the test checkout"
        doc = await self._doc()
        arrival = await self._navigate(lambda: self._press(link.first), "clicking the checkout button", sr)
        self._events(sr, step, await self._records(), doc,
                     {"begin_checkout": self._offer_params(step, i), "generate_lead": None},
                     "when the checkout button is clicked")
        path, _q = self._where()
        co = self._new(f"checkout: {offer.id}", "checkout")
        co.url = self._rel(self.page.url)
        if not path.startswith(CHECKOUT_PREFIX) or (arrival.status or 200) >= 400:
            await self._screenshot(co)
            co.check("test checkout opens", False, f"the checkout button for '{offer.id}' led to {co.url} "
                                                   f"(HTTP {arrival.status}) instead of the test checkout")
            raise Stop
        co.check("test checkout opens", True, f"order summary for '{offer.id}'")
        pay = self.page.locator(f'form[action^="{PAY_PREFIX}"] button[type=submit]')
        if await pay.count() == 0:
            await self._screenshot(co)
            co.check("pay button", False, "the test checkout page has no pay button")
            raise Stop
        await self._screenshot(co)
        co.action = "paid (test payment)"
        result = await self._navigate(lambda: self._press(pay.first), "paying in the test checkout", co)
        self._health(co)
        return result

    async def _no_checkout(self, step) -> str:
        offer = step.offer
        others = await self.page.locator("a[data-fg-checkout]").evaluate_all(
            "els => els.map(a => a.getAttribute('data-fg-offer') || '')")
        if others:
            return (f"the checkout button on '{step.id}' sells '{others[0]}' instead of '{offer.id}' "
                    f"(a[data-fg-checkout][data-fg-offer=\"{offer.id}\"] is missing)")
        raw = await self.page.locator(f'a[href^="{offer.checkout}"]').count() if offer.checkout else 0
        if raw:
            return (f"the buy button on '{step.id}' links straight to {offer.checkout} without data-fg-checkout and "
                    f"data-fg-offer=\"{offer.id}\": begin_checkout never fires, Stripe gets no prefilled e-mail or "
                    f"UTM, and the checkout cannot be tested (a template override probably dropped the attributes)")
        return f"no checkout button for offer '{offer.id}' on '{step.id}' (a[data-fg-checkout][data-fg-offer=\"{offer.id}\"])"

    # -- health --------------------------------------------------------------------------------
    def _health(self, sr: StepResult, everything: bool = False) -> None:
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
