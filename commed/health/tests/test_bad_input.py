"""Bad files: a clear message naming file, row and column, and nothing half-imported."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from commed.health.imports import HealthImportError
from commed.health.models import DataRelease, IndicatorValue, LsoaDeprivation, LsoaPopulation, Postcode
from commed.health.tests import files

pytestmark = pytest.mark.django_db

LSOAS = [("E01003189", 2), ("E01003190", 2), ("E01003191", 5)]


def counts() -> tuple[int, int, int, int, int]:
    return (DataRelease.objects.count(), LsoaDeprivation.objects.count(), LsoaPopulation.objects.count(),
            Postcode.objects.count(), IndicatorValue.objects.count())


@pytest.fixture
def imd() -> None:
    files.load("imd", files.file1(LSOAS), "file1.csv")


def fails(command: str, data: bytes, filename: str, **kwargs: object) -> HealthImportError:
    before = counts()
    with pytest.raises(HealthImportError) as caught:
        files.load(command, data, filename, **kwargs)  # type: ignore[arg-type]
    assert counts() == before, "something was half-imported"
    return caught.value


def test_a_file_in_an_unknown_layout_is_refused_naming_the_file_and_the_known_layouts() -> None:
    error = fails("imd", b"Area,Score\nE01003189,3\n", "scores.csv")
    assert (error.filename, error.row) == ("scores.csv", 1)
    assert "scores.csv, row 1" in str(error) and "unknown layout" in str(error) and "iod2019_file1" in str(error)


def test_a_missing_column_is_named() -> None:
    data = files.file1(LSOAS).replace(b",Index of Multiple Deprivation (IMD) Decile", b"", 1)
    error = fails("imd", data, "file1.csv")
    assert error.row == 1 and error.column == "Index of Multiple Deprivation (IMD) Decile"
    assert "file1.csv, row 1, column 'Index of Multiple Deprivation (IMD) Decile'" in str(error)


def test_a_value_that_is_not_a_number_is_named_by_row_and_column(imd: None) -> None:
    data = files.file6([("E01003189", 1500), ("E01003190", 1600)]).replace(b",1600,", b",about 1600,")
    error = fails("imd", data, "file6.csv")
    assert (error.row, error.column) == (3, "Total population: mid 2015 (excluding prisoners)")
    assert "not a whole number: 'about 1600'" in str(error)


def test_an_area_code_that_matches_no_loaded_lsoa_rolls_back_every_batch_already_written(imd: None) -> None:
    rows = [(f"SE6 {n}AA", "E01003189") for n in range(1, 7)] + [("SE6 9ZZ", "E01999999")]
    error = fails("postcodes", files.postcodes(rows), "postcodes.csv", batch_size=2)
    assert (error.filename, error.row, error.column) == ("postcodes.csv", 8, "LSOA11CD")
    assert "'E01999999' matches no LSOA of the loaded IMD data" in str(error)


def test_duplicate_rows_are_refused_naming_the_second_one() -> None:
    error = fails("imd", files.file1([*LSOAS, ("E01003190", 2)]), "file1.csv")
    assert (error.row, error.column) == (5, "LSOA code (2011)")
    assert "duplicate row" in str(error)


def test_a_duplicate_postcode_is_found_by_the_database_and_named_by_its_row(imd: None) -> None:
    # Postcode files are not deduplicated in memory (2.7 million keys); the database finds the repeat after
    # writing, the file is read again for its row, and everything is rolled back.
    rows = [("SE6 4RU", "E01003189"), ("SE6 4RX", "E01003190"), ("SE6 4RU", "E01003191")]
    error = fails("postcodes", files.postcodes(rows), "postcodes.csv", batch_size=2)
    assert (error.row, error.column) == (4, "PostcodeNatural")
    assert str(error) == ("postcodes.csv, row 4, column 'PostcodeNatural': duplicate row: 'SE6 4RU' appears in an "
                          "earlier row")


def test_a_bad_row_late_in_a_file_leaves_nothing_of_the_rows_before_it() -> None:
    many = [(f"E0100{n:04d}", n % 10 + 1) for n in range(1000, 1020)]
    data = files.file1(many).replace(b"E01001017,", b"E0100101X,")
    error = fails("imd", data, "file1.csv", batch_size=3)
    assert (error.row, error.column) == (19, "LSOA code (2011)")


def test_a_file_for_another_command_names_the_command_to_use() -> None:
    error = fails("imd", files.postcodes([("SE6 4RU", "E01003189")]), "postcodes.csv")
    assert "commed import postcodes" in str(error) and error.row == 1


def test_mixed_line_endings_and_a_byte_order_mark_import_correctly(imd: None) -> None:
    data = files.file6([("E01003189", 1500), ("E01003190", 1600), ("E01003191", 1700)])
    lines = data.split(b"\n")
    mixed = b"\xef\xbb\xbf" + lines[0] + b"\r\n" + lines[1] + b"\r" + lines[2] + b"\n" + lines[3] + b"\r\n"
    result = files.load("imd", mixed, "file6.csv")
    assert result.release.row_count == 3
    assert sorted(LsoaPopulation.objects.values_list("total", flat=True)) == [1500, 1600, 1700]


def test_the_command_reports_the_error_and_says_nothing_was_imported(tmp_path, imd: None) -> None:
    path = tmp_path / "file6.csv"
    path.write_bytes(files.file6([("E01003189", 1500), ("E01999999", 1600)]))
    before = counts()
    with pytest.raises(CommandError, match=r"file6.csv, row 3, column 'LSOA code \(2011\)'.*\nNothing was imported"):
        call_command("import_imd", str(path))
    assert counts() == before


def test_an_unknown_polarity_is_refused_before_anything_is_read(tmp_path) -> None:
    path = tmp_path / "ft.csv"
    path.write_bytes(files.fingertips([(1, "X", "E92000001", "England", "England", 2020, 5, 4, 6, "", "")]))
    with pytest.raises(CommandError, match="unknown polarity"):
        call_command("import_fingertips", str(path), "--polarity", "1=up is good")
    assert not DataRelease.objects.exists()
