"""Drive Chromium through one funnel path and check every step against the funnel map.

One `Walker` per path, each in a browser context of its own while it walks, wiped
clean before (no cookies or storage, so first-touch UTM and once-per-transaction
logic start clean; funnelgen/verify/lanes.py); walkers run concurrently on one
browser (Playwright's async API).

At each step the walker checks, in this order:

- arrival: the URL is the step's URL (where the previous action had to lead),
  the page answered 200, the headline is visible;
- tracking on arrival: `view_item` on offer pages, `purchase` with the test
  transaction id after a payment (and not again on reload), in dataLayer and at
  every enabled vendor (funnelgen/verify/tracking_checks.py);
- the action (funnelgen/verify/actions.py): the form is filled with test data
  and posted, or the checkout button opens the test checkout and the pay
  button is pressed, or the next or decline link is followed;
- health: no console error, no failed or 4xx/5xx request, nothing fetched
  from outside the site (vendor tags are answered with an empty script;
  funnelgen/verify/tab.py).

A failure that leaves the browser somewhere unexpected ends the path; others
(a missing event, a console error) are recorded and the walk goes on.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode, urlsplit

from ..graph import ACTION_WORDS, CHECKOUT, FORM, FunnelPath, Hop, entries
from ..tracking import RETURN_PARAMS, TRANSACTION_PARAMS, transaction_event_id
from ..vendors import enabled
from .actions import act
from .expectations import expected_funnel
from .forks import Snapshot, restore, take
from .results import Arrival, Env, PathResult, StepResult, Stop, norm, short
from .splits import as_walked, force_script
from .tab import Tab
from .tracking_checks import check_events, purchase_params, purchases_again, view_params

UTM_SOURCE, UTM_MEDIUM = "funnelgen-verify", "test"


def expected_headline(step) -> str:
    meta = step.meta or {}
    return norm(str(meta.get("headline") or meta.get("title") or ""))


class Walker:
    def __init__(self, env: Env, lane, path: FunnelPath, index: int):
        self.env = env
        self.site = env.site
        self.lane = lane  # the context and page this walk runs in (funnelgen/verify/lanes.py)
        self.path = path
        self.index = index  # the path's number in this run (1-based)
        self.token = f"{path.id}-{int(time.time() * 1000) % 100000:05d}".replace("_", "-")
        self.result = PathResult(path)
        self.funnels = expected_funnel(self.site, entries(self.site), path, len(path.hops) - 1)
        self.utm = {"utm_source": UTM_SOURCE, "utm_medium": UTM_MEDIUM, "utm_campaign": path.funnel}
        # the vendors whose calls the recorder sees, with their configured values
        self.vendors = [(v, value) for v, value in enabled(self.site.tracking) if v.recorder]
        self.tab = Tab(env, path.id)

    @property
    def page(self):
        return self.tab.page

    # -- the walk ----------------------------------------------------------------------------
    async def run(self, resume: Snapshot | None = None) -> PathResult:
        """Walk the path, from the entry page or from where an earlier walk parted from it (`resume`)."""
        started = time.perf_counter()
        tab = self.tab
        try:
            await tab.open(self.lane)
            if self.path.variants:
                await tab.force(force_script(self.path.variants))
            try:
                await self._walk(resume)
            except Stop:
                pass
            except Exception as exc:  # noqa: BLE001 - report, do not crash the other paths
                sr = self.result.steps[-1] if self.result.steps else self.new_step("(start)", "")
                sr.check("browser", False, f"the browser failed: {short(str(exc), 300)}")
                await tab.screenshot(sr)
            if self.result.steps and tab.noisy:
                tab.health(self.result.steps[-1], everything=True)  # whatever the last page left behind
        finally:
            self.result.seconds = time.perf_counter() - started
            if self.env.forks is not None:
                self.env.forks.finished(self.index - 1)
            await tab.close()
        return self.result

    def view(self, step):
        """The step as this walk's visitor gets it (its forced variant, or a test's winner)."""
        return as_walked(step, self.path.variants)

    def new_step(self, label: str, kind: str, step: str = "") -> StepResult:
        sr = StepResult(step=step, label=label, kind=kind)
        self.result.steps.append(sr)
        return sr

    def check_events(self, sr: StepResult, step, records: list[dict], doc: str | None, expected: dict,
                     when: str) -> None:
        check_events(sr, step.id, records, doc, expected, when, self.vendors)

    async def _walk(self, resume: Snapshot | None = None) -> None:
        site, hops, tab = self.site, self.path.hops, self.tab
        start = 0
        if resume is not None:
            try:
                self.result.steps = await restore(tab, resume, self.env.base)
            except Exception:  # noqa: BLE001 - the lane could not take the state over: walk it all
                await self.lane.wipe()
                self.lane.used, resume = True, None  # (this walk now uses the wiped lane)
        if resume is not None:
            start = resume.hop
            sr = self.result.steps[-1]  # the parting step: arrived as the earlier walk did, acted on here
            sr.shared, sr.resumed = "", resume.path
            sr.check("resumes here", True, f"arrived here on path {resume.path} (the checks above are that "
                                           f"visit's); its cookies and storage restored, {sr.url} loaded again")
            arrival = None
        else:
            first = self.view(site.steps[hops[0].step])
            sr = self.new_step(first.id, first.kind, first.id)
            url = f"{first.url}?{urlencode(self.utm)}"
            try:
                resp = await self.page.goto(self.env.base + url, wait_until="load")
            except Exception as exc:  # noqa: BLE001
                sr.check("page loads", False, f"the entry page {url} did not load: {short(str(exc), 200)}")
                raise Stop from None
            arrival = Arrival(resp.status if resp else None)
            await tab.look()
        forks = self.env.forks
        for i in range(start, len(hops)):
            hop = hops[i]
            step = self.view(site.steps[hop.step])
            if i > start:
                sr = self.new_step(step.id, step.kind, step.id)
            if i > start or resume is None:
                await self._arrive(sr, step, i, arrival, shoot=hop.action != FORM)
            if forks is not None and forks.wants(self.index - 1, i):
                forks.hand_over(self.index - 1, await take(tab, self.path.id, i, self.result.steps))
            if hop.action is None:
                tab.health(sr)
                return
            arrival = await act(self, sr, step, hop, i)
            tab.health(sr)
            arrival.via = hop
        last = hops[-1]
        if last.target is None:
            await self._nowhere(last)
        elif self.path.loop_to:
            target = site.steps[last.target]
            sr = self.new_step(f"{target.id} (again)", target.kind, target.id)
            sr.url = tab.rel(self.page.url)
            path, _q = tab.where()
            sr.check("arrives where the map says", path == target.url,
                     f"expected to return to '{target.id}' ({target.url}), but the browser is at {path}")
            await tab.screenshot(sr)

    async def _nowhere(self, hop: Hop) -> None:
        """The last action has no target in the map (a paid step with no next): say what the buyer sees."""
        step = self.site.steps[hop.step]
        sr = self.new_step(f"after {ACTION_WORDS[hop.action]} on {step.id}", "", "")
        sr.url = self.tab.rel(self.page.url)
        await self.tab.screenshot(sr)
        if hop.action == CHECKOUT:
            offer = self.site.offers[hop.offer]
            sr.check("payment returns to a page", False,
                     f"after paying for '{offer.id}' on '{step.id}' there is no page to return to: the offer has "
                     f"no after-payment (success) URL because step '{step.id}' has no '{hop.edge}' step. Buyers "
                     f"would be left on the payment provider's page and the purchase would never be tracked. "
                     f"Add `{hop.edge}: <step id>` (e.g. a thank-you page) to step '{step.id}'.")
        else:
            sr.check("leads somewhere", False, f"'{step.id}' has no '{hop.edge}' step to go to")

    # -- arrival ---------------------------------------------------------------------------
    async def _arrive(self, sr: StepResult, step, i: int, arrival: Arrival, shoot: bool = True) -> None:
        tab = self.tab
        sr.url = tab.rel(self.page.url)
        path, query = tab.where()
        via = arrival.via
        if path != step.url:
            await tab.screenshot(sr)
            sr.check("arrives where the map says", False, self._wrong_place(step, via, path, arrival))
            raise Stop
        if via is not None:
            sr.check("arrives where the map says", True, f"{ACTION_WORDS[via.action]} on '{via.step}' led here")
        if arrival.status is not None and arrival.status >= 400:
            await tab.screenshot(sr)
            sr.check("page loads", False, f"{step.url} answered HTTP {arrival.status}")
            raise Stop
        sr.check("page loads", True, f"{step.url} ({arrival.status or 200})")
        seen = tab.seen  # the headline, the document's id, funnel.js and the records, read on arrival in one call
        self._headline(sr, step, seen)
        doc, runtime = seen.get("doc"), bool(seen.get("runtime"))
        sr.check("tracking runtime runs", runtime, "" if runtime else
                 "funnel.js did not run on this page, so no funnel event can fire here (a template override "
                 "probably dropped `<script id=\"fg-page\">` or `<script src=\"{{ runtime_url }}\">` from base.html)")
        records = tab.records()
        expected = {"view_item": view_params(self.funnels[i], step), "purchase": None}
        if via is not None and via.action == CHECKOUT:
            seller = self.site.steps[via.step]
            # a plan or the bump's bundle is what was bought; the step's own offer is the walked variant's
            paid = self.site.offers[via.offer] if via.offer and via.offer != seller.offer_id \
                else self.view(seller).offer
            # the page's head moved the return parameters off the address bar before any tag ran
            received = seen.get("returned") if isinstance(seen.get("returned"), dict) else {}
            tx = next((received[k] for k in TRANSACTION_PARAMS if received.get(k)), None)
            got_offer = received.get("fg_offer") or ""
            ok = got_offer == paid.id and bool(tx)
            sr.check("payment returns with the order", ok,
                     f"returned with fg_offer={got_offer or '(none)'} and transaction id {tx or '(none)'}; "
                     f"expected fg_offer={paid.id} and a transaction id")
            leaked = [k for k in RETURN_PARAMS if k in query]
            sr.check("the address bar hides the transaction", not leaked,
                     f"the address bar still shows {', '.join(leaked)} after the page loaded: vendor tags read "
                     "it as page_location" if leaked else "")
            if tx:
                expected["purchase"] = purchase_params(self.funnels[i], step, paid, transaction_event_id(tx))
        self.check_events(sr, step, records, doc, expected, "when the page loads")
        if shoot:
            await tab.screenshot(sr)
        if expected["purchase"]:
            await self._reload_check(sr, step, paid.id)

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
            text += f": the test checkout returns buyers of '{via.offer}' to the offer's after-payment URL"
        return text

    def _headline(self, sr: StepResult, step, seen: dict) -> None:
        want = expected_headline(step)
        visible = bool(seen.get("visible"))
        seen = norm(seen.get("text")) if visible else ""
        sr.headline = seen
        if not visible:
            sr.check("headline visible", False, "no visible headline (h1) on the page")
        elif want and seen != want:
            sr.check("headline visible", False, f"the headline reads “{short(seen, 80)}” but the page's front "
                                                f"matter says “{short(want, 80)}”")
        else:
            sr.check("headline visible", True, short(seen, 80))

    async def _reload_check(self, sr: StepResult, step, offer: str) -> None:
        """The once-per-transaction guard: a reload of the page after payment sends no purchase anywhere.

        Once per page and order bought in a run: the guard is the page's (its head takes the return parameters
        off the address bar, so a reload has none; funnel.js keeps each transaction it sent), not the path's, and
        these reloads were an eighth of a run's page loads. The other walks through that page get the first one's
        result and say where it was checked."""
        import asyncio

        key = (step.id, offer)
        while (shared := self.env.reloads.get(key)) is not None:
            got = await shared
            if got is not None:
                ok, detail, where = got
                sr.check("purchase counted once", ok, f"{detail} (reloaded once for this page and order, on path "
                                                      f"{where})")
                return
        shared = self.env.reloads[key] = asyncio.get_running_loop().create_future()
        try:
            await self.page.reload(wait_until="load")
            seen = await self.tab.look()
        except BaseException:
            del self.env.reloads[key]
            shared.set_result(None)  # the next walk through this page reloads it itself
            raise
        again = purchases_again(self.tab.records(), seen.get("doc"), self.vendors)
        detail = (f"reloading {step.url} sent the purchase again ({', '.join(again)}): the same order would be "
                  "counted twice" if again else "reloading the page sends no purchase again")
        shared.set_result((not again, detail, self.path.id))
        sr.check("purchase counted once", not again, detail)
