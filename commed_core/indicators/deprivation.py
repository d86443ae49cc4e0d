"""Population profile of a locality by national IMD decile, and its Core20 share.

The English Indices of Deprivation 2019 give every LSOA a national IMD decile (File 1: 1 = the most deprived
10% of LSOAs in England). NHS England's Core20PLUS5 defines "Core20" as the most deprived 20% of the national
population by IMD, i.e. people living in LSOAs of deciles 1 and 2.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

__all__ = ["core20_share", "population_weighted_deciles"]


def population_weighted_deciles(areas: Iterable[tuple[int, float]]) -> list[float]:
    """Share of the population living in each national decile 1..10 (a list of 10 floats summing to 1).

    ``areas`` yields ``(decile, population)`` for each small area (for example File 1's decile with File 6's
    total population). Raises ``ValueError`` for a decile outside 1..10, a negative or non-finite population,
    or a total population of zero (the shares would be undefined).
    """
    totals = [0.0] * 10
    for decile, population in areas:
        # bool is an int subclass: True would silently count as decile 1.
        if type(decile) is not int or not 1 <= decile <= 10:
            raise ValueError(f"decile must be an integer 1..10, got {decile!r}")
        if not math.isfinite(population) or population < 0:
            raise ValueError(f"population must be a finite number >= 0, got {population!r}")
        totals[decile - 1] += population
    grand = math.fsum(totals)
    if grand <= 0:
        raise ValueError("the areas have no population: shares are undefined")
    return [t / grand for t in totals]


def core20_share(areas: Iterable[tuple[int, float]]) -> float:
    """Share of the population living in national IMD deciles 1 and 2 (NHS England Core20PLUS5 "Core20")."""
    shares = population_weighted_deciles(areas)
    return shares[0] + shares[1]
