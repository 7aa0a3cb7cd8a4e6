"""The report's statistics against published values and hand computations (no scipy in the project)."""

from __future__ import annotations

import math

import pytest

from funnelgen.report import stats


def test_normal_quantiles_match_the_tables():
    # Every normal table: z(0.975) = 1.959964, z(0.995) = 2.575829, z(0.8) = 0.841621.
    assert stats.norm_ppf(0.975) == pytest.approx(1.959964, abs=1e-6)
    assert stats.norm_ppf(0.995) == pytest.approx(2.575829, abs=1e-6)
    assert stats.norm_ppf(0.8) == pytest.approx(0.841621, abs=1e-6)
    assert stats.norm_cdf(stats.norm_ppf(0.123)) == pytest.approx(0.123, abs=1e-12)


@pytest.mark.parametrize("x, n, lo, hi", [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605),
                                          (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)])
def test_wilson_matches_newcombe_1998(x, n, lo, hi):
    # Newcombe R.G. (1998), "Two-sided confidence intervals for the single proportion: comparison of seven
    # methods", Statistics in Medicine 17:857-872, Table II, method 3 (score interval without continuity
    # correction), 95%. doi:10.1002/(SICI)1097-0258(19980430)17:8<857::AID-SIM777>3.0.CO;2-E
    got = stats.wilson(x, n, 0.95)
    assert round(got[0], 4) == lo and round(got[1], 4) == hi


def test_wilson_by_hand():
    # 12 of 100 at 95%: centre (0.12 + z²/200)/(1 + z²/100), half z·√(0.12·0.88/100 + z²/40000)/(1 + z²/100).
    z = 1.959963984540054
    centre = (0.12 + z * z / 200) / (1 + z * z / 100)
    half = z * math.sqrt(0.12 * 0.88 / 100 + z * z / 40000) / (1 + z * z / 100)
    assert stats.wilson(12, 100, 0.95) == pytest.approx((centre - half, centre + half), abs=1e-12)
    assert stats.wilson(0, 0, 0.95) is None


def test_z_test_matches_the_openintro_mammogram_example():
    # OpenIntro Statistics (Diez, Çetinkaya-Rundel, Barr), "Hypothesis tests for the difference of two
    # proportions": mammogram group 500 deaths of 44,925, control 505 of 44,910; pooled proportion 0.0112,
    # SE 0.00070, Z = -0.17, p = 0.8650 (the book rounds the difference to -0.00012 before dividing; unrounded
    # Z is -0.164, p = 0.870). https://www.openintro.org/book/os/ ; the same worked example, CC BY-SA, in
    # https://github.com/MTstateIntroStats/IntroStatTextbook/blob/master/15-categorical-two-props.Rmd
    pooled = (500 + 505) / (44925 + 44910)
    assert round(pooled, 4) == 0.0112
    se = math.sqrt(pooled * (1 - pooled) * (1 / 44925 + 1 / 44910))
    assert round(se, 5) == 0.00070
    z, p = stats.z_test(505, 44910, 500, 44925)  # control first, mammogram second: mgm - ctrl
    assert z == pytest.approx(-0.17, abs=0.01)
    assert z == pytest.approx((500 / 44925 - 505 / 44910) / se, rel=1e-12)
    assert p == pytest.approx(0.8650, abs=0.006)
    assert p == pytest.approx(math.erfc(abs(z) / math.sqrt(2)), rel=1e-12)


def test_z_test_by_hand_for_a_clear_difference():
    # 40/1000 vs 70/1000: pooled 0.055, se √(0.055·0.945·0.002) = 0.010196, z = 0.03/0.010196 = 2.942.
    z, p = stats.z_test(40, 1000, 70, 1000)
    assert z == pytest.approx(0.03 / math.sqrt(0.055 * 0.945 * 0.002), rel=1e-12)
    assert round(z, 3) == 2.942 and round(p, 4) == 0.0033


def test_fisher_matches_the_lady_tasting_tea():
    # Fisher (1935), The Design of Experiments, ch. II: 3 of 4 cups right each way; the hypergeometric
    # probabilities are 1, 16, 36, 16, 1 over 70, so the two-sided p is (1+16+16+1)/70 = 0.4857, as R's
    # fisher.test(TeaTasting) reports (https://stat.ethz.ch/R-manual/R-devel/library/stats/html/fisher.test.html).
    assert stats.fisher_exact(3, 1, 1, 3) == pytest.approx(34 / 70, abs=1e-12)
    assert stats.fisher_exact(4, 0, 0, 4) == pytest.approx(2 / 70, abs=1e-12)


def test_small_counts_use_fisher_and_large_ones_the_z_test():
    small = stats.compare(1, 20, 6, 20)  # expected converted cells 3.5 < 5
    assert small.test == "fisher" and small.z is None and small.min_expected == pytest.approx(3.5)
    # by hand: margins 20/20, 7 converted; P(k) = C(7,k)C(33,20-k)/C(40,20), two-sided sum over P(k) <= P(6)
    total = math.comb(40, 20)
    probs = {k: math.comb(7, k) * math.comb(33, 20 - k) / total for k in range(8)}
    assert small.p_value == pytest.approx(sum(v for v in probs.values() if v <= probs[6] * (1 + 1e-7)), rel=1e-9)
    large = stats.compare(40, 1000, 70, 1000)
    assert large.test == "z" and large.p_value == pytest.approx(stats.z_test(40, 1000, 70, 1000)[1])


def miller(xa, na, xb, nb):
    """P(p_B > p_A), Evan Miller's closed form ("Formulas for Bayesian A/B Testing", 2015,
    https://www.evanmiller.org/bayesian-ab-testing.html), computed independently of the report's integration."""
    def lbeta(a, b):
        return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    a_a, b_a, a_b, b_b = 1 + xa, 1 + na - xa, 1 + xb, 1 + nb - xb
    return sum(math.exp(lbeta(a_a + i, b_b + b_a) - math.log(b_b + i) - lbeta(1 + i, b_b) - lbeta(a_a, b_a))
               for i in range(a_b))


@pytest.mark.parametrize("groups", [((40, 1000), (55, 1000)), ((3, 20), (1, 25)), ((12, 100), (21, 100)),
                                    ((500, 44925), (505, 44910))])
def test_probability_best_matches_the_closed_form(groups):
    (xa, na), (xb, nb) = groups
    p_a, p_b = stats.probability_best([(xa, na), (xb, nb)])
    assert p_b == pytest.approx(miller(xa, na, xb, nb), abs=1e-4)
    assert p_a + p_b == pytest.approx(1.0)


def test_probability_best_of_three_and_of_equals():
    assert stats.probability_best([(10, 100), (10, 100)]) == pytest.approx([0.5, 0.5], abs=1e-6)
    a, b, c = stats.probability_best([(40, 1000), (55, 1000), (50, 1000)])
    assert a + b + c == pytest.approx(1.0) and b > c > a
    # b beats a and c: P(b best) <= P(b > a) and <= P(b > c)
    assert b <= miller(40, 1000, 55, 1000) + 1e-6 and b <= miller(50, 1000, 55, 1000) + 1e-6


def test_sample_size_by_hand():
    # 10% -> 15%, α 0.05 two-sided, 80% power: (1.959964·√(2·0.125·0.875) + 0.841621·√(0.09+0.1275))² / 0.05²
    expected = (1.959964 * math.sqrt(2 * 0.125 * 0.875) + 0.841621 * math.sqrt(0.1 * 0.9 + 0.15 * 0.85)) ** 2 / 0.05 ** 2
    assert stats.sample_size(0.10, 0.15, 0.05) == math.ceil(expected) == 686
    assert stats.sample_size(0.1, 0.1, 0.05) is None


def test_sample_size_from_a_control_without_conversions():
    # 0% -> 5%: pbar 0.025; (1.959964·√(2·0.025·0.975) + 0.841621·√(0 + 0.0475))² / 0.05²
    expected = (1.959964 * math.sqrt(2 * 0.025 * 0.975) + 0.841621 * math.sqrt(0.05 * 0.95)) ** 2 / 0.05 ** 2
    assert stats.sample_size(0.0, 0.05, 0.05) == math.ceil(expected)
