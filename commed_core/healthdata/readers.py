"""Streaming readers of the publishers' own files, in their official layouts.

Every reader takes a **binary** file object and yields one typed record per data row, reading through
``io.TextIOWrapper(encoding="utf-8-sig", newline="")`` and :mod:`csv`: the whole file is never held in memory,
a byte-order mark is dropped, and ``\\r\\n``, ``\\n`` and lone ``\\r`` line endings (even mixed in one file,
and inside quoted cells) are all accepted. Duplicate detection keeps the keys seen so far, so memory grows
with the number of distinct keys, not with the file; pass ``check_duplicates=False`` to stream in constant
memory.

Errors raise :class:`HealthDataError` naming the file, the row as a spreadsheet numbers it (header = row 1)
and the column: unknown layout (listing the known ones and the columns the closest one misses), missing
column, truncated row, a value that is not a number, a code of the wrong form, duplicate rows, an empty file
or a header with no data rows.

Known layouts (``LAYOUTS``; ``detect_layout`` picks the most specific whose columns are all present, matching
names case-insensitively and ignoring surrounding spaces; extra columns are ignored):

==============================  =====================================================================
``iod2019_file1``               IoD2019 File 1: IMD rank and decile (ranks may carry thousands separators)
``iod2019_file2``               IoD2019 File 2: IMD and the 7 domains, ranks and deciles
``iod2019_file3``               IoD2019 File 3: IDACI and IDAOPI scores, ranks, deciles
``iod2019_file6``               IoD2019 File 6: mid-2015 population denominators
``iod2019_file7``               IoD2019 File 7 (and the GLA "IMD 2019" sheet = its first 28 columns)
``lewisham_imd2019``            Lewisham's File 1 subset (LSOA11CD, IMD_rank, IMD_decile, WD22CD_proposed)
``ons_pcd_oa_lsoa_msoa_lad``    ONS postcode -> OA/LSOA/MSOA/LAD lookup (pcd7, pcd8, pcds, dointr, doterm,
...)
``lewisham_postcode``           Lewisham's copy of the ONS lookup, renamed, plus a ward column
``ons_lsoa_ward_lad``           ONS LSOA11 -> Ward -> LAD lookup (LSOA11CD, WD19CD, LAD19CD ...)
``lewisham_lsoa_ward``          Lewisham LSOA11 -> 2022 ward
``lewisham_ward_names``         Lewisham 2022 ward code -> name
``fingertips_26``               Fingertips data export, older 26 columns (ends "Compared to goal")
``fingertips_27``               Fingertips data export, current 27 columns (adds "Time period range")
``epraccur``                    NHS ODS epraccur, 27 columns, no header row
``gp_reg_pat_prac_all``         NHS Digital patients registered at a GP practice (totals file)
``qof_prevalence``              NHS Digital QOF PREVALENCE file
``qof_mapping_indicators``      QOF MAPPING_INDICATORS file
``qof_mapping_geographies``     QOF MAPPING_NHS_GEOGRAPHIES file
==============================  =====================================================================
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from commed_core.healthdata.errors import HealthDataError
from commed_core.healthdata.postcodes import normalise_postcode
from commed_core.healthdata.records import (
    DomainRecord,
    FingertipsRecord,
    ImdRecord,
    LsoaWardRecord,
    PatientCountRecord,
    PopulationRecord,
    PostcodeRecord,
    PracticeGeographyRecord,
    PracticeRecord,
    QofIndicatorRecord,
    QofRecord,
    SupplementaryIndexRecord,
    WardRecord,
)

__all__ = ["EPRACCUR_COLUMNS", "LAYOUTS", "Layout", "detect_layout", "open_reader", "read_records"]

# Code shapes. GSS codes are a letter and 8 digits; the entity prefix says what kind of area it is.
LSOA_ENGLAND = re.compile(r"E01\d{6}")
LSOA = re.compile(r"[EW]01\d{6}")
LAD = re.compile(r"[EW]0[6-9]\d{6}")
WARD = re.compile(r"[EW]05\d{6}")
GSS = re.compile(r"[A-Z]\d{8}")  # any GSS-shaped code, including ONS pseudo-codes such as E99999999
ODS_PRACTICE = re.compile(r"[A-Z]\d{5}")
ODS_ORG = re.compile(r"[A-Z0-9]{3,6}")
FINGERTIPS_AREA = re.compile(r"[A-Z]\d{8}|[A-Z]\d{5}")  # GSS area or ODS GP practice
# Lewisham's copy went through a spreadsheet: "201912.0" is the ONS yyyymm 201912.
YYYYMM = re.compile(r"(\d{6})(?:\.0)?")
_THOUSANDS = re.compile(r"-?\d{1,3}(?:,\d{3})+")
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), start=1
    )
}


class _Row:
    """Typed access to the cells of the current row, raising errors that say where. One instance per file."""

    __slots__ = ("cells", "filename", "index", "names", "number")

    def __init__(self, filename: str, index: dict[str, int], names: list[str]) -> None:
        self.filename = filename
        self.index = index  # canonical column name -> position in the row
        self.names = names  # position -> the column's name as the file (or the documentation) spells it
        self.cells: list[str] = []
        self.number = 0

    def error(self, message: str, column: str | None) -> HealthDataError:
        name = None if column is None else self.names[self.index[column]]
        return HealthDataError(message, filename=self.filename, row=self.number, column=name)

    def opt(self, column: str) -> str | None:
        position = self.index[column]
        value = self.cells[position].strip() if position < len(self.cells) else ""
        return value or None

    def text(self, column: str) -> str:
        value = self.opt(column)
        if value is None:
            raise self.error("empty cell where a value is required", column)
        return value

    def integer(self, column: str) -> int:
        value = self.text(column)
        try:
            return int(value)
        except ValueError:
            if _THOUSANDS.fullmatch(value):
                return int(value.replace(",", ""))
            raise self.error(f"not a whole number: {value!r}", column) from None

    def opt_float(self, column: str) -> float | None:
        value = self.opt(column)
        if value is None:
            return None
        try:
            number = float(value)
        except ValueError:
            if not _THOUSANDS.fullmatch(value):
                raise self.error(f"not a number: {value!r}", column) from None
            number = float(value.replace(",", ""))
        if not math.isfinite(number):
            raise self.error(f"not a finite number: {value!r}", column)
        return number

    def real(self, column: str) -> float:
        number = self.opt_float(column)
        if number is None:
            raise self.error("empty cell where a number is required", column)
        return number

    def decile(self, column: str) -> int:
        value = self.integer(column)
        if not 1 <= value <= 10:
            raise self.error(f"a decile must be 1..10, got {value}", column)
        return value

    def code(self, column: str, pattern: re.Pattern[str], what: str) -> str:
        value = self.text(column)
        if not pattern.fullmatch(value):
            raise self.error(f"{value!r} is not of the form of {what}", column)
        return value

    def opt_code(self, column: str, pattern: re.Pattern[str], what: str) -> str | None:
        return None if self.opt(column) is None else self.code(column, pattern, what)

    def yyyymm(self, column: str) -> str | None:
        value = self.opt(column)
        if value is None:
            return None
        match = YYYYMM.fullmatch(value)
        if not match or not 1 <= int(match.group(1)[4:]) <= 12:
            raise self.error(f"not a yyyymm date: {value!r}", column)
        return match.group(1)

    def date8(self, column: str) -> dt.date | None:
        value = self.opt(column)
        if value is None:
            return None
        try:
            if len(value) != 8 or not value.isdigit():
                raise ValueError(value)
            return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
        except ValueError:
            raise self.error(f"not a yyyymmdd date: {value!r}", column) from None

    def postcode(self, column: str) -> str | None:
        value = self.opt(column)
        if value is None:
            return None
        try:
            return normalise_postcode(value)
        except ValueError:
            raise self.error(f"not a UK postcode: {value!r}", column) from None


@dataclass(frozen=True)
class Layout:
    """A publisher's file layout: its columns, how a row becomes a record, and which columns identify a
    row."""

    name: str
    description: str
    columns: tuple[str, ...]
    parse: Callable[[_Row], Any]
    key: Callable[[Any], Hashable]
    key_column: str
    has_header: bool = True
    optional_trailing: tuple[str, ...] = ()
    optional_columns: tuple[str, ...] = ()


# --- IoD2019 -----------------------------------------------------------------------------------------------

_LSOA_COLUMNS = (
    "LSOA code (2011)",
    "LSOA name (2011)",
    "Local Authority District code (2019)",
    "Local Authority District name (2019)",
)
_DOMAINS = (
    ("Income", "Income Score (rate)"),
    ("Employment", "Employment Score (rate)"),
    ("Education, Skills and Training", "Education, Skills and Training Score"),
    ("Health Deprivation and Disability", "Health Deprivation and Disability Score"),
    ("Crime", "Crime Score"),
    ("Barriers to Housing and Services", "Barriers to Housing and Services Score"),
    ("Living Environment", "Living Environment Score"),
)
_IMD = "Index of Multiple Deprivation (IMD)"
_RANK = " Rank (where 1 is most deprived)"
_DECILE = " Decile (where 1 is most deprived 10% of LSOAs)"
_FILE2_COLUMNS = (
    *_LSOA_COLUMNS,
    _IMD + _RANK,
    _IMD + _DECILE,
    *[c for domain, _ in _DOMAINS for c in (domain + _RANK, domain + _DECILE)],
)
_FILE7_COLUMNS = (
    *_LSOA_COLUMNS,
    _IMD + " Score",
    _IMD + _RANK,
    _IMD + _DECILE,
    *[c for domain, score in _DOMAINS for c in (score, domain + _RANK, domain + _DECILE)],
)


def _lsoa_fields(row: _Row) -> tuple[str, str, str, str]:
    return (
        row.code(_LSOA_COLUMNS[0], LSOA_ENGLAND, "an English LSOA code (E01 and 6 digits)"),
        row.text(_LSOA_COLUMNS[1]),
        row.code(_LSOA_COLUMNS[2], LAD, "a local authority district code (E06-E09 and 6 digits)"),
        row.text(_LSOA_COLUMNS[3]),
    )


def _parse_file1(row: _Row) -> ImdRecord:
    lsoa, lsoa_name, lad, lad_name = _lsoa_fields(row)
    return ImdRecord(
        lsoa, lsoa_name, lad, lad_name, row.integer(_IMD + " Rank"), row.decile(_IMD + " Decile")
    )


def _parse_file2(row: _Row) -> ImdRecord:
    lsoa, lsoa_name, lad, lad_name = _lsoa_fields(row)
    domains = {d: DomainRecord(row.integer(d + _RANK), row.decile(d + _DECILE)) for d, _ in _DOMAINS}
    return ImdRecord(
        lsoa, lsoa_name, lad, lad_name, row.integer(_IMD + _RANK), row.decile(_IMD + _DECILE), None, domains
    )


def _parse_file7(row: _Row) -> ImdRecord:
    lsoa, lsoa_name, lad, lad_name = _lsoa_fields(row)
    domains = {
        d: DomainRecord(row.integer(d + _RANK), row.decile(d + _DECILE), row.real(score))
        for d, score in _DOMAINS
    }
    return ImdRecord(
        lsoa,
        lsoa_name,
        lad,
        lad_name,
        row.integer(_IMD + _RANK),
        row.decile(_IMD + _DECILE),
        row.real(_IMD + " Score"),
        domains,
    )


_IDACI = "Income Deprivation Affecting Children Index (IDACI)"
_IDAOPI = "Income Deprivation Affecting Older People (IDAOPI)"
_FILE3_COLUMNS = (
    *_LSOA_COLUMNS,
    _IDACI + " Score (rate)",
    _IDACI + _RANK,
    _IDACI + _DECILE,
    _IDAOPI + " Score (rate)",
    _IDAOPI + _RANK,
    _IDAOPI + _DECILE,
)


def _parse_file3(row: _Row) -> SupplementaryIndexRecord:
    return SupplementaryIndexRecord(
        *_lsoa_fields(row),
        idaci_score=row.real(_IDACI + " Score (rate)"),
        idaci_rank=row.integer(_IDACI + _RANK),
        idaci_decile=row.decile(_IDACI + _DECILE),
        idaopi_score=row.real(_IDAOPI + " Score (rate)"),
        idaopi_rank=row.integer(_IDAOPI + _RANK),
        idaopi_decile=row.decile(_IDAOPI + _DECILE),
    )


_FILE6_COLUMNS = (
    *_LSOA_COLUMNS,
    "Total population: mid 2015 (excluding prisoners)",
    "Dependent Children aged 0-15: mid 2015 (excluding prisoners)",
    "Population aged 16-59: mid 2015 (excluding prisoners)",
    "Older population aged 60 and over: mid 2015 (excluding prisoners)",
    "Working age population 18-59/64: for use with Employment Deprivation Domain (excluding prisoners)",
)


def _parse_file6(row: _Row) -> PopulationRecord:
    return PopulationRecord(*_lsoa_fields(row), *(row.integer(c) for c in _FILE6_COLUMNS[4:]))


_LEWISHAM_IMD_COLUMNS = (
    "LSOA11CD",
    "LSOA11NM",
    "LAD19CD",
    "LAD19NM",
    "IMD_rank",
    "IMD_decile",
    "WD22CD_proposed",
)


def _parse_lewisham_imd(row: _Row) -> ImdRecord:
    return ImdRecord(
        row.code("LSOA11CD", LSOA_ENGLAND, "an English LSOA code (E01 and 6 digits)"),
        row.text("LSOA11NM"),
        row.code("LAD19CD", LAD, "a local authority district code"),
        row.text("LAD19NM"),
        row.integer("IMD_rank"),
        row.decile("IMD_decile"),
        ward_code=row.opt_code("WD22CD_proposed", WARD, "a ward code (E05 and 6 digits)"),
    )


# --- Postcodes and lookups ---------------------------------------------------------------------------------

_ONS_PCD_COLUMNS = (
    "pcd7",
    "pcd8",
    "pcds",
    "dointr",
    "doterm",
    "usertype",
    "oa11cd",
    "lsoa11cd",
    "msoa11cd",
    "ladcd",
)
_ONS_PCD_NAMES = ("lsoa11nm", "msoa11nm", "ladnm")
_LEWISHAM_PCD_COLUMNS = (
    "Postcode7",
    "Postcode8",
    "PostcodeNatural",
    "IntroductionDate",
    "TerminationDate",
    "Usertype",
    "OA11CD",
    "LSOA11CD",
    "MSOA11CD",
    "LAD19CD",
    "WD22CD_proposed",
)


def _postcode_record(
    row: _Row, names: tuple[str, ...], ward: str | None, extra: tuple[str, ...]
) -> PostcodeRecord:
    pcd7, pcd8, pcds, intr, term, usertype, oa, lsoa, msoa, lad = names
    postcode = row.postcode(pcds)
    if postcode is None:
        raise row.error("empty cell where a postcode is required", pcds)
    compact = postcode.replace(" ", "")
    for form in (pcd7, pcd8):
        other = row.opt(form)
        # Comparing compact spellings is enough: pcd7/pcd8 differ from pcds only by spaces.
        if other is not None and "".join(other.split()).upper() != compact:
            raise row.error(f"{other!r} is not the same postcode as {postcode!r}", form)
    introduced = row.yyyymm(intr)
    if introduced is None:
        raise row.error("empty cell where an introduction date is required", intr)
    terminated_on = row.yyyymm(term)
    kind = row.integer(usertype)
    if kind not in (0, 1):
        raise row.error(f"usertype must be 0 (small user) or 1 (large user), got {kind}", usertype)
    names_values = [row.opt(c) if c in row.index else None for c in extra] if extra else [None, None, None]
    return PostcodeRecord(
        postcode=postcode,
        pcd7=row.opt(pcd7) or "",
        pcd8=row.opt(pcd8) or "",
        introduced=introduced,
        terminated_on=terminated_on,
        terminated=terminated_on is not None,
        usertype=kind,
        oa_code=row.opt_code(oa, GSS, "an output area code (a GSS code: letter and 8 digits)"),
        lsoa_code=row.opt_code(lsoa, GSS, "an LSOA code (a GSS code: letter and 8 digits)"),
        msoa_code=row.opt_code(msoa, GSS, "an MSOA code (a GSS code: letter and 8 digits)"),
        lad_code=row.opt_code(lad, GSS, "a local authority code (a GSS code: letter and 8 digits)"),
        ward_code=None if ward is None else row.opt_code(ward, GSS, "a ward code (a GSS code)"),
        lsoa_name=names_values[0],
        msoa_name=names_values[1],
        lad_name=names_values[2],
    )


def _parse_ons_postcode(row: _Row) -> PostcodeRecord:
    return _postcode_record(row, _ONS_PCD_COLUMNS, None, _ONS_PCD_NAMES)


def _parse_lewisham_postcode(row: _Row) -> PostcodeRecord:
    return _postcode_record(row, _LEWISHAM_PCD_COLUMNS[:10], "WD22CD_proposed", ())


_ONS_LSOA_WARD_COLUMNS = ("LSOA11CD", "LSOA11NM", "WD19CD", "WD19NM", "LAD19CD", "LAD19NM")


def _parse_ons_lsoa_ward(row: _Row) -> LsoaWardRecord:
    return LsoaWardRecord(
        lsoa_code=row.code("LSOA11CD", LSOA, "an LSOA code (E01/W01 and 6 digits)"),
        ward_code=row.code("WD19CD", WARD, "a ward code (E05/W05 and 6 digits)"),
        ward_name=row.text("WD19NM"),
        lsoa_name=row.text("LSOA11NM"),
        lad_code=row.code("LAD19CD", LAD, "a local authority district code"),
        lad_name=row.text("LAD19NM"),
    )


def _parse_lewisham_lsoa_ward(row: _Row) -> LsoaWardRecord:
    return LsoaWardRecord(
        lsoa_code=row.code("LSOA11CD", LSOA, "an LSOA code (E01/W01 and 6 digits)"),
        ward_code=row.code("WD22CD_proposed", WARD, "a ward code (E05 and 6 digits)"),
        ward_name=row.text("WD22NM_proposed"),
    )


def _parse_lewisham_ward_names(row: _Row) -> WardRecord:
    return WardRecord(
        row.code("WD22CD_proposed", WARD, "a ward code (E05 and 6 digits)"), row.text("WD22NM_proposed")
    )


# --- Fingertips --------------------------------------------------------------------------------------------

_FINGERTIPS_COLUMNS = (
    "Indicator ID",
    "Indicator Name",
    "Parent Code",
    "Parent Name",
    "Area Code",
    "Area Name",
    "Area Type",
    "Sex",
    "Age",
    "Category Type",
    "Category",
    "Time period",
    "Value",
    "Lower CI 95.0 limit",
    "Upper CI 95.0 limit",
    "Lower CI 99.8 limit",
    "Upper CI 99.8 limit",
    "Count",
    "Denominator",
    "Value note",
    "Recent Trend",
    "Compared to England value or percentiles",
    "Time period Sortable",
    "New data",
    "Compared to goal",
)
_PARENT_COMPARISON = "__compared_to_parent__"  # the column after "Compared to England ...", whatever its name


def _parse_fingertips(row: _Row) -> FingertipsRecord:
    parent_code = row.opt("Parent Code")
    if parent_code is not None and not FINGERTIPS_AREA.fullmatch(parent_code):
        raise row.error(f"{parent_code!r} is not of the form of an area code", "Parent Code")
    period_range = row.opt("Time period range") if "Time period range" in row.index else None
    parent_comparison = row.opt(_PARENT_COMPARISON) if _PARENT_COMPARISON in row.index else None
    return FingertipsRecord(
        indicator_id=row.integer("Indicator ID"),
        # Some exports end the name with a newline inside the quotes ("rate/100,000\n"): text() trims it.
        indicator_name=row.text("Indicator Name"),
        parent_code=parent_code,
        parent_name=row.opt("Parent Name"),
        area_code=row.code("Area Code", FINGERTIPS_AREA, "an area code (GSS code or GP practice code)"),
        area_name=row.text("Area Name"),
        area_type=row.text("Area Type"),
        sex=row.text("Sex"),
        age=row.text("Age"),
        category_type=row.opt("Category Type"),
        category=row.opt("Category"),
        period=row.text("Time period"),
        value=row.opt_float("Value"),
        lower_ci95=row.opt_float("Lower CI 95.0 limit"),
        upper_ci95=row.opt_float("Upper CI 95.0 limit"),
        lower_ci998=row.opt_float("Lower CI 99.8 limit"),
        upper_ci998=row.opt_float("Upper CI 99.8 limit"),
        count=row.opt_float("Count"),
        denominator=row.opt_float("Denominator"),
        value_note=row.opt("Value note"),
        recent_trend=row.opt("Recent Trend"),
        compared_to_england=row.opt("Compared to England value or percentiles"),
        compared_to_parent=parent_comparison,
        period_sortable=row.integer("Time period Sortable"),
        new_data=row.opt("New data"),
        compared_to_goal=row.opt("Compared to goal"),
        period_range=period_range,
    )


def _fingertips_key(r: FingertipsRecord) -> Hashable:
    return (r.indicator_id, r.parent_code, r.area_code, r.sex, r.age, r.category_type, r.category, r.period)


# --- NHS GP practice files ---------------------------------------------------------------------------------

# ODS "GP and GP practice related data", epraccur.csv: 27 columns, no header row (ODS data file
# specification).
EPRACCUR_COLUMNS = (
    "Organisation Code",
    "Name",
    "National Grouping",
    "High Level Health Geography",
    "Address Line 1",
    "Address Line 2",
    "Address Line 3",
    "Address Line 4",
    "Address Line 5",
    "Postcode",
    "Open Date",
    "Close Date",
    "Status Code",
    "Organisation Sub-Type Code",
    "Commissioner",
    "Join Provider/Purchaser Date",
    "Left Provider/Purchaser Date",
    "Contact Telephone Number",
    "Null (19)",
    "Null (20)",
    "Null (21)",
    "Amended Record Indicator",
    "Null (23)",
    "Provider/Purchaser",
    "Null (25)",
    "Prescribing Setting",
    "Null (27)",
)


def _parse_epraccur(row: _Row) -> PracticeRecord:
    status = row.text("Status Code")
    if status not in ("A", "C", "D", "P"):
        raise row.error(f"status must be A, C, D or P, got {status!r}", "Status Code")
    subtype = row.text("Organisation Sub-Type Code")
    amended = row.opt("Amended Record Indicator")
    if amended not in (None, "0", "1"):
        raise row.error(
            f"amended record indicator must be 0 or 1, got {amended!r}", "Amended Record Indicator"
        )
    setting = row.opt("Prescribing Setting")
    return PracticeRecord(
        code=row.code("Organisation Code", ODS_ORG, "an ODS organisation code"),
        name=row.text("Name"),
        national_grouping=row.opt("National Grouping"),
        high_level_health_geography=row.opt("High Level Health Geography"),
        address=tuple(v for c in EPRACCUR_COLUMNS[4:9] if (v := row.opt(c)) is not None),
        postcode=row.postcode("Postcode"),
        open_date=row.date8("Open Date"),
        close_date=row.date8("Close Date"),
        status_code=status,
        organisation_subtype=subtype,
        commissioner=row.opt("Commissioner"),
        join_provider_date=row.date8("Join Provider/Purchaser Date"),
        left_provider_date=row.date8("Left Provider/Purchaser Date"),
        contact_telephone=row.opt("Contact Telephone Number"),
        amended_record=amended == "1",
        provider_purchaser=row.opt("Provider/Purchaser"),
        prescribing_setting=None if setting is None else row.integer("Prescribing Setting"),
    )


_GP_REG_COLUMNS = (
    "PUBLICATION",
    "EXTRACT_DATE",
    "TYPE",
    "CCG_CODE",
    "ONS_CCG_CODE",
    "CODE",
    "POSTCODE",
    "SEX",
    "AGE",
    "NUMBER_OF_PATIENTS",
)


def _parse_gp_reg(row: _Row) -> PatientCountRecord:
    raw = row.text("EXTRACT_DATE")
    try:
        extract = dt.date(int(raw[5:]), _MONTHS[raw[2:5].upper()], int(raw[:2]))
        if len(raw) != 9:
            raise ValueError(raw)
    except (KeyError, ValueError):
        raise row.error(f"not a ddMONyyyy date: {raw!r}", "EXTRACT_DATE") from None
    return PatientCountRecord(
        publication=row.text("PUBLICATION"),
        extract_date=extract,
        practice_code=row.code("CODE", ODS_PRACTICE, "a GP practice code (a letter and 5 digits)"),
        ccg_code=row.code("CCG_CODE", ODS_ORG, "an ODS commissioner code"),
        ons_ccg_code=row.code("ONS_CCG_CODE", GSS, "a GSS code (a letter and 8 digits)"),
        postcode=row.postcode("POSTCODE"),
        sex=row.text("SEX"),
        age=row.text("AGE"),
        patients=row.integer("NUMBER_OF_PATIENTS"),
    )


_QOF_PREVALENCE_COLUMNS = (
    "PRACTICE_CODE",
    "GROUP_CODE",
    "REGISTER",
    "PATIENT_LIST_TYPE",
    "PRACTICE_LIST_SIZE",
)


def _parse_qof_prevalence(row: _Row) -> QofRecord:
    return QofRecord(
        practice_code=row.code("PRACTICE_CODE", ODS_PRACTICE, "a GP practice code (a letter and 5 digits)"),
        group_code=row.text("GROUP_CODE"),
        register=row.integer("REGISTER"),
        patient_list_type=row.text("PATIENT_LIST_TYPE"),
        list_size=row.integer("PRACTICE_LIST_SIZE"),
    )


_QOF_INDICATOR_COLUMNS = (
    "INDICATOR_CODE",
    "INDICATOR_POINT_VALUE",
    "GROUP_CODE",
    "GROUP_DESCRIPTION",
    "DOMAIN_CODE",
    "DOMAIN_DESCRIPTION",
    "PATIENT_LIST_TYPE",
)


def _parse_qof_indicator(row: _Row) -> QofIndicatorRecord:
    return QofIndicatorRecord(
        indicator_code=row.text("INDICATOR_CODE"),
        point_value=row.integer("INDICATOR_POINT_VALUE"),
        group_code=row.text("GROUP_CODE"),
        group_description=row.text("GROUP_DESCRIPTION"),
        domain_code=row.text("DOMAIN_CODE"),
        domain_description=row.text("DOMAIN_DESCRIPTION"),
        patient_list_type=row.text("PATIENT_LIST_TYPE"),
    )


_QOF_GEOGRAPHY_COLUMNS = (
    "NAT_ONS_CODE",
    "NAT_CODE",
    "COUNTRY",
    "REGION_ODS_CODE",
    "REGION_ONS_CODE",
    "REGION_NAME",
    "STP_ODS_CODE",
    "STP_ONS_CODE",
    "STP_NAME",
    "CCG_ODS_CODE",
    "CCG_ONS_CODE",
    "CCG_NAME",
    "PCN_ODS_CODE",
    "PCN_NAME",
    "PRACTICE_CODE",
    "PRACTICE_NAME",
)


def _parse_qof_geography(row: _Row) -> PracticeGeographyRecord:
    return PracticeGeographyRecord(
        practice_code=row.code("PRACTICE_CODE", ODS_PRACTICE, "a GP practice code (a letter and 5 digits)"),
        practice_name=row.text("PRACTICE_NAME"),
        pcn_code=row.opt("PCN_ODS_CODE"),
        pcn_name=row.opt("PCN_NAME"),
        ccg_ods_code=row.code("CCG_ODS_CODE", ODS_ORG, "an ODS commissioner code"),
        ccg_ons_code=row.code("CCG_ONS_CODE", GSS, "a GSS code (a letter and 8 digits)"),
        ccg_name=row.text("CCG_NAME"),
        stp_ods_code=row.code("STP_ODS_CODE", ODS_ORG, "an ODS code"),
        stp_ons_code=row.code("STP_ONS_CODE", GSS, "a GSS code (a letter and 8 digits)"),
        stp_name=row.text("STP_NAME"),
        region_ods_code=row.code("REGION_ODS_CODE", ODS_ORG, "an ODS code"),
        region_ons_code=row.code("REGION_ONS_CODE", GSS, "a GSS code (a letter and 8 digits)"),
        region_name=row.text("REGION_NAME"),
        country=row.text("COUNTRY"),
    )


# --- The registry ------------------------------------------------------------------------------------------


def _lsoa_key(r: Any) -> Hashable:
    return r.lsoa_code  # type: ignore[no-any-return]


_ALL: tuple[Layout, ...] = (
    Layout(
        "iod2019_file1",
        "IoD2019 File 1 (IMD rank and decile)",
        (*_LSOA_COLUMNS, _IMD + " Rank", _IMD + " Decile"),
        _parse_file1,
        _lsoa_key,
        _LSOA_COLUMNS[0],
    ),
    Layout(
        "iod2019_file2",
        "IoD2019 File 2 (domains: ranks and deciles)",
        _FILE2_COLUMNS,
        _parse_file2,
        _lsoa_key,
        _LSOA_COLUMNS[0],
    ),
    Layout(
        "iod2019_file3",
        "IoD2019 File 3 (IDACI and IDAOPI)",
        _FILE3_COLUMNS,
        _parse_file3,
        _lsoa_key,
        _LSOA_COLUMNS[0],
    ),
    Layout(
        "iod2019_file6",
        "IoD2019 File 6 (population denominators)",
        _FILE6_COLUMNS,
        _parse_file6,
        _lsoa_key,
        _LSOA_COLUMNS[0],
    ),
    Layout(
        "iod2019_file7",
        "IoD2019 File 7 (scores, ranks, deciles; also the GLA 'IMD 2019' sheet)",
        _FILE7_COLUMNS,
        _parse_file7,
        _lsoa_key,
        _LSOA_COLUMNS[0],
    ),
    Layout(
        "lewisham_imd2019",
        "Lewisham IMD2019 by LSOA11 (File 1 subset, renamed)",
        _LEWISHAM_IMD_COLUMNS,
        _parse_lewisham_imd,
        _lsoa_key,
        "LSOA11CD",
    ),
    Layout(
        "ons_pcd_oa_lsoa_msoa_lad",
        "ONS postcode to OA/LSOA/MSOA/LAD lookup",
        _ONS_PCD_COLUMNS,
        _parse_ons_postcode,
        lambda r: r.postcode,
        "pcds",
        optional_columns=_ONS_PCD_NAMES,
    ),
    Layout(
        "lewisham_postcode",
        "Lewisham postcode to OA11/LSOA11/MSOA11/LAD19/ward lookup",
        _LEWISHAM_PCD_COLUMNS,
        _parse_lewisham_postcode,
        lambda r: r.postcode,
        "PostcodeNatural",
    ),
    Layout(
        "ons_lsoa_ward_lad",
        "ONS LSOA11 to Ward (2019) to LAD (2019) lookup",
        _ONS_LSOA_WARD_COLUMNS,
        _parse_ons_lsoa_ward,
        _lsoa_key,
        "LSOA11CD",
    ),
    Layout(
        "lewisham_lsoa_ward",
        "Lewisham LSOA11 to 2022 ward",
        ("LSOA11CD", "WD22NM_proposed", "WD22CD_proposed"),
        _parse_lewisham_lsoa_ward,
        _lsoa_key,
        "LSOA11CD",
    ),
    Layout(
        "lewisham_ward_names",
        "Lewisham 2022 ward names",
        ("WD22CD_proposed", "WD22NM_proposed"),
        _parse_lewisham_ward_names,
        lambda r: r.ward_code,
        "WD22CD_proposed",
    ),
    Layout(
        "fingertips_26",
        "Fingertips data export (26 columns)",
        _FINGERTIPS_COLUMNS,
        _parse_fingertips,
        _fingertips_key,
        "Area Code",
        optional_trailing=("Compared to goal",),
        optional_columns=("Time period range",),
    ),
    Layout(
        "fingertips_27",
        "Fingertips data export (27 columns, with 'Time period range')",
        (*_FINGERTIPS_COLUMNS, "Time period range"),
        _parse_fingertips,
        _fingertips_key,
        "Area Code",
    ),
    Layout(
        "epraccur",
        "NHS ODS epraccur (GP practices; no header row)",
        EPRACCUR_COLUMNS,
        _parse_epraccur,
        lambda r: r.code,
        "Organisation Code",
        has_header=False,
    ),
    Layout(
        "gp_reg_pat_prac_all",
        "NHS Digital patients registered at a GP practice",
        _GP_REG_COLUMNS,
        _parse_gp_reg,
        lambda r: (r.practice_code, r.sex, r.age),
        "CODE",
    ),
    Layout(
        "qof_prevalence",
        "NHS Digital QOF prevalence (registers and list sizes)",
        _QOF_PREVALENCE_COLUMNS,
        _parse_qof_prevalence,
        lambda r: (r.practice_code, r.group_code),
        "PRACTICE_CODE",
    ),
    Layout(
        "qof_mapping_indicators",
        "QOF indicator mapping",
        _QOF_INDICATOR_COLUMNS,
        _parse_qof_indicator,
        lambda r: r.indicator_code,
        "INDICATOR_CODE",
    ),
    Layout(
        "qof_mapping_geographies",
        "QOF practice to NHS geographies mapping",
        _QOF_GEOGRAPHY_COLUMNS,
        _parse_qof_geography,
        lambda r: r.practice_code,
        "PRACTICE_CODE",
    ),
)
LAYOUTS: dict[str, Layout] = {layout.name: layout for layout in _ALL}


def _fold(name: str) -> str:
    return " ".join(name.split()).casefold()


def _looks_like_epraccur(first_row: list[str]) -> bool:
    return (
        len(first_row) == len(EPRACCUR_COLUMNS)
        and bool(ODS_ORG.fullmatch(first_row[0].strip()))
        and first_row[12].strip() in ("A", "C", "D", "P")
    )


def _closest(header: list[str]) -> tuple[Layout, list[str]]:
    present = {_fold(h) for h in header}
    best: tuple[float, Layout, list[str]] | None = None
    for layout in _ALL:
        if not layout.has_header:
            continue
        missing = [c for c in layout.columns if _fold(c) not in present]
        score = (len(layout.columns) - len(missing)) / len(layout.columns)
        if (
            best is None
            or score > best[0]
            or (score == best[0] and len(layout.columns) > len(best[1].columns))
        ):
            best = (score, layout, missing)
    if best is None:  # pragma: no cover - the registry always has header layouts
        raise RuntimeError("no layout with a header is registered")
    return best[1], best[2]


def detect_layout(header: list[str], filename: str = "<file>") -> str:
    """The name of the layout whose columns all appear in ``header`` (the most specific if several do).

    A first row that is itself an epraccur record (27 cells, an ODS code, a status letter) gives
    ``"epraccur"``, which has no header row. Raises :class:`HealthDataError` naming the known layouts; when
    the header clearly belongs to one layout but lacks columns, the error names the first missing column.
    """
    present = {_fold(h) for h in header}
    matches = [
        layout for layout in _ALL if layout.has_header and all(_fold(c) in present for c in layout.columns)
    ]
    if matches:
        return max(matches, key=lambda layout: len(layout.columns)).name
    if _looks_like_epraccur(header):
        return "epraccur"
    layout, missing = _closest(header)
    found = len(layout.columns) - len(missing)
    if found >= 2 and found * 2 >= len(layout.columns):
        raise HealthDataError(
            f"the header looks like {layout.name} ({layout.description}) but column {missing[0]!r} is missing"
            + (f" (also missing: {', '.join(repr(m) for m in missing[1:])})" if len(missing) > 1 else ""),
            filename=filename,
            row=1,
            column=missing[0],
        )
    raise HealthDataError(
        f"unknown layout: the header matches none of the known layouts ({', '.join(LAYOUTS)}); the closest, "
        f"{layout.name} ({layout.description}), misses columns {', '.join(repr(m) for m in missing)}",
        filename=filename,
        row=1,
    )


def _resolve(layout: Layout, header: list[str], filename: str) -> tuple[dict[str, int], list[str]]:
    if not layout.has_header:
        return {c: i for i, c in enumerate(layout.columns)}, list(layout.columns)
    positions: dict[str, int] = {}
    for i, name in enumerate(header):
        folded = _fold(name)
        if folded and folded in positions:
            raise HealthDataError("the header names this column twice", filename=filename, row=1, column=name)
        positions[folded] = i
    index: dict[str, int] = {}
    for column in layout.columns:
        if _fold(column) not in positions:
            raise HealthDataError(
                f"column {column!r} is missing for layout {layout.name}",
                filename=filename,
                row=1,
                column=column,
            )
        index[column] = positions[_fold(column)]
    for column in layout.optional_columns:
        if _fold(column) in positions:
            index[column] = positions[_fold(column)]
    if layout.name.startswith("fingertips"):
        following = index["Compared to England value or percentiles"] + 1
        if following < len(header) and _fold(header[following]).startswith("compared to"):
            index[_PARENT_COMPARISON] = following
    return index, [name.strip() for name in header]


def read_records(
    text: IO[str], filename: str, layout_name: str | None = None, *, check_duplicates: bool = True
) -> tuple[str, Iterator[Any]]:
    """Like :func:`open_reader` but over an already-decoded text stream opened with ``newline=""``."""
    reader = csv.reader(text, strict=True)
    try:
        first = next(reader, None)
        while first is not None and not any(cell.strip() for cell in first):
            first = next(reader, None)  # leading blank lines
    except csv.Error as exc:
        raise HealthDataError(f"unreadable text: {exc}", filename=filename, row=1) from None
    if first is None:
        raise HealthDataError("the file is empty: no header row and no data", filename=filename)
    _check_text(first, first, filename, 1)
    if layout_name is None:
        layout_name = detect_layout(first, filename)
    try:
        layout = LAYOUTS[layout_name]
    except KeyError:
        raise HealthDataError(
            f"unknown layout name {layout_name!r}; known: {', '.join(LAYOUTS)}", filename=filename
        ) from None
    header = first if layout.has_header else []
    index, names = _resolve(layout, header, filename)
    pending = None if layout.has_header else first
    return layout.name, _iterate(reader, layout, index, names, filename, pending, check_duplicates)


def _check_text(cells: list[str], names: list[str], filename: str, number: int) -> None:
    """Refuse bytes that were not UTF-8 (decoded as lone surrogates), naming the cell.

    ASCII rows, nearly all of them, cost one ``isascii`` call.
    """
    if "".join(cells).isascii():
        return
    for position, value in enumerate(cells):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            column = names[position] if position < len(names) else f"column {position + 1}"
            raise HealthDataError(
                f"not UTF-8 text: byte {value[exc.start].encode('utf-8', 'surrogateescape')!r} in {value!r}; "
                "save the file as UTF-8 (CSV UTF-8 in Excel)",
                filename=filename,
                row=number,
                column=column,
            ) from None


def _iterate(
    reader: Any,
    layout: Layout,
    index: dict[str, int],
    names: list[str],
    filename: str,
    pending: list[str] | None,
    check_duplicates: bool,
) -> Iterator[Any]:
    row = _Row(filename, index, names)
    width = len(names)
    shortest = width - len(layout.optional_trailing)
    number = 0 if pending is not None else 1
    seen: set[Hashable] = set()
    produced = 0
    parse, key_of = layout.parse, layout.key
    while True:
        if pending is not None:
            cells, pending = pending, None
        else:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise HealthDataError(f"malformed CSV ({exc})", filename=filename, row=number + 1) from None
        number += 1
        if len(cells) != width:
            if not cells or not any(c.strip() for c in cells):
                continue  # a blank line: spreadsheets and editors leave them at the end
            if len(cells) < shortest:
                raise HealthDataError(
                    f"truncated row: {len(cells)} cells where the layout has {width}",
                    filename=filename,
                    row=number,
                    column=names[len(cells)],
                )
            if len(cells) > width and any(c.strip() for c in cells[width:]):
                raise HealthDataError(
                    f"{len(cells)} cells where the layout has {width}: unexpected value {cells[width]!r}",
                    filename=filename,
                    row=number,
                    column=f"column {width + 1}",
                )
        _check_text(cells, names, filename, number)
        row.cells = cells
        row.number = number
        record = parse(row)
        if check_duplicates:
            key = key_of(record)
            if key in seen:
                raise HealthDataError(
                    f"duplicate row: {key!r} appears in an earlier row",
                    filename=filename,
                    row=number,
                    column=names[index[layout.key_column]],
                )
            seen.add(key)
        produced += 1
        yield record
    if produced == 0:
        raise HealthDataError("the file has a header but no data rows", filename=filename, row=number + 1)


def open_reader(
    fileobj: IO[bytes], filename: str, layout: str | None = None, *, check_duplicates: bool = True
) -> tuple[str, Iterator[Any]]:
    """Detect the layout of a publisher's file and return ``(layout name, iterator of records)``.

    ``fileobj`` is a binary file object (an open file, a ``BytesIO``, an upload); ``filename`` is only used in
    error messages. The header is read at once (so an unknown layout fails here); the rows are read, checked
    and converted one at a time as the iterator is consumed. ``layout`` forces a layout by name.
    """
    # surrogateescape: a byte that is not UTF-8 is kept (as a lone surrogate) so that the row holding it can
    # be named; decoding happens in 8 KB chunks, far ahead of the row being parsed.
    text = io.TextIOWrapper(fileobj, encoding="utf-8-sig", errors="surrogateescape", newline="")
    return read_records(text, filename, layout, check_duplicates=check_duplicates)
