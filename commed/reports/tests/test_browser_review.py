"""In a real browser, with axe-core on every page: the lead prepares a draft and its link, the partner opens the
link, withdraws one quote, approves the others and responds; the lead's report pages pass axe too (the dashboard
with the health-evidence charts drawn)."""

from __future__ import annotations

import os

import pytest

from commed.lib.browser import axe_violations, chromium_page, sign_in
from commed.reports import selectors, services
from commed.reports.models import QuoteDecision
from commed.reports.tests import world as w
from commed.reports.tests.health_world import build_evidence

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.mark.browser
def test_a_partner_approves_and_withdraws_quotes_by_link(transactional_db, live_server, personas, tmp_path,
                                                         settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    reflections = w.enrich(personas)
    build_evidence(personas)
    draft = services.draft_create(actor=personas.lead, organisation=personas.org_a, academic_year=w.YEAR)
    issued = services.draft_link_issue(actor=personas.lead, draft=draft, contact=personas.org_a.contacts.first())
    quotes = selectors.quote_rows(selectors.draft_quotes_shown(draft=draft, include_withdrawn=True))
    shared = next(i for i, q in enumerate(quotes, start=1) if q.text == w.SHARED)
    problems: list[str] = []
    with chromium_page() as page:
        page.goto(live_server.url + issued.path)
        problems += axe_violations(page)
        assert page.get_by_role("heading", name="Quotes about you").is_visible()
        page.get_by_label(f"Withdraw quote {shared}", exact=True).check()
        page.get_by_label("Your response to the report").fill("We learned a lot too.")
        page.get_by_role("button", name="Save my choices").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", name="Thank you").is_visible()
        problems += axe_violations(page)

        sign_in(page, live_server.url, "lead", "persona-password")
        for path in ("/reports/", f"/reports/drafts/{draft.pk}/", "/reports/dashboard/", "/reports/equity/",
                     "/reports/runs/"):
            page.goto(live_server.url + path)
            problems += axe_violations(page)
            if path == "/reports/dashboard/":
                assert page.get_by_role("table", name="Projects by Core20 share of their locality: the numbers"
                                        ).is_visible()
    assert not problems, "\n".join(problems)
    decisions = dict(draft.quotes.values_list("reflection_id", "decision"))
    assert decisions[reflections["SHARED"].pk] == QuoteDecision.WITHDRAWN
    assert decisions[reflections["RESEARCH"].pk] == QuoteDecision.APPROVED
    draft.refresh_from_db()
    assert draft.partner_response == "We learned a lot too."
    report = selectors.service_evaluation(organisation=personas.org_a, academic_year=w.YEAR, draft=draft)
    assert w.SHARED not in [q.text for q in report.quotes]
