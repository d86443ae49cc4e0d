"""Benchmark comparison, spine-chart geometry, recent trends and deprivation profiles."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commed_core.indicators import (
    POLARITIES,
    TrendPoint,
    compare_to_benchmark,
    core20_share,
    normalise_polarity,
    population_weighted_deciles,
    spine_chart_positions,
    trend,
    trend_test,
)


@pytest.mark.parametrize(
    ("interval", "polarity", "expected"),
    [
        ((12.0, 11.0, 13.0), "RAG - Low is good", "worse"),
        ((12.0, 11.0, 13.0), "RAG - High is good", "better"),
        ((8.0, 7.0, 9.0), "RAG - Low is good", "better"),
        ((8.0, 7.0, 9.0), "RAG - High is good", "worse"),
        ((10.5, 9.5, 11.5), "RAG - High is good", "similar"),
        ((12.0, 11.0, 13.0), "BOB - Blue orange blue", "higher"),
        ((8.0, 7.0, 9.0), "BOB - Blue orange blue", "lower"),
        ((10.5, 9.5, 11.5), "BOB - Blue orange blue", "similar"),
        ((12.0, 11.0, 13.0), "Not applicable", "not compared"),
        ((12.0, 11.0, 13.0), None, "not compared"),
        ((12.0, 10.0, 13.0), "RAG - High is good", "similar"),  # the limit touching the benchmark overlaps it
    ],
)
def test_comparison_uses_interval_overlap_and_polarity(
    interval: tuple[float, float, float], polarity: str | None, expected: str
) -> None:
    value, lower, upper = interval
    assert compare_to_benchmark(value, lower, upper, 10.0, polarity) == expected


def test_a_missing_value_or_limit_is_not_compared() -> None:
    assert compare_to_benchmark(None, None, None, 10.0, "RAG - Low is good") == "not compared"
    assert compare_to_benchmark(12.0, None, 13.0, 10.0, "RAG - Low is good") == "not compared"


def test_fingertips_padded_polarity_names_are_recognised_and_unknown_ones_refused() -> None:
    assert normalise_polarity("RAG - Low is good   ") == "RAG - Low is good"
    assert set(POLARITIES) == {
        "RAG - Low is good",
        "RAG - High is good",
        "BOB - Blue orange blue",
        "Not applicable",
    }
    with pytest.raises(ValueError, match="known:"):
        normalise_polarity("RAG - Middle is good")


def test_spine_chart_centres_the_benchmark_and_stretches_the_farther_extreme_to_an_end() -> None:
    spine = spine_chart_positions(
        local=30, minimum=10, q25=18, q75=24, maximum=40, benchmark=20, polarity="RAG - High is good"
    )
    assert spine.benchmark == 0.5
    assert spine.maximum == 1.0 and spine.minimum == pytest.approx(0.25)  # half-width 20: 0.5 - 10/40
    assert spine.local == pytest.approx(0.75)
    assert (spine.worst, spine.best) == (spine.minimum, spine.maximum)


def test_spine_chart_puts_the_best_end_on_the_right_when_low_is_good() -> None:
    spine = spine_chart_positions(
        local=30, minimum=10, q25=18, q75=24, maximum=40, benchmark=20, polarity="RAG - Low is good"
    )
    assert spine.reversed and spine.maximum == 0.0 and spine.local == pytest.approx(0.25)
    assert spine.minimum == pytest.approx(0.75)


def test_spine_chart_with_no_spread_puts_everything_in_the_middle() -> None:
    spine = spine_chart_positions(5, 5, 5, 5, 5, 5)
    assert {spine.minimum, spine.q25, spine.q75, spine.maximum, spine.local} == {0.5}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=5, max_size=5), st.sampled_from(POLARITIES))
def test_spine_positions_stay_in_0_1_and_keep_order(values: list[float], polarity: str) -> None:
    minimum, q25, q75, maximum, benchmark = [*sorted(values[:4]), values[4]]
    spine = spine_chart_positions(values[2], minimum, q25, q75, maximum, benchmark, polarity)
    positions = [spine.minimum, spine.q25, spine.q75, spine.maximum]
    assert all(0.0 <= p <= 1.0 for p in [*positions, spine.local])
    assert positions == (sorted(positions, reverse=True) if spine.reversed else sorted(positions))


# Fingertips' own unit test fixtures (ukhsa-collaboration/fingertips-open, TrendMarkerCalculatorTest):
# set 1 gives chi-squared 46.77 (CI-weighted method) and 47.9 (proportions) and a significant trend.
SET1 = [
    TrendPoint(2018, 30.6, 28.98, 32.25, 1367, 44701),
    TrendPoint(2017, 30.2, 28.63, 31.9, 1332, 44064),
    TrendPoint(2016, 28, 26.44, 29.64, 1199, 42811),
    TrendPoint(2015, 24.6, 23.15, 26.19, 1023, 41527),
    TrendPoint(2014, 24.67, 23.16, 26.25, 994, 40299),
]
SET2 = [
    TrendPoint(2014, 20.5506, 18.1803, 23.1427, 209, 1017),
    TrendPoint(2015, 19.5952, 17.3444, 22.0602, 213, 1087),
    TrendPoint(2016, 19.0349, 16.8421, 21.4394, 213, 1119),
    TrendPoint(2017, 21.3966, 19.0918, 23.8975, 239, 1117),
    TrendPoint(2018, 18.4372, 16.2925, 20.7941, 210, 1139),
]


def test_trend_reproduces_fingertips_published_chi_squares() -> None:
    by_ci = trend_test(SET1, proportion=False)
    by_count = trend_test(SET1, proportion=True)
    assert round(by_ci.chi_square, 2) == 46.77 and by_ci.marker == "increasing"
    assert round(by_count.chi_square, 2) == 47.90 and by_count.marker == "increasing"


def test_trend_finds_no_significant_change_in_fingertips_second_fixture() -> None:
    assert trend(SET2, proportion=False) == "no significant change"


def test_trend_cannot_be_calculated_when_every_case_is_counted_or_points_are_too_few() -> None:
    # Fingertips' third fixture: 5 of 5 in 2012 makes the logit undefined -> "cannot be calculated".
    saturated = [
        TrendPoint(2012, count=5, denominator=5),
        TrendPoint(2013, count=3, denominator=5),
        TrendPoint(2014, count=1, denominator=5),
        TrendPoint(2015, count=1, denominator=4),
        TrendPoint(2016, count=2, denominator=4),
    ]
    assert trend(saturated, proportion=True) == "could not be calculated"
    assert trend(SET1[:4], proportion=False) == "could not be calculated"


def test_trend_uses_the_five_most_recent_points_and_reverses_with_time() -> None:
    # SET1 lists 2018 first: giving its rows the years in list order turns the rise into a fall.
    falling = [
        TrendPoint(year, count=SET1[i].count, denominator=SET1[i].denominator)
        for i, year in enumerate(range(2014, 2019))
    ]
    old = TrendPoint(2000, count=10, denominator=10_000)
    assert trend([old, *falling], proportion=True) == "decreasing"


def test_a_single_outlier_cannot_make_a_trend() -> None:
    easing = [
        TrendPoint(2014 + i, count=count, denominator=10_000) for i, count in enumerate([520, 510, 500, 490])
    ]
    spike = [*easing, TrendPoint(2018, count=900, denominator=10_000)]  # without it the slope is negative
    result = trend_test(spike, proportion=True)
    assert result.chi_square > 9.5495 and result.marker == "no significant change"


def test_deciles_are_population_weighted_and_core20_is_deciles_1_and_2() -> None:
    areas = [(1, 1500.0), (1, 500.0), (2, 1000.0), (5, 1000.0), (10, 1000.0)]
    shares = population_weighted_deciles(areas)
    assert shares[0] == pytest.approx(0.4) and shares[1] == pytest.approx(0.2)
    assert sum(shares) == pytest.approx(1.0) and shares[2] == 0.0
    assert core20_share(areas) == pytest.approx(0.6)


@pytest.mark.parametrize("areas", [[(0, 10.0)], [(11, 10.0)], [(3, -1.0)], [(3, 0.0)], []])
def test_deciles_refuse_bad_deciles_negative_or_no_population(areas: list[tuple[int, float]]) -> None:
    with pytest.raises(ValueError):
        population_weighted_deciles(areas)


def test_lewisham_core20_share_from_the_real_files() -> None:
    """Lewisham's LSOAs (File 1 deciles x File 6 populations, both real files)."""
    from pathlib import Path

    from commed_core.healthdata import open_reader

    health = Path(__file__).resolve().parents[3].parent / "shared" / "external" / "health"
    with open(health / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv", "rb") as f1:
        deciles = {
            r.lsoa_code: r.imd_decile for r in open_reader(f1, "File 1")[1] if r.lad_name == "Lewisham"
        }
    with open(health / "File_6_-_IoD2019_Population_Denominators.csv", "rb") as f6:
        population = {r.lsoa_code: r.total for r in open_reader(f6, "File 6")[1] if r.lsoa_code in deciles}
    assert len(deciles) == 169 == len(population)
    share = core20_share((deciles[code], float(population[code])) for code in deciles)
    by_count = sum(1 for d in deciles.values() if d <= 2) / len(deciles)
    assert 0.0 < share < 1.0 and share == pytest.approx(by_count, abs=0.05)
