"""The funnel-graph rules of validate.py, listed here so `funnelgen check` and docs/check.md name them.

They run inside every build's load stage (build.load_site), before anything is rendered.
"""

from __future__ import annotations

from .. import validate
from .registry import register

for _rule in validate.RULES:
    register(_rule.id, "graph", _rule.fn, area="integrity", why=_rule.why, title=_rule.title)
