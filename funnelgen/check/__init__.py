"""`funnelgen check`: what breaks a funnel or the law, before it goes live.

Rules live in rules_*.py, one decorated function each (registry.rule). Site
rules read the model; html rules read the built pages, parsed once each.

- run_checks(site, out_dir) -> every problem (errors and warnings);
- PageChecker -> the error-level ones, run inside every build (and serve's full
  rebuilds) on each page as it is rendered, before the staging folder is swapped in;
- page_errors(...) -> the same for one page saved in serve;
- check_source(src) -> loads, builds into a temporary folder and checks.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from ..errors import BuildError, Problem
from . import rules_graph, rules_integrity, rules_intl, rules_jp, rules_tracking  # noqa: F401  (register rules)
from .registry import AREAS, RULES, CheckContext, Rule, run_rules

RULES.sort(key=lambda r: AREAS.index(r.area))  # report and document in area order

__all__ = ["RULES", "Rule", "CheckContext", "PageChecker", "run_checks", "page_errors", "check_source",
           "rule_ids"]


def rule_ids() -> list[str]:
    return [r.id for r in RULES]


def run_checks(site, out_dir: Path | None, *, preview: bool | None = None, now=None) -> list[Problem]:
    """Run every rule on a loaded site and (when out_dir is given) its built pages."""
    ctx = CheckContext(site, out_dir, preview=preview, now=now)
    rules = [r for r in RULES if r.phase != "graph" and (r.phase == "site" or out_dir)]
    return run_rules(ctx, rules)


class PageChecker:
    """The html rules, run on each page right after it is rendered (inside the render workers).

    One parse per page and no second pass over the files. While pages are still being written,
    "does /x/ exist?" is answered from the build's manifest (`planned`), and anchors into other
    pages are settled in finish(), once every file is on disk.
    """

    def __init__(self, site, out_dir: Path, planned: set[str], strict: bool = False, *,
                 preview: bool | None = None, now=None):
        """`strict`: every rule and every severity (what `funnelgen check` reports); else error-level rules."""
        self.site, self.out, self.strict = site, Path(out_dir), strict
        self.options = {"preview": preview, "now": now}
        self.ctx = CheckContext(site, out_dir, **self.options)
        self.ctx.planned = planned
        self.rules = [r for r in RULES if r.phase == "html" and (strict or r.severity == "error")]

    def _keep(self, problems: list[Problem]) -> list[Problem]:
        return problems if self.strict else [p for p in problems if p.severity == "error"]

    def __call__(self, step, html: str) -> tuple[list[Problem], list]:
        from ..build import step_output_path
        from .html import parse_html
        from .registry import Page, _stamp

        ctx = self.ctx
        relpath = step_output_path(self.site, step)
        page = Page(step.url, relpath, "step", step, path=self.out / relpath)
        page._doc = parse_html(html)
        ctx.view, ctx.deferred = [page], []
        try:
            found = [p for r in self.rules for p in _stamp(r, r.fn(ctx))]
        finally:
            ctx.view = None
            page.release()
            ctx._sources.pop(step.id, None)
        return self._keep(found), ctx.deferred

    def finish(self, deferred: list) -> list[Problem]:
        """After every file is written: anchors into other pages, the legal/privacy/404 pages, and the
        once-per-build rules."""
        from .registry import _stamp

        ctx = CheckContext(self.site, self.out, **self.options)  # the files exist now
        link_rule = next(r for r in RULES if r.id == "links.resolve")
        problems = [replace(problem, rule=link_rule.id, why=link_rule.why) for path, frag, problem in deferred
                    if (other := ctx.page_at(path)) is not None and frag not in other.ids]
        for page in ctx.all_pages:
            if page.role == "step" or not page.path.is_file():
                continue
            ctx.view = [page]
            problems += [p for r in self.rules for p in _stamp(r, r.fn(ctx))]
            ctx.view = None
            page.release()
        once = [r for r in RULES if r.phase in ("site", "output") and (self.strict or r.severity == "error")]
        problems += run_rules(ctx, once)
        return self._keep(problems)


def page_errors(site, out_dir: Path, step, html: str, ctx: CheckContext | None = None) -> list[Problem]:
    """Error-level html rules for one freshly rendered page, checked before it is written (serve's page
    edits). Pass the same `ctx` for every save of one build so its indexes are made once."""
    from ..build import step_output_path
    from .html import parse_html
    from .registry import Page, _stamp

    relpath = step_output_path(site, step)
    page = Page(step.url, relpath, "step", step, path=Path(out_dir) / relpath)
    page._doc = parse_html(html)
    ctx = ctx or CheckContext(site, out_dir)
    ctx.view = [page]
    try:
        rules = [r for r in RULES if r.phase == "html" and r.severity == "error"]
        return [p for r in rules for p in _stamp(r, r.fn(ctx)) if p.severity == "error"]
    finally:
        ctx.view = None
        ctx._sources.pop(step.id, None)


def _tag(problems, rule_id: str, why: str = "") -> list[Problem]:
    return [p if p.rule else replace(p, rule=rule_id, why=p.why or why) for p in problems]


def check_source(src: Path, *, base_url: str | None = None, preview: bool | None = None, now=None) -> list[Problem]:
    """Load the site in `src`, build it into a temporary folder, run every check; never touches src/dist."""
    from jinja2 import TemplateError

    from ..build import apply_base_url, default_jobs, planned_outputs, setup_render, write_site
    from ..config import load_config
    from ..model import build_model
    from ..output import DuplicateOutput, Staging
    from ..pages import load_pages
    from ..theme import template_problem

    src = Path(src)
    schema_why = "funnelgen cannot read the site until site.yml and the pages' front matter are valid."
    try:
        config_file, data = load_config(src)
    except BuildError as exc:
        return _tag(exc.problems, "config.schema", schema_why)
    site, problems = build_model(src, config_file, data)
    problems += load_pages(site)
    problems = _tag(problems, "config.schema", schema_why)
    if any(p.severity == "error" for p in problems):
        return problems
    ctx = CheckContext(site, None, preview=preview, now=now)
    problems += run_rules(ctx, [r for r in RULES if r.phase == "graph"])
    if any(p.severity == "error" for p in problems):
        return problems  # the graph must be whole before pages can be rendered

    tmp = Path(tempfile.mkdtemp(prefix="funnelgen-check-"))
    try:
        if base_url:
            apply_base_url(site, base_url)
        prep = setup_render(site, [])  # the site loaded above; warnings are already in `problems`
        staging = Staging(tmp / "out")
        checker = PageChecker(site, staging.root, planned_outputs(prep), strict=True, preview=preview, now=now)
        try:
            problems += _tag(write_site(prep, staging, default_jobs(), checker), "render.page",
                             "Unsafe or unknown content in a page is left out of the built site.")
        except TemplateError as exc:
            return problems + _tag([template_problem(exc, prep.theme, prep.site.src)], "render.template")
        except DuplicateOutput as exc:
            return problems + [Problem(str(config_file), f"two outputs write the same file '{exc}'",
                                       rule="graph.output-paths")]
    except BuildError as exc:
        problems += _tag(exc.problems, "config.schema", schema_why)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return _dedupe(problems)


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for p in problems:
        key = (p.file, p.line, p.key, p.message, p.rule)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
