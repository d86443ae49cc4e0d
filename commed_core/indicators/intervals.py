"""Confidence intervals for proportions, counts, crude rates and directly standardised rates.

The methods are the ones OHID (formerly PHE, formerly APHO) prescribes for Fingertips indicators:

- proportions: Wilson score interval (Wilson 1927), as recommended by Newcombe (1998) and Newcombe & Altman
  (2000), and used by OHID "Public health technical guidance: Proportions" and the APHO *Technical Briefing 3:
  Commonly used public health statistics and their confidence intervals* (Eayres 2008);
- counts and crude rates: Byar's approximation to the exact Poisson interval (Breslow & Day 1987, vol. II),
  and the exact (chi-squared / Garwood 1936) Poisson interval for small counts;
- directly standardised rates: Dobson et al. (1991), with Byar's limits for the total count.

Which Poisson method below which count?
---------------------------------------
The current OHID guidance ("Public health technical guidance: Rates", fingertips.phe.org.uk/static-reports/
public-health-technical-guidance/Basic_statistics/Rates.html) uses the exact chi-squared method for counts
**below 10** and Byar's method for counts of 10 or more, because Byar's limits are within 0.2% of the exact
ones from 10 upwards at 95% confidence (OHID "Technical Guide: Confidence Intervals", 2018, appendix 1). The
older APHO Excel add-in used the exact method below **389** instead (its formulae are quoted in the Cross
Validated question 281673, "Byar's Confidence Interval Calculation"). :func:`count_interval` follows the
current guidance by default; ``exact_below=389`` reproduces the old add-in.

Real Fingertips exports are not consistent either: in the Campylobacter export kept in
``shared/external/health`` the all-ages rows carry exact intervals at every count, and the 0-9 year rows carry
Byar's limits computed with ``z = 1.96`` even for a count of 1 (see the tests). That is why
:func:`byar_interval` accepts an explicit ``z``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

from scipy.stats import chi2

__all__ = [
    "byar_interval",
    "count_interval",
    "dsr_interval",
    "exact_poisson_interval",
    "rate_interval",
    "wilson_interval",
    "z_value",
]

Interval = tuple[float, float]


def _check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be strictly between 0 and 1 (0.95, 0.998), got {confidence!r}")


def z_value(confidence: float = 0.95) -> float:
    """The two-sided standard normal quantile for ``confidence`` (1.959964 for 0.95, 3.090232 for 0.998)."""
    _check_confidence(confidence)
    return NormalDist().inv_cdf(1.0 - (1.0 - confidence) / 2.0)


def _check_count(count: float, name: str = "count") -> None:
    if not math.isfinite(count) or count < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {count!r}")


def wilson_interval(count: float, denominator: float, confidence: float = 0.95) -> Interval:
    """Wilson score interval for the proportion ``count / denominator`` (as a fraction 0..1).

    Algorithm (Wilson 1927; OHID technical guidance "Proportions"; APHO Technical Briefing 3, formula 2)::

        lower, upper = (2O + z² ∓ z·sqrt(z² + 4·O·q)) / (2(n + z²)),   q = 1 - O/n

    It never leaves [0, 1] and is defined for ``count == 0`` (lower 0) and ``count == denominator`` (upper 1).
    Multiply both limits by 100 for a percentage, by 1,000 for "per 1,000".

    Raises ``ValueError`` for a negative count, a denominator <= 0, or ``count > denominator``.
    """
    _check_count(count)
    if not math.isfinite(denominator) or denominator <= 0:
        raise ValueError(f"denominator must be a finite number > 0, got {denominator!r}")
    if count > denominator:
        raise ValueError(f"count ({count}) must not exceed the denominator ({denominator}) for a proportion")
    z = z_value(confidence)
    q = 1.0 - count / denominator
    centre = 2.0 * count + z * z
    spread = z * math.sqrt(z * z + 4.0 * count * q)
    scale = 2.0 * (denominator + z * z)
    lower = max(0.0, (centre - spread) / scale)
    upper = min(1.0, (centre + spread) / scale)
    if count == 0:
        lower = 0.0  # exact: rounding can leave 1e-17 here
    if count == denominator:
        upper = 1.0
    return lower, upper


def byar_interval(count: float, confidence: float = 0.95, *, z: float | None = None) -> Interval:
    """Byar's approximation to the exact Poisson interval for an observed count ``O``.

    Algorithm (Breslow & Day 1987, vol. II p. 69; OHID technical guidance "Rates", formulae for counts >=
    10)::

        lower = O · (1 - 1/(9O) - z/(3·sqrt(O)))³
        upper = (O+1) · (1 - 1/(9(O+1)) + z/(3·sqrt(O+1)))³

    ``z`` defaults to the exact normal quantile for ``confidence``; pass ``z=1.96`` to reproduce spreadsheets
    that round it. For ``O = 0`` the lower limit is 0 (the formula divides by zero). The approximation is poor
    below 10: use :func:`count_interval`, which switches to the exact method there.
    """
    _check_count(count)
    zz = z_value(confidence) if z is None else z
    # O = 0 has no lower tail: the formula would divide by zero.
    lower = 0.0 if count == 0 else count * (1.0 - 1.0 / (9.0 * count) - zz / (3.0 * math.sqrt(count))) ** 3
    above = count + 1.0
    upper = above * (1.0 - 1.0 / (9.0 * above) + zz / (3.0 * math.sqrt(above))) ** 3
    return max(0.0, lower), upper


def exact_poisson_interval(count: float, confidence: float = 0.95) -> Interval:
    """Exact (Garwood 1936) Poisson interval through the chi-squared distribution.

    Algorithm (Armitage & Berry 2002; OHID technical guidance "Rates", counts < 10)::

        lower = χ²(α/2; 2O) / 2          (0 when O = 0)
        upper = χ²(1 - α/2; 2O + 2) / 2

    where χ²(p; ν) is the p-quantile with ν degrees of freedom (``scipy.stats.chi2.ppf``).
    """
    _check_count(count)
    _check_confidence(confidence)
    alpha = 1.0 - confidence
    lower = 0.0 if count == 0 else float(chi2.ppf(alpha / 2.0, 2.0 * count)) / 2.0
    upper = float(chi2.ppf(1.0 - alpha / 2.0, 2.0 * count + 2.0)) / 2.0
    return lower, upper


def count_interval(count: float, confidence: float = 0.95, *, exact_below: float = 10) -> Interval:
    """Interval for a Poisson count the way OHID does it: exact below ``exact_below`` (10), Byar's from there.

    See the module docstring for the older APHO threshold of 389.
    """
    if count < exact_below:
        return exact_poisson_interval(count, confidence)
    return byar_interval(count, confidence)


def rate_interval(
    count: float,
    denominator: float,
    multiplier: float = 100_000,
    confidence: float = 0.95,
    *,
    exact_below: float = 10,
) -> Interval:
    """Interval for the crude rate ``count / denominator × multiplier`` (per 100,000 by default).

    The count's interval (:func:`count_interval`) divided by the population at risk, times the multiplier
    (OHID technical guidance "Rates": r_lower = O_lower / n).
    """
    if not math.isfinite(denominator) or denominator <= 0:
        raise ValueError(f"denominator must be a finite number > 0, got {denominator!r}")
    lower, upper = count_interval(count, confidence, exact_below=exact_below)
    return lower / denominator * multiplier, upper / denominator * multiplier


def dsr_interval(
    counts: Sequence[float],
    populations: Sequence[float],
    standard_populations: Sequence[float],
    multiplier: float = 100_000,
    confidence: float = 0.95,
) -> tuple[float, float, float]:
    """Directly standardised rate and its Dobson interval: returns ``(dsr, lower, upper)``.

    Algorithm (Dobson, Kuulasmaa, Eberle & Scherer 1991; OHID "Technical Guide: Confidence Intervals" appendix
    4; APHO Technical Briefing 3 formulae 9-11), for age bands i with counts O_i, populations n_i and standard
    population weights w_i (e.g. the 2013 European Standard Population)::

        DSR      = Σ(w_i · O_i / n_i) / Σ w_i
        var(DSR) = Σ(w_i² · O_i / n_i²) / (Σ w_i)²
        limits   = DSR + sqrt(var(DSR) / O) · (O_limit - O),   O = Σ O_i

    where O_limit are Byar's limits for the total count O. OHID does not publish a DSR when O < 10 (the
    method's assumptions fail): this raises ``ValueError`` in that case.
    """
    if not (len(counts) == len(populations) == len(standard_populations)) or not counts:
        raise ValueError("counts, populations and standard_populations must be non-empty and of equal length")
    for value in counts:
        _check_count(value, "each count")
    if any(not math.isfinite(n) or n <= 0 for n in populations):
        raise ValueError("every population must be a finite number > 0")
    if any(not math.isfinite(w) or w < 0 for w in standard_populations):
        raise ValueError("every standard population weight must be a finite number >= 0")
    total_weight = math.fsum(standard_populations)
    if total_weight <= 0:
        raise ValueError("the standard population weights must not all be zero")
    total = math.fsum(counts)
    if total < 10:
        raise ValueError(
            f"a DSR needs a total count of at least 10 (OHID does not publish it below), got {total}"
        )
    dsr = math.fsum(w * o / n for o, n, w in zip(counts, populations, standard_populations, strict=True))
    dsr /= total_weight
    variance = math.fsum(
        w * w * o / (n * n) for o, n, w in zip(counts, populations, standard_populations, strict=True)
    )
    variance /= total_weight**2
    o_lower, o_upper = byar_interval(total, confidence)
    factor = math.sqrt(variance / total)
    lower = dsr + factor * (o_lower - total)
    upper = dsr + factor * (o_upper - total)
    return dsr * multiplier, lower * multiplier, upper * multiplier
