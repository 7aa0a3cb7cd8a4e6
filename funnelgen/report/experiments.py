"""Split tests in the figures: every step whose exports name two or more variants is an experiment.

Each challenger is compared with the control (variant 'a', the original; else the first by name) by the
two-proportion z-test (pooled) or, when an expected cell is under 5, Fisher's exact test. With more than one
challenger the level is split between the comparisons (Bonferroni), so the chance of a false winner stays
at 1 - confidence for the whole experiment. Probability best: Beta posteriors, numeric integration.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import stats

POWER = 0.8


@dataclass
class Challenge:
    variant: str
    test: str  # "z" or "fisher"
    p_value: float
    z: float | None
    lift: float | None  # relative: (rate - control rate) / control rate
    significant: bool
    needed_per_variant: int | None  # visitors each of the two needs at 80% power for the observed lift


@dataclass
class Experiment:
    funnel: str
    step: str
    control: str
    variants: list[str]
    alpha: float  # per comparison
    verdict: str  # winner, control_better, keep_running, no_difference, no_lift_yet, no_visitors, no_conversions,
    # incomplete
    winner: str | None = None
    challenges: list[Challenge] = field(default_factory=list)
    probability_best: dict[str, float] = field(default_factory=dict)
    remaining: dict[str, int] = field(default_factory=dict)  # more visitors each variant needs


def analyse(step, confidence: float) -> Experiment | None:
    names = sorted(step.variants)
    if len(names) < 2:
        return None
    control = "a" if "a" in names else names[0]
    ordered = [control] + [v for v in names if v != control]
    alpha = (1 - confidence) / (len(ordered) - 1)
    figs = step.variants
    exp = Experiment(step.funnel, step.step, control, ordered, alpha, "keep_running")
    if not step.complete("variant"):
        exp.verdict = "incomplete"
        return exp
    if any(not figs[v].visitors for v in ordered):
        exp.verdict = "no_visitors"
        return exp
    if not any(figs[v].conversions for v in ordered):
        exp.verdict = "no_conversions"
    c = figs[control]
    need: dict[str, int] = {}
    for v in ordered[1:]:
        f = figs[v]
        cmp = stats.compare(c.conversions, c.visitors, f.conversions, f.visitors)
        lift = (f.rate - c.rate) / c.rate if c.rate else None
        n = stats.sample_size(c.rate, f.rate, alpha, POWER)
        exp.challenges.append(Challenge(v, cmp.test, cmp.p_value, cmp.z, lift, cmp.p_value < alpha, n))
        if n is not None:
            for name in (control, v):
                need[name] = max(need.get(name, 0), n)
    best = stats.probability_best([(figs[v].conversions, figs[v].visitors) for v in ordered])
    exp.probability_best = dict(zip(ordered, best, strict=True))
    exp.remaining = {v: max(0, need[v] - figs[v].visitors) for v in ordered if v in need}
    if exp.verdict == "no_conversions":
        return exp
    better = [ch for ch in exp.challenges if ch.significant and figs[ch.variant].rate > c.rate]
    if better:
        exp.verdict, exp.winner = "winner", max(better, key=lambda ch: figs[ch.variant].rate).variant
    elif all(ch.significant for ch in exp.challenges):
        exp.verdict, exp.winner = "control_better", control
    elif any(exp.remaining.values()):
        exp.verdict = "keep_running"
    elif not need:  # every variant converts exactly alike so far: no lift to size a test for
        exp.verdict = "no_lift_yet"
    else:
        exp.verdict = "no_difference"
    if exp.verdict != "keep_running":
        exp.remaining = {}  # decided (or nothing to decide): more visitors would not change what to do
    return exp


def experiments(funnels, confidence: float) -> list[Experiment]:
    return [e for f in funnels for s in f.steps if (e := analyse(s, confidence))]
