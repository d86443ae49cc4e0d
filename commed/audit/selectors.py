from __future__ import annotations

from django.db.models import QuerySet

from commed.audit.models import AuditEvent


def audit_list(*, action: str = "", object_type: str = "", actor: str = "") -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("actor")
    if action:
        events = events.filter(action=action)
    if object_type:
        events = events.filter(object_type__icontains=object_type)
    if actor:
        events = events.filter(actor_label__icontains=actor)
    return events
