"""Importing organisations and contacts: all or nothing, every problem named by file, row and column."""

from __future__ import annotations

import csv
import io
import random
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse
from openpyxl import Workbook

from commed.audit.models import Action, AuditEvent
from commed.lib.tabular import ImportFailed
from commed.partners.imports import partners_import
from commed.partners.models import Contact, Organisation

HEADER = ["Organisation name", "Kind", "Capacity per year", "Safeguarding policy date", "Website", "Contact name",
          "Contact e-mail", "Contact phone", "Main contact"]


def csv_bytes(rows: list[list[str]], header: list[str] = HEADER, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def row(name="Charlie Food Bank", kind="community", capacity="4", safeguarding="2025-03-01", website="",
        contact="Cara Lewis", email="cara@charlie.example.org", phone="+44 20 7946 0001", main="yes") -> list[str]:
    return [name, kind, capacity, safeguarding, website, contact, email, phone, main]


def xlsx_bytes(rows: list[Any]) -> bytes:
    workbook = Workbook()
    for values in rows:
        workbook.active.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def counts() -> tuple[int, int, int]:
    return Organisation.objects.count(), Contact.objects.count(), AuditEvent.objects.count()


# --- hostile and malformed files: (filename, content, texts every error list must contain) ---------------------


def _zip_bomb() -> bytes:
    out = io.BytesIO(xlsx_bytes([HEADER, row()]))
    with zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * 30_000_000)
    return out.getvalue()


def _xlsx_with_macros() -> bytes:
    out = io.BytesIO(xlsx_bytes([HEADER, row()]))
    with zipfile.ZipFile(out, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"Attribute VB_Name")
    return out.getvalue()


def _not_a_workbook_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


HOSTILE = {
    "empty file": ("p.csv", b"", ["p.csv: the file is empty."]),
    "header only": ("p.csv", csv_bytes([]), ["p.csv: the file has a header row but no rows below it."]),
    "binary garbage": ("p.csv", random.Random(3).randbytes(8000), ["p.csv: this is not a CSV file", "binary"]),
    "missing required column": ("p.csv", csv_bytes([["community"]], header=["Kind"]),
                                ["p.csv, row 1: the required column “Organisation name” is missing"]),
    "unknown kind": ("p.csv", csv_bytes([row(kind="spaceship")]),
                     ["p.csv, row 2, column B “Kind”: “spaceship” is not a kind of organisation"]),
    "new organisation without a kind": ("p.csv", csv_bytes([row(kind="")]),
                                        ["p.csv, row 2, column B “Kind”: Charlie Food Bank is a new organisation"]),
    "bad date": ("p.csv", csv_bytes([row(safeguarding="31/02/2025")]),
                 ["p.csv, row 2, column D “Safeguarding policy date”: “31/02/2025” is not a date"]),
    "american date": ("p.csv", csv_bytes([row(safeguarding="03/25/2025")]), ["row 2, column D", "is not a date"]),
    "future date": ("p.csv", csv_bytes([row(safeguarding="2999-01-01")]), ["row 2, column D", "in the future"]),
    "bad e-mail": ("p.csv", csv_bytes([row(email="cara at charlie")]),
                   ["p.csv, row 2, column G “Contact e-mail”: “cara at charlie” is not an e-mail address."]),
    "negative capacity": ("p.csv", csv_bytes([row(capacity="-3")]),
                          ["p.csv, row 2, column C “Capacity per year”: -3 is negative"]),
    "capacity not a number": ("p.csv", csv_bytes([row(capacity="ten")]), ["row 2, column C", "not a whole number"]),
    "bad website": ("p.csv", csv_bytes([row(website="not a site")]), ["row 2, column E “Website”", "web address"]),
    "main contact neither yes nor no": ("p.csv", csv_bytes([row(main="maybe")]), ["row 2, column I", "yes or no"]),
    "contact details without a name": ("p.csv", csv_bytes([row(contact="")]),
                                       ["p.csv, row 2, column F “Contact name”: the row has contact details"]),
    "duplicate contact rows": ("p.csv", csv_bytes([row(), row(name="Delta"), row(phone="020 1234 5678")]),
                               ["p.csv, row 4, column G “Contact e-mail”: row 2 already has this contact"]),
    "duplicate contact in other case": ("p.csv", csv_bytes([row(), row(email="CARA@charlie.example.org")]),
                                        ["row 3", "row 2 already has this contact"]),
    "exactly repeated rows": ("p.csv", csv_bytes([row(), row(name="Delta"), row()]),
                              ["p.csv, row 4: repeats row 2 exactly"]),
    "conflicting values for one organisation": (
        "p.csv", csv_bytes([row(), row(capacity="9", email="dan@charlie.example.org")]),
        ["p.csv, row 3, column C “Capacity per year”: differs from row 2"]),
    "formula: DDE command": ("p.csv", csv_bytes([row(name="=cmd|' /C calc'!A0")]),
                             ["p.csv, row 2, column A “Organisation name”", "formula"]),
    "formula: @SUM": ("p.csv", csv_bytes([row(contact="@SUM(1+1)")]), ["row 2, column F", "formula"]),
    "formula: +cmd": ("p.csv", csv_bytes([row(phone="+cmd")]), ["row 2, column H", "formula"]),
    "formula: -2+3": ("p.csv", csv_bytes([row(capacity="-2+3")]), ["row 2, column C", "formula"]),
    "formula: leading tab": ("p.csv", csv_bytes([row(contact="\tCara")]), ["row 2, column F", "formula"]),
    "formula: DDE inside text": ("p.csv", csv_bytes([row(contact="x cmd|'/C notepad'!Z9")]), ["row 2, column F"]),
    "xlsx with formulas": ("p.xlsx", xlsx_bytes([HEADER, [*row()[:2], "=2*3", *row()[3:]]]),
                           ["p.xlsx, row 2, column C: the cell holds a formula (=2*3)"]),
    "xlsm": ("p.xlsm", xlsx_bytes([HEADER, row()]), ["p.xlsm: workbooks with macros (.xlsm) are not accepted"]),
    "xlsx with a macro project": ("p.xlsx", _xlsx_with_macros(), ["p.xlsx: the workbook contains macros"]),
    "xlsx zip bomb": ("p.xlsx", _zip_bomb(), ["p.xlsx: the workbook would unpack to"]),
    "csv named xlsx": ("p.xlsx", csv_bytes([row()]), ["p.xlsx: the name ends in .xlsx but the file is not an Excel"]),
    "xlsx named csv": ("p.csv", xlsx_bytes([HEADER, row()]), ["p.csv: the name ends in .csv but the file is an Excel"]),
    "zip that is not a workbook": ("p.xlsx", _not_a_workbook_zip(), ["p.xlsx: this is a zip file but not an Excel"]),
    "truncated workbook": ("p.xlsx", xlsx_bytes([HEADER, row()])[:400], ["p.xlsx: the workbook is damaged"]),
    "old xls": ("p.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000), ["p.xls: this is an old-style Excel"]),
    "pdf": ("p.pdf", b"%PDF-1.7\n", ["p.pdf: .pdf files cannot be imported"]),
    "ragged rows": ("p.csv", csv_bytes([row(), [*row(name="Delta", email="d@d.example.org"), "extra", "more"]]),
                    ["p.csv, row 3: the row has 11 cells but the header has 9"]),
    "very long cell": ("p.csv", csv_bytes([row(name="A" * 40_000)]),
                       ["p.csv, row 2, column A “Organisation name”: the value is 40,000 characters long"]),
    "name too long for the directory": ("p.csv", csv_bytes([row(name="A" * 201)]),
                                        ["row 2, column A", "201 characters long; the most is 200"]),
    "NUL bytes": ("p.csv", csv_bytes([row(contact="Ca\x00ra")]),
                  ["p.csv, row 2, column F “Contact name”: the value contains an invisible control character"]),
    "unclosed quotation mark": ("p.csv", csv_bytes([row()]) + b'"Delta,community\n',
                                ["p.csv, row 3: the row cannot be read as CSV"]),
    "neither utf-8 nor windows-1252": ("p.csv", csv_bytes([row(name="Caf\u00e9")]).replace(b"\xc3\xa9", b"\x81"),
                                       ["p.csv: the text is neither UTF-8 nor Windows-1252", "CSV UTF-8"]),
    "same heading twice": ("p.csv", csv_bytes([["A", "B"]], header=["Organisation name", "organisation"]),
                           ["p.csv, row 1: columns A “Organisation name” and B “organisation” are the same column"]),
}


@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
def test_a_malformed_or_hostile_file_is_refused_with_its_problems_named_and_nothing_is_written(personas, case):
    filename, data, expected = HOSTILE[case]
    before = counts()
    with override_settings(IMPORT_MAX_BYTES=2_000_000), pytest.raises(ImportFailed) as caught:
        partners_import(actor=personas.lead, data=data, filename=filename)
    text = "\n".join(caught.value.errors)
    for part in expected:
        assert part in text
    assert all(error.startswith(filename) for error in caught.value.errors)
    assert counts() == before


def test_a_file_with_more_rows_than_allowed_is_refused_quickly_and_nothing_is_written(personas):
    data = csv_bytes([row(name=f"Organisation {i}", email=f"c{i}@example.org") for i in range(100_000)])
    before = counts()
    with pytest.raises(ImportFailed) as caught:
        partners_import(actor=personas.lead, data=data, filename="big.csv")
    assert caught.value.errors == [
        "big.csv: the file has more than 50,000 rows; the most that can be imported at once is that. "
        "Split it into smaller files."
    ]
    assert counts() == before


@override_settings(IMPORT_MAX_ROWS=2)
def test_the_row_cap_comes_from_settings(personas):
    data = csv_bytes([row(name=f"Org {i}", email=f"c{i}@example.org") for i in range(3)])
    with pytest.raises(ImportFailed, match="more than 2 rows"):
        partners_import(actor=personas.lead, data=data, filename="p.csv")


def test_every_problem_in_a_file_is_listed_not_just_the_first(personas):
    data = csv_bytes([row(kind="spaceship"), row(name="Delta", capacity="-1", email="bad")])
    with pytest.raises(ImportFailed) as caught:
        partners_import(actor=personas.lead, data=data, filename="p.csv")
    assert len(caught.value.errors) == 3
    assert [error.split(":")[0] for error in caught.value.errors] == [
        "p.csv, row 2, column B “Kind”",
        "p.csv, row 3, column C “Capacity per year”",
        "p.csv, row 3, column G “Contact e-mail”",
    ]


def test_a_clean_file_creates_organisations_and_contacts_through_the_audited_services(personas):
    data = csv_bytes([
        row(),
        row(contact="Dev Patel", email="dev@charlie.example.org", phone="020 7946 0002", main="no"),
        row(name="Delta School", kind="School", capacity="", safeguarding="01/09/2024", website="delta.example.org",
            contact="", email="", phone="", main=""),
    ])
    before_events = AuditEvent.objects.count()
    result = partners_import(actor=personas.lead, data=data, filename="p.csv")
    assert (result.organisations_created, result.organisations_updated, result.contacts_created) == (2, 0, 2)
    charlie = Organisation.objects.get(name="Charlie Food Bank")
    assert charlie.kind == "community"
    assert charlie.capacity_per_year == 4
    assert str(charlie.safeguarding_policy_date) == "2025-03-01"
    assert [(c.name, c.phone, c.is_primary) for c in charlie.contacts.all()] == [
        ("Cara Lewis", "+44 20 7946 0001", True),
        ("Dev Patel", "020 7946 0002", False),
    ]
    delta = Organisation.objects.get(name="Delta School")
    assert (delta.kind, delta.website, str(delta.safeguarding_policy_date)) == (
        "school", "https://delta.example.org", "2024-09-01")
    assert not delta.contacts.exists()
    events = AuditEvent.objects.filter(pk__gt=0).order_by("id")[before_events:]
    assert [(e.action, e.object_type) for e in events] == [
        (Action.CREATE, "partners.Organisation"),
        (Action.CREATE, "partners.Contact"),
        (Action.CREATE, "partners.Contact"),
        (Action.CREATE, "partners.Organisation"),
    ]
    assert all(e.actor == personas.lead for e in events)
    assert result.summary == ("p.csv: Created 2 organisations, updated 0, left 0 unchanged; added 2 contacts and "
                              "updated 0.")


def test_an_existing_organisation_is_updated_with_the_fields_given_and_its_contacts_matched_by_email(personas):
    data = csv_bytes(
        [["alpha  health FORUM", "", "12", "Carers; Older people", "", "Partner A", "A@alpha.example.org",
          "020 7946 0009"],
         ["Alpha Health Forum", "", "12", "carers;older people", "", "New Person", "new@alpha.example.org", ""]],
        header=["Organisation name", "Kind", "Capacity", "Populations", "Description", "Contact", "Email", "Phone"],
    )
    result = partners_import(actor=personas.lead, data=data, filename="update.csv")
    org_a = Organisation.objects.get(pk=personas.org_a.pk)
    assert Organisation.objects.filter(name__iexact="alpha health forum").count() == 1
    assert org_a.name == "Alpha Health Forum"
    assert org_a.kind == "community"  # blank: unchanged
    assert org_a.capacity_per_year == 12
    assert sorted(p.name for p in org_a.populations.all()) == ["Carers", "older people"]
    assert sorted(c.email for c in org_a.contacts.all()) == ["a@alpha.example.org", "new@alpha.example.org"]
    assert org_a.contacts.get(email="a@alpha.example.org").phone == "020 7946 0009"
    assert (result.organisations_created, result.organisations_updated, result.contacts_created,
            result.contacts_updated) == (0, 1, 1, 1)
    change = AuditEvent.objects.filter(action=Action.CHANGE, object_type="partners.Organisation").latest("id")
    assert change.changes == {"capacity_per_year": [0, 12]}


def test_importing_the_same_file_twice_changes_nothing_the_second_time(personas):
    data = csv_bytes([row(), row(name="Delta", kind="gp", email="d@delta.example.org")])
    partners_import(actor=personas.lead, data=data, filename="p.csv")
    before = counts()
    result = partners_import(actor=personas.lead, data=data, filename="p.csv")
    assert counts() == before
    assert "left 2 unchanged" in result.summary


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(personas):
    before = counts()
    result = partners_import(actor=personas.lead, data=csv_bytes([row()]), filename="p.csv", dry_run=True)
    assert result.summary.startswith("p.csv: Would create 1 organisation")
    assert counts() == before


def test_a_windows_1252_file_is_imported_with_its_accents_and_a_note(personas):
    data = csv_bytes([row(name="Café Señora Zoë", contact="Zoë Ñúñez")], encoding="cp1252")
    result = partners_import(actor=personas.lead, data=data, filename="legacy.csv")
    assert Organisation.objects.get(name="Café Señora Zoë").contacts.get().name == "Zoë Ñúñez"
    assert "Windows-1252" in result.summary


def test_a_utf16_file_is_imported(personas):
    data = csv_bytes([row(name="Łódź Polish Centre")], encoding="utf-16")
    partners_import(actor=personas.lead, data=data, filename="unicode.csv")
    assert Organisation.objects.filter(name="Łódź Polish Centre").exists()


def test_an_xlsx_with_dates_and_numbers_is_imported(personas):
    import datetime as dt

    data = xlsx_bytes([HEADER, ["Echo Trust", "Charity", 7, dt.datetime(2024, 5, 6), None, "Eve", "eve@echo.org",
                                "+44 20 7946 0003", True]])
    partners_import(actor=personas.lead, data=data, filename="p.xlsx")
    echo = Organisation.objects.get(name="Echo Trust")
    assert (echo.kind, echo.capacity_per_year, str(echo.safeguarding_policy_date)) == ("community", 7, "2024-05-06")
    assert echo.contacts.get().is_primary


def test_lists_languages_and_unknown_columns(personas):
    data = csv_bytes([["Foxtrot", "other", "bn, Polish; so", "SE6, SE13", "purple"]],
                     header=["Organisation", "Type", "Languages", "Areas served", "Favourite colour"])
    result = partners_import(actor=personas.lead, data=data, filename="p.csv")
    foxtrot = Organisation.objects.get(name="Foxtrot")
    assert sorted(language.code for language in foxtrot.languages.all()) == ["bn", "polish", "so"]
    assert foxtrot.areas_served == "SE6, SE13"
    assert "columns not imported: Favourite colour" in result.summary


def test_the_lead_uploads_a_file_on_the_import_page(personas):
    client = personas.client("lead")
    upload = SimpleUploadedFile("partners.csv", csv_bytes([row()]), content_type="text/csv")
    response = client.post(reverse("partners:import"), {"file": upload})
    assert response.status_code == 302
    assert Organisation.objects.filter(name="Charlie Food Bank").exists()


def test_the_import_page_shows_every_problem_and_saves_nothing(personas):
    client = personas.client("lead")
    before = counts()
    upload = SimpleUploadedFile("partners.csv", csv_bytes([row(kind="spaceship"), row(name="=cmd|' /C calc'!A0")]))
    response = client.post(reverse("partners:import"), {"file": upload})
    assert response.status_code == 200
    content = response.content.decode()
    assert "The file was not imported" in content
    assert "partners.csv, row 2, column B “Kind”" in content
    assert "partners.csv, row 3, column A “Organisation name”" in content
    assert counts() == before


def test_the_command_imports_a_file_and_reports(personas, tmp_path, capsys):
    path = tmp_path / "partners.csv"
    path.write_bytes(csv_bytes([row()]))
    call_command("import_partners", str(path), "--actor", "lead")
    assert "Created 1 organisation" in capsys.readouterr().out
    assert AuditEvent.objects.filter(actor=personas.lead, object_type="partners.Organisation",
                                     object_label="Charlie Food Bank").exists()


def test_the_command_dry_run_saves_nothing(personas, tmp_path, capsys):
    path = tmp_path / "partners.csv"
    path.write_bytes(csv_bytes([row()]))
    before = counts()
    call_command("import_partners", str(path), "--dry-run")
    assert "Dry run, nothing saved" in capsys.readouterr().out
    assert counts() == before


def test_the_command_fails_with_the_row_errors_on_stderr(personas, tmp_path):
    from commed.cli import main

    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([row(capacity="-5")]))
    before = counts()
    stderr = io.StringIO()
    with pytest.raises(CommandError, match=r"bad\.csv was not imported"):
        call_command("import_partners", str(path), stderr=stderr)
    assert "bad.csv, row 2, column C “Capacity per year”: -5 is negative" in stderr.getvalue()
    assert counts() == before
    assert main(["import", "partners", str(path)]) == 1


def test_a_row_with_a_refused_name_still_has_its_other_problems_reported(personas):
    data = csv_bytes([row(name="=cmd|' /C calc'!A0", kind="spaceship", email="nope")])
    with pytest.raises(ImportFailed) as caught:
        partners_import(actor=personas.lead, data=data, filename="p.csv")
    assert [error.split(":")[0] for error in caught.value.errors] == [
        "p.csv, row 2, column A “Organisation name”",
        "p.csv, row 2, column B “Kind”",
        "p.csv, row 2, column G “Contact e-mail”",
    ]
