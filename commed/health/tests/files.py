"""Small files in the publishers' real layouts (headers copied from the real files), for fast tests."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from commed.accounts.models import User
from commed.health.imports import ImportResult, health_import

FILE1_HEADER = (
    "LSOA code (2011),LSOA name (2011),Local Authority District code (2019),Local Authority District name (2019),"
    "Index of Multiple Deprivation (IMD) Rank,Index of Multiple Deprivation (IMD) Decile"
)
FILE6_HEADER = (
    "LSOA code (2011),LSOA name (2011),Local Authority District code (2019),Local Authority District name (2019),"
    "Total population: mid 2015 (excluding prisoners),Dependent Children aged 0-15: mid 2015 (excluding prisoners),"
    "Population aged 16-59: mid 2015 (excluding prisoners),"
    "Older population aged 60 and over: mid 2015 (excluding prisoners),"
    "Working age population 18-59/64: for use with Employment Deprivation Domain (excluding prisoners)"
)
POSTCODE_HEADER = (
    "Postcode7,Postcode8,PostcodeNatural,IntroductionDate,TerminationDate,Usertype,OA11CD,LSOA11CD,MSOA11CD,LAD19CD,"
    "WD22CD_proposed"
)
FINGERTIPS_HEADER = (
    "Indicator ID,Indicator Name,Parent Code,Parent Name,Area Code,Area Name,Area Type,Sex,Age,Category Type,"
    "Category,Time period,Value,Lower CI 95.0 limit,Upper CI 95.0 limit,Lower CI 99.8 limit,Upper CI 99.8 limit,"
    "Count,Denominator,Value note,Recent Trend,Compared to England value or percentiles,"
    "Compared to Region value or percentiles,Time period Sortable,New data,Compared to goal"
)
LAD = "E09000023"


def csv_bytes(header: str, rows: Iterable[Sequence[object]], newline: str = "\n", bom: bool = False) -> bytes:
    lines = [header, *(",".join("" if c is None else str(c) for c in row) for row in rows)]
    text = newline.join(lines) + newline
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode()


def file1(lsoas: Iterable[tuple[str, int]]) -> bytes:
    """(code, decile) pairs; ranks made up consistently with the decile."""
    return csv_bytes(
        FILE1_HEADER,
        [(code, f"Lewisham {i:03d}A", LAD, "Lewisham", f'"{(decile - 1) * 3284 + 10:,}"', decile)
         for i, (code, decile) in enumerate(lsoas)],
    )


def file6(populations: Iterable[tuple[str, int]]) -> bytes:
    return csv_bytes(
        FILE6_HEADER,
        [(code, f"Lewisham {i:03d}A", LAD, "Lewisham", total, total // 5, total // 2, total // 5, total // 2)
         for i, (code, total) in enumerate(populations)],
    )


def postcodes(rows: Iterable[tuple[str, str]]) -> bytes:
    """(postcode pcds, LSOA code)."""
    return csv_bytes(
        POSTCODE_HEADER,
        [(pc, pc, pc, "198001", "", "0", "E00016368", lsoa, "E02006784", LAD, "E05013714") for pc, lsoa in rows],
    )


def fingertips(rows: Iterable[Sequence[object]]) -> bytes:
    """rows: (indicator id, name, area code, area name, area type, period, value, lower, upper, note,
    compared)."""
    out = []
    for indicator, name, code, area, area_type, period, value, lower, upper, note, compared in rows:
        parent = "" if code == "E92000001" else "E92000001"
        out.append((indicator, name, parent, "", code, area, area_type, "Persons", "All ages", "", "", period,
                    value, lower, upper, "", "", "", "", note, "", compared, "", f"{period}0000", "", ""))
    return csv_bytes(FINGERTIPS_HEADER, out)


def load(command: str, data: bytes, filename: str, actor: User | None = None, **kwargs: object) -> ImportResult:
    return health_import(command=command, fileobj=io.BytesIO(data), filename=filename, actor=actor, **kwargs)  # type: ignore[arg-type]
