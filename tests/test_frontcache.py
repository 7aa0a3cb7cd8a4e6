"""The front-matter cache returns exactly what parse_yaml returns (values, key order, every line), is
never trusted when damaged or copied in, and leaves problems and output unchanged."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from helpers import copy_example, write_site

from funnelgen import frontcache
from funnelgen.build import build, load_site
from funnelgen.errors import BuildError
from funnelgen.frontcache import CACHE_FILE, FrontMatterCache
from funnelgen.pages import split_front_matter
from funnelgen.yamlsource import LineDict, LineList, parse_yaml

FRONTS = {
    "flat": "title: 無料E-book プレゼント\nheadline: たった3日で\ncta: 今すぐ受け取る\n",
    "nested": "a:\n  b:\n    c: 1\n    d: [x, {e: f}]\n  g: {h: i}\nlast: z\n",
    "list of mappings": "items:\n  - name: 一つ目\n    price: 1980\n  -\n    name: two\n  - [1, [2, 3]]\n  - plain\n",
    "variants": ("title: 販売ページ\nheadline: A\nvariants:\n  b:\n    headline: B案の見出し\n    weight: 30\n"
                 "  c: {headline: C, offer: starter-b, content: \"## 本文\\n続き\"}\n"),
    "scalars": ("int: 42\nneg: -7\nhex: 0x1F\nbig: 12345678901234567890123\nfloat: 3.25\nexp: 1e3\nzero: -0.0\n"
                "inf: .inf\nninf: -.inf\nnan: .nan\nt: yes\nf: false\nn: null\ntilde: ~\nempty:\n"
                "quoted: ''\ndquoted: \"\"\ndate: 2026-12-20 20:00\nversion: '1.0'\n"),
    "merge": ("base: &b {x: 1, y: 2}\nthing:\n  <<: *b\n  y: 3\n  z: 4\nmulti:\n  <<: [*b, {w: 0, x: 9}]\n"),
    "multi-line": ("lit: |\n  一行目\n  二行目\n\nfold: >-\n  folded\n  text\n"
                   "plain: a plain\n  scalar over\n  lines\nq: \"quoted over\n  two lines\"\nafter: 1\n"),
    "comments": "# 見出し案\ntitle: x   # after\n\n# end\n",
    "only comments": "# nothing here\n",
    "top-level list": "- a\n- b: c\n",
    "top-level scalar": "just text\n",
    "flow": "{a: [1, 2, {b: [c]}], d: {}}\n",
    "empty containers": "a: {}\nb: []\nc: [{}, []]\n",
}
# What the encoding cannot carry exactly: parsed every time, still correct.
UNCACHEABLE = {
    "binary": "a: !!binary aGVsbG8=\n",
    "set": "a: !!set {x, y}\n",
    "timestamp": "a: !!timestamp 2026-01-01\n",
    "omap": "a: !!omap [x: 1, y: 2]\n",
    "shared alias": "a: &x {b: 1}\nc: *x\n",
    "shared list": "a: &x [1]\nc: [*x]\n",
}


def same(a, b, where="") -> None:
    """Equal values of the same types, the same key order, and the same .line/.lines everywhere."""
    assert type(a) is type(b), where
    if isinstance(a, float):
        assert repr(a) == repr(b), where  # -0.0 and nan too
        return
    if isinstance(a, dict):
        assert list(a) == list(b), where
        assert a.line == b.line and a.lines == b.lines and list(a.lines) == list(b.lines), where
        for key in a:
            same(a[key], b[key], f"{where}.{key}")
        return
    if isinstance(a, list):
        assert len(a) == len(b), where
        if isinstance(a, LineList):
            assert a.line == b.line and a.lines == b.lines, where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{where}[{i}]")
        return
    assert a == b, where


class Spy:
    """Counts parse_yaml calls made through the cache, by file name."""

    def __init__(self, monkeypatch):
        self.calls: list[str] = []
        monkeypatch.setattr(frontcache, "parse_yaml", self)

    def __call__(self, text, file, line_offset=0):
        self.calls.append(Path(file).name)
        return parse_yaml(text, file, line_offset=line_offset)


def cached(src: Path, front: str, offset: int = 1):
    """Parse through a fresh cache, save, then parse again through another one loaded from disk."""
    first = FrontMatterCache.load(src)
    one = first.parse(front, "pages/x.md", offset)
    first.save()
    second = FrontMatterCache.load(src)
    return one, second.parse(front, "pages/x.md", offset), second


@pytest.mark.parametrize("name", FRONTS)
def test_a_cached_parse_is_the_parse(name, tmp_path, monkeypatch):
    spy = Spy(monkeypatch)
    one, two, second = cached(tmp_path, FRONTS[name])
    assert spy.calls == ["x.md"] and second.hits == 1  # the second came from the file, not the parser
    expected = parse_yaml(FRONTS[name], "pages/x.md", line_offset=1)
    same(one, expected)
    same(two, expected)
    if isinstance(two, (dict, list)):  # new objects every time: a caller may change what it got
        assert two is not one and second.parse(FRONTS[name], "x.md", 1) is not two


def test_lines_are_those_of_the_yaml_text_at_every_depth(tmp_path):
    _one, data, _ = cached(tmp_path, FRONTS["variants"], offset=5)
    assert data.line == 1 and data.lines == {"title": 1, "headline": 2, "variants": 3}
    assert data["variants"].lines == {"b": 4, "c": 7} and data["variants"]["b"].lines == {"headline": 5, "weight": 6}
    _one, data, _ = cached(tmp_path, FRONTS["list of mappings"])
    assert data["items"].lines == [2, 5, 6, 7] and data["items"][0].lines == {"name": 2, "price": 3}


@pytest.mark.parametrize("name", UNCACHEABLE)
def test_what_the_encoding_cannot_carry_is_parsed_every_time(name, tmp_path, monkeypatch):
    spy = Spy(monkeypatch)
    one, two, second = cached(tmp_path, UNCACHEABLE[name])
    assert spy.calls == ["x.md", "x.md"] and second.hits == 0
    expected = parse_yaml(UNCACHEABLE[name], "x.md")
    assert one == expected and two == expected


def test_a_yaml_error_is_raised_as_today_and_never_cached(tmp_path, monkeypatch):
    spy = Spy(monkeypatch)
    bad = "title: a\ntitle: b\n"
    for _ in range(2):
        cache = FrontMatterCache.load(tmp_path)
        with pytest.raises(BuildError) as got:
            cache.parse(bad, "pages/x.md", 1)
        cache.save()
        with pytest.raises(BuildError) as want:
            parse_yaml(bad, "pages/x.md", line_offset=1)
        assert [vars(p) for p in got.value.problems] == [vars(p) for p in want.value.problems]
    assert spy.calls == ["x.md", "x.md"]


EVERY_FILE = ["gift.md", "optin.md", "site.yml", "starter.md", "thanks.md"]


def loads(src: Path, monkeypatch) -> tuple[list[str], object]:
    spy = Spy(monkeypatch)
    site, _warnings = load_site(src, cache=True)
    monkeypatch.undo()
    return sorted(spy.calls), site


def test_a_second_load_parses_only_the_edited_page(tmp_path, monkeypatch):
    src = write_site(tmp_path / "site")
    calls, first = loads(src, monkeypatch)
    assert calls == EVERY_FILE
    calls, second = loads(src, monkeypatch)
    assert calls == []
    assert {s: st.meta for s, st in second.steps.items()} == {s: st.meta for s, st in first.steps.items()}
    (src / "pages" / "gift.md").write_text("---\ntitle: 新しい題\n---\n本文\n", encoding="utf-8")
    calls, third = loads(src, monkeypatch)
    assert calls == ["gift.md"] and third.steps["gift"].meta["title"] == "新しい題"
    with open(src / "site.yml", "a", encoding="utf-8") as fh:
        fh.write("# 追記\n")
    calls, fourth = loads(src, monkeypatch)
    assert calls == ["site.yml"] and fourth.settings.title == first.settings.title
    calls, _ = loads(src, monkeypatch)
    assert calls == []


def test_the_file_holds_only_what_the_last_load_used_and_is_not_rewritten_when_nothing_changed(tmp_path):
    src = write_site(tmp_path / "site")
    load_site(src, cache=True)
    file = src / ".funnelgen" / CACHE_FILE
    assert len(FrontMatterCache.load(src).old) == 5  # four pages and site.yml
    (src / "pages" / "gift.md").write_text("---\ntitle: 新しい題\n---\n本文\n", encoding="utf-8")
    load_site(src, cache=True)
    assert len(FrontMatterCache.load(src).old) == 5  # the old gift entry is gone
    before = file.stat()
    load_site(src, cache=True)
    assert (file.stat().st_ino, file.stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def resign(file: Path, body: bytes) -> None:
    """A file with a correct checksum around `body` (an entry of the wrong shape, not a damaged file)."""
    name, version, where, _digest = file.read_bytes().partition(b"\n")[0].decode().split(" ")
    file.write_bytes(f"{name} {version} {where} {hashlib.sha256(body).hexdigest()}\n".encode() + body)


def set_field(file: Path, index: int, value: str) -> None:
    """Change one field of the header line (name, format, folder, checksum)."""
    head, _, body = file.read_bytes().partition(b"\n")
    fields = head.decode().split(" ")
    assert fields[index] != value
    fields[index] = value
    file.write_bytes(" ".join(fields).encode() + b"\n" + body)


def wrong_shapes(file: Path) -> bytes:
    """Every page's key, each with an entry the decoder must refuse."""
    keys = FrontMatterCache.load(file.parent.parent).old
    return json.dumps(dict(zip(keys, (["X", 1, []], {"a": 1}, ["M", 1, ["k"]], ["L"], ["M", "1", []]),
                               strict=True))).encode()


DAMAGE = {
    "truncated": lambda f: f.write_bytes(f.read_bytes()[:-20]),
    "edited": lambda f: f.write_bytes(f.read_bytes().replace(b'"title"', b'"titel"')),
    "empty": lambda f: f.write_bytes(b""),
    "binary": lambda f: f.write_bytes(b"\xff\xfe\x00garbage\n\x00"),
    "other version": lambda f: set_field(f, 1, "0"),
    "other folder": lambda f: set_field(f, 2, "12345"),
    "not a mapping": lambda f: resign(f, b"[1, 2]"),
    "wrong shapes": lambda f: resign(f, wrong_shapes(f)),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_cache_is_ignored(damage, tmp_path, monkeypatch):
    src = write_site(tmp_path / "site")
    _calls, want = loads(src, monkeypatch)
    DAMAGE[damage](src / ".funnelgen" / CACHE_FILE)
    calls, got = loads(src, monkeypatch)
    assert calls == EVERY_FILE
    assert {s: st.meta for s, st in got.steps.items()} == {s: st.meta for s, st in want.steps.items()}
    calls, _ = loads(src, monkeypatch)
    assert calls == []  # and rewritten whole


def test_a_cache_copied_in_with_the_site_folder_is_not_trusted(tmp_path, monkeypatch):
    src = write_site(tmp_path / "site")
    loads(src, monkeypatch)
    clone = tmp_path / "clone"
    shutil.copytree(src, clone)
    calls, _ = loads(clone, monkeypatch)
    assert calls == EVERY_FILE


def test_a_folder_that_cannot_be_written_is_skipped_silently(tmp_path, monkeypatch):
    src = write_site(tmp_path / "site")
    (src / ".funnelgen").write_text("not a folder")
    for _ in range(2):
        calls, site = loads(src, monkeypatch)
        assert calls == EVERY_FILE and site.steps["gift"].meta["title"] == "gift"


BAD_PAGES = {
    "optin.md": "---\ntitle: a\nheadline: [unclosed\n---\n本文\n",
    "gift.md": "---\ntitle: a\ntitle: b\n---\n本文\n",
    "starter.md": "---\n- a list\n- not a mapping\n---\n本文\n",
    "thanks.md": ("---\ntitle: ありがとう\nvariants:\n  b:\n    headline: B\n    colour: red\n  c:\n    weight: -1\n"
                  "    content: 1\nunknown: x\n---\n本文\n"),
}


def problems_of(src: Path, cache: bool) -> list[dict]:
    with pytest.raises(BuildError) as exc:
        load_site(src, cache=cache)
    return [vars(p) for p in exc.value.problems]


def test_bad_front_matter_gives_the_same_problems_with_and_without_the_cache(tmp_path, monkeypatch):
    src = write_site(tmp_path / "site", pages=BAD_PAGES)
    # a failed load does not save: fill the cache with every page that parses, as an earlier load would have
    cache = FrontMatterCache.load(src)
    for page in BAD_PAGES:
        front, _body, offset = split_front_matter((src / "pages" / page).read_text(encoding="utf-8"))
        try:
            cache.parse(front, src / "pages" / page, offset)
        except BuildError:
            pass
    cache.save()
    assert len(FrontMatterCache.load(src).old) == 2  # starter.md and thanks.md
    want = problems_of(src, cache=False)
    assert {p["file"].rsplit("/", 1)[-1] for p in want} == set(BAD_PAGES)
    spy = Spy(monkeypatch)
    assert problems_of(src, cache=True) == want
    assert sorted(spy.calls) == ["gift.md", "optin.md", "site.yml"]  # the other two came from the cache
    assert problems_of(src, cache=True) == want


def test_a_site_built_twice_with_the_cache_is_byte_identical(tmp_path, monkeypatch):
    import filecmp

    src = copy_example(tmp_path / "site")
    build(src, tmp_path / "one", jobs=1)
    spy = Spy(monkeypatch)
    build(src, tmp_path / "two", jobs=1)
    assert spy.calls == []  # every page's front matter came from the cache
    stack, diffs = [filecmp.dircmp(tmp_path / "one", tmp_path / "two")], []
    while stack:
        c = stack.pop()
        diffs += c.left_only + c.right_only + c.funny_files
        diffs += filecmp.cmpfiles(c.left, c.right, c.common_files, shallow=False)[1]
        stack += c.subdirs.values()
    assert diffs == []


@pytest.mark.parametrize("value", [
    {"a": 1}, ["X", 1, []], ["M", "1", []], ["M", 1, ["k", 1]], ["M", 1, [1, 1, "v"]], ["M", 1, ["k", "2", "v"]],
    ["M", 1, ["k", 1, "v", "k", 2, "w"]], ["M", 1, ["k", True, "v"]], ["L", 1, [1]], ["L", 1, ["1", "v"]],
    ["L", 1, [1, ["M", 2, {}]]], ["L"], ["M", 1], ["L", 1, 2, 3], ["M", 1, "kv"],
])
def test_decode_refuses_an_entry_of_the_wrong_shape(value):
    with pytest.raises((ValueError, TypeError)):
        frontcache.decode(value)


def test_encode_refuses_what_it_cannot_carry():
    node = LineDict(a=1)
    node.line, node.lines = 1, {"a": 1}
    assert frontcache.decode(frontcache.encode(node)) == {"a": 1}
    node.lines = {"b": 1}  # lines that do not match the keys
    with pytest.raises(frontcache._Uncacheable):
        frontcache.encode(node)
    with pytest.raises(frontcache._Uncacheable):
        frontcache.encode([1])  # a plain list is not what parse_yaml makes



def test_a_bad_site_yml_gives_the_same_problems_from_the_cache(tmp_path, monkeypatch):
    import copy

    from helpers import MINIMAL_CONFIG

    config = copy.deepcopy(MINIMAL_CONFIG)
    config["offers"]["starter"]["price"] = "無料"
    config["site"]["colour"] = "red"
    src = write_site(tmp_path / "site", config)
    cache = FrontMatterCache.load(src)
    cache.parse((src / "site.yml").read_text(encoding="utf-8"), src / "site.yml", 0)
    cache.save()
    want = problems_of(src, cache=False)
    assert len(want) == 2 and None not in {p["line"] for p in want}
    spy = Spy(monkeypatch)
    assert problems_of(src, cache=True) == want
    assert spy.calls == []
