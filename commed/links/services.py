from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from commed.accounts.models import User
from commed.audit.models import Action
from commed.audit.services import audit_record
from commed.links.models import LinkUse, SignedLink
from commed.links.registry import known_purposes
from commed.partners.models import Contact

DEFAULT_DAYS = 30


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedLink:
    link: SignedLink
    token: str

    @property
    def path(self) -> str:
        return reverse("links:open", kwargs={"token": self.token})

    @property
    def url(self) -> str:
        return settings.SITE_URL.rstrip("/") + self.path


class LinkInvalid(Exception):
    """The link cannot be used: `reason` is one of not found, wrong purpose, expired, revoked, used up."""

    def __init__(self, reason: str, link: SignedLink | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.link = link


@transaction.atomic
def link_issue(
    *,
    actor: User | None,
    purpose: str,
    target: models.Model,
    recipient_name: str,
    recipient_email: str = "",
    contact: Contact | None = None,
    params: dict[str, Any] | None = None,
    days: int = DEFAULT_DAYS,
    max_uses: int | None = None,
) -> IssuedLink:
    if purpose not in known_purposes():
        raise ValueError(f"unknown link purpose {purpose!r}")
    if days < 1 or days > 366:
        raise ValueError("a link lasts between 1 and 366 days")
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    link = SignedLink.objects.create(
        token_hash=token_hash(token),
        purpose=purpose,
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        params=params or {},
        recipient_name=recipient_name,
        recipient_email=recipient_email,
        contact=contact,
        created_by=actor,
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
        max_uses=max_uses,
    )
    audit_record(actor=actor, action=Action.CREATE, obj=link, summary=f"{purpose} link for {recipient_name}")
    return IssuedLink(link=link, token=token)


def link_resolve(*, token: str, purpose: str | None = None) -> SignedLink:
    """Find a usable link; every failed attempt on a real link is logged with its reason."""
    link = SignedLink.objects.select_related("target_type").filter(token_hash=token_hash(token)).first()
    if link is None:
        raise LinkInvalid("not found")
    if purpose is not None and link.purpose != purpose:
        raise LinkInvalid("wrong purpose", link)
    now = timezone.now()
    reason = ""
    if link.revoked_at is not None:
        reason = "revoked"
    elif link.expires_at <= now:
        reason = "expired"
    elif link.max_uses is not None and link.use_count >= link.max_uses:
        reason = "used up"
    if reason:
        LinkUse.objects.create(link=link, at=now, action="opened", outcome=reason)
        raise LinkInvalid(reason, link)
    return link


def link_record_use(*, link: SignedLink, action: str, consume: bool = False) -> None:
    """Log a use; `consume` counts it against max_uses (a submission, not a page view)."""
    LinkUse.objects.create(link=link, at=timezone.now(), action=action)
    if consume:
        SignedLink.objects.filter(pk=link.pk).update(use_count=F("use_count") + 1)
        link.refresh_from_db(fields=["use_count"])


@transaction.atomic
def link_revoke(*, actor: User, link: SignedLink) -> SignedLink:
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.revoked_by = actor
        link.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(actor=actor, action=Action.CHANGE, obj=link, summary="revoked")
    return link
