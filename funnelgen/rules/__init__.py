"""The checks: what breaks a funnel or the law, as rules over the model and the built pages.

The build runs the error-level ones on every page as it renders it (PageChecker); `funnelgen check`
(funnelgen/check/) runs all of them. Rules live in this package's modules, one decorated function per
part (registry.rule); importing the package registers them all.
"""

from __future__ import annotations

from . import (  # noqa: F401
    graph,
    integrity,
    intl,
    jp_advertising,
    jp_industry,
    jp_privacy,
    jp_tokushoho,
    offers,
    placeholders,
    tracking,
)
from .context import BuiltPage, CheckContext, PlannedOutputs, WrittenOutputs, is_preview_env
from .registry import AREAS, RULES, Rule
from .runner import PageChecker

__all__ = ["AREAS", "RULES", "Rule", "BuiltPage", "CheckContext", "PageChecker", "PlannedOutputs", "WrittenOutputs",
           "is_preview_env"]
