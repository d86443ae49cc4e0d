"""The pure attribution algorithm: each character belongs to the party whose version introduced it."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commed.programmes.authorship import attribute, character_counts, section_histories, shares


def test_a_single_author_owns_the_whole_text():
    result = attribute([("students", "We will run a session.")])
    assert result.characters() == {"students": len("We will run a session.")}


def test_surviving_words_keep_their_author_and_new_words_go_to_the_editor():
    result = attribute([("students", "We will run a session."),
                        ("partner", "We will run a session at the lunch club.")])
    counts = result.characters()
    assert result.text == "We will run a session at the lunch club."
    assert counts["partner"] == len(" at the lunch club")
    assert counts["students"] == len("We will run a session.")


def test_deleted_text_counts_for_nobody():
    result = attribute([("students", "One two three."), ("tutor", "One three.")])
    assert result.characters() == {"students": len("One three.")}


def test_a_rewritten_word_goes_wholly_to_the_later_party():
    result = attribute([("students", "the cat sat"), ("partner", "the cats sat")])
    assert result.characters()["partner"] == len("cats")


def test_text_removed_and_restored_belongs_to_whoever_restored_it():
    result = attribute([("students", "Keep this."), ("tutor", ""), ("partner", "Keep this.")])
    assert result.characters() == {"partner": len("Keep this.")}


def test_shares_add_up_to_one_and_name_parties_without_text():
    counts = character_counts(section_histories(
        [("students", {"aims": "abc def", "need": "x"}), ("partner", {"aims": "abc def ghi", "need": "x"})],
        ["aims", "need"],
    ))
    result = shares(counts, ["students", "partner", "tutor"])
    assert result["tutor"] == 0.0
    assert abs(sum(result.values()) - 1.0) < 1e-9
    assert result["partner"] == len(" ghi") / len("abc def ghix")


def test_an_empty_history_has_no_shares():
    assert shares(character_counts([]), ["tutor"]) == {"tutor": 0.0}


words = st.lists(st.sampled_from(["need", "aims", "the", "club", "session", ",", " ", "\n", "café"]), max_size=30)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["students", "partner", "tutor"]), words.map("".join)), min_size=1,
                max_size=6))
def test_attribution_always_covers_exactly_the_final_text(history):
    result = attribute(history)
    assert result.text == history[-1][1]
    assert sum(result.characters().values()) == len(history[-1][1])
