"""Answering through a signed link: once, only while the link works, and only for its own invitation."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.http import Http404
from django.test import RequestFactory

from commed.links import services as link_services
from commed.links.models import LinkUse
from commed.programmes import services as programme_services
from commed.programmes.tests.world import build_world as build_programmes
from commed.surveys import link_handlers, services
from commed.surveys.models import Response
from commed.surveys.tests.world import build_world

ANSWERS = {"q-useful": "4", "q-host_again": "Yes", "q-hours": "3"}


@pytest.fixture
def world(personas):
    return build_world(personas)


@pytest.fixture
def issued(world, personas):
    _, issued = services.invitation_link_create(actor=personas.lead, survey=world.survey, name="Joy Okafor",
                                                email="joy@alpha.example.org", organisation=personas.org_a)
    return issued


def test_someone_without_an_account_answers_once_through_the_link(client, issued):
    assert issued.url in mail.outbox[-1].body
    page = client.get(issued.path)
    assert page.status_code == 200
    assert b"The project was useful to us." in page.content
    response = client.post(issued.path, ANSWERS)
    assert b"Thank you" in response.content
    answer = Response.objects.get(invitation__link=issued.link)
    assert (answer.via_link, answer.invitation.name) == (issued.link, "Joy Okafor")
    assert LinkUse.objects.filter(link=issued.link, action="submitted").count() == 1
    again = client.post(issued.path, {**ANSWERS, "q-useful": "1"})
    assert b"Already answered" in again.content
    assert Response.objects.filter(invitation__link=issued.link).count() == 1


def test_errors_are_shown_and_nothing_is_stored(client, issued):
    response = client.post(issued.path, {"q-host_again": "No", "q-hours": "500"})
    assert response.status_code == 200
    assert b"Answer this question." in response.content
    assert b"Enter a number from 0 to 100." in response.content
    assert b'value="500"' in response.content  # the answers given are kept
    assert not Response.objects.filter(invitation__link=issued.link).exists()


def test_an_expired_link_no_longer_answers(world, personas, client):
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC), tick=False):
        _, issued = services.invitation_link_create(actor=personas.lead, survey=world.survey, name="Joy", days=7)
    with time_machine.travel(dt.datetime(2026, 3, 9, 9, tzinfo=dt.UTC), tick=False):
        response = client.post(issued.path, ANSWERS)
    assert response.status_code == 410
    assert not Response.objects.filter(invitation__link=issued.link).exists()


def test_a_revoked_link_no_longer_answers(client, issued, personas):
    link_services.link_revoke(actor=personas.lead, link=issued.link)
    assert client.post(issued.path, ANSWERS).status_code == 410
    assert not Response.objects.filter(invitation__link=issued.link).exists()


def test_a_link_for_another_purpose_does_not_answer_a_survey(world, personas, client):
    programmes = build_programmes(personas)
    other = programme_services.feedback_link_issue(actor=personas.lead, project=programmes.project_a,
                                                   contact=personas.org_a.contacts.first())
    request = RequestFactory().get(other.path)
    with pytest.raises(Http404):
        link_handlers.answer_survey(request, other.link)
    # A survey link whose target is not an invitation (issued by hand) is refused too.
    wrong = link_services.link_issue(actor=personas.lead, purpose=services.LINK_PURPOSE, target=world.survey,
                                     recipient_name="X")
    assert client.get(wrong.path).status_code == 404


def test_a_link_cannot_answer_an_account_holders_invitation(world, personas, client):
    wrong = link_services.link_issue(actor=personas.lead, purpose=services.LINK_PURPOSE,
                                     target=world.invitations["student"], recipient_name="X")
    assert client.post(wrong.path, ANSWERS).status_code == 404
    assert not Response.objects.filter(invitation=world.invitations["student"]).exists()


def test_a_closed_survey_link_says_so(client, issued, world, personas):
    services.survey_close(actor=personas.lead, survey=world.survey)
    response = client.post(issued.path, ANSWERS)
    assert response.status_code == 410
    assert b"closed" in response.content
    assert not Response.objects.filter(invitation__link=issued.link).exists()
