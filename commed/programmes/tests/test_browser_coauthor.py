"""In a real browser, with axe-core on every page: a tutor sends a partner contact without an account a link to
co-author the plan; the contact edits a section, comments and signs through it."""

from __future__ import annotations

import os

import pytest

from commed.lib.browser import chromium_page
from commed.links.models import SignedLink
from commed.partners import services as partner_services
from commed.programmes.models import PlanComment, PlanSignature
from commed.programmes.tests.test_browser_journey import Journey
from commed.programmes.tests.world import build_world

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.mark.browser
def test_a_partner_without_an_account_co_authors_the_plan_through_a_link(transactional_db, live_server, personas):
    world = build_world(personas)
    project = world.project_a
    contact = partner_services.contact_create(actor=personas.lead, organisation=personas.org_a,
                                              name="Rukhsana Begum", email="rukhsana@alpha.example.org")
    with chromium_page() as page:
        journey = Journey(page, live_server.url)
        journey.sign_in("tutor")
        journey.go(f"/programmes/projects/{project.pk}/plan/")
        page.get_by_label("Contact").select_option(str(contact.pk))
        journey.submit("Send the partner a link to co-author the plan")
        url = journey.issued_link()
        journey.sign_out()

        journey.go(url)
        journey.follow(page.get_by_role("link", name="Edit the plan"))
        page.get_by_label("Benefit to the community").fill("Members get advice in Bengali.")
        journey.submit("Save a new version")
        assert "Saved as version 2" in page.content()
        page.get_by_label("Section").select_option("aims")
        page.get_by_label("Comment").fill("Tuesdays suit our members.")
        journey.submit("Comment")
        assert "Comment added" in page.content()
        page.get_by_label("I have read this version of the plan and agree to it").check()
        journey.submit("Sign version 2")
        assert "Signed version 2" in page.content()

    link = SignedLink.objects.get(purpose="coauthor_plan")
    version = project.plan.versions.get(number=2)
    assert (version.party, version.author, version.organisation, version.via_link) == (
        "partner", None, personas.org_a, link)
    assert PlanComment.objects.get(body="Tuesdays suit our members.").via_link == link
    assert PlanSignature.objects.get(party="partner").organisation == personas.org_a
    assert journey.problems == [], "\n".join(journey.problems)
