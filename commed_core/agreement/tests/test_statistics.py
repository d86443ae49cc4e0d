"""Coefficients against the published definitions.

The `krippendorff` package and scikit-learn's `cohen_kappa_score` serve as oracles here only; the product
code never imports them.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, cast

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from commed_core.agreement import (
    cohen_kappa,
    krippendorff_alpha,
    percent_agreement,
    percent_agreement_multi,
    statistics,
)

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 coders x 12 units.
PAPER = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]
# Same data as the paper's words, for labels that are not numbers.
WORDS = {1: "very low", 2: "low", 3: "mid", 4: "high", 5: "very high"}
WORD_ORDER = ["very low", "low", "mid", "high", "very high"]


def _oracle_alpha(data: list[list[Any]], level: str) -> float:
    """The krippendorff package's alpha, with nan where it refuses the data (its ValueError cases)."""
    array = np.array([[np.nan if v is None else v for v in row] for row in data], dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # 0/0 when expected disagreement is 0
        try:
            return float(krippendorff.alpha(reliability_data=array, level_of_measurement=cast(Any, level)))
        except ValueError:
            return math.nan


def _same(ours: float, theirs: float) -> bool:
    if math.isnan(theirs) or math.isinf(theirs):
        return math.isnan(ours)
    return math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-9)


class TestPaperExample:
    @pytest.mark.parametrize(
        ("level", "published"),
        [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
    )
    def test_it_reproduces_the_published_alpha_of_the_worked_example(
        self, level: str, published: float
    ) -> None:
        ours = krippendorff_alpha(PAPER, level)
        assert round(ours, 3) == published
        assert math.isclose(ours, _oracle_alpha(PAPER, level), rel_tol=1e-12)

    def test_it_gives_the_exact_nominal_fraction_of_the_paper(self) -> None:
        # The paper's nominal computation: alpha = 1 - (n-1) * (n - sum o_cc) / (n^2 - sum n_c^2) with n = 40
        # pairable values, n_c = (9, 13, 10, 5, 3) and sum o_cc = 32: 1 - 39 * 8 / 1216 = 113/152.
        assert math.isclose(krippendorff_alpha(PAPER, "nominal"), 113 / 152, rel_tol=1e-12)

    def test_it_ranks_word_labels_by_the_given_order_at_ordinal_level(self) -> None:
        words = [[None if v is None else WORDS[v] for v in row] for row in PAPER]
        ours = krippendorff_alpha(words, "ordinal", value_order=WORD_ORDER)
        assert math.isclose(ours, krippendorff_alpha(PAPER, "ordinal"), rel_tol=1e-12)

    def test_it_treats_word_labels_like_numbers_at_nominal_level(self) -> None:
        words = [[None if v is None else WORDS[v] for v in row] for row in PAPER]
        assert math.isclose(krippendorff_alpha(words), krippendorff_alpha(PAPER), rel_tol=1e-12)

    def test_interval_alpha_does_not_change_when_ratings_are_shifted_below_zero(self) -> None:
        shifted = [[None if v is None else v - 10 for v in row] for row in PAPER]
        assert math.isclose(krippendorff_alpha(shifted, "interval"), krippendorff_alpha(PAPER, "interval"))
        assert math.isclose(krippendorff_alpha(shifted, "interval"), _oracle_alpha(shifted, "interval"))

    def test_it_accepts_a_numpy_array_with_nan_for_missing(self) -> None:
        array = np.array([[np.nan if v is None else v for v in row] for row in PAPER])
        assert krippendorff_alpha(array, "interval") == krippendorff_alpha(PAPER, "interval")


small_labels = st.one_of(st.none(), st.integers(min_value=0, max_value=4))


@st.composite
def reliability_data(draw: st.DrawFn, max_coders: int = 5, max_units: int = 25) -> list[list[int | None]]:
    coders = draw(st.integers(min_value=2, max_value=max_coders))
    units = draw(st.integers(min_value=1, max_value=max_units))
    return [draw(st.lists(small_labels, min_size=units, max_size=units)) for _ in range(coders)]


class TestAlphaAgainstThePackage:
    @settings(max_examples=60, deadline=None)
    @given(data=reliability_data(), level=st.sampled_from(["nominal", "ordinal", "interval", "ratio"]))
    def test_it_matches_the_krippendorff_package_on_generated_data(
        self, data: list[list[int | None]], level: str
    ) -> None:
        assert _same(krippendorff_alpha(data, level), _oracle_alpha(data, level))

    @pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
    def test_it_matches_the_package_with_many_coders(self, level: str) -> None:
        # 60 coders = 1770 coder pairs: exercises the per-unit value-count path instead of the pair loop.
        rng = np.random.default_rng(7)
        data = rng.integers(0, 5, size=(60, 200)).astype(float)
        data[rng.random(data.shape) < 0.3] = np.nan
        data[:, :5] = np.nan
        assert _same(krippendorff_alpha(data, level), _oracle_alpha(data.tolist(), level))

    @pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
    def test_it_matches_the_package_on_a_large_value_domain(
        self, level: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # Lowering the dense limit exercises the paths that never build V x V matrices on a domain the
        # package (which builds units x V x V arrays) can still handle.
        monkeypatch.setattr(statistics, "_MAX_DENSE_VALUES", 8)
        rng = np.random.default_rng(11)
        data = np.round(rng.gamma(2.0, 3.0, size=(3, 300)), 1)
        data[rng.random(data.shape) < 0.1] = np.nan
        assert len(np.unique(data[~np.isnan(data)])) > 8
        assert _same(krippendorff_alpha(data, level), _oracle_alpha(data.tolist(), level))

    def test_it_matches_the_package_on_perfect_agreement_with_some_variation(self) -> None:
        data: list[list[int | None]] = [[1, 2, 3, 1], [1, 2, 3, None]]
        assert krippendorff_alpha(data) == 1.0


class TestAlphaUndefinedAndInvalid:
    def test_it_is_nan_when_no_unit_has_two_values(self) -> None:
        assert math.isnan(krippendorff_alpha([[1, None, 2], [None, 3, None]]))

    def test_it_is_nan_for_empty_data(self) -> None:
        assert math.isnan(krippendorff_alpha([[], []]))

    def test_it_is_nan_when_every_pairable_value_is_the_same(self) -> None:
        # Unit 3 holds a lone other value; it is not pairable, so expected disagreement is 0.
        assert math.isnan(krippendorff_alpha([[1, 1, 2], [1, 1, None]], "nominal"))
        assert math.isnan(krippendorff_alpha([[1, 1, 2], [1, 1, None]], "interval"))

    def test_it_drops_units_with_a_single_value(self) -> None:
        with_lone: list[list[int | None]] = [[1, 2, 1, 7], [1, 2, 2, None]]
        without = [[1, 2, 1], [1, 2, 2]]
        for level in ("nominal", "ordinal", "interval", "ratio"):
            assert math.isclose(krippendorff_alpha(with_lone, level), krippendorff_alpha(without, level))

    def test_it_rejects_an_unknown_level(self) -> None:
        with pytest.raises(ValueError, match="level"):
            krippendorff_alpha(PAPER, "cardinal")

    def test_it_rejects_rows_of_unequal_length(self) -> None:
        with pytest.raises(ValueError, match="unequal length"):
            krippendorff_alpha([[1, 2], [1]])

    def test_it_rejects_words_at_interval_level(self) -> None:
        with pytest.raises(ValueError, match="numeric"):
            krippendorff_alpha([["a", "b"], ["a", "a"]], "interval")

    def test_it_rejects_unorderable_ordinal_labels_without_an_order(self) -> None:
        with pytest.raises(ValueError, match="orderable"):
            krippendorff_alpha([["a", 1], ["a", 1]], "ordinal")

    def test_it_rejects_negative_unit_weights(self) -> None:
        with pytest.raises(ValueError, match="non-negative"):
            krippendorff_alpha([[1, 2], [1, 2]], unit_weights=[1, -1])


class TestWeightsAreRepetitions:
    @settings(max_examples=40, deadline=None)
    @given(data=reliability_data(max_coders=4, max_units=10), seed=st.integers(0, 2**16))
    def test_a_unit_of_weight_w_counts_like_w_copies(self, data: list[list[int | None]], seed: int) -> None:
        weights = np.random.default_rng(seed).integers(0, 4, size=len(data[0]))
        repeated = [[v for v, w in zip(row, weights, strict=True) for _ in range(w)] for row in data]
        for level in ("nominal", "ordinal", "interval", "ratio"):
            assert _same(
                krippendorff_alpha(data, level, unit_weights=weights), krippendorff_alpha(repeated, level)
            )
        a, b = data[0], data[1]
        ra, rb = repeated[0], repeated[1]
        assert _same(cohen_kappa(a, b, unit_weights=weights), cohen_kappa(ra, rb))
        assert _same(percent_agreement(a, b, unit_weights=weights), percent_agreement(ra, rb))


label_pairs = st.integers(min_value=1, max_value=40).flatmap(
    lambda n: st.tuples(
        st.lists(st.sampled_from("abcd"), min_size=n, max_size=n),
        st.lists(st.sampled_from("abcd"), min_size=n, max_size=n),
    )
)


class TestCohenKappa:
    @settings(max_examples=80, deadline=None)
    @given(pair=label_pairs)
    def test_it_matches_scikit_learn(self, pair: tuple[list[str], list[str]]) -> None:
        a, b = pair
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = float(cohen_kappa_score(a, b))
        assert _same(cohen_kappa(a, b), expected)

    @settings(max_examples=40, deadline=None)
    @given(pair=label_pairs, seed=st.integers(0, 2**16))
    def test_it_matches_scikit_learn_with_sample_weights(
        self, pair: tuple[list[str], list[str]], seed: int
    ) -> None:
        a, b = pair
        weights = np.random.default_rng(seed).uniform(0.1, 5.0, size=len(a))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = float(cohen_kappa_score(a, b, sample_weight=weights))
        assert _same(cohen_kappa(a, b, unit_weights=weights), expected)

    def test_it_is_nan_when_both_coders_use_one_and_the_same_label(self) -> None:
        assert math.isnan(cohen_kappa(["x", "x", "x"], ["x", "x", "x"]))

    def test_it_is_zero_when_each_coder_uses_a_different_single_label(self) -> None:
        assert cohen_kappa(["x", "x"], ["y", "y"]) == 0.0

    def test_it_is_nan_for_empty_input(self) -> None:
        assert math.isnan(cohen_kappa([], []))

    def test_it_leaves_out_units_with_a_missing_value(self) -> None:
        a = ["x", "y", None, "x", "y"]
        b = ["x", "y", "y", None, "x"]
        assert cohen_kappa(a, b) == cohen_kappa(["x", "y", "y"], ["x", "y", "x"])

    def test_it_rejects_sequences_of_unequal_length(self) -> None:
        with pytest.raises(ValueError, match="differ in length"):
            cohen_kappa(["x"], ["x", "y"])

    def test_it_accepts_numpy_label_arrays(self) -> None:
        a = np.array([0, 1, 1, 0, 1])
        b = np.array([0, 1, 0, 0, 1])
        assert math.isclose(cohen_kappa(a, b), float(cohen_kappa_score(a, b)), rel_tol=1e-12)


class TestPercentAgreement:
    def test_it_counts_the_share_of_equal_labels(self) -> None:
        assert percent_agreement(["a", "b", "c", "d"], ["a", "b", "x", "d"]) == 0.75

    def test_it_is_nan_without_any_unit_coded_by_both(self) -> None:
        assert math.isnan(percent_agreement([None, "a"], ["b", None]))
        assert math.isnan(percent_agreement([], []))

    def test_it_rejects_sequences_of_unequal_length(self) -> None:
        with pytest.raises(ValueError, match="differ in length"):
            percent_agreement(["a"], [])

    def test_it_averages_the_coder_pairs_for_more_coders(self) -> None:
        data: list[list[str | None]] = [["a", "b", "c", "d"], ["a", "b", "c", "x"], ["a", "y", None, "x"]]
        # pairs: (0,1) 3/4, (0,2) 1/3, (1,2) 2/3
        assert math.isclose(percent_agreement_multi(data), (3 / 4 + 1 / 3 + 2 / 3) / 3)

    def test_it_equals_pairwise_agreement_for_two_coders(self) -> None:
        a, b = [1, 2, 2, 3, None], [1, 2, 3, 3, 1]
        assert percent_agreement_multi([a, b]) == percent_agreement(a, b) == 0.75
