"""Agreement report per code and pooled, and the review queue of disagreements."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from commed_core.agreement.statistics import alpha_binary, kappa_binary, percent_binary
from commed_core.agreement.units import CodingSpan, DocumentInfo, Unit, UnitTable, build_unit_table

__all__ = ["AgreementReport", "CodeAgreement", "Disagreement", "agreement_report", "disagreements"]


@dataclass(frozen=True)
class CodeAgreement:
    """Agreement on one code (or pooled over all codes when ``code`` is None).

    ``units`` counts units of analysis (characters for character units, turns, or documents).
    ``cohen_kappa`` is None unless there are exactly two coders; any coefficient may be ``nan`` when undefined
    (see :mod:`commed_core.agreement.statistics`), e.g. alpha and kappa for a code nobody applied.
    """

    code: str | None
    units: int
    percent_agreement: float
    cohen_kappa: float | None
    krippendorff_alpha: float


@dataclass(frozen=True)
class AgreementReport:
    unit: Unit
    coders: tuple[str, ...]
    per_code: tuple[CodeAgreement, ...]
    #: Pooled over codes: every (code, unit) pair is one unit of a single 0/1 variable.
    overall: CodeAgreement


@dataclass(frozen=True)
class Disagreement:
    """A unit on which coders disagree: some applied ``code``, others (who coded the document) did not.

    ``start``/``end`` is the character range: the maximal run of characters with the same disagreement for
    character units, the turn for turn units, the whole document for document units. ``turn`` is the turn's
    index in the document for turn units. Coders who did not code the document appear in neither tuple.
    """

    document: str
    code: str
    start: int
    end: int
    turn: int | None
    applied_by: tuple[str, ...]
    not_applied_by: tuple[str, ...]


def _agreement(
    code: str | None, values: npt.NDArray[np.int8], weights: npt.NDArray[np.int64]
) -> CodeAgreement:
    codes = values.astype(np.int64)
    w = weights.astype(np.float64)
    kappa = kappa_binary(codes[0], codes[1], w) if codes.shape[0] == 2 else None
    return CodeAgreement(
        code=code,
        units=int(weights.sum()),
        percent_agreement=percent_binary(codes, w),
        cohen_kappa=kappa,
        krippendorff_alpha=alpha_binary(codes, w),
    )


def report_from_table(table: UnitTable) -> AgreementReport:
    """The report for an already built :class:`UnitTable`."""
    per_code = tuple(
        _agreement(code, table.values[:, table.code_slice(i)], table.weights[table.code_slice(i)])
        for i, code in enumerate(table.codes)
    )
    return AgreementReport(table.unit, table.coders, per_code, _agreement(None, table.values, table.weights))


def agreement_report(
    documents: Sequence[DocumentInfo],
    codings: Iterable[CodingSpan],
    unit: str = "character",
    *,
    coders: Sequence[str] | None = None,
    codes: Sequence[str] | None = None,
    assignments: Mapping[str, Collection[str]] | None = None,
) -> AgreementReport:
    """Per-code and pooled percent agreement, Cohen's kappa (two coders) and nominal Krippendorff's alpha.

    Each code is a present/absent variable over the chosen ``unit`` ("character", "turn" or "document"; see
    :mod:`commed_core.agreement.units`). Percent agreement is the mean over coder pairs; kappa is reported
    only for exactly two coders; alpha takes any number of coders and missing values. Character units are
    weighted elementary segments, equal to per-character computation. Arguments as in
    :func:`~commed_core.agreement.units.build_unit_table`.
    """
    table = build_unit_table(documents, codings, unit, coders=coders, codes=codes, assignments=assignments)
    return report_from_table(table)


def disagreements_from_table(table: UnitTable) -> list[Disagreement]:
    """The disagreements of an already built :class:`UnitTable`, in document, position, code order."""
    values = table.values
    present = values >= 0
    applied = (values == 1).sum(axis=0)
    absent = (values == 0).sum(axis=0)
    idx = np.flatnonzero((applied > 0) & (absent > 0) & (present.sum(axis=0) >= 2))
    if table.unit == "character" and len(idx) > 1:
        # Merge runs of adjacent segments of the same code and document with the same coder pattern.
        prev, nxt = idx[:-1], idx[1:]
        joins = (
            (table.ends[prev] == table.starts[nxt])
            & (table.code_index[prev] == table.code_index[nxt])
            & (table.document_index[prev] == table.document_index[nxt])
            & (values[:, prev] == values[:, nxt]).all(axis=0)
        )
        run_first = np.concatenate([[True], ~joins])
        run_last = np.concatenate([~joins, [True]])
        firsts, lasts = idx[run_first], idx[run_last]
    else:
        firsts = lasts = idx
    order = np.lexsort((table.code_index[firsts], table.starts[firsts], table.document_index[firsts]))
    out: list[Disagreement] = []
    for first, last in zip(firsts[order].tolist(), lasts[order].tolist(), strict=True):
        column = values[:, first]
        turn = int(table.turn_index[first])
        out.append(
            Disagreement(
                document=table.documents[int(table.document_index[first])],
                code=table.codes[int(table.code_index[first])],
                start=int(table.starts[first]),
                end=int(table.ends[last]),
                turn=turn if turn >= 0 else None,
                applied_by=tuple(c for c, v in zip(table.coders, column.tolist(), strict=True) if v == 1),
                not_applied_by=tuple(c for c, v in zip(table.coders, column.tolist(), strict=True) if v == 0),
            )
        )
    return out


def disagreements(
    documents: Sequence[DocumentInfo],
    codings: Iterable[CodingSpan],
    unit: str = "character",
    *,
    coders: Sequence[str] | None = None,
    codes: Sequence[str] | None = None,
    assignments: Mapping[str, Collection[str]] | None = None,
) -> list[Disagreement]:
    """The review queue: every unit where at least one coder applied a code and another coder did not.

    Sorted by document (in ``documents`` order), start position, then code. Arguments as in
    :func:`agreement_report`.
    """
    table = build_unit_table(documents, codings, unit, coders=coders, codes=codes, assignments=assignments)
    return disagreements_from_table(table)
