"""What a run does, as events anyone can subscribe to (Lektor's Reporter, without its globals).

The pipeline, the dev builder and `verify` call a `Reporter`; they never print. The terminal
(`TerminalReporter`), the dev server (its overlay and live reload) and the tests (`RecordingReporter`)
are subscribers, and `Fanout` hands one run's events to several of them.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class BuildResult:
    """What one build did: the result `build()` returns and every reporter's build_finished receives."""

    ok: bool
    out: Path | None  # the folder holding the site (for a failed build: the previous one, if any)
    pages: int = 0
    seconds: float = 0.0
    problems: list = field(default_factory=list)  # why it failed (errors.Problem)
    warnings: list = field(default_factory=list)
    success_urls: list[tuple[str, str]] = field(default_factory=list)  # (offer id, url)
    success_file: Path | None = None  # where they were saved for the user (outside the output)
    site: object = None
    summary: str = ""


class Reporter:
    """Every event a run can send; each does nothing unless a subscriber overrides it."""

    def build_started(self, src, scope: str) -> None:
        """A build begins: scope is "full" (every page) or "pages" (serve re-renders single pages)."""

    def page_written(self, key: tuple[str, str], output: str) -> None:
        """One (step, variant) was rendered, checked and written to `output`."""

    def page_reused(self, key: tuple[str, str], output: str) -> None:
        """One (step, variant) was unchanged: its previous files were linked from the build cache."""

    def progress(self, done: int, total: int, what: str) -> None:
        """Long runs: `done` of `total` `what` (pages, paths) finished."""

    def build_finished(self, result) -> None:
        """A build ended; `result.ok` says whether it was committed, `result.problems` what failed."""

    def message(self, text: str, level: str = "info") -> None:
        """A line for the person running the command (level: info, warning, error)."""

    def verify_started(self, paths: list, url: str, browser: str) -> None:
        """`funnelgen verify` is about to walk `paths` on the preview at `url`."""

    def path_finished(self, result, done: int, total: int) -> None:
        """One verify path was walked (passed or failed)."""

    def verify_finished(self, result) -> None:
        """Every path was walked (or the site did not build)."""


EVENTS = tuple(name for name, value in vars(Reporter).items() if callable(value) and not name.startswith("_"))
NULL = Reporter()


class Fanout(Reporter):
    """Sends every event to each subscriber in turn."""

    def __init__(self, *subscribers: Reporter):
        self.subscribers = [s for s in subscribers if s is not None]


def _fan_out(name: str):
    def each(self, *args):
        for subscriber in self.subscribers:
            getattr(subscriber, name)(*args)
    each.__name__ = name
    return each


@dataclass
class RecordingReporter(Reporter):
    """Keeps every event as (name, args) for tests to read."""

    events: list[tuple[str, tuple]] = field(default_factory=list)

    def named(self, name: str) -> list[tuple]:
        return [args for event, args in self.events if event == name]

    def written(self) -> list[tuple[str, str]]:
        """The (step, variant) keys written, in order."""
        return [args[0] for args in self.named("page_written")]


def _record(name: str):
    def record(self, *args):
        self.events.append((name, args))
    record.__name__ = name
    return record


for _name in EVENTS:
    setattr(Fanout, _name, _fan_out(_name))
    setattr(RecordingReporter, _name, _record(_name))


class TerminalReporter(Reporter):
    """Human output: problems with their fix, one summary line per build, progress on a terminal."""

    def __init__(self, stream_is_json: bool = False, progress_min: int = 200, timestamps: bool = False):
        self.quiet_stdout = stream_is_json  # with --json, stdout carries the JSON only
        self.timestamps = timestamps  # serve: one line per rebuild, stamped
        self.progress_min = progress_min  # show progress for runs of at least this many pages
        self._tty = sys.stderr.isatty()
        self._last = 0.0

    def _say(self, text: str, fg: str | None = None, err: bool = False, bold: bool = False) -> None:
        import click

        click.secho(text, fg=fg, err=err or self.quiet_stdout, bold=bold)

    def print_problems(self, problems) -> None:
        for p in problems:
            self._say(p.format(), fg="red" if p.severity == "error" else "yellow", err=True)

    def message(self, text: str, level: str = "info") -> None:
        self._say(text, fg={"warning": "yellow", "error": "red"}.get(level), err=level != "info")

    def progress(self, done: int, total: int, what: str) -> None:
        if total < self.progress_min or not self._tty:
            return
        now = time.monotonic()
        if done < total and now - self._last < 0.2:
            return
        self._last = now
        end = "\n" if done >= total else ""
        sys.stderr.write(f"\r{what}: {done}/{total}{end}")
        sys.stderr.flush()

    def build_finished(self, result) -> None:
        self.print_problems(result.warnings)
        if not result.ok:
            self.print_problems(result.problems)
        stamp = time.strftime("%H:%M:%S ") if self.timestamps else ""
        ms = result.seconds * 1000
        n = sum(1 for p in result.problems if p.severity == "error")
        if result.ok:
            self._say(f"{stamp}{result.summary} in {ms:.0f} ms", fg="green" if self.timestamps else None)
        elif self.timestamps:  # serve keeps the last good site on screen
            state = "still serving the last good version" if result.out else "nothing to serve yet"
            self._say(f"{stamp}{result.summary} ({n} error{'s' if n != 1 else ''}, {ms:.0f} ms); {state}. "
                      "Fix and save: the browser shows the same errors.", fg="red", err=True)
        else:
            self._say(f"build failed: {n} error{'s' if n != 1 else ''}; previous output left untouched.",
                      fg="red", err=True)
        if result.ok and result.warnings:  # one line where the host's build log shows it; check lists them
            w = len(result.warnings)
            src = f" {result.site.src}" if getattr(result, "site", None) is not None else ""
            self._say(f"{w} warning{'s' if w != 1 else ''}: run `funnelgen check{src}` to list them "
                      "(`--strict` makes them errors)", fg="yellow", err=True)
        if result.ok and result.success_urls:
            saved = f"; also saved in {result.success_file}" if result.success_file else ""
            self._say(f"after-payment redirect URLs (set these in your payment links{saved}):")
            for oid, url in result.success_urls:
                self._say(f"  {oid}: {url}")

    def verify_finished(self, result) -> None:
        if not result.build_ok:
            self.print_problems(result.problems)
            self.message("verify: the site does not build, so no path was walked; fix the errors above.", "error")
        self.print_problems(result.warnings)
        self._say(f"{'PASS' if result.ok else 'FAIL'}: {result.reason} in {result.seconds:.1f} s",
                  fg="green" if result.ok else "red", bold=True)
        if result.report is not None:
            self._say(f"storyboard: {result.report / 'index.html'}")

    def verify_started(self, paths: list, url: str, browser: str) -> None:
        funnels = len({p.funnel for p in paths})
        self._say(f"verifying: {len(paths)} path{'s' if len(paths) != 1 else ''} in {funnels} "
                  f"funnel{'s' if funnels != 1 else ''}, served at {url}, browser {browser}")

    def path_finished(self, result, done: int, total: int) -> None:
        pages = len([s for s in result.steps if s.kind != "checkout"])
        head = f"[{done}/{total}] "
        if result.ok:
            self._say(f"{head}✓ {result.path.id}  {result.path.label()}  ({pages} pages, {result.seconds:.1f} s)",
                      fg="green")
            return
        self._say(f"{head}✗ {result.path.id}  {result.path.label()}  ({result.seconds:.1f} s)", fg="red")
        for reason in result.failures()[:3]:
            self._say(f"      {reason}", fg="red")
