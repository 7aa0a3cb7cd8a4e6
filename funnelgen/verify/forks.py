"""Walks that share a beginning: a later path resumes where an earlier one went another way.

The example's blog paths all start optin → gift → starter, and three of them also pay for the same offer and
arrive at the same upsell; walking each from the entry page loaded those pages again and again (about half of
a run's page loads). So each path resumes from the earlier path (same funnel, same forced variants) that shares
the longest beginning with it, at the step where the two part: the earlier walk, arriving there, hands over a
copy of its results so far and the visitor's state (the site's cookies, local and session storage, the page's
address); the later walk restores that state in its own lane, loads the page again and does its own action
there. What a visitor did before that step is then checked once, on the path that walked it, and shown on
every path that shares it, marked with where it was walked (`StepResult.shared`).

A resumed page is a second visit, as after a reload: its purchase event is not sent again (funnel.js keeps
each transaction it sent), and the walk that arrived first has already checked the arrival, the reload
included. A path whose earlier walk stopped before the parting step, or whose lane cannot take the state
over, is walked from the entry page (walker.py).
"""

from __future__ import annotations

import asyncio
import copy
from dataclasses import dataclass

from .results import StepResult

# The site's storage as the page sees it, and the same put back (the lane stands on a page of the site).
READ_STORAGE_JS = "() => [Object.entries(localStorage), Object.entries(sessionStorage)]"
WRITE_STORAGE_JS = """([local, session]) => {
  localStorage.clear(); sessionStorage.clear();
  for (const [k, v] of local) localStorage.setItem(k, v);
  for (const [k, v] of session) sessionStorage.setItem(k, v);
}"""


@dataclass
class Snapshot:
    path: str  # the id of the path that walked here
    hop: int  # the index of the hop (the step) where the paths part
    url: str  # where the browser was
    cookies: list
    local: list
    session: list
    steps: list[StepResult]  # copies of that walk's results up to this step's arrival


def parting(a: list, b: list) -> int | None:
    """The index of the hop where paths `a` and `b` part: the same hops before it, the same step there, another
    action on it; None when they part nowhere (or at once)."""
    n = 0
    while n < len(a) and n < len(b) and a[n] == b[n]:
        n += 1
    return n if n < len(a) and n < len(b) and a[n].step == b[n].step else None


class Forks:
    """Which earlier walk each path resumes from, and the hand-over between them (asyncio futures)."""

    def __init__(self, paths: list):
        self.source: dict[int, tuple[int, int]] = {}  # path index -> (the earlier path's index, parting hop)
        self.wanted: dict[int, set[int]] = {}  # path index -> the hops it hands over at
        for k, path in enumerate(paths):
            best = None
            for j in range(k):
                other = paths[j]
                if other.funnel != path.funnel or other.variants != path.variants:
                    continue
                d = parting(other.hops, path.hops)
                if d is None or d < 1:
                    continue
                if j in self.source and d < self.source[j][1]:
                    continue  # that walk did not see this step itself
                if j in self.source and d == self.source[j][1]:
                    j = self.source[j][0]  # it resumed right there: the same hand-over
                if best is None or d > best[1]:
                    best = (j, d)
            if best is not None:
                self.source[k] = best
                self.wanted.setdefault(best[0], set()).add(best[1])
        self._futures: dict[tuple[int, int], asyncio.Future] = {}

    def _future(self, key: tuple[int, int]) -> asyncio.Future:
        if key not in self._futures:
            self._futures[key] = asyncio.get_running_loop().create_future()
        return self._futures[key]

    async def start_of(self, k: int) -> Snapshot | None:
        """What path `k` resumes from (waiting until the earlier walk gets there), or None: walk it all."""
        if k not in self.source:
            return None
        return await self._future(self.source[k])

    def wants(self, j: int, hop: int) -> bool:
        return hop in self.wanted.get(j, ()) and not self._future((j, hop)).done()

    def hand_over(self, j: int, snapshot: Snapshot) -> None:
        self._future((j, snapshot.hop)).set_result(snapshot)

    def finished(self, j: int) -> None:
        """Path `j` is done: whoever waits for a step it never reached walks from the entry page."""
        for hop in self.wanted.get(j, ()):
            if not self._future((j, hop)).done():
                self._future((j, hop)).set_result(None)


async def take(tab, path_id: str, hop: int, steps: list[StepResult]) -> Snapshot:
    """The visitor's state in `tab` now, and a copy of the walk's results so far."""
    local, session = await tab.page.evaluate(READ_STORAGE_JS)
    cookies = await tab.context.cookies()
    return Snapshot(path_id, hop, tab.page.url, cookies, local, session, copy.deepcopy(steps))


async def restore(tab, snapshot: Snapshot, base: str) -> list[StepResult]:
    """Put the snapshot's state into `tab`'s (wiped) lane, load its page again and look at it; the results
    before it, marked with the path that walked them."""
    page = tab.page
    if not page.url.startswith(base + "/"):
        from .lanes import RESET_PATH

        await page.goto(base + RESET_PATH, wait_until="load")  # storage belongs to an origin: stand on it
    if snapshot.cookies:
        await tab.context.add_cookies(snapshot.cookies)
    await page.evaluate(WRITE_STORAGE_JS, [snapshot.local, snapshot.session])
    await page.goto(snapshot.url, wait_until="load")
    await tab.look()
    steps = copy.deepcopy(snapshot.steps)
    for step in steps:
        step.shared = step.shared or snapshot.path
    return steps
