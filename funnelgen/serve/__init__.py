"""`funnelgen serve`: live preview in watch mode, where the whole funnel can be walked locally.

Pieces (each testable alone):
- incremental.DevBuilder: the builder callable (full builds into fresh private
  folders, single pages re-rendered in place); it reports every build to a
  funnelgen.reporter.Reporter;
- server.DevServer: a threaded stdlib HTTP server that serves the last good
  build, injects the reload client and overlay, and knows nothing about pages;
  it subscribes to the builder's reports (a finished build switches the folder
  and tells the browsers);
- livereload: server-sent events, the client script and the overlay;
- watcher.Watcher: watchdog plus a debounce, handing batches to the builder;
- preview.PreviewApp: the /_fg/ routes and serve-time rewrites, delegating to
  capture (form posts), checkout (the test checkout) and dashboard.

`Preview` wires them together; the CLI and the tests both use it.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

from .incremental import DevBuilder, Outcome
from .livereload import client_snippet, inject
from .preview import PreviewApp
from .server import DevServer
from .watcher import Watcher
from .workdir import make_workdir

__all__ = ["DevBuilder", "DevServer", "Outcome", "Preview", "main"]

LOOPBACK = ("127.0.0.1", "localhost", "::1")
EXIT_SIGINT, EXIT_SIGTERM = 130, 143  # 128 + the signal number, as a shell reports a process it killed


def settle_memory() -> None:
    """After a full build (and after browsers were told): collect its garbage now and freeze what survives.

    Otherwise the first full garbage collection lands on some later page save and scans the whole site
    model (~0.5 s on a 1,000-page site). Unfreezing first lets the previous build's cycles be freed.
    """
    import gc

    gc.unfreeze()
    gc.collect()
    gc.freeze()


class Preview:
    """A running preview of `src`: build folder, HTTP server, watcher. Use as a context manager."""

    def __init__(self, src: Path, host: str = "127.0.0.1", port: int = 8000, debounce: float = 0.02,
                 jobs: int | None = None, reporter=None, poll: bool = False, cache_dir: Path | None = None,
                 watch: bool = True, allowed_hosts=()):
        """`reporter` hears every build (the dev server always does); `cache_dir`: where captured posts go
        (default SRC/.funnelgen); `watch=False`: build once, no watcher (verify walks a fixed site);
        `allowed_hosts`: more names the browser may use for the server (Host), besides loopback and `host`."""
        from ..reporter import Fanout

        self.src = Path(src)
        self.watch = watch
        self.workdir = make_workdir()
        try:
            self.builder = DevBuilder(self.src, self.workdir, jobs)
            self.app = PreviewApp(self.builder, self.src)
            if cache_dir is not None:
                self.app.cache = Path(cache_dir)
            self.server = DevServer((host, port), self.builder, self.app, allowed_hosts)
            self.builder.reporter = Fanout(self.server, reporter)  # the browsers first, then the terminal
        except BaseException:
            shutil.rmtree(self.workdir, ignore_errors=True)
            raise
        hub = self.server.hub
        # a site nobody edits (verify) is walked without the reload client: no stream per page, pages as built
        self.server.live_reload = watch
        self.app.decorate = lambda html: inject(html, client_snippet(hub, hub.last)) if watch else html
        self.app.status = lambda: {**hub.last, "clients": hub.clients, "server": hub.server_id}
        self.watcher = Watcher(self._changed, quiet=debounce, poll=poll)
        self._thread: threading.Thread | None = None
        self._closed = False

    @property
    def url(self) -> str:
        return self.server.url

    def start(self) -> Outcome:
        """Build once, then serve and watch. Returns the first build's outcome (it may have failed)."""
        if self.watch:
            self.watcher.watch([self.builder.src])  # before building: edits made meanwhile are not lost
            self.watcher.start()
        outcome = self.server.rebuild(None)
        self.builder.warm()
        settle_memory()
        if self.watch:
            self.watcher.watch(self.builder.watch_paths())
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="funnelgen-http", daemon=True)
        self._thread.start()
        return outcome

    def _changed(self, paths: set[Path]) -> None:
        outcome = self.server.rebuild(paths)
        if outcome is not None and outcome.paths is None:
            self.builder.warm()
            settle_memory()
            self.watcher.watch(self.builder.watch_paths())  # the theme may have moved

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.watch:
            self.watcher.stop()
        if self._thread is not None:
            self.server.close()
            self._thread.join(timeout=5)
        else:
            self.server.hub.close()
            self.server.server_close()
        self.builder.close()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Preview:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def main(src: Path, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False,
         allow_remote: bool = False, poll: bool = False) -> None:
    """The `funnelgen serve` command: runs until Ctrl-C (exit 130) or SIGTERM (exit 143), then removes its temp
    folder."""
    import errno
    import signal
    import sys

    import click

    from ..config import find_config
    from ..errors import BuildError
    from ..reporter import TerminalReporter

    if host not in LOOPBACK and not allow_remote:
        raise click.UsageError(f"--host {host} would expose the preview (and captured form data) to other "
                               "machines; add --allow-remote if you really mean it.")
    if not src.is_dir():
        raise click.UsageError(f"'{src}' is not a folder.")
    terminal = TerminalReporter(timestamps=True)
    try:
        find_config(src)
    except BuildError as exc:
        terminal.print_problems(exc.problems)
        sys.exit(1)
    if host not in LOOPBACK:
        click.secho(f"warning: serving on {host}: anyone who can reach this machine can see the preview "
                    "and the captured submissions.", fg="yellow", err=True)
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())  # before the temp folder exists
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in the background
    preview, code = None, 0
    try:
        try:
            preview = Preview(src, host, port, reporter=terminal, poll=poll)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                click.secho(f"error: port {port} on {host} is already in use.\n  fix: stop the other server, or pick "
                            f"another port: funnelgen serve --port {port + 1} (or --port 0 for any free one).",
                            fg="red", err=True)
            else:
                click.secho(f"error: cannot listen on {host}:{port}: {exc.strerror}", fg="red", err=True)
            sys.exit(1)
        preview.start()
        url = preview.url + preview.builder.prefix
        click.echo(f"serving {src} at {url}  (preview dashboard: {preview.url}/_fg/)")
        click.echo("watching for changes; Ctrl-C to stop")
        if open_browser:
            import webbrowser

            threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
        while not stop.wait(0.5):
            pass
        code = EXIT_SIGTERM
    except KeyboardInterrupt:
        code = EXIT_SIGINT
    finally:
        # a second Ctrl-C or SIGTERM must not leave the temp folder behind
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if preview is not None:
            try:
                click.echo("\nstopping…")
            except OSError:
                pass  # the terminal is gone: still clean up
            preview.close()
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.exit(code)
