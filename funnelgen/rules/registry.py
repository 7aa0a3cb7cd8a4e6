"""The rule registry: every check, with its id, area, reason and the functions that run it.

A rule has up to three parts, each a plain function registered with @rule under the same id:
- a site part, `fn(ctx)`, run once per build on the model (site.yml, front matter);
- a page part, `fn(ctx, page)`, run on every built page, one page at a time (inside the render workers);
- an output part, `fn(ctx)`, run once after every file is written.
Graph rules (funnelgen/validate.py) run inside every build's load stage; rules/graph.py lists them here
so `funnelgen check` and docs/check.md name them. The runner stamps each Problem with the rule's id and
"why", so a new rule is one small function in a rules module plus its line in docs/check.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from ..errors import Problem

AREAS = ("integrity", "tracking", "jp", "eu", "us")
PARTS = ("site", "page", "output", "graph")


@dataclass
class Rule:
    id: str
    area: str  # integrity | tracking | jp | eu | us
    why: str
    severity: str = "error"  # the worst it reports (docs); each Problem carries its own severity
    title: str = ""
    site: Callable | None = None
    page: Callable | None = None
    output: Callable | None = None
    graph: Callable | None = None

    @property
    def doc(self) -> str:
        if self.title:
            return self.title
        fn = self.site or self.page or self.output or self.graph
        return (fn.__doc__ or "").strip().split("\n\n")[0] if fn else ""


RULES: list[Rule] = []
_BY_ID: dict[str, Rule] = {}


def register(id: str, part: str, fn: Callable, *, area: str, why: str, severity: str = "error",
             title: str = "") -> Rule:
    """Add `fn` as the `part` of rule `id` (creating the rule on first use)."""
    existing = _BY_ID.get(id)
    if existing is None:
        existing = Rule(id=id, area=area, why=why, severity=severity, title=title)
        RULES.append(existing)
        RULES.sort(key=lambda r: AREAS.index(r.area))  # listed and documented in area order
        _BY_ID[id] = existing
    elif getattr(existing, part) is not None:
        raise ValueError(f"rule {id} already has a {part} part")
    elif severity == "error":
        existing.severity = "error"
    setattr(existing, part, fn)
    return existing


def rule(id: str, *, area: str, why: str, severity: str = "error", html: bool = False, output: bool = False):
    """Register a check part: a site part by default, a page part with `html=True` (then the function
    takes `(ctx, page)`), an output part with `output=True`."""
    part = "page" if html else "output" if output else "site"

    def deco(fn):
        register(id, part, fn, area=area, why=why, severity=severity)
        return fn
    return deco


def audience_rule(area: str):
    """A `rule` decorator for one audience's law: it only runs when ctx.jp / ctx.eu / ctx.us is set."""
    def make(id: str, **kw):
        def deco(fn):
            def for_audience(ctx, *page):
                return fn(ctx, *page) if getattr(ctx, area) else ()
            for_audience.__doc__ = fn.__doc__
            for_audience.__name__ = fn.__name__
            rule(id, area=area, **kw)(for_audience)
            return fn
        return deco
    return make


def stamp(r: Rule, found) -> list[Problem]:
    return [replace(p, rule=r.id, why=r.why) for p in found or ()]
