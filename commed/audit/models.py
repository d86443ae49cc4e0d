from __future__ import annotations

from django.conf import settings
from django.db import models


class Action(models.TextChoices):
    CREATE = "create", "Created"
    CHANGE = "change", "Changed"
    DELETE = "delete", "Deleted"
    EXPORT = "export", "Exported"
    VIEW = "view", "Viewed"
    LOGIN = "login", "Signed in"
    RETENTION = "retention", "Deleted by retention rule"


class AuditEvent(models.Model):
    """Who did what to which personal data. Written only by `audit_record`; never edited."""

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text too, so the trail still says who it was after the account is deleted.
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=100, db_index=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=300, blank=True)
    summary = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("-at", "-id")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type} {self.object_id}"
