"""A programme lead signs in, finds a partner, logs an interaction and sees it on the timeline."""

from __future__ import annotations

import pytest

from commed.lib.browser import axe_violations, chromium_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_lead_logs_an_interaction_and_sees_it_on_the_timeline(live_server, personas):
    violations: list[str] = []
    with chromium_page() as page:
        page.goto(f"{live_server.url}/accounts/login/")
        violations += axe_violations(page)
        sign_in(page, live_server.url, "lead", "persona-password")
        violations += axe_violations(page)

        page.get_by_role("link", name="Partners").first.click()
        page.get_by_role("searchbox", name="Search").fill("Alpha")
        page.get_by_role("button", name="Search").click()
        page.wait_for_url("**/partners/?q=Alpha*")
        assert page.get_by_role("link", name="Bravo Community Trust").count() == 0
        violations += axe_violations(page)

        page.get_by_role("link", name="Alpha Health Forum").click()
        page.get_by_role("heading", name="Alpha Health Forum").wait_for()
        violations += axe_violations(page)

        page.get_by_label("Kind").select_option("visit")
        page.get_by_label("Summary").fill("Visited the Tuesday lunch club with two students")
        page.get_by_role("button", name="Log interaction").click()
        timeline = page.locator("#timeline")
        timeline.get_by_text("Visited the Tuesday lunch club with two students").wait_for()
        assert "Visit" in timeline.inner_text()
        violations += axe_violations(page)

    assert personas.org_a.interactions.filter(summary__contains="Tuesday lunch club").count() == 1
    assert not violations, "\n".join(violations)
