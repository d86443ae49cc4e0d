"""Who sees what: a blind coder never sees another coder's work (codings, memos on them, quotes, agreement,
project export); real names stay with the study owner, including in import warnings; memos on segments."""

from __future__ import annotations

import pytest
from django.urls import reverse

from commed.qualitative import selectors, services
from commed.qualitative.models import Document, Memo
from commed.qualitative.tests.factories import researcher, small_study

pytestmark = pytest.mark.django_db


@pytest.fixture
def blind_setup(personas):
    owner = researcher("blind_owner")
    small = small_study(owner, "blind")
    services.study_member_set(study=small.study, by=owner, user=personas.researcher, can_code=True, blind=True)
    services.memo_create(study=small.study, by=owner, text="Owner's thought on the segment", coding=small.coding)
    services.memo_create(study=small.study, by=owner, text="A memo on the document", document=small.document)
    services.theme_quote_add(code=small.code, coding=small.coding, by=owner)
    return small


def test_a_blind_coder_does_not_see_memos_on_the_others_segments(blind_setup, personas) -> None:
    small = blind_setup
    blind = personas.researcher
    mine = services.coding_create(document=small.document, code=small.code, by=blind, start=0, end=11)
    services.memo_create(study=small.study, by=blind, text="My own segment memo", coding=mine)
    seen = {m.text for m in selectors.memos_for(study=small.study, user=blind, document=small.document)}
    assert seen == {"A memo on the document", "My own segment memo"}
    assert "Owner's thought on the segment" in {
        m.text for m in selectors.memos_for(study=small.study, user=small.study.owner, document=small.document)}
    client = personas.client("researcher")
    for name, kwargs in (("document", {"pk": small.document.pk}), ("study", {}), ("code", {"pk": small.code.pk})):
        page = client.get(reverse(f"qualitative:{name}", kwargs={"slug": "blind", **kwargs}))
        assert page.status_code == 200
        assert b"Owner&#x27;s thought" not in page.content and b"Owner's thought" not in page.content


def test_a_blind_coder_counts_only_their_own_codings_in_the_document_list(blind_setup, personas) -> None:
    small = blind_setup
    services.coding_create(document=small.document, code=small.code, by=personas.researcher, start=0, end=11)
    (row,) = selectors.document_list(study=small.study, user=personas.researcher)
    assert row["codings"] == 1
    (row,) = selectors.document_list(study=small.study, user=small.study.owner)
    assert row["codings"] == 2


@pytest.mark.parametrize(("name", "extra"), [("agreement", {}), ("themes", {}), ("themes_export", {"fmt": "csv"}),
                                             ("export_qdpx", {})])
def test_a_blind_coder_gets_404_on_pages_that_show_every_coder(blind_setup, personas, name: str, extra) -> None:
    client = personas.client("researcher")
    assert client.get(reverse(f"qualitative:{name}", kwargs={"slug": "blind", **extra})).status_code == 404
    client.force_login(blind_setup.study.owner)
    assert client.get(reverse(f"qualitative:{name}", kwargs={"slug": "blind", **extra})).status_code == 200


def test_a_blind_coder_is_not_offered_those_pages(blind_setup, personas) -> None:
    page = personas.client("researcher").get(reverse("qualitative:exchange", kwargs={"slug": "blind"}))
    assert page.status_code == 200
    assert reverse("qualitative:export_qdpx", kwargs={"slug": "blind"}).encode() not in page.content
    assert reverse("qualitative:themes", kwargs={"slug": "blind"}).encode() not in page.content
    assert reverse("qualitative:export_qdc", kwargs={"slug": "blind"}).encode() in page.content


def test_a_memo_is_written_on_a_segment_from_the_document_page(personas) -> None:
    small = small_study(personas.researcher, "memos")
    client = personas.client("researcher")
    url = reverse("qualitative:document", kwargs={"slug": "memos", "pk": small.document.pk})
    page = client.get(url)
    assert f'name="coding" value="{small.coding.pk}"'.encode() in page.content
    response = client.post(reverse("qualitative:memo_create", kwargs={"slug": "memos"}),
                           {"coding": small.coding.pk, "text": "Equality is claimed, not shown."})
    assert response.status_code == 302 and response["Location"] == url
    memo = Memo.objects.get(text="Equality is claimed, not shown.")
    assert (memo.coding, memo.document, memo.code) == (small.coding, None, None)
    assert b"Equality is claimed, not shown." in client.get(url).content


def test_real_names_do_not_reach_the_members_through_import_warnings(personas) -> None:
    """A rejected speaker label is quoted in a warning: it is pseudonymised like the text."""
    owner = researcher("names_owner")
    small = small_study(owner, "names")
    services.study_member_set(study=small.study, by=owner, user=personas.researcher, can_code=True)
    lines = [f"C01: line {i} of a long answer." for i in range(25)]
    lines.insert(10, "Maria Lopez: I said this only once.")
    result = services.documents_import(study=small.study, by=personas.researcher,
                                       files=[("long.txt", "\n".join(lines).encode())])
    (document,) = result.documents
    assert document.warnings and all("Maria" not in w for w in document.warnings)
    assert any("[2P14]" in w for w in document.warnings)
    assert all("Maria" not in w for w in result.warnings)
    page = personas.client("researcher").get(reverse("qualitative:document", kwargs={"slug": "names",
                                                                                     "pk": document.pk}))
    assert b"Maria" not in page.content
    assert Document.objects.filter(study=small.study, text__contains="Maria").count() == 0
