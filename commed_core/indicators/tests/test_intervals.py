"""Confidence intervals against published worked values (source cited next to each) and properties."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commed_core.indicators import (
    byar_interval,
    count_interval,
    dsr_interval,
    exact_poisson_interval,
    rate_interval,
    wilson_interval,
    z_value,
)

HEALTH = Path(__file__).resolve().parents[3].parent / "shared" / "external" / "health"
CAMPYLOBACTER = HEALTH / "fingertips_indicators-CountyUA.data.csv"


# Newcombe RG (1998) "Two-sided confidence intervals for the single proportion: comparison of seven methods",
# Statistics in Medicine 17:857-872, Table II, method 3 (score interval without continuity correction) -- the
# method and reference OHID's technical guidance "Proportions" prescribes (Wilson score, Newcombe 1998).
@pytest.mark.parametrize(
    ("count", "n", "lower", "upper"),
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0000, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_newcombes_published_score_intervals(
    count: int, n: int, lower: float, upper: float
) -> None:
    got = wilson_interval(count, n)
    assert got == pytest.approx((lower, upper), abs=5e-5)


def test_wilson_matches_the_fingertips_trend_test_fixture() -> None:
    # Fingertips' own TrendMarkerCalculatorTest (ukhsa-collaboration/fingertips-open): count 1367 of 44701,
    # value 30.6 per 1,000 with 95% limits 28.98 and 32.25 -- published to two decimals; Wilson per 1,000
    # gives 29.02-32.22 (the fixture's limits are approximate), so only the value and the interval's width are
    # checked.
    lower, upper = wilson_interval(1367, 44701)
    assert pytest.approx(30.6, abs=0.05) == 1367 / 44701 * 1000
    assert (upper - lower) * 1000 == pytest.approx(32.25 - 28.98, abs=0.1)


# Exact Poisson 95% limits, standard tables (e.g. Sahai & Khurshid 1993; epitools' pois.exact documentation
# gives 3.689 for an upper limit of 0).
@pytest.mark.parametrize(
    ("count", "lower", "upper"),
    [
        (0, 0.0, 3.689),
        (1, 0.0253, 5.572),
        (5, 1.6235, 11.668),
        (10, 4.7954, 18.390),
    ],
)
def test_exact_poisson_matches_published_tables(count: int, lower: float, upper: float) -> None:
    got = exact_poisson_interval(count)
    assert got == pytest.approx((lower, upper), abs=5e-4)


def test_byar_matches_the_published_example_of_100_observed() -> None:
    # Byar gem documentation (rubygems "byar"): observed 100, z = 1.96 -> upper bound 121.628347271806,
    # lower/90 = 0.9040199067337297.
    lower, upper = byar_interval(100, z=1.96)
    assert upper == pytest.approx(121.628347271806, rel=1e-12)
    assert lower / 90 == pytest.approx(0.9040199067337297, rel=1e-12)


def campylobacter_rows() -> list[dict[str, str]]:
    if not CAMPYLOBACTER.is_file():
        pytest.fail(f"the real test files are missing: {CAMPYLOBACTER}")
    with open(CAMPYLOBACTER, newline="", encoding="utf-8-sig") as handle:
        return [r for r in csv.DictReader(handle) if r["Count"] and r["Lower CI 95.0 limit"]]


def test_fingertips_published_rate_limits_are_reproduced_row_by_row() -> None:
    """Campylobacter incidence per 100,000 (Fingertips indicator 93356, real export): the all-ages rows carry
    exact chi-squared limits at every count, the 0-9 year rows Byar's limits with z = 1.96. Both are
    reproduced to 1e-6 relative for all 755 rows with limits."""
    rows = campylobacter_rows()
    assert len(rows) == 755
    for r in rows:
        count, denominator = float(r["Count"]), float(r["Denominator"])
        if r["Age"] == "All ages":
            lower, upper = rate_interval(count, denominator, exact_below=math.inf)
        else:
            o_lower, o_upper = byar_interval(count, z=1.96)
            lower, upper = o_lower / denominator * 1e5, o_upper / denominator * 1e5
        assert lower == pytest.approx(float(r["Lower CI 95.0 limit"]), rel=1e-6)
        assert upper == pytest.approx(float(r["Upper CI 95.0 limit"]), rel=1e-6)


def test_england_campylobacter_2015_rate_interval_with_the_default_method() -> None:
    # England 2015: 51,897 cases in 54,786,327 -> 93.9129396546008 to 95.5447303303505 per 100,000
    # (Fingertips); at this count Byar's and the exact method agree to 1e-7.
    lower, upper = rate_interval(51897, 54786327)
    assert lower == pytest.approx(93.9129396546008, rel=1e-7)
    assert upper == pytest.approx(95.5447303303505, rel=1e-7)


def test_byar_is_within_0_2_percent_of_exact_from_a_count_of_10() -> None:
    # OHID "Technical Guide: Confidence Intervals" (2018), appendix 1: "within 0.2% of the exact value for
    # numerators of 10 or more" at 95%.
    for count in range(10, 400):
        byar, exact = byar_interval(count), exact_poisson_interval(count)
        assert byar[0] == pytest.approx(exact[0], rel=2e-3)
        assert byar[1] == pytest.approx(exact[1], rel=2e-3)


def test_count_interval_switches_to_byar_at_10_by_default_and_at_389_when_asked() -> None:
    assert count_interval(9) == exact_poisson_interval(9)
    assert count_interval(10) == byar_interval(10)
    assert count_interval(100, exact_below=389) == exact_poisson_interval(100)


def test_z_values_are_the_normal_quantiles_fingertips_uses() -> None:
    assert z_value(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert z_value(0.998) == pytest.approx(3.090232, abs=1e-6)


def test_dsr_with_a_single_age_band_is_the_crude_rate_with_byar_limits() -> None:
    dsr, lower, upper = dsr_interval([50], [20_000], [1.0])
    crude_lower, crude_upper = (x / 20_000 * 100_000 for x in byar_interval(50))
    assert dsr == pytest.approx(250.0)
    assert (lower, upper) == pytest.approx((crude_lower, crude_upper))


def test_dsr_weights_age_bands_by_the_standard_population() -> None:
    # Two bands, rates 100 and 300 per 100,000, standard weights 3:1 -> DSR 150 (Dobson et al. 1991, eq. 1).
    dsr, lower, upper = dsr_interval([10, 30], [10_000, 10_000], [3, 1])
    assert dsr == pytest.approx(150.0)
    assert lower < dsr < upper


def test_dsr_refuses_fewer_than_10_events() -> None:
    with pytest.raises(ValueError, match="at least 10"):
        dsr_interval([3, 4], [1000, 1000], [1, 1])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((-1, 10), "count"),
        ((11, 10), "exceed"),
        ((1, 0), "denominator"),
        ((1, 10, 1.5), "confidence"),
    ],
)
def test_wilson_refuses_impossible_input(args: tuple[float, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        wilson_interval(*args)


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 5000), st.integers(1, 5000))
def test_wilson_contains_the_proportion_and_stays_in_0_1(count: int, extra: int) -> None:
    n = count + extra
    lower, upper = wilson_interval(count, n)
    assert 0.0 <= lower <= count / n <= upper <= 1.0


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 200), st.integers(2, 20))
def test_wilson_narrows_as_the_sample_grows_at_a_fixed_proportion(count: int, factor: int) -> None:
    n = count * 3
    small = wilson_interval(count, n)
    large = wilson_interval(count * factor, n * factor)
    assert large[1] - large[0] < small[1] - small[0]


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 10_000))
def test_wilson_is_symmetric_between_0_and_n(n: int) -> None:
    none, all_ = wilson_interval(0, n), wilson_interval(n, n)
    assert none[0] == 0.0 and all_[1] == 1.0
    assert none[1] == pytest.approx(1.0 - all_[0], abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 100_000), st.sampled_from([0.95, 0.998]))
def test_count_intervals_contain_the_count_and_widen_with_confidence(count: int, confidence: float) -> None:
    lower, upper = count_interval(count, confidence)
    assert 0.0 <= lower <= count <= upper
    if confidence == 0.95:
        wide = count_interval(count, 0.998)
        assert wide[0] <= lower and wide[1] >= upper
