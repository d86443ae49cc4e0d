"""Comparing an indicator value with a benchmark, and placing it on a Fingertips spine chart.

Fingertips polarity names (indicator metadata field "Polarity"; the API sometimes pads them with trailing
spaces, which are ignored here): ``"RAG - Low is good"``, ``"RAG - High is good"``, ``"BOB - Blue orange
blue"`` and ``"Not applicable"``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "POLARITIES",
    "Comparison",
    "SpinePositions",
    "compare_to_benchmark",
    "normalise_polarity",
    "spine_chart_positions",
]

Comparison = Literal["better", "similar", "worse", "higher", "lower", "not compared"]

LOW_IS_GOOD = "RAG - Low is good"
HIGH_IS_GOOD = "RAG - High is good"
BLUE_ORANGE_BLUE = "BOB - Blue orange blue"
NOT_APPLICABLE = "Not applicable"
POLARITIES = (LOW_IS_GOOD, HIGH_IS_GOOD, BLUE_ORANGE_BLUE, NOT_APPLICABLE)
_BY_KEY = {" ".join(name.lower().split()): name for name in POLARITIES}


def normalise_polarity(polarity: str | None) -> str:
    """The Fingertips polarity name for ``polarity``, ignoring case and surplus spaces; ``None`` = not
    applicable.

    Raises ``ValueError`` naming the known polarities for anything else.
    """
    if polarity is None:
        return NOT_APPLICABLE
    key = " ".join(polarity.lower().split())
    try:
        return _BY_KEY[key]
    except KeyError:
        raise ValueError(f"unknown polarity {polarity!r}; known: {', '.join(POLARITIES)}") from None


def _missing(*values: float | None) -> bool:
    return any(v is None or not math.isfinite(v) for v in values)


def compare_to_benchmark(
    value: float | None,
    lower: float | None,
    upper: float | None,
    benchmark: float | None,
    polarity: str | None,
) -> Comparison:
    """Fingertips' confidence-interval comparison of a value with a benchmark (usually England).

    Rule (OHID "Public health technical guidance: Comparing with a benchmark"; Fingertips "Compared to
    England" column): if the interval [lower, upper] contains the benchmark the value is ``"similar"``; if the
    whole interval lies above it, it is higher, below it, lower. Higher/lower become ``"better"``/``"worse"``
    under an RAG polarity. Under ``"BOB - Blue orange blue"`` (a difference is neither good nor bad) the
    answer stays ``"higher"``/``"lower"``/``"similar"``. Under ``"Not applicable"`` (or ``None``), or when
    the value, either limit or the benchmark is missing, the answer is ``"not compared"``, as Fingertips
    shows it.
    """
    name = normalise_polarity(polarity)
    if name == NOT_APPLICABLE or _missing(value, lower, upper, benchmark):
        return "not compared"
    if lower is None or upper is None or benchmark is None:  # already excluded by _missing; narrows the types
        return "not compared"
    if lower > upper:
        raise ValueError(f"lower limit {lower} is above upper limit {upper}")
    if lower <= benchmark <= upper:
        return "similar"
    higher = lower > benchmark
    if name == BLUE_ORANGE_BLUE:
        return "higher" if higher else "lower"
    high_is_good = name == HIGH_IS_GOOD
    return "better" if higher == high_is_good else "worse"


@dataclass(frozen=True)
class SpinePositions:
    """Positions on the spine chart's 0..1 axis; the benchmark is always at 0.5.

    ``reversed`` is true when low values are drawn on the right (polarity "RAG - Low is good"), so that the
    best end is always on the right as on Fingertips. ``worst``/``best`` are the positions of the two
    extremes.
    """

    minimum: float
    q25: float
    benchmark: float
    q75: float
    maximum: float
    local: float
    reversed: bool

    @property
    def worst(self) -> float:
        return min(self.minimum, self.maximum)

    @property
    def best(self) -> float:
        return max(self.minimum, self.maximum)


def spine_chart_positions(
    local: float,
    minimum: float,
    q25: float,
    q75: float,
    maximum: float,
    benchmark: float,
    polarity: str | None = None,
) -> SpinePositions:
    """Place a local value and the comparator distribution on a Fingertips-style spine chart.

    Geometry (as Fingertips draws it; cf. the ``spine_inputs_rescaled`` recipe of the fingertipsR authors):
    the axis is symmetric about the benchmark, which sits at 0.5; its half-width is the larger of
    ``benchmark - minimum`` and ``maximum - benchmark``, so the farther extreme touches an end of the axis.
    ``position(x) = 0.5 + (x - benchmark) / (2 · half-width)``, mirrored (``1 - position``) when low is good
    so that "best" is on the right. A local value outside the comparators' range is clamped to [0, 1]. If
    every value equals the benchmark, everything is at 0.5.
    """
    if _missing(local, minimum, q25, q75, maximum, benchmark):
        raise ValueError("spine chart positions need finite values for all six inputs")
    if not minimum <= q25 <= q75 <= maximum:
        raise ValueError(f"need minimum <= q25 <= q75 <= maximum, got {minimum}, {q25}, {q75}, {maximum}")
    reversed_axis = normalise_polarity(polarity) == LOW_IS_GOOD
    half = max(benchmark - minimum, maximum - benchmark, 0.0)

    def place(x: float) -> float:
        position = 0.5 if half == 0 else 0.5 + (x - benchmark) / (2.0 * half)
        if reversed_axis:
            position = 1.0 - position
        return min(1.0, max(0.0, position))

    return SpinePositions(
        minimum=place(minimum),
        q25=place(q25),
        benchmark=0.5,
        q75=place(q75),
        maximum=place(maximum),
        local=place(local),
        reversed=reversed_axis,
    )
