"""One lxml parse per built page, queried through lxml's own iteration.

Rules ask the page for what they look at (`doc.find("a")`, `doc.with_class("price")`, `doc.owners("円")`)
and get `El` wrappers made on demand for just those elements: a page of ~150 elements costs one parse and
a few C-level walks, not a Python copy of the tree. `doc.els` (every element) is still there for the rare
rule that needs document order over everything.
"""

from __future__ import annotations

import re

RAW = {"script", "style"}
# Elements whose text is judged as one unit (a price and its 税込 must share one of these).
BLOCKS = {"p", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "figcaption", "blockquote",
          "summary", "button", "div", "section", "article", "label", "caption", "title", "option", "figure",
          "aside", "header", "footer", "nav", "main", "form", "table", "tr", "ul", "ol", "details", "body",
          "noscript", "template", "select"}
_BLOCK_TAGS = tuple(sorted(BLOCKS))
_ETREE: list = []  # lxml.etree and the parser, imported on first parse
_XPATHS: dict[str, object] = {}


def _etree():
    if not _ETREE:
        from lxml import etree

        # lxml.html's parser with plain elements: the same tree (libxml2's HTML parser), no per-element lookup
        # (fed UTF-8 bytes: libxml2 reads them ~25% faster than a Python str, same tree and line numbers)
        _ETREE.extend((etree, etree.HTMLParser(encoding="utf-8")))
    return _ETREE[0]


def _xpath(expr: str, smart: bool = False):
    if expr not in _XPATHS:
        _XPATHS[expr] = _etree().XPath(expr, smart_strings=smart)
    return _XPATHS[expr]


class El:
    """One element, wrapping its lxml node; attributes and text are read on demand (most rules never ask)."""

    __slots__ = ("tag", "line", "_x", "_doc", "_attrs", "_text", "_own")

    def __init__(self, tag: str, line: int, x, doc: Doc | None):
        self.tag, self.line, self._x, self._doc = tag, line, x, doc
        self._attrs: dict | None = None if x is not None else {}
        self._text: str | None = None
        self._own: str | None = None

    @property
    def attrs(self) -> dict:
        if self._attrs is None:
            self._attrs = dict(self._x.attrib)
        return self._attrs

    @property
    def parent(self) -> El | None:
        if self._x is None:
            return None
        up = self._x.getparent()
        return self._doc.wrap(up) if up is not None else self._doc.root

    @property
    def children(self) -> list[El]:
        if self._x is None:
            return list(self._doc.root_children())
        return [self._doc.wrap(c) for c in self._x.iterchildren(_etree().Element)]

    @property
    def in_head(self) -> bool:
        """Inside <head> (and not inside a <body> within it)."""
        node = self._x
        while node is not None:
            if node.tag == "body":
                return False
            if node.tag == "head":
                return True
            node = node.getparent()
        return False

    @property
    def text(self) -> str:
        """All text inside, whitespace collapsed (script text for <script>)."""
        if self._text is None:
            if self._x is None:
                self._text = ""
            elif self.tag in RAW:
                self._text = " ".join((self._x.text or "").split())  # = re.sub(r"\s+", " ", …).strip()
            else:
                self._text = " ".join("".join(_xpath(_TEXTS)(self._x)).split())
        return self._text

    @property
    def own_text(self) -> str:
        """Text not inside a nested block element (what a reader sees as this block's sentence)."""
        if self._own is None:
            own = "".join(_own_texts(self._x)) if self._x is not None and self.tag in BLOCKS else ""
            self._own = " ".join(own.split())
        return self._own

    def get(self, name: str, default=None):
        if self._attrs is None:
            return self._x.get(name, default)
        return self._attrs.get(name, default)

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
        if self._x is None:
            yield from self._doc.els
            return
        wrap = self._doc.wrap
        for x in self._x.iterdescendants(_etree().Element):
            yield wrap(x)

    def find(self, tag: str | None = None, pred=None) -> list[El]:
        if self._x is None or tag is None:
            return [e for e in self.descendants() if (tag is None or e.tag == tag) and (pred is None or pred(e))]
        wrap = self._doc.wrap
        return [e for e in map(wrap, self._x.iterdescendants(tag)) if pred is None or pred(e)]

    @property
    def gated(self) -> bool:
        """Inert until consent: inside <template data-fg-consent> or a text/plain script with data-fg-consent."""
        if self.tag == "script" and "data-fg-consent" in self.attrs and (self.attrs.get("type") or "") == "text/plain":
            return True
        return self._x is not None and next(self._x.iterancestors("template"), None) is not None

    @property
    def executable(self) -> bool:
        """A <script> the browser runs now (not JSON data, not text/plain, not inside a template)."""
        kind = (self.attrs.get("type") or "").strip().lower()
        return self.tag == "script" and kind in ("", "text/javascript", "module", "application/javascript") \
            and not self.gated

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"<{self.tag} line {self.line} {self.attrs}>"


# The text of an element's subtree in document order, without script/style bodies (their tails count).
_TEXTS = "descendant::text()[not(parent::script) and not(parent::style)]"


def _own_texts(x):
    """Text whose nearest block-level ancestor is x."""
    if x.text:
        yield x.text
    for child in x:
        if isinstance(child.tag, str) and child.tag not in BLOCKS and child.tag not in RAW:
            yield from _own_texts(child)
        if child.tail:
            yield child.tail


def _owner(node):
    """The block element whose own_text holds the text of `node`'s container; None outside any block or in a
    script/style body."""
    while node is not None:
        tag = node.tag
        if tag in BLOCKS:
            return node
        if tag in RAW or not isinstance(tag, str):
            return None
        node = node.getparent()
    return None


class Doc:
    """The parsed page: `root` is a document node above <html>; elements are wrapped once each, on demand."""

    def __init__(self, top=None):
        self._top = top
        self._els: dict = {}
        self.root = El("#document", 1, None, self)
        self._all: list[El] | None = None
        self._ids: set | None = None
        self._all_text: str | None = None
        self._classes: dict[str, list] | None = None
        self._order: dict | None = None

    def close(self) -> None:
        """Drop the wrappers and the tree (they refer to each other)."""
        self._els.clear()
        self._all = self._order = self._classes = None

    def wrap(self, x) -> El:
        el = self._els.get(x)
        if el is None:
            el = self._els[x] = El(x.tag, x.sourceline or 1, x, self)
        return el

    def root_children(self):
        return [self.wrap(self._top)] if self._top is not None else []

    @property
    def els(self) -> list[El]:
        """Every element in document order."""
        if self._all is None:
            self._all = [] if self._top is None else [self.wrap(x) for x in self._top.iter(_etree().Element)]
        return self._all

    @property
    def ids(self) -> set:
        if self._ids is None:
            self._ids = set() if self._top is None else {v for v in _xpath("//@id")(self._top) if v}
        return self._ids

    def find(self, tag: str | None = None, pred=None) -> list[El]:
        if tag is None or self._top is None:
            return [e for e in self.els if (tag is None or e.tag == tag) and (pred is None or pred(e))]
        return [e for e in map(self.wrap, self._top.iter(tag)) if pred is None or pred(e)]

    def find_tags(self, *tags: str, having=None) -> list[El]:
        """Elements of any of `tags`, in document order; with `having(tag, lxml element)`, only those it
        accepts (tested before an El is made)."""
        if self._top is None:
            return []
        if having is None:
            return [self.wrap(x) for x in self._top.iter(*tags)]
        return [self.wrap(x) for x in self._top.iter(*tags) if having(x.tag, x)]

    def with_class(self, name: str) -> list[El]:
        """Elements with class `name` (has_class), in document order."""
        if self._top is None:
            return []
        if self._classes is None:  # one walk for every class a rule asks about
            self._classes = {}
            for x in _xpath("//*[@class]")(self._top):
                for one in dict.fromkeys(x.get("class").split()):
                    self._classes.setdefault(one, []).append(x)
        return [self.wrap(x) for x in self._classes.get(name, ())]

    def with_attr(self, name: str, value: str | None = None) -> list[El]:
        """Elements carrying attribute `name` (equal to `value` when given), in document order."""
        if self._top is None or not re.fullmatch(r"[a-z][a-z0-9-]*", name):
            return [e for e in self.els if name in e.attrs and (value is None or e.attrs[name] == value)]
        found = _xpath(f"//*[@{name}]")(self._top)
        return [e for e in map(self.wrap, found) if value is None or e.get(name) == value]

    def position(self, el: El) -> int:
        """`el`'s index in document order (as in `els`), without wrapping every element."""
        if self._order is None:
            self._order = {x: i for i, x in enumerate(self._top.iter(_etree().Element))}
        return self._order[el._x]

    def in_order(self, els: list[El]) -> list[El]:
        """`els` without repeats, in document order."""
        wanted = {e._x: e for e in els if e._x is not None}
        return [wanted[x] for x in self._top.iter(_etree().Element) if x in wanted] if wanted else []

    def blocks(self) -> list[El]:
        """The block elements (the only ones with an own_text), in document order."""
        return self.find_tags(*_BLOCK_TAGS)

    def may_contain(self, chars: str) -> bool:
        """Could any text of the page (own_text, text, doc.text) contain one of `chars`? False means no; the
        test runs over every text and tail of the page, script bodies included, made in one C call."""
        if self._top is None:
            return False
        if self._all_text is None:
            self._all_text = _etree().tostring(self._top, method="text", encoding=str)
        return any(c in self._all_text for c in chars)

    def owners(self, chars: str) -> list[El]:
        """Block elements whose own_text contains any of `chars`, in document order: a text rule whose pattern
        cannot match without one of them looks only at these."""
        if not self.may_contain(chars):
            return []
        present = [c for c in chars if c in self._all_text]  # libxml2 then tests only those, in C
        found = set()
        for t in _xpath("//text()[" + " or ".join(f"contains(., '{c}')" for c in present) + "]", True)(self._top):
            holder = t.getparent()
            found.add(_owner(holder.getparent() if t.is_tail else holder))
        found.discard(None)
        if not found:
            return []
        return [self.wrap(x) for x in self._top.iter(*_BLOCK_TAGS) if x in found]

    @property
    def body(self) -> El | None:
        if self._top is None:
            return None
        x = next(self._top.iter("body"), None)
        return self.wrap(x) if x is not None else None

    @property
    def text(self) -> str:
        body = self.body
        return body.text if body is not None else ""

    def first_in_body(self) -> El | None:
        body = self.body
        if body is None:
            return None
        return next((self.wrap(c) for c in body._x.iterchildren(_etree().Element)), None)


def parse_html(text: str) -> Doc:
    """Parse with lxml (libxml2: ~10x faster than html.parser, which matters at thousands of pages)."""
    if not text.strip():
        return Doc()
    etree = _etree()
    top = etree.fromstring(text.encode("utf-8"), _ETREE[1])
    if top is None:
        raise etree.ParserError("Document is empty")
    return Doc(top)
