"""A student reads a locality's profile, cites an indicator for their project, and finds it in the plan's need
section; a lead sets an indicator's domain. axe-core finds nothing on any page."""

from __future__ import annotations

import pytest

from commed.health import services
from commed.health.models import EvidenceCitation, Indicator
from commed.health.tests.test_localities_and_evidence import loaded
from commed.lib.browser import axe_violations, chromium_page, sign_in
from commed.programmes.tests.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_student_cites_evidence_from_a_profile_and_sees_it_in_the_plan(live_server, personas):
    w = build_world(personas)
    loaded(actor=personas.lead)
    locality = services.locality_create(actor=personas.lead, name="Lewisham", kind="lad", codes=["E09000023"])
    base = live_server.url
    violations: list[str] = []
    with chromium_page() as page:
        sign_in(page, base, "student", "persona-password")
        page.goto(f"{base}/health/localities/{locality.pk}/")
        page.get_by_role("heading", name="Lewisham: health-needs profile").wait_for()
        violations += axe_violations(page)
        page.get_by_label("Cite for the project").select_option(label=str(w.project_a))
        page.get_by_label("Cite Emergency hospital admissions due to falls in people aged 65 and over for "
                          "Lewisham").check()
        page.get_by_label("Why it matters (optional)").fill("The elders' group told us about falls too")
        page.get_by_role("button", name="Cite as evidence").click()
        page.get_by_text("1 piece of evidence cited").wait_for()
        page.goto(f"{base}/programmes/projects/{w.project_a.pk}/plan/")
        page.get_by_role("heading", name="Evidence behind the need").wait_for()
        violations += axe_violations(page)

        lead = page.context.browser.new_context(locale="en-GB").new_page()
        lead.set_default_timeout(15_000)
        sign_in(lead, base, "lead", "persona-password")
        lead.goto(f"{base}/health/releases/")
        violations += axe_violations(lead)
        lead.get_by_label("Indicator", exact=True).select_option(value="90323")
        lead.get_by_label("Profile domain").fill("Child health")
        lead.get_by_role("button", name="Set the domain").click()
        lead.get_by_text("domain 'Child health'").wait_for()
    assert EvidenceCitation.objects.get(project_id=w.project_a.pk).note == "The elders' group told us about falls too"
    assert Indicator.objects.get(indicator_id=90323).domain == "Child health"
    assert not violations, "\n".join(violations)
