from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import models
from django.utils import timezone

from commed.accounts.models import User
from commed.audit.models import Action, AuditEvent


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
    summary: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or str(obj.pk)
        object_label = object_label or str(obj)[:300]
    return AuditEvent.objects.create(
        at=timezone.now(),
        actor=actor,
        actor_label=(f"{actor} <{actor.email}>" if actor else "system")[:200],
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_label=object_label,
        summary=summary,
        changes=changes or {},
    )


def model_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Field-by-field differences, as [old, new], for the audit trail."""
    return {key: [before.get(key), value] for key, value in after.items() if before.get(key) != value}


def audit_purge_expired(*, days: int) -> int:
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
    if deleted:
        audit_record(
            actor=None,
            action=Action.RETENTION,
            object_type="audit.AuditEvent",
            summary=f"{deleted} audit events older than {days} days deleted",
        )
    return deleted
