"""Units of analysis: turn coders' codings (character spans) into 0/1 label rows per code.

Three units are supported, as in the coding-comparison tools of CAQDAS packages:

- ``"character"``: every character of a document is a unit; a coder's value for code C is 1 if one of their
  codings of C covers the character, else 0. Characters are never materialised one by one: the span
  boundaries of all coders cut the text into *elementary segments* inside which nobody's value changes, and
  each segment becomes one unit weighted by its length. Every coefficient here is a weighted sum over units,
  so a segment of weight w gives exactly what w identical character units give (the tests check this
  against naive per-character expansion).
- ``"turn"``: every speaker turn ``(start, end)`` is a unit; the value is 1 if any coding of C by the coder
  overlaps the turn by at least one character.
- ``"document"``: every document is a unit; the value is 1 if the coder applied C anywhere in it.

Empty codings (``start == end``) cover no text and are ignored by all three units. A coder who did not code a
document at all (see ``assignments``) has the missing value -1 there instead of 0.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

__all__ = [
    "UNITS",
    "BinaryUnits",
    "CodingSpan",
    "DocumentInfo",
    "Unit",
    "UnitTable",
    "build_unit_table",
    "character_units",
    "document_units",
    "turn_units",
]

Unit = Literal["character", "turn", "document"]
UNITS: tuple[Unit, ...] = ("character", "turn", "document")

Ints = npt.NDArray[np.int64]
Int8s = npt.NDArray[np.int8]


@dataclass(frozen=True)
class CodingSpan:
    """One coder applied one code to ``[start, end)`` (code points, end exclusive) of a document."""

    document: str
    coder: str
    code: str
    start: int
    end: int


@dataclass(frozen=True)
class DocumentInfo:
    """A document's id, its length in code points and its speaker turns (sorted, non-overlapping spans)."""

    id: str
    length: int
    turns: list[tuple[int, int]] = field(default_factory=list)


@dataclass(frozen=True)
class BinaryUnits:
    """0/1 values of one code for several coders over units (one document, or pooled)."""

    coders: tuple[str, ...]
    #: coders x units: 1 = applied, 0 = not applied, -1 = missing (coder did not code the document).
    values: Int8s
    #: How many units each column stands for (its length in characters for character units, else 1).
    weights: Ints
    #: Character range ``[starts, ends)`` each unit covers in its document.
    starts: Ints
    ends: Ints

    def expand(self) -> Int8s:
        """One column per weight unit: the naive per-character arrays (coders x characters)."""
        return np.repeat(self.values, self.weights, axis=1)


@dataclass(frozen=True)
class UnitTable:
    """Units for every (code, document) of a project, code-major: the units of code i are contiguous."""

    unit: Unit
    coders: tuple[str, ...]
    codes: tuple[str, ...]
    documents: tuple[str, ...]
    values: Int8s
    weights: Ints
    code_index: Ints
    document_index: Ints
    starts: Ints
    ends: Ints
    #: Index of the turn within its document (turn units), else -1.
    turn_index: Ints

    def code_slice(self, code_position: int) -> slice:
        """Columns holding the units of ``self.codes[code_position]``."""
        lo = int(np.searchsorted(self.code_index, code_position, side="left"))
        hi = int(np.searchsorted(self.code_index, code_position, side="right"))
        return slice(lo, hi)

    def for_code(self, code_position: int) -> BinaryUnits:
        cols = self.code_slice(code_position)
        return BinaryUnits(
            self.coders, self.values[:, cols], self.weights[cols], self.starts[cols], self.ends[cols]
        )


# ----------------------------------------------------------------------------------------------------
# Validation and indexing
# ----------------------------------------------------------------------------------------------------


def _validate_documents(documents: Sequence[DocumentInfo], need_turns: bool) -> dict[str, int]:
    index: dict[str, int] = {}
    for doc in documents:
        if doc.id in index:
            raise ValueError(f"duplicate document id {doc.id!r}")
        if doc.length < 0:
            raise ValueError(f"document {doc.id!r} has a negative length")
        index[doc.id] = len(index)
        if need_turns:
            previous_end = 0
            for start, end in doc.turns:
                if not (previous_end <= start < end <= doc.length):
                    raise ValueError(
                        f"turns of document {doc.id!r} must be non-empty, sorted, non-overlapping and inside "
                        f"the text; got ({start}, {end}) after end {previous_end}"
                    )
                previous_end = end
    return index


@dataclass(frozen=True)
class _Encoded:
    doc: Ints
    coder: Ints
    code: Ints
    start: Ints
    end: Ints


def _encode_codings(
    codings: Iterable[CodingSpan],
    documents: Sequence[DocumentInfo],
    doc_index: Mapping[str, int],
    coders: Sequence[str] | None,
    codes: Sequence[str] | None,
) -> tuple[_Encoded, tuple[str, ...], tuple[str, ...]]:
    spans = list(codings)
    for span in spans:
        if span.document not in doc_index:
            raise ValueError(f"coding refers to unknown document {span.document!r}")
        length = documents[doc_index[span.document]].length
        if not (0 <= span.start <= span.end <= length):
            raise ValueError(
                f"coding [{span.start}, {span.end}) of {span.code!r} by {span.coder!r} lies outside document "
                f"{span.document!r} of length {length}"
            )
    coder_list = tuple(coders) if coders is not None else tuple(sorted({s.coder for s in spans}))
    code_list = tuple(codes) if codes is not None else tuple(sorted({s.code for s in spans}))
    coder_pos = {c: i for i, c in enumerate(coder_list)}
    code_pos = {c: i for i, c in enumerate(code_list)}
    unknown_coders = {s.coder for s in spans} - coder_pos.keys()
    if unknown_coders:
        raise ValueError(f"codings by coders not listed in coders: {sorted(unknown_coders)!r}")
    unknown_codes = {s.code for s in spans} - code_pos.keys()
    if unknown_codes:
        raise ValueError(f"codings of codes not listed in codes: {sorted(unknown_codes)!r}")
    kept = [s for s in spans if s.end > s.start]  # empty codings cover no text
    encoded = _Encoded(
        doc=np.fromiter((doc_index[s.document] for s in kept), dtype=np.int64, count=len(kept)),
        coder=np.fromiter((coder_pos[s.coder] for s in kept), dtype=np.int64, count=len(kept)),
        code=np.fromiter((code_pos[s.code] for s in kept), dtype=np.int64, count=len(kept)),
        start=np.fromiter((s.start for s in kept), dtype=np.int64, count=len(kept)),
        end=np.fromiter((s.end for s in kept), dtype=np.int64, count=len(kept)),
    )
    return encoded, coder_list, code_list


def _coded_matrix(
    coders: Sequence[str],
    documents: Sequence[DocumentInfo],
    assignments: Mapping[str, Collection[str]] | None,
) -> npt.NDArray[np.bool_]:
    """coders x documents: did the coder code the document (None = everyone coded everything)."""
    coded = np.ones((len(coders), len(documents)), dtype=bool)
    if assignments is not None:
        for k, coder in enumerate(coders):
            assigned = assignments.get(coder, ())
            coded[k] = [doc.id in assigned for doc in documents]
    return coded


def _coverage(boundaries: Ints, starts: Ints, ends: Ints) -> npt.NDArray[np.bool_]:
    """Which elementary intervals between ``boundaries`` are covered by at least one [start, end)."""
    size = len(boundaries)
    opened = np.bincount(np.searchsorted(boundaries, starts), minlength=size)
    closed = np.bincount(np.searchsorted(boundaries, ends), minlength=size)
    return np.cumsum(opened - closed)[:-1] > 0


# ----------------------------------------------------------------------------------------------------
# Project-wide builders (vectorised over documents and codes)
# ----------------------------------------------------------------------------------------------------


def _character_table(
    enc: _Encoded,
    documents: Sequence[DocumentInfo],
    n_coders: int,
    n_codes: int,
    coded: npt.NDArray[np.bool_],
) -> tuple[Int8s, Ints, Ints, Ints, Ints, Ints]:
    lengths = np.array([d.length for d in documents], dtype=np.int64)
    doc_offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    total = int(lengths.sum())
    # One line of keys: code c's copy of the concatenated documents occupies [c * total, (c + 1) * total).
    key_start = enc.code * total + doc_offsets[enc.doc] + enc.start
    key_end = enc.code * total + doc_offsets[enc.doc] + enc.end
    nonempty_docs = doc_offsets[lengths > 0]
    doc_starts = (np.arange(n_codes, dtype=np.int64)[:, None] * total + nonempty_docs[None, :]).ravel()
    boundaries = np.unique(
        np.concatenate([key_start, key_end, doc_starts, [n_codes * total]]).astype(np.int64)
    )
    seg_start, seg_end = boundaries[:-1], boundaries[1:]
    values = np.zeros((n_coders, len(seg_start)), dtype=np.int8)
    for k in range(n_coders):
        mine = enc.coder == k
        values[k] = _coverage(boundaries, key_start[mine], key_end[mine])
    code_index = seg_start // total if total else np.zeros(len(seg_start), dtype=np.int64)
    position = seg_start - code_index * total
    doc_index = np.searchsorted(doc_offsets, position, side="right") - 1
    starts = position - doc_offsets[doc_index]
    weights = seg_end - seg_start
    values[~coded[:, doc_index]] = -1
    return values, weights, code_index, doc_index.astype(np.int64), starts, starts + weights


def _turn_table(
    enc: _Encoded,
    documents: Sequence[DocumentInfo],
    n_coders: int,
    n_codes: int,
    coded: npt.NDArray[np.bool_],
) -> tuple[Int8s, Ints, Ints, Ints, Ints, Ints, Ints]:
    lengths = np.array([d.length for d in documents], dtype=np.int64)
    doc_offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    turn_doc = np.array([i for i, d in enumerate(documents) for _ in d.turns], dtype=np.int64)
    turn_local = np.array([j for d in documents for j in range(len(d.turns))], dtype=np.int64)
    local_start = np.array([t[0] for d in documents for t in d.turns], dtype=np.int64)
    local_end = np.array([t[1] for d in documents for t in d.turns], dtype=np.int64)
    n_turns = len(turn_doc)
    turn_start = doc_offsets[turn_doc] + local_start if n_turns else local_start
    turn_end = doc_offsets[turn_doc] + local_end if n_turns else local_end
    g_start = doc_offsets[enc.doc] + enc.start
    g_end = doc_offsets[enc.doc] + enc.end
    # Turns are sorted and disjoint across the concatenated documents, so both bounds are sorted arrays.
    first = np.searchsorted(turn_end, g_start, side="right")  # first turn ending after the coding starts
    stop = np.searchsorted(turn_start, g_end, side="left")  # turns starting before the coding ends
    hit = first < stop
    size = n_codes * n_turns
    values = np.zeros((n_coders, size), dtype=np.int8)
    for k in range(n_coders):
        mine = hit & (enc.coder == k)
        base = enc.code[mine] * n_turns
        opened = np.bincount(base + first[mine], minlength=size + 1)
        closed = np.bincount(base + stop[mine], minlength=size + 1)
        values[k] = np.cumsum(opened - closed)[:-1] > 0
    code_index = np.repeat(np.arange(n_codes, dtype=np.int64), n_turns)
    doc_index = np.tile(turn_doc, n_codes)
    values[~coded[:, doc_index]] = -1
    return (
        values,
        np.ones(size, dtype=np.int64),
        code_index,
        doc_index,
        np.tile(local_start, n_codes),
        np.tile(local_end, n_codes),
        np.tile(turn_local, n_codes),
    )


def _document_table(
    enc: _Encoded,
    documents: Sequence[DocumentInfo],
    n_coders: int,
    n_codes: int,
    coded: npt.NDArray[np.bool_],
) -> tuple[Int8s, Ints, Ints, Ints, Ints, Ints]:
    n_docs = len(documents)
    values = np.zeros((n_coders, n_codes * n_docs), dtype=np.int8)
    values[enc.coder, enc.code * n_docs + enc.doc] = 1
    code_index = np.repeat(np.arange(n_codes, dtype=np.int64), n_docs)
    doc_index = np.tile(np.arange(n_docs, dtype=np.int64), n_codes)
    values[~coded[:, doc_index]] = -1
    lengths = np.array([d.length for d in documents], dtype=np.int64)
    return (
        values,
        np.ones(n_codes * n_docs, dtype=np.int64),
        code_index,
        doc_index,
        0 * doc_index,
        lengths[doc_index],
    )


def build_unit_table(
    documents: Sequence[DocumentInfo],
    codings: Iterable[CodingSpan],
    unit: str = "character",
    *,
    coders: Sequence[str] | None = None,
    codes: Sequence[str] | None = None,
    assignments: Mapping[str, Collection[str]] | None = None,
) -> UnitTable:
    """Build the 0/1 units of every code over every document in one vectorised pass.

    ``coders`` / ``codes`` fix the order (and let a coder or code with no codings take part); by default they
    are the sorted distinct values found in ``codings``. ``assignments`` maps a coder to the ids of the
    documents they coded; a coder's values on other documents are missing (-1). Without it every coder is
    taken to have coded every document, so not coding a passage means "code absent". Raises ``ValueError``
    for codings outside their document, unknown documents, coders or codes, and malformed turns.
    """
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {', '.join(UNITS)}; got {unit!r}")
    doc_index = _validate_documents(documents, need_turns=unit == "turn")
    enc, coder_list, code_list = _encode_codings(codings, documents, doc_index, coders, codes)
    coded = _coded_matrix(coder_list, documents, assignments)
    n_coders, n_codes = len(coder_list), len(code_list)
    if unit == "character":
        values, weights, code_index, d_index, starts, ends = _character_table(
            enc, documents, n_coders, n_codes, coded
        )
        turn_index = np.full(len(weights), -1, dtype=np.int64)
    elif unit == "turn":
        values, weights, code_index, d_index, starts, ends, turn_index = _turn_table(
            enc, documents, n_coders, n_codes, coded
        )
    else:
        values, weights, code_index, d_index, starts, ends = _document_table(
            enc, documents, n_coders, n_codes, coded
        )
        turn_index = np.full(len(weights), -1, dtype=np.int64)
    return UnitTable(
        unit=unit,
        coders=coder_list,
        codes=code_list,
        documents=tuple(d.id for d in documents),
        values=values,
        weights=weights,
        code_index=code_index,
        document_index=d_index,
        starts=starts,
        ends=ends,
        turn_index=turn_index,
    )


# ----------------------------------------------------------------------------------------------------
# Single-document, single-code builders
# ----------------------------------------------------------------------------------------------------


def _one_code_spans(codings_by_coder: Mapping[str, Iterable[tuple[int, int]]]) -> list[CodingSpan]:
    return [
        CodingSpan("", coder, "", int(start), int(end))
        for coder, spans in codings_by_coder.items()
        for start, end in spans
    ]


def character_units(
    doc_length: int,
    codings_by_coder: Mapping[str, Iterable[tuple[int, int]]],
    *,
    coders: Sequence[str] | None = None,
) -> BinaryUnits:
    """Character units of one code in one document, run-length encoded as weighted elementary segments.

    ``codings_by_coder`` maps each coder to the ``(start, end)`` spans where they applied the code (a coder
    with no span may be listed with an empty list). Coders come in the mapping's order unless ``coders`` is
    given. The segments tile ``[0, doc_length)``; ``result.expand()`` gives the per-character 0/1 arrays.
    """
    order = list(coders) if coders is not None else list(codings_by_coder)
    table = build_unit_table(
        [DocumentInfo("", doc_length)],
        _one_code_spans(codings_by_coder),
        "character",
        coders=order,
        codes=[""],
    )
    return table.for_code(0)


def turn_units(
    doc_length: int,
    turns: Sequence[tuple[int, int]],
    codings_by_coder: Mapping[str, Iterable[tuple[int, int]]],
    *,
    coders: Sequence[str] | None = None,
) -> BinaryUnits:
    """Turn units of one code in one document: 1 where a coder's span overlaps the turn by a character."""
    order = list(coders) if coders is not None else list(codings_by_coder)
    table = build_unit_table(
        [DocumentInfo("", doc_length, list(turns))],
        _one_code_spans(codings_by_coder),
        "turn",
        coders=order,
        codes=[""],
    )
    return table.for_code(0)


def document_units(
    doc_length: int,
    codings_by_coder: Mapping[str, Iterable[tuple[int, int]]],
    *,
    coders: Sequence[str] | None = None,
) -> BinaryUnits:
    """Presence of one code in one document: a single unit, 1 for each coder who applied it anywhere."""
    order = list(coders) if coders is not None else list(codings_by_coder)
    table = build_unit_table(
        [DocumentInfo("", doc_length)],
        _one_code_spans(codings_by_coder),
        "document",
        coders=order,
        codes=[""],
    )
    return table.for_code(0)
