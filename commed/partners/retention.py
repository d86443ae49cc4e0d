"""Partner records kept only as long as they are needed.

Interaction notes can hold personal details of partner staff; contacts are personal data. Once a partnership has
ended and PARTNERSHIP_RETENTION_DAYS have passed with no newer partnership, its organisation's interaction notes
and contacts are deleted. The organisation, the stage history and the reciprocity ledger (no personal data) stay.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from commed.audit.models import Action
from commed.audit.services import audit_record
from commed.partners.models import Contact, Interaction, Organisation, Stage


@transaction.atomic
def apply() -> list[str]:
    days = settings.PARTNERSHIP_RETENTION_DAYS
    cutoff = timezone.now() - dt.timedelta(days=days)
    dormant = (
        Organisation.objects.annotate(last_change=Max("partnerships__stage_changes__at"))
        .filter(last_change__lt=cutoff)
        .exclude(partnerships__stage__in=[s for s in Stage.values if s != Stage.ENDED])
        .filter(Q(contacts__isnull=False) | Q(interactions__isnull=False))
        .distinct()
    )
    lines = []
    for organisation in dormant:
        contacts, _ = Contact.objects.filter(organisation=organisation).delete()
        interactions, _ = Interaction.objects.filter(organisation=organisation).delete()
        audit_record(
            actor=None,
            action=Action.RETENTION,
            obj=organisation,
            summary=f"{contacts} contacts and {interactions} interactions deleted {days} days after the partnership"
            " ended",
        )
        lines.append(f"partners: {organisation}: {contacts} contacts, {interactions} interactions deleted")
    return lines or ["partners: nothing due"]
