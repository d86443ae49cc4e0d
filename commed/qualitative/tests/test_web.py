"""The workspace through the web: uploads (good and hostile), coding a selection, the pages a researcher uses."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commed.qualitative import services
from commed.qualitative.models import Coding, Document
from commed.qualitative.tests.factories import researcher, small_study

pytestmark = pytest.mark.django_db


def _docx_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w:document>" + b" " * (200 * 1024 * 1024) + b"</w:document>")
    return buffer.getvalue()


XXE_DOCX = io.BytesIO()
with zipfile.ZipFile(XXE_DOCX, "w") as _archive:
    _archive.writestr("[Content_Types].xml", "<Types/>")
    _archive.writestr("word/document.xml", '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM '
                      '"file:///etc/passwd">]><w:document xmlns:w="urn:x">&x;</w:document>')

HOSTILE_DOCUMENTS = {
    "bomb.docx": _docx_bomb(),
    "xxe.docx": XXE_DOCX.getvalue(),
    "broken.pdf": b"%PDF-1.7\n this is not a pdf",
    "empty.txt": b"",
    "binary.txt": bytes(range(256)) * 40,
}


@pytest.mark.parametrize("name", sorted(HOSTILE_DOCUMENTS))
def test_a_hostile_document_upload_is_refused_naming_the_file_and_nothing_is_written(personas, name: str) -> None:
    small = small_study(personas.researcher, "uploads")
    before = (Document.objects.count(), Coding.objects.count())
    response = personas.client("researcher").post(
        reverse("qualitative:documents_import", kwargs={"slug": small.study.slug}),
        {"upload": [SimpleUploadedFile("fine.txt", b"A: hello\n"), SimpleUploadedFile(name, HOSTILE_DOCUMENTS[name])],
         "names": ""},
    )
    assert response.status_code == 200
    assert name.encode() in response.content
    assert b"root:" not in response.content
    assert (Document.objects.count(), Coding.objects.count()) == before


def test_several_documents_upload_at_once_and_are_pseudonymised(personas) -> None:
    small = small_study(personas.researcher, "uploads")
    response = personas.client("researcher").post(
        reverse("qualitative:documents_import", kwargs={"slug": small.study.slug}),
        {"upload": [SimpleUploadedFile("a.txt", b"2P14: Maria again, and Bob.\n"),
                    SimpleUploadedFile("b.srt", b"1\n00:00:01,000 --> 00:00:02,000\nHello there\n")],
         "names": "Bob"},
    )
    assert response.status_code == 302
    a = Document.objects.get(study=small.study, name="a.txt")
    assert "2P14: [2P14] again, and [redacted]." in a.text and "Maria" not in a.text
    assert Document.objects.filter(study=small.study).count() == 3


def test_a_researcher_codes_a_selection_posted_in_code_points(personas) -> None:
    small = small_study(personas.researcher, "coding")
    text = small.document.text
    start = text.index("equals")
    client = personas.client("researcher")
    page = client.get(reverse("qualitative:document", kwargs={"slug": small.study.slug, "pk": small.document.pk}))
    assert page.status_code == 200
    assert b'data-offset="0"' in page.content and b"qualitative/coding.js" in page.content
    response = client.post(
        reverse("qualitative:coding_create", kwargs={"slug": small.study.slug, "pk": small.document.pk}),
        {"code": small.code.pk, "start": start, "end": start + len("equals")})
    assert response.status_code == 302
    coding = Coding.objects.get(document=small.document, start=start)
    assert coding.quote == "equals" and coding.participant == small.participant


def test_offsets_count_code_points_not_utf16_units(personas) -> None:
    small = small_study(personas.researcher, "emoji")
    result = services.documents_import(study=small.study, by=personas.researcher,
                                       files=[("e.txt", "C01: 😀 café partnership\n".encode())])
    document = result.documents[0]
    start = document.text.index("partnership")
    assert start == 12  # "C01: " 5 + emoji 1 + space + "café" 4 + space
    coding = services.coding_create(document=document, code=small.code, by=personas.researcher, start=start,
                                    end=start + 11)
    assert coding.quote == "partnership"


@pytest.mark.parametrize("name", ["study", "participants", "codebook", "analysis", "agreement", "review", "themes",
                                  "exchange", "members"])
def test_the_pages_of_a_coded_study_render(personas, name: str) -> None:
    small = small_study(personas.researcher, "pages")
    services.theme_quote_add(code=small.code, coding=small.coding, by=personas.researcher)
    response = personas.client("researcher").get(reverse(f"qualitative:{name}", kwargs={"slug": small.study.slug}))
    assert response.status_code == 200
    assert b"<script>" not in response.content and b"style=" not in response.content


def test_search_page_shows_keyword_in_context(personas) -> None:
    small = small_study(personas.researcher, "search")
    response = personas.client("researcher").get(
        reverse("qualitative:search", kwargs={"slug": small.study.slug}), {"q": "trusted"})
    assert b"<mark>trusted</mark>" in response.content
    assert b"took a year before we" in response.content


def test_a_member_who_is_not_the_owner_sees_the_study_but_not_the_owner_pages(personas) -> None:
    owner = researcher("study_owner")
    small = small_study(owner, "shared")
    services.study_member_set(study=small.study, by=owner, user=personas.researcher, can_code=True)
    client = personas.client("researcher")
    assert client.get(reverse("qualitative:study", kwargs={"slug": "shared"})).status_code == 200
    assert client.get(reverse("qualitative:participant_identity", kwargs={
        "slug": "shared", "pk": small.participant.pk})).status_code == 404
    assert client.get(reverse("qualitative:participants_import", kwargs={"slug": "shared"})).status_code == 404
