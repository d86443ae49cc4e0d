"""Retention rules for widening-participation data, per kind of data. Run daily: `commed outreach_retention`.

Each rule is logged (a RetentionRun with one line per rule, and an audit event per record touched).

1. CONTACT DETAILS (home postcode, pupil e-mail and phone, guardian name, e-mail and phone) are deleted
   CONTACT_YEARS (3) years after the pupil's last activity, unless the pupil's consent to data linkage for
   tracking is current; then they are kept until TRACKING_YEARS (4) years after the programme ended (one year
   after the last destination survey is due), or 3 years after the last activity, whichever is later.
   Area measures already derived from the postcode (IMD, POLAR4, TUNDRA) stay.
2. APPLICANTS NOT TAKEN UP (declined or waitlisted) are deleted entirely NOT_TAKEN_UP_YEARS (1) year after
   their last activity, unless they are in a programme that keeps a comparator group and their consent to data
   linkage is current.
3. MENTORING SESSION NOTES are blanked SESSION_NOTE_YEARS (2) years after the session (date and length stay).
4. SAFEGUARDING CONCERNS, once closed, are kept until the pupil's CONCERN_UNTIL_AGE (25th) birthday, then
   deleted with the record of who saw them.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from commed.audit.models import Action
from commed.audit.services import audit_record
from commed.outreach.mentoring import age_on
from commed.outreach.models import Concern, ConsentPurpose, MentoringSession, Pupil, PupilStatus, RetentionRun
from commed.outreach.services import consent_current

CONTACT_YEARS = 3
TRACKING_YEARS = 4
NOT_TAKEN_UP_YEARS = 1
SESSION_NOTE_YEARS = 2
CONCERN_UNTIL_AGE = 25
CONTACT_FIELDS = ("home_postcode", "email", "phone", "guardian_name", "guardian_email", "guardian_phone")


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def contact_delete_due(*, pupil: Pupil, today: dt.date) -> bool:
    due = _years_after(pupil.last_activity_on, CONTACT_YEARS)
    if consent_current(pupil=pupil, purpose=ConsentPurpose.DATA_LINKAGE, on=today):
        due = max(due, _years_after(pupil.programme.ends_on, TRACKING_YEARS))
    return due <= today


def _contact_details(today: dt.date) -> str:
    count = 0
    candidates = Pupil.objects.filter(
        contact_deleted_at__isnull=True, last_activity_on__lte=_years_after(today, -CONTACT_YEARS)
    ).select_related("programme")
    for pupil in candidates:
        if not contact_delete_due(pupil=pupil, today=today):
            continue
        for name in CONTACT_FIELDS:
            setattr(pupil, name, "")
        pupil.contact_deleted_at = timezone.now()
        pupil.save(update_fields=[*CONTACT_FIELDS, "contact_deleted_at"])
        audit_record(actor=None, action=Action.RETENTION, obj=pupil, summary="contact details deleted")
        count += 1
    return f"outreach: contact details of {count} pupils deleted"


def _not_taken_up(today: dt.date) -> str:
    count = 0
    candidates = Pupil.objects.filter(
        status__in=[PupilStatus.DECLINED, PupilStatus.WAITLISTED],
        last_activity_on__lte=_years_after(today, -NOT_TAKEN_UP_YEARS),
    ).select_related("programme")
    for pupil in candidates:
        if pupil.programme.keeps_comparator and consent_current(
            pupil=pupil, purpose=ConsentPurpose.DATA_LINKAGE, on=today
        ):
            continue
        audit_record(actor=None, action=Action.RETENTION, obj=pupil, object_label=f"pupil #{pupil.pk}",
                     summary="applicant not taken up: record deleted")
        pupil.delete()
        count += 1
    return f"outreach: {count} applicants not taken up deleted"


def _session_notes(today: dt.date) -> str:
    sessions = MentoringSession.objects.filter(held_on__lte=_years_after(today, -SESSION_NOTE_YEARS)).exclude(
        notes="")
    count = sessions.update(notes="")
    if count:
        audit_record(actor=None, action=Action.RETENTION, object_type="outreach.MentoringSession",
                     summary=f"notes of {count} mentoring sessions blanked")
    return f"outreach: notes of {count} mentoring sessions blanked"


def _concerns(today: dt.date) -> str:
    count = 0
    for concern in Concern.objects.filter(closed_at__isnull=False).select_related("pupil"):
        if age_on(concern.pupil.date_of_birth, today) >= CONCERN_UNTIL_AGE:
            audit_record(actor=None, action=Action.RETENTION, obj=concern, summary="safeguarding concern deleted")
            concern.delete()
            count += 1
    return f"outreach: {count} closed safeguarding concerns deleted"


@transaction.atomic
def apply(*, today: dt.date | None = None) -> list[str]:
    today = today or timezone.localdate()
    lines = [_contact_details(today), _not_taken_up(today), _session_notes(today), _concerns(today)]
    RetentionRun.objects.create(ran_at=timezone.now(), lines=lines)
    return lines
