"""Searching and filtering the partner directory, and who sees which organisations."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from commed.partners import selectors, services
from commed.partners.models import Stage


@pytest.fixture
def directory(personas):
    lead = personas.lead
    charlie = services.organisation_create(
        actor=lead, name="Charlie School", kind="school", populations=["young people"], focus_areas=["diabetes"],
        languages=["so"], areas_served="SE13, Lewisham", postcode="SE13 5AB",
        description="Secondary school with a health club",
    )
    delta = services.organisation_create(
        actor=lead, name="Delta Surgery", kind="gp_practice", focus_areas=["mental health"], languages=["bn"],
        postcode="SE8 3QQ",
    )
    partnership = services.partnership_create(actor=lead, organisation=delta, title="Placements")
    services.partnership_set_stage(actor=lead, partnership=partnership, stage=Stage.ACTIVE, reason="Go")
    personas.charlie, personas.delta = charlie, delta
    return personas


def names(**filters) -> list[str]:
    return [o.name for o in selectors.organisation_list(**filters)]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["Alpha Health Forum", "Bravo Community Trust", "Charlie School", "Delta Surgery"]),
        ({"kind": "school"}, ["Charlie School"]),
        ({"kind": "community"}, ["Alpha Health Forum", "Bravo Community Trust"]),
        ({"population": "young people"}, ["Bravo Community Trust", "Charlie School"]),
        ({"focus_area": "mental health"}, ["Delta Surgery"]),
        ({"language": "bn"}, ["Alpha Health Forum", "Delta Surgery"]),
        ({"area": "SE13"}, ["Charlie School"]),
        ({"area": "se8"}, ["Bravo Community Trust", "Delta Surgery"]),
        ({"stage": Stage.ACTIVE}, ["Delta Surgery"]),
        ({"stage": Stage.EXPLORING}, ["Alpha Health Forum", "Bravo Community Trust"]),
        ({"q": "health"}, ["Alpha Health Forum", "Charlie School", "Delta Surgery"]),
        ({"q": "lewisham"}, ["Charlie School"]),
        ({"kind": "community", "population": "older people"}, ["Alpha Health Forum"]),
        ({"kind": "school", "language": "bn"}, []),
    ],
)
def test_the_directory_filters_by_kind_population_focus_language_area_stage_and_text(directory, filters, expected):
    assert names(user=directory.lead, **filters) == expected


@pytest.fixture
def described(directory):
    """Contacts, languages with names, safeguarding dates and capacities to search and filter by."""
    lead = directory.lead
    from commed.partners.models import Language

    Language.objects.filter(code="so").update(name="Somali")
    services.contact_create(actor=lead, organisation=directory.charlie, name="Wendy Okoro", job_title="Head teacher",
                            role="Safeguarding lead", email="w@charlie.example.org")
    services.contact_create(actor=lead, organisation=directory.delta, name="Ian Byrne", job_title="Practice manager",
                            role="Main contact", email="i@delta.example.org")
    services.organisation_update(actor=lead, organisation=directory.charlie, capacity_per_year=12,
                                 safeguarding_policy_date=dt.date(2026, 1, 10))
    services.organisation_update(actor=lead, organisation=directory.delta, capacity_per_year=4,
                                 safeguarding_policy_date=dt.date(2024, 6, 1))
    return directory


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"q": "secondary school"}, ["Charlie School"]),  # description
        ({"q": "somali"}, ["Charlie School"]),  # a language by name
        ({"q": "so"}, ["Charlie School"]),  # ... and by its code
        ({"q": "okoro"}, ["Charlie School"]),  # a contact's name
        ({"q": "practice manager"}, ["Delta Surgery"]),  # a contact's job title
        ({"q": "safeguarding lead"}, ["Charlie School"]),  # a contact's role in the partnership
        ({"q": "SE8 3"}, ["Delta Surgery"]),  # the postcode
        ({"contact_role": "main contact"}, ["Delta Surgery"]),
        ({"contact_role": "head teacher"}, ["Charlie School"]),
        ({"safeguarding": "current"}, ["Charlie School"]),
        ({"safeguarding": "due"}, ["Alpha Health Forum", "Bravo Community Trust", "Delta Surgery"]),
        ({"min_capacity": "10"}, ["Charlie School"]),
        ({"max_capacity": "4"}, ["Alpha Health Forum", "Bravo Community Trust", "Delta Surgery"]),
        ({"min_capacity": "2", "max_capacity": "8"}, ["Delta Surgery"]),
        ({"min_capacity": "ten"}, ["Alpha Health Forum", "Bravo Community Trust", "Charlie School", "Delta Surgery"]),
        ({"kind": "gp_practice", "safeguarding": "current"}, []),
    ],
)
def test_the_directory_searches_contacts_languages_and_description_and_filters_safeguarding_and_capacity(
    described, filters, expected
):
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC), tick=False):
        assert names(user=described.lead, **filters) == expected


def test_the_directory_page_passes_every_filter_to_the_search(described):
    client = described.client("coordinator")
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC), tick=False):
        page = client.get(reverse("partners:list"), {"contact_role": "safeguarding", "max_capacity": "20",
                                                     "safeguarding": "current"})
    assert [o.name for o in page.context["organisations"]] == ["Charlie School"]
    assert page.context["filters"]["contact_role"] == "safeguarding"


def test_a_partner_sees_only_their_own_organisation_and_a_student_none(directory):
    assert names(user=directory.partner_a) == ["Alpha Health Forum"]
    assert names(user=directory.partner_b, kind="community") == ["Bravo Community Trust"]
    assert names(user=directory.student) == []


def test_an_organisation_with_several_matching_terms_is_listed_once_with_its_partnership_count(directory):
    services.partnership_create(actor=directory.lead, organisation=directory.delta, title="Second")
    delta = [o for o in selectors.organisation_list(user=directory.lead, q="e") if o.name == "Delta Surgery"]
    assert len(delta) == 1
    assert getattr(delta[0], "partnership_count") == 2  # noqa: B009 (an annotation mypy cannot see)


def test_the_directory_page_filters_and_answers_htmx_with_the_rows_only(directory):
    client = directory.client("tutor")
    page = client.get(reverse("partners:list"), {"kind": "gp_practice"})
    assert "Delta Surgery" in page.content.decode()
    assert "Charlie School" not in page.content.decode()
    rows = client.get(reverse("partners:list"), {"language": "so"}, headers={"HX-Request": "true"})
    content = rows.content.decode()
    assert "Charlie School" in content
    assert "Alpha Health Forum" not in content
    assert "<html" not in content
