"""The statistics of the results report, with the standard library only (math.erf, math.lgamma).

Why not scipy/numpy: the report needs six formulas, not a numerical stack of tens of megabytes in a tool
that otherwise installs in seconds; each formula is short, and tests/test_report_stats.py checks every
one against a published value (docs/report.md#statistics names the sources).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

GRID_SD = 12  # the probability-best integral covers each posterior's mean ± 12 standard deviations
GRID_POINTS = 801  # points per posterior on that range (about 0.03 sd apart)


def norm_cdf(x: float) -> float:
    """Φ(x), the standard normal distribution function."""
    return 0.5 * math.erfc(-x / math.sqrt(2))


def norm_ppf(p: float) -> float:
    """Φ⁻¹(p) by bisection on Φ: slow-ish (100 halvings) but exact to the last bit that matters."""
    if not 0 < p < 1:
        raise ValueError(f"probability {p} is not between 0 and 1")
    lo, hi = -40.0, 40.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if norm_cdf(mid) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def z_two_sided(confidence: float) -> float:
    """The z with confidence between -z and z (1.959964 for 0.95)."""
    return norm_ppf(1 - (1 - confidence) / 2)


def wilson(conversions: int, visitors: int, confidence: float) -> tuple[float, float] | None:
    """Wilson score interval for a proportion (Wilson 1927; Newcombe 1998, method 3). Unlike p ± z·se it
    stays inside 0..1 and does not collapse to a point at 0 or all conversions, which small steps often have."""
    if visitors <= 0:
        return None
    z = z_two_sided(confidence)
    p, n = conversions / visitors, visitors
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Comparison:
    """A challenger against the control: which test, its statistic and p-value."""

    test: str  # "z" (two-proportion z-test, pooled) or "fisher" (Fisher's exact test, two-sided)
    p_value: float
    z: float | None
    min_expected: float


def z_test(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float]:
    """Two-proportion z-test with the pooled proportion (H0: p1 = p2); returns (z, two-sided p).
    z > 0 when the second group converts better."""
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 0.0, 1.0
    z = (x2 / n2 - x1 / n1) / se
    return z, math.erfc(abs(z) / math.sqrt(2))


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p of Fisher's exact test for the table [[a, b], [c, d]]: the probability, with the margins
    fixed, of every table no more likely than the observed one (R's fisher.test convention)."""
    row1, col1, n = a + b, a + c, a + b + c + d
    lo, hi = max(0, row1 + col1 - n), min(row1, col1)
    denom = _log_choose(n, row1)

    def prob(k: int) -> float:
        return math.exp(_log_choose(col1, k) + _log_choose(n - col1, row1 - k) - denom)

    observed = prob(a)
    return min(1.0, sum(p for k in range(lo, hi + 1) if (p := prob(k)) <= observed * (1 + 1e-7)))


def expected_cells(x1: int, n1: int, x2: int, n2: int) -> float:
    """The smallest expected count of the 2×2 table (variant × converted / not) under H0."""
    total, conv = n1 + n2, x1 + x2
    return min(n * k / total for n in (n1, n2) for k in (conv, total - conv))


def compare(x1: int, n1: int, x2: int, n2: int) -> Comparison:
    """z-test when every expected cell is at least 5 (the usual rule for the normal approximation);
    Fisher's exact test otherwise."""
    smallest = expected_cells(x1, n1, x2, n2)
    if smallest < 5:
        return Comparison("fisher", fisher_exact(x2, n2 - x2, x1, n1 - x1), None, smallest)
    z, p = z_test(x1, n1, x2, n2)
    return Comparison("z", p, z, smallest)


def _beta_pdf(x: float, a: float, b: float, log_norm: float) -> float:
    if x <= 0:
        return math.exp(-log_norm) if a == 1 else 0.0
    if x >= 1:
        return math.exp(-log_norm) if b == 1 else 0.0
    return math.exp((a - 1) * math.log(x) + (b - 1) * math.log1p(-x) - log_norm)


def probability_best(groups: list[tuple[int, int]]) -> list[float]:
    """P(variant i has the highest conversion rate) for (conversions, visitors) pairs, each rate with a
    Beta(1 + conversions, 1 + non-conversions) posterior (uniform prior).

    Numeric integration, not Monte Carlo: P_i = ∫ f_i(x) Π_{j≠i} F_j(x) dx by the trapezoid rule on one grid
    that puts GRID_POINTS points across mean ± GRID_SD sd of every posterior; each F_j is the running
    integral of f_j on that grid. Deterministic, and within 1e-4 of Evan Miller's closed form for two
    variants (tests/test_report_stats.py).
    """
    params = [(1 + x, 1 + max(0, n - x)) for x, n in groups]
    grid: set[float] = set()
    for a, b in params:
        mean = a / (a + b)
        sd = math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
        lo, hi = max(0.0, mean - GRID_SD * sd), min(1.0, mean + GRID_SD * sd)
        grid.update(lo + (hi - lo) * i / (GRID_POINTS - 1) for i in range(GRID_POINTS))
    xs = sorted(grid)
    pdfs = []
    for a, b in params:
        log_norm = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
        pdfs.append([_beta_pdf(x, a, b, log_norm) for x in xs])
    cdfs = []
    for f in pdfs:
        run, acc = [0.0], 0.0
        for k in range(1, len(xs)):
            acc += (f[k - 1] + f[k]) / 2 * (xs[k] - xs[k - 1])
            run.append(acc)
        cdfs.append([v / acc for v in run] if acc > 0 else run)
    out = []
    for i in range(len(params)):
        vals = [pdfs[i][k] * math.prod(cdfs[j][k] for j in range(len(params)) if j != i) for k in range(len(xs))]
        out.append(sum((vals[k - 1] + vals[k]) / 2 * (xs[k] - xs[k - 1]) for k in range(1, len(xs))))
    total = sum(out)
    return [v / total for v in out] if total > 0 else [1 / len(out)] * len(out)


def sample_size(p1: float, p2: float, alpha: float, power: float = 0.8) -> int | None:
    """Visitors per variant for a two-sided test at `alpha` to detect p1 → p2 with `power`
    (normal approximation without continuity correction, Fleiss, Levin & Paik 2003, eq. 4.14).
    None when there is no difference to detect."""
    if p1 == p2 or not (0 <= p1 <= 1 and 0 <= p2 <= 1):
        return None
    za, zb = norm_ppf(1 - alpha / 2), norm_ppf(power)
    pbar = (p1 + p2) / 2
    n = (za * math.sqrt(2 * pbar * (1 - pbar)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / (p1 - p2) ** 2
    return math.ceil(n)
