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
                max_paths: int, from_entry: bool = False) -> None:
    from ..browser import BrowserError
    from ..reporter import TerminalReporter
    from .report import ReportDirError
    from .run import verify

    terminal = TerminalReporter(stream_is_json=as_json)

    if not src.is_dir():
        click.secho(f"error: '{src}' is not a folder.", fg="red", err=True)
        sys.exit(EXIT_CANNOT_RUN)
    if no_report:
        report = None
    elif report is None:
        report = src.resolve() / DEFAULT_REPORT
        _gitignore_cache(src.resolve(), report)

    try:
        result = verify(src, report_dir=report, browser=browser, workers=workers, timeout=timeout,
                        allow_hosts=allow_hosts, funnels=funnels, max_paths=max_paths, reporter=terminal,
                        from_entry=from_entry)
    except BrowserError as exc:
        click.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(EXIT_CANNOT_RUN)
    except ReportDirError as exc:
        click.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(EXIT_CANNOT_RUN)

    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    sys.exit(EXIT_OK if result.ok else EXIT_FAILED)
