"""The partner reviews the draft through a signed link: approve or withdraw each quote, add a response."""

from __future__ import annotations

from django.test import Client
from django.utils.html import escape

from commed.reports import selectors, services
from commed.reports.models import QuoteDecision
from commed.reports.tests import world as w


def issue(personas, draft):
    return services.draft_link_issue(actor=personas.lead, draft=draft, contact=personas.org_a.contacts.first())


def test_the_partner_reads_the_draft_and_withdraws_a_quote(personas, draft, year):
    issued = issue(personas, draft)
    client = Client()
    page = client.get(issued.path)
    assert page.status_code == 200
    body = page.content.decode()
    assert escape(w.SHARED) in body and escape(w.WITHDRAWN) in body  # still changeable before release
    assert escape(w.PRIVATE) not in body and escape(w.LOWERED) not in body
    shared = draft.quotes.get(reflection__learned_about_community=w.SHARED)
    data: dict[str, str] = {f"quote_{q.pk}": QuoteDecision.APPROVED for q in selectors.draft_quotes_shown(draft=draft,
                                                                                         include_withdrawn=True)}
    data[f"quote_{shared.pk}"] = QuoteDecision.WITHDRAWN
    data.update(name="Partner A", response="A good year.")
    done = client.post(issued.path, data)
    assert done.status_code == 200 and "Thank you" in done.content.decode()
    draft.refresh_from_db()
    report = selectors.service_evaluation(organisation=personas.org_a, academic_year=year, draft=draft)
    texts = [q.text for q in report.quotes]
    assert w.SHARED not in texts and w.WITHDRAWN in texts
    assert report.partner_response == "A good year."


def test_a_released_report_cannot_be_changed_by_link(personas, draft):
    issued = issue(personas, draft)
    services.draft_release(actor=personas.lead, draft=draft)
    page = Client().post(issued.path, {"name": "Partner A"})
    assert "has been released" in page.content.decode()
    assert draft.quotes.filter(decision=QuoteDecision.APPROVED).count() == 0


def test_a_link_reviews_only_its_own_draft(personas, draft):
    issued = issue(personas, draft)
    other = services.draft_create(actor=personas.lead, organisation=personas.org_b, academic_year="2025/26")
    foreign = other.quotes.first()
    data = {"name": "Partner A", f"quote_{foreign.pk}": QuoteDecision.WITHDRAWN} if foreign else {"name": "A"}
    Client().post(issued.path, data)
    if foreign:
        foreign.refresh_from_db()
        assert foreign.decision == QuoteDecision.PENDING


def test_a_contact_of_another_organisation_gets_no_link(personas, draft):
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.draft_link_issue(actor=personas.lead, draft=draft, contact=personas.org_b.contacts.first())
