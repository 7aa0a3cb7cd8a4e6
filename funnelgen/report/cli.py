"""The `funnelgen report` command: read, compute, print; problems as `file:row: column: message` + a fix."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


def run_command(src: Path, data: list[Path], fmt: str, html_out: Path | None, confidence: float) -> None:
    from ..errors import BuildError
    from ..reporter import TerminalReporter
    from .run import make_report

    try:
        report = make_report(src, data, confidence)
    except BuildError as exc:
        terminal = TerminalReporter()
        terminal.print_problems(exc.problems)
        n = sum(1 for p in exc.problems if p.severity == "error")
        terminal.message(f"report failed: {n} error{'s' if n != 1 else ''}.", "error")
        sys.exit(1)
    if fmt == "json":
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        from .render_text import render

        click.echo(render(report), nl=False)
    if html_out is not None:
        from .render_html import render as render_html

        try:
            html_out.write_text(render_html(report), encoding="utf-8")
        except OSError as exc:
            click.secho(f"error: {html_out}: cannot write the report ({exc.strerror})", fg="red", err=True)
            sys.exit(1)
        click.echo(f"wrote {html_out}", err=True)
