"""Export a survey's responses as CSV or XLSX: one row per response, one column per item. Audited, and every text
cell that a spreadsheet would run as a formula is neutralised (`commed.lib.tabular.write_table`)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone

from commed.accounts.models import User
from commed.audit.models import Action
from commed.audit.services import audit_record
from commed.lib.tabular import write_table
from commed.surveys.models import Survey
from commed.surveys.selectors import survey_export_table

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def survey_export(*, actor: User | None, survey: Survey, fmt: str) -> HttpResponse:
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"unknown export format {fmt!r}")
    headings, rows = survey_export_table(survey=survey)
    content = write_table(rows, headings, fmt=fmt)
    audit_record(actor=actor, action=Action.EXPORT, obj=survey,
                 summary=f"Exported {len(rows)} responses as {fmt.upper()}",
                 changes={"format": fmt, "responses": len(rows)})
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="survey-{survey.pk}-{timezone.localdate():%Y-%m-%d}.{fmt}"')
    response["Cache-Control"] = "no-store"
    return response
