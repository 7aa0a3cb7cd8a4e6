"""One pass of the stdlib html.parser per built page into a small element tree.

Rules query the tree (`doc.find(...)`, `el.text`, `el.own_text`) instead of
re-parsing, so adding a rule costs a walk over a list, not another parse.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
RAW = {"script", "style"}
# Elements whose text is judged as one unit (a price and its 税込 must share one of these).
BLOCKS = {"p", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "figcaption", "blockquote",
          "summary", "button", "div", "section", "article", "label", "caption", "title", "option", "figure",
          "aside", "header", "footer", "nav", "main", "form", "table", "tr", "ul", "ol", "details", "body",
          "noscript", "template", "select"}
_WS = re.compile(r"\s+")


class El:
    __slots__ = ("tag", "attrs", "line", "parent", "children", "in_head", "_parts", "_own", "index")

    def __init__(self, tag: str, attrs: dict, line: int, parent: El | None, in_head: bool, index: int):
        self.tag, self.attrs, self.line, self.parent = tag, attrs, line, parent
        self.children: list[El] = []
        self.in_head = in_head
        self._parts: list[str] = []
        self._own: list[str] = []
        self.index = index

    @property
    def text(self) -> str:
        """All text inside, whitespace collapsed (script text for <script>)."""
        return _WS.sub(" ", "".join(self._parts)).strip()

    @property
    def own_text(self) -> str:
        """Text not inside a nested block element (what a reader sees as this block's sentence)."""
        return _WS.sub(" ", "".join(self._own)).strip()

    def get(self, name: str, default=None):
        return self.attrs.get(name, default)

    def has_class(self, name: str) -> bool:
        return name in (self.attrs.get("class") or "").split()

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def closest(self, pred) -> El | None:
        for node in self.ancestors():
            if pred(node):
                return node
        return None

    def descendants(self):
        for child in self.children:
            yield child
            yield from child.descendants()

    def find(self, tag: str | None = None, pred=None) -> list[El]:
        return [e for e in self.descendants() if (tag is None or e.tag == tag) and (pred is None or pred(e))]

    @property
    def gated(self) -> bool:
        """Inert until consent: inside <template data-fg-consent> or a text/plain script with data-fg-consent."""
        if self.tag == "script" and "data-fg-consent" in self.attrs and (self.attrs.get("type") or "") == "text/plain":
            return True
        return any(a.tag == "template" for a in self.ancestors())

    @property
    def executable(self) -> bool:
        """A <script> the browser runs now (not JSON data, not text/plain, not inside a template)."""
        kind = (self.attrs.get("type") or "").strip().lower()
        return self.tag == "script" and kind in ("", "text/javascript", "module", "application/javascript") \
            and not self.gated

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"<{self.tag} line {self.line} {self.attrs}>"


class Doc:
    def __init__(self, root: El, els: list[El]):
        self.root = root
        self.els = els
        self.ids = {e.attrs["id"] for e in els if e.attrs.get("id")}
        self.by_tag: dict[str, list[El]] = {}
        for e in els:
            self.by_tag.setdefault(e.tag, []).append(e)
        self._body = next(iter(self.by_tag.get("body", [])), None)

    def find(self, tag: str | None = None, pred=None) -> list[El]:
        pool = self.els if tag is None else self.by_tag.get(tag, [])
        return [e for e in pool if pred is None or pred(e)]

    @property
    def body(self) -> El | None:
        return self._body

    @property
    def text(self) -> str:
        return self._body.text if self._body is not None else ""

    def first_in_body(self) -> El | None:
        return self._body.children[0] if self._body is not None and self._body.children else None


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = El("#document", {}, 1, None, False, -1)
        self.stack = [self.root]
        self.els: list[El] = []
        self.in_head = False

    def _open(self, tag, attrs, void):
        attrs_d = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "head":
            self.in_head = True
        elif tag == "body":
            self.in_head = False
        parent = self.stack[-1]
        el = El(tag, attrs_d, self.getpos()[0], parent, self.in_head, len(self.els))
        parent.children.append(el)
        self.els.append(el)
        if not void:
            self.stack.append(el)

    def handle_starttag(self, tag, attrs):
        self._open(tag, attrs, tag in VOID)

    def handle_startendtag(self, tag, attrs):
        self._open(tag, attrs, True)

    def handle_endtag(self, tag):
        if tag == "head":
            self.in_head = False
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        top = self.stack[-1]
        if top.tag in RAW:
            top._parts.append(data)
            return
        for el in self.stack[1:]:
            el._parts.append(data)
        for el in reversed(self.stack):
            if el.tag in BLOCKS:
                el._own.append(data)
                break


def parse_html(text: str) -> Doc:
    parser = _Parser()
    parser.feed(text)
    parser.close()
    return Doc(parser.root, parser.els)
