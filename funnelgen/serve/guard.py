"""Who the preview answers: its own origin only.

A page on another site can make the browser talk to `127.0.0.1:8000` (form posts, or DNS rebinding:
`evil.example` re-resolving to 127.0.0.1 and reading `/_fg/` with the captured names and emails).
The server therefore checks every request's `Host` against the names it listens as (127.0.0.1,
localhost and [::1] with its port, plus the address it was started on), and refuses a POST whose
`Origin` (or, without one, `Referer`) is another origin. Plain GETs carry no Origin and keep working,
whoever linked to the page.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from urllib.parse import urlsplit

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
WILDCARDS = ("0.0.0.0", "::", "")
_BUSY_TEXT = b"too many connections to the preview; retry\n"
BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Content-Length: %d\r\nRetry-After: 1\r\nConnection: close\r\n\r\n%s" % (len(_BUSY_TEXT), _BUSY_TEXT))


def host_port(netloc: str) -> tuple[str, int | None] | None:
    """('name', port) of a Host header or URL netloc; None when it is malformed."""
    if not netloc or "@" in netloc or any(c.isspace() for c in netloc):
        return None
    try:
        parts = urlsplit("//" + netloc)
        return parts.hostname or "", parts.port
    except ValueError:
        return None


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class Origins:
    """The names the server listens as. `host`: the address it was started on; `extra`: more names."""

    def __init__(self, host: str, port: int, extra=()):
        self.port = port
        self.names = {n.strip("[]").lower() for n in (*LOOPBACK_NAMES, host, *extra) if n not in WILDCARDS}
        self.any_ip = host in WILDCARDS  # listening on every address: any IP literal (never a DNS name)

    def host_ok(self, value: str | None) -> bool:
        """Is `value` (a Host header, or a URL's netloc) one of the names the server listens as?"""
        parsed = host_port((value or "").strip())
        if parsed is None:
            return False
        name, port = parsed
        if (port or 80) != self.port:
            return False
        return name in self.names or (self.any_ip and _is_ip(name))

    def origin_ok(self, url: str) -> bool:
        parts = urlsplit(url.strip())
        return parts.scheme == "http" and self.host_ok(parts.netloc)

    def same_origin(self, headers) -> bool:
        """A request that says where it comes from comes from here (Origin first, then Referer)."""
        origin = headers.get("Origin")
        if origin is not None:
            return self.origin_ok(origin)  # "null" (sandboxed frames, privacy redirects) is another origin
        referer = headers.get("Referer")
        return self.origin_ok(referer) if referer else True

    def describe(self) -> str:
        names = sorted(f"[{n}]" if ":" in n else n for n in self.names)
        return ", ".join(f"{n}:{self.port}" for n in names)


class Limits:
    """A mixin for a ThreadingHTTPServer: a bigger listen backlog, a cap on open connections (one thread
    each; beyond it a quick 503 from the accepting thread), and a deadline for the request line and
    headers, enforced between requests by `service_actions` (slowloris connections are cut off)."""

    request_queue_size = 128  # the listen backlog: bursts wait in the kernel instead of being dropped
    max_connections = 64
    header_timeout = 10.0  # seconds to send the request line and headers; idle keep-alive connections too

    def init_limits(self) -> None:
        self.connections = 0
        self._conn_lock = threading.Lock()
        self._deadlines: dict[socket.socket, float] = {}
        self._reaped: set[socket.socket] = set()

    # -- connections: a cap, and a deadline for the request line and headers ------------------------
    def process_request(self, request, client_address) -> None:
        with self._conn_lock:
            busy = self.connections >= self.max_connections
            self.connections += 0 if busy else 1
        if busy:
            return self._refuse(request)
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._release()
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._release()

    def _release(self) -> None:
        with self._conn_lock:
            self.connections -= 1

    def _refuse(self, sock: socket.socket) -> None:
        """Over the cap: answer 503 from the accepting thread (reading what already arrived, so the close
        does not reset the connection before the client reads the answer)."""
        try:
            sock.settimeout(0.05)
            try:
                sock.recv(65536)
            except OSError:
                pass
            sock.sendall(BUSY)
        except OSError:
            pass
        self.shutdown_request(sock)

    def arm(self, sock: socket.socket) -> None:
        with self._conn_lock:
            self._deadlines[sock] = time.monotonic() + self.header_timeout

    def disarm(self, sock: socket.socket) -> bool:
        """Stop the clock on `sock`; False when the deadline had already cut it off."""
        with self._conn_lock:
            self._deadlines.pop(sock, None)
            if sock in self._reaped:
                self._reaped.discard(sock)
                return False
            return True

    def service_actions(self) -> None:
        """Between requests (at least every poll interval): cut off connections past their header deadline."""
        now = time.monotonic()
        with self._conn_lock:
            late = [sock for sock, deadline in self._deadlines.items() if deadline <= now]
            for sock in late:
                del self._deadlines[sock]
                self._reaped.add(sock)
        for sock in late:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # the handler's blocked read returns at once
            except OSError:
                pass
