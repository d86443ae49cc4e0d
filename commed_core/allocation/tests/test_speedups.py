"""The optimiser's speed-ups keep the answer: independent parts, separated strengthening rows, the
heuristic start (and the answer when HiGHS finds nothing in time)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from commed_core.allocation import check, generate_instance, mip, parse_problem, solve
from commed_core.allocation._greedy import greedy_allocation
from commed_core.allocation._highs import INF, Model, Result


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
    added, _, _ = lazy.model.separate(lazy.vubs, cost=cost, time_limit=60)
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
        if kw.get("integer", True) and kw.get("lower") is None:
            return Result("unknown", None, math.inf, -math.inf, math.inf, 0.0)
        return real(self, **kw)

    monkeypatch.setattr(Model, "solve", no_answer)
    problem = parse_problem(generate_instance(150, seed=4))
    solution = solve(problem, time_limit=20)
    assert check(problem, solution) == []
    assert not solution.optimal
    assert len(solution.assignment) >= 0.9 * len(problem.students)
