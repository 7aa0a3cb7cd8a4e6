"""The staged pipeline: load -> model -> validate -> render -> write.

`load_site` runs the first three stages and is shared by `build`, `check`,
`serve` and `verify`. `prepare` adds what rendering needs (theme, jinja env,
runtime script). `write_site` renders every page into a writer; `build` wraps
it in a staging folder that is swapped in only when nothing failed.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BuildError, Problem, rel

PARALLEL_THRESHOLD = 48  # below this, forking costs more than it saves
CACHE_DIR = ".funnelgen"


@dataclass
class BuildResult:
    out: Path
    pages: int
    seconds: float
    warnings: list[Problem] = field(default_factory=list)
    success_urls: list[tuple[str, str]] = field(default_factory=list)  # (offer id, url)
    site: object = None


@dataclass
class Prepared:
    """Everything rendering needs, computed once per build (or once per config change in serve)."""

    site: object
    warnings: list[Problem]
    theme: Path
    renderer: object
    runtime: bytes
    runtime_name: str


def load_site(src: Path):
    """Load, model and validate; raise BuildError listing every error found."""
    from .config import load_config
    from .model import build_model
    from .pages import load_pages
    from .validate import validate

    src = Path(src)
    config_file, data = load_config(src)
    site, problems = build_model(src, config_file, data)
    problems += load_pages(site)
    if not problems:
        problems += validate(site)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise BuildError(problems)
    return site, problems


def prepare(src: Path, base_url: str | None = None) -> Prepared:
    """Load the site and set up the theme; raises BuildError."""
    site, warnings = load_site(src)
    if base_url:
        apply_base_url(site, base_url)
    return setup_render(site, warnings)


def apply_base_url(site, base_url: str) -> None:
    """--base-url: validate it, then move every page under its path (deploy previews)."""
    from .schema import Context, Url

    ctx = Context("--base-url")
    checked = Url().check(base_url, "base_url", None, ctx)
    if ctx.problems:
        raise BuildError(ctx.problems)
    site.settings["base_url"] = checked if checked.endswith("/") else checked + "/"
    site.assign_urls()


def setup_render(site, warnings: list[Problem]) -> Prepared:
    """Theme, jinja environment, runtime script and renderer for an already loaded site.

    serve calls this alone after a template change: the site model stays, templates reload.
    """
    from .render import Renderer
    from .theme import make_env, theme_dir

    theme = theme_dir(site)
    env = make_env(site, theme)
    from .tracking import runtime_script

    runtime = runtime_script(site.tracking)
    runtime_name = f"funnel.{hashlib.sha256(runtime).hexdigest()[:10]}.js"
    override_css = site.src / "templates" / "style.css"
    css_path = override_css if override_css.is_file() else theme / "assets" / "style.css"
    renderer = Renderer(site, env, f"{site.prefix}assets/{runtime_name}", css_path.read_text(encoding="utf-8"))
    return Prepared(site, warnings, theme, renderer, runtime, runtime_name)


def step_output_path(site, step) -> str:
    """Where a step's page goes inside the output folder (pretty URL)."""
    return f"{step.url[len(site.prefix):]}index.html"


# Worker state, inherited through fork so pages are rendered without pickling the site.
_STATE: dict = {}


def _render_one(step_id: str) -> tuple[str, list, list]:
    renderer, writer, checker = _STATE["renderer"], _STATE["writer"], _STATE.get("checker")
    site = renderer.site
    step = site.steps[step_id]
    rendered = renderer.render_step(step, step.source.read_text(encoding="utf-8"))
    problems, deferred = rendered.problems, []
    if checker is not None and not problems:
        problems, deferred = checker(step, rendered.html)
    writer.write(step_output_path(site, step), rendered.html)
    home = site.home_step
    if home is not None and home.id == step_id:
        writer.write("index.html", rendered.html)
    return step_id, problems, deferred


def _render_pages(step_ids: list[str], jobs: int) -> list[tuple[str, list, list]]:
    if jobs <= 1 or len(step_ids) < PARALLEL_THRESHOLD:
        return [_render_one(sid) for sid in step_ids]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("fork")
    chunk = max(8, len(step_ids) // (jobs * 8))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
        return list(pool.map(_render_one, step_ids, chunksize=chunk))


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return 1


def planned_outputs(prep: Prepared) -> set[str]:
    """Every file write_site will write (relative paths), known before the first page is rendered."""
    site = prep.site
    planned = {step_output_path(site, s) for s in site.steps.values()}
    planned |= {"index.html", "legal/index.html", "privacy/index.html", "404.html", "sitemap.xml", "robots.txt",
                "_headers", f"assets/{prep.runtime_name}"}
    for folder, dest in ((prep.theme / "assets", "assets/"), (site.src / "static", "")):
        if folder.is_dir():
            planned |= {dest + p.relative_to(folder).as_posix() for p in folder.rglob("*")
                        if p.is_file() and not (dest and p.name == "style.css")}  # the theme CSS is inlined
    return planned


def write_site(prep: Prepared, writer, jobs: int = 1, checker=None) -> list[Problem]:
    """Render and write every output file through `writer` (anything with write/copy_tree).

    `checker` (a check.PageChecker) checks each page as it is rendered. Returns problems instead of
    raising, so callers decide.
    """
    from .markdown import make_markdown
    from .render import robots, sitemap

    site, renderer = prep.site, prep.renderer
    for kind in {s.kind for s in site.steps.values()}:
        renderer.template(kind)  # compile before forking so workers share the compiled code
    make_markdown(bool(site.settings.get("allow_html")))  # likewise the Markdown parser and its imports
    if checker is not None:
        from .check.html import parse_html

        parse_html("<p></p>")  # import lxml before forking
    writer.write(f"assets/{prep.runtime_name}", prep.runtime)
    assets = prep.theme / "assets"
    for path in sorted(assets.rglob("*")):
        if path.is_file() and path.name != "style.css":
            writer.write(f"assets/{path.relative_to(assets)}", path.read_bytes())
    _STATE.update(renderer=renderer, writer=writer, checker=checker)
    try:
        results = _render_pages(list(site.steps), jobs)
    finally:
        _STATE.clear()
    writer.write("legal/index.html", renderer.render_legal())
    writer.write("privacy/index.html", renderer.render_privacy())
    writer.write("404.html", renderer.render_404())
    writer.write("sitemap.xml", sitemap(site))
    writer.write("robots.txt", robots(site))
    if not (site.src / "static" / "_headers").is_file():  # a site's own _headers wins
        writer.write("_headers", HEADERS)
    if (site.src / "static").is_dir():
        writer.copy_tree(site.src / "static")
    problems = [p for _sid, probs, _deferred in results for p in probs]
    if checker is not None:
        problems += checker.finish([d for _sid, _probs, deferred in results for d in deferred])
    return problems


def build(src: Path, out: Path | None = None, jobs: int | None = None, base_url: str | None = None,
          strict: bool = False) -> BuildResult:
    """Build the site in `src` into `out` (default: src/dist), atomically.

    `strict` runs every `funnelgen check` rule and fails on warnings too.
    """
    from jinja2 import TemplateError

    from .output import DuplicateOutput, Staging, check_output_dir
    from .theme import template_problem

    started = time.perf_counter()
    src = Path(src)
    out = Path(out) if out else src / "dist"
    prep = prepare(src, base_url)
    site = prep.site
    check_output_dir(out, src, prep.theme)
    staging = Staging(out)
    try:
        from .check import PageChecker

        checker = PageChecker(site, staging.root, planned_outputs(prep), strict=strict)
        problems = write_site(prep, staging, jobs or default_jobs(), checker)
        if strict:  # every check ran; warnings count as errors
            from .check.report import strictify

            problems = strictify(prep.warnings + problems)
        if problems:
            raise BuildError(problems)
        staging.commit()
    except TemplateError as exc:
        staging.abort()
        raise BuildError([template_problem(exc, prep.theme, site.src)]) from None
    except DuplicateOutput as exc:
        staging.abort()
        raise BuildError([Problem(rel(site.config_file), f"two outputs write the same file '{exc}'",
                                  hint="Rename the static file or change the step's slug.")]) from None
    except BaseException:
        staging.abort()
        raise
    success = [(o.id, url) for o in site.offers.values() if (url := site.success_url(o))]
    write_success_urls(site, success)
    return BuildResult(out=out, pages=len(site.steps), seconds=time.perf_counter() - started,
                       warnings=prep.warnings, success_urls=success, site=site)


HEADERS = """/*
  X-Content-Type-Options: nosniff
  X-Frame-Options: DENY
  Referrer-Policy: strict-origin-when-cross-origin
  Permissions-Policy: camera=(), microphone=(), geolocation=()
"""


def write_success_urls(site, success: list[tuple[str, str]]) -> None:
    """Outside the publish folder: what to paste into each payment link's settings."""
    if not success:
        return
    cache = site.src / CACHE_DIR
    try:
        cache.mkdir(exist_ok=True)
        lines = ["# After-payment redirect URL for each offer (paste into your payment provider).", ""]
        lines += [f"{oid}\t{url}" for oid, url in success]
        (cache / "success-urls.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    except OSError:
        pass  # read-only source folder: the CLI still prints them
