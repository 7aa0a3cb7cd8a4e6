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

import functools
import re

RUNTIME_CLASSES = frozenset({"is-on"})  # classes funnel.js toggles (runtime/funnel.js, the sticky bar)
_CLASS_ATTR = re.compile(r'\sclass="([^"]*)"')
_CLASS_IN_SELECTOR = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
_KEEP_ALWAYS = (":is(", ":has(", ":not(", ":where(")


def page_classes(html: str) -> set[str]:
    r"""Every class named in a class attribute of the page (what `_CLASS_ATTR` finds; splitting on the literal
    is ten times faster than the pattern, whose leading `\s` defeats the literal search)."""
    out: set[str] = set(RUNTIME_CLASSES)
    parts = html.split('class="')
    for before, part in zip(parts, parts[1:], strict=False):
        end = part.find('"')
        if end < 0:  # an unclosed value runs on into the next part: let the pattern decide
            return out.union(*(value.split() for value in _CLASS_ATTR.findall(html)))
        if before[-1:].isspace():
            out.update(part[:end].split())
    return out


def _needs(selector: str) -> frozenset[str]:
    """The classes a page must have for `selector` to match it (none: it may match any page)."""
    if any(k in selector for k in _KEEP_ALWAYS):
        return frozenset()
    return frozenset(_CLASS_IN_SELECTOR.findall(selector))


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


@functools.lru_cache(maxsize=16)
def _parse(css: str) -> tuple:
    """The stylesheet as (text, needs, children) items, parsed once per stylesheet and process: parsing it for
    every page was a quarter of a cold build's time. A rule is kept when a page has every class of one of its
    `needs`; an at-rule with `children` is kept when one of them is."""
    items = []
    for prelude, body in _blocks(css):
        if prelude.startswith("@"):
            if prelude.startswith(("@media", "@supports", "@layer")):
                items.append((prelude, (), _parse(body)))
            else:  # @font-face, @keyframes …: kept whole
                items.append((f"{prelude}{{{body}}}", (frozenset(),), None))
            continue
        items.append((f"{prelude}{{{body}}}", tuple({_needs(s) for s in prelude.split(",")}), None))
    return tuple(items)


def used_css(css: str, classes: set[str]) -> str:
    """`css` without the rules that cannot match a page whose classes are `classes`."""
    return _used(_parse(css), classes)


def _used(items: tuple, classes: set[str]) -> str:
    out = []
    for text, needs, children in items:
        if children is not None:
            inner = _used(children, classes)
            if inner:
                out.append(f"{text}{{{inner}}}")
        elif any(need <= classes for need in needs):
            out.append(text)
    return "".join(out)


def prune_page_css(html: str) -> str:
    """The page with its first inline `<style>` reduced to the rules that can match it."""
    start = html.find("<style>")
    end = html.find("</style>", start + 7) if start >= 0 else -1
    if end < 0:
        return html
    return html[:start + 7] + used_css(html[start + 7:end], page_classes(html)) + html[end:]
