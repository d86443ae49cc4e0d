"""The shared spreadsheet reader and writer: formats, encodings, headings, limits and formula injection."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
from django.test import override_settings
from openpyxl import Workbook, load_workbook

from commed.lib.tabular import (
    TableError,
    column_letter,
    looks_like_formula,
    neutralise,
    read_table,
    write_table,
)

ALIASES = {"name": ["Organisation name", "organisation"], "phone": ["Telephone"]}


def read(data: bytes, filename: str = "people.csv", **kwargs):
    kwargs.setdefault("required", ["name"])
    kwargs.setdefault("optional", ["phone", "kind"])
    kwargs.setdefault("aliases", ALIASES)
    return read_table(data, filename, **kwargs)


def errors_of(data: bytes, filename: str = "people.csv", **kwargs) -> list[str]:
    with pytest.raises(TableError) as caught:
        read(data, filename, **kwargs)
    assert caught.value.errors
    return caught.value.errors


def xlsx(rows: list[list[object]], *, title: str = "Sheet") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_utf8_csv_is_read_with_headings_matched_by_alias_and_rows_numbered_as_a_spreadsheet_shows_them():
    table = read(b"ORGANISATION  name,telephone\nAlpha,020 7946 0000\n\nBravo,\n")
    assert table.columns == ["name", "phone"]
    assert [(row.number, row.values["name"], row.values["phone"]) for row in table.rows] == [
        (2, "Alpha", "020 7946 0000"),
        (4, "Bravo", ""),
    ]
    assert table.rows[0].values["kind"] == ""
    assert table.notes == []


def test_a_utf8_byte_order_mark_is_not_part_of_the_first_heading():
    table = read("\ufeffOrganisation name\nZoë\n".encode())
    assert table.columns == ["name"]
    assert table.rows[0].values["name"] == "Zoë"


@pytest.mark.parametrize(("text", "delimiter"), [("name;phone\nA;1\n", ";"), ("name\tphone\nA\t1\n", "\t")])
def test_semicolons_and_tabs_are_recognised_as_delimiters(text, delimiter):
    table = read(text.encode())
    assert table.rows[0].values == {"name": "A", "phone": "1", "kind": ""}


def test_a_utf16_file_with_a_byte_order_mark_is_read_and_the_note_says_so():
    table = read("Organisation name\tTelephone\nCafé Ümit\t0207\n".encode("utf-16"))
    assert table.rows[0].values["name"] == "Café Ümit"
    assert "UTF-16" in table.notes[0]


def test_a_utf16_file_without_a_byte_order_mark_is_recognised():
    table = read("name,phone\nŁódź,1\n".encode("utf-16-le"))
    assert table.rows[0].values["name"] == "Łódź"


def test_a_windows_1252_file_keeps_its_accents_and_the_note_says_which_encoding_was_assumed():
    table = read("name\nCafé Señora – “Zoë”\n".encode("cp1252"))
    assert table.rows[0].values["name"] == "Café Señora – “Zoë”"
    assert "Windows-1252" in table.notes[0]


def test_bytes_that_are_neither_utf8_nor_windows_1252_are_refused_with_the_fix():
    errors = errors_of(b"name\nA\x81B\n")
    assert "people.csv" in errors[0]
    assert "CSV UTF-8" in errors[0]


def test_decomposed_accents_are_stored_composed():
    table = read("name\nCafe\u0301\n".encode())
    assert table.rows[0].values["name"] == "Café"


def test_a_missing_required_column_names_it_and_lists_the_headings_found():
    errors = errors_of(b"Organisation title,Telephone\nA,1\n")
    assert errors == [
        "people.csv, row 1: the required column “Organisation name” is missing (the headings found are: "
        "“Organisation title”, “Telephone”). Row 1 must hold the column headings."
    ]


def test_unknown_columns_are_ignored_and_listed():
    table = read(b"name,Favourite colour\nA,blue\n")
    assert table.ignored_columns == ["Favourite colour"]
    assert "Favourite colour" not in table.rows[0].values


def test_two_columns_for_the_same_field_are_an_error_naming_both():
    errors = errors_of(b"name,Organisation name\nA,B\n")
    assert "columns A “name” and B “Organisation name” are the same column" in errors[0]


def test_a_blank_required_value_names_row_and_column_unless_blanks_are_allowed():
    assert errors_of(b"phone,name\n1,\n") == [
        "people.csv, row 2, column B “name”: is empty; every row needs a value here."
    ]
    assert read(b"phone,name\n1,\n", allow_blank=["name"]).rows[0].values["name"] == ""


def test_values_beyond_the_last_heading_make_a_ragged_row_error():
    errors = errors_of(b"name,phone\nA,1\nB,2,3,4\n")
    assert errors == [
        "people.csv, row 3: the row has 4 cells but the header has 2; the values beyond column B have no "
        "heading (a stray delimiter, or a column without a heading?)."
    ]


def test_short_rows_are_padded_with_blanks():
    assert read(b"name,phone\nA\n").rows[0].values["phone"] == ""


def test_an_unclosed_quotation_mark_is_reported_with_its_row():
    errors = errors_of(b'name,phone\nA,1\n"B,2\n')
    assert errors[0].startswith("people.csv, row 3: the row cannot be read as CSV")


@pytest.mark.parametrize(
    "value",
    ["=cmd|' /C calc'!A0", "@SUM(1+1)", "+cmd", "-2+3", "=HYPERLINK(\"http://x\")", " =1+1", "\tabc", "\rabc",
     "foo|bar!A1", "+1", "- older people"],
)
def test_values_a_spreadsheet_would_run_as_formulas_are_refused(value):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["name", "phone"], ["A", value]])
    errors = errors_of(buffer.getvalue().encode())
    assert len(errors) == 1
    assert errors[0].startswith("people.csv, row 2, column B “phone”: the value")
    assert "formula" in errors[0]


@pytest.mark.parametrize("value", ["+44 20 7946 0000", "+44 (0)20 7946-0000", "-3", "-", "020 7946 0000",
                                   "Tom & Jerry | Partners", "A+B", "e-mail"])
def test_phone_numbers_negative_numbers_and_ordinary_text_are_not_formulas(value):
    assert not looks_like_formula(value)


def test_a_value_marked_as_text_reads_back_as_written_unless_it_holds_a_dde_payload():
    table = read(b"name,phone\nA,'+44 20 7946 0000\n")
    assert table.rows[0].values["phone"] == "+44 20 7946 0000"
    assert read(b"name,phone\nA,'=1+1\n").rows[0].values["phone"] == "=1+1"
    assert errors_of(b"name,phone\nA,'=cmd|' /C calc'!A0\n")[0].startswith("people.csv, row 2, column B")


def test_control_characters_and_nul_bytes_name_the_cell():
    errors = errors_of(b"name,phone\nA\x00B,1\nC,\x07\n")
    assert errors[0].startswith("people.csv, row 2, column A “name”: the value contains an invisible control")
    assert errors[1].startswith("people.csv, row 3, column B “phone”")


def test_a_cell_longer_than_a_spreadsheet_cell_can_hold_is_refused():
    errors = errors_of(b"name,phone\nA," + b"9" * 40_000 + b"\n")
    assert errors[0].startswith("people.csv, row 2, column B “phone”: the value is 40,000 characters long")


def test_multi_line_cells_are_kept_and_counted_as_one_row():
    table = read(b'name,phone\n"A\r\nB",1\nC,2\n')
    assert [(row.number, row.values["name"]) for row in table.rows] == [(2, "A\nB"), (3, "C")]


def test_an_empty_file_a_blank_file_and_a_header_only_file_are_refused():
    assert errors_of(b"") == ["people.csv: the file is empty."]
    assert "no rows at all" in errors_of(b"\n\n  \n")[0]
    assert errors_of(b"name,phone\n") == ["people.csv: the file has a header row but no rows below it."]


def test_an_empty_first_row_is_refused_because_row_1_holds_the_headings():
    assert errors_of(b"\nname\nA\n")[0].startswith("people.csv, row 1: the first row must hold the column headings")


def test_binary_content_is_refused_as_not_a_text_file():
    import random

    garbage = random.Random(7).randbytes(5000)
    assert "binary data" in errors_of(garbage)[0]


@override_settings(IMPORT_MAX_ROWS=3)
def test_more_rows_than_the_limit_are_refused_without_reading_on():
    data = b"name\n" + b"".join(b"Org %d\n" % i for i in range(4))
    assert errors_of(data) == [
        "people.csv: the file has more than 3 rows; the most that can be imported at once is that. "
        "Split it into smaller files."
    ]
    assert len(read(b"name\nA\nB\nC\n").rows) == 3


@override_settings(IMPORT_MAX_BYTES=100)
def test_a_file_over_the_byte_limit_is_refused_before_reading():
    assert "the most that can be imported is 100 bytes" in errors_of(b"name\n" + b"x" * 200)[0]


def test_a_hundred_thousand_row_file_stops_at_the_row_cap():
    data = b"name,phone\n" + b"".join(b"Organisation %d,020 7946 %04d\n" % (i, i % 10000) for i in range(100_000))
    errors = errors_of(data, max_rows=50_000)
    assert "more than 50,000 rows" in errors[0]


def test_many_bad_rows_are_listed_up_to_a_limit_and_the_rest_counted():
    data = b"name,phone\n" + b"A,=1\n" * 500
    errors = errors_of(data)
    assert len(errors) == 201
    assert errors[-1] == "people.csv: … and 300 more problems."


@pytest.mark.parametrize("extension", ["xlsm", "xltm"])
def test_macro_workbooks_are_refused_by_name(extension):
    assert "macros" in errors_of(xlsx([["name"], ["A"]]), f"book.{extension}")[0]


def test_an_xlsx_is_read_from_its_first_sheet_with_values_as_text():
    data = xlsx([["Organisation name", "Telephone", "kind"], ["Alpha", 2079460000, True],
                 ["Bravo", 1.5, dt.datetime(2025, 9, 1)], [None, None, None], ["Charlie", None, dt.date(2025, 1, 2)]])
    table = read(data, "book.xlsx")
    assert [(row.number, row.values) for row in table.rows] == [
        (2, {"name": "Alpha", "phone": "2079460000", "kind": "yes"}),
        (3, {"name": "Bravo", "phone": "1.5", "kind": "2025-09-01"}),
        (5, {"name": "Charlie", "phone": "", "kind": "2025-01-02"}),
    ]


def test_a_named_sheet_is_read_and_a_missing_one_is_named():
    workbook = Workbook()
    workbook.active.append(["other"])
    second = workbook.create_sheet("Partners")
    second.append(["name"])
    second.append(["Delta"])
    out = io.BytesIO()
    workbook.save(out)
    assert read(out.getvalue(), "book.xlsx", sheet="Partners").rows[0].values["name"] == "Delta"
    assert "has no sheet called “Nope”" in errors_of(out.getvalue(), "book.xlsx", sheet="Nope")[0]


def test_formulas_in_an_xlsx_are_refused_naming_the_cell():
    errors = errors_of(xlsx([["name", "phone"], ["A", "=1+1"], ["B", "=cmd|' /C calc'!A0"]]), "book.xlsx")
    assert errors[0].startswith("book.xlsx, row 2, column B: the cell holds a formula (=1+1)")
    assert errors[1].startswith("book.xlsx, row 3, column B")


def test_a_text_cell_in_an_xlsx_that_looks_like_a_formula_is_refused():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["name"])
    sheet["A2"].value = "@SUM(1+1)"
    sheet["A2"].data_type = "s"
    out = io.BytesIO()
    workbook.save(out)
    assert "would run as a formula" in errors_of(out.getvalue(), "book.xlsx")[0]


@override_settings(IMPORT_MAX_BYTES=1_000_000)
def test_an_xlsx_that_unpacks_to_far_more_than_its_size_is_refused_as_a_zip_bomb():
    out = io.BytesIO(xlsx([["name"], ["A"]]))
    with zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * 20_000_000)
    data = out.getvalue()
    assert len(data) < 1_000_000
    assert "would unpack to 20.0 MB" in errors_of(data, "bomb.xlsx")[0]


def test_an_xlsx_with_a_macro_project_inside_is_refused():
    out = io.BytesIO(xlsx([["name"], ["A"]]))
    with zipfile.ZipFile(out, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"macro")
    assert "contains macros" in errors_of(out.getvalue(), "book.xlsx")[0]


def test_a_csv_named_xlsx_and_a_workbook_named_csv_are_each_called_what_they_are():
    assert "is not an Excel workbook" in errors_of(b"name\nA\n", "book.xlsx")[0]
    assert "is an Excel workbook or another zip file" in errors_of(xlsx([["name"], ["A"]]), "book.csv")[0]


def test_a_zip_that_is_not_a_workbook_a_damaged_workbook_and_an_old_xls_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert "not an Excel workbook" in errors_of(out.getvalue(), "letter.xlsx")[0]
    assert "damaged" in errors_of(xlsx([["name"], ["A"]])[:300], "cut.xlsx")[0]
    assert "old-style Excel" in errors_of(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old.xlsx")[0]
    assert "old-style Excel" in errors_of(b"anything", "old.xls")[0]
    assert ".pdf files cannot be imported" in errors_of(b"%PDF-1.4", "scan.pdf")[0]


def test_column_letters_go_past_z():
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


def test_a_csv_export_neutralises_formulas_and_keeps_accents_for_excel():
    data = write_table([["=1+1", "+44 20 7946 0000", "Zoë"], {"a": "@x", "b": None, "c": True}], ["a", "b", "c"])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["a", "b", "c"], ["'=1+1", "'+44 20 7946 0000", "Zoë"], ["'@x", "", "yes"]]


def test_an_xlsx_export_writes_formulas_as_neutralised_text_and_dates_as_dates():
    data = write_table([["=cmd|' /C calc'!A0", dt.date(2025, 9, 1), 3, "bad\x00char"]], ["a", "b", "c", "d"], "xlsx")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A2"].value == "'=cmd|' /C calc'!A0"
    assert sheet["A2"].data_type == "s"
    assert sheet["B2"].value == dt.datetime(2025, 9, 1)
    assert sheet["C2"].value == 3
    assert sheet["D2"].value == "badchar"


def test_neutralise_leaves_ordinary_text_alone():
    assert neutralise("Alpha") == "Alpha"
    assert neutralise("-5") == "'-5"


def test_an_unknown_export_format_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown export format"):
        write_table([], ["a"], "pdf")
