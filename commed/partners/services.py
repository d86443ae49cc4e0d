"""Writes to the partner directory. Every change of personal data (contacts) goes through the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from commed.accounts.models import User
from commed.audit.models import Action
from commed.audit.services import audit_record, model_changes
from commed.partners.models import (
    Agreement,
    Contact,
    FocusArea,
    Interaction,
    Language,
    LedgerEntry,
    Organisation,
    OrganisationKind,
    Partnership,
    Population,
    Stage,
    StageChange,
)

ORGANISATION_FIELDS = (
    "name",
    "kind",
    "description",
    "areas_served",
    "address",
    "postcode",
    "website",
    "charity_number",
    "safeguarding_policy_date",
    "capacity_per_year",
)
CONTACT_FIELDS = ("name", "job_title", "role", "email", "phone", "is_primary")


def _terms(model: type[Population] | type[FocusArea], names: Iterable[str]) -> list[Any]:
    terms = []
    for raw in names:
        name = " ".join(raw.split())
        if name:
            term, _ = model.objects.get_or_create(name__iexact=name, defaults={"name": name})
            terms.append(term)
    return terms


def language_terms(codes_or_names: Iterable[str]) -> list[Language]:
    """Find languages by code or name; an unknown one becomes a new language with its name as code."""
    found = []
    for raw in codes_or_names:
        value = raw.strip()
        if not value:
            continue
        language = (
            Language.objects.filter(code__iexact=value).first()
            or Language.objects.filter(name__iexact=value).first()
        )
        if language is None:
            language = Language.objects.create(code=value.lower()[:12], name=value.title())
        found.append(language)
    return found


def _snapshot(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    return {field: _plain(getattr(obj, field)) for field in fields}


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | Decimal):
        return str(value)
    return value


@transaction.atomic
def organisation_create(
    *,
    actor: User | None,
    name: str,
    kind: str,
    populations: Iterable[str] = (),
    focus_areas: Iterable[str] = (),
    languages: Iterable[str] = (),
    **fields: Any,
) -> Organisation:
    unknown = set(fields) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown organisation fields: {sorted(unknown)}")
    now = timezone.now()
    organisation = Organisation(name=name.strip(), kind=kind, created_at=now, updated_at=now, **fields)
    organisation.full_clean()
    organisation.save()
    organisation.populations.set(_terms(Population, populations))
    organisation.focus_areas.set(_terms(FocusArea, focus_areas))
    organisation.languages.set(language_terms(languages))
    audit_record(actor=actor, action=Action.CREATE, obj=organisation)
    return organisation


@transaction.atomic
def organisation_update(
    *,
    actor: User | None,
    organisation: Organisation,
    populations: Iterable[str] | None = None,
    focus_areas: Iterable[str] | None = None,
    languages: Iterable[str] | None = None,
    **fields: Any,
) -> Organisation:
    unknown = set(fields) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown organisation fields: {sorted(unknown)}")
    before = _snapshot(organisation, fields)
    for field, value in fields.items():
        setattr(organisation, field, value)
    organisation.updated_at = timezone.now()
    organisation.full_clean()
    organisation.save()
    if populations is not None:
        organisation.populations.set(_terms(Population, populations))
    if focus_areas is not None:
        organisation.focus_areas.set(_terms(FocusArea, focus_areas))
    if languages is not None:
        organisation.languages.set(language_terms(languages))
    audit_record(
        actor=actor,
        action=Action.CHANGE,
        obj=organisation,
        changes=model_changes(before, _snapshot(organisation, fields)),
    )
    return organisation


@transaction.atomic
def contact_create(*, actor: User | None, organisation: Organisation, name: str, **fields: Any) -> Contact:
    unknown = set(fields) - set(CONTACT_FIELDS) - {"user"}
    if unknown:
        raise TypeError(f"unknown contact fields: {sorted(unknown)}")
    contact = Contact(organisation=organisation, name=name.strip(), **fields)
    contact.full_clean()
    contact.save()
    audit_record(actor=actor, action=Action.CREATE, obj=contact)
    return contact


@transaction.atomic
def contact_update(*, actor: User | None, contact: Contact, **fields: Any) -> Contact:
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"unknown contact fields: {sorted(unknown)}")
    before = _snapshot(contact, fields)
    for field, value in fields.items():
        setattr(contact, field, value)
    contact.full_clean()
    contact.save()
    audit_record(
        actor=actor, action=Action.CHANGE, obj=contact, changes=model_changes(before, _snapshot(contact, fields))
    )
    return contact


@transaction.atomic
def contact_delete(*, actor: User | None, contact: Contact) -> None:
    audit_record(actor=actor, action=Action.DELETE, obj=contact)
    contact.delete()


@transaction.atomic
def partnership_create(
    *,
    actor: User | None,
    organisation: Organisation,
    title: str,
    lead: User | None = None,
    at: dt.datetime | None = None,
) -> Partnership:
    now = at or timezone.now()
    partnership = Partnership.objects.create(
        organisation=organisation, title=title.strip(), lead=lead, created_at=now, stage=Stage.EXPLORING
    )
    StageChange.objects.create(
        partnership=partnership, from_stage="", to_stage=Stage.EXPLORING, at=now, by=actor, reason="Partnership opened"
    )
    audit_record(actor=actor, action=Action.CREATE, obj=partnership)
    return partnership


@transaction.atomic
def partnership_set_stage(
    *, actor: User | None, partnership: Partnership, stage: str, reason: str, at: dt.datetime | None = None
) -> StageChange:
    if stage not in Stage.values:
        raise ValidationError({"stage": f"Unknown stage {stage!r}."})
    if stage == partnership.stage:
        raise ValidationError({"stage": f"The partnership is already {partnership.get_stage_display().lower()}."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the stage changes."})
    at = at or timezone.now()
    change = StageChange.objects.create(
        partnership=partnership, from_stage=partnership.stage, to_stage=stage, at=at, by=actor, reason=reason.strip()
    )
    if stage == Stage.ACTIVE and partnership.started_on is None:
        partnership.started_on = timezone.localdate(at)
    partnership.stage = stage
    partnership.save(update_fields=["stage", "started_on"])
    audit_record(
        actor=actor, action=Action.CHANGE, obj=partnership, changes={"stage": [change.from_stage, stage]}
    )
    return change


@transaction.atomic
def agreement_create(
    *,
    actor: User | None,
    partnership: Partnership,
    kind: str,
    title: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    renewal_on: dt.date | None = None,
    notes: str = "",
) -> Agreement:
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": "The agreement cannot end before it starts."})
    agreement = Agreement(
        partnership=partnership,
        kind=kind,
        title=title.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        renewal_on=renewal_on,
        notes=notes,
        created_at=timezone.now(),
    )
    agreement.full_clean()
    agreement.save()
    audit_record(actor=actor, action=Action.CREATE, obj=agreement)
    return agreement


@transaction.atomic
def interaction_log(
    *,
    actor: User | None,
    organisation: Organisation,
    kind: str,
    occurred_on: dt.date,
    summary: str,
    partnership: Partnership | None = None,
) -> Interaction:
    if partnership is not None and partnership.organisation_id != organisation.pk:
        raise ValidationError({"partnership": "That partnership belongs to another organisation."})
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": "An interaction cannot be logged in the future."})
    interaction = Interaction(
        organisation=organisation,
        partnership=partnership,
        kind=kind,
        occurred_on=occurred_on,
        summary=summary.strip(),
        recorded_by=actor,
        created_at=timezone.now(),
    )
    interaction.full_clean()
    interaction.save()
    audit_record(actor=actor, action=Action.CREATE, obj=interaction, object_label=f"{organisation}: {interaction}")
    return interaction


@transaction.atomic
def ledger_entry_add(
    *,
    actor: User | None,
    partnership: Partnership,
    direction: str,
    kind: str,
    description: str,
    occurred_on: dt.date,
    quantity: Decimal | None = None,
    unit: str = "",
    evidence: str = "",
) -> LedgerEntry:
    if quantity is not None and quantity < 0:
        raise ValidationError({"quantity": "A quantity cannot be negative; record the other direction instead."})
    if quantity is not None and not unit.strip():
        raise ValidationError({"unit": "Give the unit of the quantity (hours, sessions, GBP ...)."})
    entry = LedgerEntry(
        partnership=partnership,
        direction=direction,
        kind=kind,
        description=description.strip(),
        quantity=quantity,
        unit=unit.strip(),
        evidence=evidence.strip(),
        occurred_on=occurred_on,
        recorded_by=actor,
        created_at=timezone.now(),
    )
    entry.full_clean()
    entry.save()
    audit_record(actor=actor, action=Action.CREATE, obj=entry)
    return entry


def organisation_kind_from_label(value: str) -> str | None:
    """Accept a kind by its code or its label, as people type either in a spreadsheet."""
    cleaned = value.strip().lower()
    for code, label in OrganisationKind.choices:
        if cleaned in (code, label.lower()):
            return code
    aliases = {"charity": "community", "community organisation": "community", "gp": "gp_practice",
               "council": "local_authority", "la": "local_authority", "nhs trust": "nhs"}
    return aliases.get(cleaned)
