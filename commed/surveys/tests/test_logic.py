"""The answering rules without a database: conditions, required items, ranges, option checks."""

from commed.surveys.logic import ItemRule, answers_clean, rules_check

HOST = ItemRule(key="host", kind="single", required=True, choices=("Yes", "No"))
WHY = ItemRule(key="why", kind="text", required=True, condition_key="host", condition_values=("No",))
WHY_MORE = ItemRule(key="why_more", kind="number", required=True, condition_key="why_kind",
                    condition_values=("Time",))
HOURS = ItemRule(key="hours", kind="number", min_value=0, max_value=40)
SCORE = ItemRule(key="score", kind="likert", required=True)
GAINS = ItemRule(key="gains", kind="multiple", choices=("Materials", "Contacts", "Nothing"))


def test_an_item_whose_condition_is_not_met_is_neither_required_nor_stored():
    cleaned = answers_clean([HOST, WHY], {"host": ["Yes"], "why": ["posted anyway"]})
    assert cleaned.errors == {}
    assert cleaned.answers == {"host": "Yes"}
    assert cleaned.hidden == {"why"}


def test_an_item_whose_condition_is_met_is_required():
    cleaned = answers_clean([HOST, WHY], {"host": ["No"], "why": ["  "]})
    assert cleaned.errors == {"why": "Answer this question."}
    cleaned = answers_clean([HOST, WHY], {"host": ["No"], "why": ["Too little notice"]})
    assert cleaned.answers == {"host": "No", "why": "Too little notice"}


def test_an_unanswered_condition_hides_its_dependants():
    cleaned = answers_clean([HOST, WHY], {})
    assert cleaned.errors == {"host": "Answer this question."}
    assert "why" in cleaned.hidden


def test_a_condition_on_a_hidden_item_hides_the_chain():
    why_kind = ItemRule(key="why_kind", kind="single", choices=("Time", "Money"), condition_key="host",
                        condition_values=("No",))
    cleaned = answers_clean([HOST, why_kind, WHY_MORE], {"host": ["Yes"], "why_kind": ["Time"], "why_more": [""]})
    assert cleaned.errors == {}
    assert cleaned.hidden == {"why_kind", "why_more"}


def test_a_condition_on_a_multiple_choice_is_met_by_any_ticked_value():
    detail = ItemRule(key="detail", kind="text", required=True, condition_key="gains",
                      condition_values=("Materials", "Contacts"))
    ticked = answers_clean([GAINS, detail], {"gains": ["Nothing", "Contacts"]})
    assert ticked.errors == {"detail": "Answer this question."}
    assert answers_clean([GAINS, detail], {"gains": ["Nothing"]}).hidden == {"detail"}


def test_a_condition_on_a_likert_item_compares_the_point():
    low = ItemRule(key="low", kind="text", required=True, condition_key="score", condition_values=("1", "2"))
    assert "low" in answers_clean([SCORE, low], {"score": ["2"]}).errors
    assert answers_clean([SCORE, low], {"score": ["4"]}).answers == {"score": 4}


def test_numbers_must_be_numbers_within_the_range():
    assert answers_clean([HOURS], {"hours": ["41"]}).errors == {"hours": "Enter a number from 0 to 40."}
    assert answers_clean([HOURS], {"hours": ["-1"]}).errors == {"hours": "Enter a number from 0 to 40."}
    assert answers_clean([HOURS], {"hours": ["lots"]}).errors == {"hours": "Enter a number."}
    assert answers_clean([HOURS], {"hours": ["nan"]}).errors == {"hours": "Enter a number."}
    assert answers_clean([HOURS], {"hours": ["40"]}).answers == {"hours": 40}
    assert answers_clean([HOURS], {"hours": ["2.5"]}).answers == {"hours": 2.5}
    at_least = ItemRule(key="n", kind="number", min_value=1)
    assert answers_clean([at_least], {"n": ["0"]}).errors == {"n": "Enter a number of at least 1."}
    assert answers_clean([HOURS], {}).errors == {}  # not required


def test_choices_must_come_from_the_options():
    assert answers_clean([HOST], {"host": ["Maybe"]}).errors == {"host": "Choose one of the options given."}
    assert answers_clean([HOST], {"host": ["Yes", "No"]}).errors == {"host": "Choose one answer."}
    assert answers_clean([SCORE], {"score": ["6"]}).errors == {"score": "Choose one of the five points."}
    assert answers_clean([GAINS], {"gains": ["Money"]}).errors == {"gains": "Choose from the options given."}
    assert answers_clean([GAINS], {"gains": ["Nothing", "Materials"]}).answers == {"gains": ["Materials", "Nothing"]}


def test_free_text_is_trimmed_and_limited():
    text = ItemRule(key="t", kind="text")
    assert answers_clean([text], {"t": ["  fine  "]}).answers == {"t": "fine"}
    assert "t" in answers_clean([text], {"t": ["x" * 5001]}).errors


def test_the_design_check_refuses_broken_conditions_and_options():
    assert rules_check([HOST, WHY, HOURS, SCORE, GAINS]) == {}
    assert rules_check([WHY, HOST]) == {"why": "A condition can only depend on an earlier question."}
    on_number = ItemRule(key="x", kind="text", condition_key="hours", condition_values=("3",))
    assert rules_check([HOURS, on_number]) == {"x": "A condition can only depend on a Likert or choice question."}
    wrong_value = ItemRule(key="x", kind="text", condition_key="host", condition_values=("Perhaps",))
    assert "x" in rules_check([HOST, wrong_value])
    assert "one" in rules_check([ItemRule(key="one", kind="single", choices=("Only",))])
    assert "r" in rules_check([ItemRule(key="r", kind="number", min_value=5, max_value=1)])
