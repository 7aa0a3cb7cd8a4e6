"""Benchmark `funnelgen serve`: time from saving one page to the reload event reaching a client.

    python benchmarks/bench_serve.py [--edits 20] [--sizes 250,1000] [--no-example]

For the example site and for generated sites of N pages (realistic ~1,500-word
pages under `pages:` in site.yml), this measures, in one run:

- the full build time (`funnelgen build`, all cores), for comparison;
- the serve's own first build;
- for `--edits` single-page saves: the latency from the write to the `build`
  event arriving on a connected server-sent-events client (what a browser
  waits for before reloading), and the server-side rebuild time.

The target is a median under 50 ms on the 1,000-page site that does not grow
with the number of pages. Nothing is written outside a temp folder.
"""

from __future__ import annotations

import argparse
import http.client
import json
import queue
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VERBOSE = False
WORDS = ("funnel email list offer customer launch story trust value guide simple weekly reader subscriber "
         "template sequence open click welcome promise problem solution result course lesson coach small "
         "business owner shop craft writing habit calendar message honest helpful practical step plan").split()


def paragraph(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    words[0] = words[0].capitalize()
    for i in range(9, n - 1, 11):
        words[i] += ","
    return " ".join(words) + "."


def page_text(i: int, rng: random.Random, pages: int, words: int = 1500) -> str:
    """A long-form page: front matter, headings, lists, emphasis, links, a note block (~`words` words)."""
    parts = [f"---\ntitle: \"Page {i} - notes on email funnels\"\ndescription: Generated page {i} for the serve benchmark.\n"
             f"headline: How to write email number {i}\n---\n", "Revision: 0\n"]
    count = 0
    section = 0
    while count < words:
        section += 1
        parts.append(f"## Section {section}: {rng.choice(WORDS)} and {rng.choice(WORDS)}\n")
        for _ in range(3):
            n = rng.randint(50, 90)
            parts.append(paragraph(rng, n) + f" See [the guide](/p{(i + section) % pages:04d}/) and **{rng.choice(WORDS)}**.\n")
            count += n + 6
        parts.append("".join(f"- {paragraph(rng, 8)}\n" for _ in range(4)))
        count += 32
        if section % 3 == 0:
            parts.append(f"::: note\n{paragraph(rng, 30)}\n:::\n")
            count += 30
    return "\n".join(parts)


def make_site(dest: Path, pages: int) -> Path:
    """Copy the example site and add `pages` long pages to it."""
    import yaml

    shutil.copytree(ROOT / "site_src", dest, ignore=shutil.ignore_patterns("dist", ".funnelgen"))
    config = dest / "site.yml"
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data.setdefault("pages", [])
    data["pages"] = list(data["pages"] or [])
    rng = random.Random(42)
    (dest / "pages" / "gen").mkdir(parents=True, exist_ok=True)
    for i in range(pages):
        sid = f"p{i:04d}"
        (dest / "pages" / "gen" / f"{sid}.md").write_text(page_text(i, rng, pages), encoding="utf-8")
        data["pages"].append({"id": sid, "kind": "page", "page": f"gen/{sid}.md"})
    config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return dest


class Client:
    """A minimal SSE client: a browser tab waiting for the reload event."""

    def __init__(self, host: str, port: int):
        self.conn = http.client.HTTPConnection(host, port, timeout=30)
        self.conn.request("GET", "/_fg/events")
        self.resp = self.conn.getresponse()
        self.q: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        event = None
        try:
            for raw in self.resp:
                line = raw.decode("utf-8").rstrip("\r\n")
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    self.q.put((time.perf_counter(), event, json.loads(line[5:])))
        except (OSError, ValueError):
            pass

    def wait(self, kind: str, where=lambda d: True, timeout: float = 30.0) -> tuple[float, dict]:
        while True:
            at, event, data = self.q.get(timeout=timeout)
            if event == kind and where(data):
                return at, data

    def close(self) -> None:
        self.conn.close()


class ReportList:
    """The finished builds a recording reporter heard, newest last."""

    def __init__(self, recorder):
        self.recorder = recorder

    def __getitem__(self, i):
        return [args[0] for args in self.recorder.named("build_finished")][i]


def measure(src: Path, edits: int) -> dict:
    from funnelgen.build import build
    from funnelgen.serve import Preview

    with tempfile.TemporaryDirectory(prefix="fg-bench-out-") as out:
        result = build(src, Path(out) / "dist")
    full_build = result.seconds
    n_pages = result.pages
    from funnelgen.reporter import RecordingReporter

    recorder = RecordingReporter()
    reports = ReportList(recorder)
    preview = Preview(src, port=0, reporter=recorder)
    try:
        first = preview.start()
        host, port = preview.server.server_address[:2]
        client = Client(host, port)
        client.wait("hello")
        site = preview.builder.site
        steps = [s for s in site.steps.values() if s.source is not None]
        latencies, rebuilds = [], []
        for k in range(edits):
            step = steps[(k * 37) % len(steps)]
            text = step.source.read_text(encoding="utf-8")
            marker = f"\n\nEdited {k} at {time.time()}.\n"
            started = time.perf_counter()
            step.source.write_text(text + marker, encoding="utf-8")
            arrived, data = client.wait("build", lambda d, url=step.url: url in (d.get("paths") or []))
            latencies.append(arrived - started)
            if VERBOSE:
                print(f"  edit {k:2d} {step.id:<10} {1000 * (arrived - started):7.1f} ms "
                      f"(rebuild {1000 * reports[-1].seconds:.1f} ms)")
            if not data["ok"]:
                raise SystemExit(f"edit of {step.id} failed: {data['problems']}")
            rebuilds.append(reports[-1].seconds)
            step.source.write_text(text, encoding="utf-8")  # put it back (not measured)
            client.wait("build", lambda d, url=step.url: url in (d.get("paths") or []))
        client.close()
    finally:
        preview.close()
    latencies.sort()
    return {
        "pages": n_pages, "full_build": full_build, "serve_first_build": first.seconds,
        "median": statistics.median(latencies), "p90": latencies[max(0, int(len(latencies) * 0.9) - 1)],
        "max": latencies[-1], "rebuild_median": statistics.median(rebuilds), "edits": edits,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--sizes", default="250,1000", help="generated site sizes, comma-separated")
    parser.add_argument("--no-example", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every edit's latency")
    args = parser.parse_args()
    global VERBOSE
    VERBOSE = args.verbose
    rows = []
    with tempfile.TemporaryDirectory(prefix="fg-bench-") as tmp:
        if not args.no_example:
            example = Path(tmp) / "example"
            shutil.copytree(ROOT / "site_src", example, ignore=shutil.ignore_patterns("dist", ".funnelgen"))
            rows.append(("example site", measure(example, args.edits)))
        for size in [int(s) for s in args.sizes.split(",") if s.strip()]:
            src = make_site(Path(tmp) / f"gen{size}", size)
            rows.append((f"generated {size}", measure(src, args.edits)))

    ms = lambda s: f"{s * 1000:8.1f}"  # noqa: E731
    print()
    print(f"save -> reload event on a connected client ({args.edits} single-page edits per site; "
          "includes the 20 ms debounce)")
    print(f"{'site':<16}{'pages':>7}{'full build':>12}{'serve 1st':>11}{'median':>9}{'p90':>9}{'max':>9}"
          f"{'rebuild':>9}{'full/median':>13}")
    for name, r in rows:
        print(f"{name:<16}{r['pages']:>7}{ms(r['full_build']):>12}{ms(r['serve_first_build']):>11}"
              f"{ms(r['median']):>9}{ms(r['p90']):>9}{ms(r['max']):>9}{ms(r['rebuild_median']):>9}"
              f"{r['full_build'] / r['median']:>12.0f}x")
    print("(all times in ms; 'rebuild' is the server-side single-page rebuild, median)")
    big = [r for name, r in rows if r["pages"] >= 1000]
    if big:
        verdict = "OK" if big[-1]["median"] < 0.050 else "OVER TARGET"
        print(f"target: median < 50 ms on the {big[-1]['pages']}-page site: {verdict} ({ms(big[-1]['median']).strip()} ms)")


if __name__ == "__main__":
    main()
