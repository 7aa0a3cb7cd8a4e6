"""The rule registry and what every rule receives (the site, the built pages, options).

A rule is one function decorated with @rule: it takes a CheckContext and yields
Problems made with ctx.error()/ctx.warn(). The runner stamps each Problem with
the rule's id and "why", so a new rule is one small function in a rules_*.py.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ..errors import Problem, rel

AREAS = ("integrity", "tracking", "jp", "eu", "us")


@dataclass(frozen=True)
class Rule:
    id: str
    area: str  # integrity | tracking | jp | eu | us
    fn: Callable
    why: str
    severity: str = "error"  # the worst it reports: "error" or "warning" (docs; problems carry their own)
    # "site": model only; "html": run once per built page (ctx.pages is that page); "output": once, reads the
    # output folder; "graph": a validate.py rule.
    phase: str = "site"
    title: str = ""

    @property
    def doc(self) -> str:
        return self.title or (self.fn.__doc__ or "").strip()


RULES: list[Rule] = []


def rule(id: str, *, area: str, why: str, severity: str = "error", html: bool = False, phase: str | None = None):
    """Register a check. `html=True` when it reads built pages: it then runs once per page, and
    `ctx.pages` holds just that page (cross-page facts: `ctx.page_at(url).ids`, `ctx.exists(url)`)."""
    def deco(fn):
        RULES.append(Rule(id=id, area=area, fn=fn, why=why, severity=severity,
                          phase=phase or ("html" if html else "site")))
        return fn
    return deco


def audience_rule(area: str):
    """A decorator factory for rules that apply only to one audience (ctx.jp / ctx.eu / ctx.us)."""
    def make(id: str, **kw):
        def deco(fn):
            def wrapped(ctx):
                return fn(ctx) if getattr(ctx, area) else ()
            wrapped.__doc__ = fn.__doc__
            wrapped.__name__ = fn.__name__
            rule(id, area=area, **kw)(wrapped)
            return fn
        return deco
    return make


JST = timezone(timedelta(hours=9))
_DT = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$")


def parse_deadline(text: str, language: str) -> datetime | None:
    """Absolute time from `2026-12-31`, `2026-12-31 23:59`, `2026-12-31T23:59+09:00`; JST for ja sites.

    A date alone means the end of that day.
    """
    m = _DT.match(str(text).strip())
    if not m:
        return None
    y, mo, d, hh, mm, ss, zone = m.groups()
    if zone in (None, ""):
        tz = JST if language == "ja" else timezone.utc
    elif zone == "Z":
        tz = timezone.utc
    else:
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    try:
        if hh is None:
            return datetime(int(y), int(mo), int(d), 23, 59, 59, tzinfo=tz)
        return datetime(int(y), int(mo), int(d), int(hh), int(mm), int(ss or 0), tzinfo=tz)
    except ValueError:
        return None


@dataclass
class Page:
    """One built HTML page."""

    url: str  # root-relative, e.g. /starter/
    rel: str  # inside the output folder, e.g. starter/index.html
    role: str  # step | legal | privacy | 404
    step: object = None
    _doc: object = None
    path: Path | None = None

    _ids: frozenset | None = None

    @property
    def doc(self):
        if self._doc is None:
            from .html import parse_html

            self._doc = parse_html(self.path.read_text(encoding="utf-8"))
        return self._doc

    @property
    def ids(self) -> frozenset:
        """Element ids, for anchors into this page from another one (a regex scan, no parse)."""
        if self._doc is not None:
            return frozenset(self._doc.ids)
        if self._ids is None:
            try:
                self._ids = frozenset(_ID_ATTR.findall(self.path.read_text(encoding="utf-8")))
            except OSError:
                self._ids = frozenset()
        return self._ids

    def release(self) -> None:
        """Forget the parsed tree: html rules run page by page so memory stays flat."""
        self._doc = None


_ID_ATTR = re.compile(r"""\sid=["']?([^"'\s>]+)""")


def truthy_env(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def is_preview_env() -> bool:
    """Deploy previews may use test keys: FUNNELGEN_ALLOW_TEST_KEYS=1, or Netlify's CONTEXT for non-production."""
    return truthy_env("FUNNELGEN_ALLOW_TEST_KEYS") or os.environ.get("CONTEXT", "") in (
        "deploy-preview", "branch-deploy", "dev")


class CheckContext:
    def __init__(self, site, out: Path | None = None, *, preview: bool | None = None, now: datetime | None = None):
        self.site = site
        self.out = Path(out) if out else None
        self.preview = is_preview_env() if preview is None else preview
        self.now = now or datetime.now(timezone.utc)
        self.cfg = rel(site.config_file)
        audience = set(site.settings.get("audience") or [])
        self.jp = site.language == "ja" or "jp" in audience
        self.eu = "eu" in audience
        self.us = "us" in audience
        self.prefix = site.prefix
        self._pages: list[Page] | None = None
        self.view: list[Page] | None = None  # the page(s) html rules are looking at right now
        self._by_url: dict[str, Page] | None = None
        self.planned: set[str] | None = None  # relpaths the build will write (None: look at the files)
        self.deferred: list | None = None  # cross-page anchors to check after every page is written
        self._memo: dict = {}
        self._sources: dict = {}
        self._files: dict[str, str] = {}
        self._exists: dict[str, bool] = {}

    # -- problems ------------------------------------------------------------
    def error(self, file: str, message: str, *, key: str = "", line: int | None = None, hint: str = "") -> Problem:
        return Problem(file, message, key=key, line=line, hint=hint, severity="error")

    def warn(self, file: str, message: str, *, key: str = "", line: int | None = None, hint: str = "") -> Problem:
        return Problem(file, message, key=key, line=line, hint=hint, severity="warning")

    def line_of(self, key_path: str) -> int | None:
        """Line of a dotted key in site.yml, e.g. 'legal.address' or 'offers.starter.checkout'."""
        node = {"site": self.site.settings, "legal": self.site.legal, "tracking": self.site.tracking}
        parts = key_path.split(".")
        if parts[0] == "offers" and len(parts) > 1 and parts[1] in self.site.offers:
            line = self.site.offers[parts[1]].line
            return line
        if parts[0] == "forms" and len(parts) > 1 and parts[1] in self.site.forms:
            return self.site.forms[parts[1]].line
        cur = node.get(parts[0])
        line = None
        for part in parts[1:]:
            lines = getattr(cur, "lines", None)
            if not isinstance(cur, dict) or part not in cur:
                break
            if lines:
                line = lines.get(part, line)
            cur = cur[part]
        return line

    # -- pages -----------------------------------------------------------------
    @property
    def all_pages(self) -> list[Page]:
        if self._pages is None:
            self._pages = self._collect_pages()
        return self._pages

    @property
    def pages(self) -> list[Page]:
        """What an html rule iterates: one page at a time while html rules run, else every page."""
        return self.view if self.view is not None else self.all_pages

    def _collect_pages(self) -> list[Page]:
        """Every page the build writes, from the model (no file system walk: O(1) stat-free per page)."""
        if self.out is None:
            return []
        from ..build import step_output_path

        pages = []
        for step in self.site.steps.values():
            relpath = step_output_path(self.site, step)
            pages.append(Page(step.url, relpath, "step", step, path=self.out / relpath))
        for role in ("legal", "privacy"):
            pages.append(Page(f"{self.prefix}{role}/", f"{role}/index.html", role, path=self.out / role / "index.html"))
        pages.append(Page(f"{self.prefix}404.html", "404.html", "404", path=self.out / "404.html"))
        return pages

    @property
    def site_pass(self) -> bool:
        """True once per run: html rules that also check site.yml do that part only here, not once per page."""
        return self.view is None or (bool(self.all_pages) and self.view[0].url == self.all_pages[0].url)

    def memo(self, key: str, compute):
        """Compute a site-wide fact once per context (html rules run once per page)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @property
    def by_url(self) -> dict[str, Page]:
        if self._by_url is None:
            self._by_url = {}
            for p in self.all_pages:
                self._by_url[p.url] = p
                if p.url.endswith("/"):
                    self._by_url.setdefault(p.url + "index.html", p)
                    self._by_url.setdefault(p.url[:-1], p)
        return self._by_url

    def page(self, role: str) -> Page | None:
        return next((p for p in self.pages if p.role == role), None)

    def page_at(self, path: str) -> Page | None:
        return self.by_url.get(path)

    def page_file(self, page: Page) -> str:
        if page.url not in self._files:
            self._files[page.url] = rel(page.step.source) if page.step is not None and page.step.source else page.url
        return self._files[page.url]

    @property
    def legal_url(self) -> str:
        return f"{self.prefix}legal/"

    @property
    def privacy_url(self) -> str:
        return f"{self.prefix}privacy/"

    def exists(self, path: str) -> bool:
        """Does a root-relative URL path (no query) name a file in the output?"""
        if self.out is None:
            return True
        if path not in self._exists:
            self._exists[path] = self._exists_uncached(path)
        return self._exists[path]

    def _exists_uncached(self, path: str) -> bool:
        from urllib.parse import unquote

        if not path.startswith(self.prefix):
            return False
        inner = unquote(path[len(self.prefix):])
        if ".." in inner.split("/") or "\x00" in inner:
            return False
        if self.planned is not None:  # pages are still being written: ask the build's manifest
            inner = inner.rstrip("/")
            if path.endswith("/") or inner == "":
                return f"{inner}/index.html".lstrip("/") in self.planned
            return inner in self.planned or f"{inner}/index.html" in self.planned
        target = self.out / inner
        if path.endswith("/") or inner == "":
            return (target / "index.html").is_file()
        return target.is_file() or (target / "index.html").is_file()

    def anchor_missing(self, page: Page, path: str, frag: str, problem: Problem) -> bool:
        """Is `#frag` missing on the page at `path`? Other pages may not be written yet while rendering in
        parallel: then the question is deferred to `deferred` and answered by PageChecker.finish()."""
        other = page if path == page.url else self.page_at(path)
        if other is None:
            return False
        if other is page or self.deferred is None:
            return frag not in other.ids
        self.deferred.append((path, frag, problem))
        return False

    # -- Markdown sources ------------------------------------------------------
    def source_lines(self, step) -> list[str]:
        if step is None or not step.source:
            return []
        if step.id not in self._sources:
            try:
                self._sources[step.id] = step.source.read_text(encoding="utf-8").splitlines()
            except OSError:
                self._sources[step.id] = []
        return self._sources[step.id]

    def source_line(self, step, needle: str) -> int | None:
        """First line of the step's Markdown that contains `needle` (1-based), or None."""
        if not needle:
            return None
        for i, line in enumerate(self.source_lines(step), 1):
            if needle in line:
                return i
        return None

    def where(self, page: Page, *needles: str) -> tuple[str, int | None]:
        """(file, line) for a finding on a page: the Markdown line of the first needle found there."""
        line = None
        if page.step is not None:
            line = next((n for n in (self.source_line(page.step, x) for x in needles) if n), None)
        return self.page_file(page), line


def run_rules(ctx: CheckContext, rules: Iterable[Rule]) -> list[Problem]:
    """Run rules; html rules stream over the pages, one parsed page at a time (memory stays flat)."""
    rules = list(rules)
    problems: list[Problem] = []
    for r in rules:
        if r.phase != "html":
            problems.extend(_stamp(r, r.fn(ctx)))
    html_rules = [r for r in rules if r.phase == "html"]
    if html_rules and ctx.out is not None:
        for page in ctx.all_pages:
            if not page.path.is_file():  # the build wrote no such page (a failed render in `funnelgen check`)
                continue
            ctx.view = [page]
            try:
                problems.extend(p for r in html_rules for p in _stamp(r, r.fn(ctx)))
            finally:
                ctx.view = None
                page.release()
                if page.step is not None:
                    ctx._sources.pop(page.step.id, None)
    return problems


def _stamp(r: Rule, found) -> list[Problem]:
    return [replace(p, rule=r.id, why=r.why) for p in found or ()]
