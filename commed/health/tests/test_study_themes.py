"""The locality profile shows the themes of research studies linked to it whose owners share them, and nothing of
a linked study that does not share them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from commed.health.services import locality_create
from commed.qualitative import services as qualitative
from commed.qualitative.tests.factories import researcher, small_study

pytestmark = pytest.mark.django_db


def test_the_profile_shows_themes_of_shared_linked_studies_only(personas) -> None:
    locality = locality_create(actor=personas.lead, name="Catford", kind="lsoas", codes=["E01003189"])
    owner = researcher("owner_r")
    shared = small_study(owner, "shared-study")
    hidden = small_study(owner, "hidden-study")
    qualitative.code_create(study=hidden.study, by=owner, name="Secret theme")
    qualitative.study_set_localities(actor=owner, study=shared.study, localities=[locality], share_themes=True)
    qualitative.study_set_localities(actor=owner, study=hidden.study, localities=[locality], share_themes=False)

    page = personas.client("student").get(reverse("health:locality_detail", kwargs={"pk": locality.pk}))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Themes from linked studies" in text
    assert shared.study.title in text and "Reciprocity" in text
    assert hidden.study.title not in text and "Secret theme" not in text
    assert shared.coding.quote.strip() not in text  # counts only, never quotes


def test_the_profile_says_when_no_linked_study_shares_its_themes(personas) -> None:
    locality = locality_create(actor=personas.lead, name="Catford", kind="lsoas", codes=["E01003189"])
    page = personas.client("partner_a").get(reverse("health:locality_detail", kwargs={"pk": locality.pk}))
    assert "No research study linked to this locality shares its themes." in page.content.decode()
