"""Reads of the partner directory. Visibility rules for organisations live here and nowhere else."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from commed.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES, Role, User
from commed.partners.models import (
    Agreement,
    Contact,
    Direction,
    Interaction,
    LedgerEntry,
    Organisation,
    Partnership,
    StageChange,
)

EXPIRY_WINDOW_DAYS = 60


def organisations_visible_to(*, user: User) -> QuerySet[Organisation]:
    if not user.is_active:
        return Organisation.objects.none()
    if user.role in STAFF_ROLES:
        return Organisation.objects.all()
    if user.role == Role.PARTNER:
        return Organisation.objects.filter(contacts__user=user).distinct()
    return Organisation.objects.none()


def organisation_can_edit(*, user: User, organisation: Organisation) -> bool:
    if user.role in PARTNER_EDITOR_ROLES:
        return True
    return user.role == Role.PARTNER and organisation.contacts.filter(user=user).exists()


def organisation_can_record(*, user: User, organisation: Organisation) -> bool:
    """Log interactions and ledger entries: every member of staff, and the partner's own contacts."""
    return user.role in STAFF_ROLES or organisation_can_edit(user=user, organisation=organisation)


def organisation_list(
    *,
    user: User,
    q: str = "",
    kind: str = "",
    population: str = "",
    focus_area: str = "",
    language: str = "",
    area: str = "",
    contact_role: str = "",
    stage: str = "",
    safeguarding: str = "",
    min_capacity: str = "",
    max_capacity: str = "",
) -> QuerySet[Organisation]:
    organisations = organisations_visible_to(user=user)
    if q:
        # Free text reaches every descriptive field of the directory: the organisation itself, what it serves,
        # its languages (by name or code) and its contacts (name, job title and role in the partnership).
        organisations = organisations.filter(
            Q(name__icontains=q)
            | Q(description__icontains=q)
            | Q(populations__name__icontains=q)
            | Q(focus_areas__name__icontains=q)
            | Q(languages__name__icontains=q)
            | Q(languages__code__iexact=q)
            | Q(areas_served__icontains=q)
            | Q(postcode__istartswith=q)
            | Q(contacts__name__icontains=q)
            | Q(contacts__job_title__icontains=q)
            | Q(contacts__role__icontains=q)
        )
    if kind:
        organisations = organisations.filter(kind=kind)
    if population:
        organisations = organisations.filter(populations__name=population)
    if focus_area:
        organisations = organisations.filter(focus_areas__name=focus_area)
    if language:
        organisations = organisations.filter(languages__code=language)
    if area:
        organisations = organisations.filter(Q(areas_served__icontains=area) | Q(postcode__istartswith=area))
    if contact_role:
        organisations = organisations.filter(
            Q(contacts__role__icontains=contact_role) | Q(contacts__job_title__icontains=contact_role)
        )
    if stage:
        organisations = organisations.filter(partnerships__stage=stage)
    if safeguarding == "due":
        # A safeguarding policy is reviewed yearly: missing or older than a year needs a conversation.
        year_ago = timezone.localdate() - dt.timedelta(days=365)
        organisations = organisations.filter(
            Q(safeguarding_policy_date__isnull=True) | Q(safeguarding_policy_date__lt=year_ago)
        )
    elif safeguarding == "current":
        year_ago = timezone.localdate() - dt.timedelta(days=365)
        organisations = organisations.filter(safeguarding_policy_date__gte=year_ago)
    if min_capacity.isdigit():
        organisations = organisations.filter(capacity_per_year__gte=int(min_capacity))
    if max_capacity.isdigit():
        organisations = organisations.filter(capacity_per_year__lte=int(max_capacity))
    return (
        organisations.distinct()
        .annotate(partnership_count=Count("partnerships", distinct=True))
        .prefetch_related("populations", "focus_areas", "languages")
        .order_by("name")
    )


def organisation_get_for_user(*, user: User, pk: int) -> Organisation:
    organisation = (
        organisations_visible_to(user=user)
        .prefetch_related(
            "populations",
            "focus_areas",
            "languages",
            Prefetch("contacts", queryset=Contact.objects.select_related("user")),
            Prefetch("partnerships", queryset=Partnership.objects.select_related("lead")),
        )
        .filter(pk=pk)
        .first()
    )
    if organisation is None:
        raise Http404
    return organisation


def partnership_get_for_user(*, user: User, pk: int) -> Partnership:
    visible = organisations_visible_to(user=user)
    partnership = Partnership.objects.select_related("organisation").filter(pk=pk, organisation__in=visible).first()
    if partnership is None:
        raise Http404
    return partnership


def contact_get_for_user(*, user: User, pk: int) -> Contact:
    visible = organisations_visible_to(user=user)
    contact = Contact.objects.select_related("organisation").filter(pk=pk, organisation__in=visible).first()
    if contact is None:
        raise Http404
    return contact


@dataclass(frozen=True)
class TimelineItem:
    on: dt.date
    kind: str
    title: str
    detail: str
    by: str
    sort_key: tuple[dt.date, int] = field(compare=False, default=(dt.date.min, 0))


def organisation_timeline(*, organisation: Organisation, limit: int = 200) -> list[TimelineItem]:
    """Stage changes, agreements, interactions and ledger entries of every partnership, newest first."""
    items: list[TimelineItem] = []
    for change in StageChange.objects.filter(partnership__organisation=organisation).select_related(
        "by", "partnership"
    )[:limit]:
        day = timezone.localdate(change.at)
        items.append(
            TimelineItem(
                on=day,
                kind="stage",
                title=f"{change.partnership.title}: {change.get_from_stage_display() or 'opened'} → "
                f"{change.get_to_stage_display()}",
                detail=change.reason,
                by=str(change.by or ""),
                sort_key=(day, 1),
            )
        )
    for agreement in Agreement.objects.filter(partnership__organisation=organisation)[:limit]:
        items.append(
            TimelineItem(
                on=agreement.starts_on,
                kind="agreement",
                title=f"{agreement.get_kind_display()}: {agreement.title}",
                detail=f"Until {agreement.ends_on:%d %b %Y}" if agreement.ends_on else "No end date",
                by="",
                sort_key=(agreement.starts_on, 2),
            )
        )
    for interaction in Interaction.objects.filter(organisation=organisation).select_related("recorded_by")[:limit]:
        items.append(
            TimelineItem(
                on=interaction.occurred_on,
                kind=interaction.kind,
                title=interaction.get_kind_display(),
                detail=interaction.summary,
                by=str(interaction.recorded_by or ""),
                sort_key=(interaction.occurred_on, 3),
            )
        )
    for entry in LedgerEntry.objects.filter(partnership__organisation=organisation).select_related("recorded_by")[
        :limit
    ]:
        amount = f" ({entry.quantity.normalize():f} {entry.unit})" if entry.quantity is not None else ""
        items.append(
            TimelineItem(
                on=entry.occurred_on,
                kind="ledger",
                title=f"{entry.get_direction_display()}: {entry.get_kind_display().lower()}{amount}",
                detail=entry.description,
                by=str(entry.recorded_by or ""),
                sort_key=(entry.occurred_on, 4),
            )
        )
    items.sort(key=lambda item: item.sort_key, reverse=True)
    return items[:limit]


@dataclass(frozen=True)
class LedgerBalance:
    to_community: int
    from_community: int
    # Quantities summed per (direction, unit): hours are only added to hours.
    quantities: dict[tuple[str, str], Decimal]

    @property
    def label(self) -> str:
        if not self.to_community and not self.from_community:
            return "Nothing recorded yet"
        if self.to_community == 0:
            return "One-way: nothing recorded flowing to the community"
        if self.from_community == 0:
            return "One-way: nothing recorded flowing from the community"
        ratio = self.to_community / self.from_community
        return "Balanced" if 0.5 <= ratio <= 2 else "Uneven"


@dataclass(frozen=True)
class HealthSummary:
    last_contact: dt.date | None
    days_since_contact: int | None
    agreement_status: str
    next_agreement_end: dt.date | None
    balance: LedgerBalance


def organisation_health(*, organisation: Organisation, today: dt.date | None = None) -> HealthSummary:
    today = today or timezone.localdate()
    last_contact = Interaction.objects.filter(organisation=organisation).aggregate(last=Max("occurred_on"))["last"]
    agreements = list(Agreement.objects.filter(partnership__organisation=organisation))
    current = [a for a in agreements if a.starts_on <= today and (a.ends_on is None or a.ends_on >= today)]
    if not agreements:
        status, next_end = "No agreement", None
    elif not current:
        status, next_end = "Expired", max((a.ends_on for a in agreements if a.ends_on), default=None)
    else:
        ends = [a.ends_on for a in current if a.ends_on]
        next_end = min(ends) if ends else None
        soon = next_end is not None and (next_end - today).days <= EXPIRY_WINDOW_DAYS
        status = "Expires soon" if soon else "Current"
    counts = dict(
        LedgerEntry.objects.filter(partnership__organisation=organisation)
        .values_list("direction")
        .annotate(n=Count("id"))
        .values_list("direction", "n")
    )
    quantities: dict[tuple[str, str], Decimal] = {}
    for direction, unit, quantity in LedgerEntry.objects.filter(
        partnership__organisation=organisation, quantity__isnull=False
    ).values_list("direction", "unit", "quantity"):
        if quantity is None:
            continue
        key = (direction, unit.lower())
        quantities[key] = quantities.get(key, Decimal(0)) + quantity
    balance = LedgerBalance(
        to_community=counts.get(Direction.TO_COMMUNITY, 0),
        from_community=counts.get(Direction.TO_STUDENTS, 0) + counts.get(Direction.TO_SCHOOL, 0),
        quantities=quantities,
    )
    return HealthSummary(
        last_contact=last_contact,
        days_since_contact=(today - last_contact).days if last_contact else None,
        agreement_status=status,
        next_agreement_end=next_end,
        balance=balance,
    )


def agreements_expiring(
    *, user: User, today: dt.date | None = None, within_days: int = EXPIRY_WINDOW_DAYS
) -> QuerySet[Agreement]:
    today = today or timezone.localdate()
    return (
        Agreement.objects.filter(
            partnership__organisation__in=organisations_visible_to(user=user),
            ends_on__gte=today,
            ends_on__lte=today + dt.timedelta(days=within_days),
        )
        .select_related("partnership__organisation")
        .order_by("ends_on")
    )


def organisation_filter_options() -> dict[str, list[Any]]:
    from commed.partners.models import FocusArea, Language, Population

    return {
        "populations": list(Population.objects.values_list("name", flat=True)),
        "focus_areas": list(FocusArea.objects.values_list("name", flat=True)),
        "languages": list(Language.objects.values_list("code", "name")),
    }
