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

from .urls import under_prefix

BLOCKS = ("testimonial", "faq", "bonus", "guarantee", "cta", "price", "countdown", "note", "line", "video", "image", "author",
          "logos")
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
    """With allow_html, raw HTML passes an allow-list (nh3); whatever it removes is reported, never dropped silently."""
    parts = [tok] + list(tok.children or [])
    for part in parts:
        if part.type in ("html_block", "html_inline"):
            removed, cleaned = sanitize_html(part.content)
            if removed:
                result.problems.append((line, f"raw HTML contains {', '.join(removed)}, which sales pages may not use",
                                        "Use the allowed formatting tags (see docs/format.md, allow_html); put scripts "
                                        "in front matter `head:`/`body:` or tracking.head/body in site.yml."))
                part.content = cleaned if part.type == "html_block" else ""


TEXT_TAGS = {"p", "br", "wbr", "hr", "b", "strong", "i", "em", "u", "s", "del", "ins", "mark", "small", "sub", "sup",
             "code", "pre", "kbd", "blockquote", "q", "cite", "abbr", "ruby", "rt", "rp", "span", "div",
             "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd",
             "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "colgroup", "col",
             "a", "img", "figure", "figcaption", "details", "summary", "iframe"}
HTML_ATTRS = {
    "*": {"id", "class", "title", "lang"},
    "a": {"href", "target"},
    "img": {"src", "alt", "width", "height", "loading", "decoding"},
    "iframe": {"src", "width", "height", "title", "loading", "allowfullscreen", "referrerpolicy"},
    "ol": {"start", "type"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan", "scope"},
    "col": {"span"}, "details": {"open"},
}
EMBEDS = ("https://www.youtube-nocookie.com/embed/", "https://player.vimeo.com/video/")


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    if tag == "iframe" and attr == "src" and not value.startswith(EMBEDS):
        return None  # only video players are embedded
    return value


def sanitize_html(html: str) -> tuple[list[str], str]:
    """(what the allow-list removed, as '<tag>' / 'attr=\"…\" on <tag>'; the cleaned HTML)."""
    import nh3

    cleaned = nh3.clean(html, tags=TEXT_TAGS, attributes=HTML_ATTRS, attribute_filter=_attribute_filter,
                        url_schemes={"http", "https", "mailto", "tel"}, strip_comments=True)
    before, after = _start_tags(html), _start_tags(cleaned)
    kept = {(tag, name, value) for tag, attrs in after for name, value in attrs}
    after_tags = [tag for tag, _attrs in after]
    removed: list[str] = []
    for tag, attrs in before:
        if tag in after_tags:
            after_tags.remove(tag)
        elif f"<{tag}>" not in removed:
            removed.append(f"<{tag}>")
            continue
        for name, value in attrs:
            if name != "rel" and (tag, name, value) not in kept and (what := f"{name}=\"{value[:40]}\" on <{tag}>") not in removed:
                removed.append(what)
    return removed, cleaned


def _start_tags(html: str) -> list[tuple[str, list[tuple[str, str]]]]:
    from html.parser import HTMLParser

    found: list = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, [(name, value or "") for name, value in attrs]))

    parser = Collect(convert_charrefs=True)
    parser.feed(html)
    parser.close()
    return found


def _image_rule(self, tokens, idx, options, env) -> str:
    """Images go through env["fg_image"] (the media pipeline: <picture>, sizes, srcset) when it handles them."""
    from markdown_it.renderer import RendererHTML

    tok, hook = tokens[idx], env.get("fg_image")
    if hook is not None:
        alt = self.renderInlineAsText(tok.children or [], options, env)
        html = hook(str(tok.attrGet("src") or ""), alt, dict(tok.attrs), tok.meta.get("line"))
        if html is not None:
            return html
    return RendererHTML.image(self, tokens, idx, options, env)


_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)(\s[^<>]*)?/?>")


def check_html_as_text(tok, line, result: RenderResult) -> None:
    """With allow_html off, a pasted tag (an embed code above all) would be printed on the page as text:
    report it with its line instead, pointing to the block that does the job."""
    breaks = 0
    for part in tok.children or ():
        breaks += part.type in ("softbreak", "hardbreak") or bool(part.meta.get("fg_joined_break"))
        if part.type != "text" or "<" not in part.content:
            continue
        m = _TAG.search(part.content)
        if m is None:
            continue
        tag = m.group(1).lower()
        if tag in ("iframe", "video", "embed", "object", "script"):
            hint = ("Embed a video with the video block: ::: video src=\"https://www.youtube.com/watch?v=…\" "
                    "then ::: on the next line (docs/blocks.md#video). It loads nothing until the visitor clicks.")
        else:
            hint = ("Write it in Markdown (**bold**, lists, ![image](/images/x.png)), use a block (docs/blocks.md), "
                    "or set site.allow_html: true if everyone editing pages/ is trusted. To show the tag as text, "
                    "put it in `backticks`.")
        result.problems.append((line + breaks if line else line, f"raw HTML <{tag}> in the page, but site.allow_html is off: it would be "
                                      "printed on the page as text", hint))


def make_markdown(allow_html: bool = False):
    """One configured parser per process (building one costs ~10 ms)."""
    if allow_html in _MD_CACHE:
        return _MD_CACHE[allow_html]
    from markdown_it import MarkdownIt
    from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin
    from mdit_py_plugins.container import container_plugin
    from mdit_py_plugins.front_matter import front_matter_plugin

    from .typeset import markdown_plugin

    md = MarkdownIt("commonmark", {"html": allow_html, "typographer": False}).enable("table").enable("strikethrough")
    md.use(front_matter_plugin)
    md.use(attrs_plugin, allowed=ALLOWED_ATTRS)
    md.use(attrs_block_plugin, allowed=ALLOWED_ATTRS)
    md.use(markdown_plugin)  # Japanese: no space at soft breaks between CJK lines, headings set in phrases
    # One container rule for all blocks (one rule per name would scan every line 8 times).
    container_plugin(md, "block", validate=lambda params, *_: params.strip().split(" ", 1)[0] in BLOCKS)
    # Accept every link while parsing so unsafe ones can be *reported* with a
    # line number (markdown-it would silently render them as text otherwise).
    md.validateLink = lambda url: True
    md.add_render_rule("image", _image_rule)
    _MD_CACHE[allow_html] = md
    return md


def render_markdown(text: str, block: Callable[[BlockCall], str], allow_html: bool = False,
                    prefix: str = "/", image: Callable | None = None) -> RenderResult:
    """Render page Markdown; `block` turns each container into HTML (a theme partial); `image(src, alt, attrs,
    line)` may replace an image's HTML (None keeps markdown-it's <img>). Root-relative links and images
    (`/downloads/a.pdf`) move under `prefix`, the base_url's path (GitHub Pages project sites)."""
    from urllib.parse import unquote

    from .urls import unsafe_url_reason

    md = make_markdown(allow_html)
    text = text.removeprefix("\ufeff")  # a BOM would hide the front matter (pages.split_front_matter drops it too)
    env: dict = {"fg_image": image} if image else {}
    tokens = md.parse(text, env)
    result = RenderResult("")

    def check_links(toks, line):
        """Neutralise and report unsafe href/src values."""
        for tok in toks:
            if tok.children:
                check_links(tok.children, line)
            if tok.type == "image":
                tok.meta["line"] = line
            for attr in ("href", "src"):
                url = tok.attrs.get(attr) if tok.attrs else None
                if url is None:
                    continue
                reason = unsafe_url_reason(unquote(str(url)))  # markdown-it encodes `java\tscript:` as java%09script:
                if reason:
                    result.problems.append((line, f"link '{url}' {reason}", "Link to an https:// page or a site path."))
                    tok.attrs[attr] = "#"
                elif not (image and tok.type == "image") and under_prefix(prefix, str(url)) != str(url):
                    # (an image the media pipeline takes gets its own URL, under the prefix already)
                    tok.attrs[attr] = under_prefix(prefix, str(url))

    line = None
    for tok in tokens:
        if tok.map:
            line = tok.map[0] + 1
        check_links([tok], line)
        if allow_html:
            check_raw_html(tok, line, result)
        elif tok.type == "inline":
            check_html_as_text(tok, line, result)
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
