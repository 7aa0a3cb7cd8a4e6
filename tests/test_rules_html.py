"""The checks' page model (funnelgen/rules/html.py) on lxml's own iteration answers exactly what a full walk
of the tree answers: the pre-filtered queries (owners, with_class, with_attr, find_tags) miss nothing."""

from __future__ import annotations

import re

import pytest

from funnelgen.rules.html import BLOCKS, RAW, parse_html

TRICKY = """<!DOCTYPE html><html lang="ja"><head><title>最安 1,000円</title>
<meta property="og:image" content="/a.png"><script>var p = "9,800円 purchase";</script>
<style>.price{}</style></head>
<body><!-- 3,000円 in a comment --> tail after comment 500円
<div class="hero  price">本体 <b>1,980<i>円</i></b><p>段落 2,000円</p> 税抜 <span>700</span>円</div>
<ul><li>No.<em>1</em> の講座<ul><li>入れ子 ¥ 5,000</li></ul>後ろ１００％</li></ul>
<template data-fg-consent><a href="/gated/">x</a><p>テンプレ 800円</p></template>
<a id="top" href="/x/?email=a%40b.jp" class="btn">買う</a><p id="">空のid</p>
<section data-fg-plan="basic"><table><tr><th>価格</th><td>3,300円（税込）</td></tr></table></section>
<span>段落の外 ￥100</span><noscript><img src="https://www.facebook.com/tr?id=1"></noscript>
<pre>整形済み 60円</pre><form><label>ラベル <input name="q"></label> 10円</form>
</body></html>"""


def _own_texts(x):
    if x.text:
        yield x.text
    for child in x:
        if isinstance(child.tag, str) and child.tag not in BLOCKS and child.tag not in RAW:
            yield from _own_texts(child)
        if child.tail:
            yield child.tail


def _texts(x):
    if x.text:
        yield x.text
    for child in x:
        if isinstance(child.tag, str) and child.tag not in RAW:
            yield from _texts(child)
        if child.tail:
            yield child.tail


def walked_own_text(el) -> str:
    """own_text as the full Python walk computed it before."""
    return re.sub(r"\s+", " ", "".join(_own_texts(el._x)) if el.tag in BLOCKS else "").strip()


@pytest.mark.parametrize("chars", ["¥￥円", "1１ナ最日世業絶", "税", "段", "z"])
def test_owners_are_exactly_the_blocks_whose_own_text_has_the_characters(chars):
    doc = parse_html(TRICKY)
    walked = [e for e in doc.els if any(c in walked_own_text(e) for c in chars)]
    assert doc.owners(chars) == walked
    assert [e.own_text for e in doc.owners(chars)] == [walked_own_text(e) for e in walked]
    if chars == "z":
        assert walked == [] and not doc.may_contain(chars)


def test_texts_ids_classes_and_attributes_match_a_full_walk():
    doc = parse_html(TRICKY)
    for el in doc.els:
        expected = el._x.text if el.tag in RAW else "".join(_texts(el._x))
        assert el.text == re.sub(r"\s+", " ", expected or "").strip()
    assert doc.ids == {e.attrs["id"] for e in doc.els if e.attrs.get("id")} == {"top"}
    assert doc.with_class("price") == [e for e in doc.els if e.has_class("price")] != []
    assert doc.with_class("btn") == [e for e in doc.els if e.has_class("btn")] != []
    assert doc.with_attr("data-fg-plan", "basic") == [e for e in doc.els if e.get("data-fg-plan") == "basic"] != []
    assert doc.find_tags("del", "a", "img") == [e for e in doc.els if e.tag in ("del", "a", "img")]
    assert doc.in_order(list(reversed(doc.els)) + doc.els[:3]) == doc.els
    assert "3,000円" not in doc.text and "9,800円" not in doc.text and "500円" in doc.text


def test_tree_navigation_is_the_same_elements_each_time():
    doc = parse_html(TRICKY)
    a = doc.find("a", lambda e: e.get("href") == "/x/?email=a%40b.jp")[0]
    assert a.parent is doc.body and a.parent.parent.tag == "html" and a.parent.parent.parent is doc.root
    assert [e.tag for e in a.ancestors()] == ["body", "html", "#document"]
    gated = doc.find("a", lambda e: e.get("href") == "/gated/")[0]
    assert gated.gated and not a.gated
    title, meta = doc.find("title")[0], doc.find("meta")[0]
    assert title.in_head and meta.in_head and not a.in_head and not doc.body.in_head
    assert doc.first_in_body() is doc.body.children[0] and doc.body.children[0].tag == "div"
    li = doc.find("li")[0]
    assert [e.tag for e in li.find()] == ["em", "ul", "li"] and li.find("li")[0].parent.parent is li
    assert doc.root.children == [doc.els[0]] and list(doc.root.descendants()) == doc.els
    assert parse_html("  ").els == [] and parse_html("").owners("円") == [] and parse_html("").text == ""
