"""Malformed files built here: each must fail with a HealthDataError naming file, row and column."""

from __future__ import annotations

import io
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commed_core.healthdata import (
    HealthDataError,
    detect_layout,
    normalise_postcode,
    open_reader,
    postcode_pcd7,
    postcode_pcd8,
)

FILE1_HEADER = (
    "LSOA code (2011),LSOA name (2011),Local Authority District code (2019),"
    "Local Authority District name (2019),Index of Multiple Deprivation (IMD) Rank,"
    "Index of Multiple Deprivation (IMD) Decile"
)
ROW_A = 'E01000001,City of London 001A,E09000001,City of London,"29,199",9'
ROW_B = "E01000002,City of London 001B,E09000001,City of London,30379,10"
PCD_HEADER = (
    "pcd7,pcd8,pcds,dointr,doterm,usertype,oa11cd,lsoa11cd,msoa11cd,ladcd,lsoa11nm,msoa11nm,ladnm,ladnmw"
)
PCD_ROW = (
    "SE6 4RU,SE6  4RU,SE6 4RU,198001,,0,E00016368,E01003235,E02006784,E09000023,Lewisham 030A,Lewisham 030,"
    "Lewisham,"
)
FT_HEADER = (
    "Indicator ID,Indicator Name,Parent Code,Parent Name,Area Code,Area Name,Area Type,Sex,Age,"
    "Category Type,Category,Time period,Value,Lower CI 95.0 limit,Upper CI 95.0 limit,"
    "Lower CI 99.8 limit,Upper CI 99.8 limit,Count,Denominator,Value note,Recent Trend,"
    "Compared to England value or percentiles,Compared to Region value or percentiles,"
    "Time period Sortable,New data,Compared to goal"
)
FT_ROW = (
    "93356,Campylobacter,E12000007,London region,E09000023,Lewisham,County & UA,Persons,All ages,,,2015,{v},"
    ",,,,,,{note},,Not compared,Not compared,20150000,,"
)


def read(content: str | bytes, name: str = "upload.csv", **kwargs: Any) -> tuple[str, list[Any]]:
    data = content.encode("utf-8") if isinstance(content, str) else content
    layout, records = open_reader(io.BytesIO(data), name, **kwargs)
    return layout, list(records)


def failure(content: str | bytes, name: str = "upload.csv") -> HealthDataError:
    with pytest.raises(HealthDataError) as raised:
        read(content, name)
    return raised.value


def test_an_unknown_layout_lists_the_known_layouts_and_what_the_closest_misses() -> None:
    error = failure("name,colour,size\nx,red,3\n", "shopping.csv")
    assert error.filename == "shopping.csv" and error.row == 1
    assert "unknown layout" in str(error) and "iod2019_file1" in str(error) and "epraccur" in str(error)
    assert "misses columns" in str(error)


def test_a_missing_column_is_named() -> None:
    header = FILE1_HEADER.replace(",Index of Multiple Deprivation (IMD) Decile", "")
    error = failure(f"{header}\nE01000001,A,E09000001,B,5\n", "file1.csv")
    assert (error.filename, error.row, error.column) == (
        "file1.csv",
        1,
        "Index of Multiple Deprivation (IMD) Decile",
    )
    assert "looks like iod2019_file1" in str(error)


def test_a_value_that_is_not_a_number_names_row_and_column() -> None:
    error = failure(f"{FILE1_HEADER}\n{ROW_A}\n{ROW_B.replace('30379', 'about 30k')}\n", "f1.csv")
    assert (error.row, error.column) == (3, "Index of Multiple Deprivation (IMD) Rank")
    assert "'about 30k'" in str(error) and "f1.csv, row 3, column" in str(error)


def test_a_duplicate_row_is_refused_at_its_second_occurrence() -> None:
    error = failure(f"{FILE1_HEADER}\n{ROW_A}\n{ROW_B}\n{ROW_A}\n")
    assert (error.row, error.column) == (4, "LSOA code (2011)")
    assert "duplicate" in str(error)


def test_duplicates_can_be_let_through_for_constant_memory_streaming() -> None:
    _, records = read(f"{FILE1_HEADER}\n{ROW_A}\n{ROW_A}\n", check_duplicates=False)
    assert len(records) == 2


def test_an_area_code_of_the_wrong_form_is_refused() -> None:
    error = failure(f"{FILE1_HEADER}\n{ROW_A}\n{ROW_B.replace('E01000002', 'E0100002')}\n")
    assert (error.row, error.column) == (3, "LSOA code (2011)")
    assert "'E0100002'" in str(error)


def test_a_decile_outside_1_to_10_is_refused() -> None:
    error = failure(f"{FILE1_HEADER}\n{ROW_B.replace(',10', ',11')}\n")
    assert (error.row, error.column) == (2, "Index of Multiple Deprivation (IMD) Decile")


def test_mixed_line_endings_and_a_byte_order_mark_are_accepted() -> None:
    content = "\ufeff" + FILE1_HEADER + "\r\n" + ROW_A + "\n" + ROW_B + "\r"
    layout, records = read(content)
    assert layout == "iod2019_file1"
    assert [r.imd_rank for r in records] == [29199, 30379]
    assert records[0].lsoa_code == "E01000001"  # no BOM glued to the first code


def test_an_empty_file_is_refused() -> None:
    error = failure(b"", "empty.csv")
    assert error.filename == "empty.csv" and "empty" in str(error)


def test_a_header_without_data_rows_is_refused_at_row_2() -> None:
    error = failure(f"{FILE1_HEADER}\r\n", "header-only.csv")
    assert error.row == 2 and "no data rows" in str(error)


def test_a_truncated_row_names_the_first_missing_column() -> None:
    error = failure(f"{FILE1_HEADER}\n{ROW_A}\nE01000002,City of London 001B,E09000001\n")
    assert (error.row, error.column) == (3, "Local Authority District name (2019)")
    assert "truncated" in str(error)


def test_a_file_cut_inside_a_quoted_cell_is_reported_at_that_row() -> None:
    error = failure(f'{FILE1_HEADER}\n{ROW_A}\nE01000002,"City of London 001B')
    assert error.row == 3


def test_an_extra_non_empty_cell_is_refused_but_trailing_empty_cells_are_tolerated() -> None:
    error = failure(f"{FILE1_HEADER}\n{ROW_B},surprise\n")
    assert (error.row, error.column) == (2, "column 7")
    _, records = read(f"{FILE1_HEADER}\n{ROW_B},,\n")
    assert len(records) == 1


def test_text_that_is_not_utf8_is_reported_with_its_row() -> None:
    content = (FILE1_HEADER + "\n" + ROW_A + "\n").encode() + "E01000002,Caf\xe9,E09000001,X,1,1\n".encode(
        "latin-1"
    )
    error = failure(content)
    assert (error.row, error.column) == (3, "LSOA name (2011)") and "UTF-8" in str(error)


def test_a_header_naming_a_column_twice_is_refused() -> None:
    error = failure(f"{FILE1_HEADER},LSOA code (2011)\n{ROW_B},E01000002\n")
    assert (error.row, error.column) == (1, "LSOA code (2011)")


def test_blank_lines_are_skipped_but_still_counted_as_spreadsheet_rows() -> None:
    error = failure(f"{FILE1_HEADER}\n{ROW_A}\n\n{ROW_B.replace('30379', 'x')}\n")
    assert error.row == 4


def test_the_official_ons_postcode_layout_is_read_by_its_documented_names() -> None:
    layout, records = read(f"{PCD_HEADER}\n{PCD_ROW}\nE1  6AN,E1   6AN,E1 6AN,198001,201912,1,,,,,,,,\n")
    assert layout == "ons_pcd_oa_lsoa_msoa_lad"
    first, second = records
    assert (first.postcode, first.lsoa_code, first.lsoa_name, first.terminated) == (
        "SE6 4RU",
        "E01003235",
        "Lewisham 030A",
        False,
    )
    assert (second.postcode, second.terminated, second.terminated_on, second.lsoa_code) == (
        "E1 6AN",
        True,
        "201912",
        None,
    )


def test_a_postcode_whose_pcd7_disagrees_with_pcds_is_refused() -> None:
    error = failure(f"{PCD_HEADER}\n{PCD_ROW.replace('SE6 4RU,SE6  4RU', 'SE6 4RX,SE6  4RU', 1)}\n")
    assert (error.row, error.column) == (2, "pcd7")


def test_a_postcode_lookup_with_a_bad_introduction_date_is_refused() -> None:
    error = failure(f"{PCD_HEADER}\n{PCD_ROW.replace('198001', '198013')}\n")
    assert (error.row, error.column) == (2, "dointr")


def test_fingertips_suppressed_values_stay_none_and_a_bad_value_is_refused() -> None:
    layout, records = read(f"{FT_HEADER}\n{FT_ROW.format(v='', note='Value suppressed')}\n")
    assert layout == "fingertips_26"
    assert records[0].value is None and records[0].value_note == "Value suppressed"
    error = failure(f"{FT_HEADER}\n{FT_ROW.format(v='n/a', note='')}\n", "ft.csv")
    assert (error.filename, error.row, error.column) == ("ft.csv", 2, "Value")


def test_fingertips_rows_may_omit_only_the_trailing_compared_to_goal_cell() -> None:
    short = FT_ROW.format(v="1.5", note="")[:-1]  # the real 26-column export ends rows one cell short
    _, records = read(f"{FT_HEADER}\n{short}\n")
    assert records[0].value == 1.5 and records[0].compared_to_goal is None
    shorter = short.rsplit(",", 2)[0]
    error = failure(f"{FT_HEADER}\n{shorter}\n")
    assert error.column == "Time period Sortable"


def test_epraccur_is_recognised_without_a_header_and_rows_count_from_1() -> None:
    good = (
        '"A81001","THE DENSHAM SURGERY","Y63","QHM","THE HEALTH CENTRE","LAWSON STREET","STOCKTON-ON-TEES",'
        '"CLEVELAND","","TS18 1HU","19740401","","A","B","16C","20200401","","01642 672351","","","","0","",'
        '"16C","","4",""'
    )
    layout, records = read(good + "\n")
    assert layout == "epraccur" and records[0].is_gp_practice and records[0].is_active
    error = failure(
        good + "\n" + good.replace("A81001", "A81002").replace('"19740401"', '"1974-04-01"') + "\n"
    )
    assert (error.row, error.column) == (2, "Open Date")


def test_detect_layout_prefers_the_most_specific_match() -> None:
    assert detect_layout(["WD22CD_proposed", "WD22NM_proposed"]) == "lewisham_ward_names"
    assert detect_layout(["LSOA11CD", "WD22NM_proposed", "WD22CD_proposed"]) == "lewisham_lsoa_ward"
    assert detect_layout([c.upper() for c in PCD_HEADER.split(",")]) == "ons_pcd_oa_lsoa_msoa_lad"


def test_a_forced_unknown_layout_name_is_refused() -> None:
    with pytest.raises(HealthDataError, match="unknown layout name"):
        read(f"{FILE1_HEADER}\n{ROW_A}\n", layout="file99")


@pytest.mark.parametrize(
    ("raw", "pcds", "pcd7", "pcd8"),
    [
        ("se6 4rU", "SE6 4RU", "SE6 4RU", "SE6  4RU"),
        ("E16AN", "E1 6AN", "E1  6AN", "E1   6AN"),
        ("sw1a 1aa", "SW1A 1AA", "SW1A1AA", "SW1A 1AA"),
        ("BR1  4BY", "BR1 4BY", "BR1 4BY", "BR1  4BY"),
    ],
)
def test_postcodes_normalise_to_the_three_ons_forms(raw: str, pcds: str, pcd7: str, pcd8: str) -> None:
    assert (normalise_postcode(raw), postcode_pcd7(raw), postcode_pcd8(raw)) == (pcds, pcd7, pcd8)


@pytest.mark.parametrize("bad", ["", "SE6", "SE6 4R", "12345", "SE6 4RUU", "S$6 4RU"])
def test_a_string_not_shaped_like_a_postcode_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="not a UK postcode"):
        normalise_postcode(bad)


@settings(max_examples=60, deadline=None)
@given(st.from_regex(r"[A-Z]{1,2}[0-9][0-9A-Z]?[0-9][A-Z]{2}", fullmatch=True), st.booleans())
def test_every_postcode_form_normalises_back_to_the_same_postcode(compact: str, lower: bool) -> None:
    pcds = normalise_postcode(compact.lower() if lower else compact)
    assert normalise_postcode(postcode_pcd7(pcds)) == pcds == normalise_postcode(postcode_pcd8(pcds))
    assert len(postcode_pcd7(pcds)) == 7 and len(postcode_pcd8(pcds)) == 8
