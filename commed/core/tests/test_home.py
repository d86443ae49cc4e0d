"""The home page: per role, what needs the person's attention, and never anything of someone else's."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commed.allocation.selectors import choices_open_for_student, cohorts_of_student
from commed.allocation.tests.world import build_allocation_world
from commed.core.selectors import NOTHING, Panel, home_panels
from commed.outreach.tests.world import make_programme, make_pupil, make_school
from commed.outreach.tests.world import world as outreach_world
from commed.programmes import services as programme_services
from commed.programmes.tests.world import build_world
from commed.qualitative import services as qualitative_services
from commed.qualitative.tests.factories import researcher, small_study
from commed.surveys.tests.world import build_world as build_survey_world

pytestmark = pytest.mark.django_db


def _panels(user: Any) -> dict[str, Panel]:
    return {panel.title: panel for panel in home_panels(user=user)}


def _text(panel: Panel) -> str:
    return "\n".join(text for text, _ in panel.lines)


def _page(personas: Any, name: str) -> str:
    response = personas.client(name).get(reverse("home"))
    assert response.status_code == 200
    content: bytes = response.content
    return content.decode()


def test_a_lead_sees_every_plan_awaiting_signatures_naming_who_has_not_signed(personas):
    world = build_world(personas)
    panel = _panels(personas.lead)["Project plans awaiting signatures"]
    assert "Diabetes in Bengali" in _text(panel) and "Football and mental health" in _text(panel)
    assert "Tutor" in _text(panel) and "Partner (Alpha Health Forum)" in _text(panel)
    assert (f"/programmes/projects/{world.project_a.pk}/plan/") in [url for _, url in panel.lines]
    assert panel.more_url == reverse("programmes:index")


def test_a_signature_takes_the_party_off_the_list(personas):
    world = build_world(personas)
    programme_services.plan_sign(plan=world.project_a.plan, by=personas.student, party="students", version_number=1)
    assert "Diabetes in Bengali" not in _text(_panels(personas.student)["Your project plan awaiting your signature"])
    lead_text = _text(_panels(personas.lead)["Project plans awaiting signatures"])
    assert "Diabetes in Bengali (CAP 2025/26): waiting for Partner (Alpha Health Forum), Tutor" in lead_text


def test_a_lead_sees_overdue_milestones_open_surveys_and_unreleased_drafts(personas):
    build_world(personas)
    build_survey_world(personas)
    panels = _panels(personas.lead)
    assert "Diabetes in Bengali" in _text(panels["Overdue milestones"])
    assert "Project feedback: 1 of 10 answered (10%)" in _text(panels["Open surveys"])
    assert panels["Partner reports not yet released"].empty
    assert panels["Allocation runs finished but not published"].empty
    assert "Agreements expiring in the next 60 days" in panels


def test_a_tutor_sees_only_their_groups(personas):
    build_world(personas)
    panels = _panels(personas.tutor)
    plans = _text(panels["Your groups' plans awaiting signatures"])
    assert "Diabetes in Bengali" in plans and "Football" not in plans
    overdue = _text(panels["Overdue milestones"])
    assert "Diabetes in Bengali" in overdue and "Football" not in overdue


def test_a_student_sees_their_own_plan_and_never_another_groups(personas):
    build_world(personas)
    text = _text(_panels(personas.student)["Your project plan awaiting your signature"])
    assert "Diabetes in Bengali" in text and "Football" not in text


def test_a_student_is_asked_to_sign_once_the_plan_changes(personas):
    world = build_world(personas)
    programme_services.plan_edit(
        plan=world.project_a.plan,
        by=personas.tutor,
        party="tutor",
        base_number=1,
        sections={"aims": "A bilingual session."},
    )
    programme_services.plan_edit(
        plan=world.project_b.plan,
        by=world.tutor_b,
        party="tutor",
        base_number=1,
        sections={"aims": "Sessions after training."},
    )
    text = _text(_panels(personas.student)["Your project plan awaiting your signature"])
    assert "Diabetes in Bengali" in text and "Football" not in text
    assert "Football" not in _page(personas, "student")


def test_partners_see_only_their_organisations_plans_and_applicants(personas):
    build_world(personas)
    build_allocation_world(personas, solve=False)
    for name, mine, theirs in (("partner_a", "Alpha Health Forum", "Bravo"), ("partner_b", "Bravo", "Alpha")):
        panels = _panels(getattr(personas, name))
        plans = _text(panels["Project plans awaiting your organisation's signature"])
        assert mine in plans and theirs not in plans
        ranking = panels["Applicants to rank"]
        assert mine in _text(ranking) and theirs not in _text(ranking)
        page = _page(personas, name)
        assert theirs not in page


def test_an_outsider_sees_nothing_of_anyone_else(personas):
    build_world(personas)
    build_survey_world(personas)
    page = _page(personas, "outsider")
    for title in ("Diabetes in Bengali", "Football", "Alpha", "Bravo"):
        assert title not in page
    assert NOTHING in page


def test_a_student_sees_open_allocation_choices_of_their_cohort_only(personas):
    allocation = build_allocation_world(personas, solve=False)
    text = _text(_panels(personas.student)["Project choices open"])
    assert allocation.cohort.programme.name in text
    assert reverse("allocation:preferences", kwargs={"pk": allocation.cohort.pk}) in [
        url for _, url in _panels(personas.student)["Project choices open"].lines
    ]
    assert _panels(personas.outsider)["Project choices open"].empty


def test_a_lead_sees_a_finished_run_until_it_is_published(personas, settings):
    settings.ALLOCATION_RUNNER = "inline"
    allocation = build_allocation_world(personas)
    lines = _panels(personas.lead)["Allocation runs finished but not published"].lines
    assert [url for _, url in lines] == [reverse("allocation:run_detail", kwargs={"pk": allocation.run.pk})]
    assert "Allocation runs finished but not published" not in _panels(personas.tutor)


def test_every_invitee_sees_the_survey_they_have_not_answered(personas):
    survey_world = build_survey_world(personas)
    for name in ("student", "partner_a", "researcher", "coordinator"):
        lines = _panels(getattr(personas, name))["Surveys to answer"].lines
        assert lines == [
            ("Project feedback", reverse("surveys:respond", kwargs={"pk": survey_world.invitations[name].pk}))
        ]


def test_a_coordinator_sees_pupils_without_consent_and_upcoming_activities(personas):
    outreach = outreach_world(personas)
    missing = make_pupil(
        make_programme(name="Another run"), make_school("Second Academy"), consent=False, first_name="Zara"
    )
    panels = _panels(personas.coordinator)
    consent = _text(panels["Pupils taking part without current consent"])
    assert "Zara" in consent and outreach.pupil_a.first_name not in consent
    assert "Clinical skills workshop" in _text(panels["Upcoming activities"])
    assert missing.first_name not in _page(personas, "lead")
    assert "Pupils taking part without current consent" not in _panels(personas.lead)


def test_a_researcher_sees_documents_they_have_not_coded_in_their_studies_only(personas):
    mine = small_study(personas.researcher, "mine")
    qualitative_services.documents_import(
        study=mine.study, by=personas.researcher, files=[("fg2.txt", b"Facilitator: Hello.\n2P14: Hello.\n")]
    )
    theirs = small_study(researcher("other_researcher"), "theirs")
    panel = _panels(personas.researcher)["Documents to code"]
    assert panel.lines == [
        ("Study mine: 1 document you have not coded", reverse("qualitative:study", kwargs={"slug": "mine"}))
    ]
    assert theirs.study.title not in _page(personas, "researcher")


def test_every_empty_panel_says_nothing_is_waiting(personas):
    for name in ("lead", "tutor", "student", "coordinator", "researcher", "admin", "partner_a", "outsider"):
        page = _page(personas, name)
        assert NOTHING in page, name


def _home_queries(personas: Any, name: str) -> int:
    client = personas.client(name)
    client.get(reverse("home"))  # the session and user are loaded the same way each time
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["lead", "tutor", "student", "partner_a", "coordinator", "researcher"])
def test_the_home_page_takes_the_same_queries_whatever_the_amount_of_data(personas, name):
    world = build_world(personas)
    build_survey_world(personas)
    outreach_world(personas)
    small_study(personas.researcher, "first")
    before = _home_queries(personas, name)
    for n in range(8):
        # A student is in one group a cohort: each new project gets a cohort of its own.
        cohort = programme_services.cohort_create(
            actor=personas.lead, programme=world.programme, academic_year=f"{2030 + n}/{31 + n}"
        )
        project = programme_services.project_create(
            actor=personas.lead, cohort=cohort, title=f"More {n}", organisations=[personas.org_a, personas.org_b]
        )
        programme_services.group_create(
            cohort=cohort, name=f"More {n}", project=project, tutor=personas.tutor, members=[personas.student]
        )
        programme_services.plan_edit(
            plan=project.plan, by=personas.tutor, party="tutor", base_number=None, sections={"need": f"Need {n}"}
        )
        make_pupil(make_programme(name=f"Run {n}"), make_school(f"School {n}"), consent=False)
        small_study(personas.researcher, f"more-{n}")
    assert _home_queries(personas, name) == before


def test_every_link_on_the_home_page_opens_for_whoever_sees_it(personas, settings):
    settings.ALLOCATION_RUNNER = "inline"
    build_world(personas)
    build_survey_world(personas)
    build_allocation_world(personas)
    outreach_world(personas)
    make_pupil(make_programme(name="Another run"), make_school("Second Academy"), consent=False, first_name="Zara")
    mine = small_study(personas.researcher, "mine")
    qualitative_services.documents_import(
        study=mine.study, by=personas.researcher, files=[("fg2.txt", b"Facilitator: Hello.\n2P14: Hello.\n")]
    )
    failures = []
    for name in (
        "lead",
        "tutor",
        "student",
        "coordinator",
        "researcher",
        "admin",
        "partner_a",
        "partner_b",
        "outsider",
    ):
        client = personas.client(name)
        panels = home_panels(user=getattr(personas, name))
        urls = {url for panel in panels for _, url in panel.lines if url} | {p.more_url for p in panels if p.more_url}
        assert name == "outsider" or any(panel.lines for panel in panels if panel.title != "Partner directory"), name
        for url in sorted(urls):
            status = client.get(url).status_code
            if status != 200:
                failures.append(f"{name}: {url} -> {status}")
    assert not failures, "\n".join(failures)


def test_the_choices_panel_offers_only_cohorts_whose_choices_page_opens(personas):
    build_allocation_world(personas, solve=False)
    build_world(personas)
    offered = {}
    for name in ("student", "outsider"):
        user = getattr(personas, name)
        offered[name] = {row.cohort.pk for row in choices_open_for_student(user=user)}
        assert offered[name] <= {cohort.pk for cohort in cohorts_of_student(user=user)}
    assert offered["student"] and not offered["outsider"]  # the outsider is in Year 5, the cohorts in Year 3
