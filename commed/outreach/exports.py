"""CSV exports for sector trackers (e.g. HEAT). Every export is audited (action "export").

Only pupils whose consent to take part AND to data linkage for tracking is current on the day are exported:
withdrawing either removes the pupil from every later export. Names, addresses, e-mails and phone numbers are
never exported; trackers match on the pupil reference, school, date of birth and home postcode.

The columns of each export, with what they mean, are in COLUMNS below and on the exports page.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from commed.accounts.models import User
from commed.audit.models import Action
from commed.audit.services import audit_record
from commed.lib.tabular import write_table
from commed.outreach.models import (
    Activity,
    ConsentPurpose,
    OutreachProgramme,
    PlacementPupil,
    Pupil,
    Registration,
)
from commed.outreach.services import pupils_with_consent

COLUMNS: dict[str, list[tuple[str, str]]] = {
    "participants": [
        ("pupil_ref", "commed's reference for the pupil (OUT-<number>), stable across exports"),
        ("programme", "Programme name"),
        ("cohort", "Cohort, e.g. 2026/27"),
        ("school", "School name"),
        ("year_group", "School year group when recorded"),
        ("date_of_birth", "Date of birth (YYYY-MM-DD)"),
        ("home_postcode", "Home postcode without spaces; blank after the retention rule removed it"),
        ("route", "application, referral or direct"),
        ("status", "applied, accepted, waitlisted, declined (comparator group) or left"),
        ("eligible", "yes/no under the programme's eligibility rules"),
        ("eligibility_rule", "The rule that made the pupil eligible"),
        ("fsm", "Free school meals (yes/no)"),
        ("first_gen", "First in family to go to university (yes/no)"),
        ("care_experienced", "Care-experienced (yes/no)"),
        ("young_carer", "Young carer (yes/no)"),
        ("disability", "Declared disability (yes/no)"),
        ("imd_decile", "IMD decile of the home postcode (1 = most deprived), blank if unknown"),
        ("polar4_quintile", "POLAR4 quintile (1 = lowest HE participation), blank if unknown"),
        ("tundra_quintile", "TUNDRA quintile, blank if unknown"),
    ],
    "activities": [
        ("activity_ref", "commed's reference for the activity (ACT-<number>) or placement (PLA-<number>)"),
        ("programme", "Programme name"),
        ("kind", "workshop, event, visit or work_experience"),
        ("title", "Title, or the host practice for work experience"),
        ("start_date", "Date (YYYY-MM-DD)"),
        ("end_date", "Last day (same as start for one-day activities)"),
        ("capacity", "Places"),
        ("registered", "Exportable pupils registered"),
        ("attended", "Exportable pupils who attended"),
    ],
    "attendance": [
        ("pupil_ref", "As in the participants export"),
        ("activity_ref", "As in the activities export"),
        ("date", "Date of the activity (YYYY-MM-DD)"),
        ("attended", "yes/no"),
    ],
}
KINDS = tuple(COLUMNS)


def exportable_pupils(*, programme: OutreachProgramme) -> QuerySet[Pupil]:
    return (
        Pupil.objects.filter(programme=programme)
        .filter(pupils_with_consent(ConsentPurpose.PARTICIPATION))
        .filter(pupils_with_consent(ConsentPurpose.DATA_LINKAGE))
        .select_related("school", "programme")
        .order_by("pk")
    )


def _participants(programme: OutreachProgramme) -> Iterable[dict[str, Any]]:
    for pupil in exportable_pupils(programme=programme):
        yield {
            "pupil_ref": f"OUT-{pupil.pk}", "programme": programme.name, "cohort": programme.cohort,
            "school": pupil.school.name, "year_group": pupil.year_group, "date_of_birth": pupil.date_of_birth,
            "home_postcode": pupil.home_postcode, "route": pupil.route, "status": pupil.status,
            "eligible": pupil.eligible, "eligibility_rule": pupil.eligibility_rule, "fsm": pupil.fsm,
            "first_gen": pupil.first_gen, "care_experienced": pupil.care_experienced,
            "young_carer": pupil.young_carer, "disability": pupil.disability, "imd_decile": pupil.imd_decile,
            "polar4_quintile": pupil.polar4_quintile, "tundra_quintile": pupil.tundra_quintile,
        }


def _activities(programme: OutreachProgramme) -> Iterable[dict[str, Any]]:
    ids = set(exportable_pupils(programme=programme).values_list("pk", flat=True))
    for activity in Activity.objects.filter(programme=programme).prefetch_related("registrations"):
        rows = [r for r in activity.registrations.all() if r.pupil_id in ids]
        yield {
            "activity_ref": f"ACT-{activity.pk}", "programme": programme.name, "kind": activity.kind,
            "title": activity.title, "start_date": activity.on, "end_date": activity.on,
            "capacity": activity.capacity, "registered": len(rows), "attended": sum(r.attended for r in rows),
        }
    for placement in programme.placements.select_related("host").prefetch_related("pupils"):
        rows_p = [r for r in placement.pupils.all() if r.pupil_id in ids]
        yield {
            "activity_ref": f"PLA-{placement.pk}", "programme": programme.name, "kind": "work_experience",
            "title": placement.host.name, "start_date": placement.starts_on, "end_date": placement.ends_on,
            "capacity": placement.places, "registered": len(rows_p), "attended": sum(r.completed for r in rows_p),
        }


def _attendance(programme: OutreachProgramme) -> Iterable[dict[str, Any]]:
    ids = exportable_pupils(programme=programme).values("pk")
    for registration in Registration.objects.filter(activity__programme=programme, pupil__in=ids).select_related(
        "activity"
    ).order_by("activity__on", "pk"):
        yield {"pupil_ref": f"OUT-{registration.pupil_id}", "activity_ref": f"ACT-{registration.activity_id}",
               "date": registration.activity.on, "attended": registration.attended}
    for row in PlacementPupil.objects.filter(placement__programme=programme, pupil__in=ids).select_related(
        "placement"
    ).order_by("pk"):
        yield {"pupil_ref": f"OUT-{row.pupil_id}", "activity_ref": f"PLA-{row.placement_id}",
               "date": row.placement.starts_on, "attended": row.completed}


def outreach_export(*, actor: User, programme: OutreachProgramme, kind: str) -> bytes:
    if kind not in COLUMNS:
        raise ValueError(f"unknown export {kind!r}")
    rows = list({"participants": _participants, "activities": _activities, "attendance": _attendance}[kind](
        programme))
    data = write_table(rows, [name for name, _ in COLUMNS[kind]], "csv")
    audit_record(
        actor=actor, action=Action.EXPORT, obj=programme,
        summary=f"{kind} export of {programme} on {timezone.localdate():%Y-%m-%d}: {len(rows)} rows",
    )
    return data
