"""Exporting organisations and contacts: the import's columns, neutralised formulas, audited, re-importable."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from commed.audit.models import Action, AuditEvent
from commed.partners import services
from commed.partners.exports import partners_export
from commed.partners.imports import HEADINGS, partners_import
from commed.partners.models import Contact, Organisation


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.fixture
def directory(personas):
    """The personas' two organisations plus one with every field and awkward values, and one without contacts."""
    echo = services.organisation_create(
        actor=personas.lead, name="Echo Café Trust", kind="school", description="=HYPERLINK(\"http://evil\")",
        populations=["carers", "older people"], focus_areas=["diabetes"], languages=["bn", "so"],
        areas_served="SE6, SE13", address="1 High St\nLondon", postcode="SE6 4AA",
        website="https://echo.example.org", charity_number="1234567",
        safeguarding_policy_date=dt.date(2025, 6, 1), capacity_per_year=6,
    )
    services.contact_create(actor=personas.lead, organisation=echo, name="Zoë Ñúñez", email="zoe@echo.example.org",
                            phone="+44 20 7946 0000", job_title="Director", role="main contact", is_primary=True)
    services.contact_create(actor=personas.lead, organisation=echo, name="No Email", phone="-")
    services.organisation_create(actor=personas.lead, name="Foxtrot GP", kind="gp_practice")
    return personas


@time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), tick=False)
def test_the_csv_export_has_the_import_columns_one_row_per_contact_and_a_dated_filename(directory):
    response = directory.client("lead").get(reverse("partners:export", kwargs={"fmt": "csv"}))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="partners-2026-03-02.csv"'
    rows = csv_rows(response.content)
    assert rows[0] == list(HEADINGS.values())
    assert [(r[0], r[13]) for r in rows[1:]] == [
        ("Alpha Health Forum", "Partner A"),
        ("Bravo Community Trust", "Partner B"),
        ("Echo Café Trust", "Zoë Ñúñez"),
        ("Echo Café Trust", "No Email"),
        ("Foxtrot GP", ""),
    ]
    echo = rows[3]
    assert echo[1:13] == ["School", "'=HYPERLINK(\"http://evil\")", "carers; older people", "diabetes", "bn; so",
                          "SE6, SE13", "1 High St\nLondon", "SE6 4AA", "https://echo.example.org", "1234567",
                          "2025-06-01", "6"]
    assert echo[13:] == ["Zoë Ñúñez", "zoe@echo.example.org", "'+44 20 7946 0000", "Director", "main contact", "yes"]
    assert rows[4][15] == "'-"


def test_every_export_is_in_the_audit_trail_with_its_format_and_size(directory):
    directory.client("coordinator").get(reverse("partners:export", kwargs={"fmt": "xlsx"}))
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.actor == directory.coordinator
    assert event.object_type == "partners.Organisation"
    assert event.changes == {"format": "xlsx", "rows": 5, "organisations": 4, "contacts": 4}
    assert event.summary == "Exported 5 rows (4 organisations, 4 contacts) as XLSX"


def test_the_xlsx_export_has_the_same_rows_with_formulas_as_text(directory):
    response = partners_export(actor=directory.lead, fmt="xlsx")
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(HEADINGS.values())
    assert len(rows) == 6
    echo = rows[3]
    assert echo[2] == "'=HYPERLINK(\"http://evil\")"
    assert sheet.cell(row=4, column=3).data_type == "s"
    assert echo[11] == dt.datetime(2025, 6, 1)
    assert echo[12] == 6


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_reimports_without_changing_anything(directory, fmt):
    content = partners_export(actor=directory.lead, fmt=fmt).content
    before = (Organisation.objects.count(), Contact.objects.count(), AuditEvent.objects.count())
    result = partners_import(actor=directory.lead, data=content, filename=f"partners.{fmt}")
    assert (Organisation.objects.count(), Contact.objects.count(), AuditEvent.objects.count()) == before
    assert "left 4 unchanged; added 0 contacts and updated 0" in result.summary


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_imported_into_an_empty_directory_recreates_it(directory, fmt):
    content = partners_export(actor=directory.lead, fmt=fmt).content
    echo_before = Organisation.objects.get(name="Echo Café Trust")
    snapshot = {field: getattr(echo_before, field) for field in services.ORGANISATION_FIELDS}
    Organisation.objects.all().delete()
    partners_import(actor=directory.lead, data=content, filename=f"partners.{fmt}")
    echo = Organisation.objects.get(name="Echo Café Trust")
    assert {field: getattr(echo, field) for field in services.ORGANISATION_FIELDS} == snapshot
    assert sorted(p.name for p in echo.populations.all()) == ["carers", "older people"]
    assert sorted(language.code for language in echo.languages.all()) == ["bn", "so"]
    assert [(c.name, c.email, c.phone, c.is_primary) for c in echo.contacts.all()] == [
        ("Zoë Ñúñez", "zoe@echo.example.org", "+44 20 7946 0000", True),
        ("No Email", "", "-", False),
    ]
    assert Organisation.objects.count() == 4


def test_the_command_writes_an_export_file_and_records_it(directory, tmp_path):
    out = tmp_path / "partners.xlsx"
    call_command("export_partners", "--format", "xlsx", "--out", str(out), "--actor", "coordinator")
    assert load_workbook(out).active.max_row == 6
    assert AuditEvent.objects.get(action=Action.EXPORT).actor == directory.coordinator


def test_an_unknown_format_is_not_found(directory):
    assert directory.client("lead").get(reverse("partners:export", kwargs={"fmt": "pdf"})).status_code == 404
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_the_command_without_an_actor_exports_everything_as_the_system(directory, tmp_path):
    out = tmp_path / "partners.csv"
    call_command("export_partners", "--out", str(out))
    assert len(csv_rows(out.read_bytes())) == 6
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert (event.actor, event.actor_label) == (None, "system")
