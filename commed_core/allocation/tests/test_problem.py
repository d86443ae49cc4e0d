from __future__ import annotations

from typing import Any

import pytest

from commed_core.allocation import ProblemError, parse_problem, problem_to_dict


def base() -> dict[str, Any]:
    return {
        "students": [
            {"id": "s1", "preferences": ["p1", "p2"], "languages": ["bn"], "attributes": {"gender": "F"}},
            {"id": "s2", "preferences": ["p2"]},
        ],
        "projects": [
            {"id": "p1", "partner": "c1", "min": 1, "max": 3},
            {"id": "p2", "partner": "c1", "min": 0, "max": 2, "may_close": True},
        ],
        "partners": [{"id": "c1", "capacity": 4, "preferences": ["s2", "s1"]}],
        "rules": {"objective": "greedy", "together": [["s1", "s2"]], "locked": {"s2": "p2"}},
    }


def errors_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ProblemError) as exc:
        parse_problem(data)
    assert isinstance(exc.value, ValueError)
    return exc.value.errors


def test_it_parses_a_valid_problem_and_round_trips_it() -> None:
    problem = parse_problem(base())
    assert [s.id for s in problem.students] == ["s1", "s2"]
    assert problem.rank("s1", "p2") == 2
    assert problem.rules.objective == "greedy"
    assert parse_problem(problem_to_dict(problem)) == problem


def test_it_names_a_preference_for_a_project_that_does_not_exist() -> None:
    data = base()
    data["students"][0]["preferences"] = ["p9"]
    assert any("'s1'" in e and "'p9'" in e and "does not exist" in e for e in errors_of(data))


def test_it_rejects_duplicate_ids() -> None:
    data = base()
    data["students"][1]["id"] = "s1"
    data["projects"][1]["id"] = "p1"
    errors = errors_of(data)
    assert any("duplicate student id 's1'" in e for e in errors)
    assert any("duplicate project id 'p1'" in e for e in errors)


def test_it_rejects_negative_capacities() -> None:
    data = base()
    data["partners"][0]["capacity"] = -1
    data["projects"][0]["max"] = -2
    errors = errors_of(data)
    assert any("partner 'c1' capacity" in e and "negative" in e for e in errors)
    assert any("project 'p1' max" in e and "negative" in e for e in errors)


def test_it_rejects_min_greater_than_max() -> None:
    data = base()
    data["projects"][0]["min"] = 5
    assert any("project 'p1' has min 5 greater than max 3" in e for e in errors_of(data))


def test_it_rejects_unknown_partner_locked_project_and_rule_students() -> None:
    data = base()
    data["projects"][0]["partner"] = "c9"
    data["rules"]["locked"] = {"s1": "p7", "s8": "p1"}
    data["rules"]["apart"] = [["s1", "s5"]]
    data["partners"][0]["preferences"] = ["s3"]
    errors = errors_of(data)
    assert any("'p1' names unknown partner 'c9'" in e for e in errors)
    assert any("'s1' is locked to unknown project 'p7'" in e for e in errors)
    assert any("unknown student 's8'" in e for e in errors)
    assert any("rules.apart[0] names unknown student 's5'" in e for e in errors)
    assert any("partner 'c1' ranks unknown student 's3'" in e for e in errors)


def test_it_collects_every_error_at_once() -> None:
    data = base()
    data["rules"]["objective"] = "fastest"
    data["students"][0]["preferences"] = "p1"
    data["projects"][1]["min"] = "two"
    data["rules"]["typo_rule"] = True
    errors = errors_of(data)
    assert len(errors) >= 4
    assert any("objective must be one of" in e and "'fastest'" in e for e in errors)
    assert any("preferences must be a list" in e for e in errors)
    assert any("project 'p2' min must be an integer" in e for e in errors)
    assert any("unknown rule 'typo_rule'" in e for e in errors)


def test_it_rejects_booleans_where_numbers_are_expected() -> None:
    data = base()
    data["projects"][0]["max"] = True
    assert any("project 'p1' max must be an integer" in e for e in errors_of(data))


def test_rank_costs_are_parsed_extended_past_their_end_and_round_tripped() -> None:
    data = base()
    data["rules"] = {"objective": "rank_cost", "rank_costs": [0, 3, 4]}
    problem = parse_problem(data)
    assert [problem.rules.cost_of(r) for r in range(1, 7)] == [0, 3, 4, 5, 6, 7]
    assert parse_problem(problem_to_dict(problem)) == problem
    data["rules"]["rank_costs"] = [2]
    assert [parse_problem(data).rules.cost_of(r) for r in (1, 2, 3)] == [2, 3, 4]
    data["rules"]["rank_costs"] = [0, 10]
    assert [parse_problem(data).rules.cost_of(r) for r in (1, 2, 3, 4)] == [0, 10, 20, 30]


def test_the_default_and_first_choice_costs() -> None:
    data = base()
    data["rules"] = {"objective": "rank_cost"}
    assert [parse_problem(data).rules.cost_of(r) for r in (1, 2, 3, 4)] == [1, 4, 9, 16]
    data["rules"] = {"objective": "first_choice"}
    problem = parse_problem(data)
    assert [problem.rules.cost_of(r) for r in range(1, 9)] == [0, 5, 6, 15, 20, 25, 30, 35]
    assert "rank_costs" not in problem_to_dict(problem)["rules"]


@pytest.mark.parametrize(
    ("objective", "costs", "message"),
    [
        ("rank_cost", [0, 2, 2], "rules.rank_costs[2] (choice 3) must cost more than choice 2 (2)"),
        ("rank_cost", [0, -1], "rules.rank_costs[1] (the cost of choice 2) must be a whole number >= 0"),
        ("rank_cost", [0, 1.5], "rules.rank_costs[1] (the cost of choice 2) must be a whole number >= 0"),
        ("rank_cost", [0, True], "rules.rank_costs[1] (the cost of choice 2) must be a whole number >= 0"),
        ("rank_cost", [], "rules.rank_costs must be a list of 1 to 100 whole numbers"),
        ("rank_cost", "0,1,2", "rules.rank_costs must be a list of 1 to 100 whole numbers"),
        ("rank_cost", list(range(101)), "rules.rank_costs must be a list of 1 to 100 whole numbers"),
        ("greedy", [0, 1], "rules.rank_costs applies to the rank_cost objective only, not 'greedy'"),
        ("first_choice", [0, 1], "rules.rank_costs applies to the rank_cost objective only, not 'first_choice'"),
    ],
)
def test_it_rejects_bad_rank_costs_naming_the_entry(objective: str, costs: object, message: str) -> None:
    data = base()
    data["rules"] = {"objective": objective, "rank_costs": costs}
    errors = errors_of(data)
    assert any(message in e for e in errors), errors
