"""Inter-coder agreement coefficients: percent agreement, Cohen's kappa, Krippendorff's alpha.

References
----------
- Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational and Psychological
  Measurement* 20(1), 37-46.
- Krippendorff, K. (2011). *Computing Krippendorff's Alpha-Reliability*. Annenberg School for Communication,
  University of Pennsylvania (https://repository.upenn.edu/asc_papers/43).

Conventions shared by every function here
------------------------------------------
- Labels are any hashable values compared with Python equality (``1 == 1.0 == True``). ``None`` marks a
  missing value, and so does a float NaN (NaN is not equal to itself, so it cannot be a label).
- ``unit_weights`` (optional, one non-negative number per unit) counts a unit as if it were repeated that many
  times. The character-level unit builders use it to give an elementary segment of text the weight of its
  length, which gives exactly the same coefficient as one unit per character.
- Undefined coefficients are returned as ``nan`` (never raised), as documented per function; malformed input
  (unequal lengths, unknown level, negative weights) raises ``ValueError``.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from numbers import Real
from typing import Any, Literal, cast

import numpy as np
import numpy.typing as npt

__all__ = [
    "LEVELS",
    "Level",
    "cohen_kappa",
    "krippendorff_alpha",
    "percent_agreement",
    "percent_agreement_multi",
]

Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval", "ratio")

Codes = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
ReliabilityData = Sequence[Sequence[Hashable | None]] | npt.NDArray[Any]

# Floats represent integers exactly only below 2**53; beyond it the numeric fast path would merge labels.
_EXACT_FLOAT_INT = float(2**53)
# Above this many distinct values the V x V matrices (coincidences, distances) are not materialised.
_MAX_DENSE_VALUES = 1024
# Above this many coder pairs the coincidences come from per-unit value counts instead of a loop over pairs.
_MAX_PAIR_LOOP = 45
# Integer-valued numeric labels spanning at most this range are encoded with a lookup table.
_SMALL_INT_RANGE = 1 << 16


# ----------------------------------------------------------------------------------------------------
# Encoding labels as integer codes
# ----------------------------------------------------------------------------------------------------


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _encode_python(rows: Sequence[Sequence[Hashable | None]]) -> tuple[Codes, list[Hashable]]:
    """Codes (coders x units, -1 = missing) and the labels in first-seen order, for arbitrary hashables."""
    index: dict[Hashable, int] = {}
    width = len(rows[0]) if rows else 0
    codes = np.full((len(rows), width), -1, dtype=np.int64)
    for r, row in enumerate(rows):
        encoded = [-1 if _is_missing(v) else index.setdefault(v, len(index)) for v in row]
        codes[r, :] = encoded
    return codes, list(index)


def _encode_numeric(values: npt.NDArray[Any]) -> tuple[Codes, Floats]:
    """Codes and the sorted distinct values of a numeric array (NaN = missing)."""
    floats = values.astype(np.float64, copy=False)
    missing = np.isnan(floats)
    finite = floats[~missing]
    codes = np.full(floats.shape, -1, dtype=np.int64)
    if finite.size == 0:
        return codes, np.empty(0)
    lo, hi = float(finite.min()), float(finite.max())
    if hi - lo <= _SMALL_INT_RANGE and np.array_equal(finite, np.round(finite)):
        # Ratings on an integer scale: a lookup table instead of sorting (O(n) rather than O(n log n)).
        offsets = (finite - lo).astype(np.int64)
        used = np.bincount(offsets, minlength=int(hi - lo) + 1) > 0
        rank = np.cumsum(used) - 1
        codes[~missing] = rank[offsets]
        return codes, lo + np.flatnonzero(used).astype(np.float64)
    domain, inverse = np.unique(finite, return_inverse=True)
    codes[~missing] = inverse
    return codes, domain


_NUMERIC_TYPES = frozenset({int, float, bool, type(None)})


def _check_rectangular(rows: Sequence[Sequence[Hashable | None]]) -> None:
    if len(rows) == 0:
        return
    width = len(rows[0])
    if any(len(row) != width for row in rows):
        raise ValueError("every coder must have one value per unit (rows of unequal length)")


def _encode(data: ReliabilityData) -> tuple[Codes, list[Hashable] | Floats]:
    """Encode coders x units data; numeric data gets a sorted float domain, other labels a list domain."""
    if isinstance(data, np.ndarray):
        if data.ndim != 2:
            raise ValueError("reliability data must be two-dimensional (coders x units)")
        if data.dtype.kind in "biuf":
            return _encode_numeric(data)
        return _encode_python(cast(Sequence[Sequence[Hashable | None]], data.tolist()))
    rows = [list(row) for row in data]
    _check_rectangular(rows)
    if rows and all(set(map(type, row)) <= _NUMERIC_TYPES for row in rows):
        floats = np.array(rows, dtype=np.float64)
        finite = floats[~np.isnan(floats)]
        if finite.size == 0 or float(np.abs(finite).max()) < _EXACT_FLOAT_INT:
            return _encode_numeric(floats)
    return _encode_python(rows)


def _numeric_domain(domain: list[Hashable] | Floats, level: Level) -> Floats:
    if isinstance(domain, np.ndarray):
        return domain
    if not all(isinstance(v, Real) for v in domain):
        raise ValueError(f"{level} alpha needs numeric labels")
    return np.array(domain, dtype=np.float64)


def _ranked(codes: Codes, domain: list[Hashable] | Floats, value_order: Sequence[Hashable] | None) -> Codes:
    """Recode so that code order is the ordinal order of the labels."""
    if value_order is None:
        if isinstance(domain, np.ndarray):
            return codes  # numeric domains are already sorted
        try:
            order = sorted(range(len(domain)), key=lambda i: cast(Any, domain[i]))
        except TypeError as exc:
            raise ValueError("ordinal labels must be mutually orderable, or pass value_order") from exc
    else:
        rank = {label: r for r, label in enumerate(value_order)}
        labels = domain.tolist() if isinstance(domain, np.ndarray) else domain
        unknown = [label for label in labels if label not in rank]
        if unknown:
            raise ValueError(f"labels missing from value_order: {unknown[:5]!r}")
        # Ranks may skip values absent from the data; they carry n_c = 0 and so do not change the metric.
        order = sorted(range(len(labels)), key=lambda i: rank[labels[i]])
    remap = np.empty(len(order), dtype=np.int64)
    remap[np.array(order, dtype=np.int64)] = np.arange(len(order), dtype=np.int64)
    out = codes.copy()
    present = codes >= 0
    out[present] = remap[codes[present]]
    return out


def _weights_array(unit_weights: Sequence[float] | npt.NDArray[Any] | None, n_units: int) -> Floats | None:
    if unit_weights is None:
        return None
    weights = np.asarray(unit_weights, dtype=np.float64)
    if weights.shape != (n_units,):
        raise ValueError("unit_weights needs one weight per unit")
    if not np.all(np.isfinite(weights)) or (weights < 0).any():
        raise ValueError("unit_weights must be finite and non-negative")
    return weights


# ----------------------------------------------------------------------------------------------------
# Percent agreement and Cohen's kappa
# ----------------------------------------------------------------------------------------------------


def _two_codes(
    a: Sequence[Hashable | None] | npt.NDArray[Any], b: Sequence[Hashable | None] | npt.NDArray[Any]
) -> Codes:
    if len(a) != len(b):
        raise ValueError(f"label sequences differ in length ({len(a)} != {len(b)})")
    if (
        isinstance(a, np.ndarray)
        and isinstance(b, np.ndarray)
        and {a.dtype.kind, b.dtype.kind} <= set("biuf")
    ):
        return _encode(np.vstack([a, b]))[0]
    codes, _ = _encode([list(a), list(b)])
    return codes


def _percent_from_codes(ca: Codes, cb: Codes, weights: Floats | None) -> float:
    both = (ca >= 0) & (cb >= 0)
    if weights is None:
        total = float(both.sum())
        agree = float((both & (ca == cb)).sum())
    else:
        total = float(weights[both].sum())
        agree = float(weights[both & (ca == cb)].sum())
    return agree / total if total > 0 else math.nan


def _kappa_from_codes(ca: Codes, cb: Codes, weights: Floats | None) -> float:
    both = (ca >= 0) & (cb >= 0)
    xa, xb = ca[both], cb[both]
    w = np.ones(xa.shape, dtype=np.float64) if weights is None else weights[both]
    total = float(w.sum())
    if total <= 0:
        return math.nan
    size = int(max(xa.max(initial=-1), xb.max(initial=-1))) + 1
    pa = np.bincount(xa, weights=w, minlength=size) / total
    pb = np.bincount(xb, weights=w, minlength=size) / total
    p_observed = float(w[xa == xb].sum()) / total
    p_expected = float(np.dot(pa, pb))
    # Expected agreement is 1 only when both coders used one and the same label throughout; then
    # kappa is 0/0. Test that condition exactly rather than comparing a float with 1.
    used_a, used_b = np.flatnonzero(pa), np.flatnonzero(pb)
    if len(used_a) == 1 and len(used_b) == 1 and used_a[0] == used_b[0]:
        return math.nan
    return (p_observed - p_expected) / (1.0 - p_expected)


def percent_agreement(
    a: Sequence[Hashable | None] | npt.NDArray[Any],
    b: Sequence[Hashable | None] | npt.NDArray[Any],
    *,
    unit_weights: Sequence[float] | npt.NDArray[Any] | None = None,
) -> float:
    """Share of units on which two coders gave the same label.

    Units where either value is missing (``None``/NaN) are left out. Returns ``nan`` when no unit has both
    values (including empty input, or zero total weight). Raises ``ValueError`` for unequal lengths.
    """
    codes = _two_codes(a, b)
    return _percent_from_codes(codes[0], codes[1], _weights_array(unit_weights, codes.shape[1]))


def percent_agreement_multi(
    data: ReliabilityData, *, unit_weights: Sequence[float] | npt.NDArray[Any] | None = None
) -> float:
    """Mean over all pairs of coders of their pairwise percent agreement.

    ``data`` is coders x units with ``None`` for missing. Each pair is scored on the units both coded; pairs
    sharing no unit are left out of the mean. Returns ``nan`` when no pair shares a unit or there are fewer
    than two coders.
    """
    codes, _ = _encode(data)
    weights = _weights_array(unit_weights, codes.shape[1])
    scores = [
        _percent_from_codes(codes[i], codes[j], weights)
        for i in range(codes.shape[0])
        for j in range(i + 1, codes.shape[0])
    ]
    defined = [s for s in scores if not math.isnan(s)]
    return sum(defined) / len(defined) if defined else math.nan


def cohen_kappa(
    a: Sequence[Hashable | None] | npt.NDArray[Any],
    b: Sequence[Hashable | None] | npt.NDArray[Any],
    *,
    unit_weights: Sequence[float] | npt.NDArray[Any] | None = None,
) -> float:
    """Cohen's (1960) kappa for two coders: ``(p_o - p_e) / (1 - p_e)``.

    ``p_o`` is the observed share of agreeing units and ``p_e = sum_c p_a(c) * p_b(c)`` the agreement expected
    from each coder's own label distribution. Units where either value is missing are left out (listwise).

    Returns ``nan`` exactly when it is undefined: no unit with both values (empty input, all missing, or zero
    total weight), or ``p_e == 1``, which happens only when both coders used one and the same label for every
    unit. (Two coders each using a different single label give ``p_o = p_e = 0`` and kappa 0.) Raises
    ``ValueError`` for unequal lengths. Equals scikit-learn's ``cohen_kappa_score`` (with ``sample_weight``
    for ``unit_weights``).
    """
    codes = _two_codes(a, b)
    return _kappa_from_codes(codes[0], codes[1], _weights_array(unit_weights, codes.shape[1]))


# ----------------------------------------------------------------------------------------------------
# Krippendorff's alpha
# ----------------------------------------------------------------------------------------------------


def _need(values: Floats | None) -> Floats:
    if values is None:  # interval and ratio always carry their numeric domain
        raise TypeError("numeric value domain required")
    return values


def _delta_matrix(level: Level, values: Floats | None, n_c: Floats) -> Floats:
    """Squared difference function delta^2(c, k) over the (sorted) value domain, per Krippendorff (2011)."""
    size = len(n_c)
    if level == "nominal":
        return 1.0 - np.eye(size)
    if level == "ordinal":
        # delta(c,k) = (sum_{g=c..k} n_g - (n_c + n_k) / 2)^2, with n_g the pairable-value marginals.
        cum = np.cumsum(n_c)
        idx = np.arange(size)
        lo = np.minimum(idx[:, None], idx[None, :])
        hi = np.maximum(idx[:, None], idx[None, :])
        return (cum[hi] - cum[lo] + (n_c[lo] - n_c[hi]) / 2.0) ** 2
    values = _need(values)
    diff = values[:, None] - values[None, :]
    if level == "interval":
        return diff**2
    total = values[:, None] + values[None, :]
    ratio = np.divide(diff, total, out=np.zeros_like(diff), where=total != 0)
    return ratio**2


def _delta_pairs(level: Level, ci: Codes, cj: Codes, values: Floats | None, n_c: Floats) -> Floats:
    """delta^2 for paired codes without materialising the V x V matrix (large value domains)."""
    if level == "nominal":
        unequal: Floats = (ci != cj).astype(np.float64)
        return unequal
    if level == "ordinal":
        cum = np.cumsum(n_c)
        lo, hi = np.minimum(ci, cj), np.maximum(ci, cj)
        spread: Floats = cum[hi] - cum[lo] + (n_c[lo] - n_c[hi]) / 2.0
        return spread**2
    values = _need(values)
    vi, vj = values[ci], values[cj]
    if level == "interval":
        return (vi - vj) ** 2
    total = vi + vj
    ratio: Floats = np.divide(vi - vj, total, out=np.zeros_like(vi), where=total != 0)
    return ratio**2


def _expected_sum(level: Level, values: Floats | None, n_c: Floats) -> float:
    """sum_c sum_k n_c n_k delta^2(c, k): the expected-disagreement numerator."""
    n = float(n_c.sum())
    if level == "nominal":
        return n * n - float(np.dot(n_c, n_c))
    if level == "interval":
        values = _need(values)
        # sum_ck n_c n_k (v_c - v_k)^2 = 2 n sum_c n_c (v_c - mean)^2; centring keeps it numerically stable.
        mean = float(np.dot(n_c, values)) / n
        return 2.0 * n * float(np.dot(n_c, (values - mean) ** 2))
    if len(n_c) <= _MAX_DENSE_VALUES:
        return float(n_c @ _delta_matrix(level, values, n_c) @ n_c)
    # Ordinal / ratio over a large domain: O(V^2) time in row blocks, bounded memory.
    total = 0.0
    idx = np.arange(len(n_c), dtype=np.int64)
    for start in range(0, len(n_c), 512):
        rows = idx[start : start + 512]
        row_codes, col_codes = np.broadcast_arrays(rows[:, None], idx[None, :])
        block = _delta_pairs(level, row_codes, col_codes, values, n_c)
        total += float(n_c[rows] @ block @ n_c)
    return total


def _observed_sum(
    level: Level, shifted: Codes, pair_weight: Floats, values: Floats | None, n_c: Floats
) -> float:
    """sum_ck o_ck delta^2(c, k) where o is the coincidence matrix of the pairable units.

    o_ck = sum_u (number of ordered pairs of distinct coders with values c, k in u) / (m_u - 1), each unit
    additionally multiplied by its unit weight (``pair_weight`` holds ``w_u / (m_u - 1)``, 0 for units that
    are not pairable). ``shifted`` holds codes + 1, so 0 is "missing": indexing a distance matrix padded
    with a zero row and column for it needs no masking or copying of the units.
    """
    n_coders, n_units = shifted.shape
    size = len(n_c)
    n_pairs = n_coders * (n_coders - 1) // 2
    dense = size <= _MAX_DENSE_VALUES
    if dense:
        padded = np.zeros((size + 1, size + 1))
        padded[1:, 1:] = _delta_matrix(level, values, n_c)
        if n_pairs > _MAX_PAIR_LOOP and n_units * (size + 1) <= 50_000_000:
            # Many coders: o = sum_u pw_u (n_u n_u^T - diag n_u) from the per-unit value counts.
            unit_of = np.arange(n_units, dtype=np.int64) * (size + 1)
            counts = np.bincount((shifted + unit_of).ravel(), minlength=n_units * (size + 1))
            counts_f = counts.reshape(n_units, size + 1).astype(np.float64)
            weighted = counts_f * pair_weight[:, None]
            coincidences = weighted.T @ counts_f - np.diag(weighted.sum(axis=0))
            return float((coincidences * padded).sum())
        flat = padded.ravel()
        # Elementwise product and sum rather than np.dot: BLAS threads make a 1-D dot slower here.
        total = 0.0
        for i in range(n_coders):
            row = shifted[i] * (size + 1)
            for j in range(i + 1, n_coders):
                total += float((pair_weight * flat[row + shifted[j]]).sum())
        return 2.0 * total  # each unordered pair of coders is two ordered pairs in o
    total = 0.0
    for i in range(n_coders):
        ci = shifted[i]
        for j in range(i + 1, n_coders):
            cj = shifted[j]
            both = (ci > 0) & (cj > 0)
            d = _delta_pairs(level, ci[both] - 1, cj[both] - 1, values, n_c)
            total += float((pair_weight[both] * d).sum())
    return 2.0 * total


def _alpha_from_codes(
    codes: Codes, values: Floats | None, level: Level, weights: Floats | None, n_values: int
) -> float:
    shifted = codes + 1
    m_u = np.count_nonzero(shifted, axis=0)
    pairable = m_u >= 2
    if weights is not None:
        pairable &= weights > 0
    if not pairable.any():
        return math.nan
    w = np.ones(len(m_u)) if weights is None else weights
    pair_weight = np.where(pairable, w / np.maximum(m_u - 1, 1), 0.0)
    if weights is None and pairable.all():
        n_c: Floats = np.bincount(shifted.ravel(), minlength=n_values + 1)[1:].astype(np.float64)
    else:
        value_weights = np.broadcast_to(np.where(pairable, w, 0.0), shifted.shape).ravel()
        n_c = np.bincount(shifted.ravel(), weights=value_weights, minlength=n_values + 1)[1:].astype(
            np.float64
        )
    n = float(n_c.sum())
    expected = _expected_sum(level, values, n_c)
    if expected <= 0.0:
        return math.nan
    observed = _observed_sum(level, shifted, pair_weight, values, n_c)
    return 1.0 - (n - 1.0) * observed / expected


def krippendorff_alpha(
    data: ReliabilityData,
    level: str = "nominal",
    *,
    unit_weights: Sequence[float] | npt.NDArray[Any] | None = None,
    value_order: Sequence[Hashable] | None = None,
) -> float:
    """Krippendorff's alpha, ``1 - D_o / D_e``, via the coincidence matrix (Krippendorff 2011).

    ``data`` is coders x units (a sequence of equal-length sequences, or a 2-D numpy array where NaN marks
    missing), with ``None`` for a missing value. ``level`` is ``"nominal"``, ``"ordinal"``, ``"interval"`` or
    ``"ratio"``; interval and ratio need numeric labels; ordinal ranks labels by their natural order or by
    ``value_order`` when given (needed for labels such as "low" < "mid" < "high").

    Algorithm. Units with fewer than two values (``m_u < 2``) are not pairable and are dropped. With
    ``n_c`` the number of pairable values equal to ``c`` and ``n = sum n_c``, the coincidence matrix is
    ``o_ck = sum_u (number of ordered pairs of values c, k from different coders in u) / (m_u - 1)`` and

        alpha = 1 - (n - 1) * sum_ck o_ck delta2(c, k) / sum_ck n_c n_k delta2(c, k)

    with the difference functions of the paper: nominal ``[c != k]``; ordinal
    ``(sum_{g=c..k} n_g - (n_c + n_k) / 2)^2`` (ranks weighted by the marginal sums ``n_g``); interval
    ``(c - k)^2``; ratio ``((c - k) / (c + k))^2`` (0 when ``c + k = 0``). The sums are computed with
    numpy over coder pairs (few coders) or per-unit value counts (many coders), never per unit in Python;
    the nominal and interval expected sums use closed forms, so large value domains stay cheap.

    Returns ``nan`` when alpha is undefined: no pairable unit (no unit coded by two or more coders), or
    expected disagreement 0 (every pairable value is the same label, or e.g. interval data with one value).
    Raises ``ValueError`` for an unknown level, rows of unequal length, non-numeric labels at interval/ratio
    level, or labels that cannot be ordered at ordinal level.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}; got {level!r}")
    lvl: Level = level
    codes, domain = _encode(data)
    weights = _weights_array(unit_weights, codes.shape[1])
    values: Floats | None = None
    if lvl == "ordinal":
        codes = _ranked(codes, domain, value_order)
    elif lvl in ("interval", "ratio"):
        values = _numeric_domain(domain, lvl)
    return _alpha_from_codes(codes, values, lvl, weights, len(domain))


def alpha_binary(codes: npt.NDArray[np.integer[Any]], unit_weights: Floats | None = None) -> float:
    """Nominal alpha for 0/1 codes (coders x units, -1 missing): the unit builders' fast path."""
    return _alpha_from_codes(codes.astype(np.int64, copy=False), None, "nominal", unit_weights, 2)


def kappa_binary(ca: Codes, cb: Codes, unit_weights: Floats | None = None) -> float:
    """Cohen's kappa for two 0/1 code rows (-1 missing)."""
    return _kappa_from_codes(ca, cb, unit_weights)


def percent_binary(codes: Codes, unit_weights: Floats | None = None) -> float:
    """Pairwise-mean percent agreement for 0/1 codes (coders x units, -1 missing)."""
    scores = [
        _percent_from_codes(codes[i], codes[j], unit_weights)
        for i in range(codes.shape[0])
        for j in range(i + 1, codes.shape[0])
    ]
    defined = [s for s in scores if not math.isnan(s)]
    return sum(defined) / len(defined) if defined else math.nan
