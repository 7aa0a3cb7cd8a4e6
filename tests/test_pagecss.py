"""Per-page CSS: a rule leaves a page only when it cannot match it (funnelgen/pagecss.py)."""

import pytest

from funnelgen.pagecss import page_classes, prune_page_css, used_css

CSS = (".plan{a:1}.hero h1{b:2}.bump,.hero{c:3}.sticky.is-on{d:4}:is(.x,.y) .z{e:5}"
       "@media (min-width:48rem){.plans-2{f:6}.hero{g:7}}@media print{.plan{h:8}}body{i:9}")


def test_rules_naming_an_absent_class_are_dropped_and_the_rest_kept():
    out = used_css(CSS, {"hero", "sticky", "is-on"})
    assert ".plan{" not in out and ".plans-2" not in out and "@media print" not in out
    assert ".hero h1{b:2}" in out and ".bump,.hero{c:3}" in out  # one selector of the list may match
    assert ".sticky.is-on{d:4}" in out  # is-on is added by the runtime
    assert ":is(.x,.y) .z{e:5}" in out  # alternatives: kept
    assert "@media (min-width:48rem){.hero{g:7}}" in out and "body{i:9}" in out


def test_a_page_keeps_the_rules_for_what_it_contains():
    html = f'<html><head><style>{CSS}</style></head><body><div class="plan hero">x</div></body></html>'
    assert page_classes(html) >= {"plan", "hero"}
    out = prune_page_css(html)
    assert ".plan{a:1}" in out and "@media print{.plan{h:8}}" in out and ".plans-2" not in out
    assert out.endswith('<body><div class="plan hero">x</div></body></html>')


def test_the_built_opt_in_keeps_its_form_styles_and_drops_plan_tables(tmp_path):
    from helpers import copy_example

    from funnelgen.build import build

    src = copy_example(tmp_path / "site")
    build(src, tmp_path / "out")
    html = (tmp_path / "out" / "optin" / "index.html").read_text(encoding="utf-8")
    style = html.split("<style>", 1)[1].split("</style>", 1)[0]
    assert ".fg-form" in style and ".field label" in style and ".sticky" in style
    assert ".plan{" not in style and ".bump{" not in style


@pytest.mark.parametrize("html", [
    '<p class="a b">x</p><div\tclass="c">y</div><span\nclass="">z</span>',
    '<p class="a">x</p><b data-x=" class=" y">z</b>',  # a class attribute's text inside another attribute
    '<p class="a class="b">x</p><i class="c">y</i>',  # unclosed: the browser reads `a class=`
    'class="first"<p xclass="no">x</p>',  # no space before: not an attribute
    '<p class="a">x</p><p\u3000class="wide">y</p>',  # Unicode space counts, as `\s` does
])
def test_page_classes_finds_what_the_attribute_pattern_finds(html):
    from funnelgen.pagecss import _CLASS_ATTR, RUNTIME_CLASSES, page_classes

    expected = set(RUNTIME_CLASSES).union(*(v.split() for v in _CLASS_ATTR.findall(html)))
    assert page_classes(html) == expected


def test_only_the_first_style_element_is_pruned():
    from funnelgen.pagecss import prune_page_css

    html = '<style>.gone{a:b}.kept{c:d}</style><p class="kept">x</p><style>.gone{e:f}</style>'
    assert prune_page_css(html) == '<style>.kept{c:d}</style><p class="kept">x</p><style>.gone{e:f}</style>'
    assert prune_page_css("<p>no style</p>") == "<p>no style</p>"
