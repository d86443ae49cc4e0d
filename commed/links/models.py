from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class SignedLink(models.Model):
    """A single-purpose, expiring, revocable link for someone without an account (a partner, a teacher, a pupil).

    The token itself is never stored: only its SHA-256, so a database leak does not hand out working links, and a
    tampered token simply matches nothing.
    """

    token_hash = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=40, db_index=True)
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    # Purpose-specific parameters, e.g. {"version": 3} for signing plan version 3.
    params = models.JSONField(default=dict, blank=True)
    recipient_name = models.CharField(max_length=150)
    recipient_email = models.EmailField(blank=True)
    contact = models.ForeignKey(
        "partners.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="signed_links"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    max_uses = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: any number until it expires")
    use_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("-created_at",)
        indexes = (models.Index(fields=("target_type", "target_id")),)

    def __str__(self) -> str:
        return f"{self.purpose} link for {self.recipient_name}"


class LinkUse(models.Model):
    link = models.ForeignKey(SignedLink, on_delete=models.CASCADE, related_name="uses")
    at = models.DateTimeField()
    action = models.CharField(max_length=40, help_text="opened, submitted, signed ...")
    outcome = models.CharField(max_length=20, default="ok", help_text="ok, expired, revoked, used up")

    class Meta:
        ordering = ("-at",)

    def __str__(self) -> str:
        return f"{self.link} {self.action} at {self.at}"
