"""The home page with full panels passes axe-core, for a lead and for a partner contact."""

from __future__ import annotations

import pytest

from commed.lib.browser import axe_violations, chromium_page, sign_in
from commed.programmes.tests.world import build_world
from commed.surveys.tests.world import build_world as build_survey_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_home_page_has_no_accessibility_violations_with_full_panels(live_server, personas):
    build_world(personas)
    build_survey_world(personas)
    violations: list[str] = []
    with chromium_page() as page:
        for name in ("lead", "partner_a"):
            sign_in(page, live_server.url, name, "persona-password")
            page.get_by_role("heading", name="Surveys to answer").wait_for()
            assert page.get_by_role("link", name="Project feedback", exact=True).count() == 1
            violations += axe_violations(page)
            page.get_by_role("button", name="Sign out").click()
            page.wait_for_url("**/accounts/login/**")
    assert not violations, "\n".join(violations)
