from __future__ import annotations

from django.db.models import Count, QuerySet
from django.http import Http404

from commed.accounts.models import PARTNER_EDITOR_ROLES, User
from commed.links.models import SignedLink


def links_visible_to(*, user: User) -> QuerySet[SignedLink]:
    if user.role in PARTNER_EDITOR_ROLES:
        return SignedLink.objects.all()
    # Tutors and others see the links they issued themselves.
    return SignedLink.objects.filter(created_by=user)


def link_list(*, user: User) -> QuerySet[SignedLink]:
    return (
        links_visible_to(user=user)
        .select_related("created_by", "target_type", "contact")
        .annotate(uses_logged=Count("uses"))
        .order_by("-created_at", "-id")
    )


def link_get_for_user(*, user: User, pk: int) -> SignedLink:
    link = links_visible_to(user=user).filter(pk=pk).first()
    if link is None:
        raise Http404
    return link
