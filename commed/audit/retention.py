from __future__ import annotations

from django.conf import settings

from commed.audit.services import audit_purge_expired


def apply() -> list[str]:
    deleted = audit_purge_expired(days=settings.AUDIT_RETENTION_DAYS)
    return [f"audit: {deleted} events older than {settings.AUDIT_RETENTION_DAYS} days deleted"]
