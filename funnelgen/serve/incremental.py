"""The dev builder: full builds into fresh folders, single pages re-rendered in place.

`DevBuilder` is the callable the server is handed. Called with `None` it
builds everything; called with a set of changed paths it decides how much to
redo from *which kind of file* changed (like Zola's serve):

- a page file          -> re-read its front matter and re-render that page (and
                          the `/` alias when it is the home step, the sitemap
                          when its indexability changed); the loaded site model
                          and compiled templates stay in memory, so the cost
                          does not grow with the number of pages;
- site.yml             -> load the whole site again and render every page;
- a template or asset  -> keep the site model, make a new template environment
                          and render every page (CSS is inlined into pages);
- anything else        -> nothing (dist/, .funnelgen/, editor temp files...).

Full renders go into a new folder that is swapped in only when nothing failed,
so a broken edit keeps the last good site on screen. Errors are remembered per
scope ("site" or one page) and reported together until fixed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ..build import (
    PARALLEL_THRESHOLD,
    BuildResult,
    Prepared,
    default_jobs,
    load_site,
    planned_outputs,
    setup_render,
    write_site,
)
from ..config import CONFIG_NAMES
from ..errors import BuildError, Problem, rel
from ..failures import failure_problems
from ..pages import PAGES_DIR, load_page, page_path
from ..rules import BuiltPage, PageChecker
from ..variants import load_step_variants

FULL, REWRITE, PAGES, NOTHING = "full", "rewrite", "pages", "nothing"


@dataclass
class Outcome(BuildResult):
    """What one (re)build did. `out` is the folder to serve (the last good one when ok is False) and
    `problems` every outstanding error; the server also reads where the site is mounted and which pages
    changed."""

    prefix: str = "/"  # URL path the site is mounted at (from base_url)
    paths: list[str] | None = None  # URL paths whose HTML changed; None = all of them
    css_only: bool = False


def internal_problem(exc: BaseException, where: Path) -> Problem:
    """An exception funnelgen does not know (a bug) as a problem; FUNNELGEN_DEBUG=1 prints the traceback."""
    if os.environ.get("FUNNELGEN_DEBUG"):
        import traceback

        traceback.print_exception(exc)
    return Problem(rel(where), f"internal error while building: {type(exc).__name__}: {exc} — this is a bug in "
                               "funnelgen, please report it with FUNNELGEN_DEBUG=1 output")


def _real(path) -> Path:
    return Path(os.path.realpath(path))


class DevBuilder:
    """Builds `src` into folders under `workdir` (private, never the deploy output)."""

    def __init__(self, src: Path, workdir: Path, jobs: int | None = None, reporter=None):
        from ..reporter import NULL

        self.src = _real(src)
        self.reporter = reporter or NULL  # the dev server and the terminal subscribe
        self.workdir = Path(workdir)
        self.jobs = jobs or default_jobs()
        self.prep: Prepared | None = None
        self.root: Path | None = None  # the folder being served
        self.errors: dict[str, list[Problem]] = {}
        self.page_sources: dict[Path, list[tuple[str, str]]] = {}  # page file -> (step, variant) rendered from it
        self._old_roots: list[Path] = []
        self._lock = threading.Lock()  # one build at a time
        self._checker: PageChecker | None = None  # page saves reuse one checker until the next full build

    # -- what the server and the preview app read -------------------------------
    @property
    def site(self):
        return self.prep.site if self.prep else None

    @property
    def prefix(self) -> str:
        return self.prep.site.prefix if self.prep else "/"

    def watch_paths(self) -> list[Path]:
        """Folders to watch: the source folder and the theme when it lives elsewhere."""
        paths = [self.src]
        if self.prep is not None:
            theme = _real(self.prep.theme)
            if self.src not in theme.parents and theme != self.src:
                paths.append(theme)
        return paths

    def problems(self) -> list[Problem]:
        return [p for scope in self.errors.values() for p in scope]

    # -- the callable ---------------------------------------------------------------
    def __call__(self, changes: set[Path] | None = None) -> Outcome | None:
        with self._lock:
            started = time.perf_counter()
            if changes is None:
                mode, steps, css = FULL, [], False
            else:
                mode, steps, css = self.classify(changes)
            if mode == NOTHING:
                return None
            self.reporter.build_started(self.src, "pages" if mode == PAGES else "full")
            if mode == PAGES and "site" in self.errors:
                mode = FULL  # the last full build failed; only a full one can tell it is fixed
            if mode == REWRITE and self.errors:
                mode = FULL  # some page's front matter may be half loaded
            try:
                if mode == PAGES:
                    outcome = self._pages(steps)
                else:
                    outcome = self._full(reload_site=mode == FULL)
                    outcome.css_only = css and outcome.ok and mode == REWRITE
            except Exception as exc:  # noqa: BLE001 - a bug in funnelgen: shown, never a dead preview
                outcome = self._failed(None, [internal_problem(exc, self.src)])
            outcome.seconds = time.perf_counter() - started
            self.reporter.build_finished(outcome)
            return outcome

    def classify(self, changes: set[Path]) -> tuple[str, list[str], bool]:
        """Decide the least work that covers `changes`: (mode, step ids, css only)."""
        mode, steps, css_only = NOTHING, [], True
        theme = _real(self.prep.theme) if self.prep else None
        pages_dir = self.src / PAGES_DIR
        for raw in changes:
            path = _real(raw)
            kind = self._kind(path, pages_dir, theme)
            if kind == "ignore":
                continue
            if kind == "page":
                keys = self.page_sources.get(path, [])
                if keys:
                    steps += [k for k in keys if k not in steps]
                    mode = mode if mode in (FULL, REWRITE) else PAGES
                    css_only = False
                elif self._was_dir(path) or "site" in self.errors:
                    # a folder holding pages moved or vanished, or a page the failed build missed appeared
                    mode, css_only = FULL, False
                continue
            if kind == "config":
                mode, css_only = FULL, False
                continue
            if path.is_dir():
                continue  # a new folder changes nothing until files appear in it (they have events of their own)
            # templates, theme files, static files: same site model, fresh output
            if mode != FULL:
                mode = REWRITE
            if kind != "css":
                css_only = False
        if mode == PAGES:
            css_only = False
        return mode, steps, css_only and mode == REWRITE

    def _was_dir(self, path: Path) -> bool:
        return any(path in p.parents for p in self.page_sources)

    def _kind(self, path: Path, pages_dir: Path, theme: Path | None) -> str:
        try:
            relp = path.relative_to(self.src)
        except ValueError:
            relp = None
        if relp is not None:
            parts = relp.parts
            if not parts or any(p.startswith(".") for p in parts) or parts[0] in ("dist", "node_modules"):
                return "ignore"
            if len(parts) == 1 and parts[0] in CONFIG_NAMES:
                return "config"
            if parts[0] == PAGES_DIR:
                return "page"
            if parts[0] == "templates":
                return "css" if parts[1:] == ("style.css",) else "template"
            if parts[0] == "static":
                return "static"
        if theme is not None and (path == theme or theme in path.parents):
            trel = path.relative_to(theme).parts
            if trel[:1] == ("templates",):
                return "template"
            if trel[:1] == ("assets",):
                return "css" if trel[1:] == ("style.css",) else "asset"
            return "ignore"
        return "ignore"

    # -- builds ---------------------------------------------------------------------
    def _full(self, reload_site: bool) -> Outcome:
        from ..output import Staging

        prep, staging, site = None, None, None
        try:
            if reload_site or self.prep is None:
                site, warnings = load_site(self.src)
            else:
                site, warnings = self.prep.site, self.prep.warnings
            prep = setup_render(site, warnings)
            staging = Staging(self.workdir / "site")
            # the same error-level checks as `funnelgen build`, page by page as they render
            checker = PageChecker.planned(site, staging.root, planned_outputs(prep))
            # serve's full rebuilds keep the pool for big sites: a fork per save costs more than it saves
            jobs = self.jobs if len(site.steps) >= 4 * PARALLEL_THRESHOLD else 1
            found = write_site(prep, staging, jobs, checker, self.reporter)
            problems = [p for p in found if p.severity == "error"]
            if problems:
                raise BuildError(problems)
            warnings = list(warnings) + [p for p in found if p.severity != "error"]
        except OSError as exc:  # a file vanished mid-build (git checkout): the next event rebuilds
            return self._failed(staging, [Problem(rel(exc.filename or self.src), f"could not read: {exc.strerror}",
                                                  hint="Save the file again.")])
        except Exception as exc:  # noqa: BLE001 - known failures become problems, the rest is a bug
            problems = failure_problems(exc, site, prep.theme if prep else None)
            return self._failed(staging, problems or [internal_problem(exc, self.src)])
        old, self.root, self.prep = self.root, staging.root, prep
        os.chmod(self.root, 0o755)
        self.errors = {}
        self.page_sources = {}
        for ref in prep.site.pages():
            split = ref.step.split.variants if ref.step.split else []
            for page in [ref.step.page, *(v.page for v in split if v.page)]:  # sibling pages of its variants too
                path = page_path(self.src, page)
                if path is not None:
                    self.page_sources.setdefault(_real(path), []).append(ref.key)
        if old is not None:
            self._retire(old)
        n = len(prep.site.steps)
        return Outcome(True, self.root, n, warnings=warnings, site=prep.site, prefix=prep.site.prefix,
                       summary=f"rebuilt all {n} page{'s' if n != 1 else ''}")

    def _page_checker(self) -> PageChecker:
        """One checker per full build: its indexes are made once, not on every save."""
        if self._checker is None or self._checker.site is not self.prep.site or self._checker.outputs.out != self.root:
            self._checker = PageChecker.written(self.prep.site, self.root)
        return self._checker

    def warm(self) -> None:
        """Set up in this process what forked workers set up for themselves (the first save stays fast)."""
        if self.prep is not None:
            from ..markdown import make_markdown

            make_markdown(bool(self.prep.site.settings.allow_html))

    def _failed(self, staging, problems: list[Problem]) -> Outcome:
        if staging is not None:
            staging.abort()
        errors = [p for p in problems if p.severity == "error"] or problems
        self.errors = {"site": errors}
        return Outcome(False, self.root, problems=self.problems(), prefix=self.prefix, summary="build failed")

    def _pages(self, keys: list[tuple[str, str]]) -> Outcome:
        from ..render import sitemap

        site, renderer = self.prep.site, self.prep.renderer
        paths, done = [], []
        for key in keys:
            ref = site.page(key)
            step, scope = ref.step, f"page:{key[0]}:{key[1]}"
            was_indexable = step.indexable
            problems = [p for p in load_page(site, step) + load_step_variants(site, step) if p.severity == "error"]
            try:
                if not problems:
                    rendered = renderer.render_page(ref)
                    for relpath, data in rendered.files.items():  # content-hashed: safe to add before the check
                        self._write(relpath, data)
                    pages = [BuiltPage(ref.url, ref.output, "step", s, s.variant, html=h)  # a split test: each variant
                             for s, h in rendered.variants or [(step, rendered.html)]]
                    problems = [p for p in rendered.problems if p.severity == "error"] or [p for page in pages for p in self._page_checker().check_page(page)
                                                     if p.severity == "error"]
            except (OSError, UnicodeDecodeError) as exc:
                problems = [Problem(rel(step.source or self.src), f"could not read the page: {exc}",
                                    hint="Save the file again (as UTF-8).")]
            except Exception as exc:  # noqa: BLE001 - known failures become problems, the rest is a bug
                problems = failure_problems(exc, site, self.prep.theme)
                problems = problems or [internal_problem(exc, step.source or self.src)]
            if problems:
                self.errors[scope] = problems
                continue
            self.errors.pop(scope, None)
            self._write(ref.output, rendered.html)
            self.reporter.page_written(key, ref.output)
            self._page_checker().outputs.forget(step.url)  # anchors into this page are read again
            paths.append(step.url)
            if site.home_step is step:
                self._write("index.html", rendered.html)
                paths.append(site.prefix)
            if step.indexable != was_indexable:
                self._write("sitemap.xml", sitemap(site))
            done.append(f"{step.id} ({rel(step.source)})")
        ok = not self.errors
        summary = f"rebuilt {', '.join(done)}" if done else "page failed to build"
        return Outcome(ok, self.root, len(done), problems=self.problems(), site=site, prefix=site.prefix, paths=paths,
                       summary=summary)

    def _write(self, relpath: str, data) -> None:
        """Replace one file in the served folder atomically (readers never see half a page); `data` is text,
        bytes or a file to copy."""
        target = self.root / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".fg-", dir=target.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data if isinstance(data, bytes)
                     else Path(data).read_bytes())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)

    def _retire(self, old: Path) -> None:
        """Delete superseded folders, keeping the newest old one for requests still reading it."""
        self._old_roots.append(old)
        while len(self._old_roots) > 1:
            shutil.rmtree(self._old_roots.pop(0), ignore_errors=True)

    def close(self) -> None:
        with self._lock:
            for path in self._old_roots + ([self.root] if self.root else []):
                shutil.rmtree(path, ignore_errors=True)
            self._old_roots, self.root = [], None
