"""A thin array-based model builder over HiGHS (no modelling layer: COO triplets -> CSC -> passModel)."""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import threading
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt
from scipy import sparse

__all__ = ["Cut", "LpSession", "Model", "Result", "Separation"]

INF = highspy.kHighsInf
Cut = tuple[list[tuple[int, float]], float, float]  # a row: (column, coefficient) entries, lower, upper
# Tuning hook for experiments (e.g. {"mip_heuristic_effort": 0.3}); empty in production.
_EXTRA_OPTIONS: dict[str, float | int | bool | str] = {}
# ``Model.separate`` stops once a round raises the LP bound by less than this share of it (rounds cost
# a re-factorisation each; at N = 10,000 the last two of seven moved it by 0.001 for 1.2 s).
STALL = 1e-5


_banner_lock = threading.Lock()
_banner_done = False


def _new_highs() -> highspy.Highs:
    """A Highs object. The first one of a process prints HiGHS's banner (version, copyright) on the C
    stdout, whatever the options set afterwards: into the JSON of ``commed allocate --out /dev/stdout``,
    the demo's start-up lines and the workers' logs. That one is made with stdout pointed at /dev/null."""
    global _banner_done
    with _banner_lock:
        if not _banner_done:
            _banner_done = True
            sys.stdout.flush()
            saved = os.dup(1)
            try:
                with open(os.devnull, "w") as null:
                    os.dup2(null.fileno(), 1)
                    highspy.Highs()  # type: ignore[no-untyped-call]
                    _flush_c_stdout()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
    return highspy.Highs()  # type: ignore[no-untyped-call]


def _flush_c_stdout() -> None:
    with contextlib.suppress(OSError, AttributeError, TypeError):  # no C library to ask (Windows)
        ctypes.CDLL(None).fflush(None)


def _set_time_limit(h: highspy.Highs, seconds: float) -> None:
    """Let the next ``run`` of ``h`` take at most ``seconds`` more. HiGHS compares its ``time_limit`` with the
    run time summed over every ``run`` of the object, not with the next run's: a limit of "what is left"
    on an object already run for some seconds stopped it that much early. Measured at N = 10,000: the
    separation loop stopped at 4.2 s of its 8 s (its next round hit the limit at once), and the flip
    search's re-solves failed once their sum reached what was left of its budget."""
    h.setOptionValue("time_limit", float(h.getRunTime()) + max(float(seconds), 0.01))


def _run(h: highspy.Highs) -> None:
    """``h.run()``, once more after resetting this thread's HiGHS scheduler if it refused to run. HiGHS
    sets up its task scheduler once per thread, with the first run's ``threads``; a later run asking for
    another count (commed's one thread, after other code in the same thread ran HiGHS with two, as the
    benchmark's direct-HiGHS baseline does) returns an error without solving: a resumed part of
    N = 3,000 then came back "unknown" in 0.00 s. Resetting only affects the calling thread's scheduler
    (each thread has its own), so parts solving side by side are not disturbed."""
    if h.run() == highspy.HighsStatus.kError:
        highspy.Highs.resetGlobalScheduler(True)
        h.run()


@dataclass
class Result:
    status: str  # "optimal" | "feasible" (time limit with a solution) | "infeasible" | "unknown"
    values: npt.NDArray[np.float64] | None
    objective: float
    bound: float
    gap: float
    seconds: float


@dataclass
class Separation:
    """What ``Model.separate`` found: the candidate rows added (indices into the candidates), the last LP
    objective (a lower bound for every integral solution), its solution, its reduced costs and its row
    duals (the model's rows first, in order, then the rows the loop added; ``None`` when no LP was solved
    to optimality)."""

    added: list[int]
    bound: float
    values: npt.NDArray[np.float64] | None
    reduced_costs: npt.NDArray[np.float64] | None
    row_duals: npt.NDArray[np.float64] | None


class LpSession:
    """One LP kept in HiGHS across bound changes: each ``run`` re-solves from the previous basis (dual
    simplex warm start), a few milliseconds where a fresh solve of a large model takes a second."""

    def __init__(self, h: highspy.Highs) -> None:
        self._h = h

    def set_bounds(self, changes: Sequence[tuple[int, float]]) -> None:
        for j, v in changes:
            self._h.changeColBounds(int(j), float(v), float(v))

    def run(self, time_limit: float) -> float | None:
        """The LP's optimum, or ``None`` if it was not solved to optimality (infeasible, time)."""
        _set_time_limit(self._h, time_limit)
        _run(self._h)
        if self._h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return float(self._h.getInfo().objective_function_value)

    def col_values(self) -> npt.NDArray[np.float64]:
        """Column values at the last solve."""
        return np.asarray(self._h.getSolution().col_value, dtype=np.float64)

    def col_duals(self) -> npt.NDArray[np.float64]:
        """Reduced costs of the columns at the last solve."""
        return np.asarray(self._h.getSolution().col_dual, dtype=np.float64)


class Model:
    """Columns and rows with bounds; rows are identified by any hashable key, created on first use."""

    def __init__(self) -> None:
        self.cost: list[float] = []
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.integer: list[int] = []
        self.rows: dict[Hashable, int] = {}
        self.row_lower: list[float] = []
        self.row_upper: list[float] = []
        self._r: list[int] = []
        self._c: list[int] = []
        self._v: list[float] = []

    @property
    def num_cols(self) -> int:
        return len(self.cost)

    def row(self, key: Hashable, lo: float = -INF, hi: float = INF) -> int:
        i = self.rows.get(key)
        if i is None:
            i = self.rows[key] = len(self.row_lower)
            self.row_lower.append(lo)
            self.row_upper.append(hi)
        return i

    def set_row_bounds(self, key: Hashable, lo: float, hi: float) -> None:
        i = self.row(key)
        self.row_lower[i] = lo
        self.row_upper[i] = hi

    def col(
        self, cost: float, lo: float, hi: float, integer: bool, entries: Sequence[tuple[Hashable, float]] = ()
    ) -> int:
        j = len(self.cost)
        self.cost.append(cost)
        self.lower.append(lo)
        self.upper.append(hi)
        self.integer.append(1 if integer else 0)
        for key, coef in entries:
            self._r.append(self.row(key))
            self._c.append(j)
            self._v.append(coef)
        return j

    def add_entry(self, key: Hashable, col: int, coef: float) -> None:
        self._r.append(self.row(key))
        self._c.append(col)
        self._v.append(coef)

    def add_row(self, entries: Sequence[tuple[int, float]], lo: float, hi: float) -> int:
        """A new anonymous row over existing columns."""
        i = len(self.row_lower)
        self.rows[("_anon", i)] = i
        self.row_lower.append(lo)
        self.row_upper.append(hi)
        for j, coef in entries:
            self._r.append(i)
            self._c.append(j)
            self._v.append(coef)
        return i

    def _highs(
        self,
        cost: npt.NDArray[np.float64] | None,
        lower: npt.NDArray[np.float64] | None,
        upper: npt.NDArray[np.float64] | None,
        integrality: npt.NDArray[np.int32],
        time_limit: float,
        mip_gap: float,
        abs_gap: float,
        options: Mapping[str, float | int | bool | str] | None = None,
    ) -> highspy.Highs:
        """A Highs instance holding this model (one thread, seed 0)."""
        n, m = self.num_cols, len(self.row_lower)
        a = sparse.csc_matrix(
            (np.asarray(self._v, dtype=np.float64), (np.asarray(self._r), np.asarray(self._c))), shape=(m, n)
        )
        a.sum_duplicates()
        h = _new_highs()
        h.setOptionValue("output_flag", bool(os.environ.get("HIGHS_LOG")))
        h.setOptionValue("random_seed", 0)
        h.setOptionValue("threads", 1)
        h.setOptionValue("time_limit", max(float(time_limit), 0.01))
        h.setOptionValue("mip_rel_gap", float(mip_gap))
        h.setOptionValue("mip_abs_gap", float(abs_gap))
        for opt, val in {**(options or {}), **_EXTRA_OPTIONS}.items():
            h.setOptionValue(opt, val)
        c = np.asarray(self.cost if cost is None else cost, dtype=np.float64)
        lo = np.asarray(self.lower if lower is None else lower, dtype=np.float64)
        hi = np.asarray(self.upper if upper is None else upper, dtype=np.float64)
        h.passModel(
            n,
            m,
            int(a.nnz),
            1,  # MatrixFormat.kColwise
            1,  # ObjSense.kMinimize
            0.0,
            c,
            lo,
            hi,
            np.asarray(self.row_lower, dtype=np.float64),
            np.asarray(self.row_upper, dtype=np.float64),
            a.indptr.astype(np.int32),
            a.indices.astype(np.int32),
            a.data.astype(np.float64),
            integrality,
        )
        return h

    def separate(
        self,
        candidates: Sequence[tuple[int, int, float]],
        *,
        cost: npt.NDArray[np.float64],
        time_limit: float,
        max_rounds: int = 30,
        extra: Callable[[npt.NDArray[np.float64]], Sequence[Cut]] | None = None,
        keep_extra: bool = True,
    ) -> Separation:
        """Cutting planes on the LP relaxation: ``candidates`` are rows ``x[j] - cap * x[k] <= 0``
        (valid for every integral solution), ``extra`` a separator returning further valid rows an LP
        solution breaks; repeatedly solve the LP and add the rows its optimum breaks, warm-starting each
        round, until none is broken (or the time/round limit). The candidate rows found are added to the
        model, and the extra rows too if ``keep_extra``. The result holds the last optimal LP's objective,
        solution and reduced costs: those of an LP with every row kept and perhaps a few fewer cuts, so
        its reduced costs bound every integral solution's cost from below as well (see
        ``Separation``)."""
        t0 = time.perf_counter()
        if not candidates and extra is None:
            return Separation([], float("nan"), None, None, None)
        cj = np.asarray([c[0] for c in candidates], dtype=np.int32)
        ck = np.asarray([c[1] for c in candidates], dtype=np.int32)
        cap = np.asarray([c[2] for c in candidates], dtype=np.float64)
        h = self._highs(cost, None, None, np.zeros(self.num_cols, dtype=np.int32), time_limit, 0.0, 1e-6)
        # Each round re-solves from the last basis; presolve would throw it away (0.5 s a round at
        # N = 10,000 for a handful of simplex iterations).
        h.setOptionValue("presolve", "off")
        rest = np.arange(len(candidates))
        chosen: list[int] = []
        found: list[Cut] = []
        last: npt.NDArray[np.float64] | None = None
        reduced: npt.NDArray[np.float64] | None = None
        duals: npt.NDArray[np.float64] | None = None
        obj = float("nan")
        with_extra = False
        for _ in range(max_rounds):
            left = time_limit - (time.perf_counter() - t0)
            if left <= 0.05:
                break
            _set_time_limit(h, left)
            _run(h)
            if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                break
            prev, obj = obj, float(h.getInfo().objective_function_value)
            solution = h.getSolution()
            v = np.asarray(solution.col_value, dtype=np.float64)
            last, reduced = v, np.asarray(solution.col_dual, dtype=np.float64)
            duals = np.asarray(solution.row_dual, dtype=np.float64)
            broken = v[cj[rest]] - cap[rest] * v[ck[rest]] > 1e-6
            new = rest[broken]
            cuts = list(extra(v)) if extra is not None and with_extra else []
            if (new.size == 0 and not cuts) or obj - prev <= STALL * max(1.0, abs(obj)):
                # none broken, or the last round moved the bound by almost nothing: then the extra rows
                # (slower to find, and found better on an LP the candidates have already cut)
                if extra is None or with_extra:
                    break
                with_extra = True
                cuts = list(extra(v))
                if not cuts:
                    break
            k = int(new.size)
            if k:
                idx = np.empty(2 * k, dtype=np.int32)
                idx[0::2], idx[1::2] = cj[new], ck[new]
                val = np.empty(2 * k, dtype=np.float64)
                val[0::2], val[1::2] = 1.0, -cap[new]
                starts = np.arange(0, 2 * k, 2, dtype=np.int32)
                h.addRows(k, np.full(k, -INF), np.zeros(k), 2 * k, starts, idx, val)
            if cuts:
                lens = [len(entries) for entries, _, _ in cuts]
                h.addRows(
                    len(cuts),
                    np.asarray([lo for _, lo, _ in cuts], dtype=np.float64),
                    np.asarray([hi for _, _, hi in cuts], dtype=np.float64),
                    int(sum(lens)),
                    np.concatenate([[0], np.cumsum(lens)[:-1]]).astype(np.int32),
                    np.asarray([j for entries, _, _ in cuts for j, _ in entries], dtype=np.int32),
                    np.asarray([c for entries, _, _ in cuts for _, c in entries], dtype=np.float64),
                )
                found.extend(cuts)
            chosen.extend(int(i) for i in new)
            rest = rest[~broken]
        for i in chosen:
            self.add_row([(int(cj[i]), 1.0), (int(ck[i]), -float(cap[i]))], -INF, 0.0)
        if keep_extra:
            for entries, lo, hi in found:
                self.add_row(entries, lo, hi)
        return Separation(chosen, obj, last, reduced, duals)

    def lp_session(
        self, *, cost: npt.NDArray[np.float64], lower: npt.NDArray[np.float64], upper: npt.NDArray[np.float64]
    ) -> LpSession:
        """The LP relaxation with these column bounds, kept for repeated re-solves (see ``LpSession``)."""
        h = self._highs(cost, lower, upper, np.zeros(self.num_cols, dtype=np.int32), 60.0, 0.0, 1e-6)
        h.setOptionValue("presolve", "off")  # presolve would discard the basis a re-solve starts from
        return LpSession(h)

    def solve(
        self,
        *,
        cost: npt.NDArray[np.float64] | None = None,
        lower: npt.NDArray[np.float64] | None = None,
        upper: npt.NDArray[np.float64] | None = None,
        integer: bool = True,
        time_limit: float = 30.0,
        mip_gap: float = 0.0,
        abs_gap: float = 1e-6,
        start: npt.NDArray[np.float64] | None = None,
        options: Mapping[str, float | int | bool | str] | None = None,
    ) -> Result:
        """Solve once with HiGHS (one thread, fixed seed: deterministic unless the time limit cuts in).

        ``abs_gap``: stop when best solution - bound <= abs_gap; pass just under 1 when every feasible
        objective value is known to be an integer (then such a solution is optimal)."""
        t0 = time.perf_counter()
        n = self.num_cols
        integrality = np.asarray(self.integer, dtype=np.int32)
        if not integer:
            integrality = np.zeros(n, dtype=np.int32)
        h = self._highs(cost, lower, upper, integrality, time_limit, mip_gap, abs_gap, options)
        c_used = np.asarray(self.cost if cost is None else cost, dtype=np.float64)
        if start is not None and integrality.any():
            h.setSolution(n, np.arange(n, dtype=np.int32), np.asarray(start, dtype=np.float64))
        _run(h)
        status = h.getModelStatus()
        info = h.getInfo()
        is_mip = bool(integrality.any())
        sol = h.getSolution()
        has_value = bool(sol.value_valid)
        values = np.asarray(sol.col_value, dtype=np.float64) if has_value else None
        obj = float(info.objective_function_value) if has_value else float("inf")
        if (
            start is not None
            and values is not None
            and abs(float(np.dot(c_used, values)) - obj) > 1e-6 * max(1.0, abs(obj))
        ):
            # Seen with HiGHS 1.16 when presolve empties the model: the start comes back as the
            # answer with a wrong objective. Solve again without it.
            return self.solve(
                cost=cost,
                lower=lower,
                upper=upper,
                integer=integer,
                time_limit=max(time_limit - (time.perf_counter() - t0), 0.01),
                mip_gap=mip_gap,
                abs_gap=abs_gap,
                options=options,
            )
        bound = float(info.mip_dual_bound) if is_mip else obj
        if status == highspy.HighsModelStatus.kOptimal:
            st = "optimal"
        elif status == highspy.HighsModelStatus.kInfeasible:
            st = "infeasible"
        elif has_value:
            st = "feasible"
        else:
            st = "unknown"
        if st == "optimal":
            gap = max(0.0, float(info.mip_gap)) if is_mip else 0.0
        elif has_value:
            # Counts (greedy/generous stages) can be 0: measure against at least 1 student.
            gap = abs(obj - bound) / max(abs(obj), 1.0) if np.isfinite(bound) else float("inf")
        else:
            gap = float("inf")
        return Result(st, values, obj, bound, gap, time.perf_counter() - t0)
