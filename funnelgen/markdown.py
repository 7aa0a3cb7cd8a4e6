"""Markdown -> HTML with markdown-it-py, and sales-copy blocks as theme partials.

Blocks are fenced containers (`::: testimonial name="…"` … `:::`). Their inner
Markdown is rendered first, then handed to a callback (the theme partial), so
no Jinja ever runs over user text (unlike Eleventy's template-preprocessed
Markdown, where a stray `{{` breaks a page).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

BLOCKS = ("testimonial", "faq", "bonus", "guarantee", "cta", "price", "countdown", "note")
ALLOWED_ATTRS = ("id", "class", "width", "height", "loading", "title", "target", "rel", "lang")
_ATTR = re.compile(r'([a-zA-Z_][\w-]*)=(?:"([^"]*)"|\'([^\']*)\'|(\S+))')


@dataclass
class BlockCall:
    name: str
    title: str
    attrs: dict[str, str]
    inner: str
    line: int | None


@dataclass
class RenderResult:
    html: str
    problems: list[tuple[int | None, str, str]] = field(default_factory=list)  # (line, message, hint)


def parse_info(info: str, name: str) -> tuple[str, dict[str, str]]:
    """`testimonial name="山田" role="…" rest` -> ('rest', {'name': '山田', 'role': '…'})."""
    rest = info.strip()[len(name):].strip()
    attrs = {m.group(1): next(g for g in m.groups()[1:] if g is not None) for m in _ATTR.finditer(rest)}
    title = _ATTR.sub("", rest).strip()
    return title, attrs


_MD_CACHE: dict[bool, object] = {}
_FENCE = re.compile(r"^[ \t]{0,3}:::+[ \t]*([A-Za-z][\w-]*)", re.M)
_RAW_DANGER = re.compile(r"javascript:|\son[a-z]+\s*=|<script\b", re.I)


def check_block_names(text: str, result: RenderResult) -> None:
    """`::: testimonal` would silently render as text; report it with a did-you-mean."""
    from .errors import did_you_mean

    for m in _FENCE.finditer(text):
        name = m.group(1)
        if name not in BLOCKS:
            line = text.count("\n", 0, m.start()) + 1
            result.problems.append((line, f"unknown block '::: {name}'.{did_you_mean(name, BLOCKS)}",
                                    f"Blocks are: {', '.join(BLOCKS)}."))


def check_raw_html(tok, line, result: RenderResult) -> None:
    """With allow_html, raw HTML is the author's, but script URLs and handlers are still refused."""
    parts = [tok] + list(tok.children or [])
    for part in parts:
        if part.type in ("html_block", "html_inline") and raw_html_danger(part.content):
            result.problems.append((line, "raw HTML contains a script, an on…= event handler or a javascript: URL",
                                    "Put scripts in front matter `head:`/`body:` or tracking.head/body in site.yml."))
            part.content = ""


URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcset"}


def raw_html_danger(html: str) -> bool:
    """Scripts, event handlers, srcdoc and unsafe URLs, judged on the parsed (entity-decoded) attributes."""
    if _RAW_DANGER.search(html):
        return True
    from lxml import etree
    from lxml.html import fragments_fromstring

    from .urls import unsafe_url_reason

    try:
        fragments = fragments_fromstring(html)
    except (etree.ParserError, ValueError):
        return False  # a lone closing tag and the like: nothing to run
    for fragment in fragments:
        if isinstance(fragment, str):
            continue
        for el in fragment.iter():
            if not isinstance(el.tag, str):
                continue
            if el.tag in ("script", "object", "embed", "base"):
                return True
            for name, value in el.attrib.items():
                name = name.lower()
                if name.startswith("on") or name == "srcdoc":
                    return True
                if name == "srcset":
                    value = value.split(",")[0].strip().split(" ")[0]
                if name in URL_ATTRS and unsafe_url_reason(value):
                    return True
    return False


def make_markdown(allow_html: bool = False):
    """One configured parser per process (building one costs ~10 ms)."""
    if allow_html in _MD_CACHE:
        return _MD_CACHE[allow_html]
    from markdown_it import MarkdownIt
    from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin
    from mdit_py_plugins.container import container_plugin
    from mdit_py_plugins.front_matter import front_matter_plugin

    md = MarkdownIt("commonmark", {"html": allow_html, "typographer": False}).enable("table").enable("strikethrough")
    md.use(front_matter_plugin)
    md.use(attrs_plugin, allowed=ALLOWED_ATTRS)
    md.use(attrs_block_plugin, allowed=ALLOWED_ATTRS)
    # One container rule for all blocks (one rule per name would scan every line 8 times).
    container_plugin(md, "block", validate=lambda params, *_: params.strip().split(" ", 1)[0] in BLOCKS)
    # Accept every link while parsing so unsafe ones can be *reported* with a
    # line number (markdown-it would silently render them as text otherwise).
    md.validateLink = lambda url: True
    _MD_CACHE[allow_html] = md
    return md


def render_markdown(text: str, block: Callable[[BlockCall], str], allow_html: bool = False) -> RenderResult:
    """Render page Markdown; `block` turns each container into HTML (a theme partial)."""
    from .urls import unsafe_url_reason

    md = make_markdown(allow_html)
    env: dict = {}
    tokens = md.parse(text, env)
    result = RenderResult("")

    def check_links(toks, line):
        """Neutralise and report unsafe href/src values."""
        for tok in toks:
            if tok.children:
                check_links(tok.children, line)
            for attr in ("href", "src"):
                url = tok.attrs.get(attr) if tok.attrs else None
                if url is None:
                    continue
                reason = unsafe_url_reason(str(url))
                if reason:
                    result.problems.append((line, f"link '{url}' {reason}", "Link to an https:// page or a site path."))
                    tok.attrs[attr] = "#"

    line = None
    for tok in tokens:
        if tok.map:
            line = tok.map[0] + 1
        check_links([tok], line)
        if allow_html:
            check_raw_html(tok, line, result)
    check_block_names(text, result)

    def render(toks) -> str:
        out, start, i = [], 0, 0
        while i < len(toks):
            tok = toks[i]
            if tok.type == "container_block_open":
                name = tok.info.strip().split(" ", 1)[0]
                depth, j = 1, i + 1
                while j < len(toks):
                    if toks[j].type == tok.type:
                        depth += 1
                    elif toks[j].type == "container_block_close":
                        depth -= 1
                        if depth == 0:
                            break
                    j += 1
                out.append(md.renderer.render(toks[start:i], md.options, env))
                title, attrs = parse_info(tok.info, name)
                line = tok.map[0] + 1 if tok.map else None
                out.append(block(BlockCall(name, title, attrs, render(toks[i + 1:j]), line)))
                i = start = j + 1
                continue
            i += 1
        out.append(md.renderer.render(toks[start:], md.options, env))
        return "".join(out)

    result.html = render(tokens)
    return result
