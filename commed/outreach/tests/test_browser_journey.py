"""A teacher refers a pupil by link; the coordinator accepts, records consent, takes the register on a phone,
matches a mentor and sends a destination survey; the pupil answers. axe-core finds nothing on any page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from commed.lib.browser import axe_violations, chromium_page, sign_in
from commed.outreach.models import Pupil
from commed.outreach.tests.world import world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def another_person(page: Any) -> Any:
    """A page in a fresh browser context (own cookies) of the same browser: a second person at another desk."""
    other = page.context.browser.new_context(locale="en-GB").new_page()
    other.set_default_timeout(15_000)
    return other


def test_a_referred_pupil_goes_from_referral_to_destination(live_server, personas):
    w = world(personas)
    base = live_server.url
    violations: list[str] = []
    with chromium_page() as coordinator:
        sign_in(coordinator, base, "coordinator", "persona-password")
        with coordinator.expect_navigation():
            coordinator.get_by_role("link", name="Outreach").first.click()
        violations += axe_violations(coordinator)
        with coordinator.expect_navigation():
            coordinator.get_by_role("link", name="Healthcare careers world").click()
        violations += axe_violations(coordinator)

        # The coordinator creates a referral link for the school.
        coordinator.get_by_role("link", name="Send a referral link to a school").click()
        coordinator.get_by_label("School").select_option(label="Evelyn World Academy")
        coordinator.get_by_label("Teacher name").fill("Ms Okoro")
        coordinator.get_by_role("button", name="Create the link").click()
        referral_url = coordinator.locator("#referral-url").get_attribute("href")
        violations += axe_violations(coordinator)
        assert referral_url and "/l/" in referral_url

        # The teacher, without an account, refers a pupil.
        teacher = another_person(coordinator)
        teacher.goto(base + referral_url[referral_url.index("/l/"):])
        violations += axe_violations(teacher)
        teacher.get_by_label("First name").fill("Kemi")
        teacher.get_by_label("Last name").fill("Adeyemi")
        teacher.get_by_label("Year group").select_option(label="Year 12")
        teacher.get_by_label("Date of birth").fill("2009-05-04")
        teacher.get_by_label("Home postcode").fill("SE8 4AB")
        teacher.get_by_label("Pupil's e-mail").fill("kemi@pupil.example.org")
        teacher.get_by_label("Receives free school meals").check()
        teacher.get_by_label("First in family to go to university").check()
        teacher.get_by_label("Interests").fill("medicine")
        teacher.get_by_role("button", name="Refer this pupil").click()
        teacher.get_by_text("Kemi has been referred").wait_for()
        violations += axe_violations(teacher)
        pupil = Pupil.objects.get(first_name="Kemi")

        # The coordinator accepts the pupil and records consent.
        coordinator.goto(f"{base}/outreach/programmes/{w.programme.pk}/")
        coordinator.get_by_role("link", name="Kemi Adeyemi").click()
        coordinator.get_by_role("heading", name="Kemi Adeyemi").wait_for()
        violations += axe_violations(coordinator)
        coordinator.get_by_label("Decision").select_option(label="Accepted")
        coordinator.get_by_role("button", name="Save decision").click()
        coordinator.get_by_text("Kemi Adeyemi: Accepted.").wait_for()
        coordinator.get_by_role("link", name="Record consent").click()
        for purpose in ("Taking part", "Photographs", "Being contacted for follow-up",
                        "Data linkage for tracking"):
            coordinator.get_by_label(purpose).check()
        coordinator.get_by_label("Given by").select_option(label="The pupil")
        coordinator.get_by_label("Name of the person consenting").fill("Kemi Adeyemi")
        violations += axe_violations(coordinator)
        coordinator.get_by_role("button", name="Save").click()
        coordinator.get_by_text("Consent recorded.").wait_for()

        # Registers the pupil for the workshop and takes attendance on the phone register.
        coordinator.goto(f"{base}/outreach/activities/{w.activity.pk}/")
        coordinator.get_by_label("Pupil").select_option(label="Kemi Adeyemi")
        coordinator.get_by_role("button", name="Register").click()
        coordinator.get_by_text("Kemi Adeyemi registered.").wait_for()
        violations += axe_violations(coordinator)
        coordinator.get_by_role("link", name="Take the register").click()
        coordinator.set_viewport_size({"width": 390, "height": 844})
        coordinator.get_by_role("button", name=re.compile("Kemi Adeyemi")).click()
        coordinator.locator("button[aria-pressed=true]", has_text="Kemi Adeyemi").wait_for()
        violations += axe_violations(coordinator)
        coordinator.set_viewport_size({"width": 1280, "height": 900})

        # Matches a mentor from the engine's proposals.
        coordinator.goto(f"{base}/outreach/programmes/{w.programme.pk}/matching/")
        coordinator.get_by_label(re.compile("Match Kemi Adeyemi with")).wait_for()
        violations += axe_violations(coordinator)
        coordinator.get_by_role("button", name="Confirm the ticked matches").click()
        coordinator.get_by_text("1 matches confirmed.").wait_for()

        # Sends the six-month destination survey.
        coordinator.goto(f"{base}/outreach/pupils/{pupil.pk}/")
        coordinator.get_by_label("Follow-up point").select_option(label="6 months")
        coordinator.get_by_role("button", name="Send destination survey").click()
        coordinator.get_by_text("Survey sent to Kemi.").wait_for()
        violations += axe_violations(coordinator)
        body = str(mail.outbox[-1].body)
        assert mail.outbox[-1].to == ["kemi@pupil.example.org"]
        survey_path = re.search(r"/l/[A-Za-z0-9_\-]+/", body).group(0)  # type: ignore[union-attr]

        # The pupil answers.
        pupil_page = another_person(coordinator)
        pupil_page.goto(base + survey_path)
        violations += axe_violations(pupil_page)
        pupil_page.get_by_label("Yes").check()
        pupil_page.get_by_label("Which area did you apply for?").select_option(label="Medicine")
        pupil_page.get_by_label("How many offers did you get?").fill("2")
        pupil_page.get_by_role("button", name="Send my answers").click()
        pupil_page.get_by_text("Your answers have been saved.").wait_for()
        violations += axe_violations(pupil_page)

    pupil.refresh_from_db()
    assert pupil.status == "accepted" and pupil.route == "referral" and pupil.eligible
    assert pupil.registrations.get().attended
    assert pupil.mentor_matches.filter(ended_at__isnull=True).count() == 1
    survey = pupil.surveys.get(point="6m")
    assert (survey.applied_to_he, survey.course_area, survey.offers) == (True, "medicine", 2)
    assert not violations, "\n".join(violations)
