"""Speaker-turn detection: label forms, extents and false positives."""

from __future__ import annotations

import pytest

from commed_core.transcripts import Turn, detect_turns, detect_turns_with_warnings, parse_clock_time


def _spans(text: str) -> list[tuple[str | None, str]]:
    return [(t.speaker, text[t.start : t.end]) for t in detect_turns(text)]


@pytest.mark.parametrize(
    ("line", "speaker"),
    [
        ("2P14: I think so.", "2P14"),
        ("1P05: yes", "1P05"),
        ("C01: fine", "C01"),
        ("Researcher 1: Welcome.", "Researcher 1"),
        ("Interviewer: Welcome.", "Interviewer"),
        ("Ana: Hello.", "Ana"),
        ("[id1] hello", "id1"),
        ("[ID1]: hello", "ID1"),
        ("Dr. O'Neil: a", "Dr. O'Neil"),
        ("Mary-Jane Smith: b", "Mary-Jane Smith"),
    ],
)
def test_each_plain_label_form_starts_a_turn(line: str, speaker: str) -> None:
    assert detect_turns(line) == [Turn(speaker, 0, len(line), None)]


@pytest.mark.parametrize(
    ("line", "speaker", "seconds"),
    [
        ("[00:01:02] Ana Silva: hello", "Ana Silva", 62.0),
        ("[01:02] Ana: hello", "Ana", 62.0),
        ("00:01:02 Ana: hello", "Ana", 62.0),
        ("1:00:01.5 Ana: hello", "Ana", 3601.5),
        ("Ana (00:01:02): hello", "Ana", 62.0),
        ("Ana Silva (1:02): hello", "Ana Silva", 62.0),
    ],
)
def test_timestamped_labels_keep_their_time(line: str, speaker: str, seconds: float) -> None:
    assert detect_turns(line) == [Turn(speaker, 0, len(line), seconds)]


def test_a_header_line_before_the_first_label_is_a_speakerless_turn() -> None:
    text = "Focus group 3, 12 May 2023\n\nInterviewer: Hi.\n\nAna: Hello.\n"
    assert _spans(text) == [
        (None, "Focus group 3, 12 May 2023"),
        ("Interviewer", "Interviewer: Hi."),
        ("Ana", "Ana: Hello."),
    ]


def test_a_turn_runs_over_following_unlabelled_lines() -> None:
    text = "Interviewer:\nHow was it?\nTake your time.\nAna: Fine.\n   second paragraph\n\n\n"
    assert _spans(text) == [
        ("Interviewer", "Interviewer:\nHow was it?\nTake your time."),
        ("Ana", "Ana: Fine.\n   second paragraph"),
    ]


def test_indented_labels_start_at_the_label() -> None:
    text = "  Ana: hi\n\tBen: yo"
    assert [(t.start, t.speaker) for t in detect_turns(text)] == [(2, "Ana"), (11, "Ben")]


def test_bracket_and_colon_spellings_of_one_speaker_are_one_speaker() -> None:
    assert [t.speaker for t in detect_turns("[id1] a\n[ID1]: b\n[id2] c")] == ["id1", "id1", "id2"]


def _long_interview(extra: str) -> str:
    lines = []
    for i in range(15):
        lines.append(f"Interviewer: question {i}?")
        lines.append(f"Ana: answer {i}.")
        if i == 7:
            lines.append(extra)
    return "\n".join(lines)


@pytest.mark.parametrize(
    "line",
    [
        "Note: the recorder stopped here.",
        "The answer was simple: we left.",
        "at 10:30 we met: it was early",
        "10:30 we met and talked",
        "See https://example.org/page for details",
        "http://example.org: a link",
        "12-May-2023 - 10:36 - 1h09m31s",
        "Kiger, M. & Varpio, L. (2020): Thematic analysis",
        "[laughter]",
        "[Redacted - Company name] said no",
        "This label is much too long to be a speaker: really",
    ],
)
def test_a_line_that_is_not_a_speaker_stays_inside_the_turn(line: str) -> None:
    text = _long_interview(line)
    turns = detect_turns(text)
    assert [t.speaker for t in turns] == ["Interviewer", "Ana"] * 15
    owner = next(t for t in turns if t.start <= text.index(line) < t.end)
    assert owner.speaker == "Ana"


def test_a_once_only_label_in_a_long_document_is_reported() -> None:
    turns, warnings = detect_turns_with_warnings(_long_interview("The answer was simple: we left."))
    assert len(turns) == 30
    assert len(warnings) == 1
    assert "The answer was simple" in warnings[0] and "line 17" in warnings[0]


def test_note_is_never_a_speaker_even_when_it_recurs() -> None:
    text = _long_interview("Note: inaudible") + "\nNote: the end"
    assert "Note" not in {t.speaker for t in detect_turns(text)}


def test_a_numbered_sibling_of_a_speaker_may_speak_once() -> None:
    text = _long_interview("Researcher 2: one question from me.").replace("Interviewer:", "Researcher 1:")
    speakers = [t.speaker for t in detect_turns(text)]
    assert speakers.count("Researcher 2") == 1


def test_a_participant_code_may_speak_once() -> None:
    text = _long_interview("2P14: just once")
    assert [t.speaker for t in detect_turns(text)].count("2P14") == 1


def test_in_a_short_document_a_speaker_may_speak_once() -> None:
    assert [t.speaker for t in detect_turns("Interviewer: Hi.\nAna: Hello.\nBen: Hi all.\nAna: Bye.")] == [
        "Interviewer",
        "Ana",
        "Ben",
        "Ana",
    ]


def test_text_without_any_label_is_one_speakerless_turn() -> None:
    assert detect_turns("\n  Just prose.\nMore prose.\n") == [Turn(None, 3, 26, None)]


def test_empty_text_has_no_turns() -> None:
    assert detect_turns("") == []
    assert detect_turns("\n \n") == []


@pytest.mark.parametrize(("value", "seconds"), [("00:01.5", 1.5), ("1:02:03,25", 3723.25), ("59:59", 3599.0)])
def test_clock_times_parse_with_either_decimal_separator(value: str, seconds: float) -> None:
    assert parse_clock_time(value) == seconds


@pytest.mark.parametrize("value", ["1:60", "00:61:00", "1", "a:00", "1:2:3:4", "00:01.x"])
def test_malformed_clock_times_are_refused(value: str) -> None:
    with pytest.raises(ValueError):
        parse_clock_time(value)
