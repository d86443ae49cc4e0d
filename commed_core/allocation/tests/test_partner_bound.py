"""The partner bound (a Lagrangian relaxation at the LP's duals) is a lower bound on every allocation,
at least the LP's bound, and stronger than it on the benchmark instances; its slack is a subgradient, and
the ascent along it raises the bound."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from commed_core.allocation import check, generate_instance, mip, parse_problem
from commed_core.allocation._greedy import greedy_allocation
from commed_core.allocation._partner_bound import Ascent, PartnerLagrangian, _count_vectors, partner_bound
from commed_core.allocation.check import rank_cost

from ._random import all_assignments, seat_cut_separation, tiny_problem

LEFT_OUT = 100.0  # the separation's price of a student left out, here


def _with_a_second_attribute(data: dict[str, Any], seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    if rng.random() < 0.5 and data["rules"].get("no_isolation"):
        for s in data["students"]:
            s["attributes"]["year"] = rng.choice(["1", "2"])
        data["rules"]["no_isolation"] = ["gender", "year"]
    return data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6))
def test_the_partner_bound_is_below_every_allocation_and_above_the_lp(seed: int) -> None:
    problem = parse_problem(_with_a_second_attribute(tiny_problem(seed), seed))
    costs = [
        sum(rank_cost(problem, s, p) for s, p in a.items()) + LEFT_OUT * (len(problem.students) - len(a))
        for a in all_assignments(problem)
        if check(problem, a) == []
    ]
    if not costs:  # no allocation keeps the rules (a project that may not close cannot fill)
        return
    b, cost, sep = seat_cut_separation(problem, left_out=LEFT_OUT)
    assert sep.row_duals is not None
    solution = partner_bound(problem, b, cost, sep.row_duals)
    bound = None if solution is None else solution.value
    if problem.rules.together or problem.rules.apart or problem.rules.locked:
        assert bound is None  # their pair rows tie projects of different partners
        return
    assert bound is not None
    assert bound <= min(costs) + 1e-6
    assert bound >= sep.bound - 1e-6


@pytest.mark.parametrize("seed", [1, 6])
def test_the_partner_bound_closes_part_of_the_lp_gap_on_the_benchmark_instances(seed: int) -> None:
    for part in mip._components(parse_problem(generate_instance(1000, seed=seed))):
        b, cost, sep = seat_cut_separation(part, left_out=LEFT_OUT)
        assert sep.row_duals is not None
        solution = partner_bound(part, b, cost, sep.row_duals)
        assert solution is not None
        bound = solution.value
        out = mip._solve_part(part, time_limit=60, mip_gap=0.0, progress=None, fb_eff=None)
        assert out.optimal and not out.unassigned
        assert sep.bound - 1e-6 <= bound <= out.objective + 1e-6
        # it closes a tenth to two thirds of each part's gap (12% to 68% here: the LP's duals are not unique)
        assert bound - sep.bound >= (out.objective - sep.bound) / 10


def test_a_large_part_reports_the_partner_bound_where_it_beats_the_lp(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mip, "LARGE_PART_STUDENTS", 100)
    part = mip._components(parse_problem(generate_instance(1000, seed=6)))[1]
    out = mip._solve_part(part, time_limit=20, mip_gap=0.0, progress=None, fb_eff=None)
    lp = float(out.stages[0].rsplit(": ", 1)[1])
    line = next(s for s in out.stages if s.startswith("partner bound at the LP's duals: "))
    by_partner = float(line.split(": ")[1].split()[0])
    assert by_partner > lp + 1
    assert not out.unassigned and check(part, out.assignment) == []
    assert out.bound >= by_partner - 1e-9 and out.bound <= out.objective + 1e-6


@pytest.mark.parametrize("seed", [1, 6])
def test_the_partner_bound_s_groups_keep_each_partner_s_rules_and_reach_the_bound(seed: int) -> None:
    # The groups guide a sub-MIP on large parts (decisions where the allocation differs from them): each
    # partner's groups must be a choice the rules allow, within its capacity, and be the bound's.
    part = mip._components(parse_problem(generate_instance(1000, seed=seed)))[0]
    b, cost, sep = seat_cut_separation(part, left_out=LEFT_OUT)
    assert sep.row_duals is not None
    solution = partner_bound(part, b, cost, sep.row_duals)
    assert solution is not None
    assert solution.value >= sep.bound - 1e-6
    assert set(solution.size) == {p.id for p in part.projects}
    load: dict[str, int] = {}
    for p in part.projects:
        size = solution.size[p.id]
        assert (size == 0 and (p.may_close or p.min == 0)) or p.min <= size <= p.max
        assert size > 0 or not solution.present[p.id]
        load[p.partner] = load.get(p.partner, 0) + size
        for ai, value in solution.present[p.id]:
            assert any(s.attributes.get(part.rules.no_isolation[ai]) == value for s in part.students)
    assert all(total <= part.partner_capacity(cid) for cid, total in load.items())
    # closed projects and minorities present: a real guide, not all-open or all-empty
    assert any(size == 0 for size in solution.size.values())
    assert any(len(held) > 1 for held in solution.present.values())


def test_a_large_part_has_sub_mips_where_it_differs_from_the_partner_bound_s_groups(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(mip, "LARGE_PART_STUDENTS", 100)
    part = mip._components(parse_problem(generate_instance(1000, seed=1)))[1]
    out = mip._solve_part(part, time_limit=30, mip_gap=0.0, progress=None, fb_eff=None)
    at_lp = next(s for s in out.stages if s.startswith("partner bound at the LP's duals: "))
    ascents = [s for s in out.stages if s.startswith("partner bound, ")]
    values = [float(s.split(": ")[1].split()[0]) for s in ascents]
    # the ascent's first steps come before the rounds and raise the bound; it never falls
    assert out.stages.index(ascents[0]) < next(i for i, s in enumerate(out.stages) if "the LP differ" in s)
    assert ascents[0].startswith(f"partner bound, {mip.ASCENT_FIRST} steps of its ascent: ")
    assert values[0] >= float(at_lp.split(": ")[1].split()[0])
    assert values == sorted(values)
    first = next(i for i, s in enumerate(out.stages) if "where the start and the LP differ" in s)
    guided = [s for s in out.stages if "the partner bound's groups at its ascent's best prices differ" in s]
    assert guided and out.stages.index(guided[0]) == first + 1  # right after the first round around the LP
    assert ": optimal, 0 unassigned" in guided[0]
    before = int(out.stages[first].rsplit("rank cost ", 1)[1].split()[0])
    costs = [int(s.rsplit("rank cost ", 1)[1].split()[0]) for s in guided]
    assert costs[0] < before  # it finds what the LP's neighbourhood did not (941 -> 939, the optimum)
    assert costs == sorted(costs, reverse=True)
    assert not out.unassigned and check(part, out.assignment) == []
    # here the ascent's bound comes within 1 of the allocation (939), which proves it optimal (the rank cost
    # is an integer), and the search stops there
    assert out.objective == costs[-1] == 939
    assert out.optimal and out.gap == 0.0
    assert out.objective - 1 < values[-1] <= out.bound + 0.005  # (printed to 2 places)
    assert "everyone placed: feasible (0.00s)" in out.stages[-1]


def test_the_ascent_raises_the_bound_on_every_large_part_of_the_benchmark() -> None:
    # N = 10,000 is two parts of 5,000 students; here the same at N = 2,000 (two parts of 1,000): from the
    # separation LP's duals, every step's bound is valid (below the optimum) and the best rises
    for part in mip._components(parse_problem(generate_instance(2000, seed=2))):
        b, cost, sep = seat_cut_separation(part, left_out=LEFT_OUT)
        assert sep.row_duals is not None
        lagrangian = PartnerLagrangian.of(part, b, cost)
        assert lagrangian is not None
        start = lagrangian.at(sep.row_duals)
        assert start is not None
        out = mip._solve_part(part, time_limit=60, mip_gap=0.0, progress=None, fb_eff=None)
        assert out.optimal
        ascent = Ascent(lagrangian, sep.row_duals, start, out.objective + 10)
        seen = [start.value]
        for _ in range(100):
            ascent.step()
            seen.append(ascent.best.value)
        assert seen == sorted(seen)
        assert seen[-1] <= out.objective + 1e-6
        assert seen[-1] - seen[0] >= (out.objective - seen[0]) / 4  # it closes a good part of what is left
        groups = ascent.groups()
        assert groups.value == pytest.approx(ascent.best.value)
        assert set(groups.size) == {p.id for p in part.projects}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6))
def test_the_slack_is_a_subgradient_of_the_bound(seed: int) -> None:
    # L(u') <= L(u) + slack(u) . (u' - u) for any prices u', u: what the ascent relies on, and what makes
    # the slack the students' rows' right-hand side less the groups' use of them
    problem = parse_problem(_with_a_second_attribute(tiny_problem(seed), seed))
    if problem.rules.together or problem.rules.apart or problem.rules.locked:
        return
    b, cost, sep = seat_cut_separation(problem, left_out=LEFT_OUT)
    if sep.row_duals is None:
        return
    lagrangian = PartnerLagrangian.of(problem, b, cost)
    assert lagrangian is not None
    rng = np.random.default_rng(seed)
    here = lagrangian.at(sep.row_duals)
    if here is None:
        return
    relaxed = np.concatenate([lagrangian.type_rows, lagrangian.group_rows])  # the rows the ascent moves
    for _ in range(5):
        other = sep.row_duals.copy()
        other[relaxed] += rng.normal(0.0, 3.0, len(relaxed))
        there = lagrangian.at(other)
        assert there is not None
        assert there.value <= here.value + float(here.slack @ (other - sep.row_duals)) + 1e-6
        bare = lagrangian.at(other, groups=False)
        assert bare is not None and bare.value == pytest.approx(there.value)


def test_too_many_classes_for_the_enumeration_give_no_bound_instead_of_a_long_wait() -> None:
    # 3 attributes of 3 values and 2 languages: 108 classes; 8 seats: C(116, 8) partial vectors
    values = tuple((a, b, c) for a in "xyz" for b in "xyz" for c in "xyz" for _ in range(4))
    speaks = tuple((i % 2 == 0, i % 4 < 2) for i in range(len(values)))
    caps = tuple(8 for _ in values)
    assert _count_vectors(values, speaks, caps, 3, 8, (1, 1)) is None
    # a small case is enumerated in full: two values, 4 seats, no language
    small = _count_vectors((("x",), ("y",)), ((), ()), (4, 4), 3, 4, ())
    assert small is not None
    assert sorted(map(tuple, small.tolist())) == [(0, 3), (0, 4), (2, 2), (3, 0), (4, 0)]


def _decisions(problem: Any, assignment: dict[str, str]) -> tuple[dict[str, bool], set[tuple[str, int, str]]]:
    """Each project's open decision and the (project, attribute index, value) its group holds."""
    members: dict[str, list[str]] = {p.id: [] for p in problem.projects}
    for sid, pid in assignment.items():
        members[pid].append(sid)
    held = {
        (pid, ai, value)
        for pid, sids in members.items()
        for sid in sids
        for ai, attr in enumerate(problem.rules.no_isolation)
        if (value := problem.student(sid).attributes.get(attr)) is not None
    }
    return {pid: bool(sids) for pid, sids in members.items()}, held


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), extra=st.integers(0, 3), shut=st.booleans())
@example(seed=1262, extra=0, shut=False)  # the bound at an allocation's cost, 4e-15 above it (FIX_TOL)
def test_lagrangian_fixing_keeps_every_allocation_that_costs_no_more_than_the_limit(
    seed: int, extra: int, shut: bool
) -> None:
    # at the LP's prices and at the ascent's, every allocation costing at most `above` takes every fixed
    # decision; `above` from the optimum (where most is fixed) to a few units over it; `shut`: the first
    # project takes nobody (max 0: no group of it to enumerate)
    data = _with_a_second_attribute(tiny_problem(seed), seed)
    if shut:
        data["projects"][0].update(min=0, max=0, requires={})
    problem = parse_problem(data)
    if problem.rules.together or problem.rules.apart or problem.rules.locked:
        return
    allocations = [
        (sum(rank_cost(problem, s, p) for s, p in a.items()) + LEFT_OUT * (len(problem.students) - len(a)), a)
        for a in all_assignments(problem)
        if check(problem, a) == []
    ]
    b, cost, sep = seat_cut_separation(problem, left_out=LEFT_OUT)
    lagrangian = PartnerLagrangian.of(problem, b, cost)
    if not allocations or sep.row_duals is None or lagrangian is None:
        return
    above = min(c for c, _ in allocations) + extra
    start = lagrangian.at(sep.row_duals)
    assert start is not None
    ascent = Ascent(lagrangian, sep.row_duals, start, above + 1)
    for prices in (sep.row_duals, None):
        if prices is None:
            for _ in range(30):
                ascent.step()
            prices = ascent.best_duals
        fixed = lagrangian.fixings(prices, above=above)
        assert fixed is not None
        assert fixed.bound == pytest.approx(lagrangian.at(prices).value)  # type: ignore[union-attr]
        for c, a in allocations:
            if c > above:
                continue
            opened, held = _decisions(problem, a)
            for pid, want in fixed.open.items():
                assert opened[pid] == want, (pid, a)
            for key, want in fixed.present.items():
                assert (key in held) == want, (key, a)
        # and the bound with any one decision forced the way an allocation takes it is below its cost
        forced = lagrangian.forced(prices)
        assert forced is not None and forced.bound == pytest.approx(fixed.bound)
        for c, a in allocations:
            opened, held = _decisions(problem, a)
            for p in problem.projects:
                assert forced.bound + forced.against(p.id, None, not opened[p.id]) <= c + 1e-6, (p.id, a)
                for ai, attr in enumerate(problem.rules.no_isolation):
                    for val in {s.attributes.get(attr) for s in problem.students} - {None}:
                        now = (p.id, ai, val) not in held
                        assert forced.bound + forced.against(p.id, (ai, str(val)), now) <= c + 1e-6, (p.id, val, a)


def test_lagrangian_fixing_fixes_most_decisions_of_a_benchmark_part_at_its_optimum() -> None:
    part = max(mip._components(parse_problem(generate_instance(1000, seed=1))), key=lambda p: len(p.students))
    b, cost, sep = seat_cut_separation(part, left_out=LEFT_OUT)
    assert sep.row_duals is not None
    lagrangian = PartnerLagrangian.of(part, b, cost)
    assert lagrangian is not None
    out = mip._solve_part(part, time_limit=60, mip_gap=0.0, progress=None, fb_eff=None)
    assert out.optimal and not out.unassigned
    start = lagrangian.at(sep.row_duals)
    assert start is not None
    ascent = Ascent(lagrangian, sep.row_duals, start, out.objective)
    for _ in range(200):
        ascent.step()
    fixed = lagrangian.fixings(ascent.best_duals, above=out.objective)
    assert fixed is not None
    # the optimum takes every fixed decision, and most decisions are fixed
    opened, held = _decisions(part, out.assignment)
    assert all(opened[pid] == want for pid, want in fixed.open.items())
    assert all((key in held) == want for key, want in fixed.present.items())
    assert len(fixed.open) >= 0.8 * len(b.open_of)
    assert len(fixed.present) >= 0.5 * len(b.y_of)


@pytest.mark.parametrize(
    ("seed", "path"),
    [
        (1, "everyone placed: feasible (0.00s)"),  # a part the ascent proves: no proof by HiGHS
        (6, "sub-MIP at the partner bound's level"),  # a part whose bound is tight and its start is not
        (2, "partner bound's fixing against the start"),  # parts HiGHS proves, with the fixing
        (2, "decisions the partner bound would change most cheaply"),  # and the bound's rounds before it
    ],
)
def test_mid_size_parts_use_the_partner_bound_and_keep_the_optimum(
    monkeypatch: pytest.MonkeyPatch, seed: int, path: str
) -> None:
    # Parts of ROUNDS_STUDENTS to PROOF_MODE_STUDENTS (here made of N = 600's parts of about 300): the ascent
    # after each round, then the sub-MIP at the bound's level, the bound's rounds or the fixing before the
    # proof; the optimum is
    # the one HiGHS reaches without any of it
    problem = parse_problem(generate_instance(600, seed=seed))
    monkeypatch.setattr(mip, "ROUNDS_STUDENTS", 100)
    monkeypatch.setattr(mip, "PROOF_MODE_STUDENTS", 10**6)
    monkeypatch.setattr(mip, "LARGE_PART_STUDENTS", 10**6)
    out = mip.solve_mip(problem, time_limit=60)
    assert any(path in s for s in out.stages), out.stages
    assert any("steps of its ascent" in s for s in out.stages)
    assert out.optimal and check(problem, out.assignment) == [] and not out.unassigned
    monkeypatch.setattr(mip, "ROUNDS_STUDENTS", 10**6)
    plain = mip.solve_mip(problem, time_limit=60)
    assert not any("ascent" in s or "fixing" in s for s in plain.stages), plain.stages
    assert plain.optimal and plain.objective == out.objective


def test_the_partner_bound_s_rounds_free_its_cheapest_decisions_and_keep_every_rule() -> None:
    # From a poor start (the greedy allocation) on the larger part of N = 1,000: with nothing free the round
    # keeps the start's decisions; with some free it keeps every rule and costs no more; with every
    # decision free it is the whole model, whose optimum is the part's
    part = max(mip._components(parse_problem(generate_instance(1000, seed=1))), key=lambda p: len(p.students))
    b, cost, sep = seat_cut_separation(part, left_out=LEFT_OUT)
    lagrangian = PartnerLagrangian.of(part, b, cost)
    assert lagrangian is not None and sep.row_duals is not None and sep.values is not None
    greedy = greedy_allocation(part)
    assert greedy is not None
    start = mip._start_from(part, b, greedy)
    assert start is not None
    first = lagrangian.at(sep.row_duals)
    assert first is not None
    ascent = Ascent(lagrangian, sep.row_duals, first, float(cost @ start))
    for _ in range(100):
        ascent.step()
    forced = lagrangian.forced(ascent.best_duals)
    assert forced is not None
    rank = np.asarray(b.model.cost, dtype=np.float64)
    b.model.set_row_bounds(("unassigned",), 0.0, 0.0)
    decisions = [*b.open_of.values(), *b.y_of.values()]
    runs = {
        n: mip._bound_round(b, forced, start, sep.values, rank, n, 60, mip.PROOF_OPTIONS)
        for n in (0, 20, len(decisions))
    }
    for n, res in runs.items():
        assert res.values is not None, n
        assert rank @ res.values <= rank @ start + 1e-6
        assignment, _out = mip._extract(part, b, res.values)
        assert check(part, assignment) == [] and len(assignment) == len(part.students), n
    assert np.array_equal(np.round(runs[0].values[decisions]), np.round(start[decisions]))  # type: ignore[index]
    assert rank @ runs[20].values < rank @ start - 0.5  # type: ignore[operator]
    best = mip._solve_part(part, time_limit=60, mip_gap=0.0, progress=None, fb_eff=None)
    assert runs[len(decisions)].status == "optimal"
    assert runs[len(decisions)].objective == pytest.approx(best.objective)


def test_small_instances_on_the_mid_size_path_reach_the_plain_optimum(monkeypatch: pytest.MonkeyPatch) -> None:
    # N = 100, parts of about 50 made mid-size: the flip search, the LP's rounds, the ascent, the bound's
    # rounds, its fixing and the proof, against HiGHS on the plain path, for both cost objectives; the bound's
    # rounds run on several of them (a test that still means something if the path changes)
    with_rounds = 0
    for seed in range(1, 9):
        data = generate_instance(100, seed=seed)
        objective = "rank_cost" if seed % 2 else "first_choice"
        problem = parse_problem({**data, "rules": {**data["rules"], "objective": objective}})
        monkeypatch.setattr(mip, "ROUNDS_STUDENTS", 0)
        monkeypatch.setattr(mip, "PROOF_MODE_STUDENTS", 10**6)
        monkeypatch.setattr(mip, "LARGE_PART_STUDENTS", 10**6)
        out = mip.solve_mip(problem, time_limit=60)
        with_rounds += any("would change most cheaply" in s for s in out.stages)
        monkeypatch.setattr(mip, "ROUNDS_STUDENTS", 10**6)
        plain = mip.solve_mip(problem, time_limit=60)
        assert out.optimal and plain.optimal, seed
        assert (len(out.unassigned), out.objective) == (len(plain.unassigned), plain.objective), seed
        assert check(problem, out.assignment) == [], seed
    assert with_rounds >= 3
