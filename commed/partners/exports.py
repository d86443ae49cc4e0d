"""Export organisations and their contacts as CSV or XLSX, in the columns the import reads.

One row per contact (an organisation without contacts gets one row with the contact columns blank); the
organisation's fields repeat on each of its rows, so the file re-imports without changing anything. Lists are
joined with "; ", languages by code, dates as ISO dates. Every export is recorded in the audit trail.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils import timezone

from commed.accounts.models import User
from commed.audit.models import Action
from commed.audit.services import audit_record
from commed.lib.tabular import write_table
from commed.partners.imports import COLUMNS
from commed.partners.models import Contact, Organisation
from commed.partners.selectors import organisations_visible_to

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def partners_export_rows(*, actor: User | None) -> tuple[list[str], list[list[Any]], int, int]:
    """The headings, the rows, and how many organisations and contacts they hold.

    `actor` None is the command line (recorded as "system"), which exports every organisation.
    """
    visible = Organisation.objects.all() if actor is None else organisations_visible_to(user=actor)
    organisations = visible.order_by("name").prefetch_related(
        "populations", "focus_areas", "languages", Prefetch("contacts", queryset=Contact.objects.order_by(
            "-is_primary", "name", "pk"))
    )
    headings = [heading for _, heading, _ in COLUMNS]
    rows: list[list[Any]] = []
    contacts = 0
    count = 0
    for organisation in organisations:
        count += 1
        base = [
            organisation.name,
            organisation.get_kind_display(),
            organisation.description,
            "; ".join(p.name for p in organisation.populations.all()),
            "; ".join(f.name for f in organisation.focus_areas.all()),
            "; ".join(language.code for language in organisation.languages.all()),
            organisation.areas_served,
            organisation.address,
            organisation.postcode,
            organisation.website,
            organisation.charity_number,
            organisation.safeguarding_policy_date,
            organisation.capacity_per_year,
        ]
        people = list(organisation.contacts.all())
        contacts += len(people)
        if not people:
            rows.append([*base, "", "", "", "", "", ""])
        for contact in people:
            rows.append([*base, contact.name, contact.email, contact.phone, contact.job_title, contact.role,
                         contact.is_primary])
    return headings, rows, count, contacts


def partners_export(*, actor: User | None, fmt: str) -> HttpResponse:
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"unknown export format {fmt!r}")
    headings, rows, organisations, contacts = partners_export_rows(actor=actor)
    content = write_table(rows, headings, fmt=fmt)
    audit_record(
        actor=actor,
        action=Action.EXPORT,
        object_type="partners.Organisation",
        object_label="Partner directory",
        summary=f"Exported {len(rows)} rows ({organisations} organisations, {contacts} contacts) as {fmt.upper()}",
        changes={"format": fmt, "rows": len(rows), "organisations": organisations, "contacts": contacts},
    )
    filename = f"partners-{timezone.localdate():%Y-%m-%d}.{fmt}"
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
