"""Importing real transcripts: every Sheffield interview with the facesheet, and the QualCoder examples."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from commed.qualitative import selectors, services
from commed.qualitative.models import Code, Document, Participant, ParticipantValue, PseudonymisationLog
from commed.qualitative.tests.factories import researcher
from commed_core.refiqda import validate_codebook_xml

pytestmark = pytest.mark.django_db


def test_every_sheffield_interview_imports_with_the_facesheet_as_participant_variables(external: Path) -> None:
    folder = external / "transcripts" / "sheffield-orda"
    owner = researcher("sheffield_r")
    study = services.study_create(owner=owner, title="Sheffield ORDA interviews", slug="sheffield")
    facesheet = folder / "Interview Participant - Facesheet information.xlsx"
    out = io.StringIO()
    call_command("qda", "import-participants", "sheffield", str(facesheet), "--name-column", "TranscriptName",
                 "--code-prefix", "S", stdout=out)
    assert "15 participants" in out.getvalue()
    interviews = sorted(p for p in folder.glob("*.txt"))
    assert len(interviews) == 12
    call_command("qda", "import-docs", "sheffield", *map(str, interviews), stdout=out)
    documents = {d.name: d for d in Document.objects.filter(study=study).prefetch_related("turns")}
    assert len(documents) == 12
    ana = next(d for d in documents.values() if d.name.startswith("Ana") or (d.participant and
               d.participant.identity.real_name == "Ana"))
    assert "Ana:" not in ana.text
    assert ana.participant is not None
    assert ana.participant.values.get(variable__name="Field").value
    log = PseudonymisationLog.objects.get(document=ana)
    assert {e["original"] for e in log.entries} >= {"Ana"}
    # Every interview has its interviewee linked (through the facesheet's TranscriptName), with the facesheet's
    # attributes, and is named by the code, not the person.
    by_identity = {d.participant.identity.real_name: d for d in documents.values() if d.participant is not None}
    assert sorted(by_identity) == sorted(p.stem for p in interviews)
    for name, document in by_identity.items():
        interviewee = document.participant
        assert interviewee is not None
        assert document.name == f"{interviewee.code}.txt" and name not in document.name
        assert interviewee.values.count() >= 15
        speakers = {t.speaker for t in document.turns.all()}
        assert speakers == {"", "Researcher 1", interviewee.code}
    variables = set(ParticipantValue.objects.filter(participant__study=study).values_list("variable__name",
                                                                                            flat=True))
    assert {"AgeGroup", "Region", "CareerStage", "Field"} <= variables
    assert "TranscriptName" not in variables  # the name stays in the identity link


def test_the_sheffield_docx_interviews_import_too(external: Path) -> None:
    folder = external / "transcripts" / "sheffield-orda"
    owner = researcher("sheffield_r")
    study = services.study_create(owner=owner, title="Sheffield DOCX", slug="sheffield-docx")
    files = [(p.name, p.read_bytes()) for p in sorted(folder.glob("*.docx")) if not p.name.startswith("Readme")]
    result = services.documents_import(study=study, by=owner, files=files)
    assert len(result.documents) == len(files) == 10
    assert all(d.turns.count() > 10 for d in result.documents)


def test_the_qualcoder_examples_import_with_cases_and_survey_answers(external: Path) -> None:
    folder = external / "transcripts" / "qualcoder-examples"
    owner = researcher("qc_r")
    study = services.study_create(owner=owner, title="QualCoder examples", slug="qualcoder")
    made = services.participants_import_table(study=study, by=owner, data=(folder / "cases123.csv").read_bytes(),
                                              filename="cases123.csv")
    assert [p.code for p in made] == ["ID1", "ID2", "ID3"]
    result = services.documents_import(study=study, by=owner, files=[
        (name, (folder / name).read_bytes()) for name in ("transcript.txt", "ID1.docx", "ID2.odt", "survey456.csv")
    ])
    names = [d.name for d in result.documents]
    assert len(names) >= 4
    transcript = next(d for d in result.documents if d.name.startswith("transcript"))
    turns = list(transcript.turns.order_by("index"))
    assert turns[0].speaker == "id1"
    assert turns[0].participant == Participant.objects.get(study=study, code="ID1")
    hits = selectors.segments_search(study=study, query="lecture slides")
    assert hits and hits[0].snippet_match.lower() == "lecture"
    # The survey's respondents join the register with their other columns; their answers are their turns.
    id5 = Participant.objects.get(study=study, code="ID5")
    assert dict(id5.values.values_list("variable__name", "value")) == {"Gender": "m", "Interest": "golf"}
    answer = next(d for d in result.documents if d.name == "ID5")
    assert [t.participant for t in answer.turns.all()] == [id5]
    assert any("3 respondents added to the participant register" in w for w in result.warnings)
    # The cases' attributes stay as they were imported (the survey does not overwrite them).
    assert dict(Participant.objects.get(study=study, code="ID1").values.values_list(
        "variable__name", "value")) == {"Age": "20", "gender": "f", "interest": "science"}


def test_the_qualcoder_plain_text_codebook_imports_through_the_command_with_its_hierarchy(external: Path,
                                                                                          tmp_path: Path) -> None:
    owner = researcher("qc_r")
    services.study_create(owner=owner, title="QualCoder codebook", slug="qc-codebook")
    path = external / "transcripts" / "qualcoder-examples" / "plain_codes_categories_for_import.txt"
    out = io.StringIO()
    call_command("qda", "import-qdpx", str(path), "--study", "qc-codebook", stdout=out)
    assert "6 codes" not in out.getvalue() and "9 codes" in out.getvalue()  # 6 codes and 3 categories
    codes = {c.name: c for c in Code.objects.filter(study__slug="qc-codebook").select_related("parent")}
    parent = codes["code4"].parent
    assert parent is not None and parent.parent is not None
    assert (parent.name, parent.parent.name) == ("cat2", "cat3")
    assert (codes["cat1"].is_codable, codes["code2"].is_codable) == (False, True)
    assert codes["code1"].definition == "A memo for code 1"
    target = tmp_path / "out.qdc"
    call_command("qda", "export-qdpx", "qc-codebook", str(target), stdout=io.StringIO())
    assert validate_codebook_xml(target.read_bytes()) == []


def test_the_vtt_edge_case_imports_with_its_cues_as_turns(external: Path) -> None:
    owner = researcher("vtt_r")
    study = services.study_create(owner=owner, title="VTT", slug="vtt")
    path = external / "transcripts" / "edge-cases" / "webvtt-style-note-blocks.vtt"
    result = services.documents_import(study=study, by=owner, files=[(path.name, path.read_bytes())])
    (document,) = result.documents
    assert document.source_format in ("vtt", "webvtt")
    assert document.turns.count() >= 1
    assert "STYLE" not in document.text and "NOTE" not in document.text
