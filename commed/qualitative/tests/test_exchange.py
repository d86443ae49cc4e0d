"""REFI-QDA through the `qda` command and the web: the real files, export validity, hostile uploads."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from commed.audit.models import Action, AuditEvent
from commed.qualitative import exchange
from commed.qualitative.models import Code, Coding, Document, Study
from commed.qualitative.tests.factories import researcher, small_study
from commed_core.refiqda import read_codebook, read_project, validate_codebook_xml, validate_qdpx

pytestmark = pytest.mark.django_db


def _selections(project):
    return sorted(
        (source.guid, sel.start, sel.end, source.text[sel.start : sel.end],
         tuple(sorted((c.guid, c.code_guid, c.creating_user) for c in sel.codings)))
        for source in project.sources for sel in source.selections
    )


def test_the_qc_project_imports_through_the_command_and_exports_valid_with_the_same_content(
        external: Path, tmp_path: Path) -> None:
    researcher("qda_owner")
    source = external / "refi-qda" / "qc-1.3.2-demo.qdpx"
    out = io.StringIO()
    call_command("qda", "import-qdpx", str(source), "--study", "qc", "--owner", "qda_owner", stdout=out)
    assert "262 codes, 2 documents, 205 codings" in out.getvalue()
    assert "has no internal:// prefix" in out.getvalue()
    study = Study.objects.get(slug="qc")
    assert Code.objects.filter(study=study).count() == 262
    assert Coding.objects.filter(study=study).count() == 205
    target = tmp_path / "again.qdpx"
    call_command("qda", "export-qdpx", "qc", str(target), stdout=io.StringIO())
    data = target.read_bytes()
    assert validate_qdpx(data) == []
    original, again = read_project(source.read_bytes()), read_project(data)
    assert sorted((c.guid, c.name, c.color) for c in again.iter_codes()) == sorted(
        (c.guid, c.name, c.color) for c in original.iter_codes())
    assert sorted((s.guid, s.text) for s in again.sources) == sorted((s.guid, s.text) for s in original.sources)
    assert _selections(again) == _selections(original)
    assert AuditEvent.objects.filter(action=Action.EXPORT, object_id=str(study.pk)).exists()


def test_importing_the_same_project_twice_is_refused_and_writes_nothing(external: Path) -> None:
    researcher("qda_owner")
    source = str(external / "refi-qda" / "qc-1.3.2-demo.qdpx")
    call_command("qda", "import-qdpx", source, "--study", "qc", "--owner", "qda_owner", stdout=io.StringIO())
    with pytest.raises(CommandError, match=r"qc-1\.3\.2-demo\.qdpx: the study already has"):
        call_command("qda", "import-qdpx", source, "--study", "qc", stdout=io.StringIO())
    assert Coding.objects.count() == 205


@pytest.mark.parametrize("name", ["atlasti-23.4-codebook.qdc", "taguette-codebook-empty-sets.qdc"])
def test_the_real_codebooks_import_and_export_valid(external: Path, tmp_path: Path, name: str) -> None:
    owner = researcher("qda_owner")
    small_study(owner, "cb")
    original = read_codebook((external / "refi-qda" / name).read_bytes())
    call_command("qda", "import-qdpx", str(external / "refi-qda" / name), "--study", "cb", stdout=io.StringIO())
    target = tmp_path / "out.qdc"
    call_command("qda", "export-qdpx", "cb", str(target), stdout=io.StringIO())
    assert validate_codebook_xml(target.read_bytes()) == []
    names = {c.name for c in read_codebook(target.read_bytes()).iter_codes()}
    assert {c.name for c in original.iter_codes()} <= names


def test_a_study_exports_valid_without_the_identity_link_or_the_log(tmp_path: Path) -> None:
    small = small_study(researcher("qda_owner"), "small")
    data = exchange.project_export(study=small.study, by=None)
    assert validate_qdpx(data) == []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        everything = b"".join(archive.read(n) for n in archive.namelist())
    assert b"Maria" not in everything and b"John Smith" not in everything
    project = read_project(data)
    assert [c.name for c in project.cases] == ["1P05", "2P14", "C01"]
    assert project.sources[0].selections[0].codings[0].code_guid == small.code.guid


# --- hostile uploads through the web: a clear message, nothing written -----------------------------------------


def _zip(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


QDE = ('<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="x">'
       "<CodeBook><Codes/></CodeBook></Project>")
XXE = ('<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       '<Project xmlns="urn:QDA-XML:project:1.0" name="&x;"/>')
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;">'
          '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;">]><Project xmlns="urn:QDA-XML:project:1.0" name="&c;"/>')
HOSTILE = {
    "bomb.qdpx": _zip({"project.qde": QDE.encode(), "sources/big.txt": b"\0" * (60 * 1024 * 1024)}),
    "xxe.qdpx": _zip({"project.qde": XXE.encode()}),
    "laughs.qdpx": _zip({"project.qde": LAUGHS.encode()}),
    "traversal.qdpx": _zip({"project.qde": QDE.encode(), "../../etc/evil.txt": b"x"}),
    "notzip.qdpx": b"this is not a zip at all",
    "noproject.qdpx": _zip({"readme.txt": b"hello"}),
    "xxe.qdc": XXE.replace("Project", "CodeBook").replace("project", "codebook").encode(),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_exchange_upload_gets_a_message_naming_it_and_nothing_is_written(personas, name: str) -> None:
    small = small_study(personas.researcher, "hostile")
    counts = (Code.objects.count(), Document.objects.count(), Coding.objects.count())
    client = personas.client("researcher")
    response = client.post(reverse("qualitative:exchange", kwargs={"slug": small.study.slug}),
                           {"file": SimpleUploadedFile(name, HOSTILE[name])})
    assert response.status_code == 200
    assert name.encode() in response.content and b"Nothing was imported" in response.content
    assert (Code.objects.count(), Document.objects.count(), Coding.objects.count()) == counts
    assert b"root:" not in response.content


def test_a_member_who_is_not_the_owner_cannot_import_into_the_study(personas) -> None:
    small = small_study(researcher("someone_else"), "not-mine")
    from commed.qualitative import services

    services.study_member_set(study=small.study, by=small.study.owner, user=personas.researcher)
    response = personas.client("researcher").post(
        reverse("qualitative:exchange", kwargs={"slug": small.study.slug}),
        {"file": SimpleUploadedFile("x.qdc", b"<x/>")})
    assert response.status_code == 404
