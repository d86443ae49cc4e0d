"""Partners' rankings in a real browser, with axe-core on every page: the lead sends a ranking link from the cohort
page, the partner contact opens it without an account and ranks (a mistake first, then right), and a signed-in
partner contact ranks from the allocation index."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from commed.allocation.models import PartnerRanking
from commed.allocation.tests.world import build_allocation_world
from commed.lib.browser import Journey as BrowserJourney
from commed.lib.browser import chromium_page

PASSWORD = "persona-password"


class Journey(BrowserJourney):
    def __init__(self, page, base_url):
        super().__init__(page, base_url, PASSWORD)


@pytest.mark.browser
def test_a_partner_ranks_through_a_link_and_signed_in(transactional_db, live_server, personas):
    world = build_allocation_world(personas)
    cohort = world.cohort
    s0, s2, s3 = world.students[0], world.students[2], world.students[3]

    with chromium_page() as page:
        journey = Journey(page, live_server.url)

        journey.sign_in("lead")
        journey.go(f"/allocation/cohorts/{cohort.pk}/")
        page.get_by_label("Contact at Bravo Community Trust").select_option(str(personas.org_b.contacts.get().pk))
        journey.submit("Send a link to rank students for Bravo Community Trust")
        url = page.get_by_label("Link").input_value()
        journey.sign_out()

        journey.go(urlsplit(url).path)
        page.get_by_label(f"Rank of {s0}").fill("1")
        page.get_by_label(f"Rank of {s2}").fill("1")
        journey.submit("Save the ranking")
        assert page.get_by_text(f"{s2} and {s0} both have rank 1").is_visible()
        page.get_by_label(f"Rank of {s2}").fill("")
        page.get_by_label(f"Rank of {s3}").fill("2")
        journey.submit("Save the ranking")
        assert page.get_by_text("Your ranking of 2 students is saved").is_visible()

        journey.sign_in("partner_a")
        journey.go("/allocation/")
        journey.follow(page.get_by_role("link", name="rank students for Alpha Health Forum"))
        page.get_by_label(f"Rank of {world.students[4]}").fill("1")
        journey.submit("Save the ranking")
        assert page.get_by_text("Your ranking of 1 student is saved").is_visible()

    assert [(r.student, r.rank) for r in PartnerRanking.objects.filter(organisation=personas.org_b)] == [
        (s0, 1),
        (s3, 2),
    ]
    assert PartnerRanking.objects.filter(organisation=personas.org_a).count() == 1
    assert journey.problems == []
