"""Terminal side of `funnelgen verify`: progress lines, summary, --json, exit codes.

Exit codes: 0 every path passed; 1 a path failed or the site does not build;
2 verify could not run (Playwright or a browser missing, bad report folder).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

EXIT_OK, EXIT_FAILED, EXIT_CANNOT_RUN = 0, 1, 2
DEFAULT_REPORT = Path(".funnelgen") / "verify-report"


def _gitignore_cache(src: Path, report: Path) -> None:
    """The default report lives in SRC/.funnelgen/, which must never be committed."""
    cache = src / ".funnelgen"
    try:
        if cache in report.resolve().parents or report.resolve() == cache.resolve():
            cache.mkdir(exist_ok=True)
            ignore = cache / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# funnelgen's local cache: never commit\n*\n", encoding="utf-8")
    except OSError:
        pass


def run_command(src: Path, report: Path | None, no_report: bool, as_json: bool, browser: str | None,
                workers: int | None, timeout: float, funnels: tuple[str, ...], allow_hosts: tuple[str, ...],
                max_paths: int) -> None:
    from ..browser import BrowserError
    from .report import ReportDirError
    from .run import verify

    def say(text: str = "", **style) -> None:
        click.secho(text, err=as_json, **style)  # with --json, stdout carries the JSON only

    if not src.is_dir():
        click.secho(f"error: '{src}' is not a folder.", fg="red", err=True)
        sys.exit(EXIT_CANNOT_RUN)
    if no_report:
        report = None
    elif report is None:
        report = src.resolve() / DEFAULT_REPORT
        _gitignore_cache(src.resolve(), report)

    def on_start(result, paths, url) -> None:
        n_funnels = len({p.funnel for p in paths})
        say(f"verifying {src}: {len(paths)} path{'s' if len(paths) != 1 else ''} in {n_funnels} "
            f"funnel{'s' if n_funnels != 1 else ''}, served at {url}, browser {result.browser}")

    def progress(res, done: int, total: int) -> None:
        steps = len([s for s in res.steps if s.kind != "checkout"])
        head = f"[{done}/{total}] "
        if res.ok:
            say(f"{head}✓ {res.path.id}  {res.path.label()}  ({steps} pages, {res.seconds:.1f} s)", fg="green")
        else:
            say(f"{head}✗ {res.path.id}  {res.path.label()}  ({res.seconds:.1f} s)", fg="red")
            for reason in res.failures()[:3]:
                say(f"      {reason}", fg="red")

    try:
        result = verify(src, report_dir=report, browser=browser, workers=workers, timeout=timeout,
                        allow_hosts=allow_hosts, funnels=funnels, max_paths=max_paths, progress=progress,
                        on_start=on_start)
    except BrowserError as exc:
        click.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(EXIT_CANNOT_RUN)
    except ReportDirError as exc:
        click.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(EXIT_CANNOT_RUN)

    if not result.build_ok:
        for p in result.problems:
            click.secho(p.format(), fg="red", err=True)
        click.secho("verify: the site does not build, so no path was walked; fix the errors above.", fg="red",
                    err=True)
    for w in result.warnings:
        click.secho(w.format(), fg="yellow", err=True)
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    style = {"fg": "green" if result.ok else "red", "bold": True}
    say(f"{'PASS' if result.ok else 'FAIL'}: {result.reason} in {result.seconds:.1f} s", **style)
    if result.report is not None:
        say(f"storyboard: {result.report / 'index.html'}")
    sys.exit(EXIT_OK if result.ok else EXIT_FAILED)
