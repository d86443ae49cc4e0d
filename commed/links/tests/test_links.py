from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.http import HttpResponse
from django.urls import reverse

from commed.audit.models import AuditEvent
from commed.links import registry, services
from commed.links.models import LinkUse, SignedLink


def _echo(request, link):  # a stand-in purpose handler
    return HttpResponse(f"{link.purpose} for {link.target}")


@pytest.fixture(autouse=True)
def test_purposes(monkeypatch):
    monkeypatch.setattr(registry, "handlers", lambda: {"test_purpose": _echo, "other_purpose": _echo})


def issue_test_link(*, actor, target, purpose="test_purpose", **kwargs):
    # Used by access_specs too, outside the autouse fixture: register the purpose for the call.
    original = registry.handlers
    registry.handlers = lambda: {"test_purpose": _echo, "other_purpose": _echo}  # type: ignore[assignment]
    try:
        return services.link_issue(actor=actor, purpose=purpose, target=target, recipient_name="Rukhsana",
                                   **kwargs)
    finally:
        registry.handlers = original


def test_it_opens_a_valid_link_and_logs_the_use(personas, client):
    issued = issue_test_link(actor=personas.lead, target=personas.org_a)
    response = client.get(issued.path)
    assert response.status_code == 200
    assert response.content.decode() == "test_purpose for Alpha Health Forum"
    assert response["Referrer-Policy"] == "same-origin"
    assert LinkUse.objects.filter(link=issued.link, action="opened", outcome="ok").count() == 1


def test_it_stores_only_the_hash_of_the_token(personas):
    issued = issue_test_link(actor=personas.lead, target=personas.org_a)
    stored = SignedLink.objects.get(pk=issued.link.pk)
    assert issued.token not in stored.token_hash
    assert stored.token_hash == services.token_hash(issued.token)


def test_a_tampered_token_is_not_found(personas, client):
    issued = issue_test_link(actor=personas.lead, target=personas.org_a)
    tampered = issued.token[:-1] + ("A" if issued.token[-1] != "A" else "B")
    assert client.get(reverse("links:open", kwargs={"token": tampered})).status_code == 404


def test_an_expired_link_is_gone_and_the_attempt_is_logged(personas, client):
    with time_machine.travel(dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC), tick=False):
        issued = issue_test_link(actor=personas.lead, target=personas.org_a, days=30)
    with time_machine.travel(dt.datetime(2026, 1, 30, 9, tzinfo=dt.UTC), tick=False):
        assert client.get(issued.path).status_code == 200
    with time_machine.travel(dt.datetime(2026, 2, 1, 9, tzinfo=dt.UTC), tick=False):
        response = client.get(issued.path)
    assert response.status_code == 410
    assert b"expired" in response.content
    assert LinkUse.objects.filter(link=issued.link, outcome="expired").count() == 1


def test_a_revoked_link_stops_working_at_once(personas, client):
    issued = issue_test_link(actor=personas.lead, target=personas.org_a)
    client.force_login(personas.lead)
    assert client.post(reverse("links:revoke", kwargs={"pk": issued.link.pk})).status_code == 302
    client.logout()
    response = client.get(issued.path)
    assert response.status_code == 410
    assert b"withdrawn" in response.content
    assert AuditEvent.objects.filter(object_type="links.SignedLink", summary="revoked").exists()


def test_resolving_for_the_wrong_purpose_fails(personas):
    issued = issue_test_link(actor=personas.lead, target=personas.org_a)
    with pytest.raises(services.LinkInvalid) as failure:
        services.link_resolve(token=issued.token, purpose="other_purpose")
    assert failure.value.reason == "wrong purpose"
    assert services.link_resolve(token=issued.token, purpose="test_purpose") == issued.link


def test_a_single_use_link_is_used_up_after_one_submission(personas):
    issued = issue_test_link(actor=personas.lead, target=personas.org_a, max_uses=1)
    link = services.link_resolve(token=issued.token)
    services.link_record_use(link=link, action="submitted", consume=True)
    with pytest.raises(services.LinkInvalid) as failure:
        services.link_resolve(token=issued.token)
    assert failure.value.reason == "used up"


def test_unknown_purposes_and_silly_lifetimes_are_refused(personas):
    with pytest.raises(ValueError, match="unknown link purpose"):
        issue_test_link(actor=personas.lead, target=personas.org_a, purpose="anything")
    with pytest.raises(ValueError, match="between 1 and 366"):
        issue_test_link(actor=personas.lead, target=personas.org_a, days=0)


def test_a_tutor_sees_only_the_links_they_issued(personas, client):
    issue_test_link(actor=personas.lead, target=personas.org_a)
    mine = issue_test_link(actor=personas.tutor, target=personas.org_b)
    client.force_login(personas.tutor)
    page = client.get(reverse("links:list"))
    assert list(page.context["page"]) == [mine.link]
