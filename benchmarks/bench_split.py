"""Benchmark split tests: what an experiment costs a visitor, against the same page without one, in one run.

    python benchmarks/bench_split.py [--loads 10] [--no-browser]

Builds the example site's opt-in step (the example runs a 50/50 headline test on it) several ways:

- without the experiment (the front matter's `variants:` removed): the baseline;
- as shipped (2 variants: headline and hero text differ), and with 3 and 4 such variants;
- with a variant that changes the whole body (`content:`), the worst case of the mechanism.

and reports bytes (raw and gzip) of the page: the head script, the per-page CSS, and what each added
variant adds. Then, in Chromium, the time from navigation start to first paint and to first contentful
paint for the page with and without the experiment, loads interleaved, medians and their ratio (the
absolute numbers move with the machine; the ratio measured in the same run does not).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import re
import shutil
import statistics
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXTRA = ("  c:\n    headline: \"見出しC：7通のメールで信頼を積み上げる\"\n"
         "    subheadline: \"記入例つきの無料PDF（42ページ）。今日から1通目を書き始められます。\"\n",
         "  d:\n    headline: \"見出しD：売り込まないのに、選ばれるメールの書き方\"\n"
         "    subheadline: \"整体院・料理教室・オンライン講師の記入例つき無料PDF（42ページ）。\"\n")


def build_variant(src: Path, out: Path, front_edit) -> bytes:
    from funnelgen.build import build

    page = src / "pages" / "optin.md"
    original = page.read_text(encoding="utf-8")
    page.write_text(front_edit(original), encoding="utf-8")
    try:
        build(src, out, jobs=1)
    finally:
        page.write_text(original, encoding="utf-8")
    return (out / "optin" / "index.html").read_bytes()


def without_test(text: str) -> str:
    return re.sub(r"# A live split test.*?\n(?=---)", "", text, flags=re.S)


def more_variants(n: int):
    def edit(text: str) -> str:  # equal shares; c, d added after b
        text = text.replace("    weight: 50\n", "", 1).replace("  a: {weight: 50}\n", "")
        head, body = text[4:].split("\n---\n", 1)
        return "---\n" + head + "\n" + "".join(EXTRA[: n - 2]) + "---\n" + body
    return edit


def whole_body(text: str) -> str:
    body = text.split("\n---\n", 1)[1]
    block = "    content: |\n" + "".join(f"      {line}\n" for line in body.splitlines())
    return text.replace("    weight: 50\n", "    weight: 50\n" + block, 1)


def gz(data: bytes) -> int:
    return len(gzip.compress(data, 9))


def sizes(src: Path, tmp: Path) -> dict:
    from funnelgen.splitpage import HEAD_SCRIPT

    pages = {"none": build_variant(src, tmp / "none", without_test), "2": build_variant(src, tmp / "two", lambda t: t),
             "3": build_variant(src, tmp / "three", more_variants(3)),
             "4": build_variant(src, tmp / "four", more_variants(4)),
             "2, whole body differs": build_variant(src, tmp / "body", whole_body)}
    html = pages["2"].decode("utf-8")
    script = re.search(r"<script data-fg-split=[^>]*>.*?</script>", html).group(0)
    css = re.search(r"\.fg-v\{display:none\}[^<]*?\{display:contents\}", html).group(0)
    print(f"head script: {len(HEAD_SCRIPT.encode())} bytes of code, {len(script.encode())} bytes as placed "
          f"(with its data attribute); per-page CSS: {len(css.encode())} bytes")
    base = pages["none"]
    print(f"{'opt-in page':<28}{'bytes':>8}{'added':>8}{'gzip':>7}{'added':>7}")
    for name, data in pages.items():
        print(f"{name + ' variants' if name[0].isdigit() and len(name) == 1 else name.replace('none', 'no experiment'):<28}{len(data):>8}"
              f"{len(data) - len(base):>8}{gz(data):>7}{gz(data) - gz(base):>7}")
    per = (len(pages["4"]) - len(pages["2"])) / 2
    per_gz = (gz(pages["4"]) - gz(pages["2"])) / 2
    print(f"each further variant (headline + hero text): {per:.0f} bytes ({per_gz:.0f} gzip)")
    marked = tmp / "marked"  # the same page with marks around the head script: its own running time
    shutil.copytree(tmp / "two", marked)
    page = marked / "optin" / "index.html"
    page.write_text(html.replace(script, f"<script>performance.mark('fg-a')</script>{script}"
                                         "<script>performance.mark('fg-b')</script>", 1), encoding="utf-8")
    return {k: str(tmp / d) for k, d in (("none", "none"), ("with", "two"), ("marked", "marked"))}


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def paint_times(dirs: dict, loads: int) -> None:
    from playwright.sync_api import sync_playwright

    from funnelgen.browser import find_chromium, launch_args

    servers, bases = [], {}
    for key, folder in dirs.items():
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=folder))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        bases[key] = f"http://127.0.0.1:{server.server_address[1]}"
    got: dict[str, dict[str, list[float]]] = {k: {"first-paint": [], "first-contentful-paint": [], "head-script": []}
                                              for k in dirs}
    with sync_playwright() as p:
        browser = p.chromium.launch(**launch_args(find_chromium()))
        pages = {}
        for key in dirs:  # one tab each, every load a fresh navigation (the visitor's storage is cleared)
            context = browser.new_context(viewport={"width": 390, "height": 844})
            # vendor tags are refused without a round trip through this script (local requests are not routed)
            context.route(lambda url: not url.startswith("http://127.0.0.1"), lambda r: r.abort())
            pages[key] = context.new_page()
        for i in range(loads + 1):
            for key in (list(dirs) if i % 2 else list(dirs)[::-1]):  # interleaved, order alternating
                page = pages[key]
                page.goto(f"{bases[key]}/optin/", wait_until="load")
                page.evaluate("localStorage.clear(); sessionStorage.clear()")  # next load: a new visitor's draw
                entries = page.evaluate("performance.getEntriesByType('paint').map(e => [e.name, e.startTime])"
                                        ".concat(performance.getEntriesByName('fg-a').length ? "
                                        "[['head-script', performance.measure('fg', 'fg-a', 'fg-b').duration]] : [])")
                if i == 0:
                    continue  # warm-up
                for name, at in entries:
                    got[key][name].append(at)
        browser.close()
    for server in servers:
        server.shutdown()
    print(f"\nnavigation -> paint in Chromium, 390x844, {loads} loads each, interleaved (median ms)")
    def spread(values):
        q = statistics.quantiles(values, n=4)
        return f"{statistics.median(values):6.1f} ({q[0]:.0f}-{q[2]:.0f})"

    for name in ("first-paint", "first-contentful-paint"):
        without, with_ = statistics.median(got["none"][name]), statistics.median(got["with"][name])
        print(f"  {name:<24} without {spread(got['none'][name])}   with experiment {spread(got['with'][name])}"
              f"   ratio of medians {with_ / without:.3f}")
    print("  (median, quartiles in brackets; on a busy machine the quartiles show the noise the ratio carries)")
    print(f"  the head script itself runs in {spread(got['marked']['head-script'])} ms (performance marks around it)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=10)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="fg-bench-split-"))
    try:
        src = tmp / "site"
        shutil.copytree(ROOT / "site_src", src, ignore=shutil.ignore_patterns("dist", ".funnelgen"))
        dirs = sizes(src, tmp)
        if not args.no_browser:
            paint_times(dirs, args.loads)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
