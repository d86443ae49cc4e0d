"""Real files from other tools: the Sheffield ORDA interviews, QualCoder's examples, a WebVTT edge case."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from commed_core.transcripts import (
    pseudonymise,
    pseudonymise_document,
    read_attribute_table,
    read_document,
    read_survey_csv,
)
from commed_core.transcripts.tests.conftest import EXTERNAL

SHEFFIELD = EXTERNAL / "sheffield-orda"
QUALCODER = EXTERNAL / "qualcoder-examples"
TXT_STEMS = sorted(p.stem for p in SHEFFIELD.glob("*.txt")) if SHEFFIELD.is_dir() else []
DOCX_STEMS = sorted(p.stem for p in SHEFFIELD.glob("*.docx") if (SHEFFIELD / f"{p.stem}.txt").exists())
FACESHEET = "Interview Participant - Facesheet information.xlsx"


def _expected_labels(stem: str) -> list[str]:
    """Speaker of every line opening with the interviewer's or the participant's label (a plain regex)."""
    text = (SHEFFIELD / f"{stem}.txt").read_text(encoding="utf-8")
    pattern = re.compile(rf"^(Researcher 1|{re.escape(stem)}):", re.MULTILINE)
    return [m.group(1) for m in pattern.finditer(text)]


def test_the_sheffield_folder_holds_the_twelve_interviews(external: Path) -> None:
    assert len(TXT_STEMS) == 12
    assert len(DOCX_STEMS) == 10


@pytest.mark.parametrize("stem", TXT_STEMS)
def test_each_sheffield_txt_interview_has_a_header_then_one_turn_per_labelled_line(stem: str) -> None:
    doc = read_document((SHEFFIELD / f"{stem}.txt").read_bytes(), f"{stem}.txt")
    expected = _expected_labels(stem)
    assert len(expected) > 40  # the regex found a real interview, not nothing
    assert doc.source_format == "text"
    assert doc.encoding == "utf-8"
    assert doc.turns[0].speaker is None  # header line: date, time, duration, pseudonym
    assert "\n" not in doc.text[doc.turns[0].start : doc.turns[0].end].strip()
    assert [t.speaker for t in doc.turns[1:]] == expected
    assert {t.speaker for t in doc.turns} == {None, "Researcher 1", stem}
    for turn in doc.turns[1:]:
        assert doc.text[turn.start : turn.end].startswith(f"{turn.speaker}:")
    assert doc.warnings == []


@pytest.mark.parametrize("stem", DOCX_STEMS)
def test_each_sheffield_docx_gives_the_text_and_turns_of_its_txt(stem: str) -> None:
    from_docx = read_document((SHEFFIELD / f"{stem}.docx").read_bytes(), f"{stem}.docx")
    from_txt = read_document((SHEFFIELD / f"{stem}.txt").read_bytes(), f"{stem}.txt")
    assert from_docx.source_format == "docx"
    assert re.sub(r"\s+", "", from_docx.text) == re.sub(r"\s+", "", from_txt.text)
    assert [t.speaker for t in from_docx.turns] == [t.speaker for t in from_txt.turns]
    # Same turns, compared as whitespace-free text.
    for a, b in zip(from_docx.turns, from_txt.turns, strict=True):
        assert re.sub(r"\s+", "", from_docx.text[a.start : a.end]) == re.sub(
            r"\s+", "", from_txt.text[b.start : b.end]
        )


def test_a_reference_that_ends_in_a_colon_is_not_a_speaker() -> None:
    doc = read_document((SHEFFIELD / "Peter.txt").read_bytes(), "Peter.txt")
    line = doc.text.index("Kiger, M. & Varpio, L. (2020):")
    assert line not in {t.start for t in doc.turns}
    assert any(t.start < line < t.end for t in doc.turns)


def test_redacted_names_stay_inside_their_turns() -> None:
    doc = read_document((SHEFFIELD / "Kelly.txt").read_bytes(), "Kelly.txt")
    hit = doc.text.index("[Redacted city name]")
    owner = [t for t in doc.turns if t.start <= hit < t.end]
    assert [t.speaker for t in owner] == ["Kelly"]


def test_a_header_without_a_date_is_still_the_none_turn() -> None:
    doc = read_document((SHEFFIELD / "Stephen.txt").read_bytes(), "Stephen.txt")
    assert doc.text[doc.turns[0].start : doc.turns[0].end] == "Stephen"
    assert doc.turns[0].speaker is None


def test_the_facesheet_reads_as_fifteen_people_with_nineteen_attributes() -> None:
    rows = read_attribute_table((SHEFFIELD / FACESHEET).read_bytes(), FACESHEET)
    assert len(rows) == 15
    assert all(len(row) == 19 for row in rows)
    assert all(isinstance(v, str) for row in rows for v in row.values())
    jessica = next(r for r in rows if r["TranscriptName"] == "Jessica")
    assert jessica["InterviewDate"] == "2023-04-21"
    assert jessica["InterviewLength_HH-MM-SS"] == "00:43:07"
    assert jessica["AgeGroup"] == ">61"


def test_every_sheffield_interview_matches_a_facesheet_row_by_transcript_name() -> None:
    rows = read_attribute_table((SHEFFIELD / FACESHEET).read_bytes(), FACESHEET)
    by_name = {r["TranscriptName"]: r for r in rows}
    assert len(by_name) == 15  # the key is unique
    assert set(TXT_STEMS) <= set(by_name)


def test_the_header_time_of_each_interview_is_the_facesheet_interview_time() -> None:
    # Independent cross-check of the join: the header line "12-May-2023 - 10:36 - ..." records the start time.
    rows = {
        r["TranscriptName"]: r for r in read_attribute_table((SHEFFIELD / FACESHEET).read_bytes(), FACESHEET)
    }
    checked = 0
    for stem in TXT_STEMS:
        doc = read_document((SHEFFIELD / f"{stem}.txt").read_bytes(), f"{stem}.txt")
        header = doc.text[doc.turns[0].start : doc.turns[0].end]
        m = re.match(r"\d{2}-[A-Z][a-z]{2}-\d{4} - (\d{2}:\d{2})", header)
        if m is None:
            continue
        assert rows[stem]["InterviewTime"].startswith(m.group(1)), stem
        checked += 1
    assert checked == 11  # all but Stephen, whose header is only his name


def test_a_sheffield_interview_pseudonymises_with_the_facesheet_as_register() -> None:
    rows = read_attribute_table((SHEFFIELD / FACESHEET).read_bytes(), FACESHEET)
    register = {r["TranscriptName"]: f"P{i:02d}" for i, r in enumerate(rows, start=1)}
    doc = read_document((SHEFFIELD / "Ana.txt").read_bytes(), "Ana.txt")
    new, log = pseudonymise_document(doc, register)
    code = register["Ana"]
    assert {t.speaker for t in new.turns} == {None, "Researcher 1", code}
    assert not re.search(r"(?<!\w)Ana(?!\w)", new.text)
    for turn in new.turns[1:]:
        assert new.text[turn.start : turn.end].startswith(("Researcher 1:", f"[{code}]:"))
    assert all(r.original.casefold() in {n.casefold() for n in register} for r in log)
    assert new.name == f"{code}.txt"


def test_qualcoder_transcript_has_bracketed_speakers_in_order() -> None:
    data = (QUALCODER / "transcript.txt").read_bytes()
    doc = read_document(data, "transcript.txt")
    expected = re.findall(r"^\[(id\d)\]", data.decode("utf-8"), re.MULTILINE)
    assert len(expected) == 7
    assert [t.speaker for t in doc.turns] == expected
    assert doc.text[doc.turns[-1].start : doc.turns[-1].end].endswith("really struggling.")


def test_qualcoder_docx_reads_its_three_paragraphs() -> None:
    doc = read_document((QUALCODER / "ID1.docx").read_bytes(), "ID1.docx")
    paragraphs = [p for p in doc.text.split("\n") if p]
    assert len(paragraphs) == 3
    assert paragraphs[2].endswith("I'm happy to pay €200.")
    assert [t.speaker for t in doc.turns] == [None]


def test_qualcoder_odt_joins_spans_with_their_spaces() -> None:
    doc = read_document((QUALCODER / "ID2.odt").read_bytes(), "ID2.odt")
    assert doc.source_format == "odt"
    lines = doc.text.split("\n")
    assert len(lines) == 3
    assert lines[0].startswith(
        "I have not studied much before, but my father Joe Bloggs really encouraged me"
    )
    assert "I know that I must get help as I have struggled" in lines[0]
    assert lines[2] == "The course cost €200.00 and I do not want to waste my money."
    assert "  " not in doc.text


def test_qualcoder_odt_third_party_name_is_redacted() -> None:
    doc = read_document((QUALCODER / "ID2.odt").read_bytes(), "ID2.odt")
    result = pseudonymise(doc.text, {}, extra_names=["Joe Bloggs"])
    assert "my father [redacted] really" in result.text
    assert [(r.original, r.start) for r in result.log] == [("Joe Bloggs", doc.text.index("Joe Bloggs"))]


def test_qualcoder_survey_gives_one_document_per_respondent_from_the_free_text_column() -> None:
    docs = read_survey_csv((QUALCODER / "survey456.csv").read_bytes(), "survey456.csv")
    assert [d.name for d in docs] == ["ID4", "ID5", "ID6"]
    assert docs[1].text.startswith("I needed to upskill")
    assert "golf" not in docs[1].text  # Interest is an attribute, not an answer
    assert docs[2].text.endswith("doing my gardening.")  # trailing space of the cell trimmed, no CR left
    assert all(d.turns == [d.turns[0]] and d.turns[0].speaker == d.name for d in docs)


def test_qualcoder_survey_by_question_gives_one_document_with_a_turn_per_respondent() -> None:
    docs = read_survey_csv(
        (QUALCODER / "survey456.csv").read_bytes(), "survey456.csv", id_column="Case", mode="question"
    )
    assert [d.name for d in docs] == ["freetext"]
    assert [t.speaker for t in docs[0].turns] == ["ID4", "ID5", "ID6"]
    for turn in docs[0].turns:
        assert docs[0].text[turn.start : turn.end].startswith(f"{turn.speaker}: ")


def test_qualcoder_case_attributes_read_as_a_csv_table() -> None:
    rows = read_attribute_table((QUALCODER / "cases123.csv").read_bytes(), "cases123.csv")
    assert rows[2] == {"case": "ID3", "Age": "45", "gender": "f", "interest": "politics"}


def test_webvtt_style_and_note_blocks_are_skipped_and_comma_decimals_read() -> None:
    name = "webvtt-style-note-blocks.vtt"
    doc = read_document((EXTERNAL / "edge-cases" / name).read_bytes(), name)
    assert doc.source_format == "vtt"
    assert doc.text == "Hi there\nThis is an example of a subtitle file in SRT format"
    assert [(t.speaker, t.time) for t in doc.turns] == [(None, 0.123), (None, 64.843)]
    assert [doc.text[t.start : t.end] for t in doc.turns] == doc.text.split("\n")
