"""The workspace's services: coding, blind mode, re-anchoring, pseudonymisation, the identity link."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from commed.audit.models import AuditEvent
from commed.qualitative import selectors, services
from commed.qualitative.models import AnchorStatus, Coding, PseudonymisationLog
from commed.qualitative.tests.factories import TRANSCRIPT, researcher, small_study

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return researcher("owner_r")


@pytest.fixture
def small(owner):
    return small_study(owner, "partners")


def test_import_replaces_register_names_and_listed_names_and_keeps_the_log_apart(small) -> None:
    text = small.document.text
    assert "Maria" not in text and "John Smith" not in text
    assert "[2P14] said the students listened" in text
    assert "[redacted] helped" in text
    log = PseudonymisationLog.objects.get(document=small.document)
    originals = sorted(entry["original"] for entry in log.entries)
    assert originals == ["John Smith", "Maria"]
    assert TRANSCRIPT[log.entries[0]["start"] : log.entries[0]["end"]] == log.entries[0]["original"]


def test_the_log_and_the_identity_link_are_for_the_owner_only(small, owner, client) -> None:
    colleague = researcher("colleague_r")
    services.study_member_set(study=small.study, by=owner, user=colleague, can_code=True)
    assert selectors.pseudonymisation_log_for_owner(study=small.study, user=colleague, document=small.document) is None
    assert selectors.pseudonymisation_log_for_owner(study=small.study, user=owner, document=small.document)
    register = selectors.participant_register(study=small.study, user=colleague)
    assert all(row["real_name"] is None for row in register["rows"])
    owner_view = selectors.participant_register(study=small.study, user=owner)
    assert "Maria Lopez" in [row["real_name"] for row in owner_view["rows"]]
    client.force_login(colleague)
    log_url = reverse("qualitative:document_log", kwargs={"slug": small.study.slug, "pk": small.document.pk})
    assert client.get(log_url).status_code == 404
    page = client.get(reverse("qualitative:participants", kwargs={"slug": small.study.slug}))
    assert page.status_code == 200 and b"Maria" not in page.content
    with pytest.raises(ValidationError):
        services.participant_identity_set(participant=small.participant, by=colleague, real_name="X")


def test_turns_are_linked_to_the_register_and_a_coding_takes_its_speaker(small) -> None:
    speakers = {t.speaker: (t.participant.code if t.participant else None) for t in small.document.turns.all()}
    assert speakers == {"Facilitator": None, "2P14": "2P14", "1P05": "1P05", "C01": "C01"}
    assert small.coding.participant == small.participant
    assert small.coding.quote.startswith("2P14: We were equals")


def test_correcting_a_turn_by_hand_moves_its_codings_to_the_new_speaker(small, owner) -> None:
    c01 = small.study.participants.get(code="C01")
    services.turn_correct(turn=small.turn, by=owner, participant=c01)
    small.coding.refresh_from_db()
    assert small.coding.participant == c01


def test_a_coding_must_lie_inside_the_text_and_be_made_by_a_chosen_coder(small, owner) -> None:
    with pytest.raises(ValidationError, match="outside the document"):
        services.coding_create(document=small.document, code=small.code, by=owner, start=5, end=10_000)
    reader = researcher("reader_r")
    services.study_member_set(study=small.study, by=owner, user=reader, can_code=False)
    with pytest.raises(ValidationError, match="not been chosen"):
        services.coding_create(document=small.document, code=small.code, by=reader, start=0, end=5)


def test_only_the_owner_chooses_members_and_only_researchers_can_be_members(small, owner, personas) -> None:
    colleague = researcher("colleague_r")
    with pytest.raises(ValidationError):
        services.study_member_set(study=small.study, by=colleague, user=colleague)
    with pytest.raises(ValidationError):
        services.study_member_set(study=small.study, by=owner, user=personas.lead)


def test_a_blind_coder_sees_only_their_own_codings(small, owner) -> None:
    blind = researcher("blind_r")
    services.study_member_set(study=small.study, by=owner, user=blind, can_code=True, blind=True)
    mine = services.coding_create(document=small.document, code=small.code, by=blind, start=0, end=11)
    visible = set(selectors.document_codings(document=small.document, user=blind))
    assert visible == {mine}
    assert set(selectors.document_codings(document=small.document, user=owner)) == {mine, small.coding}
    with pytest.raises(Http404):
        selectors.coding_get(study=small.study, user=blind, pk=small.coding.pk)


def test_correction_reanchors_codings_and_flags_the_orphans_without_moving_them(small, owner) -> None:
    text = small.document.text
    start = text.index("It took a year")
    gone = services.coding_create(document=small.document, code=small.code, by=owner, start=start,
                                  end=start + len("It took a year before we trusted the school."))
    new_text = "Note added by the transcriber.\n" + text.replace(
        "It took a year before we trusted the school.", "Something else entirely was said here, unrelated.")
    result = services.document_correct(document=small.document, by=owner, new_text=new_text)
    small.coding.refresh_from_db()
    gone.refresh_from_db()
    assert small.coding.status == AnchorStatus.OK
    assert new_text[small.coding.start : small.coding.end] == small.coding.quote
    assert small.coding.quote.startswith("2P14: We were equals")
    assert result.orphaned == [gone.pk]
    assert gone.status == AnchorStatus.ORPHANED
    assert gone.quote == "It took a year before we trusted the school."  # kept for review, not moved
    assert list(selectors.orphaned_codings(study=small.study, user=owner)) == [gone]
    small.document.refresh_from_db()
    assert small.document.version == 2
    assert small.document.turns.get(speaker="2P14").participant == small.participant


def test_an_orphan_can_be_placed_again_by_hand(small, owner) -> None:
    gone = services.coding_create(document=small.document, code=small.code, by=owner, start=0, end=11)
    services.document_correct(document=small.document, by=owner,
                              new_text=small.document.text.replace("Facilitator", "Moderator"))
    gone.refresh_from_db()
    assert gone.status == AnchorStatus.ORPHANED
    services.coding_place(coding=gone, by=owner, start=0, end=9)
    gone.refresh_from_db()
    assert (gone.status, gone.quote) == (AnchorStatus.OK, "Moderator")


def test_memos_attach_to_documents_codes_and_segments(small, owner) -> None:
    services.memo_create(study=small.study, by=owner, text="On the document", document=small.document)
    services.memo_create(study=small.study, by=owner, text="On the code", code=small.code)
    services.memo_create(study=small.study, by=owner, text="On the segment", coding=small.coding)
    on_document = {m.text for m in selectors.memos_for(study=small.study, document=small.document)}
    on_code = {m.text for m in selectors.memos_for(study=small.study, code=small.code)}
    assert on_document == {"On the document", "On the segment"}
    assert on_code == {"On the code", "On the segment"}


def test_a_hostile_or_broken_document_is_refused_with_its_name_and_nothing_is_written(small, owner) -> None:
    before = small.study.documents.count()
    with pytest.raises(services.ImportFailed, match=r"broken\.docx"):
        services.documents_import(study=small.study, by=owner, files=[
            ("good.txt", b"A: hello\nB: there\n"), ("broken.docx", b"PK\x03\x04 not really a zip")])
    assert small.study.documents.count() == before


def test_every_change_is_audited(small, owner) -> None:
    types = set(AuditEvent.objects.values_list("object_type", flat=True))
    assert {"qualitative.Study", "qualitative.Participant", "qualitative.Document", "qualitative.Code",
            "qualitative.Coding"} <= types
    assert Coding.objects.count() == 1
