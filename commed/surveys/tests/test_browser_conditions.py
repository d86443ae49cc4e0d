"""With JavaScript, a conditional question appears when its condition is met and goes when it is not; its inputs
are then disabled, so nothing is posted for it. axe-core finds nothing in either state."""

from __future__ import annotations

import pytest

from commed.lib.browser import axe_violations, chromium_page
from commed.surveys import services
from commed.surveys.models import Response
from commed.surveys.tests.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_conditional_question_follows_its_condition_and_only_visible_answers_are_sent(live_server, personas):
    world = build_world(personas)
    invitation, issued = services.invitation_link_create(
        actor=personas.lead, survey=world.survey, name="Joy Okafor", organisation=personas.org_a
    )
    violations: list[str] = []
    posted: list[str] = []
    with chromium_page() as page:
        page.on("request", lambda request: posted.append(request.post_data or "") if request.method == "POST" else None)
        page.goto(live_server.url + issued.path)
        page.get_by_role("heading", name="Project feedback").wait_for()
        reason = page.locator("#q-reason")
        host_again = page.get_by_role("group", name="2. Would you host again?")
        status = page.locator("#conditions-status")

        # Nothing chosen yet: "Why not?" is hidden and cannot be filled in.
        assert reason.is_hidden()
        assert reason.is_disabled()
        violations += axe_violations(page)

        host_again.get_by_label("No").check()
        page.get_by_label("3. Why not?").wait_for(state="visible")
        assert reason.is_enabled()
        assert status.text_content() == "Question 3 now applies: Why not?"
        violations += axe_violations(page)
        page.get_by_label("3. Why not?").fill("Our hall is being rebuilt")

        host_again.get_by_label("Yes").check()
        reason.wait_for(state="hidden")
        assert reason.is_disabled()
        assert status.text_content() == "Question 3 no longer applies and is hidden."
        violations += axe_violations(page)

        page.get_by_role("group", name="1. The project was useful to us.").get_by_label("4 Agree").check()
        page.get_by_role("button", name="Send my answers").click()
        page.get_by_role("heading", name="Thank you").wait_for()

    assert posted and "q-reason" not in posted[-1]
    assert "q-host_again=Yes" in posted[-1]
    answers = {a.item.key: a.value for a in Response.objects.get(invitation=invitation).answers.all()}
    assert answers == {"useful": 4, "host_again": "Yes"}
    assert not violations, "\n".join(violations)
