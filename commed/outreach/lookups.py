"""Area-based measures from a home postcode, through lookup tables the user imports from CSV.

Two tables, both keyed by an area code written without spaces in upper case:

- `PostcodeIMD`: full postcode -> IMD decile (1 = most deprived 10%). `commed import wp_postcodes FILE` loads a
  CSV with columns `postcode, imd_decile` (e.g. cut from the ONS postcode directory joined to the English IMD).
  The national IMD loader with LSOA geography belongs to the health-needs app; this table is deliberately simple.
- `AreaQuintile`: postcode, postcode sector (e.g. SE64) or district (e.g. SE6) -> POLAR4 and/or TUNDRA quintile
  (1 = lowest participation in higher education). `commed import polar4 FILE` loads `area, polar4_quintile,
  tundra_quintile` (either quintile may be blank).

A postcode is looked up at its most precise level first: full postcode, then sector, then district. A postcode in
neither table gives unknown (None), which never makes a pupil eligible (see eligibility.py).

Where `PostcodeIMD` does not know a postcode, the IMD decile comes from the national data the health-needs app
loaded (`commed import postcodes` then `commed import imd`): postcode -> LSOA -> IMD decile, current releases
only, the most recently imported release winning, as on the health profiles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from commed.outreach.models import AreaQuintile, PostcodeIMD

_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")


def postcode_normalise(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def postcode_valid(value: str) -> bool:
    return bool(_POSTCODE.match(postcode_normalise(value)))


def postcode_levels(value: str) -> list[str]:
    """The keys to try, most precise first: SE64RU -> [SE64RU, SE64, SE6]."""
    code = postcode_normalise(value)
    match = _POSTCODE.match(code)
    if not match:
        return [code] if code else []
    outward, inward = match.groups()
    return [code, outward + inward[0], outward]


def postcode_district(value: str) -> str:
    levels = postcode_levels(value)
    return levels[-1] if levels else ""


@dataclass(frozen=True)
class AreaMeasures:
    imd_decile: int | None = None
    polar4_quintile: int | None = None
    tundra_quintile: int | None = None


def area_measures(*, postcode: str) -> AreaMeasures:
    levels = postcode_levels(postcode)
    if not levels:
        return AreaMeasures()
    imd = PostcodeIMD.objects.filter(postcode=levels[0]).values_list("imd_decile", flat=True).first()
    if imd is None:
        imd = _health_imd_decile(levels[0])
    quintiles = {row.area: row for row in AreaQuintile.objects.filter(area__in=levels)}
    polar4 = tundra = None
    for level in levels:
        row = quintiles.get(level)
        if row is None:
            continue
        polar4 = polar4 if polar4 is not None else row.polar4_quintile
        tundra = tundra if tundra is not None else row.tundra_quintile
    return AreaMeasures(imd_decile=imd, polar4_quintile=polar4, tundra_quintile=tundra)


def _health_imd_decile(postcode: str) -> int | None:
    """IMD decile through the health-needs app's postcode lookup and IoD2019 releases (None if not loaded)."""
    from commed.health.models import DataRelease, LsoaDeprivation, Postcode, ReleaseKind
    from commed_core.healthdata import normalise_postcode

    try:
        pcds = normalise_postcode(postcode)
    except ValueError:
        return None
    current = DataRelease.objects.filter(is_current=True)
    lsoa = (
        Postcode.objects.filter(release__in=current.filter(kind=ReleaseKind.POSTCODES), postcode=pcds)
        .exclude(lsoa_code="")
        .order_by("-release__imported_at", "-release_id")
        .values_list("lsoa_code", flat=True)
        .first()
    )
    if lsoa is None:
        return None
    decile: int | None = (
        LsoaDeprivation.objects.filter(release__in=current.filter(kind=ReleaseKind.IMD), lsoa_code=lsoa)
        .order_by("-release__imported_at", "-release_id")
        .values_list("imd_decile", flat=True)
        .first()
    )
    return decile
