"""A partner without an account answers a survey by link (fixing a missed question), and the lead reads the
results; every page passes axe-core."""

from __future__ import annotations

import pytest

from commed.lib.browser import axe_violations, chromium_page, sign_in
from commed.surveys import services
from commed.surveys.models import Response
from commed.surveys.tests.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_partner_answers_by_link_and_the_lead_sees_the_results(live_server, personas):
    world = build_world(personas)
    invitation, issued = services.invitation_link_create(actor=personas.lead, survey=world.survey,
                                                         name="Joy Okafor", organisation=personas.org_a)
    violations: list[str] = []
    with chromium_page() as page:
        page.goto(live_server.url + issued.path)
        page.get_by_role("heading", name="Project feedback").wait_for()
        violations += axe_violations(page)
        page.get_by_role("group", name="1. The project was useful to us.").get_by_label("4 Agree").check()
        page.get_by_role("group", name="2. Would you host again?").get_by_label("No").check()
        page.get_by_role("button", name="Send my answers").click()
        page.get_by_text("Some answers need another look").wait_for()
        violations += axe_violations(page)
        page.get_by_label("3. Why not?").fill("Our hall is being rebuilt")
        page.get_by_role("button", name="Send my answers").click()
        page.get_by_role("heading", name="Thank you").wait_for()
        violations += axe_violations(page)

        sign_in(page, live_server.url, "lead", "persona-password")
        page.get_by_role("link", name="Surveys").first.click()
        page.get_by_role("link", name="Project feedback").click()
        page.get_by_role("heading", name="Project feedback").wait_for()
        violations += axe_violations(page)
        page.get_by_role("link", name="Results").click()
        page.get_by_text("Our hall is being rebuilt").wait_for()
        violations += axe_violations(page)
        page.goto(f"{live_server.url}/surveys/sections/{world.draft_section.pk}/questions/new/")
        violations += axe_violations(page)

    answers = {a.item.key: a.value for a in Response.objects.get(invitation=invitation).answers.all()}
    assert answers == {"useful": 4, "host_again": "No", "reason": "Our hall is being rebuilt"}
    assert not violations, "\n".join(violations)
