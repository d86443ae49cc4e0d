"""Survey invitations are personal data; the answers, once no longer linked to anyone, are not.

SURVEY_RETENTION_DAYS after a survey closed, each of its invitations loses what identifies the respondent: the
account, name, e-mail, signed link and the reminders sent (which hold the e-mail). The answers stay, attached to
an anonymous invitation that still says which side (partner or school) and organisation answered, so response
rates, results and the partnership-quality gap of past years are unchanged.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from commed.audit.models import Action
from commed.audit.services import audit_record
from commed.surveys.models import Invitation, Reminder, Status, Survey


@transaction.atomic
def apply() -> list[str]:
    days = settings.SURVEY_RETENTION_DAYS
    cutoff = timezone.now() - dt.timedelta(days=days)
    identified = Q(invitations__user__isnull=False) | ~Q(invitations__name="") | ~Q(invitations__email="")
    due = Survey.objects.filter(identified, status=Status.CLOSED, closed_at__lt=cutoff).distinct()
    lines = []
    for survey in due:
        invitations = Invitation.objects.filter(survey=survey)
        reminders, _ = Reminder.objects.filter(invitation__survey=survey).delete()
        erased = invitations.exclude(user__isnull=True, name="", email="").update(
            user=None, name="", email="", link=None)
        audit_record(
            actor=None, action=Action.RETENTION, obj=survey,
            summary=f"{erased} invitations made anonymous and {reminders} reminders deleted {days} days after"
            " the survey closed",
        )
        lines.append(f"surveys: {survey}: {erased} invitations made anonymous, {reminders} reminders deleted")
    return lines or ["surveys: nothing due"]
