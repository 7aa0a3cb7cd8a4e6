"""Screenshots of the example's pages for the README and docs (`make screenshots`).

Builds site_src/ into a temporary folder, serves it on 127.0.0.1 and photographs the first screen of every
page at a phone size (390×844) and a laptop size (1366×900) into docs/img/<page>-<width>.png. Every request
that is not to the local server is aborted, so tracking tags, fonts or videos from elsewhere never load and
the pictures show what a visitor sees before any outside service answers.

Kept out of the funnelgen package: it is a tool for this repository's docs, not for users' sites. It needs
the test extra (Playwright, Pillow) and a Chromium (funnelgen.browser.find_chromium).
"""

from __future__ import annotations

import argparse
import functools
import io
import subprocess
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's funnelgen, not an installed one

SITE = ROOT / "site_src"
OUT = ROOT / "docs" / "img"
VIEWPORTS = {390: (390, 844), 1366: (1366, 900)}
# The example's pages, in funnel order: step ids, then the pages every site gets. The names are the files'
# stems (docs link to them); tests/test_screenshots.py keeps this list equal to the example's pages.
STEPS = ("optin", "optin-sns", "gift", "starter", "upsell", "downsell", "apply", "thanks")
GENERATED = {"legal": "/legal/", "privacy": "/privacy/", "404": "/404.html"}
# funnelgen serve's own pages, for the tutorial: the dashboard and the test checkout (the 最終確認画面).
PREVIEW = {"serve-dashboard": "/_fg/", "serve-checkout": "/_fg/checkout/starter"}
BUDGET = 3 * 1024 * 1024  # bytes for all the PNGs together: the README must stay quick to load


def site_pages(site_dir: Path = SITE) -> dict[str, str]:
    """Name -> URL path of every page the example builds (each step once, then the generated pages)."""
    from funnelgen.build import load_site

    site, _ = load_site(site_dir)
    steps = {ref.step.id: ref.url for ref in site.pages()}
    return {**steps, **GENERATED}


def planned_pages(site_dir: Path = SITE) -> dict[str, str]:
    """The pages this script photographs, with their URL paths; refuses a list that has drifted."""
    actual = site_pages(site_dir)
    listed = [*STEPS, *GENERATED]
    if sorted(listed) != sorted(actual):
        missing = sorted(set(actual) - set(listed))
        extra = sorted(set(listed) - set(actual))
        raise SystemExit(f"scripts/screenshots.py: STEPS is out of date (missing {missing}, no such page {extra}).\n"
                         "  fix: list every step id of site_src/site.yml in STEPS, in funnel order.")
    return {name: actual[name] for name in listed}


def build(tmp: Path) -> Path:
    """Build the example with this checkout's funnelgen; returns the output folder."""
    out = tmp / "dist"
    subprocess.run([sys.executable, "-m", "funnelgen", "build", str(SITE), "-o", str(out)], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    return out


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # the terminal shows the files written, not every request
        pass


def serve(folder: Path) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def optimise(png: bytes) -> bytes:
    """A 256-colour palette and maximum zlib effort: a page's first screen is flat colours and text, so this
    keeps the text sharp at a quarter of the size."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    palette = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    palette.save(buffer, "PNG", optimize=True)
    return buffer.getvalue() if buffer.tell() < len(png) else png


def only_local(route) -> None:
    from funnelgen.browser import request_policy

    if request_policy(route.request.url) == "local":
        route.continue_()
    else:
        route.abort()


# The dashboard prints the folders it reads and writes; the pictures show them as they are by default, relative
# to the repository, instead of this machine's absolute temporary paths.
RELATIVE_PATHS = """([pairs]) => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode())
    for (const [from, to] of pairs) node.data = node.data.split(from).join(to);
}"""


def shoot(targets: dict[str, str], out: Path, paths: dict[str, str] | None = None) -> list[Path]:
    """Photograph every name -> absolute URL at each viewport into out/<name>-<width>.png; `paths`: text to
    replace on the page (absolute folder -> what to show)."""
    from playwright.sync_api import sync_playwright

    from funnelgen.browser import find_chromium, launch_args

    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(**launch_args(find_chromium()))
        try:
            for width, (w, h) in VIEWPORTS.items():
                context = browser.new_context(viewport={"width": w, "height": h}, device_scale_factor=1,
                                              is_mobile=width < 768, has_touch=width < 768, locale="ja-JP",
                                              timezone_id="Asia/Tokyo", reduced_motion="reduce")
                context.route("**/*", only_local)
                page = context.new_page()
                for name, url in targets.items():
                    page.goto(url, wait_until="load")
                    if paths:
                        page.evaluate(RELATIVE_PATHS, [list(paths.items())])
                    page.evaluate("document.fonts.ready")
                    target = out / f"{name}-{width}.png"
                    target.write_bytes(optimise(page.screenshot(full_page=False, animations="disabled",
                                                                caret="hide")))
                    written.append(target)
                context.close()
        finally:
            browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--out", type=Path, default=OUT, help="folder for the PNGs (default: docs/img)")
    args = parser.parse_args(argv)
    pages = planned_pages()
    args.out.mkdir(parents=True, exist_ok=True)
    from funnelgen.serve import Preview

    with tempfile.TemporaryDirectory(prefix="funnelgen-shots-") as tmp:
        server = serve(build(Path(tmp)))
        # the preview's captured posts and test orders go to the temp folder, not site_src/.funnelgen
        preview = Preview(SITE, "127.0.0.1", 0, cache_dir=Path(tmp) / "cache", watch=False)
        try:
            if not preview.start().ok:
                raise SystemExit("scripts/screenshots.py: the preview of site_src failed to build")
            base = f"http://127.0.0.1:{server.server_address[1]}"
            targets = {name: base + path for name, path in pages.items()}
            targets |= {name: preview.url.rstrip("/") + path for name, path in PREVIEW.items()}
            shown = {str(Path(tmp) / "cache"): "site_src/.funnelgen", str(SITE): "site_src"}
            written = shoot(targets, args.out, shown)
        finally:
            preview.close()
            server.shutdown()
    stale = {f for w in VIEWPORTS for f in args.out.glob(f"*-{w}.png")} - set(written)
    for old in sorted(stale):  # a page that left the example leaves no picture behind
        old.unlink()
    total = sum(f.stat().st_size for f in written)
    for f in written:
        print(f"{f.relative_to(ROOT) if f.is_relative_to(ROOT) else f}  {f.stat().st_size // 1024} KiB")
    print(f"{len(written)} screenshots, {total / 1024 / 1024:.2f} MiB" + (f"; removed {len(stale)} stale" if stale else ""))
    if total > BUDGET:
        print(f"error: the screenshots weigh {total / 1024 / 1024:.2f} MiB, over the {BUDGET // 1024 // 1024} MiB "
              "budget.\n  fix: fewer pages or a smaller palette in optimise().", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
