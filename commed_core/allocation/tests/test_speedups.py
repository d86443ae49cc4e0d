"""The optimiser's speed-ups keep the answer: independent parts (solved side by side), separated
strengthening rows, HiGHS options for proofs, the heuristic start with its flip search and sub-MIP (and the answer
when HiGHS finds nothing in time)."""

from __future__ import annotations

import itertools
import math
import threading
from types import SimpleNamespace
from typing import Any, cast

import highspy
import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commed_core.allocation import check, generate_instance, mip, parse_problem, solve
from commed_core.allocation._greedy import greedy_allocation
from commed_core.allocation._highs import INF, LpSession, Model, Result
from commed_core.allocation.check import rank_cost
from commed_core.allocation.problem import Problem

from ._random import all_assignments, seat_cut_separation, tiny_problem


def _first_part_without_fallback(n: int) -> Problem:
    """The first independent part of ``generate_instance(n, seed=1)`` with ``fallback_rank`` off."""
    data = generate_instance(n, seed=1)
    data["rules"]["fallback_rank"] = None
    return mip._components(parse_problem(data))[0]


def _sub_mip(model: Model, kw: dict[str, Any]) -> bool:
    """Whether a ``Model.solve`` call with these arguments is a sub-MIP (the rounding's or one around the
    start), which fixes most open/value decisions, rather than a solve of the whole model (which may get
    bounds too: those of reduced-cost fixing, which fix flows)."""
    lo, hi = kw.get("lower"), kw.get("upper")
    if lo is None or hi is None:
        return False
    ints = np.flatnonzero(np.asarray(model.integer))
    return bool(np.count_nonzero(lo[ints] == hi[ints]) > len(ints) // 2)


def test_parts_are_independent_and_cover_the_problem() -> None:
    problem = parse_problem(generate_instance(200, seed=3))
    parts = mip._components(problem)
    # the generator's partners own one project in north/east and one in south/west: two parts
    assert len(parts) == 2
    assert sorted(s.id for p in parts for s in p.students) == sorted(s.id for s in problem.students)
    for part in parts:
        pids = {p.id for p in part.projects}
        assert {p.partner for p in part.projects} == {c.id for c in part.partners}
        for s in part.students:
            assert set(s.preferences) <= pids


def test_solving_the_parts_gives_the_whole_problem_optimum() -> None:
    problem = parse_problem(generate_instance(60, seed=5))
    whole = mip._solve_part(problem, time_limit=60, mip_gap=0.0, progress=None, fb_eff=None)
    split = mip.solve_mip(problem, time_limit=60)
    assert whole.optimal and split.optimal
    assert split.objective == pytest.approx(whole.objective)
    assert len(split.unassigned) == len(whole.unassigned)


def test_separation_reaches_the_lp_bound_of_the_full_strong_model() -> None:
    problem = parse_problem(generate_instance(120, seed=2))
    part = mip._components(problem)[0]
    full = mip.build(part)
    for j, k, cap in full.vubs:
        full.model.add_row([(j, 1.0), (k, -cap)], -INF, 0.0)
    full.model.set_row_bounds(("unassigned",), 0.0, 0.0)
    want = full.model.solve(integer=False).objective
    lazy = mip.build(part)
    cost = np.asarray(lazy.model.cost, dtype=np.float64)
    cost[[j for j, _ in lazy.u_cols]] = 100.0  # unassigned dearer than any placement
    lazy.model.set_row_bounds(("unassigned",), 0.0, 0.0)
    added = lazy.model.separate(lazy.vubs, cost=cost, time_limit=60).added
    assert 0 < len(added) < len(lazy.vubs)
    assert lazy.model.solve(integer=False).objective == pytest.approx(want)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_greedy_allocation_keeps_every_rule(seed: int) -> None:
    problem = parse_problem(generate_instance(300, seed=seed))
    assignment = greedy_allocation(problem)
    assert assignment is not None
    assert check(problem, assignment) == []
    # the family has ~11% spare seats; the optimum leaves at most a few percent unassigned
    assert len(assignment) >= 0.9 * len(problem.students)


def test_without_a_solver_answer_the_heuristic_start_is_returned(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stand-in for a time limit hit before HiGHS finds any allocation: every optimising solve
    returns nothing; the LP rounding and the polish (both with fixed bounds) still run."""
    real = Model.solve

    def no_answer(self: Model, **kw: Any) -> Result:
        if kw.get("integer", True) and not _sub_mip(self, kw):
            return Result("unknown", None, math.inf, -math.inf, math.inf, 0.0)
        return real(self, **kw)

    monkeypatch.setattr(Model, "solve", no_answer)
    problem = parse_problem(generate_instance(150, seed=4))
    solution = solve(problem, time_limit=20)
    assert check(problem, solution) == []
    assert not solution.optimal
    assert len(solution.assignment) >= 0.9 * len(problem.students)


def test_parts_side_by_side_give_the_same_answer_as_one_after_the_other() -> None:
    problem = parse_problem(generate_instance(200, seed=7))
    assert len(mip._components(problem)) > 1
    one = mip.solve_mip(problem, time_limit=60, workers=1)
    two = mip.solve_mip(problem, time_limit=60, workers=2)
    assert one.optimal and two.optimal
    assert one.assignment == two.assignment
    assert one.objective == two.objective


def test_parts_side_by_side_report_every_stage_on_the_calling_thread_as_they_go() -> None:
    # Before, a problem in parts reported only each part's last stage, once the part had finished: the web
    # page's bar stood at 0 for most of the run. The callback must also run on the caller's thread (the web
    # app's writes through that thread's database connection).
    problem = parse_problem(generate_instance(200, seed=7))
    n_parts = len(mip._components(problem))
    assert n_parts > 1
    calls: list[tuple[str, float, int]] = []
    out = mip.solve_mip(
        problem, time_limit=60, workers=2,
        progress=lambda msg, fraction: calls.append((msg, fraction, threading.get_ident())),
    )
    assert out.optimal
    assert {ident for _msg, _f, ident in calls} == {threading.get_ident()}
    for k in range(1, n_parts + 1):
        mine = [msg for msg, _f, _i in calls if msg.startswith(f"part {k}/{n_parts} ")]
        assert any("model built" in msg for msg in mine)
        assert any("LP relaxation" in msg for msg in mine)
        assert mine[-1].endswith(": finished")
    fractions = [f for _msg, f, _i in calls]
    assert fractions == sorted(fractions)
    assert 0.0 <= fractions[0] < 1.0
    assert fractions[-1] == pytest.approx(1.0)


def test_proof_options_reach_the_same_optimum_as_highs_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = parse_problem(generate_instance(250, seed=8))
    monkeypatch.setattr(mip, "PROOF_MODE_STUDENTS", 10**6)
    proof = mip.solve_mip(problem, time_limit=60)
    monkeypatch.setattr(mip, "PROOF_MODE_STUDENTS", 0)
    default = mip.solve_mip(problem, time_limit=60)
    assert proof.optimal and default.optimal
    assert proof.objective == default.objective


def _separated(part: Any, fb_eff: int | None = 6) -> tuple[Any, npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """A part's model, its separation cost (students left out at 100) and the separated LP's solution."""
    b = mip.build(part, fb_eff=fb_eff)
    sep = np.asarray(b.model.cost, dtype=np.float64).copy()
    sep[[j for j, _ in b.u_cols]] = 100.0
    lp = b.model.separate(b.vubs, cost=sep, time_limit=30).values
    assert lp is not None
    return b, sep, lp


def _rounding(problem: Any, search: float) -> tuple[dict[str, str], float]:
    part = mip._components(problem)[0]
    b, sep, lp = _separated(part, fb_eff=problem.rules.fallback_rank)
    values = mip._round_lp(part, b, lp, sep, 30, search_limit=search)
    assert values is not None
    polished = mip._polish(b, Result("feasible", values, 0.0, 0.0, 0.0, 0.0), sep, 30)
    assignment, unassigned = mip._extract(part, b, polished)
    assert set(assignment) | set(unassigned) == {s.id for s in part.students}
    return assignment, float(np.dot(sep, polished))


@pytest.mark.parametrize("seed", [1, 2])
def test_flip_search_improves_the_rounding_and_keeps_every_rule(seed: int) -> None:
    problem = parse_problem(generate_instance(800, seed=seed))
    part = mip._components(problem)[0]
    plain, plain_cost = _rounding(problem, 0.0)
    searched, searched_cost = _rounding(problem, 60.0)
    assert check(part, searched) == []
    assert check(part, plain) == []
    assert searched_cost < plain_cost  # the rounding alone shuts minorities out of too many projects


def test_lp_session_resolves_like_a_fresh_lp() -> None:
    problem = parse_problem(generate_instance(150, seed=3))
    b = mip.build(mip._components(problem)[0], fb_eff=6)
    m = b.model
    cost = np.asarray(m.cost, dtype=np.float64)
    cost[[j for j, _ in b.u_cols]] = 100.0
    lo = np.asarray(m.lower, dtype=np.float64)
    hi = np.asarray(m.upper, dtype=np.float64)
    session = m.lp_session(cost=cost, lower=lo, upper=hi)
    first = session.run(30)
    assert first == pytest.approx(m.solve(cost=cost, integer=False).objective)
    closed = list(b.open_of.values())[:5]
    session.set_bounds([(j, 0.0) for j in closed])
    lo2, hi2 = lo.copy(), hi.copy()
    hi2[closed] = 0.0
    again = session.run(30)
    fresh = m.solve(cost=cost, lower=lo2, upper=hi2, integer=False).objective
    assert again == pytest.approx(fresh)
    assert first is not None and again is not None and again >= first - 1e-9



@pytest.mark.parametrize("objective", ["rank_cost", "first_choice"])
def test_an_integral_lp_after_the_flip_search_is_the_rounding_without_its_mip(
    objective: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = generate_instance(800, seed=1)
    data["rules"]["objective"] = objective
    part = mip._components(parse_problem(data))[0]
    b, sep, lp = _separated(part)
    m = b.model
    seen: dict[str, Any] = {"mip": 0}
    real_flip, real_solve = mip._flip_search, Model.solve

    def flip(*args: Any, **kwargs: Any) -> Any:
        seen["flip"] = real_flip(*args, **kwargs)
        return seen["flip"]

    def counting_solve(self: Model, **kwargs: Any) -> Any:
        seen["mip"] += 1
        return real_solve(self, **kwargs)

    monkeypatch.setattr(mip, "_flip_search", flip)
    monkeypatch.setattr(Model, "solve", counting_solve)
    values = mip._round_lp(part, b, lp, sep, 60, search_limit=20)
    monkeypatch.setattr(Model, "solve", real_solve)
    kept, lp_values = seen["flip"]
    assert values is not None and lp_values is not None
    ints = np.asarray(b.int_cols, dtype=np.int64)
    assert np.all(values[ints] == np.round(values[ints]))
    assert seen["mip"] == 0  # on this instance the LP came out integral: no MIP was run
    lo, hi = np.asarray(m.lower, dtype=np.float64).copy(), np.asarray(m.upper, dtype=np.float64).copy()
    for j, v in kept.items():
        lo[j] = hi[j] = v
    m.set_row_bounds(("unassigned",), 0.0, INF)
    fixed_mip = m.solve(cost=sep, lower=lo, upper=hi, time_limit=60)
    assert fixed_mip.status == "optimal"
    assert float(np.dot(sep, values)) == pytest.approx(fixed_mip.objective)  # what the MIP would have found
    polished = mip._polish(b, Result("feasible", values, 0.0, 0.0, 0.0, 0.0), sep, 30)
    assignment, _ = mip._extract(part, b, polished)
    assert check(part, assignment) == []


def test_the_sub_mip_around_the_start_keeps_every_rule_and_never_worsens_it() -> None:
    problem = parse_problem(generate_instance(800, seed=2))
    part = mip._components(problem)[0]
    b, sep, lp = _separated(part)
    m = b.model
    cost = np.asarray(m.cost, dtype=np.float64)
    start = mip._round_lp(part, b, lp, sep, 30)  # the plain rounding: far from the LP on many decisions
    assert start is not None
    m.set_row_bounds(("unassigned",), 0.0, 0.0)
    sub, free = mip._rins(b, start, lp, cost, 60, 0.0, 0.5)
    assert sub is not None and sub.values is not None and free
    assert sub.status == "optimal"
    assert float(np.dot(cost, sub.values)) < float(np.dot(cost, start))  # it found a better allocation
    # only the freed decisions moved
    for j in [*b.open_of.values(), *b.y_of.values()]:
        if j not in free:
            assert round(sub.values[j]) == round(start[j])
    polished = mip._polish(b, sub, cost, 30)
    assignment, unassigned = mip._extract(part, b, polished)
    assert check(part, assignment) == [] and not unassigned
    assert float(np.dot(cost, sub.values)) >= float(np.dot(cost, lp)) - 1e-6


def test_large_parts_go_through_the_sub_mip_and_keep_every_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mip, "LARGE_PART_STUDENTS", 100)
    monkeypatch.setattr(mip, "PROOF_MODE_STUDENTS", 50)
    problem = parse_problem(generate_instance(600, seed=1))
    out = mip.solve_mip(problem, time_limit=20)
    assert any("sub-MIP on" in stage for stage in out.stages), out.stages
    assert check(problem, out.assignment) == []
    assert not out.unassigned
    assert math.isfinite(out.gap) and out.bound <= out.objective + 1e-6


def test_mid_size_parts_go_through_sub_mip_rounds_with_the_proof_options(monkeypatch: pytest.MonkeyPatch) -> None:
    # Parts of more than ROUNDS_STUDENTS (up to PROOF_MODE_STUDENTS) are proven: the start goes through
    # the flip search and rounds of sub-MIPs, each with HiGHS's proof options, before the full model's
    # proof, and the optimum is the one HiGHS's defaults reach without any of it.
    problem = parse_problem(generate_instance(600, seed=1))
    monkeypatch.setattr(mip, "ROUNDS_STUDENTS", 100)
    monkeypatch.setattr(mip, "PROOF_MODE_STUDENTS", 10**6)
    monkeypatch.setattr(mip, "LARGE_PART_STUDENTS", 10**6)
    real = mip._rins
    seen: list[object] = []

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs.get("options"))
        return real(*args, **kwargs)

    monkeypatch.setattr(mip, "_rins", spy)
    out = mip.solve_mip(problem, time_limit=60)
    rounds = [s for s in out.stages if "sub-MIP on" in s]
    assert len(rounds) >= 2, out.stages  # rounds, not the small parts' single sub-MIP
    assert seen and all(o is mip.PROOF_OPTIONS for o in seen)
    assert out.optimal and check(problem, out.assignment) == [] and not out.unassigned
    monkeypatch.setattr(mip, "_rins", real)
    monkeypatch.setattr(mip, "PROOF_MODE_STUDENTS", 0)
    monkeypatch.setattr(mip, "ROUNDS_STUDENTS", 10**6)
    plain = mip.solve_mip(problem, time_limit=60)
    assert not any("sub-MIP on" in s for s in plain.stages), plain.stages
    assert plain.optimal and plain.objective == out.objective


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), point=st.integers(0, 10**6))
def test_seat_cuts_never_cut_off_an_allocation_within_the_rules(seed: int, point: int) -> None:
    # The cuts broken by a random point of the box (about a third of the examples break some), against
    # every allocation that keeps every rule. No special students: their columns are not written here.
    data = tiny_problem(seed)
    data["rules"].update(no_isolation=["gender"], together=[], apart=[], locked={})
    problem = parse_problem(data)
    b = mip.build(problem)
    lo = np.asarray(b.model.lower, dtype=np.float64)
    hi = np.asarray(b.model.upper, dtype=np.float64)
    v = lo + np.random.default_rng(point).random(lo.size) * (hi - lo)
    cuts = mip.seat_cuts(b.seat_groups, v)
    for assignment in all_assignments(problem):
        if check(problem, assignment):
            continue
        w = mip._start_from(problem, b, assignment)
        assert w is not None
        for entries, _, upper in cuts:
            assert sum(c * w[j] for j, c in entries) <= upper + 1e-9, (assignment, entries)


@pytest.mark.parametrize(("n", "seed"), [(120, 1), (300, 1), (300, 2)])
def test_seat_cuts_raise_the_lp_bound_and_keep_the_optimum(n: int, seed: int) -> None:
    part = mip._components(parse_problem(generate_instance(n, seed=seed)))[0]
    bounds, optima = [], []
    for with_seats in (False, True):
        b = mip.build(part)
        cost = np.asarray(b.model.cost, dtype=np.float64)
        sep = cost.copy()
        sep[[j for j, _ in b.u_cols]] = 100.0
        extra = (lambda v, b=b: mip.seat_cuts(b.seat_groups, v)) if with_seats else None
        bound = b.model.separate(b.vubs, cost=sep, time_limit=30, extra=extra).bound  # kept in the model
        bounds.append(bound)
        optima.append(b.model.solve(cost=sep, time_limit=60, abs_gap=mip.INT_GAP).objective)
    assert bounds[1] > bounds[0] + 0.5
    assert optima[1] == pytest.approx(optima[0])
    assert optima[0] >= bounds[1] - 1e-6


@pytest.mark.parametrize("objective", ["greedy", "generous"])
def test_each_count_stage_gets_a_share_of_the_time_not_all_of_it(
    objective: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One hard count (nobody at rank >= 6?) used to take the whole limit and leave the later stages, which
    # make the allocation good, no time: at N = 1,000 "generous" ended 54% first choices instead of 64%.
    limits: list[float] = []
    real = Model.solve

    def spy(self: Model, **kwargs: Any) -> Result:
        if kwargs.get("integer", True):
            limits.append(float(kwargs["time_limit"]))
        return real(self, **kwargs)

    monkeypatch.setattr(Model, "solve", spy)
    data = generate_instance(60, seed=1)
    data["rules"]["objective"] = objective
    problem = parse_problem(data)
    part = mip._components(problem)[0]
    out = mip._solve_part(part, time_limit=40, mip_gap=0.0, progress=None, fb_eff=None)
    stages = [s for s in out.stages if "minimise count" in s]
    limits = limits[-len(stages) :]  # the count stages come last (before them: minimise unassigned, if run)
    assert len(stages) >= 3
    assert limits[0] <= 40 / len(limits) + 1e-6  # the first of n stages: at most 1/n of the limit
    assert all(b >= a - 1e-6 for a, b in itertools.pairwise(limits))  # time left over moves on


@pytest.mark.parametrize("objective", ["greedy", "generous"])
def test_count_stages_break_ties_by_the_rank_cost_and_stop_once_the_count_is_proven(
    objective: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A count alone is a very degenerate objective: at N = 1,000 HiGHS did not find in 5 s that nobody need
    # be placed at the fallback rank, and "generous" ended its 30 s unproven. Each stage now minimises
    # weight * count + rank cost (weight above any allocation's rank cost) and stops once the bound is within
    # a lower bound on the rank cost (+ INT_GAP) of the incumbent: the count is then minimal.
    calls: list[dict[str, Any]] = []
    real = Model.solve

    def spy(self: Model, **kwargs: Any) -> Result:
        res = real(self, **kwargs)
        if kwargs.get("integer", True):
            calls.append({**kwargs, "result": res})
        return res

    monkeypatch.setattr(Model, "solve", spy)
    data = generate_instance(60, seed=1)
    data["rules"]["objective"] = objective
    problem = parse_problem(data)
    part = mip._components(problem)[0]
    b = mip.build(part)
    rank = np.asarray(b.model.cost, dtype=np.float64)
    weight = float(rank.max()) * len(part.students) + 1.0
    out = mip._solve_part(part, time_limit=40, mip_gap=0.0, progress=None, fb_eff=None)
    n_stages = sum("minimise count" in s for s in out.stages)
    stage_calls = calls[-n_stages:]
    assert n_stages >= 3 and out.optimal and out.gap == 0.0
    for call in stage_calls:
        extra = np.asarray(call["cost"]) - rank
        assert set(np.unique(extra)) == {0.0, weight}  # the count's columns carry the weight, on the rank cost
    # one floor for every stage: a lower bound on the rank cost (the rank-cost solve's before the stages)
    floors = {round(call["abs_gap"] - mip.INT_GAP, 6) for call in stage_calls}
    assert len(floors) == 1
    floor = floors.pop()
    assert 0 < floor <= out.objective + 1e-6


def test_a_count_stage_gap_is_what_the_bound_proves() -> None:
    weight = 101.0  # rank costs 0..100
    # the stop rule: within INT_GAP of weight * count (rank floor 0): nothing with one fewer is possible
    assert mip._count_stage_gap(7.0, 7 * weight - mip.INT_GAP, weight) == 0.0
    # one fewer with the largest rank cost, weight * 6 + 100, is not excluded by this bound
    assert mip._count_stage_gap(7.0, 6 * weight + 100.0, weight) == pytest.approx(1 / 7)
    assert mip._count_stage_gap(7.0, 6 * weight + 100.5, weight) == 0.0
    assert mip._count_stage_gap(7.0, 0.0, weight) == 1.0  # a bound of 0 allows a count of 0
    assert mip._count_stage_gap(7.0, -INF, weight) == 1.0
    assert mip._count_stage_gap(0.0, -INF, weight) == 0.0
    assert mip._count_stage_gap(0.0, 50.0, weight) == 0.0


@pytest.mark.parametrize("repair", [False, True])
def test_a_large_part_whose_start_leaves_students_out_has_them_placed_by_the_sub_mip(
    repair: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # At N = 10,000 without fallback the start left ~100 students of each part out, and only starts placing
    # everyone went through the sub-MIP: the full model then had no time to place them (45 left out, where
    # direct HiGHS placed everyone).
    monkeypatch.setattr(mip, "LARGE_PART_STUDENTS", 100)
    monkeypatch.setattr(mip, "PROOF_MODE_STUDENTS", 50)
    monkeypatch.setattr(mip, "_round_lp", lambda *a, **k: None)  # the start is greedy's, which leaves students out
    if repair:  # no rounds on the LP's disagreements: only the sub-MIP on what could place those left out
        monkeypatch.setattr(mip, "RINS_DIFFS", ())
        monkeypatch.setattr(mip, "LEFT_OUT_FREED", 10**6)
    part = _first_part_without_fallback(600)
    out = mip._solve_part(part, time_limit=30, mip_gap=0.0, progress=None, fb_eff=None)
    start = next(s for s in out.stages if s.startswith("heuristic start"))
    assert not start.startswith("heuristic start: 0 unassigned"), start
    first_sub = next(s for s in out.stages if s.startswith("sub-MIP"))
    assert ("could place the" in first_sub) == repair, first_sub
    assert ", 0 unassigned," in first_sub, first_sub  # the sub-MIP placed them, not the full model after it
    assert not out.unassigned and check(part, out.assignment) == []
    assert math.isfinite(out.gap) and out.bound <= out.objective + 1e-6


def test_a_large_part_whose_start_leaves_many_out_has_them_placed_before_the_sub_mip(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # N = 10,000 without fallback on a slow machine: the rounding left ~110 of each 5,000-student part out,
    # the sub-MIP around it (hundreds of decisions free) did not finish in 10 s and placed none, and 134 to
    # 247 students ended unassigned. HiGHS's own heuristics on the count alone place most of them first.
    monkeypatch.setattr(mip, "LARGE_PART_STUDENTS", 100)
    monkeypatch.setattr(mip, "PROOF_MODE_STUDENTS", 50)
    monkeypatch.setattr(mip, "LEFT_OUT_FREED", 2)
    monkeypatch.setattr(mip, "_round_lp", lambda *a, **k: None)  # the start is greedy's, which leaves students out
    part = _first_part_without_fallback(600)
    out = mip._solve_part(part, time_limit=30, mip_gap=0.0, progress=None, fb_eff=None)
    start = next(s for s in out.stages if s.startswith("heuristic start"))
    left_out = int(start.split(": ")[1].split()[0])
    assert left_out > 2, start
    placed = next(s for s in out.stages if s.startswith("place those left out"))
    assert int(placed.split(", ")[1].split()[0]) < left_out, placed
    assert out.stages.index(placed) < min(i for i, s in enumerate(out.stages) if s.startswith("sub-MIP"))
    assert not out.unassigned and check(part, out.assignment) == []


def test_a_proven_part_whose_start_leaves_a_few_out_has_them_placed_by_the_sub_mip_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Without fallback the rounding can leave a few students out; the proof then started without any start
    # (N = 1,000, seed 1: 3.8 s). The sub-MIP before the proof now takes such a start too (students left
    # out cost more than any placement of everyone, the decisions that could place them freed), and the
    # proof starts from an allocation that places everyone (1.6 s).
    monkeypatch.setattr(mip, "_round_lp", lambda *a, **k: None)  # the start is greedy's, which leaves students out
    monkeypatch.setattr(mip, "LEFT_OUT_FREED", 10**6)
    starts: list[bool] = []
    real = Model.solve

    def spy(self: Model, **kw: Any) -> Result:
        if kw.get("integer", True) and not _sub_mip(self, kw) and self.row_upper[self.rows[("unassigned",)]] == 0:
            starts.append(kw.get("start") is not None)
        return real(self, **kw)

    monkeypatch.setattr(Model, "solve", spy)
    part = _first_part_without_fallback(600)
    assert len(part.students) <= mip.ROUNDS_STUDENTS
    out = mip._solve_part(part, time_limit=30, mip_gap=0.0, progress=None, fb_eff=None)
    start = next(s for s in out.stages if s.startswith("heuristic start"))
    assert not start.startswith("heuristic start: 0 unassigned"), start
    sub = next(s for s in out.stages if s.startswith("sub-MIP"))
    assert ", 0 unassigned," in sub, sub
    assert starts == [True]
    assert out.optimal and not out.unassigned and check(part, out.assignment) == []
    b = mip.build(part)
    b.model.set_row_bounds(("unassigned",), 0.0, 0.0)
    monkeypatch.setattr(Model, "solve", real)
    assert out.objective == pytest.approx(b.model.solve(time_limit=60, abs_gap=mip.INT_GAP).objective)


def test_a_part_that_must_leave_students_out_gets_unassigned_then_rank_cost_in_one_solve() -> None:
    # The count of students left out alone is a degenerate objective, and the cheapest allocation leaving
    # that many out was a second solve from scratch (N = 300 without fallback, seed 1: 0.93 + 0.27 s); one
    # solve of weight * unassigned + rank cost gives both (0.31 s).
    part = _first_part_without_fallback(300)  # the larger of its two parts
    out = mip._solve_part(part, time_limit=30, mip_gap=0.0, progress=None, fb_eff=None)
    assert any(s.startswith("minimise unassigned, then the rank cost: optimal") for s in out.stages), out.stages
    assert not any(s.startswith("rank objective with") for s in out.stages), out.stages
    assert out.optimal and out.unassigned and check(part, out.assignment) == []
    assert out.bound <= out.objective + 1e-6 and out.objective - out.bound < 1
    # the same as the two solves: the fewest left out, then the cheapest allocation leaving that many out
    b = mip.build(part)
    m = b.model
    u_cost = np.zeros(m.num_cols)
    u_cost[[j for j, _ in b.u_cols] + [j for j, _ in b.su_cols]] = 1.0
    fewest = m.solve(cost=u_cost, time_limit=60, abs_gap=mip.INT_GAP)
    assert fewest.objective == pytest.approx(len(out.unassigned))
    m.set_row_bounds(("unassigned",), 0.0, float(len(out.unassigned)))
    assert m.solve(time_limit=60, abs_gap=mip.INT_GAP).objective == pytest.approx(out.objective)


def test_with_everyone_placed_the_lp_bound_stands_in_for_a_solve_cut_short(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stand-in for a large part whose stages get little time: "everyone placed" finds nothing, "minimise
    unassigned" finds an allocation placing everyone but no bound. The separation LP bounds any allocation
    placing everyone, so the gap is finite (it read 100% before)."""
    real = Model.solve

    def cut_short(self: Model, **kw: Any) -> Result:
        if not kw.get("integer", True) or _sub_mip(self, kw):
            return real(self, **kw)  # LPs, the rounding and sub-MIPs: as they are
        if self.row_upper[self.rows[("unassigned",)]] == 0.0:
            return Result("unknown", None, math.inf, -math.inf, math.inf, 0.0)
        res = real(self, **kw)
        return Result("feasible", res.values, res.objective, -math.inf, math.inf, res.seconds)

    monkeypatch.setattr(Model, "solve", cut_short)
    part = mip._components(parse_problem(generate_instance(400, seed=1)))[0]  # everyone can be placed
    out = mip._solve_part(part, time_limit=30, mip_gap=0.0, progress=None, fb_eff=None)
    assert any(s.startswith("minimise unassigned, then the rank cost: feasible") for s in out.stages), out.stages
    assert not out.unassigned and check(part, out.assignment) == [] and not out.optimal
    lp = float(out.stages[0].rsplit(": ", 1)[1])
    assert out.bound == pytest.approx(lp, abs=0.01)
    assert out.gap == pytest.approx((out.objective - out.bound) / out.objective)


class _RunForTwelveSeconds:
    """Stands in for a Highs object already run for 12 s in all (HiGHS sums its run time over runs)."""

    def __init__(self) -> None:
        self.options: dict[str, object] = {}

    def getRunTime(self) -> float:
        return 12.0

    def setOptionValue(self, name: str, value: object) -> None:
        self.options[name] = value

    def run(self) -> None:
        pass

    def getModelStatus(self) -> object:
        return highspy.HighsModelStatus.kOptimal

    def getInfo(self) -> object:
        return SimpleNamespace(objective_function_value=1.0)


def test_a_rerun_gets_its_time_limit_on_top_of_the_time_already_run() -> None:
    # HiGHS compares time_limit with the run time summed over every run of the object: a limit of "what is
    # left" stopped the separation at N = 10,000 at 4.2 s of its 8 s, and failed the flip search's re-solves.
    fake = _RunForTwelveSeconds()
    assert LpSession(cast(Any, fake)).run(3.0) == 1.0
    assert fake.options["time_limit"] == pytest.approx(15.0)


def test_a_thread_where_highs_already_ran_with_two_threads_still_solves() -> None:
    # HiGHS sets up its scheduler once per thread with the first run's thread count and then refuses runs
    # asking for another: after the benchmark's direct-HiGHS baseline (two threads), a part resumed in the
    # main thread came back "unknown" in 0.00 s. Run in a thread of its own, so the test's thread is untouched.
    problem = parse_problem(generate_instance(60, seed=1))
    part = mip._components(problem)[0]
    outcome: dict[str, Any] = {}

    def work() -> None:
        other = highspy.Highs()
        other.setOptionValue("output_flag", False)
        other.setOptionValue("threads", 2)
        other.addVar(0.0, 1.0)
        other.run()  # this thread's scheduler now has two threads
        outcome["out"] = mip._solve_part(part, time_limit=30, mip_gap=0.0, progress=None, fb_eff=None)
        highspy.Highs.resetGlobalScheduler(True)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    out = outcome["out"]
    assert out.optimal, out.stages
    assert check(part, out.assignment) == []


def test_a_first_try_cut_short_that_placed_everyone_goes_on_with_the_time_left(monkeypatch: pytest.MonkeyPatch) -> None:
    # A start leaving students out gives "everyone placed" a share of the time only; when that try places
    # everyone without a proof, the rest of the time goes on from it (it used to end the part there).
    monkeypatch.setattr(mip, "_round_lp", lambda *a, **k: None)  # the start is greedy's, which leaves students out
    real = Model.solve
    calls: list[str] = []

    def first_try_cut_short(self: Model, **kw: Any) -> Result:
        res = real(self, **kw)
        if kw.get("integer", True) and not _sub_mip(self, kw) and not calls:
            calls.append("cut")
            return Result("feasible", res.values, res.objective, -math.inf, math.inf, res.seconds)
        return res

    monkeypatch.setattr(Model, "solve", first_try_cut_short)
    part = _first_part_without_fallback(400)
    out = mip._solve_part(part, time_limit=30, mip_gap=0.0, progress=None, fb_eff=None)
    assert not next(s for s in out.stages if s.startswith("heuristic start")).startswith("heuristic start: 0 ")
    assert out.stages[-2].startswith("everyone placed: feasible"), out.stages
    assert out.stages[-1].startswith("everyone placed, continued: optimal"), out.stages
    assert out.optimal and out.gap == 0.0 and not out.unassigned and check(part, out.assignment) == []


def test_a_part_proven_optimal_starts_from_a_sub_mip_around_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = parse_problem(generate_instance(400, seed=1))
    out = mip.solve_mip(problem, time_limit=60)
    subs = [s for s in out.stages if "sub-MIP on" in s]
    assert subs, out.stages
    assert out.optimal and check(problem, out.assignment) == []
    # the same optimum as HiGHS's defaults reach without proof mode (and so without that sub-MIP)
    monkeypatch.setattr(mip, "PROOF_MODE_STUDENTS", 0)
    plain = mip.solve_mip(problem, time_limit=60)
    assert not any("sub-MIP on" in s for s in plain.stages), plain.stages
    assert plain.optimal and plain.objective == out.objective


@pytest.mark.parametrize("objective", ["rank_cost", "greedy"])
def test_an_optimum_that_came_out_integral_is_read_without_the_polish_lp(
    monkeypatch: pytest.MonkeyPatch, objective: str
) -> None:
    real = mip._polish
    polished: list[int] = []

    def counted(*a: Any, **k: Any) -> Any:
        polished.append(1)
        return real(*a, **k)

    monkeypatch.setattr(mip, "_polish", counted)
    data = generate_instance(200, seed=3)
    data["rules"]["objective"] = objective
    problem = parse_problem(data)
    out = mip.solve_mip(problem, time_limit=60)
    assert out.optimal and check(problem, out.assignment) == []
    # the objective reported is that of the allocation returned
    assert out.objective == sum(rank_cost(problem, s, p) for s, p in out.assignment.items())
    if objective == "rank_cost":
        assert polished == []
    else:  # the count stages' flows are re-solved for the rank cost
        assert polished


@pytest.mark.parametrize(("n", "seed"), [(1000, 1), (300, 1)])
def test_without_a_search_the_rounding_is_an_lp_unless_it_leaves_a_count_fractional(
    n: int, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    part = sorted(mip._components(parse_problem(generate_instance(n, seed=seed))), key=lambda q: -len(q.students))[0]
    b, sep, lp = _separated(part)
    m = b.model
    real_solve = Model.solve
    kinds: list[bool] = []

    def recording_solve(self: Model, **kwargs: Any) -> Any:
        kinds.append(bool(kwargs.get("integer", True)))
        return real_solve(self, **kwargs)

    monkeypatch.setattr(Model, "solve", recording_solve)
    values = mip._round_lp(part, b, lp, sep, 60)
    monkeypatch.setattr(Model, "solve", real_solve)
    assert kinds == [False]  # one LP, no MIP: integral on the first instance, infeasible on the second
    # what the rounding MIP gives with the same decisions fixed
    m.set_row_bounds(("unassigned",), 0.0, INF)
    monkeypatch.setattr(Model, "solve", lambda self, **kw: real_solve(self, **{**kw, "integer": True}))
    as_mip = mip._round_lp(part, b, lp, sep, 60)
    if values is None:
        assert as_mip is None
    else:
        assert as_mip is not None
        assert float(np.dot(sep, values)) == pytest.approx(float(np.dot(sep, as_mip)))
        ints = np.asarray(b.int_cols, dtype=np.int64)
        assert np.all(values[ints] == np.round(values[ints]))
        polished = mip._polish(b, Result("feasible", values, 0.0, 0.0, 0.0, 0.0), sep, 30)
        assignment, _ = mip._extract(part, b, polished)
        assert check(part, assignment) == []


def test_reduced_cost_bounds_keep_what_a_cost_within_the_slack_allows() -> None:
    # min x + 3y - z with x + y >= 2: the LP takes x = 2, y = 0 (reduced cost 2), z = 4 (reduced cost -1)
    m = Model()
    x = m.col(1.0, 0.0, 5.0, False, [("cover", 1.0)])
    y = m.col(3.0, 0.0, 5.0, False, [("cover", 1.0)])
    z = m.col(-1.0, 0.0, 4.0, False)
    m.set_row_bounds("cover", 2.0, INF)
    sep = m.separate([], cost=np.asarray(m.cost), time_limit=10, extra=lambda v: [])
    assert sep.reduced_costs is not None and sep.bound == pytest.approx(-2.0)
    lo, hi, changed = mip._reduced_cost_bounds(m, sep.reduced_costs, 1.0)
    # within 1 of the bound: y (2 a unit) must stay 0, z (1 a unit) may fall by one at most
    assert (lo[y], hi[y]) == (0.0, 0.0) and (lo[z], hi[z]) == (3.0, 4.0) and (lo[x], hi[x]) == (0.0, 5.0)
    assert changed == 2
    lo, hi, changed = mip._reduced_cost_bounds(m, sep.reduced_costs, 5.0)
    assert (lo[y], hi[y]) == (0.0, 2.0) and (lo[z], hi[z]) == (0.0, 4.0) and changed == 1


@pytest.mark.parametrize(("n", "seed"), [(300, 1), (300, 2), (1000, 1)])
def test_reduced_cost_bounds_from_the_seat_cut_lp_keep_the_optimum(n: int, seed: int) -> None:
    part = mip._components(parse_problem(generate_instance(n, seed=seed)))[0]
    b, sep_cost, sep = seat_cut_separation(part, fb_eff=6)
    m = b.model
    assert sep.reduced_costs is not None
    # the separation's cost (students left out at 100: some of N = 300 cannot be placed), as in _solve_part
    best = m.solve(cost=sep_cost, time_limit=120, abs_gap=mip.INT_GAP)
    assert best.status == "optimal" and best.values is not None and mip._integral(best.values)
    lo, hi, changed = mip._reduced_cost_bounds(m, sep.reduced_costs, best.objective - sep.bound + 1e-6)
    assert changed > 0
    # the optimum keeps every bound, and the model with them has the same optimum
    assert np.all(best.values >= lo - 1e-6) and np.all(best.values <= hi + 1e-6)
    fixed = m.solve(cost=sep_cost, lower=lo, upper=hi, time_limit=120, abs_gap=mip.INT_GAP)
    assert fixed.status == "optimal" and fixed.objective == pytest.approx(best.objective)


def test_a_proof_from_a_start_that_places_everyone_searches_only_what_the_reduced_costs_allow() -> None:
    problem = parse_problem(generate_instance(400, seed=1))
    out = mip.solve_mip(problem, time_limit=60)
    fixing = [s for s in out.stages if "reduced costs against the start" in s]
    assert len(fixing) == 2, out.stages  # both parts
    assert all(int(s.rsplit(": ", 1)[1].split()[0]) > 0 for s in fixing), fixing
    assert out.optimal and check(problem, out.assignment) == []
