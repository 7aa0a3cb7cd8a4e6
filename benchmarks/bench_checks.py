"""The built-in checks' cost inside a `-j 1` build: ms per page and their share of the build.

    python3 benchmarks/bench_checks.py [SITE ...]   (default: a generated 1,000-page site, en and ja)

It times `PageChecker.__call__` (the per-page checks, run as each page is rendered) and `finish()` (the
site-wide checks once every file is written) inside one ordinary build, so the figures are what a build
pays; CPU time, so other jobs on a shared machine inflate them less. A before/after ratio cannot be taken in
one run: run it in both checkouts, interleaved, and compare the printed ms per page.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def measure(src: Path) -> dict:
    from funnelgen.build import build
    from funnelgen.rules import PageChecker

    spent = {"pages": 0, "call": 0.0, "finish": 0.0}
    call, finish = PageChecker.__call__, PageChecker.finish

    def timed_call(self, *a, **kw):
        t = time.process_time()
        try:
            return call(self, *a, **kw)
        finally:
            spent["call"] += time.process_time() - t
            spent["pages"] += 1

    def timed_finish(self, *a, **kw):
        t = time.process_time()
        try:
            return finish(self, *a, **kw)
        finally:
            spent["finish"] += time.process_time() - t

    PageChecker.__call__, PageChecker.finish = timed_call, timed_finish
    try:
        with tempfile.TemporaryDirectory(prefix="bench-checks-") as tmp:
            started = time.process_time()
            build(src, Path(tmp) / "out", jobs=1)
            spent["build"] = time.process_time() - started
    finally:
        PageChecker.__call__, PageChecker.finish = call, finish
    return spent


def generated(tmp: Path, pages: int, language: str) -> Path:
    from sitegen import make_site

    src = make_site(tmp / f"{language}{pages}", pages)
    config = src / "site.yml"
    config.write_text(config.read_text().replace("language: en", f"language: {language}"))
    return src


def main(argv: list[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-checks-src-") as tmp:
        sites = [Path(a) for a in argv] or [generated(Path(tmp), 1000, "en"), generated(Path(tmp), 1000, "ja")]
        print(f"{'site':<40} {'pages':>6} {'checks ms/page':>15} {'finish ms':>10} {'share of build':>15}")
        for src in sites:
            s = measure(src)
            share = (s["call"] + s["finish"]) / s["build"]
            print(f"{str(src)[-40:]:<40} {s['pages']:>6} {1000 * s['call'] / max(1, s['pages']):>15.2f} "
                  f"{1000 * s['finish']:>10.1f} {share:>14.1%}")


if __name__ == "__main__":
    main(sys.argv[1:])
