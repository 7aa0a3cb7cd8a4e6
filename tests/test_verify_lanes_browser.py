"""verify's lanes (funnelgen/verify/lanes.py) in Chromium: walks at once (-j 2) give what walks one by one (-j 1)
give, reported in the same order; walks never see each other's cookies, storage, events or console errors,
whether they run at the same time in two lanes or one after the other in the same lane."""

from __future__ import annotations

import asyncio
import copy
import tempfile
from pathlib import Path

import pytest
from helpers import MINIMAL_CONFIG, write_site

from funnelgen.reporter import Reporter

pytestmark = pytest.mark.browser

# Every walk ends on `thanks`, which leaves state behind the way a real page does; every walk starts on `optin`,
# which says so in the console (a failed check) when it finds any: a walk that inherits state fails.
LEAVE = ("<script>localStorage.setItem('fg_leak', location.pathname); sessionStorage.setItem('fg_leak', '1');"
         "document.cookie = 'fg_leak=1; path=/; max-age=3600';</script>")
FIND = ("<script>var left = [localStorage.getItem('fg_leak'), sessionStorage.getItem('fg_leak'),"
        "document.cookie.indexOf('fg_leak') >= 0 ? 'cookie' : null].filter(Boolean);"
        "if (left.length) console.error('state left by another walk: ' + left.join(', '));</script>")


def small_site(dest: Path) -> Path:
    """The minimal funnel plus an upsell (accept / decline): 2 paths."""
    config = copy.deepcopy(MINIMAL_CONFIG)
    config["offers"]["templates"] = {"name": "テンプレート集", "price": 9800, "checkout": "https://buy.stripe.com/def456"}
    steps = config["funnels"]["main"]["steps"]
    steps[2]["next"] = "upsell"
    steps.insert(3, {"id": "upsell", "kind": "upsell", "page": "upsell.md", "offer": "templates",
                     "accept": "thanks", "decline": "thanks"})
    pages = {
        "optin.md": "---\ntitle: optin\nheadline: optin headline\nbody: \"" + FIND.replace('"', '\\"')
                    + "\"\n---\n\n本文です。\n",
        "thanks.md": "---\ntitle: thanks\nheadline: thanks headline\nbody: \"" + LEAVE.replace('"', '\\"')
                     + "\"\n---\n\n本文です。\n",
    }
    return write_site(dest, config, pages)


class Heard(Reporter):
    def __init__(self):
        self.finished: list[tuple[str, int, int]] = []

    def path_finished(self, result, done: int, total: int) -> None:
        self.finished.append((result.path.id, done, total))


async def recorded(tab) -> list[dict]:
    """Every tracking call the tab's recorder has seen so far (read as a walk reads it on arrival)."""
    await tab.look()
    return tab.records()


def outline(result) -> list:
    """What a run found, without timings, screenshots and the random transaction ids in details."""
    return [(p.path.id, p.ok, [(s.label, s.url.split("?")[0], [(c.name, c.ok) for c in s.checks]) for s in p.steps])
            for p in result.paths]


def test_parallel_walks_report_what_serial_walks_report(tmp_path):
    from funnelgen.verify import verify

    site = small_site(tmp_path / "site")
    runs = {}
    for workers in (1, 2):
        heard = Heard()
        result = verify(site, workers=workers, timeout=5, reporter=heard)
        assert result.ok, [p.failures() for p in result.paths]  # no walk inherited another's state (-j 1: the
        # second walk runs in the first one's lane; -j 2: both at once)
        runs[workers] = (outline(result), heard.finished)
    ids = ["main-1", "main-2"]
    assert [p[0] for p in runs[1][0]] == ids
    assert runs[2][0] == runs[1][0]
    # progress comes in path order, whichever walk ends first
    assert runs[1][1] == runs[2][1] == [(pid, n, 2) for n, pid in enumerate(ids, 1)]


def test_walks_in_two_lanes_and_after_a_wipe_see_nothing_of_each_other(tmp_path):
    from playwright.async_api import async_playwright

    from funnelgen.browser import find_chromium, launch_args
    from funnelgen.serve import Preview
    from funnelgen.verify.lanes import Lane
    from funnelgen.verify.results import Env
    from funnelgen.verify.run import run_async
    from funnelgen.verify.tab import Tab

    site = small_site(tmp_path / "site")
    cache = Path(tempfile.mkdtemp(dir=tmp_path))
    preview = Preview(site, "127.0.0.1", 0, cache_dir=cache, watch=False)
    assert preview.start().ok
    env = Env(site=preview.builder.site, base=preview.url, submissions=cache / "submissions.jsonl", shots=None,
              timeout=5)

    async def mark(tab: Tab, who: str) -> None:
        await tab.page.goto(env.base + "/optin/", wait_until="load")
        await tab.page.evaluate("who => { dataLayer.push({event: 'generate_lead', who}); console.error('from ' + who);"
                                "localStorage.setItem('who', who); document.cookie = 'who=' + who + '; path=/'; }", who)

    async def main() -> dict:
        async with async_playwright() as p:
            browser = await p.chromium.launch(**launch_args(find_chromium()))
            lanes = [await Lane(browser, env, "ja", False).open() for _ in range(2)]
            a, b = Tab(env, "a"), Tab(env, "b")
            await a.open(lanes[0])
            await b.open(lanes[1])
            await asyncio.gather(mark(a, "a"), mark(b, "b"))  # at the same time
            seen = {"a": [r["a"].get("who") for r in await recorded(a) if r["k"] == "dataLayer"],
                    "b": [r["a"].get("who") for r in await recorded(b) if r["k"] == "dataLayer"],
                    "console a": [t for _, t in a.console], "console b": [t for _, t in b.console],
                    "b storage": await b.page.evaluate("() => [localStorage.getItem('who'), document.cookie]")}
            await a.force("window.__forced = 'a';")  # a walk's own init script (a forced variant)
            async with a.context.expect_page():  # and a window it opened
                await a.page.evaluate("() => { window.open('/optin/'); }")
            await a.close()
            lane = await lanes[0].ready()  # the next walk in lane a
            assert lane is lanes[0]
            c = Tab(env, "c")
            await c.open(lane)
            await c.page.goto(env.base + "/optin/", wait_until="load")
            seen["c"] = [r["a"] for r in await recorded(c) if r["k"] == "dataLayer" and r["a"].get("who")]
            seen["c storage"] = await c.page.evaluate(
                "() => [localStorage.getItem('who'), document.cookie, window.__forced || null]")
            seen["c pages"] = len(lane.context.pages)
            seen["console c"] = [t for _, t in c.console]
            await browser.close()
            return seen

    try:
        seen = run_async(main())
    finally:
        preview.close()
    assert seen["a"] == ["a"] and seen["b"] == ["b"]
    assert seen["console a"] == ["from a"] and seen["console b"] == ["from b"]
    assert seen["b storage"] == ["b", "who=b"]
    # a wiped lane: nothing of the walk before, in storage, cookies, recorded events or the console
    assert seen["c"] == [] and seen["console c"] == []
    assert seen["c storage"] == [None, "", None] and seen["c pages"] == 1


def test_the_browser_itself_refuses_everything_off_the_machine(tmp_path):
    """verify's browser (funnelgen.browser.DeadEnd) loads the preview server's files, sends every other host,
    IP literals included, to a closed port, and lets only --allow-host hosts try the network themselves."""
    import functools
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    from funnelgen.browser import DeadEnd, find_chromium, launch_args

    (tmp_path / "ok.js").write_text("window.localLoaded = true;", encoding="utf-8")
    (tmp_path / "index.html").write_text(
        "<script src='/ok.js'></script><script src='https://cdn.example.com/a.js'></script>"
        "<img src='http://203.0.113.9/x.png'><img src='http://allowed.test/y.png'>", encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    dead_end = DeadEnd(("allowed.test",))
    failed: dict[str, str] = {}
    try:
        with sync_playwright() as p:
            options = launch_args(find_chromium())
            options["args"] += dead_end.args()
            browser = p.chromium.launch(**options)
            page = browser.new_page()
            page.on("requestfailed", lambda r: failed.__setitem__(r.url, r.failure or ""))
            page.goto(f"http://127.0.0.1:{server.server_port}/", wait_until="load")
            assert page.evaluate("window.localLoaded") is True
            browser.close()
    finally:
        dead_end.close()
        server.shutdown()
    assert failed["https://cdn.example.com/a.js"] == "net::ERR_PROXY_CONNECTION_FAILED"
    assert failed["http://203.0.113.9/x.png"] == "net::ERR_PROXY_CONNECTION_FAILED"
    # an allowed host goes to the network directly (here: the reserved .test name does not resolve)
    assert "PROXY" not in failed["http://allowed.test/y.png"], failed
