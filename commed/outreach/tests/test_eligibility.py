from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commed.outreach.eligibility import (
    BOOL_FIELDS,
    DEFAULT_RULES,
    RuleError,
    eligibility_evaluate,
    rules_validate,
)

NOTHING = {name: False for name in BOOL_FIELDS} | {"imd_decile": None, "polar4_quintile": None,
                                                   "tundra_quintile": None, "year_group": 12}


def facts(**values):
    return NOTHING | values


def test_imd_decile_four_qualifies_and_five_does_not():
    rules = {"rules": [{"name": "Area", "when": "imd_decile <= 4"}]}
    assert eligibility_evaluate(spec=rules, facts=facts(imd_decile=4)).eligible
    assert not eligibility_evaluate(spec=rules, facts=facts(imd_decile=5)).eligible


def test_an_unknown_area_measure_never_makes_a_pupil_eligible_even_under_not():
    rules = {"rules": [{"name": "Not affluent", "when": {"not": "imd_decile >= 8"}}]}
    assert not eligibility_evaluate(spec=rules, facts=facts(imd_decile=None)).eligible
    assert eligibility_evaluate(spec=rules, facts=facts(imd_decile=3)).eligible


def test_the_default_rule_needs_area_or_fsm_plus_one_more():
    assert not eligibility_evaluate(spec=DEFAULT_RULES, facts=facts(fsm=True)).eligible
    result = eligibility_evaluate(spec=DEFAULT_RULES, facts=facts(fsm=True, young_carer=True))
    assert result.eligible
    assert result.rule == "Area or free school meals, plus one more criterion"
    assert result.reasons == ["free school meals", "young carer"]


def test_the_pupil_shows_the_first_rule_that_made_them_eligible():
    result = eligibility_evaluate(spec=DEFAULT_RULES, facts=facts(care_experienced=True))
    assert (result.eligible, result.rule) == (True, "Care-experienced")


def test_at_least_counts_criteria_that_hold_and_ignores_unknown_ones():
    rules = {"rules": [{"name": "Two of", "when": {"at_least": 2, "of": ["fsm", "first_gen", "polar4_quintile <= 2"]}}]}
    assert not eligibility_evaluate(spec=rules, facts=facts(fsm=True, polar4_quintile=None)).eligible
    assert eligibility_evaluate(spec=rules, facts=facts(fsm=True, polar4_quintile=1)).eligible
    assert eligibility_evaluate(spec=rules, facts=facts(fsm=True, first_gen=True)).eligible


def test_the_spelled_out_comparison_means_the_same_as_the_short_one():
    long = {"rules": [{"name": "A", "when": {"field": "tundra_quintile", "op": "<", "value": 3}}]}
    short = {"rules": [{"name": "A", "when": "tundra_quintile<3"}]}
    for value in (None, 1, 2, 3, 5):
        assert (eligibility_evaluate(spec=long, facts=facts(tundra_quintile=value)).eligible
                == eligibility_evaluate(spec=short, facts=facts(tundra_quintile=value)).eligible)


def test_no_rules_means_everyone_is_eligible():
    assert eligibility_evaluate(spec={}, facts=NOTHING).eligible


@pytest.mark.parametrize(("spec", "message"), [
    ({"rules": [{"name": "x", "when": "__import__('os')"}]}, "neither a yes/no field"),
    ({"rules": [{"name": "x", "when": "imd_decile <= four"}]}, "neither a yes/no field"),
    ({"rules": [{"name": "x", "when": "fsm <= 1"}]}, "not a number field"),
    ({"rules": [{"name": "x", "when": {"at_least": 3, "of": ["fsm", "first_gen"]}}]}, "from 1 to 2"),
    ({"rules": [{"name": "x", "when": {"any_of": []}}]}, "non-empty list"),
    ({"rules": [{"name": "x", "when": {"any_of": ["fsm"], "all_of": ["fsm"]}}]}, "exactly one"),
    ({"rules": [{"name": "x", "when": "fsm"}, {"name": "x", "when": "fsm"}]}, "two rules are called"),
    ({"rules": [{"name": "", "when": "fsm"}]}, "non-empty text"),
    (["fsm"], "a rule set is"),
])
def test_a_bad_rule_set_is_refused_with_where_the_problem_is(spec, message):
    errors = rules_validate(spec)
    assert any(message in error for error in errors), errors
    with pytest.raises(RuleError):
        eligibility_evaluate(spec=spec, facts=NOTHING)


def test_deeply_nested_rules_are_refused():
    node: object = "fsm"
    for _ in range(10):
        node = {"not": node}
    assert any("nested" in e for e in rules_validate({"rules": [{"name": "deep", "when": node}]}))


@given(
    imd=st.one_of(st.none(), st.integers(1, 10)),
    polar=st.one_of(st.none(), st.integers(1, 5)),
    flags=st.fixed_dictionaries({name: st.booleans() for name in BOOL_FIELDS}),
)
def test_eligibility_is_monotone_in_extra_criteria_under_the_default_rules(imd, polar, flags):
    before = eligibility_evaluate(spec=DEFAULT_RULES, facts=facts(imd_decile=imd, polar4_quintile=polar, **flags))
    more = eligibility_evaluate(spec=DEFAULT_RULES, facts=facts(
        imd_decile=imd, polar4_quintile=polar, **{**flags, "first_gen": True}))
    assert not before.eligible or more.eligible
    assert before.eligible == bool(before.rule)
