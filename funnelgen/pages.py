"""Load stage for pages: find each step's Markdown file and read its front matter.

Only the front matter is kept in memory; the body is read again by the render
stage (in a worker process), so memory stays flat however large the site is.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

from .errors import Problem, rel
from .schema import Bool, Context, Field, MapOf, Number, Str, Struct, Url
from .yamlsource import decode_error_line, parse_yaml

PAGES_DIR = "pages"
_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?$\n?", re.S | re.M)
_OPENING = re.compile(r"\A---[ \t]*\r?\n")
MAX_PAGE_BYTES = 5_000_000  # a sales page this large will not load on a phone
WARN_PAGE_BYTES = 1_000_000

_COPY = {
    "title": Field(Str(example="無料E-book プレゼント"), doc="<title> of the page"),
    "description": Field(Str(example="...")),
    "headline": Field(Str(example="...")),
    "subheadline": Field(Str(example="...")),
    "cta": Field(Str(example="今すぐ受け取る"), doc="label of the main button"),
    "decline": Field(Str(example="いいえ、結構です"), doc="label of the decline link (upsell/downsell)"),
}
# Split tests (funnelgen/variants.py): a variant of this page as overrides of its copy.
VARIANT_OVERRIDES = Struct({
    **_COPY,
    "content": Field(Str(example="|\n  ## ..."), doc="the Markdown body of this variant instead of the page's"),
    "offer": Field(Str(r"[a-z0-9][a-z0-9_-]*", "starter-b", "is not a valid offer id"),
                   doc="sell another offer in this variant"),
    "weight": Field(Number(minimum=None, example="50"), doc="share of visitors (relative to the other variants)"),
}, example="{headline: ..., subheadline: ...}")

FRONT_MATTER = Struct({
    **_COPY,
    "variants": Field(MapOf(VARIANT_OVERRIDES, key_pattern=r"[A-Za-z0-9_-]{1,40}", example="{b: {headline: ...}}"),
                      doc="split test: other versions of this page as overrides (docs/experiments.md)"),
    "sticky": Field(Str(example="無料で受け取る"), doc="label of the sticky mobile button (default: cta if it fits)"),
    "download": Field(Url("/downloads/guide.pdf", allow_relative=True),
                      doc="thank-you pages: the promised file, shown as the primary button"),
    "download_label": Field(Str(example="PDFをダウンロードする"), doc="label of the download button"),
    "line": Field(Bool(), doc="show the LINE 友だち追加 button (site.line_url) on this page"),
    "index": Field(Bool(), doc="override whether search engines may index the page"),
    "og_image": Field(Url("/images/cover.png", allow_relative=True)),
    "image": Field(Str(example="/images/hero.png"), doc="the hero visual and the share card (og:image), from static/"),
    "image_alt": Field(Str(example="講座の表紙"), doc="what image: shows, for screen readers and share cards"),
    "video": Field(Str(example="https://www.youtube.com/watch?v=XXXXXXXXXXX"),
                   doc="a video in the hero instead of the image (image: becomes its poster)"),
    "starts_at": Field(Str(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?\s*(Z|[+-]\d{2}:?\d{2})?", "'2026-12-20 20:00'",
                           "is not a date and time like 2026-12-20 20:00"),
                       doc="webinar pages: when the event starts (Japan time on ja sites unless a zone is given)"),
    "duration": Field(Number(minimum=1, integer=True, example="90"), doc="webinar pages: length in minutes (60)"),
    "venue": Field(Str(example="Zoom（参加URLはメールでお送りします）"), doc="webinar pages: where it takes place"),
    "head": Field(Str(example="<meta ...>"), doc="raw HTML appended to <head>"),
    "body": Field(Str(example="<script>...</script>"), doc="raw HTML appended to <body>"),
}, example="{title: ...}")


class FrontMatterError(ValueError):
    """An opening `---` with no closing one."""


def split_front_matter(text: str) -> tuple[str, str, int]:
    """Return (front matter YAML, body, line where the YAML starts); a leading BOM is dropped.

    Raises FrontMatterError when the page opens front matter with `---` and never closes it.
    """
    text = text.removeprefix("\ufeff")
    m = _FRONT.match(text)
    if not m:
        if _OPENING.match(text):
            raise FrontMatterError("front matter opened with --- on line 1 is never closed")
        return "", text, 0
    return m.group(1), text[m.end():], 1


def page_path(src: Path, page: str) -> Path | None:
    """A step's page inside pages/; None if it would escape the folder (checked on the text of the path)."""
    root = os.path.abspath(src / PAGES_DIR)
    path = os.path.normpath(os.path.join(root, page))
    if not path.startswith(root + os.sep):
        return None
    return Path(path)


@functools.lru_cache(maxsize=1024)
def _real_dir(folder: str) -> str:
    return os.path.realpath(folder)


def link_problem(path: Path, root: Path) -> Problem | None:
    """A site file reached through a symlink must stay inside the site folder `root`; a dangling one is refused.

    Nothing from outside the site folder may reach the output (a `pages/x.md -> /etc/passwd` would be published).
    """
    absolute = os.path.abspath(path)
    parent, name = os.path.split(absolute)
    # one lstat for the file; its folder's real path is worked out once per folder (thousands of pages share it)
    real = os.path.realpath(absolute) if os.path.islink(absolute) else os.path.join(_real_dir(parent), name)
    root_real = _real_dir(os.path.abspath(root))
    if real == absolute:
        return None  # no symlink on the way
    if not os.path.exists(real):
        return Problem(rel(path), f"symlink to '{real}', which does not exist",
                       hint="Remove the link or point it at a file inside the site folder.")
    if real != root_real and not real.startswith(root_real.rstrip(os.sep) + os.sep):
        return Problem(rel(path), f"symlink to '{real}', outside the site folder {rel(root)}",
                       hint="Copy the file into the site folder instead of linking to it (links are followed only "
                            "inside the site folder, so nothing else can be published).")
    return None


def site_tree(folder: Path, root: Path) -> tuple[list[tuple[str, Path]], list[Problem]]:
    """Every file under `folder` as (relative posix path, path), sorted, following symlinks that stay
    inside `root`; links pointing outside or dangling become problems (and their files are left out)."""
    files: list[tuple[str, Path]] = []
    problems: list[Problem] = []
    seen: set[str] = set()

    def walk(directory: Path, prefix: str) -> None:
        real = os.path.realpath(directory)
        if real in seen:  # a link back to a folder already walked
            return
        seen.add(real)
        for entry in sorted(os.scandir(directory), key=lambda e: e.name):
            path = Path(entry.path)
            if entry.is_symlink() and (problem := link_problem(path, root)):
                problems.append(problem)
            elif entry.is_dir():
                walk(path, f"{prefix}{entry.name}/")
            elif entry.is_file():
                files.append((prefix + entry.name, path))

    if folder.is_symlink() and (problem := link_problem(folder, root)):
        return [], [problem]
    if folder.is_dir():
        walk(folder, "")
    return files, problems


def load_pages(site, cache=None) -> list[Problem]:
    """Attach front matter and source path to every step; return problems (`cache`: a
    frontcache.FrontMatterCache, so unchanged front matter is not parsed again)."""
    problems: list[Problem] = []
    _real_dir.cache_clear()  # folders may have become links since the last load (serve)
    for step in site.steps.values():
        problems.extend(load_page(site, step, fresh=False, cache=cache))
    return problems


def load_page(site, step, fresh: bool = True, cache=None) -> list[Problem]:
    """Read one step's page: resolve its file and validate its front matter (`fresh`: look at the folders
    again, as for a single page saved in serve)."""
    if fresh:
        _real_dir.cache_clear()
    cfg = rel(site.config_file)
    path = page_path(site.src, step.page)
    if path is None:
        return [Problem(cfg, f"page '{step.page}' points outside the pages/ folder", key=f"{step.defined_in}.page",
                        line=step.line, hint="Give a path relative to pages/, without '..'.")]
    if (problem := link_problem(path, site.src)) is not None:
        return [problem]
    if not path.is_file():
        return [Problem(cfg, f"page file '{rel(path)}' does not exist", key=f"{step.defined_in}.page", line=step.line,
                        hint=f"Create {rel(path)} (Markdown with front matter) or fix the file name.")]
    step.source = path
    size = path.stat().st_size
    if size > MAX_PAGE_BYTES:
        return [Problem(rel(path), f"page is {size / 1e6:.1f} MB; pages over 5 MB are refused",
                        hint="Split it, or move large media to static/ and link to it: a sales page that large "
                             "will not load on a phone.")]
    step.meta = {}
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return [Problem(rel(path), f"not UTF-8 text ({exc.reason})", line=decode_error_line(path),
                        hint="Save the file as UTF-8 (Shift_JIS and UTF-16 are not read).")]
    if "\0" in text:
        return [Problem(rel(path), "contains a NUL byte (not text)", line=text.count("\n", 0, text.index("\0")) + 1,
                        hint="Remove the NUL character, or save the file again as UTF-8 text.")]
    warnings = [] if size <= WARN_PAGE_BYTES else [Problem(
        rel(path), f"page is {size / 1e6:.1f} MB; a sales page over 1 MB loads slowly on a phone", severity="warning",
        hint="Shorten it, or move large media to static/ and link to it.")]
    try:
        front, _body, offset = split_front_matter(text)
    except FrontMatterError as exc:
        return [Problem(rel(path), str(exc), line=1,
                        hint="Add a line with only --- after the front matter (title:, headline: …).")]
    return warnings + _front_matter(step, path, front, offset, cache)


def _front_matter(step, path: Path, front: str, offset: int, cache=None) -> list[Problem]:
    from .errors import BuildError

    if not front.strip():
        return _event_fields(step, {}, rel(path))
    try:
        data = (cache.parse if cache is not None else parse_yaml)(front, path, offset)
    except BuildError as exc:
        return exc.problems
    ctx = Context(rel(path))
    if not isinstance(data, dict):
        return [Problem(ctx.file, "front matter must be a YAML mapping (key: value lines)", line=2)]
    _shift_lines(data, offset)
    meta = FRONT_MATTER.check(data, "", 2, ctx)
    step.meta = {k: v for k, v in meta.items() if v is not None}
    return ctx.problems + _event_fields(step, data, ctx.file)


def _shift_lines(node, offset: int) -> None:
    """The YAML starts below the opening `---`: every key's line, nested ones (variants:) too, moves down."""
    lines = getattr(node, "lines", None)
    if isinstance(lines, dict):
        node.lines = {k: v + offset for k, v in lines.items()}
    elif isinstance(lines, list):
        node.lines = [v + offset for v in lines]
    if isinstance(node, dict):
        for child in node.values():
            _shift_lines(child, offset)
    elif isinstance(node, list):
        for child in node:
            _shift_lines(child, offset)


EVENT_FIELDS = ("starts_at", "duration", "venue")


def _event_fields(step, data, file: str) -> list[Problem]:
    """starts_at/duration/venue belong to dated kinds (webinar), which cannot do without starts_at."""
    lines = getattr(data, "lines", {})
    if step.traits.event_fields:
        if "starts_at" not in step.meta and "starts_at" not in data:  # (a bad value was reported already)
            return [Problem(file, f"{step.kind} page needs starts_at: (when the event starts)", key="starts_at",
                            line=1, hint="Add `starts_at: \"2026-12-20 20:00\"` (and duration: in minutes, venue:) "
                                         "to the front matter.")]
        return []
    return [Problem(file, f"{key}: is only read on dated pages (kind: webinar), not on a {step.kind} page",
                    key=key, line=lines.get(key), hint="Remove it, or make the step kind: webinar.")
            for key in EVENT_FIELDS if key in step.meta]
