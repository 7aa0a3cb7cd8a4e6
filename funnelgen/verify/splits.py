"""verify walks every variant of every path, forced, and expects what that variant sends.

A path crossing split tests is walked once per variant: walk k forces the k-th variant of every experiment on
the path (its last one when it has fewer), so each variant of each step is walked without multiplying the
experiments together. The variant is forced the way `?fg_variant=` forces it (sessionStorage, for the tab),
set before any page runs; a test with a winner is walked as everyone sees it: the winner.
"""

from __future__ import annotations

import json
from dataclasses import replace

from ..variants import shown, view


def with_variants(site, paths: list) -> list:
    """Every path, once per variant of the live split tests on it (ids get the variant: blog-1-b)."""
    out = []
    for path in paths:
        tests: dict[str, list[str]] = {}
        for sid in path.step_ids:
            split = site.steps[sid].split
            if split is not None and split.live:
                tests.setdefault(split.experiment, [v.id for v in split.variants])
        if not tests:
            out.append(path)
            continue
        for k in range(max(len(ids) for ids in tests.values())):
            forced = {e: ids[min(k, len(ids) - 1)] for e, ids in tests.items()}
            out.append(replace(path, id=f"{path.id}-{'-'.join(dict.fromkeys(forced.values()))}", variants=forced))
    return out


def force_script(variants: dict) -> str:
    """A browser init script: the variants this walk forces, where the head script looks for a forced one."""
    sets = "".join(f"sessionStorage.setItem({json.dumps('fg_x_' + e)},{json.dumps(v)});" for e, v in variants.items())
    return f"try{{{sets}}}catch(e){{}}"


def as_walked(step, variants: dict):
    """The step as this walk sees it: the forced variant of a live test, a finished test's winner."""
    split = step.split
    if split is None or not split.variants:
        return step
    if split.live:
        return view(step, variants.get(split.experiment, step.variant))
    return view(step, shown(step))
