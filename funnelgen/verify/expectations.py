"""What the built site must do on a path, as the browser will see it (funnel.js's attribution rules)."""

from __future__ import annotations


def expected_funnel(site, entries: dict[str, str], path, upto: int) -> list[str]:
    """fg_funnel funnel.js reports on each step of `path` (up to index `upto`, inclusive).

    The funnel a visitor entered through is kept for the session (and re-set on any funnel's entry
    page); a step outside that funnel reports its own first funnel.
    """
    current = path.funnel
    out = []
    for hop in path.hops[: upto + 1]:
        step = site.steps[hop.step]
        if hop.step in entries:
            current = entries[hop.step]
        out.append(current if current in step.funnels else (step.funnels[0] if step.funnels else ""))
    return out
