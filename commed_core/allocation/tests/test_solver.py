from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commed_core.allocation import (
    InfeasibleError,
    Problem,
    blocking_pairs,
    check,
    evaluate_move,
    explain_infeasible,
    generate_instance,
    parse_problem,
    solve,
)
from commed_core.allocation.check import PartnerOrder
from commed_core.allocation.cli import main
from commed_core.allocation.infeasible import all_groups

from ._random import all_assignments, brute_force_best, lexkey, tiny_problem

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("objective", ["rank_cost", "first_choice", "greedy", "generous"])
@SETTINGS
@given(seed=st.integers(0, 10**6))
def test_it_matches_brute_force_and_breaks_no_rule(objective: str, seed: int) -> None:
    problem = parse_problem(tiny_problem(seed, objective))
    best = brute_force_best(problem, objective)
    if best is None:
        with pytest.raises(InfeasibleError) as exc:
            solve(problem, time_limit=10)
        assert exc.value.conflicts
        return
    solution = solve(problem, time_limit=10)
    assert check(problem, solution) == []
    assert solution.optimal
    assert lexkey(problem, solution.assignment, objective) == best
    assert set(solution.unassigned) == {s.id for s in problem.students} - set(solution.assignment)


@SETTINGS
@given(seed=st.integers(0, 10**6))
def test_stable_mode_has_no_blocking_pair_and_reports_broken_rules(seed: int) -> None:
    problem = parse_problem(tiny_problem(seed, "stable"))
    solution = solve(problem)
    assert blocking_pairs(problem, solution) == []
    assert solution.warnings == [f"{v.rule}: {v.message}" for v in check(problem, solution)]


@pytest.mark.filterwarnings("ignore::UserWarning")  # matching warns when it trims capacities
@SETTINGS
@given(seed=st.integers(0, 10**6))
def test_stable_mode_matches_the_matching_package(seed: int) -> None:
    from matching.games import StudentAllocation

    sys.setrecursionlimit(10_000)
    problem = parse_problem(tiny_problem(seed, "stable", rich=False))
    solution = solve(problem)
    order = PartnerOrder(problem)
    student_prefs = {s.id: list(s.preferences) for s in problem.students}
    sup_prefs = {}
    for c in problem.partners:
        mine = {p.id for p in problem.projects if p.partner == c.id}
        ranked = [s.id for s in problem.students if mine.intersection(s.preferences)]
        sup_prefs[c.id] = sorted(ranked, key=functools.partial(order.rank, c.id))
    game = StudentAllocation.create_from_dictionaries(
        student_prefs,
        sup_prefs,
        {p.id: p.partner for p in problem.projects},
        {p.id: p.max for p in problem.projects},
        {c.id: problem.partner_capacity(c.id) for c in problem.partners},
    )
    matched = game.solve(optimal="student")
    theirs = {s.name: p.name for p, students in matched.items() for s in students}
    assert solution.assignment == theirs


def _feasible_by_brute_force(problem: Problem, groups: set[tuple[str, str]]) -> bool:
    for a in all_assignments(problem, everyone=True):
        if not {(v.rule, v.subject) for v in check(problem, a)} & groups:
            return True
    return False


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6))
def test_every_conflict_is_irreducible(seed: int) -> None:
    problem = parse_problem(tiny_problem(seed))
    conflicts = explain_infeasible(problem, time_limit=20)
    if _feasible_by_brute_force(problem, {(v, s) for v, s in _all_group_keys(problem)}):
        assert conflicts == []
        return
    assert conflicts
    for c in conflicts:
        groups = set(c.groups)
        assert c.message and "infeasible" not in c.message.lower()
        assert not _feasible_by_brute_force(problem, groups)
        for g in groups:
            assert _feasible_by_brute_force(problem, groups - {g}), (c, g)


def _all_group_keys(problem: Problem) -> list[tuple[str, str]]:
    return all_groups(problem)


def test_it_explains_the_common_conflicts_in_words() -> None:
    data = {
        "students": [
            {"id": "s1", "preferences": ["p1"], "locality": "north"},
            {"id": "s2", "preferences": ["p1"], "locality": "north"},
            {"id": "s3", "preferences": ["p1"], "locality": "north"},
            {"id": "s9", "preferences": ["p1"], "locality": "north"},
        ],
        "projects": [
            {"id": "p1", "partner": "c1", "min": 0, "max": 4, "locality": "north"},
            {"id": "p2", "partner": "c1", "min": 0, "max": 4, "locality": "south"},
            {"id": "p4", "partner": "c1", "min": 1, "max": 4, "requires": {"languages": {"so": 1}}},
        ],
        "partners": [{"id": "c1"}],
        "rules": {
            "together": [["s1", "s2"]],
            "apart": [["s1", "s2"]],
            "locked": {"s9": "p2"},
            "same_locality": True,
            "fallback_rank": 3,
        },
    }
    messages = [c.message for c in explain_infeasible(parse_problem(data))]
    assert "students s1 and s2 must be together (rules.together) and apart (rules.apart)" in messages
    assert "locked s9 -> p2 but p2 is in locality south and s9 in north" in messages
    assert any("p4 needs 1 so speaker(s) but none of the" in m for m in messages)


def test_it_reports_unassigned_students_with_a_reason() -> None:
    data = {
        "students": [{"id": f"s{i}", "preferences": ["p1"]} for i in range(3)],
        "projects": [{"id": "p1", "partner": "c1", "min": 0, "max": 2}],
        "partners": [{"id": "c1"}],
    }
    solution = solve(parse_problem(data))
    assert len(solution.assignment) == 2
    [(sid, reason)] = solution.unassigned.items()
    assert "p1 (2/2)" in reason and "fallback_rank is not set" in reason
    assert solution.explanations[sid].startswith("unassigned")


def test_it_explains_why_a_student_missed_a_better_choice() -> None:
    data = {
        "students": [
            {"id": "a", "preferences": ["p1", "p2"]},
            {"id": "b", "preferences": ["p1", "p2"]},
        ],
        "projects": [
            {"id": "p1", "partner": "c1", "min": 0, "max": 1},
            {"id": "p2", "partner": "c1", "min": 0, "max": 1},
        ],
        "partners": [{"id": "c1"}],
    }
    solution = solve(parse_problem(data))
    second = next(s for s, p in solution.assignment.items() if p == "p2")
    assert (
        "1st choice p1: full (1/1) with students who ranked it as high or higher"
        in solution.explanations[second]
    )


def test_a_hand_move_reports_the_rules_it_would_break() -> None:
    data = {
        "students": [{"id": f"s{i}", "preferences": ["p1", "p2"]} for i in range(4)],
        "projects": [
            {"id": "p1", "partner": "c1", "min": 2, "max": 2},
            {"id": "p2", "partner": "c1", "min": 2, "max": 2},
        ],
        "partners": [{"id": "c1"}],
    }
    problem = parse_problem(data)
    solution = solve(problem)
    mover = next(s for s, p in solution.assignment.items() if p == "p2")
    move = evaluate_move(problem, solution, mover, "p1")
    assert {v.rule for v in move.new_violations} == {"max_size", "min_size"}
    assert move.cost_delta == 1 - 4
    assert move.rank_before == 2 and move.rank_after == 1


def test_two_solves_give_identical_json() -> None:
    problem = parse_problem(generate_instance(120, seed=3))
    first = solve(problem, time_limit=60).to_json(timing=False)
    assert first == solve(problem, time_limit=60).to_json(timing=False)


def test_the_generated_instance_is_solved_within_every_rule() -> None:
    problem = parse_problem(generate_instance(100, seed=5))
    assert len(problem.projects) == 20
    solution = solve(problem, time_limit=60)
    assert check(problem, solution) == []
    assert solution.stats["isolated_students"] == solution.stats["undersized_groups"] == 0


def test_the_cli_writes_the_result(tmp_path: Path) -> None:
    src = tmp_path / "problem.json"
    out = tmp_path / "result.json"
    src.write_text(json.dumps(generate_instance(40, seed=1)), encoding="utf-8")
    assert main([str(src), "--out", str(out), "--time-limit", "20"]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    expected = {"assignment", "unassigned", "closed", "profile", "stats", "optimal", "gap", "explanations"}
    assert expected <= set(result)
    assert len(result["assignment"]) + len(result["unassigned"]) == 40


def test_the_cli_writes_nothing_but_the_result_to_stdout(tmp_path: Path) -> None:
    # HiGHS prints a banner from C when a process makes its first solver: not into the result JSON.
    src = tmp_path / "problem.json"
    src.write_text(json.dumps(generate_instance(40, seed=1)), encoding="utf-8")
    run = subprocess.run(  # noqa: S603 - this interpreter, our own module
        [sys.executable, "-m", "commed_core.allocation.cli", str(src), "--out", "/dev/stdout"],
        capture_output=True,
        check=True,
        text=True,
        timeout=120,
    )
    assert len(json.loads(run.stdout)["assignment"]) + len(json.loads(run.stdout)["unassigned"]) == 40
    assert run.stderr == ""


def test_the_cli_exits_2_with_the_errors_on_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "problem.json"
    data = generate_instance(10, seed=1)
    data["projects"][0]["min"] = 99
    data["students"][0]["preferences"] = ["nowhere"]
    src.write_text(json.dumps(data), encoding="utf-8")
    assert main([str(src), "--out", str(tmp_path / "r.json")]) == 2
    err = capsys.readouterr().err
    assert "project 'p1' has min 99 greater than max" in err
    assert "ranks project 'nowhere', which does not exist" in err
    assert not (tmp_path / "r.json").exists()



def _three_single_places(objective: str, rank_costs: list[int] | None = None) -> Problem:
    # Three projects of one place each. Either two students get their 1st choice and one their 3rd
    # (ranks 1, 1, 3), or one gets the 1st and two their 2nd (1, 2, 2); nothing else places everyone as well.
    rules: dict[str, Any] = {"objective": objective}
    if rank_costs is not None:
        rules["rank_costs"] = rank_costs
    return parse_problem({
        "students": [
            {"id": "s1", "preferences": ["p1", "p2", "p3"]},
            {"id": "s2", "preferences": ["p2", "p3", "p1"]},
            {"id": "s3", "preferences": ["p1", "p2", "p3"]},
        ],
        "projects": [{"id": f"p{i}", "partner": "c1", "min": 0, "max": 1} for i in (1, 2, 3)],
        "partners": [{"id": "c1"}],
        "rules": rules,
    })


@pytest.mark.parametrize(
    ("objective", "rank_costs", "profile", "cost"),
    [
        ("rank_cost", None, [1, 2, 0], 9.0),  # 1 + 4 + 4 < 1 + 1 + 9
        ("first_choice", None, [2, 0, 1], 6.0),  # 0 + 0 + 6 < 0 + 5 + 5
        ("rank_cost", [0, 3, 4], [2, 0, 1], 4.0),  # the lead's own costs: 0 + 0 + 4 < 0 + 3 + 3
        ("rank_cost", [1, 2, 10], [1, 2, 0], 5.0),  # 1 + 2 + 2 < 1 + 1 + 10
    ],
)
def test_the_rank_costs_decide_between_more_first_choices_and_fewer_low_ones(
    objective: str, rank_costs: list[int] | None, profile: list[int], cost: float
) -> None:
    problem = _three_single_places(objective, rank_costs)
    solution = solve(problem, time_limit=10)
    assert solution.optimal
    assert check(problem, solution) == []
    assert solution.profile[:3] == profile
    assert solution.stats["objective_value"] == cost
