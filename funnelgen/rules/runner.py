"""Run the rules over a site: page parts on each page as it is rendered, the rest once it is written.

The build hands every rendered page to a `PageChecker` (inside its render workers: one parse per page,
no second pass over the files), then calls `finish()` once every file is on disk: anchors into other
pages, the legal/privacy/404 pages, and the site and output parts of every rule.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..errors import Problem
from .context import BuiltPage, CheckContext, Outputs, PlannedOutputs, WrittenOutputs, special_pages
from .registry import RULES, stamp


class PageChecker:
    """Every rule, every finding: errors and warnings alike. The caller decides what stops it (a build stops
    on errors and counts the warnings; `--strict` and `funnelgen check` treat warnings as errors)."""

    def __init__(self, site, outputs: Outputs, *, preview: bool | None = None, now=None, publishing: bool = False):
        self.site, self.outputs = site, outputs
        self.options = {"preview": preview, "now": now, "publishing": publishing}
        self.ctx = CheckContext(site, outputs, **self.options)
        self.rules = list(RULES)

    @classmethod
    def planned(cls, site, out_dir: Path, planned: set[str], previous=None, **kw) -> PageChecker:
        """For a build that is still writing `out_dir` (its manifest is `planned`); `previous(relpath)` finds a
        file an in-place build keeps from the previous output (output.Staging.previous)."""
        return cls(site, PlannedOutputs(site, out_dir, planned, previous), **kw)

    @classmethod
    def written(cls, site, out_dir: Path, **kw) -> PageChecker:
        """For a folder whose files all exist (serve's single-page saves)."""
        return cls(site, WrittenOutputs(site, out_dir), **kw)

    def check_page(self, page: BuiltPage) -> list[Problem]:
        ctx = self.ctx
        try:
            return [p for r in self.rules if r.page for p in stamp(r, r.page(ctx, page))]
        finally:
            page.release()
            ctx.forget_source(page.step)

    def __call__(self, ref, html: str, variants: list | None = None) -> tuple[list[Problem], list]:
        """Check one rendered (step, variant) page; returns (problems, deferred anchor questions).

        A split test's page is checked as each visitor sees it: every (step as the variant, document)."""
        self.ctx.deferred = []
        pages = [BuiltPage(ref.url, ref.output, "step", s, s.variant, html=h) for s, h in variants or [(ref.step, html)]]
        found = [p for page in pages for p in self.check_page(page)]
        unique = {(p.file, p.line, p.key, p.message): p for p in found}  # a finding in every variant is one finding
        return list(unique.values()), self.ctx.deferred

    def finish(self, deferred: list) -> list[Problem]:
        """After every file is written: deferred anchors, the legal/privacy/404 pages, and the site and
        output parts of the rules."""
        written = WrittenOutputs(self.site, self.outputs.out, self.outputs.previous)
        ctx = CheckContext(self.site, written, **self.options)
        link_rule = next(r for r in RULES if r.id == "links.resolve")
        problems = [replace(problem, rule=link_rule.id, why=link_rule.why) for path, frag, problem in deferred
                    if (ids := written.anchor_ids(path)) is not None and frag not in ids]
        finisher = PageChecker(self.site, written, **self.options)
        for page in special_pages(self.site):
            page.path = written.out / page.rel
            if page.path.is_file():
                problems += finisher.check_page(page)
        for r in self.rules:
            for part in (r.site, r.output):
                if part is not None:
                    problems += stamp(r, part(ctx))
        return problems
