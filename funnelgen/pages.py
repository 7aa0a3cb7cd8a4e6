"""Load stage for pages: find each step's Markdown file and read its front matter.

Only the front matter is kept in memory; the body is read again by the render
stage (in a worker process), so memory stays flat however large the site is.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import Problem, rel
from .schema import Bool, Context, Field, Number, Str, Struct, Url
from .yamlsource import parse_yaml

PAGES_DIR = "pages"
_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?$\n?", re.S | re.M)

FRONT_MATTER = Struct({
    "title": Field(Str(example="無料E-book プレゼント"), doc="<title> of the page"),
    "description": Field(Str(example="...")),
    "headline": Field(Str(example="...")),
    "subheadline": Field(Str(example="...")),
    "cta": Field(Str(example="今すぐ受け取る"), doc="label of the main button"),
    "decline": Field(Str(example="いいえ、結構です"), doc="label of the decline link (upsell/downsell)"),
    "index": Field(Bool(), doc="override whether search engines may index the page"),
    "og_image": Field(Url("/images/cover.png", allow_relative=True)),
    "starts_at": Field(Str(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?\s*(Z|[+-]\d{2}:?\d{2})?", "'2026-12-20 20:00'",
                           "is not a date and time like 2026-12-20 20:00"),
                       doc="webinar pages: when the event starts (Japan time on ja sites unless a zone is given)"),
    "duration": Field(Number(minimum=1, integer=True, example="90"), doc="webinar pages: length in minutes (60)"),
    "venue": Field(Str(example="Zoom（参加URLはメールでお送りします）"), doc="webinar pages: where it takes place"),
    "head": Field(Str(example="<meta ...>"), doc="raw HTML appended to <head>"),
    "body": Field(Str(example="<script>...</script>"), doc="raw HTML appended to <body>"),
}, example="{title: ...}")


def split_front_matter(text: str) -> tuple[str, str, int]:
    """Return (front matter YAML, body, line where the YAML starts)."""
    m = _FRONT.match(text)
    if not m:
        return "", text, 0
    return m.group(1), text[m.end():], 1


def page_path(src: Path, page: str) -> Path | None:
    """A step's page inside pages/; None if it would escape the folder (checked on the text of the path)."""
    import os

    root = os.path.abspath(src / PAGES_DIR)
    path = os.path.normpath(os.path.join(root, page))
    if not path.startswith(root + os.sep):
        return None
    return Path(path)


def load_pages(site) -> list[Problem]:
    """Attach front matter and source path to every step; return problems."""
    problems: list[Problem] = []
    for step in site.steps.values():
        problems.extend(load_page(site, step))
    return problems


def load_page(site, step) -> list[Problem]:
    """Read one step's page: resolve its file and validate its front matter."""
    from .errors import BuildError

    cfg = rel(site.config_file)
    path = page_path(site.src, step.page)
    if path is None:
        return [Problem(cfg, f"page '{step.page}' points outside the pages/ folder", key=f"{step.defined_in}.page",
                        line=step.line, hint="Give a path relative to pages/, without '..'.")]
    if not path.is_file():
        return [Problem(cfg, f"page file '{rel(path)}' does not exist", key=f"{step.defined_in}.page", line=step.line,
                        hint=f"Create {rel(path)} (Markdown with front matter) or fix the file name.")]
    step.source = path
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return [Problem(rel(path), f"not UTF-8 text ({exc.reason})", hint="Save the file as UTF-8.")]
    front, _body, offset = split_front_matter(text)
    step.meta = {}
    if not front.strip():
        return _event_fields(step, {}, rel(path))
    try:
        data = parse_yaml(front, path, line_offset=offset)
    except BuildError as exc:
        return exc.problems
    ctx = Context(rel(path))
    if not isinstance(data, dict):
        return [Problem(ctx.file, "front matter must be a YAML mapping (key: value lines)", line=2)]
    if hasattr(data, "lines"):
        data.lines = {k: v + offset for k, v in data.lines.items()}
    meta = FRONT_MATTER.check(data, "", 2, ctx)
    step.meta = {k: v for k, v in meta.items() if v is not None}
    return ctx.problems + _event_fields(step, data, ctx.file)


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
