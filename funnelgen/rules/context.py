"""What a rule sees: the site, whose law applies, the built page it is looking at, and the output.

`CheckContext` is the same for every driver. Only the answer to "is /x/ part of the built site, and
which ids does it have?" differs, and that is the `Outputs` object a driver hands in:
- `PlannedOutputs` while pages are still being rendered (build, serve's full rebuilds): existence comes
  from the build's manifest, and anchors into other pages are deferred until every file is written;
- `WrittenOutputs` once the files exist (the end of a build, serve's single-page saves).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote

from ..errors import Problem, rel
from ..recording import note_clock

_ID_ATTR = re.compile(r"""\sid=["']?([^"'\s>]+)""")


@dataclass
class BuiltPage:
    """One built HTML page: a step (in one of its variants) or a legal/privacy/404 page."""

    url: str  # root-relative, e.g. /starter/
    rel: str  # inside the output folder, e.g. starter/index.html
    role: str  # step | legal | privacy | 404
    step: object = None
    variant: str = ""
    html: str | None = None  # the rendered text, when checked before it is written
    path: Path | None = None
    _doc: object = field(default=None, repr=False)

    @property
    def doc(self):
        """The page parsed once (lxml), on first use."""
        if self._doc is None:
            from .html import parse_html

            self._doc = parse_html(self.html if self.html is not None else self.path.read_text(encoding="utf-8"))
        return self._doc

    @property
    def ids(self) -> frozenset:
        return frozenset(self.doc.ids)

    def release(self) -> None:
        """Forget the parsed tree and text: pages are checked one at a time so memory stays flat."""
        if self._doc is not None:
            self._doc.close()  # its elements point back at it: free the tree now, not at the next GC pass
        self._doc = None
        self.html = None


def step_pages(site) -> list[BuiltPage]:
    """A BuiltPage for every (step, variant) the build renders."""
    return [BuiltPage(ref.url, ref.output, "step", ref.step, ref.variant) for ref in site.pages()]


def special_pages(site) -> list[BuiltPage]:
    prefix = site.prefix
    return [BuiltPage(f"{prefix}legal/", "legal/index.html", "legal"),
            BuiltPage(f"{prefix}privacy/", "privacy/index.html", "privacy"),
            BuiltPage(f"{prefix}404.html", "404.html", "404")]


class Outputs:
    """Where the built site is, and which URL paths it answers."""

    written = True  # False while pages are still being rendered

    def __init__(self, site, out: Path, previous=None):
        self.prefix = site.prefix
        home = site.home_step
        self.home = site.output_path(home) if home is not None else None
        self.out = Path(out)
        self.previous = previous  # relpath -> the file an in-place build keeps from the last output, or None
        self._exists: dict[str, bool] = {}

    def file(self, relpath: str) -> Path | None:
        """The output file at `relpath`: written by this build, or kept from the previous one."""
        path = self.out / relpath
        if path.is_file():
            return path
        kept = self.previous(relpath) if self.previous is not None else None
        return kept if kept is not None and kept.is_file() else None

    def files_for(self, path: str) -> list[str] | None:
        """Output files a root-relative URL path may name (pretty URLs first); None outside the site."""
        if not path.startswith(self.prefix):
            return None
        inner = unquote(path[len(self.prefix):])
        if ".." in inner.split("/") or "\x00" in inner:
            return None
        if inner == "" and self.home:  # hosts that rewrite `/` to the home step write no index.html
            return ["index.html", self.home]
        if path.endswith("/") or inner == "":
            return [f"{inner.rstrip('/')}/index.html".lstrip("/")]
        return [inner, f"{inner}/index.html"]

    def exists(self, path: str) -> bool:
        if path not in self._exists:
            self._exists[path] = any(self._has(f) for f in self.files_for(path) or ())
        return self._exists[path]

    def _has(self, relpath: str) -> bool:
        raise NotImplementedError

    def anchor_ids(self, path: str) -> frozenset | None:
        """Element ids of the HTML page at `path`; None when there is no such page (yet)."""
        raise NotImplementedError


class PlannedOutputs(Outputs):
    """Pages are being rendered in parallel: ask the manifest; anchors wait until finish()."""

    written = False

    def __init__(self, site, out: Path, planned: set[str], previous=None):
        super().__init__(site, out, previous)
        self.planned = planned

    def _has(self, relpath: str) -> bool:
        # or written already: the images a page uses are written just before it is checked (build._render_one)
        return relpath in self.planned or self.file(relpath) is not None

    def anchor_ids(self, path: str) -> frozenset | None:
        return None


class WrittenOutputs(Outputs):
    """Every file is on disk."""

    def __init__(self, site, out: Path, previous=None):
        super().__init__(site, out, previous)
        self._ids: dict[str, frozenset] = {}

    def _has(self, relpath: str) -> bool:
        return self.file(relpath) is not None

    def anchor_ids(self, path: str) -> frozenset | None:
        for relpath in self.files_for(path) or ():
            if relpath.endswith(".html") and self._has(relpath):
                if relpath not in self._ids:
                    try:
                        text = self.file(relpath).read_text(encoding="utf-8")
                    except OSError:
                        text = ""
                    self._ids[relpath] = frozenset(_ID_ATTR.findall(text))
                return self._ids[relpath]
        return None

    def forget(self, url: str) -> None:
        """A page was rewritten (serve): read its ids again next time."""
        for relpath in self.files_for(url) or ():
            self._ids.pop(relpath, None)


def truthy_env(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def is_preview_env() -> bool:
    """Deploy previews may use test keys: FUNNELGEN_ALLOW_TEST_KEYS=1, or the host's preview context
    (Netlify's CONTEXT, https://docs.netlify.com/configure-builds/environment-variables/)."""
    return truthy_env("FUNNELGEN_ALLOW_TEST_KEYS") or os.environ.get("CONTEXT", "") in (
        "deploy-preview", "branch-deploy", "dev")


class CheckContext:
    """The site, whose law applies (jp/eu/us), the clock, and the built output (`outputs`, may be None)."""

    def __init__(self, site, outputs: Outputs | None = None, *, preview: bool | None = None,
                 now: datetime | None = None, publishing: bool = False):
        self.site = site
        self.publishing = publishing  # `funnelgen check`: is it ready to go live (placeholders become errors)
        self.outputs = outputs
        self.preview = is_preview_env() if preview is None else preview
        self._now = now or datetime.now(timezone.utc)
        self.cfg = rel(site.config_file)
        audience = set(site.settings.audience)
        self.jp = site.language == "ja" or "jp" in audience
        self.eu = "eu" in audience
        self.us = "us" in audience
        self.prefix = site.prefix
        self.legal_url = f"{self.prefix}legal/"
        self.privacy_url = f"{self.prefix}privacy/"
        self.deferred: list[tuple[str, str, Problem]] = []  # anchors into pages not written yet
        self._memo: dict = {}
        self._sources: dict = {}

    @property
    def now(self) -> datetime:
        """The clock: a page whose check read it is never taken from the build cache (a deadline passes)."""
        note_clock()
        return self._now

    # -- problems ------------------------------------------------------------------------------
    def error(self, file: str, message: str, *, key: str = "", line: int | None = None, hint: str = "") -> Problem:
        return Problem(file, message, key=key, line=line, hint=hint, severity="error")

    def warn(self, file: str, message: str, *, key: str = "", line: int | None = None, hint: str = "") -> Problem:
        return Problem(file, message, key=key, line=line, hint=hint, severity="warning")

    def line_of(self, key_path: str) -> int | None:
        """Line of a dotted key in site.yml, e.g. 'legal.address' or 'offers.starter.checkout'."""
        parts = key_path.split(".")
        if parts[0] == "offers" and len(parts) > 1 and parts[1] in self.site.offers:
            return self.site.offers[parts[1]].line
        if parts[0] == "forms" and len(parts) > 1 and parts[1] in self.site.forms:
            return self.site.forms[parts[1]].line
        cur = {"site": self.site.settings, "legal": self.site.legal, "tracking": self.site.tracking}.get(parts[0])
        line = None
        for part in parts[1:]:
            lines = getattr(cur, "lines", None) or {}
            if part not in lines:
                break
            line = lines[part]
            cur = cur.get(part) if hasattr(cur, "get") else getattr(cur, part, None)
        return line

    def memo(self, key: str, compute):
        """Compute a site-wide fact once per context (page parts run once per page)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    # -- the built site ------------------------------------------------------------------------------
    def exists(self, path: str) -> bool:
        """Does a root-relative URL path (no query) name a file of the built site? (True without output.)"""
        return True if self.outputs is None else self.outputs.exists(path)

    def anchor_missing(self, page: BuiltPage, path: str, frag: str, problem: Problem) -> bool:
        """Is `#frag` missing on the page at `path`? While other pages are still being written the
        question is kept in `deferred` (with the problem to report) and answered after the build."""
        if path == page.url:
            return frag not in page.ids
        if self.outputs is None:
            return False
        ids = self.outputs.anchor_ids(path)
        if ids is None:
            if not self.outputs.written:
                self.deferred.append((path, frag, problem))
            return False
        return frag not in ids

    def pasted_snippets(self):
        """(file, key, line, text) of raw HTML users paste: tracking.head/body and pages' head:/body:."""
        for name in ("head", "body"):
            if self.site.tracking.get(name):
                yield self.cfg, f"tracking.{name}", self.line_of(f"tracking.{name}"), self.site.tracking.get(name)
        for step in self.site.steps.values():
            for name in ("head", "body"):
                if step.meta.get(name):
                    yield (rel(step.source) if step.source else step.page), name, None, step.meta[name]

    # -- Markdown sources -------------------------------------------------------------------------
    def page_file(self, page: BuiltPage) -> str:
        """The file a finding on `page` is reported against: its Markdown source, else its URL."""
        return self.page_file_of(page.step) if page.step is not None else page.url

    def page_file_of(self, step) -> str:
        """A step's Markdown file (as the user wrote it in site.yml when it was never found)."""
        return rel(step.source) if step.source else step.page

    def source_lines(self, step) -> list[str]:
        if step is None or not step.source:
            return []
        if step.id not in self._sources:
            try:
                self._sources[step.id] = step.source.read_text(encoding="utf-8").splitlines()
            except OSError:
                self._sources[step.id] = []
        return self._sources[step.id]

    def forget_source(self, step) -> None:
        if step is not None:
            self._sources.pop(step.id, None)

    def source_line(self, step, needle: str) -> int | None:
        """First line of the step's Markdown that contains `needle` (1-based), or None."""
        if not needle:
            return None
        for i, line in enumerate(self.source_lines(step), 1):
            if needle in line:
                return i
        return None

    def where(self, page: BuiltPage, *needles: str) -> tuple[str, int | None]:
        """(file, line) for a finding on a page: the Markdown line of the first needle found there."""
        line = None
        if page.step is not None:
            line = next((n for n in (self.source_line(page.step, x) for x in needles) if n), None)
        return self.page_file(page), line
