"""Every import format and speaker-turn form of the issue, through `commed qda import-docs`, into one study:
turns linked to the register, names replaced, the log kept apart."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from commed.qualitative import services
from commed.qualitative.models import Document, PseudonymisationLog
from commed.qualitative.tests.factories import researcher

pytestmark = pytest.mark.django_db

PLAIN = "2P14: Maria started it.\nResearcher 1: Why?\n2P14: Because we could.\nResearcher 2: Thanks.\n"
TIMED = "[00:01:02] 2P14: We began in May.\n[00:01:09] Interviewer: And then?\n[00:01:15] 1P05: Then money.\n"
VTT_DOT = ("WEBVTT\n\nSTYLE\n::cue { color: yellow }\n\nNOTE recorded on Teams\n\n"
           "1\n00:00:01.000 --> 00:00:04.500\n<v 2P14>Maria here, from the charity.</v>\n\n"
           "2\n00:00:04.500 --> 00:00:07.250\n<v 1P05>And I run the school club.</v>\n")
VTT_COMMA = ("WEBVTT\n\nNOTE\nZoom export\n\n00:00:01,000 --> 00:00:03,000\n2P14: Hello everyone.\n\n"
             "00:00:03,000 --> 00:00:05,000\nC01: Hello Maria.\n")
SRT = "1\n00:00:01,000 --> 00:00:02,500\n2P14: Short answer.\n\n2\n00:00:02,500 --> 00:00:04,000\nC01: Noted.\n"
SURVEY = ("respondent;year;What did you gain?;What would you change?\n"
          "R1;2024;Confidence, thanks to Maria;More time for the visits\nR2;2024;New friends;Nothing at all, really\n")


def _pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    for line in ("C01: The students came every week.", "1P05: Maria brought them.", "C01: Yes."):
        pdf.cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


@pytest.fixture
def study():
    owner = researcher("formats_owner")
    study = services.study_create(owner=owner, title="Formats", slug="formats")
    services.participant_create(study=study, by=owner, code="2P14", real_name="Maria Lopez")
    services.participant_create(study=study, by=owner, code="1P05")
    services.participant_create(study=study, by=owner, code="C01")
    services.participant_create(study=study, by=owner, code="id1")
    return study


def test_every_named_format_imports_with_its_turns_linked(study, tmp_path: Path, external: Path) -> None:
    files = {
        "utf8-bom.txt": b"\xef\xbb\xbf" + PLAIN.encode(),
        "cp1252.txt": (PLAIN.replace("Why?", "Why \u2018so\u2019?")).encode("cp1252"),
        "utf16.txt": PLAIN.encode("utf-16"),
        "timed.txt": TIMED.encode(),
        "teams.vtt": VTT_DOT.encode(),
        "zoom.vtt": VTT_COMMA.encode(),
        "call.srt": SRT.encode(),
        "interview.pdf": _pdf(),
        "survey.csv": SURVEY.encode("cp1252"),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    qualcoder = external / "transcripts" / "qualcoder-examples"
    paths = [str(tmp_path / n) for n in files] + [str(qualcoder / n) for n in ("ID1.docx", "ID2.odt",
                                                                                "transcript.txt")]
    out = io.StringIO()
    call_command("qda", "import-docs", "formats", *paths, stdout=out)
    documents = {d.name: d for d in Document.objects.filter(study=study)}
    formats = {name: d.source_format for name, d in documents.items()}
    assert {formats[n] for n in ("utf8-bom.txt", "cp1252.txt", "utf16.txt", "timed.txt", "transcript.txt")} == {
        "text"}
    assert (formats["teams.vtt"], formats["zoom.vtt"], formats["call.srt"]) == ("vtt", "vtt", "srt")
    assert (formats["interview.pdf"], formats["ID1.docx"], formats["ID2.odt"]) == ("pdf", "docx", "odt")
    survey = [d for d in documents.values() if d.source_format == "csv"]
    assert sorted(d.name for d in survey) == ["R1", "R2"]  # one per respondent
    assert [t.participant.code if t.participant else None for t in documents["R1"].turns.all()] == ["R1", "R1"]
    respondent = documents["R1"].participant
    assert respondent is not None and respondent.values.get(variable__name="year").value == "2024"

    def turns(name: str) -> list[tuple[str, str | None]]:
        return [(t.speaker, t.participant.code if t.participant else None)
                for t in documents[name].turns.order_by("index")]

    for name in ("utf8-bom.txt", "cp1252.txt", "utf16.txt"):
        assert turns(name) == [("2P14", "2P14"), ("Researcher 1", None), ("2P14", "2P14"),
                               ("Researcher 2", None)], name
        assert documents[name].text.startswith("2P14: [2P14] started it.")  # BOM gone, name replaced
    assert "\u2018so\u2019" in documents["cp1252.txt"].text
    assert turns("timed.txt") == [("2P14", "2P14"), ("Interviewer", None), ("1P05", "1P05")]
    assert [t.time for t in documents["timed.txt"].turns.order_by("index")] == [62.0, 69.0, 75.0]
    assert turns("teams.vtt") == [("2P14", "2P14"), ("1P05", "1P05")]
    assert [t.time for t in documents["teams.vtt"].turns.order_by("index")] == [1.0, 4.5]
    assert turns("zoom.vtt") == [("2P14", "2P14"), ("C01", "C01")]
    assert "STYLE" not in documents["teams.vtt"].text and "recorded on Teams" not in documents["teams.vtt"].text
    assert turns("call.srt") == [("2P14", "2P14"), ("C01", "C01")]
    assert turns("interview.pdf") == [("C01", "C01"), ("1P05", "1P05"), ("C01", "C01")]
    assert turns("transcript.txt")[0] == ("id1", "id1")  # QualCoder's [id1] form
    for document in documents.values():
        assert "Maria" not in document.text, document.name
    logs = PseudonymisationLog.objects.filter(document__study=study)
    assert logs.count() == len(documents)
    originals = {e["original"] for log in logs for e in log.entries}
    assert originals == {"Maria"}
    assert "Maria" not in out.getvalue()


def test_a_survey_imports_one_document_per_question(study, tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_bytes(SURVEY.encode("cp1252"))
    call_command("qda", "import-docs", "formats", str(path), "--survey-mode", "question", stdout=io.StringIO())
    documents = list(Document.objects.filter(study=study).order_by("name"))
    assert len(documents) == 2  # the two free-text questions; the year column is not one
    assert any("What did you gain?" in d.name for d in documents)
    gain = next(d for d in documents if "What did you gain?" in d.name)
    assert "Confidence" in gain.text and "New friends" in gain.text and "Maria" not in gain.text
