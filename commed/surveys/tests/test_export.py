"""Exports of a survey's responses: contents, formula-injection defence, audit, and who may export."""

import codecs
import csv
import io

from openpyxl import load_workbook

from commed.audit.models import AuditEvent
from commed.surveys import services
from commed.surveys.tests.world import build_world


def _csv(content):
    assert content.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(content[len(codecs.BOM_UTF8):].decode("utf-8"))))


def test_the_csv_export_has_one_row_per_response_and_one_column_per_item(personas):
    world = build_world(personas)
    services.response_submit(invitation=world.invitations["partner_a"], posted={
        "useful": ["5"], "host_again": ["Yes"], "benefits": ["Materials", "Contacts"], "hours": ["2.5"]})
    response = personas.client("lead").get(f"/surveys/{world.survey.pk}/export/csv/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response.content)
    assert rows[0][:6] == ["Response", "Respondent", "E-mail", "Side", "Organisation", "Submitted at"]
    assert rows[0][6:] == ["useful: The project was useful to us.", "host_again: Would you host again?",
                           "reason: Why not?", "benefits: What did you gain?", "hours: Hours given",
                           "comments: Anything else?"]
    first, second = rows[1], rows[2]
    assert first[1] == "Respondent Persona"
    assert first[6:] == ["4", "No", "Too little notice", "Materials", "12",
                         "'=HYPERLINK(\"http://evil.example\")"]  # neutralised: it would run in a spreadsheet
    assert second[1:5] == ["Partner_A Persona", "partner_a@test.commed.invalid", "Partner", "Alpha Health Forum"]
    assert second[6:] == ["5", "Yes", "", "Materials; Contacts", "2.5", ""]
    event = AuditEvent.objects.get(action="export", object_id=str(world.survey.pk))
    assert event.actor == personas.lead
    assert event.changes == {"format": "csv", "responses": 2}


def test_the_xlsx_export_holds_the_same_answers(personas):
    world = build_world(personas)
    response = personas.client("admin").get(f"/surveys/{world.survey.pk}/export/xlsx/")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][6] == "useful: The project was useful to us."
    assert rows[1][6:11] == [4, "No", "Too little notice", "Materials", 12]
    assert rows[1][11].startswith("'=")
    assert AuditEvent.objects.filter(action="export", object_id=str(world.survey.pk)).count() == 1


def test_only_managers_export_and_unknown_formats_are_404(personas):
    world = build_world(personas)
    for name in ("tutor", "student", "researcher", "partner_a", "coordinator"):
        assert personas.client(name).get(f"/surveys/{world.survey.pk}/export/csv/").status_code == 404
    assert personas.client("lead").get(f"/surveys/{world.survey.pk}/export/pdf/").status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()
