"""The allocation in a real browser, with axe-core on every page: a student ranks projects, the lead sets group
sizes, starts a run and watches its progress bar until the result appears, previews and makes a hand move,
publishes, and the student sees their result. Then a student tells the allocation about themselves and the lead
corrects another student's details."""

from __future__ import annotations

import re

import pytest

from commed.allocation import services
from commed.allocation.models import AllocationRun, ProjectSetting, RunStatus, StudentDetail
from commed.allocation.rules import RunRules
from commed.allocation.tests.world import build_allocation_world
from commed.lib.browser import Journey as BrowserJourney
from commed.lib.browser import chromium_page
from commed.partners.models import Language
from commed.programmes.models import GroupMembership

PASSWORD = "persona-password"


class Journey(BrowserJourney):
    def __init__(self, page, base_url):
        super().__init__(page, base_url, PASSWORD)


@pytest.mark.browser
def test_rank_run_watch_move_publish_and_see_the_result(transactional_db, live_server, personas, settings):
    # Queued runs wait for the worker; the test plays the worker, so the page's polling is what shows the result.
    settings.ALLOCATION_RUNNER = "worker"
    world = build_allocation_world(personas)
    cohort = world.cohort

    with chromium_page() as page:
        journey = Journey(page, live_server.url)

        journey.sign_in("student")
        journey.go("/allocation/")
        journey.follow(page.get_by_role("link", name="Choose and rank projects"))
        page.get_by_label("Choice 1").select_option(str(world.falls.pk))
        page.get_by_label("Choice 2").select_option(str(world.diabetes.pk))
        page.get_by_label("Choice 3").select_option("")
        journey.submit("Save my choices")
        assert page.get_by_text("Your choices are saved").is_visible()
        page.get_by_label("Placement locality").select_option(label="North")
        journey.submit("Save my details")
        assert page.get_by_text("Your details are saved").is_visible()
        journey.sign_out()

        journey.sign_in("lead")
        journey.go(f"/allocation/cohorts/{cohort.pk}/")
        journey.go(f"/allocation/cohorts/{cohort.pk}/projects/")
        page.get_by_label("Maximum for Falls at home").fill("4")
        journey.submit("Save")
        journey.go(f"/allocation/cohorts/{cohort.pk}/import/")
        journey.go(f"/allocation/cohorts/{cohort.pk}/import-rankings/")
        journey.go(f"/allocation/cohorts/{cohort.pk}/runs/new/")
        page.get_by_label("Objective").select_option("greedy")
        page.get_by_role("button", name="Run the allocation").click()
        page.wait_for_url(re.compile(r".*/allocation/runs/\d+/$"))
        page.get_by_role("progressbar").wait_for()
        journey.check()
        run = AllocationRun.objects.exclude(pk=world.run.pk).get()
        assert run.status == RunStatus.QUEUED
        assert services.runs_execute_queued() == 1
        page.get_by_role("heading", name="Preference profile").wait_for()
        journey.check()

        journey.follow(page.get_by_role("link", name="Move a student").first)
        page.get_by_label("Student").select_option(str(personas.student.pk))
        page.get_by_label("Move to").select_option(str(world.football.pk))
        page.get_by_text("Change of the rank cost").wait_for()
        journey.check()
        page.get_by_label("I have read what this move breaks and costs; make the move").check()
        journey.submit("Move")
        assert page.get_by_text("moved to Football and mental health").is_visible()

        journey.go(f"/allocation/runs/{run.pk}/rerun/")
        journey.go(f"/allocation/runs/{run.pk}/publish/")
        page.get_by_label("Make these the cohort's groups").check()
        journey.submit("Publish")
        journey.sign_out()

        journey.sign_in("student")
        journey.go(f"/allocation/cohorts/{cohort.pk}/my-choices/")
        assert page.get_by_role("heading", name="Your result").is_visible()
        assert page.get_by_text("Football and mental health").first.is_visible()

    membership = GroupMembership.objects.get(group__cohort=cohort, student=personas.student)
    assert membership.group.project == world.football
    assert journey.problems == []


@pytest.mark.browser
def test_a_student_tells_about_themselves_and_the_lead_corrects_another(transactional_db, live_server, personas):
    world = build_allocation_world(personas)
    cohort, other = world.cohort, world.students[1]
    Language.objects.update_or_create(code="bn", defaults={"name": "Bengali"})
    ProjectSetting.objects.filter(project=world.diabetes).update(languages={"bn": 1})
    services.student_detail_set(actor=personas.lead, cohort=cohort, student=other, locality=None,
                                attributes={"gender": "F"}, audit=False)
    services.student_detail_set(actor=personas.lead, cohort=cohort, student=world.students[2], locality=None,
                                attributes={"gender": "M"}, audit=False)
    AllocationRun.objects.filter(pk=world.run.pk).update(rules=RunRules(no_isolation=("gender",)).to_json())

    with chromium_page() as page:
        journey = Journey(page, live_server.url)

        journey.sign_in("student")
        journey.go(f"/allocation/cohorts/{cohort.pk}/my-choices/")
        page.get_by_label("Placement locality").select_option(label="South")
        page.get_by_label("Bengali (bn)").check()
        page.get_by_label("Gender").select_option("M")
        journey.submit("Save my details")
        assert page.get_by_text("Your details are saved").is_visible()
        assert page.get_by_label("Bengali (bn)").is_checked()
        journey.sign_out()

        journey.sign_in("lead")
        journey.go(f"/allocation/cohorts/{cohort.pk}/")
        page.locator("summary", has_text="students").click()
        journey.check()
        journey.follow(page.get_by_role("link", name=f"Correct the details of {other}"))
        page.get_by_label("Gender").select_option(label="Prefer not to say")
        page.get_by_label("Placement locality").select_option(label="North")
        journey.submit("Save the details")
        assert page.get_by_text(f"The allocation details of {other} are saved").is_visible()

    mine = StudentDetail.objects.get(cohort=cohort, student=personas.student)
    assert (mine.locality, mine.attributes) == (world.south, {"gender": "M"})
    theirs = StudentDetail.objects.get(cohort=cohort, student=other)
    assert (theirs.locality, theirs.attributes) == (world.north, {})
    assert journey.problems == []


@pytest.mark.browser
def test_the_lead_asks_students_about_an_attribute_before_the_first_run(transactional_db, live_server, personas):
    world = build_allocation_world(personas)
    cohort = world.cohort
    AllocationRun.objects.filter(cohort=cohort).delete()  # before the first run: no rule names an attribute yet

    with chromium_page() as page:
        journey = Journey(page, live_server.url)

        journey.sign_in("lead")
        journey.go(f"/allocation/cohorts/{cohort.pk}/")
        journey.follow(page.get_by_role("link", name="Questions to students"))
        page.get_by_label("Questions").fill("ethnicity: Asian, Black, Mixed, White, Other")
        journey.submit("Save the questions")
        assert page.get_by_text("are now asked about: ethnicity").is_visible()
        journey.sign_out()

        journey.sign_in("student")
        journey.go(f"/allocation/cohorts/{cohort.pk}/my-choices/")
        journey.check()
        page.get_by_label("Ethnicity").select_option("Mixed")
        journey.submit("Save my details")
        assert page.get_by_text("Your details are saved").is_visible()

    assert StudentDetail.objects.get(cohort=cohort, student=personas.student).attributes == {"ethnicity": "Mixed"}
    assert journey.problems == []
