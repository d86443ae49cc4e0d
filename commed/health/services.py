"""Writes of the health app: localities and evidence citations. Imports live in :mod:`commed.health.imports`."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from commed.accounts.models import User
from commed.audit.models import Action
from commed.audit.services import audit_record
from commed.health.models import EvidenceCitation, Indicator, IndicatorValue, Locality, LocalityKind

CODE_PATTERNS = {
    LocalityKind.LSOAS: (re.compile(r"E01\d{6}"), "an English LSOA code (E01 and 6 digits)"),
    LocalityKind.WARDS: (re.compile(r"E05\d{6}"), "a ward code (E05 and 6 digits)"),
    LocalityKind.LAD: (re.compile(r"E0[6-9]\d{6}"), "a local authority code (E06-E09 and 6 digits)"),
    LocalityKind.PCN: (re.compile(r"U\d{5}"), "a primary-care network code (U and 5 digits)"),
    LocalityKind.PRACTICE: (re.compile(r"[A-Z]\d{5}"), "a GP practice code (a letter and 5 digits)"),
}


def parse_codes(text: str) -> list[str]:
    """Codes as people paste them: separated by commas, spaces or new lines; upper-cased, de-duplicated."""
    seen: dict[str, None] = {}
    for code in re.split(r"[\s,;]+", text.upper()):
        if code:
            seen[code] = None
    return list(seen)


def _clean_codes(kind: str, codes: list[str]) -> list[str]:
    if kind not in CODE_PATTERNS:
        raise ValidationError({"kind": f"unknown kind of locality: {kind!r}"})
    pattern, what = CODE_PATTERNS[LocalityKind(kind)]
    if not codes:
        raise ValidationError({"codes": "give at least one code"})
    bad = [c for c in codes if not pattern.fullmatch(c)]
    if bad:
        raise ValidationError({"codes": f"{', '.join(bad[:5])}: not {what}"})
    return codes


@transaction.atomic
def locality_create(
    *,
    actor: User | None,
    name: str,
    kind: str,
    codes: list[str],
    description: str = "",
    placement_locality_id: int | None = None,
    is_demo: bool = False,
) -> Locality:
    now = timezone.now()
    locality = Locality(
        name=name.strip(),
        kind=kind,
        codes=_clean_codes(kind, codes),
        description=description,
        placement_locality_id=placement_locality_id,
        is_demo=is_demo,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    locality.full_clean()
    locality.save()
    audit_record(actor=actor, action=Action.CREATE, obj=locality)
    return locality


@transaction.atomic
def locality_update(
    *, actor: User | None, locality: Locality, name: str, kind: str, codes: list[str], description: str = ""
) -> Locality:
    locality.name = name.strip()
    locality.kind = kind
    locality.codes = _clean_codes(kind, codes)
    locality.description = description
    locality.updated_at = timezone.now()
    locality.full_clean()
    locality.save()
    audit_record(actor=actor, action=Action.CHANGE, obj=locality)
    return locality


@transaction.atomic
def locality_delete(*, actor: User | None, locality: Locality) -> None:
    audit_record(actor=actor, action=Action.DELETE, obj=locality)
    locality.delete()


def _format(value: float | None) -> str:
    return "no value" if value is None else f"{value:,.4g}"


@transaction.atomic
def evidence_cite(
    *,
    project_id: int,
    by: User | None,
    indicator_value: IndicatorValue | None = None,
    locality: Locality | None = None,
    note: str = "",
) -> EvidenceCitation:
    """Cite an indicator value (or a locality's whole profile) as evidence for a project's need.

    What is cited is copied (label, value, interval, period, source) so the citation keeps reading the same
    after a newer release supersedes the value.
    """
    if indicator_value is None:
        if locality is None:
            raise ValidationError("cite an indicator value or a locality")
        citation = EvidenceCitation(
            project_id=project_id, locality=locality, label=f"Health-needs profile of {locality.name}"[:300]
        )
    else:
        from commed.health.models import DataRelease

        release = DataRelease.objects.get(pk=indicator_value.release_id)
        value = _format(indicator_value.value)
        if indicator_value.value is None and indicator_value.value_note:
            value = f"no value ({indicator_value.value_note})"
        if indicator_value.lower_ci95 is not None and indicator_value.upper_ci95 is not None:
            value += f" (95% CI {_format(indicator_value.lower_ci95)} to {_format(indicator_value.upper_ci95)})"
        label = f"{indicator_value.indicator_name}: {indicator_value.area_name}"
        if (indicator_value.sex, indicator_value.age) != ("Persons", "All ages"):
            label += f" ({indicator_value.sex}, {indicator_value.age})"
        citation = EvidenceCitation(
            project_id=project_id,
            indicator_value=indicator_value,
            locality=locality,
            label=label[:300],
            value_text=value[:200],
            period=indicator_value.period,
            source=release.citation[:400],
        )
    citation.note = note
    citation.cited_by = by
    citation.cited_at = timezone.now()
    citation.save()
    audit_record(actor=by, action=Action.CREATE, obj=citation, summary=f"Project {project_id} cites {citation.label}")
    return citation


@transaction.atomic
def evidence_cite_many(
    *, project_id: int, by: User | None, locality: Locality, indicator_values: list[IndicatorValue], note: str = ""
) -> list[EvidenceCitation]:
    """Cite several indicator values of a locality's profile for one project; none: the whole profile."""
    if not indicator_values:
        return [evidence_cite(project_id=project_id, by=by, locality=locality, note=note)]
    already = set(
        EvidenceCitation.objects.filter(project_id=project_id, indicator_value__in=indicator_values).values_list(
            "indicator_value_id", flat=True
        )
    )
    return [
        evidence_cite(project_id=project_id, by=by, indicator_value=value, locality=locality, note=note)
        for value in {v.pk: v for v in indicator_values}.values()
        if value.pk not in already
    ]


@transaction.atomic
def evidence_cite_voice(
    *, project_id: int, by: User | None, locality: Locality, opportunity: Any, note: str = ""
) -> EvidenceCitation | None:
    """Cite a need a partner proposed (a ``programmes.Opportunity`` shown in the locality's community voice) as
    the community's voice behind the project's need; None when the project already cites it."""
    label = f"Community voice: {opportunity.title} ({opportunity.organisation.name})"[:300]
    if EvidenceCitation.objects.filter(project_id=project_id, label=label, indicator_value__isnull=True).exists():
        return None
    citation = EvidenceCitation(
        project_id=project_id,
        locality=locality,
        label=label,
        value_text=opportunity.health_need[:200],
        source=f"Need proposed by {opportunity.organisation.name} in commed, {opportunity.created_at:%d %b %Y}"[:400],
        note=note,
        cited_by=by,
        cited_at=timezone.now(),
    )
    citation.save()
    audit_record(actor=by, action=Action.CREATE, obj=citation, summary=f"Project {project_id} cites {label}")
    return citation


@transaction.atomic
def evidence_remove(*, citation: EvidenceCitation, by: User | None) -> None:
    audit_record(actor=by, action=Action.DELETE, obj=citation, summary=f"Project {citation.project_id}")
    citation.delete()


@transaction.atomic
def indicator_set_domain(*, actor: User | None, indicator_id: int, domain: str) -> Indicator:
    """Put an indicator in a profile domain (Fingertips' exports do not say which); kept across releases."""
    indicator = Indicator.objects.filter(indicator_id=indicator_id).first()
    if indicator is None:
        raise ValidationError({"indicator_id": f"No indicator {indicator_id} is loaded."})
    before = indicator.domain
    indicator.domain = domain.strip()[:120]
    indicator.save(update_fields=["domain"])
    audit_record(actor=actor, action=Action.CHANGE, obj=indicator, changes={"domain": [before, indicator.domain]})
    return indicator
