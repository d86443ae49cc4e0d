"""Unit builders and the agreement report, checked against naive per-character expansion."""

from __future__ import annotations

import math
import warnings

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from commed_core.agreement import (
    CodingSpan,
    DocumentInfo,
    agreement_report,
    build_unit_table,
    character_units,
    cohen_kappa,
    disagreements,
    document_units,
    krippendorff_alpha,
    percent_agreement_multi,
    turn_units,
)


def _naive(length: int, spans: list[tuple[int, int]]) -> np.ndarray:
    """Per-character 0/1 array: the obvious, slow definition."""
    out = np.zeros(length, dtype=np.int64)
    for start, end in spans:
        out[start:end] = 1
    return out


def _same(ours: float, theirs: float) -> bool:
    if math.isnan(theirs):
        return math.isnan(ours)
    return math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-9)


def _package_alpha(rows: np.ndarray) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            return float(
                krippendorff.alpha(reliability_data=rows.astype(float), level_of_measurement="nominal")
            )
        except ValueError:
            return math.nan


@st.composite
def spans_by_coder(draw: st.DrawFn, length: int, coders: tuple[str, ...]) -> dict[str, list[tuple[int, int]]]:
    out: dict[str, list[tuple[int, int]]] = {}
    for coder in coders:
        pairs = draw(st.lists(st.tuples(st.integers(0, length), st.integers(0, length)), max_size=4))
        out[coder] = [(min(a, b), max(a, b)) for a, b in pairs]
    return out


@st.composite
def one_document(draw: st.DrawFn) -> tuple[int, dict[str, list[tuple[int, int]]]]:
    length = draw(st.integers(0, 60))
    coders = ("ana", "ben", "cai")[: draw(st.integers(2, 3))]
    return length, draw(spans_by_coder(length, coders))


class TestCharacterUnits:
    @settings(max_examples=60, deadline=None)
    @given(doc=one_document())
    def test_segments_expand_to_the_naive_per_character_arrays(
        self, doc: tuple[int, dict[str, list[tuple[int, int]]]]
    ) -> None:
        length, spans = doc
        units = character_units(length, spans)
        expected = np.array([_naive(length, spans[c]) for c in spans]).reshape(len(spans), length)
        assert np.array_equal(units.expand(), expected)
        assert int(units.weights.sum()) == length
        assert np.array_equal(units.starts[1:], units.ends[:-1])  # segments tile the document

    @settings(max_examples=60, deadline=None)
    @given(doc=one_document())
    def test_weighted_segments_give_the_same_coefficients_as_characters(
        self, doc: tuple[int, dict[str, list[tuple[int, int]]]]
    ) -> None:
        length, spans = doc
        units = character_units(length, spans)
        naive = np.array([_naive(length, spans[c]) for c in spans]).reshape(len(spans), length)
        segments = units.values.tolist()
        assert _same(krippendorff_alpha(segments, unit_weights=units.weights), _package_alpha(naive))
        assert _same(
            percent_agreement_multi(segments, unit_weights=units.weights),
            percent_agreement_multi(naive.tolist()),
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            oracle_kappa = float(cohen_kappa_score(naive[0], naive[1])) if length else math.nan
        assert _same(cohen_kappa(segments[0], segments[1], unit_weights=units.weights), oracle_kappa)

    def test_overlapping_codings_by_one_coder_cover_their_union(self) -> None:
        units = character_units(10, {"ana": [(0, 4), (2, 6)], "ben": [(0, 6)]})
        assert units.expand().tolist() == [[1] * 6 + [0] * 4, [1] * 6 + [0] * 4]

    def test_empty_codings_cover_nothing(self) -> None:
        units = character_units(5, {"ana": [(2, 2)], "ben": []})
        assert units.expand().sum() == 0

    def test_it_rejects_a_coding_beyond_the_document(self) -> None:
        with pytest.raises(ValueError, match="outside document"):
            character_units(5, {"ana": [(2, 6)]})


class TestTurnAndDocumentUnits:
    TURNS = ((0, 10), (10, 25), (30, 40))

    def test_a_coding_applies_to_every_turn_it_overlaps(self) -> None:
        units = turn_units(40, self.TURNS, {"ana": [(8, 12)], "ben": [(26, 29)], "cai": [(24, 31)]})
        assert units.values.tolist() == [[1, 1, 0], [0, 0, 0], [0, 1, 1]]

    def test_a_coding_ending_where_a_turn_starts_does_not_apply_to_it(self) -> None:
        units = turn_units(40, self.TURNS, {"ana": [(0, 10)], "ben": [(25, 30)]})
        assert units.values.tolist() == [[1, 0, 0], [0, 0, 0]]

    def test_it_rejects_overlapping_turns(self) -> None:
        with pytest.raises(ValueError, match="non-overlapping"):
            turn_units(40, [(0, 10), (5, 20)], {"ana": []})

    def test_document_presence_is_any_coding_anywhere(self) -> None:
        units = document_units(40, {"ana": [(3, 4)], "ben": [], "cai": [(0, 40), (1, 2)]})
        assert units.values.tolist() == [[1], [0], [1]]


DOCS = [
    DocumentInfo("interview-1", 50, [(0, 20), (20, 50)]),
    DocumentInfo("interview-2", 30, [(0, 12), (12, 30)]),
]


class TestAgreementReport:
    def test_character_report_matches_naive_expansion_per_code_and_pooled(self) -> None:
        rng = np.random.default_rng(3)
        coders, codes = ("ana", "ben", "cai"), ("access", "trust", "cost")
        codings = []
        for _ in range(40):
            doc = DOCS[int(rng.integers(2))]
            start = int(rng.integers(doc.length))
            end = int(rng.integers(start, doc.length + 1))
            codings.append(CodingSpan(doc.id, coders[rng.integers(3)], codes[rng.integers(3)], start, end))
        report = agreement_report(DOCS, codings, "character", coders=coders, codes=codes)
        naive_by_code = {
            code: np.array(
                [
                    np.concatenate(
                        [
                            _naive(
                                d.length,
                                [
                                    (c.start, c.end)
                                    for c in codings
                                    if c.coder == coder and c.code == code and c.document == d.id
                                ],
                            )
                            for d in DOCS
                        ]
                    )
                    for coder in coders
                ]
            )
            for code in codes
        }
        for result in report.per_code:
            naive = naive_by_code[str(result.code)]
            assert result.units == 80
            assert _same(result.krippendorff_alpha, _package_alpha(naive))
            assert _same(result.percent_agreement, percent_agreement_multi(naive.tolist()))
            assert result.cohen_kappa is None  # three coders
        pooled = np.concatenate([naive_by_code[c] for c in codes], axis=1)
        assert report.overall.code is None and report.overall.units == 240
        assert _same(report.overall.krippendorff_alpha, _package_alpha(pooled))

    def test_it_reports_kappa_for_exactly_two_coders(self) -> None:
        codings = [
            CodingSpan("interview-1", "ana", "trust", 0, 20),
            CodingSpan("interview-1", "ben", "trust", 5, 20),
            CodingSpan("interview-2", "ben", "trust", 0, 12),
        ]
        report = agreement_report(DOCS, codings, "turn")
        (trust,) = report.per_code
        # turns: i1/t0, i1/t1, i2/t0, i2/t1 -> ana 1,0,0,0 ; ben 1,0,1,0
        assert trust.units == 4 and trust.percent_agreement == 0.75
        assert trust.cohen_kappa is not None
        assert math.isclose(trust.cohen_kappa, float(cohen_kappa_score([1, 0, 0, 0], [1, 0, 1, 0])))

    def test_document_unit_counts_presence_per_document(self) -> None:
        codings = [
            CodingSpan("interview-1", "ana", "trust", 0, 1),
            CodingSpan("interview-1", "ben", "trust", 40, 41),
            CodingSpan("interview-2", "ana", "trust", 0, 1),
        ]
        report = agreement_report(DOCS, codings, "document")
        assert report.per_code[0].units == 2 and report.per_code[0].percent_agreement == 0.5

    def test_unassigned_documents_are_missing_not_absent(self) -> None:
        codings = [
            CodingSpan("interview-1", "ana", "trust", 0, 10),
            CodingSpan("interview-1", "ben", "trust", 0, 10),
            CodingSpan("interview-2", "ana", "trust", 0, 30),
        ]
        # ben never opened interview-2: without assignments his silence there would count as disagreement.
        assigned = agreement_report(
            DOCS,
            codings,
            "character",
            assignments={"ana": {"interview-1", "interview-2"}, "ben": {"interview-1"}},
        )
        assert assigned.per_code[0].percent_agreement == 1.0
        assert agreement_report(DOCS, codings, "character").per_code[0].percent_agreement < 1.0

    def test_a_code_nobody_applied_has_full_agreement_and_undefined_alpha(self) -> None:
        report = agreement_report(DOCS, [], "turn", coders=["ana", "ben"], codes=["unused"])
        (unused,) = report.per_code
        assert unused.percent_agreement == 1.0
        assert math.isnan(unused.krippendorff_alpha)
        assert unused.cohen_kappa is not None and math.isnan(unused.cohen_kappa)

    def test_it_rejects_codings_of_unknown_documents_and_units(self) -> None:
        with pytest.raises(ValueError, match="unknown document"):
            agreement_report(DOCS, [CodingSpan("nope", "ana", "x", 0, 1)])
        with pytest.raises(ValueError, match="unit must be"):
            agreement_report(DOCS, [], "paragraph")

    def test_the_project_table_equals_the_single_document_builders(self) -> None:
        codings = [
            CodingSpan("interview-2", "ana", "trust", 3, 9),
            CodingSpan("interview-2", "ben", "trust", 5, 20),
            CodingSpan("interview-1", "ben", "trust", 1, 2),
        ]
        table = build_unit_table(DOCS, codings, "character", coders=["ana", "ben"])
        in_doc_2 = table.document_index == 1
        single = character_units(30, {"ana": [(3, 9)], "ben": [(5, 20)]})
        assert np.array_equal(table.values[:, in_doc_2], single.values)
        assert np.array_equal(table.starts[in_doc_2], single.starts)


class TestDisagreements:
    def test_it_lists_maximal_character_runs_with_who_applied_the_code(self) -> None:
        codings = [
            CodingSpan("interview-1", "ana", "trust", 0, 10),
            CodingSpan("interview-1", "ana", "trust", 10, 14),  # adjacent coding: one run, not two
            CodingSpan("interview-1", "ben", "trust", 5, 14),
            CodingSpan("interview-2", "ben", "cost", 2, 4),
        ]
        found = disagreements(DOCS, codings, "character", coders=["ana", "ben"])
        assert [(d.document, d.code, d.start, d.end, d.applied_by, d.not_applied_by) for d in found] == [
            ("interview-1", "trust", 0, 5, ("ana",), ("ben",)),
            ("interview-2", "cost", 2, 4, ("ben",), ("ana",)),
        ]
        assert all(d.turn is None for d in found)

    def test_it_gives_turn_indices_for_turn_units(self) -> None:
        codings = [
            CodingSpan("interview-2", "ana", "trust", 14, 16),
            CodingSpan("interview-2", "ben", "trust", 0, 3),
            CodingSpan("interview-2", "cai", "trust", 0, 30),
        ]
        found = disagreements(DOCS, codings, "turn")
        assert [(d.turn, d.start, d.end, d.applied_by, d.not_applied_by) for d in found] == [
            (0, 0, 12, ("ben", "cai"), ("ana",)),
            (1, 12, 30, ("ana", "cai"), ("ben",)),
        ]

    def test_a_unit_coded_by_a_single_assigned_coder_is_not_a_disagreement(self) -> None:
        codings = [CodingSpan("interview-2", "ana", "trust", 0, 5)]
        found = disagreements(
            DOCS,
            codings,
            "document",
            coders=["ana", "ben"],
            assignments={"ana": {"interview-2"}, "ben": set()},
        )
        assert found == []
