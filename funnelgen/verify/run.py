"""`verify()`: build, serve on a free port, walk every path in Chromium, write the report.

Used by the `funnelgen verify` command and by the tests. The preview server
(`funnelgen.serve.Preview`) provides the parts a static host cannot: captured
form posts and a local test checkout that returns to the offer's success URL.
Its captured submissions go to a temporary folder, so verifying never adds
test data to the user's `.funnelgen/submissions.jsonl`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Problem
from ..graph import DEFAULT_MAX_PATHS, FunnelPath, funnel_map
from ..graph import paths as enumerate_paths
from .forks import Forks
from .results import Env, PathResult
from .splits import with_variants
from .walker import Walker

DEFAULT_TIMEOUT = 10.0


@dataclass
class VerifyResult:
    src: Path
    build_ok: bool = True
    problems: list[Problem] = field(default_factory=list)  # build errors
    warnings: list[Problem] = field(default_factory=list)
    paths: list[PathResult] = field(default_factory=list)
    planned: list[FunnelPath] = field(default_factory=list)
    truncated: bool = False
    seconds: float = 0.0
    browser: str = ""
    report: Path | None = None
    site_title: str = ""
    funnel_map: list[dict] = field(default_factory=list)
    picture: str = ""  # the funnel map as inline SVG (funnelgen.diagram), when Graphviz is installed

    @property
    def ok(self) -> bool:
        return self.build_ok and bool(self.paths) and all(p.ok for p in self.paths) and not self.truncated

    @property
    def reason(self) -> str:
        if not self.build_ok:
            n = len(self.problems)
            return f"the site does not build ({n} error{'s' if n != 1 else ''})"
        if not self.paths:
            return "no funnel paths to walk (define funnels: in site.yml)"
        failed = [p for p in self.paths if not p.ok]
        if failed:
            return f"{len(failed)} of {len(self.paths)} paths failed"
        if self.truncated:
            return f"more than {len(self.paths)} paths: only the first {len(self.paths)} were walked (raise --max-paths)"
        return f"all {len(self.paths)} paths passed"

    def as_dict(self) -> dict:
        return {
            "ok": self.ok, "summary": self.reason, "src": str(self.src), "seconds": round(self.seconds, 2),
            "browser": self.browser, "report": str(self.report / "index.html") if self.report else None,
            "build": {"ok": self.build_ok, "problems": [dict(p.as_dict(), text=p.format()) for p in self.problems],
                      "warnings": [dict(p.as_dict(), text=p.format()) for p in self.warnings]},
            "truncated": self.truncated,
            "funnels": self.funnel_map, "picture": self.picture,
            "paths": [p.as_dict() for p in self.paths],
        }


def default_workers() -> int:
    """One walk per core this process may use, 2 to 4: one walk already keeps more than a core busy (the
    browser process and the renderer work while Python waits), so more walks than cores only add
    contention and memory (measured: docs/verify.md, "Where verify's time goes")."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 2
    return max(2, min(4, cpus))


def verify(src: Path, report_dir: Path | None = None, browser: str | None = None, workers: int | None = None,
           timeout: float = DEFAULT_TIMEOUT, allow_hosts: tuple[str, ...] = (), funnels: tuple[str, ...] = (),
           max_paths: int = DEFAULT_MAX_PATHS, reporter=None, from_entry: bool = False) -> VerifyResult:
    """Verify the funnels of `src`; raises funnelgen.browser.BrowserError when no browser can run.

    `reporter` hears the start, every walked path and the result (funnelgen.reporter); `from_entry`: walk
    every path from its entry page instead of resuming where an earlier one parts from it (verify/forks.py)."""
    from ..reporter import NULL

    reporter = reporter or NULL
    from ..browser import find_chromium, require_playwright
    from ..serve import Preview

    require_playwright()
    choice = find_chromium(browser)
    started = time.perf_counter()
    result = VerifyResult(src=Path(src), browser=choice.describe())
    if report_dir is not None:
        from .report import prepare_dir

        prepare_dir(report_dir)
        result.report = Path(report_dir)
    cache = Path(tempfile.mkdtemp(prefix="funnelgen-verify-"))
    preview = None
    try:
        # captured test posts stay out of the user's .funnelgen/ (see module doc); the site is walked as built
        preview = Preview(Path(src), "127.0.0.1", 0, cache_dir=cache, watch=False)
        outcome = preview.start()
        if not outcome.ok:
            result.build_ok = False
            result.problems = [p for p in outcome.problems if p.severity == "error"] or list(outcome.problems)
        else:
            site = preview.builder.site
            result.site_title = site.settings.title
            result.warnings = list(outcome.warnings)
            result.funnel_map = [m.as_dict() for m in funnel_map(site)]
            from ..diagram import svg_picture

            result.picture = svg_picture(site) or ""
            unknown = [f for f in funnels if f not in site.funnels]
            if unknown:
                from ..errors import did_you_mean, rel

                result.build_ok = False
                result.problems = [Problem(rel(site.config_file), f"--funnel {f}: no such funnel."
                                           f"{did_you_mean(f, site.funnels)}",
                                           hint="Use an id from funnels: in site.yml.") for f in unknown]
            else:
                paths, result.truncated = enumerate_paths(site, list(funnels) or None, max_paths)
                paths = with_variants(site, paths)  # every variant of a split test, forced (verify/splits.py)
                result.planned = paths
                reporter.verify_started(paths, preview.url, result.browser)
                shots = None
                if result.report is not None:
                    shots = result.report / "shots"
                    shots.mkdir(parents=True, exist_ok=True)
                env = Env(site=site, base=preview.url, submissions=cache / "submissions.jsonl", shots=shots,
                          timeout=timeout, allow_hosts=tuple(h.lower() for h in allow_hosts),
                          forks=Forks([] if from_entry else paths))
                result.paths = run_async(_drive(choice, env, paths, workers or default_workers(), reporter))
    finally:
        if preview is not None:
            preview.close()
        shutil.rmtree(cache, ignore_errors=True)
    result.seconds = time.perf_counter() - started
    if result.report is not None:
        from .report import write_report

        write_report(result)
    reporter.verify_finished(result)
    return result


def run_async(coro):
    """asyncio.run, or the same on a helper thread when this thread already runs an event loop
    (Jupyter, or Playwright's sync API in the same process, which keeps its loop marked as running)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    import threading

    box: dict = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:  # noqa: BLE001 - re-raised on the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, name="funnelgen-verify")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


async def _drive(choice, env: Env, paths: list[FunnelPath], workers: int, reporter) -> list[PathResult]:
    """Walk `paths` on one browser, `workers` at a time, each walk in a lane of its own (funnelgen/verify/lanes.py).

    Results come back, and are reported, in the order of `paths` whatever order the walks end in."""
    from playwright.async_api import async_playwright

    from ..browser import DeadEnd, launch_args, launch_error
    from .lanes import Lane

    if not paths:
        return []
    dead_end = DeadEnd(env.allow_hosts)  # nothing but the preview server and --allow-host hosts is reachable
    async with async_playwright() as p:
        try:
            options = launch_args(choice)
            options["args"] += dead_end.args()
            browser = await p.chromium.launch(**options)
        except Exception as exc:  # noqa: BLE001 - Playwright raises its own Error for a bad binary
            dead_end.close()
            raise launch_error(exc, choice) from None
        try:
            site = env.site
            lanes: asyncio.Queue = asyncio.Queue()
            for _ in range(max(1, min(workers, len(paths)))):
                lanes.put_nowait(Lane(browser, env, site.language, "eu" in site.settings.audience))
            results: list[PathResult | None] = [None] * len(paths)
            reported = 0

            async def one(i: int, path: FunnelPath) -> None:
                nonlocal reported
                resume = await env.forks.start_of(i)  # (before taking a lane: the earlier walk needs one)
                lane = await lanes.get()
                try:
                    lane = await (lane.ready() if lane.page is not None else lane.open())
                    results[i] = await Walker(env, lane, path, i + 1).run(resume)
                finally:
                    lanes.put_nowait(lane)
                while reported < len(paths) and results[reported] is not None:
                    reported += 1
                    reporter.path_finished(results[reported - 1], reported, len(paths))

            await asyncio.gather(*(one(i, path) for i, path in enumerate(paths)))
            while not lanes.empty():
                await lanes.get_nowait().close()
            return [r for r in results if r is not None]
        finally:
            await browser.close()
            dead_end.close()
