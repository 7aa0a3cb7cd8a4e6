"""The staged pipeline: load -> model -> validate -> render -> write.

`load_site` runs the first three stages and is the one way every command (build, check, serve, verify)
reads a site. `setup_render` adds what rendering needs (theme, jinja env, runtime script).
`write_site` renders every page into a writer, checking each page as it is rendered; `build` wraps it
in a staging folder that is swapped in only when nothing failed (failures.py turns a failed render into
problems a user can act on), reusing every page the build cache (buildcache.py) proves unchanged.
"""

from __future__ import annotations

import functools
import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import unchanged
from .deploy import Deploy
from .errors import BuildError, Problem, rel, strictify
from .failures import failure_problems
from .pages import site_tree
from .reporter import BuildResult

# Pages to render below which forking costs more than it saves. Measured on 2 quiet cores (farm-bench, -j 2 / -j 1
# wall, paired runs): 8 pages 1.08, 12 pages 1.05, 24 pages 0.89, 48 pages 0.86, 100 pages 0.69, 200 pages 0.65.
PARALLEL_THRESHOLD = 16


@dataclass
class Prepared:
    """Everything rendering needs, computed once per build (or once per config change in serve)."""

    site: object
    warnings: list[Problem]
    theme: Path
    renderer: object
    runtime: bytes
    runtime_name: str


def load_site(src: Path, cache: bool = False):
    """Load, model and validate; returns (site, warnings) or raises BuildError listing every error found
    (`cache`: reuse and keep the parsed front matter and site.yml in <src>/.funnelgen/front-matter.json)."""
    from .config import load_config
    from .frontcache import FrontMatterCache
    from .model import build_model
    from .pages import load_pages
    from .validate import validate
    from .variants import load_variants

    src = Path(src)
    fronts = FrontMatterCache.load(src) if cache else None
    config_file, data = load_config(src, fronts)
    site, problems = build_model(src, config_file, data)
    problems += load_pages(site, fronts) + load_variants(site)  # (front matter first: variants read it)
    if not problems:
        problems += validate(site)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise BuildError(problems)
    if fronts is not None:
        fronts.save()
    return site, problems


def prepare(src: Path, base_url: str | None = None, cache: bool = True) -> Prepared:
    """Load the site and set up the theme; raises BuildError."""
    site, warnings = load_site(src, cache=cache)
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
    site.settings.base_url = checked if checked.endswith("/") else checked + "/"
    site.assign_urls()


def setup_render(site, warnings: list[Problem]) -> Prepared:
    """Theme, jinja environment, runtime script and renderer for an already loaded site.

    serve calls this alone after a template change: the site model stays, templates reload.
    """
    from .render import Renderer
    from .theme import make_env, theme_dir
    from .tracking import runtime_features, runtime_script

    theme = theme_dir(site)
    env = functools.partial(make_env, site, theme)  # (made when a page is first rendered: render.Renderer.env)
    runtime = runtime_script(site.tracking, runtime_features(site))
    runtime_name = f"funnel.{hashlib.sha256(runtime).hexdigest()[:10]}.js"
    override_css = site.src / "templates" / "style.css"
    css_path = override_css if override_css.is_file() else theme / "assets" / "style.css"
    css = css_path.read_text(encoding="utf-8")  # (failure_problems names css_path on a decoding error)
    renderer = Renderer(site, env, f"{site.prefix}assets/{runtime_name}", css)
    return Prepared(site, warnings + renderer.media.warnings, theme, renderer, runtime, runtime_name)


# Worker state, inherited through fork so pages are rendered without pickling the site.
_STATE: dict = {}


@dataclass
class PageDone:
    """One rendered (or reused) page, as a worker hands it back: small and picklable."""

    key: tuple[str, str]
    problems: list
    deferred: list | None  # anchors to check after the build; None: nothing was written for this page
    policy: str = ""
    outputs: list = field(default_factory=list)  # (relpath, shared) of every file it wrote
    reads: object = None  # recording.Reads: what the build cache keys the page on
    reused: bool = False


def _render_one(key: tuple[str, str]) -> PageDone:
    from .recording import recording

    renderer, writer, checker = _STATE["renderer"], _STATE["writer"], _STATE.get("checker")
    site = renderer.site
    ref = site.page(key)
    with recording() as reads:
        try:
            rendered = renderer.render_page(ref)
        except Exception as exc:  # noqa: BLE001 - explained here, where the traceback still names the template
            problems = failure_problems(exc, site, None)
            if problems is None:
                raise
            return PageDone(key, problems, None)
        problems, deferred = rendered.problems, []
        outputs = [(relpath, True) for relpath in rendered.files]
        for relpath, data in rendered.files.items():  # images first: the checker finds them on disk
            writer.put(relpath, data)
        if checker is not None and not any(p.severity == "error" for p in problems):
            found, deferred = checker(ref, rendered.html, rendered.variants)
            problems = problems + found
    html, policy = _STATE["deploy"].page(rendered.html)  # the Content-Security-Policy (funnelgen/deploy.py)
    writer.write(ref.output, html)
    outputs.append((ref.output, False))
    if site.home_step is ref.step and _STATE["deploy"].home_copy:  # hosts without rewrites: a copy at /
        writer.write("index.html", html)
        outputs.append(("index.html", False))
    return PageDone(key, problems, deferred, policy, outputs, reads if checker is not None else None)


def _render_pages(refs: list, jobs: int, cache=None, writer=None):
    """Yield each page's PageDone as it is done: first the ones the cache proves unchanged, then the rest
    in order (in `jobs` forked workers when there are enough of them to pay for the fork)."""
    todo = []
    for ref in refs:
        reused = cache.reuse(ref, writer) if cache is not None else None
        if reused is None:
            todo.append(ref.key)
        else:
            yield PageDone(ref.key, reused[0], reused[1], reused[2], reused=True)
    if todo:
        _prime()
    if jobs <= 1 or len(todo) < PARALLEL_THRESHOLD:
        yield from (_render_one(key) for key in todo)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("fork")
    chunk = max(8, len(todo) // (jobs * 8))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
        yield from pool.map(_render_one, todo, chunksize=chunk)


def _prime() -> None:
    """Compile the templates and load the Markdown parser and lxml before forking, so workers share them; a
    build with nothing to render never loads them (a sixth of an unchanged build's time went to that)."""
    from .markdown import make_markdown

    renderer, checker = _STATE["renderer"], _STATE.get("checker")
    site = renderer.site
    for kind in {s.kind for s in site.steps.values()}:
        renderer.template(kind)
    make_markdown(bool(site.settings.allow_html))
    if checker is not None:
        from .rules.html import parse_html

        parse_html("<p></p>")


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return 1


def planned_outputs(prep: Prepared) -> set[str]:
    """Every file write_site will write (relative paths), known before the first page is rendered."""
    site = prep.site
    planned = {ref.output for ref in site.pages()}
    planned |= {"legal/index.html", "privacy/index.html", "404.html", "sitemap.xml", "robots.txt",
                f"assets/{prep.runtime_name}"} | Deploy(site).planned()
    planned |= set(prep.renderer.extra_files())
    for folder, dest in ((prep.theme / "assets", "assets/"), (site.src / "static", "")):
        files, _problems = site_tree(folder, _root(site, folder))  # (write_site reports the problems)
        planned |= {dest + name for name, _path in files if not (dest and name == "style.css")}  # CSS is inlined
    return planned


def _root(site, folder: Path) -> Path:
    """Symlinks under a site's own folders must stay in the site; a built-in theme's in the theme."""
    return site.src if folder.is_relative_to(site.src) else folder


def write_site(prep: Prepared, writer, jobs: int = 1, checker=None, reporter=None, cache=None) -> list[Problem]:
    """Render and write every output file through `writer` (anything with write/put/link/copy_tree).

    `checker` (a rules.PageChecker) checks each page as it is rendered; `reporter` hears of every page
    written; `cache` (a buildcache.BuildCache) supplies the pages it proves unchanged and records the
    others. Returns problems instead of raising, so callers decide.
    """
    from .recording import Reads, recording
    from .render import robots, sitemap
    from .reporter import NULL

    site, renderer = prep.site, prep.renderer
    writer.write(f"assets/{prep.runtime_name}", prep.runtime)
    for relpath, data in renderer.media.site_files.items():  # logo, icons, default share card
        writer.put(relpath, data)
    assets = prep.theme / "assets"
    files, problems = site_tree(assets, _root(site, assets))
    if problems:
        raise BuildError(problems)
    for name, path in files:
        if name != "style.css":
            writer.write(f"assets/{name}", path.read_bytes())
    reporter = reporter or NULL
    refs = site.pages()
    deploy = Deploy(site)
    _STATE.update(renderer=renderer, writer=writer, checker=checker, deploy=deploy)
    results, policies, shared, reused = [], {}, {}, 0
    try:
        for done in _render_pages(refs, jobs, cache, writer):
            key, step = done.key, site.steps[done.key[0]]
            results.append((key, done.problems, done.deferred))
            policies[step.url] = shared.setdefault(done.policy, done.policy)  # one copy of each (~400 B) policy
            if site.home_step is step and not deploy.home_copy:
                policies[site.prefix] = done.policy  # `/` is rewritten to the home step: same page, same policy
            if done.reused:
                reused += 1
                reporter.page_reused(key, site.output_path(step))
            else:
                if cache is not None and done.deferred is not None:
                    cache.record(site.page(key), done.reads, done.problems, done.deferred, done.policy, done.outputs)
                reporter.page_written(key, site.output_path(step))
            reporter.progress(len(results), len(refs), "pages")
    finally:
        _STATE.clear()
    for relpath, text in renderer.extra_files().items():
        writer.write(relpath, text)
    # the pages every build has: rendered again only when something they read changed (buildcache.py)
    static = site.src / "static"
    inputs = [str(path) for _name, path in files + site_tree(static, _root(site, static))[0]]  # (files: the assets)
    kept = (cache.reuse_site_wide(writer, inputs)
            if cache is not None and checker is not None and reused == len(refs) else None)
    reads, own = Reads(), {}
    if kept is None:
        with recording(reads):
            for relpath, html in (("legal/index.html", renderer.render_legal()),
                                  ("privacy/index.html", renderer.render_privacy())):
                html, own[f"{site.prefix}{relpath[:-10]}"] = deploy.page(html)
                writer.write(relpath, html)
            writer.write("404.html", deploy.page(renderer.render_404(), meta=True)[0])
    else:
        own = kept[1]
    policies.update(own)
    writer.write("sitemap.xml", sitemap(site))
    writer.write("robots.txt", robots(site))
    deploy.finish(writer, policies, prep.runtime_name)  # _headers, _redirects, .nojekyll, redirect pages
    if (site.src / "static").is_dir() or (site.src / "static").is_symlink():
        writer.copy_tree(site.src / "static", root=site.src, skip=deploy.merged)
    problems = [p for _key, probs, _deferred in results for p in probs]
    unwritten = any(deferred is None for _key, _probs, deferred in results)
    if kept is not None:
        problems += kept[0]
    elif checker is not None and not unwritten:  # with a page missing, the site-wide checks only add noise
        with recording(reads):
            found = checker.finish([d for _key, _probs, deferred in results for d in deferred])
        problems += found
        if cache is not None:
            outputs = [(relpath, False) for relpath in ("legal/index.html", "privacy/index.html", "404.html")]
            cache.record_site_wide(reads, found, own, outputs, inputs)
    return problems


def build(src: Path, out: Path | None = None, jobs: int | None = None, base_url: str | None = None,
          strict: bool = False, reporter=None, force: bool = False, cache: bool = True) -> BuildResult:
    """Build the site in `src` into `out` (default: src/dist), atomically; raise BuildError on problems.

    `strict` runs every `funnelgen check` rule and fails on warnings too. `reporter` hears the build
    start, every page written (or reused from the cache) and the result (a failed one too, before
    BuildError is raised). `cache=False` renders every page (`--no-cache`).
    """
    from .reporter import NULL

    reporter = reporter or NULL
    started = time.perf_counter()
    src = Path(src)
    out = Path(out) if out else src / "dist"
    reporter.build_started(src, "full")
    try:
        result = _build(src, out, jobs, base_url, strict, reporter, force, cache)
    except BuildError as exc:
        reporter.build_finished(BuildResult(False, out if out.is_dir() else None, problems=exc.problems,
                                            seconds=time.perf_counter() - started, summary="build failed"))
        exc.reported = True
        raise
    result.seconds = time.perf_counter() - started
    reporter.build_finished(result)
    return result


def _build(src: Path, out: Path, jobs: int | None, base_url: str | None, strict: bool, reporter,
           force: bool = False, use_cache: bool = True) -> BuildResult:
    from .buildcache import BuildCache
    from .inplace import commit
    from .output import Staging, check_output_dir
    from .rules import PageChecker, is_preview_env
    from .sitefolder import write_server_functions, write_success_urls

    prep = staging = None
    unchanged.forget(src, out)  # until this build is known to be whole (a failed one never is)
    try:
        prep = prepare(src, base_url, cache=use_cache)
        site = prep.site
        check_output_dir(out, src, prep.theme, force=force)
        staging = Staging(out)
        planned = planned_outputs(prep)
        cache = BuildCache(prep, out, planned, is_preview_env(), reporter) if use_cache else None
        if cache is not None and cache.old:  # pages will be kept: leave them where they are (output.py)
            staging.in_place()
        checker = PageChecker.planned(site, staging.root, planned, previous=staging.previous)
        found = write_site(prep, staging, jobs or default_jobs(), checker, reporter, cache)
        problems = [p for p in found if p.severity == "error"]
        warnings = prep.warnings + [p for p in found if p.severity != "error"]
        if strict:  # warnings count as errors
            problems += strictify(warnings)
        if problems:
            raise BuildError(problems)
        commit_warnings = commit(staging)
    except BaseException as exc:
        if staging is not None:
            staging.abort()
        problems = failure_problems(exc, prep.site if prep else None, prep.theme if prep else None)
        if problems is None or isinstance(exc, BuildError):
            raise
        raise BuildError(problems) from None
    if cache is not None:
        cache.seal()
        cache.save()
    success = [(o.id, url) for o in site.offers.values() if (url := site.success_url(o))]
    saved = write_success_urls(site, success)
    written = [str(saved)] if saved else []
    if site.tracking.server_events:
        written += [str(path) for path in write_server_functions(site)]
    n = len(site.steps)
    reused = f" ({cache.reused} unchanged, from the cache)" if cache is not None and cache.reused else ""
    result = BuildResult(True, out, n, warnings=warnings + commit_warnings, success_urls=success, success_file=saved,
                         site=site, summary=f"built {n} page{'s' if n != 1 else ''} into {rel(out)}{reused}")
    if cache is not None and cache.whole(ref.key for ref in site.pages()):
        unchanged.remember(src, out, {"base_url": base_url, "strict": strict}, result, written)
    return result
