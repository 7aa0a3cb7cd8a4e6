"""A cache of parsed front matter, so an unchanged page's YAML is not parsed again.

Every build loads every page's front matter (the funnel model and the build cache's site key read it), and
parsing it with line numbers was a quarter of an unchanged 5,000-page build. An entry is keyed by the front
matter's exact text (plus the parser's own code and PyYAML's version) and holds what `parse_yaml` returned,
in a tagged JSON encoding that keeps every `.line` and `.lines`: a mapping is `["M", line, [key, key_line,
value, ...]]`, a list `["L", line, [item_line, value, ...]]`, a scalar itself. JSON, never pickle: a site
folder cloned from someone else must not run code. What the encoding cannot carry exactly (bytes from
`!!binary`, sets, dates from `!!timestamp`, one node reached twice through a YAML alias) is parsed every time.

The file is checksummed and names the site folder it was written in (its inode), so a damaged file, one
from another funnelgen or one copied in with a cloned site is ignored, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from .yamlsource import LineDict, LineList, parse_yaml

FORMAT = "1"
HEADER = "funnelgen-front-matter"
CACHE_FILE = "front-matter.json"
_SCALARS = (str, int, float, bool, type(None))
_MISSING = object()


class _Uncacheable(Exception):
    """A value the encoding cannot carry exactly."""


def _parser_salt() -> bytes:
    """What a parse depends on besides the text: this format, PyYAML and the code of the parser itself
    (a development checkout changes code without changing funnelgen's version)."""
    import yaml

    from . import __version__, yamlsource

    digest = hashlib.sha256(f"{FORMAT} {__version__} {yaml.__version__} {yamlsource._Base.__name__}\n".encode())
    for module in (yamlsource.__file__, __file__):
        try:
            digest.update(Path(module).read_bytes())
        except OSError:  # no source beside the bytecode: the version alone
            digest.update(b"?")
    return digest.digest()


def encode(node, seen: set[int] | None = None):
    """The tagged JSON form of a parse_yaml result; raises _Uncacheable for anything it cannot carry."""
    kind = type(node)
    if kind in _SCALARS:
        return node
    seen = set() if seen is None else seen
    if id(node) in seen:  # an alias: one object in two places, which _shift_lines would move twice
        raise _Uncacheable
    seen.add(id(node))
    if kind is LineDict and list(node.lines) == list(node) and all(type(k) is str for k in node):
        items: list = []
        for key, value in node.items():
            items += [key, node.lines[key], encode(value, seen)]
        return ["M", node.line, items]
    if kind is LineList and len(node.lines) == len(node):
        items = []
        for line, value in zip(node.lines, node, strict=True):
            items += [line, encode(value, seen)]
        return ["L", node.line, items]
    raise _Uncacheable


def decode(value):
    """The parse_yaml result an encoded value stands for (new objects every time); ValueError for a value
    of the wrong shape."""
    kind = type(value)
    if kind is not list:
        if kind is dict:
            raise ValueError("a mapping is always tagged")
        return value
    tag, line, items = value
    if type(line) is not int or type(items) is not list:
        raise ValueError("not a node")
    if tag == "M" and len(items) % 3 == 0:
        node = LineDict()
        node.lines = lines = {}
        for i in range(0, len(items), 3):
            key, key_line = items[i], items[i + 1]
            if type(key) is not str or type(key_line) is not int or key in lines:
                raise ValueError("not a mapping entry")
            lines[key] = key_line
            node[key] = decode(items[i + 2])
    elif tag == "L" and len(items) % 2 == 0:
        node = LineList(decode(items[i]) for i in range(1, len(items), 2))
        node.lines = items[0::2]
        if not all(type(n) is int for n in node.lines):
            raise ValueError("not a line")
    else:
        raise ValueError(f"unknown node {tag!r}")
    node.line = line
    return node


class FrontMatterCache:
    """Parsed front matter by text, read once per load from <site>/.funnelgen/front-matter.json."""

    def __init__(self, src: Path):
        self.src = Path(src)
        self.file = self.src / ".funnelgen" / CACHE_FILE
        self._salt = hashlib.sha256(_parser_salt())
        self.old: dict = {}
        self.used: dict = {}
        self.hits = self.misses = 0
        self._added = False

    @classmethod
    def load(cls, src: Path) -> FrontMatterCache:
        """The cache of the site in `src`; empty when the file is missing, damaged, from another format or
        written for another folder (never an error)."""
        cache = cls(src)
        cache.old = cache._read()
        return cache

    def _where(self) -> str:
        try:
            return str(os.stat(self.src).st_ino)
        except OSError:
            return "?"

    def _read(self) -> dict:
        try:
            raw = self.file.read_bytes()
            head, _, body = raw.partition(b"\n")
            name, version, where, digest = head.decode("ascii").split(" ")
            if name != HEADER or version != FORMAT or where != self._where():
                return {}
            if digest != hashlib.sha256(body).hexdigest():
                return {}  # truncated or edited by hand
            data = json.loads(body)
        except (OSError, ValueError, UnicodeDecodeError):
            return {}
        return data if isinstance(data, dict) else {}

    def _key(self, front: str) -> str:
        digest = self._salt.copy()
        digest.update(front.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def parse(self, front: str, path: Path | str, offset: int):
        """What `parse_yaml(front, path, line_offset=offset)` returns (a BuildError is raised as it is and
        never cached); the lines are those of the YAML text, exactly as parse_yaml gives them."""
        key = self._key(front)
        encoded = self.old.get(key, self.used.get(key, _MISSING))
        if encoded is not _MISSING:
            try:
                data = decode(encoded)
            except (ValueError, TypeError, IndexError, KeyError, AttributeError, RecursionError):
                pass  # an entry of the wrong shape is never trusted: parse it
            else:
                self.used[key] = encoded
                self.hits += 1
                return data
        self.misses += 1
        data = parse_yaml(front, path, line_offset=offset)
        try:
            encoded = encode(data)
            json.dumps(encoded, ensure_ascii=False).encode("utf-8")  # (a lone surrogate from "\\ud800" cannot)
        except (_Uncacheable, RecursionError, ValueError):
            return data
        self.used[key] = encoded
        self._added = True
        return data

    def save(self) -> None:
        """Write the entries this load used (so the file never grows), atomically; nothing when they are
        the ones already on disk, or when the folder cannot be written."""
        if self.used.keys() == self.old.keys() and not self._added:
            return
        body = json.dumps(self.used, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        head = f"{HEADER} {FORMAT} {self._where()} {hashlib.sha256(body).hexdigest()}\n".encode("ascii")
        tmp = None
        try:
            self.file.parent.mkdir(exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".front-matter.", dir=self.file.parent)
            with os.fdopen(fd, "wb") as fh:
                fh.write(head + body)
            os.replace(tmp, self.file)
            tmp = None
        except OSError:
            pass  # a read-only site folder: the next load parses again
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
