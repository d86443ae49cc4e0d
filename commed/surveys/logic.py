"""The rules of answering a questionnaire, as plain Python (no Django), so they can be tested on their own.

An item is shown unless it has a condition: "show B only if A's answer equals X / is one of X, Y". A condition
names an earlier choice item (Likert, single or multiple choice); when A is itself hidden, B is hidden too. A
multiple-choice A meets the condition when any of its ticked options is one of the values.

`answers_clean` takes what a form posted (every value as a list of strings, as `QueryDict.getlist` gives them)
and returns the answers to store and the errors per item. Hidden items are neither required nor stored, even
when something was posted for them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

LIKERT = "likert"
SINGLE = "single"
MULTIPLE = "multiple"
NUMBER = "number"
TEXT = "text"
KINDS = (LIKERT, SINGLE, MULTIPLE, NUMBER, TEXT)
CONDITION_KINDS = (LIKERT, SINGLE, MULTIPLE)
LIKERT_LABELS = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree")
MAX_TEXT = 5000

Answer = int | float | str | list[str]


@dataclass(frozen=True)
class ItemRule:
    key: str
    kind: str
    required: bool = False
    choices: tuple[str, ...] = ()
    min_value: float | None = None
    max_value: float | None = None
    condition_key: str | None = None
    condition_values: tuple[str, ...] = ()

    @property
    def options(self) -> tuple[str, ...]:
        """The values a choice item accepts: 1-5 for Likert, the listed choices otherwise."""
        if self.kind == LIKERT:
            return tuple(str(n) for n in range(1, len(LIKERT_LABELS) + 1))
        return self.choices


@dataclass
class Cleaned:
    answers: dict[str, Answer] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)


def _as_strings(answer: Answer | None) -> set[str]:
    if answer is None:
        return set()
    if isinstance(answer, list):
        return set(answer)
    return {str(answer)}


def condition_met(rule: ItemRule, answers: Mapping[str, Answer]) -> bool:
    if rule.condition_key is None:
        return True
    return bool(_as_strings(answers.get(rule.condition_key)) & set(rule.condition_values))


def _number(text: str) -> int | float | None:
    try:
        value = Decimal(text.replace(",", "").strip())
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _format(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _clean_one(rule: ItemRule, posted: Sequence[str]) -> tuple[Answer | None, str]:
    """The answer (None when blank) or an error message."""
    values = [v.strip() for v in posted if v.strip()]
    if not values:
        return None, ""
    if rule.kind == TEXT:
        text = "\n".join(values)
        if len(text) > MAX_TEXT:
            return None, f"Keep the answer under {MAX_TEXT} characters."
        return text, ""
    if rule.kind == MULTIPLE:
        chosen = set(values)
        if not chosen <= set(rule.options):
            return None, "Choose from the options given."
        return [option for option in rule.options if option in chosen], ""
    if len(values) > 1:
        return None, "Choose one answer."
    value = values[0]
    if rule.kind == LIKERT:
        return (int(value), "") if value in rule.options else (None, "Choose one of the five points.")
    if rule.kind == SINGLE:
        return (value, "") if value in rule.options else (None, "Choose one of the options given.")
    number = _number(value)
    if number is None or (isinstance(number, float) and not math.isfinite(number)):
        return None, "Enter a number."
    low, high = rule.min_value, rule.max_value
    if low is not None and high is not None and not low <= number <= high:
        return None, f"Enter a number from {_format(low)} to {_format(high)}."
    if low is not None and number < low:
        return None, f"Enter a number of at least {_format(low)}."
    if high is not None and number > high:
        return None, f"Enter a number of at most {_format(high)}."
    return number, ""


def answers_clean(rules: Iterable[ItemRule], posted: Mapping[str, Sequence[str]]) -> Cleaned:
    """Check every item in questionnaire order; conditions see the answers to earlier items only."""
    result = Cleaned()
    for rule in rules:
        if rule.condition_key is not None and (
            rule.condition_key in result.hidden or not condition_met(rule, result.answers)
        ):
            result.hidden.add(rule.key)
            continue
        answer, error = _clean_one(rule, posted.get(rule.key, ()))
        if error:
            result.errors[rule.key] = error
        elif answer is None:
            if rule.required:
                result.errors[rule.key] = "Answer this question."
        else:
            result.answers[rule.key] = answer
    return result


def rules_check(rules: Sequence[ItemRule]) -> dict[str, str]:
    """Problems with a questionnaire's design, per item key (the builder refuses to save them)."""
    problems: dict[str, str] = {}
    seen: dict[str, ItemRule] = {}
    for rule in rules:
        if rule.kind not in KINDS:
            problems[rule.key] = f"Unknown kind of item {rule.kind!r}."
        elif rule.kind in (SINGLE, MULTIPLE) and len(rule.choices) < 2:
            problems[rule.key] = "Give at least two options."
        elif rule.kind in (SINGLE, MULTIPLE) and len(set(rule.choices)) != len(rule.choices):
            problems[rule.key] = "Each option may appear once."
        elif rule.min_value is not None and rule.max_value is not None and rule.min_value > rule.max_value:
            problems[rule.key] = "The smallest number allowed is above the largest."
        elif rule.condition_key is not None:
            source = seen.get(rule.condition_key)
            if source is None:
                problems[rule.key] = "A condition can only depend on an earlier question."
            elif source.kind not in CONDITION_KINDS:
                problems[rule.key] = "A condition can only depend on a Likert or choice question."
            elif not rule.condition_values:
                problems[rule.key] = "Choose the answers that show this question."
            elif not set(rule.condition_values) <= set(source.options):
                problems[rule.key] = "The condition names an answer the earlier question does not offer."
        seen[rule.key] = rule
    return problems
