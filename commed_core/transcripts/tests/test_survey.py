"""Survey CSVs built in the test: dialects, several questions, blank answers, column detection."""

from __future__ import annotations

from commed_core.transcripts import read_attribute_table, read_survey_attributes, read_survey_csv

SEMICOLON = (
    "Respondent;Year;What went well?;What could be better?\r\n"
    "R1;3;The community partner was welcoming and organised;\r\n"
    'R2;4;"Seeing patients at home, in their own words";More time with the team, please\r\n'
    "R3;3;;\r\n"
).encode("cp1252")


def test_a_semicolon_csv_in_cp1252_gives_a_document_per_respondent_with_answers() -> None:
    docs = read_survey_csv(SEMICOLON, "feedback.csv")
    assert [d.name for d in docs] == ["R1", "R2"]  # R3 answered nothing
    assert docs[0].text == "What went well?\nThe community partner was welcoming and organised"
    assert docs[1].text == (
        "What went well?\nSeeing patients at home, in their own words\n\n"
        "What could be better?\nMore time with the team, please"
    )
    assert [docs[1].text[t.start : t.end] for t in docs[1].turns] == [
        "Seeing patients at home, in their own words",
        "More time with the team, please",
    ]
    assert docs[0].encoding in ("cp1252", "utf-8")


def test_question_mode_gives_a_document_per_question_skipping_blank_answers() -> None:
    docs = read_survey_csv(SEMICOLON, "feedback.csv", mode="question")
    assert [d.name for d in docs] == ["What went well?", "What could be better?"]
    assert [t.speaker for t in docs[0].turns] == ["R1", "R2"]
    assert docs[1].text == "R2: More time with the team, please"


def test_the_year_column_is_not_taken_for_free_text() -> None:
    docs = read_survey_csv(SEMICOLON, "feedback.csv", mode="question")
    assert "Year" not in [d.name for d in docs]


def test_explicit_columns_and_id_override_detection() -> None:
    docs = read_survey_csv(
        SEMICOLON, "feedback.csv", id_column="Year", text_columns=["What could be better?"], mode="respondent"
    )
    assert [(d.name, d.text) for d in docs] == [("4", "More time with the team, please")]


def test_a_tab_separated_file_with_a_multiline_answer_is_read() -> None:
    data = b'id\tanswer\n1\t"first line of a long answer\nsecond line"\n2\tanother answer with words\n'
    docs = read_survey_csv(data, "s.tsv")
    assert docs[0].text == "first line of a long answer\nsecond line"


def test_duplicate_ids_and_short_rows_are_warned_about() -> None:
    docs = read_survey_csv(
        b"id,answer,extra\n1,some long answer here\n1,another long answer here,x\n", "s.csv"
    )
    assert any("more than once" in w for w in docs[0].warnings)
    assert any("2 fields" in w for w in docs[0].warnings)


def test_an_attribute_csv_with_a_bom_and_semicolons_is_read() -> None:
    rows = read_attribute_table("\ufeffname;age\r\nAna;34\r\nBen;\r\n".encode(), "people.csv")
    assert rows == [{"name": "Ana", "age": "34"}, {"name": "Ben", "age": ""}]


def test_survey_attributes_are_the_other_columns_without_identifying_ones() -> None:
    data = (
        b"id,Name,E-mail,Age,Role,What did you gain?\n"
        b"R1,Maria Lopez,m@x.invalid,34,partner,Confidence in speaking to the students\n"
        b"R2,Ann Bell,,,coordinator,Nothing much this year sadly\n"
        b",Nobody,,50,x,An answer without an id at all\n"
    )
    attributes, skipped = read_survey_attributes(data, "s.csv")
    assert attributes == {"R1": {"Age": "34", "Role": "partner"}, "R2": {"Role": "coordinator"}}
    assert skipped == ["Name", "E-mail"]
    # The free-text column is the one read_survey_csv reads.
    assert [d.name for d in read_survey_csv(data, "s.csv")] == ["R1", "R2", "row 4"]
