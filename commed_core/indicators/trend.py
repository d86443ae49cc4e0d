"""Fingertips' "recent trend" marker: increasing, decreasing, no significant change, or cannot be calculated.

Method (OHID "Public health technical guidance: Fingertips trend markers",
fingertips.phe.org.uk/static-reports/public-health-technical-guidance/Presentation/Trend_markers.html, and
its implementation in the open-source Fingertips ``TrendMarkerCalculator``):

- the five most recent points with the data the test needs are used, in period order (t = 1..5); fewer than
  five gives "could not be calculated";
- **proportions** (``count``/``denominator`` given): the chi-squared test for trend in proportions (Armitage
  1955; Cochran-Armitage), with N = Σn_i, R = Σr_i::

      χ² = N · (N·Σr_i·t_i − R·Σn_i·t_i)² / (R · (N − R) · (N·Σn_i·t_i² − (Σn_i·t_i)²))

  the direction being the sign of N·Σr_i·t_i − R·Σn_i·t_i. A count of 0 or equal to its denominator makes
  the logit below undefined, so the trend "could not be calculated" (as Fingertips answers);
- **other indicator types** (rates, DSRs, means...): weighted least squares of the value on t, each point
  weighted by 1/SE² with SE = (upper95 − lower95) / 3.92; χ² = (slope / SE(slope))²;
- significant when χ² exceeds the 99.8% point of χ² with 1 degree of freedom (9.5495), **and** the fitted
  slope keeps its sign when each point in turn is left out (Fingertips' guard against a single outlier driving
  the trend; for proportions the leave-one-out slopes are ordinary least-squares slopes of logit(p) on t).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from scipy.stats import chi2

__all__ = ["POINTS_USED", "TrendPoint", "TrendResult", "trend", "trend_test"]

TrendMarker = Literal["increasing", "decreasing", "no significant change", "could not be calculated"]

POINTS_USED = 5
_CRITICAL = float(chi2.ppf(0.998, 1))  # 9.54953570608324, Fingertips' ChiSquareConfidence


@dataclass(frozen=True)
class TrendPoint:
    """One period of an indicator. ``period`` only needs to sort in time order (year, "2015/16", 20150000)."""

    period: int | str
    value: float | None = None
    lower: float | None = None
    upper: float | None = None
    count: float | None = None
    denominator: float | None = None


@dataclass(frozen=True)
class TrendResult:
    marker: TrendMarker
    chi_square: float
    slope: float
    points_used: int


def _usable(values: Sequence[float | None]) -> bool:
    return all(v is not None and math.isfinite(v) for v in values)


def _ols_slope(ts: Sequence[float], ys: Sequence[float]) -> float:
    n = len(ts)
    sum_t, sum_y = math.fsum(ts), math.fsum(ys)
    sum_ty = math.fsum(t * y for t, y in zip(ts, ys, strict=True))
    sum_tt = math.fsum(t * t for t in ts)
    return (n * sum_ty - sum_t * sum_y) / (n * sum_tt - sum_t * sum_t)


def _weighted(ts: Sequence[float], ys: Sequence[float], ws: Sequence[float]) -> tuple[float, float]:
    s1 = math.fsum(ws)
    s2 = math.fsum(w * y * t for t, y, w in zip(ts, ys, ws, strict=True))
    s3 = math.fsum(w * t for t, w in zip(ts, ws, strict=True))
    s4 = math.fsum(w * y for y, w in zip(ys, ws, strict=True))
    s5 = math.fsum(w * t * t for t, w in zip(ts, ws, strict=True))
    det = s1 * s5 - s3 * s3
    slope = (s1 * s2 - s3 * s4) / det
    se = math.sqrt(s1 / det)
    return slope, se


def _same_sign_without_each(ts: list[float], slope_of: Callable[[list[int]], float], overall: float) -> bool:
    positive = overall >= 0
    for left_out in range(len(ts)):
        keep = [i for i in range(len(ts)) if i != left_out]
        if (slope_of(keep) >= 0) != positive:
            return False
    return True


def trend_test(points: Sequence[TrendPoint], *, proportion: bool) -> TrendResult:
    """Run the Fingertips recent-trend test (see the module docstring) and return the marker with its
    statistics.

    ``proportion=True`` uses ``count``/``denominator``; otherwise ``value``/``lower``/``upper`` (95% limits).
    Points lacking what the method needs are skipped before the five most recent are taken.
    """
    if proportion:
        usable = [p for p in points if _usable([p.count, p.denominator])]
    else:
        usable = [p for p in points if _usable([p.value, p.lower, p.upper])]
    if len(usable) < POINTS_USED:
        return TrendResult("could not be calculated", 0.0, 0.0, len(usable))
    recent = sorted(usable, key=lambda p: p.period)[-POINTS_USED:]
    ts = [float(i) for i in range(1, POINTS_USED + 1)]
    if proportion:
        rs = [float(p.count) for p in recent]  # type: ignore[arg-type]
        ns = [float(p.denominator) for p in recent]  # type: ignore[arg-type]
        if any(r <= 0 or r >= n for r, n in zip(rs, ns, strict=True)):
            return TrendResult("could not be calculated", 0.0, 0.0, POINTS_USED)
        big_n, big_r = math.fsum(ns), math.fsum(rs)
        sum_rt = math.fsum(r * t for r, t in zip(rs, ts, strict=True))
        sum_nt = math.fsum(n * t for n, t in zip(ns, ts, strict=True))
        sum_ntt = math.fsum(n * t * t for n, t in zip(ns, ts, strict=True))
        direction = big_n * sum_rt - big_r * sum_nt
        chi_square = big_n * direction**2 / (big_r * (big_n - big_r) * (big_n * sum_ntt - sum_nt**2))
        logits = [math.log(r / (n - r)) for r, n in zip(rs, ns, strict=True)]
        slope = _ols_slope(ts, logits)

        def slope_of(keep: list[int]) -> float:
            return _ols_slope([ts[i] for i in keep], [logits[i] for i in keep])

        steady = (slope >= 0) == (direction >= 0) and _same_sign_without_each(ts, slope_of, slope)
    else:
        ys = [float(p.value) for p in recent]  # type: ignore[arg-type]
        ses = [(float(p.upper) - float(p.lower)) / 3.92 for p in recent]  # type: ignore[arg-type]
        if any(se <= 0 for se in ses):
            return TrendResult("could not be calculated", 0.0, 0.0, POINTS_USED)
        ws = [1.0 / (se * se) for se in ses]
        slope, se_slope = _weighted(ts, ys, ws)
        chi_square = (slope / se_slope) ** 2

        def slope_of(keep: list[int]) -> float:
            return _weighted([ts[i] for i in keep], [ys[i] for i in keep], [ws[i] for i in keep])[0]

        steady = _same_sign_without_each(ts, slope_of, slope)
    if chi_square > _CRITICAL and steady:
        marker: TrendMarker = "increasing" if slope > 0 else "decreasing"
    else:
        marker = "no significant change"
    return TrendResult(marker, chi_square, slope, POINTS_USED)


def trend(points: Sequence[TrendPoint], *, proportion: bool) -> TrendMarker:
    """The Fingertips recent-trend marker for ``points`` (see :func:`trend_test`)."""
    return trend_test(points, proportion=proportion).marker
