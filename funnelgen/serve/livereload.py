"""Live reload over server-sent events, and the build-error overlay.

The reload client is injected into HTML as it is served (never at build time,
so the deploy output stays clean). Each page learns the server id and build
number it was served with; when the event stream reconnects with a different
server id (a restarted server) or build number (missed events), it reloads.
"""

from __future__ import annotations

import json
import queue
import re
import secrets
import threading
from html import escape

from ..escaping import script_json

EVENTS_PATH = "/_fg/events"
PING_SECONDS = 15.0


class EventHub:
    """Fan-out of build events to every connected event stream (one queue per client)."""

    def __init__(self):
        self.server_id = secrets.token_hex(6)
        self.build = 0
        self.last: dict = {"build": 0, "ok": True, "problems": [], "paths": None, "css": False}
        self._clients: set[queue.Queue] = set()
        self._lock = threading.Lock()
        self.closed = threading.Event()

    def subscribe(self) -> queue.Queue:
        q: queue.Queue = queue.Queue()
        with self._lock:
            self._clients.add(q)
        return q

    def unsubscribe(self, q: queue.Queue) -> None:
        with self._lock:
            self._clients.discard(q)

    @property
    def clients(self) -> int:
        with self._lock:
            return len(self._clients)

    def publish(self, ok: bool, problems: list[dict], paths: list[str] | None, css: bool) -> dict:
        with self._lock:
            self.build += 1
            self.last = {"build": self.build, "ok": ok, "problems": problems, "paths": paths, "css": css}
            message = sse("build", self.last)
            for q in self._clients:
                q.put(message)
            return self.last

    def hello(self) -> bytes:
        with self._lock:
            return sse("hello", {"server": self.server_id, "build": self.build}, retry=500)

    def close(self) -> None:
        self.closed.set()
        with self._lock:
            for q in self._clients:
                q.put(None)


def sse(event: str, data: dict, retry: int | None = None) -> bytes:
    head = f"retry: {retry}\n" if retry else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def stream_events(hub: EventHub, write, gone=lambda: False) -> None:
    """Serve one event stream until the client leaves or the hub closes. `write` raises OSError on a gone client;
    `gone()` says the client closed its end, so a page that navigated away frees its connection within a second
    (not at the next ping): the server caps open connections."""
    import time

    q = hub.subscribe()
    try:
        write(hub.hello())
        last = time.monotonic()
        while not hub.closed.is_set():
            try:
                message = q.get(timeout=1.0)
            except queue.Empty:
                if gone():
                    break
                if time.monotonic() - last < PING_SECONDS:
                    continue
                message = b": ping\n\n"
            if message is None:
                break
            write(message)
            last = time.monotonic()
    except OSError:
        pass
    finally:
        hub.unsubscribe(q)


# -- what is injected into served HTML ----------------------------------------------
CLIENT_JS = r"""
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("fg-dev").textContent);
  var path = location.pathname;
  function overlay(problems) {
    var box = document.getElementById("fg-overlay");
    if (box) box.remove();
    if (!problems || !problems.length) return;
    box = document.createElement("div");
    box.id = "fg-overlay";
    box.setAttribute("role", "alert");
    box.style.cssText = OVERLAY_CSS;
    var h = document.createElement("h2");
    h.textContent = cfg.title;
    h.style.cssText = "margin:0 0 .75rem;font-size:1.1rem;color:#fca5a5";
    box.appendChild(h);
    problems.forEach(function (p) {
      var pre = document.createElement("pre");
      pre.style.cssText = "white-space:pre-wrap;margin:0 0 .75rem;font:13px/1.5 ui-monospace,monospace";
      pre.textContent = p.text;
      box.appendChild(pre);
    });
    var close = document.createElement("button");
    close.textContent = "×";
    close.setAttribute("aria-label", "close");
    close.style.cssText = "position:absolute;top:.5rem;right:.75rem;background:none;border:0;color:#fff;font-size:1.5rem;cursor:pointer";
    close.onclick = function () { box.remove(); };
    box.appendChild(close);
    document.body.appendChild(box);
  }
  function swapCss() {
    fetch(location.href, { cache: "no-store" }).then(function (r) { return r.text(); }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html").querySelectorAll("head style");
      var old = document.querySelectorAll("head style");
      if (fresh.length !== old.length) { location.reload(); return; }
      for (var i = 0; i < old.length; i++) old[i].textContent = fresh[i].textContent;
    }).catch(function () { location.reload(); });
  }
  var es = new EventSource(cfg.events);
  es.addEventListener("hello", function (e) {
    var d = JSON.parse(e.data);
    if (d.server !== cfg.server || d.build !== cfg.build) location.reload();
  });
  es.addEventListener("build", function (e) {
    var d = JSON.parse(e.data);
    cfg.build = d.build;
    if (!d.ok) { overlay(d.problems); return; }
    overlay([]);
    if (d.css) { swapCss(); return; }
    if (!d.paths || d.paths.indexOf(path) >= 0 || cfg.error_page) location.reload();
  });
})();
"""
OVERLAY_CSS = ("position:fixed;z-index:2147483647;left:0;right:0;top:0;max-height:80vh;overflow:auto;"
               "background:#1f1f23;color:#f4f4f5;padding:1rem 1.25rem;border-bottom:4px solid #ef4444;"
               "font:14px/1.5 system-ui,sans-serif;text-align:left;box-shadow:0 4px 24px rgba(0,0,0,.4)")
OVERLAY_TITLE = "funnelgen: build failed — still showing the last good version"


def overlay_html(problems: list[dict]) -> str:
    """Server-side overlay (works before the script runs); every value HTML-escaped."""
    if not problems:
        return ""
    items = "".join(f'<pre style="white-space:pre-wrap;margin:0 0 .75rem;font:13px/1.5 ui-monospace,monospace">'
                    f"{escape(p['text'])}</pre>" for p in problems)
    return (f'<div id="fg-overlay" role="alert" style="{OVERLAY_CSS}">'
            f'<h2 style="margin:0 0 .75rem;font-size:1.1rem;color:#fca5a5">{escape(OVERLAY_TITLE)}</h2>{items}</div>')


def client_snippet(hub: EventHub, state: dict, error_page: bool = False) -> str:
    cfg = {"server": hub.server_id, "build": state["build"], "events": EVENTS_PATH, "title": OVERLAY_TITLE,
           "error_page": error_page}
    script = CLIENT_JS.replace("OVERLAY_CSS", json.dumps(OVERLAY_CSS))
    overlay = "" if state["ok"] else overlay_html(state["problems"])
    return (f'{overlay}<script id="fg-dev" type="application/json">{script_json(cfg)}</script>'
            f"<script>{script}</script>")


_BODY_END = re.compile(r"</body\s*>", re.I)


def inject(html: str, snippet: str) -> str:
    """Put `snippet` before the last </body> (or at the end when there is none)."""
    matches = list(_BODY_END.finditer(html))
    if not matches:
        return html + snippet
    at = matches[-1].start()
    return html[:at] + snippet + html[at:]


def error_page(hub: EventHub, state: dict) -> str:
    """Served while no build has ever succeeded."""
    return ('<!doctype html><html><head><meta charset="utf-8"><title>funnelgen: build failed</title></head>'
            '<body style="font-family:system-ui,sans-serif;padding:12rem 1.5rem 2rem">'
            "<p>The site has not been built yet: fix the errors above and save; this page reloads by itself.</p>"
            + client_snippet(hub, state, error_page=True) + "</body></html>")
