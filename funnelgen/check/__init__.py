"""`funnelgen check`: every rule over a site, built into a temporary folder (src/dist is never touched).

The rules themselves live in funnelgen/rules/ (below the build, which runs the error-level ones on every
page); this command loads the site the one way every command does (build.load_site), renders it with a
strict PageChecker and reports what the rules found, grouped by file (check/report.py).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from ..errors import BuildError, Problem

SCHEMA_RULE = ("config.schema", "funnelgen cannot read the site until site.yml and the pages' front matter are valid.")
RENDER_RULE = ("render.page", "Unsafe or unknown content in a page is left out of the built site.")


def _tag(problems, rule_id: str, why: str = "") -> list[Problem]:
    return [p if p.rule else replace(p, rule=rule_id, why=p.why or why) for p in problems]


def check_source(src: Path, *, base_url: str | None = None, preview: bool | None = None, now=None,
                 reporter=None) -> list[Problem]:
    """Load the site in `src`, build it into a temporary folder, run every check (`reporter` sees the pages
    go by: progress on long runs)."""
    from ..build import (
        apply_base_url,
        default_jobs,
        load_site,
        planned_outputs,
        setup_render,
        write_site,
    )
    from ..failures import failure_problems
    from ..output import Staging
    from ..rules import PageChecker

    try:
        site, warnings = load_site(Path(src))
    except BuildError as exc:
        return _tag(exc.problems, *SCHEMA_RULE)
    problems = _tag(warnings, *SCHEMA_RULE)
    tmp = Path(tempfile.mkdtemp(prefix="funnelgen-check-"))
    prep = None
    try:
        if base_url:
            apply_base_url(site, base_url)
        prep = setup_render(site, [])
        staging = Staging(tmp / "out")
        checker = PageChecker.planned(site, staging.root, planned_outputs(prep), preview=preview, now=now,
                                          publishing=True)
        problems += _tag(write_site(prep, staging, default_jobs(), checker, reporter), *RENDER_RULE)
    except Exception as exc:  # noqa: BLE001 - known failures become problems, the rest is re-raised
        found = failure_problems(exc, site, prep.theme if prep else None)
        if found is None:
            raise
        problems += _tag(found, *SCHEMA_RULE)
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
