from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from commed.links import services as link_services
from commed.links.models import LinkUse
from commed.outreach import services
from commed.outreach.models import Pupil, Route
from commed.outreach.tests.world import make_programme, make_school, world

REFERRAL = {
    "first_name": "Kemi", "last_name": "Adeyemi", "year_group": "12", "date_of_birth": "2009-05-04",
    "home_postcode": "se8 4ab", "email": "kemi@pupil.example.org", "guardian_name": "Mrs Adeyemi",
    "fsm": "on", "first_gen": "on", "interests": "medicine",
}


@pytest.fixture
def referral(personas):
    programme = make_programme()
    school = make_school()
    issued = services.referral_link_issue(actor=personas.coordinator, programme=programme, school=school,
                                          teacher_name="Ms Teacher", teacher_email="teacher@school.example.org")
    return issued, programme, school


def test_a_teacher_refers_a_pupil_of_their_school_through_the_link(referral, client):
    issued, programme, school = referral
    assert issued.url in mail.outbox[0].body
    assert client.get(issued.path).status_code == 200
    response = client.post(issued.path, REFERRAL)
    assert response.status_code == 200
    assert b"has been referred" in response.content
    pupil = Pupil.objects.get()
    assert (pupil.school, pupil.programme, pupil.route) == (school, programme, Route.REFERRAL)
    assert (pupil.referrer_name, pupil.home_postcode) == ("Ms Teacher", "SE84AB")
    assert pupil.eligible and pupil.eligibility_rule.startswith("Area or free school meals")
    # The same link refers a second pupil.
    client.post(issued.path, {**REFERRAL, "first_name": "Tunde"})
    assert Pupil.objects.count() == 2
    assert LinkUse.objects.filter(link=issued.link, action="referred").count() == 2


def test_an_expired_referral_link_is_gone(referral, client):
    issued, _, _ = referral
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=61)):
        assert client.get(issued.path).status_code == 410
        assert client.post(issued.path, REFERRAL).status_code == 410
    assert not Pupil.objects.exists()


def test_a_revoked_referral_link_stops_working(referral, client, personas):
    issued, _, _ = referral
    link_services.link_revoke(actor=personas.coordinator, link=issued.link)
    assert client.post(issued.path, REFERRAL).status_code == 410
    assert not Pupil.objects.exists()


def test_a_tampered_token_finds_nothing(referral, client):
    issued, _, _ = referral
    tampered = issued.path.replace(issued.token, issued.token[:-2] + "zz")
    assert client.post(tampered, REFERRAL).status_code == 404
    assert not Pupil.objects.exists()


def test_a_link_of_another_purpose_is_refused_by_the_handlers(referral, personas, rf):
    from commed.outreach.link_handlers import destination_survey, refer_pupil

    issued, _, _ = referral
    with pytest.raises(link_services.LinkInvalid, match="wrong purpose"):
        link_services.link_resolve(token=issued.token, purpose="destination_survey")
    from django.http import Http404

    with pytest.raises(Http404):
        destination_survey(rf.get("/"), issued.link)
    w = world(personas)
    survey_link = services.survey_send(actor=personas.coordinator, pupil=w.pupil_a, point="6m")
    with pytest.raises(Http404):
        refer_pupil(rf.get("/"), survey_link.link)


def test_a_pupil_answers_the_destination_survey_once(personas, client):
    w = world(personas)
    issued = services.survey_send(actor=personas.coordinator, pupil=w.pupil_a, point="1y")
    assert issued.url in mail.outbox[-1].body and mail.outbox[-1].to == [w.pupil_a.email]
    page = client.get(issued.path)
    assert page.status_code == 200 and b"Where are you now, Amina?" in page.content
    assert b"Test" not in page.content  # the surname is not on the page
    response = client.post(issued.path, {"applied_to_he": "yes", "course_area": "medicine", "offers": "2",
                                         "accepted_place": "Medicine at King's"})
    assert b"Thank you" in response.content
    survey = w.pupil_a.surveys.get(point="1y")
    assert (survey.applied_to_he, survey.course_area, survey.offers) == (True, "medicine", 2)
    # Used up: a second answer is refused.
    assert client.post(issued.path, {"applied_to_he": "no", "course_area": "none"}).status_code == 410
    survey.refresh_from_db()
    assert survey.course_area == "medicine"
