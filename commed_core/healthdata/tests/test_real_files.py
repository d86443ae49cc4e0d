"""Every real publisher file in shared/external/health reads fully, with the right layout, count and values.

Expected counts and cells are computed here independently, with the csv module over the raw file.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from commed_core.healthdata import (
    FingertipsRecord,
    ImdRecord,
    PostcodeRecord,
    PracticeRecord,
    normalise_postcode,
    open_reader,
)

HEALTH = Path(__file__).resolve().parents[3].parent / "shared" / "external" / "health"

FILES = {
    "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv": "iod2019_file1",
    "File_2_-_IoD2019_Domains_of_Deprivation.csv": "iod2019_file2",
    "File_6_-_IoD2019_Population_Denominators.csv": "iod2019_file6",
    "london_GLA_ID2019_sheet_IMD2019.csv": "iod2019_file7",
    "london_GLA_ID2019_sheet_Population_figures.csv": "iod2019_file6",
    "london_GLA_ID2019_sheet_IDACI_IDAOPI.csv": "iod2019_file3",
    "lewisham_postcode_oa11_lsoa11_msoa11_wd22.csv": "lewisham_postcode",
    "lewisham_imd2019_lsoa11.csv": "lewisham_imd2019",
    "lewisham_lsoa11_wd22.csv": "lewisham_lsoa_ward",
    "lewisham_wd22_names.csv": "lewisham_ward_names",
    "lsoa11_ward19_lad19_lookup_ew.csv": "ons_lsoa_ward_lad",
    "fingertips_gp_practice_imd2019_score_93553_indicator-data.csv": "fingertips_27",
    "fingertips_indicators-CountyUA.data.csv": "fingertips_26",
    "qof2021_PREVALENCE_2021_v2.csv": "qof_prevalence",
    "qof2021_MAPPING_INDICATORS_2021_v2.csv": "qof_mapping_indicators",
    "qof2021_MAPPING_NHS_GEOGRAPHIES_2021.csv": "qof_mapping_geographies",
    "epraccur.csv": "epraccur",
    "gp-reg-pat-prac-all_Jan2021.csv": "gp_reg_pat_prac_all",
}


def health_dir() -> Path:
    if not HEALTH.is_dir():
        pytest.fail(f"the real test files are missing: {HEALTH}")
    return HEALTH


def raw_rows(name: str) -> list[list[str]]:
    with open(health_dir() / name, newline="", encoding="utf-8-sig") as handle:
        return [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]


def read_all(name: str) -> tuple[str, list[Any]]:
    with open(health_dir() / name, "rb") as handle:
        layout, records = open_reader(handle, name)
        return layout, list(records)


_CACHE: dict[str, tuple[str, list[Any], list[list[str]]]] = {}


def loaded(name: str) -> tuple[str, list[Any], list[list[str]]]:
    if name not in _CACHE:
        layout, records = read_all(name)
        _CACHE[name] = (layout, records, raw_rows(name))
    return _CACHE[name]


def test_the_folder_lists_every_file_this_module_reads() -> None:
    on_disk = {p.name for p in health_dir().glob("*.csv")}
    assert on_disk == set(FILES)


@pytest.mark.parametrize("name", sorted(FILES))
def test_each_real_file_reads_fully_with_its_layout_and_row_count(name: str) -> None:
    layout, records, raw = loaded(name)
    assert layout == FILES[name]
    data_rows = len(raw) if layout == "epraccur" else len(raw) - 1  # epraccur has no header row
    assert len(records) == data_rows


def cell(raw: list[list[str]], record_index: int, column: str) -> str:
    header = [h.strip() for h in raw[0]]
    return raw[record_index + 1][header.index(column)].strip()


@pytest.mark.parametrize("index", [0, 1, 17_000, 32_843])
def test_file1_values_equal_the_raw_cells(index: int) -> None:
    _, records, raw = loaded("File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv")
    record: ImdRecord = records[index]
    assert record.lsoa_code == cell(raw, index, "LSOA code (2011)")
    assert record.lad_name == cell(raw, index, "Local Authority District name (2019)")
    # The official CSV keeps Excel's thousands separators ("29,199").
    assert record.imd_rank == int(
        cell(raw, index, "Index of Multiple Deprivation (IMD) Rank").replace(",", "")
    )
    assert record.imd_decile == int(cell(raw, index, "Index of Multiple Deprivation (IMD) Decile"))
    assert record.imd_score is None and record.domains == {}


def test_file1_ranks_follow_competition_ranking_and_deciles_hold_a_tenth_each() -> None:
    _, records, _ = loaded("File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv")
    ranks = sorted(r.imd_rank for r in records)
    # Tied scores share a rank and the next rank is skipped ("2,852" twice, no 2,853): competition ranking.
    assert all(rank == i + 1 or rank == ranks[i - 1] for i, rank in enumerate(ranks))
    per_decile = [sum(1 for r in records if r.imd_decile == d) for d in range(1, 11)]
    assert all(3284 <= n <= 3285 for n in per_decile)


@pytest.mark.parametrize("index", [0, 20_000, 32_843])
def test_file2_domain_ranks_equal_the_raw_cells(index: int) -> None:
    _, records, raw = loaded("File_2_-_IoD2019_Domains_of_Deprivation.csv")
    record: ImdRecord = records[index]
    assert record.domains["Crime"].rank == int(cell(raw, index, "Crime Rank (where 1 is most deprived)"))
    assert record.domains["Living Environment"].decile == int(
        cell(raw, index, "Living Environment Decile (where 1 is most deprived 10% of LSOAs)")
    )
    assert len(record.domains) == 7


def test_file1_and_file2_agree_on_every_imd_rank() -> None:
    _, file1, _ = loaded("File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv")
    _, file2, _ = loaded("File_2_-_IoD2019_Domains_of_Deprivation.csv")
    assert {r.lsoa_code: r.imd_rank for r in file1} == {r.lsoa_code: r.imd_rank for r in file2}


@pytest.mark.parametrize("index", [0, 32_843])
def test_file6_populations_equal_the_raw_cells(index: int) -> None:
    _, records, raw = loaded("File_6_-_IoD2019_Population_Denominators.csv")
    total = cell(raw, index, "Total population: mid 2015 (excluding prisoners)")
    assert records[index].total == int(total.replace(",", ""))
    assert records[index].children_0_15 == int(
        cell(raw, index, "Dependent Children aged 0-15: mid 2015 (excluding prisoners)").replace(",", "")
    )


def test_gla_imd_sheet_carries_full_precision_scores() -> None:
    _, records, raw = loaded("london_GLA_ID2019_sheet_IMD2019.csv")
    first: ImdRecord = records[0]
    assert first.imd_score == float(cell(raw, 0, "Index of Multiple Deprivation (IMD) Score"))
    assert first.domains["Health Deprivation and Disability"].score == float(
        cell(raw, 0, "Health Deprivation and Disability Score")
    )
    assert first.imd_rank == int(
        cell(raw, 0, "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)")
    )


def test_gla_sheets_agree_with_the_national_files_for_london() -> None:
    _, national, _ = loaded("File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv")
    _, london, _ = loaded("london_GLA_ID2019_sheet_IMD2019.csv")
    ranks = {r.lsoa_code: r.imd_rank for r in national}
    assert all(ranks[r.lsoa_code] == r.imd_rank for r in london)
    _, pop_national, _ = loaded("File_6_-_IoD2019_Population_Denominators.csv")
    _, pop_london, _ = loaded("london_GLA_ID2019_sheet_Population_figures.csv")
    totals = {r.lsoa_code: r.total for r in pop_national}
    assert all(totals[r.lsoa_code] == r.total for r in pop_london)


def test_idaci_sheet_values_equal_the_raw_cells() -> None:
    _, records, raw = loaded("london_GLA_ID2019_sheet_IDACI_IDAOPI.csv")
    last = len(records) - 1
    assert records[last].idaopi_score == float(
        cell(raw, last, "Income Deprivation Affecting Older People (IDAOPI) Score (rate)")
    )
    assert records[last].idaci_decile == int(
        cell(
            raw,
            last,
            "Income Deprivation Affecting Children Index (IDACI) Decile"
            " (where 1 is most deprived 10% of LSOAs)",
        )
    )


def test_lewisham_postcodes_are_normalised_and_terminations_counted() -> None:
    _, records, raw = loaded("lewisham_postcode_oa11_lsoa11_msoa11_wd22.csv")
    assert sum(r.terminated for r in records) == sum(1 for row in raw[1:] if row[4].strip())
    first: PostcodeRecord = records[0]
    assert first.postcode == normalise_postcode(cell(raw, 0, "PostcodeNatural"))
    assert first.pcd8 == cell(raw, 0, "Postcode8")
    assert first.lsoa_code == cell(raw, 0, "LSOA11CD")
    assert first.ward_code == cell(raw, 0, "WD22CD_proposed")
    terminated = next(i for i, row in enumerate(raw[1:]) if row[4].strip())
    # Lewisham's copy went through a spreadsheet: "201912.0" is the ONS yyyymm 201912.
    assert records[terminated].terminated_on == cell(raw, terminated, "TerminationDate").split(".")[0]


def test_lsoa_ward_lookup_with_lone_cr_line_endings_reads_every_row() -> None:
    _, records, raw = loaded("lsoa11_ward19_lad19_lookup_ew.csv")
    assert records[-1].lsoa_code == cell(raw, len(records) - 1, "LSOA11CD")
    assert records[-1].lad_name == cell(raw, len(records) - 1, "LAD19NM")
    assert {r.lsoa_code[0] for r in records} == {"E", "W"}


def test_fingertips_27_column_export_values_equal_the_raw_cells() -> None:
    _, records, raw = loaded("fingertips_gp_practice_imd2019_score_93553_indicator-data.csv")
    record: FingertipsRecord = records[5]
    assert record.area_code == cell(raw, 5, "Area Code")
    assert record.value == float(cell(raw, 5, "Value"))
    assert record.period_range == cell(raw, 5, "Time period range")
    assert record.compared_to_parent == cell(raw, 5, "Compared to percentiles")
    assert record.lower_ci95 is None and record.count is None


def test_fingertips_26_column_export_keeps_suppressed_values_as_none_with_their_note() -> None:
    _, records, raw = loaded("fingertips_indicators-CountyUA.data.csv")
    suppressed = [r for r in records if r.value is None]
    assert len(suppressed) == sum(1 for row in raw[1:] if not row[12].strip())
    assert suppressed and all(r.value_note and "combined" in r.value_note for r in suppressed)
    assert all(r.count is None for r in suppressed)  # never turned into zeros
    england = records[0]
    assert england.count == float(cell(raw, 0, "Count"))
    assert england.upper_ci95 == float(cell(raw, 0, "Upper CI 95.0 limit"))
    assert england.compared_to_parent == cell(raw, 0, "Compared to Region value or percentiles")
    # The name ends with a newline inside its quotes in the real export; the reader trims it.
    assert england.indicator_name == "Campylobacter incidence rate/100,000"


def test_epraccur_without_header_maps_the_documented_columns() -> None:
    _, records, raw = loaded("epraccur.csv")
    third: PracticeRecord = records[2]  # A81003, closed on 2017-10-31
    assert third.code == raw[2][0] and third.name == raw[2][1]
    assert third.status_code == raw[2][12] == "C"
    assert third.close_date == dt.date(int(raw[2][11][:4]), int(raw[2][11][4:6]), int(raw[2][11][6:]))
    assert third.postcode == raw[2][9]
    assert third.prescribing_setting == int(raw[2][25])
    assert sum(r.status_code == "A" for r in records) == sum(1 for row in raw if row[12] == "A")


def test_registered_patients_sum_to_the_published_total() -> None:
    _, records, raw = loaded("gp-reg-pat-prac-all_Jan2021.csv")
    assert sum(r.patients for r in records) == sum(int(row[9]) for row in raw[1:])
    assert records[0].extract_date == dt.date(2021, 1, 1)


def test_qof_files_values_equal_the_raw_cells() -> None:
    _, prevalence, raw = loaded("qof2021_PREVALENCE_2021_v2.csv")
    assert prevalence[1].register == int(cell(raw, 1, "REGISTER"))
    assert prevalence[1].list_size == int(cell(raw, 1, "PRACTICE_LIST_SIZE"))
    _, geographies, raw_geo = loaded("qof2021_MAPPING_NHS_GEOGRAPHIES_2021.csv")
    assert sum(g.region_name == "London" for g in geographies) == sum(
        1 for r in raw_geo[1:] if r[5] == "London"
    )
    _, indicators, raw_ind = loaded("qof2021_MAPPING_INDICATORS_2021_v2.csv")
    assert indicators[0].point_value == int(cell(raw_ind, 0, "INDICATOR_POINT_VALUE"))
