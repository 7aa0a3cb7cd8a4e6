"""The `funnelgen` command: a thin click layer over the pipeline.

Each command imports its module lazily so `funnelgen --help` and small builds
start fast. Errors are printed as `file:line: key: message` plus a fix, never
as a traceback (set FUNNELGEN_DEBUG=1 to see one for a crash).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import __version__

SRC = click.argument("src", default=".", type=click.Path(file_okay=False, path_type=Path))


def report_problems(problems, err: bool = True) -> None:
    for p in problems:
        color = "red" if p.severity == "error" else "yellow"
        click.secho(p.format(), fg=color, err=err)


def run_guarded(fn):
    """Run fn(); turn BuildError into exit 1 and unexpected crashes into exit 2, without tracebacks."""
    from .errors import BuildError

    try:
        return fn()
    except BuildError as exc:
        report_problems(exc.problems)
        n = sum(1 for p in exc.problems if p.severity == "error")
        click.secho(f"build failed: {n} error{'s' if n != 1 else ''}; previous output left untouched.", fg="red", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - last line of defence for users
        if os.environ.get("FUNNELGEN_DEBUG"):
            raise
        click.secho(f"internal error: {type(exc).__name__}: {exc}", fg="red", err=True)
        click.secho("This is a bug in funnelgen; rerun with FUNNELGEN_DEBUG=1 and report the traceback.", err=True)
        sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="funnelgen")
def main() -> None:
    """Build static sales funnels from Markdown and YAML."""


@main.command()
@SRC
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), help="Output folder (default: SRC/dist).")
@click.option("--base-url", help="Override site.base_url (e.g. a deploy preview URL).")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), help="Worker processes (default: all cores).")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def build(src: Path, out: Path | None, base_url: str | None, jobs: int | None, strict: bool) -> None:
    """Build the site in SRC (default: current folder)."""
    from .build import build as run_build
    from .errors import BuildError

    def go():
        result = run_build(src, out, jobs=jobs, base_url=base_url)
        report_problems(result.warnings)
        if strict and result.warnings:
            raise BuildError(result.warnings)
        return result

    result = run_guarded(go)
    click.echo(f"built {result.pages} pages into {result.out} in {result.seconds * 1000:.0f} ms")
    if result.success_urls:
        click.echo("after-payment redirect URLs (set these in your payment links; also in .funnelgen/success-urls.txt):")
        for oid, url in result.success_urls:
            click.echo(f"  {oid}: {url}")
