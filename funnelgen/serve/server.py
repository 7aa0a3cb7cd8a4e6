"""A small threaded HTTP server for a folder that a builder keeps rebuilding.

The server knows nothing about pages: it is handed a builder callable
(`builder(changes) -> Outcome | None`, `changes=None` meaning "build
everything") and an optional app that owns the `/_fg/` preview routes, form
posts and serve-time HTML rewrites. It serves the folder of the last good
build, injects the live-reload client (and the error overlay) into HTML, and
pushes one event per build to every connected browser.

Safety: only files inside the served folder are reachable (decoded once; `..`,
hidden names, NUL and backslashes refused, the resolved path checked again),
request bodies are bounded, and misses get the site's own 404 page. The server
answers only as itself (Host checked, cross-origin posts refused: guard.Origins),
and open connections and the time to send headers are bounded (guard.Limits).
"""

from __future__ import annotations

import mimetypes
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from ..reporter import Reporter
from .guard import Limits, Origins
from .hostfiles import host_redirect, preview_policy
from .livereload import EVENTS_PATH, EventHub, client_snippet, error_page, inject, stream_events

RESERVED = "/_fg/"
MAX_BODY = 1024 * 1024  # form posts are small; anything bigger is refused with 413
HIDDEN_FILES = ("_headers", "_redirects")  # Netlify reads these; it does not serve them
TYPES = {
    ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json", ".xml": "application/xml; charset=utf-8", ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".gif": "image/gif", ".webp": "image/webp", ".avif": "image/avif", ".ico": "image/x-icon",
    ".woff": "font/woff", ".woff2": "font/woff2", ".pdf": "application/pdf", ".webmanifest": "application/manifest+json",
    ".mp4": "video/mp4", ".webm": "video/webm", ".md": "text/plain; charset=utf-8",
}


def content_type(path: Path) -> str:
    ext = path.suffix.lower()
    if ext in TYPES:
        return TYPES[ext]
    guessed, _enc = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


@dataclass
class Request:
    method: str
    path: str  # decoded once, no query
    query: dict[str, list[str]]
    headers: object
    body: bytes = b""

    def arg(self, name: str, default: str = "") -> str:
        return (self.query.get(name) or [default])[0]


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def redirect(cls, location: str, status: int = 303) -> Response:
        """Same-site redirects only: '//host' (protocol-relative) collapses to '/host', non-ASCII is quoted."""
        if location.startswith("/"):
            location = "/" + location.lstrip("/\\")
        return cls(status, b"", "text/plain; charset=utf-8",
                   {"Location": quote(location, safe="/?&=%#:@!$'()*+,;~-._")})

    @classmethod
    def html(cls, text: str, status: int = 200) -> Response:
        return cls(status, text.encode("utf-8"))

    @classmethod
    def text(cls, text: str, status: int) -> Response:
        return cls(status, (text + "\n").encode("utf-8"), "text/plain; charset=utf-8")


class DevServer(Limits, ThreadingHTTPServer, Reporter):
    """Serves the folder of the last good build. It subscribes to the builder's reports: each finished
    build switches the folder and tells every browser (reload, or the overlay with the problems)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], builder: Callable, app=None, allowed_hosts=()):
        """`allowed_hosts`: names besides loopback and the listening address that Host may carry."""
        super().__init__(address, Handler)
        self.origins = Origins(address[0], self.server_address[1], allowed_hosts)
        self.init_limits()
        self.builder = builder
        self.app = app
        self.hub = EventHub()
        self.live_reload = True  # pages get the reload client; off when nothing is watched (verify)
        self.root: Path | None = None
        self.prefix = "/"
        self.outcome = None
        self.built = threading.Condition()  # notified after every build (tests wait on it)
        self._rebuild_lock = threading.Lock()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}"

    def build_finished(self, outcome) -> None:
        """The builder's report of a finished build: serve its folder and tell the browsers."""
        with self._rebuild_lock:
            if outcome.out is not None:
                self.root = outcome.out
            self.prefix = outcome.prefix or "/"
            self.outcome = outcome
            problems = [{"text": p.format(), **p.as_dict()} for p in outcome.problems]
            self.hub.publish(outcome.ok, problems, outcome.paths, outcome.css_only)

    def rebuild(self, changes=None):
        """Run the builder (which reports to this server). Returns the Outcome, or None when nothing was
        relevant."""
        outcome = self.builder(changes)
        if outcome is not None:
            with self.built:
                self.built.notify_all()
        return outcome

    def handle_error(self, request, client_address) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return  # the browser went away
        print(f"funnelgen serve: error handling a request: {type(exc).__name__}: {exc}", file=sys.stderr)

    def close(self) -> None:
        self.hub.close()
        self.shutdown()
        self.server_close()


class Handler(BaseHTTPRequestHandler):
    server: DevServer
    protocol_version = "HTTP/1.1"
    server_version = "funnelgen-serve"
    sys_version = ""
    timeout = 60  # idle keep-alive connections give their thread back
    # Headers and body leave in two writes; with Nagle's algorithm on, the second waits for the browser's
    # delayed ACK (40 ms on Linux) on every response of a kept-alive connection (measured: 44 ms a request,
    # any size; 0.4 ms with TCP_NODELAY). socketserver sets TCP_NODELAY when this is true.
    disable_nagle_algorithm = True

    # -- plumbing ---------------------------------------------------------------------
    def handle_one_request(self) -> None:
        self.server.arm(self.connection)  # the request line and headers must arrive in time
        try:
            super().handle_one_request()
        finally:
            self.server.disarm(self.connection)

    def parse_request(self) -> bool:
        ok = super().parse_request()
        if not self.server.disarm(self.connection):  # cut off mid-headers: not a request
            self.close_connection = True
            return False
        return ok

    def log_message(self, format, *args) -> None:  # noqa: A002 - stdlib signature
        pass  # the terminal shows builds, not every request

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _not_allowed(self) -> None:
        self.send(Response(405, b"method not allowed\n", "text/plain; charset=utf-8",
                           {"Allow": "GET, HEAD, POST"}))

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _not_allowed

    def send(self, resp: Response, head: bool | None = None) -> None:
        head = self.command == "HEAD" if head is None else head
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(resp.body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "strict-origin-when-cross-origin")
        for key, value in resp.headers.items():
            self.send_header(key, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if not head:
            self.wfile.write(resp.body)

    # -- routing ----------------------------------------------------------------------
    def _dispatch(self, method: str) -> None:
        origins = self.server.origins
        if not origins.host_ok(self.headers.get("Host")):  # DNS rebinding: a foreign name for this server
            self.close_connection = True
            return self.send(Response.text(f"misdirected request: this preview answers only as {origins.describe()}",
                                           421))
        if method not in ("GET", "HEAD") and not origins.same_origin(self.headers):
            self.close_connection = True
            return self.send(Response.text("cross-origin request refused: this preview accepts posts only from its "
                                           "own pages (Origin/Referer)", 403))
        parts = urlsplit(self.path)
        if not self.path.startswith("/") or self.path.startswith("//"):
            self.close_connection = True
            return self.send(Response.text("bad request path", 400))
        try:
            path = unquote(parts.path, errors="strict")
        except UnicodeDecodeError:
            return self.send(Response.text("bad request path", 400))
        if "\x00" in path or "\\" in path:
            return self.send(Response.text("bad request path", 400))
        req = Request(method, path, parse_qs(parts.query), self.headers)
        if method == "POST":
            body = self._read_body()
            if body is None:
                return
            req.body = body
        if path == EVENTS_PATH:
            return self._events()
        app = self.server.app
        if path == RESERVED.rstrip("/"):
            return self.send(Response.redirect(RESERVED, 301))
        if path.startswith(RESERVED):
            resp = app.handle(req) if app else None
            return self.send(resp or self._miss())
        if method == "POST":
            resp = app.handle_post(req) if app else None
            if resp is None:
                resp = Response(405, b"this page does not accept posts\n", "text/plain; charset=utf-8",
                                {"Allow": "GET, HEAD"})
            return self.send(resp)
        return self._static(req)

    def _read_body(self) -> bytes | None:
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            self.send(Response.text("chunked request bodies are not accepted; send Content-Length", 411))
            return None
        raw = self.headers.get("Content-Length")
        try:
            length = int(raw) if raw is not None else 0
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            self.send(Response.text("bad Content-Length", 400))
            return None
        if length > MAX_BODY:
            self.close_connection = True  # do not read (or wait for) the rest
            self.send(Response.text(f"request body too large (limit {MAX_BODY // 1024} KiB)", 413))
            return None
        return self.rfile.read(length) if length else b""

    def _events(self) -> None:
        hub = self.server.hub
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Accel-Buffering", "no")
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD":
            return

        def write(data: bytes) -> None:
            self.wfile.write(data)
            self.wfile.flush()

        def gone() -> bool:
            """The browser closed the stream (readable with nothing to read is EOF)."""
            import select
            import socket

            try:
                readable, _, _ = select.select([self.connection], [], [], 0)
                return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
            except (OSError, ValueError):
                return True

        stream_events(hub, write, gone)

    # -- files ----------------------------------------------------------------------------
    def _static(self, req: Request) -> None:
        server = self.server
        root, prefix = server.root, server.prefix
        if root is None:
            html = error_page(server.hub, server.hub.last)
            return self.send(Response.html(html, 500 if server.outcome is not None else 503))
        if not req.path.startswith(prefix):
            if req.path in ("", "/"):
                return self.send(Response.redirect(prefix, 302))
            return self.send(self._miss())
        hop = host_redirect(root, req.path)  # what Netlify / Cloudflare Pages do with the output's _redirects
        if hop is not None and hop[1] != 200:
            return self.send(Response.redirect(hop[0], hop[1]))
        path = hop[0] if hop is not None and hop[0].startswith(prefix) else req.path  # 200: a rewrite
        segments = path[len(prefix):].split("/")
        if any(s.startswith(".") for s in segments) or (segments and segments[-1] in HIDDEN_FILES):
            return self.send(self._miss())  # '..', '.', hidden and temp files, Netlify config
        target = root.joinpath(*[s for s in segments if s])
        if not _inside(root, target):
            return self.send(self._miss())
        if target.is_dir():
            if not req.path.endswith("/"):
                query = urlsplit(self.path).query
                location = req.path + "/" + (f"?{query}" if query else "")
                return self.send(Response.redirect(location, 301))
            target = target / "index.html"
        if not target.is_file():
            return self.send(self._miss())
        try:
            data = target.read_bytes()
        except OSError:
            return self.send(self._miss())
        if target.suffix == ".html":
            return self.send(self._page(data, req.path))
        return self.send(Response(200, data, content_type(target)))

    def _page(self, data: bytes, path: str, status: int = 200) -> Response:
        server = self.server
        html = data.decode("utf-8", errors="replace")
        snippet = client_snippet(server.hub, server.hub.last) if server.live_reload else ""
        site = server.app.site if server.app is not None else None
        html, name, policy = preview_policy(site, html, snippet)  # the page's own policy + the reload script
        if server.app is not None:
            html = server.app.rewrite_html(html, path)
        response = Response.html(inject(html, snippet), status)
        if policy:
            response.headers[name] = policy
        return response

    def _miss(self) -> Response:
        root = self.server.root
        page = root / "404.html" if root else None
        if page is not None and page.is_file():
            try:
                return self._page(page.read_bytes(), self.path, 404)
            except OSError:
                pass
        return Response.text("not found", 404)


def _inside(root: Path, target: Path) -> bool:
    real_root = os.path.realpath(root)
    real = os.path.realpath(target)
    return real == real_root or real.startswith(real_root + os.sep)
