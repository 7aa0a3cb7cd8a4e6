"""Find and launch Chromium for the browser checks (`funnelgen verify`, the e2e tests).

Playwright is an optional dependency (`pip install 'funnelgen[verify]'`); it is
imported only when a browser is actually wanted. Which binary runs, in order:

1. the `--browser PATH` option (``explicit``),
2. the ``FUNNELGEN_CHROMIUM`` environment variable,
3. Debian's Chromium: its old headless shell when installed (``apt-get install chromium-headless-shell``;
   the build of Chromium made for automation, which Playwright itself runs headless: a page load costs
   ~35% less CPU than in the full browser's headless mode, docs/verify.md), else ``/usr/bin/chromium`` (or
   another system Chromium/Chrome on PATH),
4. the Chromium that ``playwright install chromium`` downloaded.

When none of them exists, `BrowserNotFound` says what was tried and how to fix it.
Nothing here talks to the network.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

ENV_VAR = "FUNNELGEN_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
DEFAULT_SHELL = "/usr/lib/chromium/chromium-headless-shell"  # Debian's chromium-headless-shell (the real binary)
# Other names a system Chromium goes by (Debian first: it is the one CI installs).
SYSTEM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-default-apps", "--disable-extensions",
    "--metrics-recording-only", "--mute-audio",
]
INSTALL_HINT = "pip install 'funnelgen[verify]'   (or: pip install playwright)"


class BrowserError(Exception):
    """Playwright or a browser is missing; the message says how to fix it."""


class PlaywrightMissing(BrowserError):
    pass


class BrowserNotFound(BrowserError):
    pass


@dataclass
class BrowserChoice:
    executable: str | None  # None: Playwright's own download (it knows the path)
    source: str  # "option", "environment", "shell", "system", "playwright"

    def describe(self) -> str:
        where = {"option": "from --browser", "environment": f"from ${ENV_VAR}", "system": "system Chromium",
                 "shell": "system Chromium, headless shell", "playwright": "Playwright's Chromium"}[self.source]
        return f"{self.executable or 'bundled'} ({where})"


def require_playwright():
    """Import playwright lazily; raise PlaywrightMissing with the install command when it is absent."""
    try:
        import playwright  # noqa: F401
        from playwright import sync_api  # noqa: F401
    except ImportError:
        raise PlaywrightMissing(
            "funnelgen verify drives a real browser through Playwright, which is not installed.\n"
            f"  fix: {INSTALL_HINT}\n"
            "  (the browser itself: apt-get install chromium-headless-shell (or chromium),\n"
            "   or: python -m playwright install chromium)"
        ) from None
    return playwright


def _usable(path: str | os.PathLike) -> bool:
    p = Path(path)
    return p.is_file() and os.access(p, os.X_OK)


def playwright_chromium() -> str | None:
    """The Chromium `playwright install chromium` put in its cache, when there is one (no network)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    try:
        with sync_playwright() as p:
            path = p.chromium.executable_path
    except Exception:  # noqa: BLE001 - a broken driver means "not available"
        return None
    return path if path and _usable(path) else None


def find_chromium(option: str | os.PathLike | None = None, env: dict | None = None,
                  default: str = DEFAULT_CHROMIUM, system: bool = True, bundled: bool = True,
                  shell: str | None = DEFAULT_SHELL) -> BrowserChoice:
    """Pick the browser binary; raise BrowserNotFound listing what was tried."""
    env = os.environ if env is None else env
    tried: list[str] = []
    if option:
        path = shutil.which(str(option)) or str(option)
        if _usable(path):
            return BrowserChoice(str(path), "option")
        raise BrowserNotFound(f"--browser {option}: no executable file there.\n"
                              "  fix: give the path of a Chromium or Chrome binary (e.g. /usr/bin/chromium).")
    value = env.get(ENV_VAR)
    if value:
        path = shutil.which(value) or value
        if _usable(path):
            return BrowserChoice(str(path), "environment")
        raise BrowserNotFound(f"${ENV_VAR}={value}: no executable file there.\n"
                              f"  fix: point {ENV_VAR} at a Chromium or Chrome binary, or unset it.")
    if system:
        if shell and _usable(shell):
            return BrowserChoice(shell, "shell")
        if shell:
            tried.append(shell)
        if _usable(default):
            return BrowserChoice(default, "system")
        tried.append(default)
        for name in SYSTEM_NAMES:
            found = shutil.which(name)
            if found and _usable(found):
                return BrowserChoice(found, "system")
        tried.append("chromium/chrome on PATH")
    if bundled:
        path = playwright_chromium()
        if path:
            return BrowserChoice(path, "playwright")
        tried.append("Playwright's downloaded Chromium")
    raise BrowserNotFound(
        "no Chromium found (tried: " + ", ".join(tried) + ").\n"
        "  fix: install one: apt-get install chromium-headless-shell (Debian/Ubuntu; or chromium), or python -m playwright install chromium;\n"
        f"       or say where yours is: --browser /path/to/chrome, or {ENV_VAR}=/path/to/chrome"
    )


def launch_args(choice: BrowserChoice, headless: bool = True) -> dict:
    """Keyword arguments for `playwright.chromium.launch(...)` (sync or async)."""
    args: dict = {"headless": headless, "args": list(CHROMIUM_ARGS)}
    if choice.executable:
        args["executable_path"] = choice.executable
    return args


def launch_error(exc: Exception, choice: BrowserChoice) -> BrowserError:
    """Turn Playwright's launch failure into a short, actionable message."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return BrowserNotFound(f"could not start the browser {choice.describe()}: {first}\n"
                           f"  fix: check that it runs (`{choice.executable or 'chromium'} --version`), or pick "
                           f"another with --browser or {ENV_VAR}.")


# -- keeping tests and verify off the network -------------------------------------------------
# Vendor tag scripts are answered with an empty script: the inline snippets already create the
# gtag/fbq/_lt queues the checks read, and a funnel's correctness must not depend on vendors answering.
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")


def is_vendor(host: str) -> bool:
    """A host one of funnelgen's tracking vendors loads from or sends to (funnelgen/vendors/)."""
    from .vendors import is_vendor_host

    return is_vendor_host(host)


def request_policy(url: str, allow_hosts: tuple[str, ...] = ()) -> str:
    """'local' (let it through), 'vendor' (answer with an empty script), 'allowed' or 'blocked'."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "chrome", "devtools"):
        return "local"
    host = (parts.hostname or "").lower()
    if host in LOCAL_HOSTS:
        return "local"
    if is_vendor(host):
        return "vendor"
    if host in allow_hosts:
        return "allowed"
    return "blocked"


STUB = {"status": 200, "content_type": "application/javascript", "body": "/* stubbed by funnelgen */"}


class DeadEnd:
    """A proxy that refuses every connection, for a browser that must not reach the network.

    Chromium sends every request except loopback ones (its implicit bypass rule,
    https://chromium.googlesource.com/chromium/src/+/HEAD/net/docs/proxy.md#Implicit-bypass-rules) and the
    `allow_hosts` to the proxy: a socket bound on 127.0.0.1 and never listening, so each such request fails at
    once with net::ERR_PROXY_CONNECTION_FAILED, inside the browser. Playwright's request routing does the same
    from outside, but pauses *every* request for its driver and turns the HTTP cache off; verify's loads cost
    ~20% less CPU without it (docs/verify.md, "Where verify's time goes"). Passed as a Chromium switch, not
    Playwright's `proxy` option, which would send loopback through the proxy too.
    """

    def __init__(self, allow_hosts: tuple[str, ...] = ()):
        import socket

        self.allow_hosts = allow_hosts
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))  # bound and held, never listening: a connection is refused

    def args(self) -> list[str]:
        port = self._socket.getsockname()[1]
        args = [f"--proxy-server=http://127.0.0.1:{port}"]
        if self.allow_hosts:
            args.append("--proxy-bypass-list=" + ";".join(self.allow_hosts))
        return args

    def close(self) -> None:
        self._socket.close()
