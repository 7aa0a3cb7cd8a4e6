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


EXIT_PROBLEMS, EXIT_INTERNAL, EXIT_INTERRUPTED = 1, 3, 130  # 2 is click's usage error (docs/cli.md)
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a command whose reader went away


def run_guarded(fn, terminal=None):
    """Run fn(); turn BuildError into exit 1, Ctrl-C into 130 and unexpected crashes into exit 3, without tracebacks."""
    from .errors import BuildError
    from .reporter import TerminalReporter

    try:
        return fn()
    except BuildError as exc:
        if not exc.reported:  # failed before a build could report it (e.g. site.yml does not load)
            terminal = terminal or TerminalReporter()
            terminal.print_problems(exc.problems)
            n = sum(1 for p in exc.problems if p.severity == "error")
            terminal.message(f"build failed: {n} error{'s' if n != 1 else ''}; previous output left untouched.",
                             "error")
        sys.exit(EXIT_PROBLEMS)
    except KeyboardInterrupt:
        click.secho("interrupted; the previous output was left untouched.", fg="red", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:  # the reader went away (`funnelgen build | head -1`): the work is done, only printing failed
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes at exit
        sys.exit(EXIT_BROKEN_PIPE)  # (https://docs.python.org/3/library/signal.html#note-on-sigpipe)
    except Exception as exc:  # noqa: BLE001 - last line of defence for users
        if os.environ.get("FUNNELGEN_DEBUG"):
            raise
        click.secho(f"internal error: {type(exc).__name__}: {exc}", fg="red", err=True)
        click.secho("This is a bug in funnelgen; rerun with FUNNELGEN_DEBUG=1 and report the traceback.", err=True)
        sys.exit(EXIT_INTERNAL)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="funnelgen")
def main() -> None:
    """Build static sales funnels from Markdown and YAML."""


STARTER_CHOICES = ("course", "trial", "webinar", "local")  # scaffold.STARTERS (kept here so --help stays fast)


@main.command()
@click.argument("dest", type=click.Path(path_type=Path))
@click.option("--lang", type=click.Choice(["ja", "en"]), help="Language of the copy and the site (default: ja).")
@click.option("--starter", type=click.Choice(STARTER_CHOICES), help="Which funnel to start from (default: course).")
@click.option("--title", help="Site / business name (default: a placeholder to fill in).")
@click.option("--base-url", help="Where the site will be published, e.g. https://your-shop.netlify.app/.")
@click.option("--input/--no-input", "interactive", default=None,
              help="Ask for what is not given (default: only when stdin is a terminal); --no-input uses defaults.")
def new(dest: Path, lang: str | None, starter: str | None, title: str | None, base_url: str | None,
        interactive: bool | None) -> None:
    """Create a new site in DEST from a starter (an empty or new folder; see docs/cli.md)."""
    from .scaffold import ask_and_scaffold

    ask_and_scaffold(dest, lang, starter, title, base_url,
                     sys.stdin.isatty() if interactive is None else interactive)


@main.command()
@SRC
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), help="Output folder (default: SRC/dist).")
@click.option("--base-url", help="Override site.base_url (e.g. a deploy preview URL).")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), help="Worker processes (default: all cores).")
@click.option("--strict", is_flag=True, help="Run every check rule and fail on warnings too.")
@click.option("--force", is_flag=True, help="Replace the output folder even if funnelgen did not write it.")
@click.option("--no-cache", is_flag=True, help="Render and check every page, even unchanged ones (SRC/.funnelgen/).")
def build(src: Path, out: Path | None, base_url: str | None, jobs: int | None, strict: bool, force: bool,
          no_cache: bool) -> None:
    """Build the site in SRC (default: current folder)."""
    import time

    from .reporter import TerminalReporter
    from .unchanged import replay

    started = time.perf_counter()
    terminal = TerminalReporter()
    # nothing read or written since the last build changed: its result, without loading the site
    last = None if no_cache else replay(src, out or src / "dist", {"base_url": base_url, "strict": strict})
    if last is not None:
        terminal.build_started(src, "full")
        last.seconds = time.perf_counter() - started
        return terminal.build_finished(last)
    from .build import build as run_build

    run_guarded(lambda: run_build(src, out, jobs=jobs, base_url=base_url, strict=strict, reporter=terminal,
                                  force=force, cache=not no_cache), terminal)


@main.command()
@SRC
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("-p", "--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port (0 picks a free one).")
@click.option("--open", "open_browser", is_flag=True, help="Open the site in a browser.")
@click.option("--allow-remote", is_flag=True, help="Allow a --host other than this machine (prints a warning).")
@click.option("--poll", is_flag=True, help="Poll for changes (network drives, WSL /mnt) instead of OS events.")
def serve(src: Path, host: str, port: int, open_browser: bool, allow_remote: bool, poll: bool) -> None:
    """Preview SRC with live reload; forms and a test checkout work locally (dashboard at /_fg/)."""
    from .serve import main as serve_main

    serve_main(src, host=host, port=port, open_browser=open_browser, allow_remote=allow_remote, poll=poll)


@main.command()
@SRC
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json for CI.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--allow-test-keys", is_flag=True,
              help="This is a preview: allow test-mode payment links and keys (also FUNNELGEN_ALLOW_TEST_KEYS=1).")
@click.option("--base-url", help="Override site.base_url (e.g. a deploy preview URL).")
def check(src: Path, fmt: str, strict: bool, allow_test_keys: bool, base_url: str | None) -> None:
    """Check SRC for what breaks a funnel or the law (builds into a temporary folder; see docs/check.md)."""
    from .check import check_source
    from .check.report import counts, format_json, format_text
    from .errors import strictify
    from .reporter import TerminalReporter

    progress = TerminalReporter(stream_is_json=fmt == "json")  # only progress lines (on a terminal, long runs)
    problems = run_guarded(lambda: check_source(src, base_url=base_url, preview=True if allow_test_keys else None,
                                                reporter=progress))
    if strict:
        problems = strictify(problems)
    errors, _warnings = counts(problems)
    if fmt == "json":
        click.echo(format_json(problems))
    else:
        colors = {"error": "red", "warning": "yellow", "header": None}

        def paint(text, severity):
            return click.style(text, fg=colors.get(severity), bold=severity == "header")

        click.echo(format_text(problems, paint))
    sys.exit(1 if errors else 0)


@main.command()
@SRC
@click.option("--report", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the storyboard report (default: SRC/.funnelgen/verify-report).")
@click.option("--no-report", is_flag=True, help="No report and no screenshots (a little faster).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON on stdout (progress goes to stderr).")
@click.option("--browser", "browser_path", metavar="PATH",
              help="Chromium/Chrome binary (default: $FUNNELGEN_CHROMIUM, /usr/bin/chromium, Playwright's own).")
@click.option("-j", "--workers", type=click.IntRange(1, 16), help="Paths walked at once (default: 2-4 by cores).")
@click.option("--timeout", type=click.FloatRange(0.5, 120), default=10.0, show_default=True,
              help="Seconds to wait for one page load or click.")
@click.option("--funnel", "funnels", multiple=True, metavar="ID", help="Only walk this funnel (repeatable).")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="HOST",
              help="Let requests to HOST through (e.g. your image CDN); other outside requests fail the check.")
@click.option("--max-paths", type=click.IntRange(1, 10000), default=200, show_default=True,
              help="Stop enumerating after this many paths (the run then fails: not every path was walked).")
@click.option("--from-entry", is_flag=True,
              help="Walk every path from its entry page (by default a path resumes where an earlier one parts "
                   "from it).")
def verify(src: Path, report: Path | None, no_report: bool, as_json: bool, browser_path: str | None,
           workers: int | None, timeout: float, funnels: tuple[str, ...], allow_hosts: tuple[str, ...],
           max_paths: int, from_entry: bool) -> None:
    """Walk every funnel path of SRC in Chromium and write a storyboard report (see docs/verify.md).

    Exit status: 0 when every path passes, 1 when one fails or the site does not build, 2 when verify
    cannot run (Playwright or a browser missing).
    """
    from .verify.cli import run_command

    run_guarded(lambda: run_command(src, report, no_report, as_json, browser_path, workers, timeout, funnels,
                                    allow_hosts, max_paths, from_entry))


@main.command()
@SRC
@click.option("-f", "--format", "fmt", type=click.Choice(["mermaid", "dot", "svg", "png"]), default="mermaid",
              show_default=True, help="svg and png need Graphviz (`apt-get install graphviz`).")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE (default: stdout).")
def graph(src: Path, fmt: str, out: Path | None) -> None:
    """Draw the funnel map of SRC: every funnel, its steps, offers with prices, and the edges between them."""
    from .build import load_site
    from .diagram import GraphvizMissing, dot, image, mermaid

    site, _warnings = run_guarded(lambda: load_site(src))
    if fmt == "mermaid":
        data = mermaid(site).encode("utf-8")
    elif fmt == "dot":
        data = dot(site).encode("utf-8")
    else:
        try:
            data = image(dot(site), fmt)
        except GraphvizMissing as exc:
            click.secho(f"error: {exc}\n  fix: apt-get install graphviz (or brew install graphviz); here is the "
                        "Mermaid text instead, which GitHub and most docs tools draw:", fg="red", err=True)
            click.echo(mermaid(site))
            sys.exit(1)
    if out is None:
        click.echo(data, nl=False) if fmt in ("mermaid", "dot") else sys.stdout.buffer.write(data)
    else:
        out.write_bytes(data)
        click.echo(f"wrote {out} ({fmt})", err=True)


@main.command()
@click.argument("src", default=".", type=click.Path(path_type=Path))
@click.option("--data", "data", multiple=True, required=True, type=click.Path(path_type=Path), metavar="FILE",
              help="An exported file (repeatable): SRC/.funnelgen/submissions.jsonl, a Netlify Forms CSV, a Stripe "
                   "payments CSV, a GA4 exploration CSV. The format is read from the file's header.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: the figures as data (docs/report.md#json).")
@click.option("--html", "html_out", type=click.Path(dir_okay=False, path_type=Path), metavar="OUT.html",
              help="Also write a self-contained report page (charts included) for the team.")
@click.option("--confidence", type=click.FloatRange(0.5, 0.999), default=0.95, show_default=True,
              help="Confidence level of the intervals and tests.")
def report(src: Path, data: tuple[Path, ...], fmt: str, html_out: Path | None, confidence: float) -> None:
    """Figures per funnel, step, variant and traffic source from exported results, with split-test statistics
    (see docs/report.md). SRC (default: current folder) gives the funnels' order and titles when it holds a site."""
    from .report.cli import run_command

    run_command(src, list(data), fmt, html_out, confidence)
