"""Inter-coder agreement for a study, through `commed_core.agreement` (a read: no writes here).

Each code is a present/absent variable over character, turn or document units. A coder counts as having coded a
document when they made at least one coding in it; their values elsewhere are missing (Krippendorff's alpha
handles that). Orphaned codings are left out until they are placed again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from commed.qualitative.models import Code, Coder, Coding, Document, Study, Turn
from commed_core.agreement import (
    UNITS,
    AgreementReport,
    CodingSpan,
    Disagreement,
    DocumentInfo,
    build_unit_table,
)
from commed_core.agreement.report import disagreements_from_table, report_from_table


@dataclass
class StudyAgreement:
    report: AgreementReport
    queue: list[Disagreement]
    code_names: dict[str, str]
    coder_names: dict[str, str]
    document_names: dict[str, str]


def _documents(study: Study, need_turns: bool) -> list[DocumentInfo]:
    lengths = {pk: length for pk, length in _lengths(study)}
    turns: dict[int, list[tuple[int, int]]] = {pk: [] for pk in lengths}
    if need_turns:
        previous: dict[int, int] = {}
        for doc_id, start, end in Turn.objects.filter(study=study).order_by("document_id", "start").values_list(
                "document_id", "start", "end"):
            if start >= previous.get(doc_id, 0) and start < end <= lengths[doc_id]:
                turns[doc_id].append((start, end))
                previous[doc_id] = end
    return [DocumentInfo(str(pk), lengths[pk], turns[pk]) for pk in sorted(lengths)]


def _lengths(study: Study) -> list[tuple[int, int]]:
    from django.db.models.functions import Length

    return list(Document.objects.filter(study=study).annotate(n=Length("text")).values_list("pk", "n"))


def study_agreement(*, study: Study, unit: str = "character", coders: list[int] | None = None) -> StudyAgreement:
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {', '.join(UNITS)}")
    documents = _documents(study, unit == "turn")
    rows = Coding.objects.filter(study=study).exclude(status="orphaned")
    if coders:
        rows = rows.filter(coder_id__in=coders)
    spans = [
        CodingSpan(str(d), str(c), str(k), s, e)
        for d, c, k, s, e in rows.values_list("document_id", "coder_id", "code_id", "start", "end").iterator()
    ]
    coder_ids = sorted({s.coder for s in spans}, key=int)
    assignments: dict[str, set[str]] = {c: set() for c in coder_ids}
    for span in spans:
        assignments[span.coder].add(span.document)
    code_ids = [str(pk) for pk in Code.objects.filter(study=study).order_by("pk").values_list("pk", flat=True)]
    table = build_unit_table(documents, spans, unit, coders=coder_ids, codes=code_ids, assignments=assignments)
    return StudyAgreement(
        report=report_from_table(table),
        queue=disagreements_from_table(table) if len(coder_ids) >= 2 else [],
        code_names={str(pk): name for pk, name in Code.objects.filter(study=study).values_list("pk", "name")},
        coder_names={str(pk): name for pk, name in Coder.objects.filter(study=study).values_list("pk", "name")},
        document_names={str(pk): name for pk, name in Document.objects.filter(study=study).values_list("pk",
                                                                                                      "name")},
    )


def _number(value: float | None) -> float | None:
    """JSON has no NaN: an undefined coefficient is null."""
    return None if value is None or math.isnan(value) else value


def agreement_as_dict(result: StudyAgreement) -> dict[str, Any]:
    def row(item: Any) -> dict[str, Any]:
        return {
            "code": result.code_names.get(item.code, item.code) if item.code else None,
            "units": item.units,
            "percent_agreement": _number(item.percent_agreement),
            "cohen_kappa": _number(item.cohen_kappa),
            "krippendorff_alpha": _number(item.krippendorff_alpha),
        }

    report = result.report
    return {
        "unit": report.unit,
        "coders": [result.coder_names.get(c, c) for c in report.coders],
        "overall": row(report.overall),
        "per_code": [row(item) for item in report.per_code],
        "disagreements": len(result.queue),
    }
