"""Public-health statistics as OHID's Fingertips computes them: confidence intervals, benchmark comparison,
recent trends, spine-chart geometry and deprivation profiles. Pure Python (plus scipy's chi-squared
quantiles).
"""

from commed_core.indicators.comparison import (
    POLARITIES,
    SpinePositions,
    compare_to_benchmark,
    normalise_polarity,
    spine_chart_positions,
)
from commed_core.indicators.deprivation import core20_share, population_weighted_deciles
from commed_core.indicators.intervals import (
    byar_interval,
    count_interval,
    dsr_interval,
    exact_poisson_interval,
    rate_interval,
    wilson_interval,
    z_value,
)
from commed_core.indicators.trend import TrendPoint, TrendResult, trend, trend_test

__all__ = [
    "POLARITIES",
    "SpinePositions",
    "TrendPoint",
    "TrendResult",
    "byar_interval",
    "compare_to_benchmark",
    "core20_share",
    "count_interval",
    "dsr_interval",
    "exact_poisson_interval",
    "normalise_polarity",
    "population_weighted_deciles",
    "rate_interval",
    "spine_chart_positions",
    "trend",
    "trend_test",
    "wilson_interval",
    "z_value",
]
