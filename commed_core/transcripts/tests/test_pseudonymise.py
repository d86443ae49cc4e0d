"""Pseudonymisation: matching rules, the log, and offsets after replacement."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commed_core.transcripts import (
    Document,
    Replacement,
    Turn,
    apply_log,
    detect_turns,
    expand_first_names,
    pseudonymise,
    pseudonymise_document,
    remap_offset,
    remap_offsets,
    remap_span,
)

REGISTER = {"Ana Silva": "C01", "Ana": "C01", "Ann": "2P14", "Anna": "1P05"}


def test_a_possessive_keeps_its_ending() -> None:
    assert pseudonymise("Ana's idea and Ana’s plan", REGISTER).text == "[C01]'s idea and [C01]’s plan"


def test_matching_ignores_case() -> None:
    assert pseudonymise("ANA, ana and aNa", REGISTER).text == "[C01], [C01] and [C01]"


def test_overlapping_names_take_the_longest() -> None:
    result = pseudonymise("Ann met Anna and Ana Silva, then Ana.", REGISTER)
    assert result.text == "[2P14] met [1P05] and [C01], then [C01]."
    assert [r.original for r in result.log] == ["Ann", "Anna", "Ana Silva", "Ana"]


def test_names_inside_other_words_are_untouched() -> None:
    text = "a banana, Anastasia, Annabel, Joanna, Hannah, cabana and Ana_b"
    assert pseudonymise(text, REGISTER).text == text


def test_a_name_broken_across_a_line_is_still_one_name() -> None:
    assert pseudonymise("said Ana\n  Silva.", REGISTER).text == "said [C01]."


def test_curly_and_straight_apostrophes_in_names_match_each_other() -> None:
    assert pseudonymise("O’Neil and O'Neil", {"O'Neil": "C07"}).text == "[C07] and [C07]"


def test_extra_names_are_redacted_or_given_their_label() -> None:
    result = pseudonymise("Dr Jones from Leeds met Ana.", REGISTER, extra_names=["Jones", ("Leeds", "city")])
    assert result.text == "Dr [redacted] from [city] met [C01]."


def test_a_code_already_in_brackets_is_not_bracketed_twice() -> None:
    assert pseudonymise("Ana", {"Ana": "[C01]"}).text == "[C01]"


def test_the_log_has_original_positions() -> None:
    text = "Hi Ana, this is Anna. Ana's turn."
    result = pseudonymise(text, REGISTER)
    assert result.log == [
        Replacement("Ana", "[C01]", 3, 6),
        Replacement("Anna", "[1P05]", 16, 20),
        Replacement("Ana", "[C01]", 22, 25),
    ]
    assert all(text[r.start : r.end] == r.original for r in result.log)


def test_conflicting_or_empty_names_are_refused() -> None:
    with pytest.raises(ValueError, match="two replacements"):
        pseudonymise("x", {"Ana": "C01", "ANA": "C02"})
    with pytest.raises(ValueError, match="empty"):
        pseudonymise("x", {" ": "C01"})


def test_first_names_are_added_only_when_they_identify_one_person() -> None:
    register = {"Ana Silva": "C01", "Ben Ode": "C02", "Ben Ray": "C03", "Cy": "C04"}
    assert expand_first_names(register) == {**register, "Ana": "C01"}


def test_speaker_labels_and_turns_follow_the_replacement() -> None:
    text = (
        "Interview with Ana Silva\nInterviewer: Hello Ana.\nAna Silva: Hi!\n"
        "Interviewer: Bye Ana.\nAna Silva: Bye."
    )
    turns = detect_turns(text)
    result = pseudonymise(text, REGISTER, turns=turns)
    assert result.turns is not None
    assert [t.speaker for t in result.turns] == [None, "Interviewer", "C01", "Interviewer", "C01"]
    assert [result.text[t.start : t.end] for t in result.turns] == [
        "Interview with [C01]",
        "Interviewer: Hello [C01].",
        "[C01]: Hi!",
        "Interviewer: Bye [C01].",
        "[C01]: Bye.",
    ]
    # The pseudonymised text reads back with the same speakers.
    assert [t.speaker for t in detect_turns(result.text)] == [t.speaker for t in result.turns]


def test_a_document_is_pseudonymised_whole() -> None:
    doc = Document(
        "Ana.txt", "Ana: hi\nBen: hello Ana", [Turn("Ana", 0, 7), Turn("Ben", 8, 22)], "text", "utf-8"
    )
    new, log = pseudonymise_document(doc, {"Ana": "C01"}, extra_names=["Ben"])
    assert new.name == "C01.txt"
    assert new.text == "[C01]: hi\n[redacted]: hello [C01]"
    assert new.turns == [Turn("C01", 0, 9), Turn("redacted", 10, 33)]
    assert [r.original for r in log] == ["Ana", "Ben", "Ana"]
    assert doc.text == "Ana: hi\nBen: hello Ana"  # the original is untouched


def test_offsets_inside_a_replaced_name_snap_to_its_edges() -> None:
    log = pseudonymise("xx Ana Silva yy", REGISTER).log  # "Ana Silva" (3..12) -> "[C01]" (3..8)
    assert remap_offset(2, log) == 2
    assert remap_offset(3, log) == 3
    assert remap_offset(5, log) == 3
    assert remap_offset(5, log, side="end") == 8
    assert remap_offset(12, log) == 8
    assert remap_offset(14, log) == 10
    assert remap_span(4, 13, log) == (3, 9)
    assert remap_offsets([14, 2, 5], log) == [10, 2, 3]


NAMES = ["Ana", "ana", "ANA", "Anna", "Ann", "Ana Silva", "Silva", "banana", "Annabel", "Ana's", "Ann-Marie"]
PIECES = st.one_of(
    st.sampled_from(NAMES),
    st.sampled_from([" ", "\n", ", ", ".", "'", "[", "]", ": ", "Interviewer: ", "\nAna: ", "\nAnn: "]),
    st.text(alphabet="abnAN ’'\n", max_size=6),
)
REGISTERS = st.dictionaries(
    st.sampled_from(["Ana", "Anna", "Ann", "Ana Silva", "Silva", "an"]),
    st.sampled_from(["C01", "C02", "3P10"]),
    max_size=5,
)


@settings(max_examples=150, deadline=None)
@given(
    pieces=st.lists(PIECES, max_size=30),
    register=REGISTERS,
    extra=st.lists(st.sampled_from(["Silva", "nab"])),
)
def test_applying_the_log_to_the_original_reproduces_the_output(
    pieces: list[str], register: dict[str, str], extra: list[str]
) -> None:
    text = "".join(pieces)
    names = {n.casefold() for n in register}
    extras = [e for e in extra if e.casefold() not in names]
    result = pseudonymise(text, register, extra_names=extras)
    assert apply_log(text, result.log) == result.text
    previous_end = 0
    for r in result.log:
        assert r.start >= previous_end
        assert text[r.start : r.end] == r.original
        previous_end = r.end
    # Nothing listed is left as a whole word outside the inserted codes.
    leftover = pseudonymise(result.text, register, extra_names=extras)
    assert leftover.log == []


@settings(max_examples=100, deadline=None)
@given(pieces=st.lists(PIECES, max_size=30))
def test_remapped_turns_cover_the_pseudonymised_text_of_the_original_turns(pieces: list[str]) -> None:
    text = "".join(pieces)
    turns = detect_turns(text)
    result = pseudonymise(text, REGISTER, turns=turns)
    assert result.turns is not None
    for old, new in zip(turns, result.turns, strict=True):
        expected = pseudonymise(text[old.start : old.end], REGISTER).text
        # A name cut by a turn boundary cannot happen: turns start at labels and end at non-blank characters.
        assert result.text[new.start : new.end] == expected
        assert re.sub(r"\[[^\]]*\]", "", expected) == re.sub(
            r"\[[^\]]*\]", "", result.text[new.start : new.end]
        )


def test_warnings_are_pseudonymised_with_the_text() -> None:
    from commed_core.transcripts import Document as TranscriptDocument
    from commed_core.transcripts import pseudonymise_document as pseudonymise_doc

    document = TranscriptDocument("a.txt", "C01: hello Ana", [], "text", "utf-8",
                                  ["line 4: 'Ana Silva' not taken as a speaker label: it starts only one line"])
    pseudonymised, _ = pseudonymise_doc(document, {"Ana Silva": "C01", "Ana": "C01"})
    assert pseudonymised.text == "C01: hello [C01]"
    assert pseudonymised.warnings == ["line 4: '[C01]' not taken as a speaker label: it starts only one line"]
