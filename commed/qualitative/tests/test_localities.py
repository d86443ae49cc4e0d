"""Linking a study to health localities, sharing its themes (owner only, audited), and the aggregate themes that
locality profiles show: counts of documents and speakers under each top-level theme, no quotes, no codes of people.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from commed.audit.models import Action, AuditEvent
from commed.health.services import locality_create
from commed.qualitative import selectors, services
from commed.qualitative.models import Study, StudyLocality
from commed.qualitative.tests.factories import SmallStudy, researcher, small_study

pytestmark = pytest.mark.django_db

SECOND = (
    "Facilitator: And the students?\n"
    "C01: They came every week and they listened.\n"
    "1P05: We trusted them by the spring.\n"
)


@pytest.fixture
def owner():
    return researcher("owner_r")


@pytest.fixture
def catford(personas):
    return locality_create(actor=personas.lead, name="Catford", kind="lsoas", codes=["E01003189"])


@pytest.fixture
def lewisham(personas):
    return locality_create(actor=personas.lead, name="Lewisham", kind="lad", codes=["E09000023"])


def coded_study(owner, slug: str) -> SmallStudy:
    """Theme "Reciprocity" > concept "Equal partners" > code "Listened to", coded in two documents by three
    speakers (2P14 on the concept, 1P05 on the child code, C01 and 1P05 again on the theme itself); an empty
    second theme "Money"."""
    small = small_study(owner, slug)
    child = services.code_create(study=small.study, by=owner, name="Listened to", parent=small.code)
    services.code_create(study=small.study, by=owner, name="Money")
    services.coding_create_for_turn(turn=small.document.turns.get(speaker="1P05"), code=child, by=owner)
    second = services.documents_import(study=small.study, by=owner, files=[("fg2.txt", SECOND.encode())]).documents[0]
    for speaker in ("C01", "1P05"):
        services.coding_create_for_turn(turn=second.turns.get(speaker=speaker), code=small.theme, by=owner)
    return small


def test_the_owner_links_localities_and_shares_themes_and_the_change_is_audited(owner, catford, lewisham) -> None:
    study = small_study(owner, "linked").study
    assert not study.share_themes  # research data stays with the researchers unless the owner shares
    services.study_set_localities(actor=owner, study=study, localities=[catford, lewisham], share_themes=True)
    assert Study.objects.get(pk=study.pk).share_themes
    assert list(selectors.study_localities(study=study)) == [catford, lewisham]
    event = AuditEvent.objects.filter(object_type="qualitative.Study", object_id=str(study.pk),
                                      action=Action.CHANGE).get()
    assert event.actor == owner
    assert event.changes == {"localities": [[], sorted([catford.pk, lewisham.pk])], "share_themes": [False, True]}

    services.study_set_localities(actor=owner, study=study, localities=[lewisham], share_themes=True)
    assert list(StudyLocality.objects.filter(study=study).values_list("locality_id", flat=True)) == [lewisham.pk]
    latest = AuditEvent.objects.filter(object_id=str(study.pk), action=Action.CHANGE).order_by("-pk").first()
    assert latest is not None and latest.changes == {
        "localities": [sorted([catford.pk, lewisham.pk]), [lewisham.pk]]}


def test_only_the_owner_may_link_a_study_and_other_members_get_404(owner, catford, personas) -> None:
    study = small_study(owner, "linked").study
    member = researcher("member_r")
    services.study_member_set(study=study, by=owner, user=member)
    with pytest.raises(ValidationError):
        services.study_set_localities(actor=member, study=study, localities=[catford], share_themes=True)
    assert not StudyLocality.objects.filter(study=study).exists()
    assert not Study.objects.get(pk=study.pk).share_themes

    url = reverse("qualitative:study_localities", kwargs={"slug": study.slug})
    client = personas.client("researcher")
    client.force_login(member)
    assert client.get(url).status_code == 404
    assert client.post(url, {"localities": [catford.pk], "share_themes": "on"}).status_code == 404
    assert not StudyLocality.objects.filter(study=study).exists()

    client.force_login(owner)
    assert client.get(url).status_code == 200
    response = client.post(url, {"localities": [catford.pk], "share_themes": "on"})
    assert response.status_code == 302
    assert Study.objects.get(pk=study.pk).share_themes
    assert list(selectors.study_localities(study=study)) == [catford]
    page = client.get(reverse("qualitative:study", kwargs={"slug": study.slug})).content.decode()
    assert "Catford" in page and "shown on their profiles" in page


def test_locality_themes_count_documents_and_speakers_under_each_theme_and_its_descendants(
    owner, catford, lewisham, django_assert_num_queries
) -> None:
    shared = coded_study(owner, "shared")
    unshared = coded_study(owner, "unshared")
    elsewhere = coded_study(owner, "elsewhere")
    services.study_set_localities(actor=owner, study=shared.study, localities=[catford], share_themes=True)
    services.study_set_localities(actor=owner, study=unshared.study, localities=[catford], share_themes=False)
    services.study_set_localities(actor=owner, study=elsewhere.study, localities=[lewisham], share_themes=True)

    with django_assert_num_queries(3):
        result = selectors.locality_themes(locality=catford)
    assert [s.title for s in result] == [shared.study.title]
    themes = {t.name: (t.documents, t.speakers) for t in result[0].themes}
    # Reciprocity: fg1 (2P14 on the concept, 1P05 on the child code) and fg2 (C01, 1P05 on the theme).
    assert themes == {"Reciprocity": (2, 3), "Money": (0, 0)}
    # Aggregates only: nothing but names and counts leaves the workspace.
    assert set(vars(result[0])) == {"title", "themes"}
    assert set(vars(result[0].themes[0])) == {"name", "documents", "speakers"}
    assert [s.title for s in selectors.locality_themes(locality=lewisham)] == [elsewhere.study.title]


def test_a_study_that_shares_nothing_or_links_nowhere_gives_no_themes(owner, catford) -> None:
    coded_study(owner, "quiet")
    assert selectors.locality_themes(locality=catford) == []
