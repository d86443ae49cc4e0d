"""Eligibility rules per programme: a small structured rule language, stored as JSON, evaluated without eval().

A rule set is ``{"rules": [RULE, ...]}``. A pupil is eligible when ANY rule matches; the first matching rule's
name is recorded on the pupil with the criteria that met it. An empty rule set (``{}``) makes everyone eligible.

    RULE      = {"name": "text", "when": CONDITION}
    CONDITION = "fsm"                         a yes/no criterion that must be yes
              | "imd_decile <= 4"             a comparison: FIELD OP WHOLE-NUMBER, OP one of <= < >= > == !=
              | {"field": "imd_decile", "op": "<=", "value": 4}    the same comparison, spelled out
              | {"any_of": [CONDITION, ...]}  at least one
              | {"all_of": [CONDITION, ...]}  every one
              | {"at_least": N, "of": [CONDITION, ...]}            N or more
              | {"not": CONDITION}

Yes/no fields: fsm, first_gen, care_experienced, young_carer, disability. Number fields: imd_decile (1-10, 1 most
deprived), polar4_quintile and tundra_quintile (1-5, 1 lowest participation), year_group. An unknown value (no
postcode, or a postcode not in the lookup) never satisfies a comparison; unknowns follow three-valued logic, so
`not` of an unknown is unknown too: missing data never makes a pupil eligible by accident.

Example, "IMD decile 1-4 or free school meals, plus at least one other criterion":

    {"rules": [{"name": "Area or FSM plus one more", "when": {"all_of": [
        {"any_of": ["imd_decile <= 4", "fsm"]},
        {"at_least": 1, "of": ["first_gen", "care_experienced", "young_carer", "disability", "polar4_quintile <= 2"]}
    ]}}]}
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

BOOL_FIELDS = {
    "fsm": "free school meals",
    "first_gen": "first in family to go to university",
    "care_experienced": "care-experienced",
    "young_carer": "young carer",
    "disability": "disability",
}
NUMBER_FIELDS = {
    "imd_decile": "IMD decile",
    "polar4_quintile": "POLAR4 quintile",
    "tundra_quintile": "TUNDRA quintile",
    "year_group": "year group",
}
OPS: dict[str, Callable[[int, int], bool]] = {
    "<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt, "==": operator.eq, "!=": operator.ne,
}
_COMPARISON = re.compile(r"^\s*([a-z_0-9]+)\s*(<=|>=|==|!=|<|>)\s*(-?\d+)\s*$")
MAX_DEPTH = 8

Facts = Mapping[str, bool | int | None]


class RuleError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    rule: str = ""
    # The criteria that held, in words, e.g. ["IMD decile 3 <= 4", "first in family to go to university"].
    reasons: list[str] = field(default_factory=list)


# A condition's result: True / False / None (unknown), and the criteria that held.
_Result = tuple[bool | None, list[str]]


def _comparison(node: Any) -> tuple[str, str, int] | None:
    if isinstance(node, str):
        match = _COMPARISON.match(node)
        if match:
            return match.group(1), match.group(2), int(match.group(3))
        return None
    if isinstance(node, Mapping) and "field" in node and "op" in node:
        value = node.get("value")
        if isinstance(value, int) and not isinstance(value, bool):
            return str(node["field"]), str(node["op"]), value
    return None


def _check(node: Any, where: str, errors: list[str], depth: int) -> None:
    if depth > MAX_DEPTH:
        errors.append(f"{where}: conditions nested more than {MAX_DEPTH} deep")
        return
    comparison = _comparison(node)
    if comparison is not None:
        name, op, _value = comparison
        if name not in NUMBER_FIELDS:
            errors.append(f"{where}: {name!r} is not a number field ({', '.join(NUMBER_FIELDS)})")
        if op not in OPS:
            errors.append(f"{where}: unknown comparison {op!r}")
        return
    if isinstance(node, str):
        if node.strip() not in BOOL_FIELDS:
            errors.append(f"{where}: {node!r} is neither a yes/no field ({', '.join(BOOL_FIELDS)}) nor a comparison")
        return
    if not isinstance(node, Mapping):
        errors.append(f"{where}: a condition must be text or an object, not {type(node).__name__}")
        return
    if "field" in node:
        if "op" in node:
            errors.append(f"{where}: a comparison needs a whole-number 'value'")
        elif node["field"] not in BOOL_FIELDS:
            errors.append(f"{where}: {node['field']!r} is not a yes/no field")
        return
    keys = set(node) & {"any_of", "all_of", "at_least", "not"}
    if len(keys) != 1:
        errors.append(f"{where}: use exactly one of any_of, all_of, at_least/of, not, field")
        return
    key = keys.pop()
    if key == "not":
        _check(node["not"], f"{where}.not", errors, depth + 1)
        return
    items_key = "of" if key == "at_least" else key
    items = node.get(items_key)
    if not isinstance(items, list) or not items:
        errors.append(f"{where}: {items_key} must be a non-empty list")
        return
    if key == "at_least":
        n = node["at_least"]
        if not isinstance(n, int) or isinstance(n, bool) or n < 1 or n > len(items):
            errors.append(f"{where}: at_least must be a whole number from 1 to {len(items)}")
    for index, item in enumerate(items):
        _check(item, f"{where}.{items_key}[{index}]", errors, depth + 1)


def rules_validate(spec: Any) -> list[str]:
    """Every problem with a rule set, each naming where it is; an empty list means the rule set is usable."""
    if spec in (None, {}):
        return []
    if not isinstance(spec, Mapping) or set(spec) != {"rules"} or not isinstance(spec["rules"], list):
        return ['a rule set is {"rules": [...]} (or empty for "everyone is eligible")']
    errors: list[str] = []
    names: set[str] = set()
    for index, rule in enumerate(spec["rules"]):
        where = f"rules[{index}]"
        if not isinstance(rule, Mapping) or set(rule) != {"name", "when"}:
            errors.append(f"{where}: a rule is {{\"name\": ..., \"when\": ...}}")
            continue
        name = rule["name"]
        if not isinstance(name, str) or not name.strip():
            errors.append(f"{where}: the name must be non-empty text")
        elif name in names:
            errors.append(f"{where}: two rules are called {name!r}")
        else:
            names.add(name)
        _check(rule["when"], f"{where}.when", errors, 1)
    return errors


def _evaluate(node: Any, facts: Facts) -> _Result:
    comparison = _comparison(node)
    if comparison is not None:
        name, op, value = comparison
        actual = facts.get(name)
        if actual is None or isinstance(actual, bool):
            return None, []
        held = OPS[op](actual, value)
        return held, [f"{NUMBER_FIELDS[name]} {actual} {op} {value}"] if held else []
    if isinstance(node, str) or (isinstance(node, Mapping) and "field" in node):
        name = node.strip() if isinstance(node, str) else str(node["field"])
        held = facts.get(name) is True
        return held, [BOOL_FIELDS[name]] if held else []
    if "not" in node:
        inner, _ = _evaluate(node["not"], facts)
        return (None if inner is None else not inner), []
    items_key = "of" if "at_least" in node else next(k for k in ("any_of", "all_of") if k in node)
    results = [_evaluate(item, facts) for item in node[items_key]]
    reasons = [reason for held, why in results if held for reason in why]
    met = sum(1 for held, _ in results if held)
    unknown = sum(1 for held, _ in results if held is None)
    # Three-valued (Kleene) logic: unknown only where the unknown criteria could still change the answer.
    needed = len(results) if "all_of" in node else 1 if "any_of" in node else int(node["at_least"])
    if met >= needed:
        return True, reasons
    if met + unknown >= needed:
        return None, []
    return False, []


def eligibility_evaluate(*, spec: Any, facts: Facts) -> Eligibility:
    """Pure: decide eligibility from a rule set and a pupil's facts. Raises RuleError for an invalid rule set."""
    errors = rules_validate(spec)
    if errors:
        raise RuleError(errors)
    if not spec:
        return Eligibility(eligible=True, rule="Everyone is eligible (no rules set)")
    for rule in spec["rules"]:
        held, reasons = _evaluate(rule["when"], facts)
        if held:
            return Eligibility(eligible=True, rule=str(rule["name"]), reasons=reasons)
    return Eligibility(eligible=False)


DEFAULT_RULES: dict[str, Any] = {
    "rules": [
        {
            "name": "Area or free school meals, plus one more criterion",
            "when": {
                "all_of": [
                    {"any_of": ["imd_decile <= 4", "fsm"]},
                    {"at_least": 1, "of": ["first_gen", "care_experienced", "young_carer", "disability",
                                            "polar4_quintile <= 2"]},
                ]
            },
        },
        {"name": "Care-experienced", "when": "care_experienced"},
    ]
}
