"""Each page carries only the theme's CSS rules that can match it.

Why: the stylesheet is inlined into every page (no render-blocking request), so every rule for plan tables,
order bumps, the consent banner or the application card costs every opt-in page bytes, against a budget of
30 KB for HTML + CSS + first-party JS (tests/test_build_example.py). This is the PurgeCSS idea kept
conservative: a rule is dropped only when each of its selectors names a class that appears in no `class="…"`
of the page and that the runtime never adds (`RUNTIME_CLASSES`). Selectors with `:is()`, `:has()`, `:not()`
or `:where()` are always kept (their classes are alternatives, not requirements); at-rules are filtered
inside and dropped when nothing is left.
"""

from __future__ import annotations

import re

RUNTIME_CLASSES = frozenset({"is-on"})  # classes funnel.js toggles (runtime/funnel.js, the sticky bar)
_CLASS_ATTR = re.compile(r'\sclass="([^"]*)"')
_CLASS_IN_SELECTOR = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
_STYLE = re.compile(r"(<style>)(.*?)(</style>)", re.S)
_KEEP_ALWAYS = (":is(", ":has(", ":not(", ":where(")


def page_classes(html: str) -> set[str]:
    """Every class named in a class attribute of the page."""
    out: set[str] = set(RUNTIME_CLASSES)
    for value in _CLASS_ATTR.findall(html):
        out.update(value.split())
    return out


def _selector_may_match(selector: str, classes: set[str]) -> bool:
    if any(k in selector for k in _KEEP_ALWAYS):
        return True
    return all(name in classes for name in _CLASS_IN_SELECTOR.findall(selector))


def _blocks(css: str):
    """Top-level (prelude, body) pairs of a stylesheet without comments; body without its braces."""
    i, n = 0, len(css)
    while i < n:
        start = css.find("{", i)
        if start < 0:
            return
        depth, j = 1, start + 1
        while j < n and depth:
            depth += {"{": 1, "}": -1}.get(css[j], 0)
            j += 1
        yield css[i:start].strip(), css[start + 1:j - 1]
        i = j


def used_css(css: str, classes: set[str]) -> str:
    """`css` without the rules that cannot match a page whose classes are `classes`."""
    out = []
    for prelude, body in _blocks(css):
        if prelude.startswith("@"):
            if prelude.startswith(("@media", "@supports", "@layer")):
                inner = used_css(body, classes)
                if inner:
                    out.append(f"{prelude}{{{inner}}}")
            else:  # @font-face, @keyframes …: kept whole
                out.append(f"{prelude}{{{body}}}")
            continue
        if any(_selector_may_match(s, classes) for s in prelude.split(",")):
            out.append(f"{prelude}{{{body}}}")
    return "".join(out)


def prune_page_css(html: str) -> str:
    """The page with its first inline `<style>` reduced to the rules that can match it."""
    classes = page_classes(html)
    return _STYLE.sub(lambda m: m.group(1) + used_css(m.group(2), classes) + m.group(3), html, count=1)
