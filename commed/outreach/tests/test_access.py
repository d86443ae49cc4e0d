"""People's data: who sees which pupil, proved with the personas (plus a safeguarding lead and a mentor)."""

from __future__ import annotations

from django.core import mail
from django.test import Client
from django.urls import reverse

from commed.accounts.models import Role
from commed.outreach import services
from commed.outreach.models import ConcernView
from commed.outreach.tests.world import world
from conftest import make_user


def _lead(personas):
    user = make_user("safeguarding", Role.TUTOR)
    services.safeguarding_lead_add(actor=personas.admin, user=user)
    client = Client()
    client.force_login(user)
    return user, client


def test_the_safeguarding_lead_sees_pupil_records_and_concerns_and_each_view_is_recorded(personas):
    w = world(personas)
    user, client = _lead(personas)
    assert client.get(reverse("outreach:pupil_detail", kwargs={"pk": w.pupil_a.pk})).status_code == 200
    assert client.get(reverse("outreach:concern_list")).status_code == 200
    response = client.get(reverse("outreach:concern_detail", kwargs={"pk": w.concern.pk}))
    assert response.status_code == 200
    assert b"Seemed very worried." in response.content
    client.get(reverse("outreach:concern_detail", kwargs={"pk": w.concern.pk}))
    assert list(ConcernView.objects.filter(concern=w.concern).values_list("user", flat=True)) == [user.pk] * 2
    # A tutor who is not the lead sees neither.
    tutor = personas.client("tutor")
    assert tutor.get(reverse("outreach:pupil_detail", kwargs={"pk": w.pupil_a.pk})).status_code == 404
    assert tutor.get(reverse("outreach:concern_detail", kwargs={"pk": w.concern.pk})).status_code == 404


def test_a_concern_is_sent_to_the_safeguarding_lead_without_its_details(personas):
    w = world(personas)
    lead, _ = _lead(personas)
    mail.outbox.clear()
    client = personas.client("student")
    response = client.post(reverse("outreach:concern_raise", kwargs={"pk": w.pupil_a.pk}),
                           {"description": "Mentioned being hurt at home"})
    assert response.status_code == 302
    assert mail.outbox[0].to == [lead.email]
    assert "hurt" not in mail.outbox[0].body and "Amina" not in mail.outbox[0].body
    # The coordinator cannot read concerns; only the lead can.
    coordinator = personas.client("coordinator")
    assert coordinator.get(reverse("outreach:concern_list")).status_code == 404


def test_a_mentor_sees_first_name_school_year_and_interests_of_their_own_mentee_only(personas):
    w = world(personas)
    page = personas.client("student").get(reverse("outreach:my_mentees")).content.decode()
    assert "Amina" in page and "Evelyn World Academy" in page and "year 12" in page and "medicine" in page
    for secret in (w.pupil_a.last_name, w.pupil_a.email, w.pupil_a.phone, w.pupil_a.home_postcode,
                   "SE8 4AB", str(w.pupil_a.date_of_birth.year), "Bilal"):
        assert secret not in page, secret
    assert personas.client("student").get(
        reverse("outreach:pupil_detail", kwargs={"pk": w.pupil_a.pk})).status_code == 404


def test_a_mentor_logs_sessions_only_for_their_own_match(personas):
    w = world(personas)
    client = personas.client("student")
    url = reverse("outreach:session_log", kwargs={"pk": w.match_a.pk})
    assert client.post(url, {"held_on": "2026-01-10", "minutes": "30", "notes": "UCAS"}).status_code == 302
    assert w.match_a.sessions.get().minutes == 30
    assert client.post(reverse("outreach:session_log", kwargs={"pk": w.match_b.pk}),
                       {"held_on": "2026-01-10", "minutes": "30"}).status_code == 404


def test_partners_and_other_students_see_nothing(personas):
    w = world(personas)
    for name in ("partner_a", "outsider", "researcher", "lead", "admin"):
        client = personas.client(name)
        for url in (reverse("outreach:pupil_detail", kwargs={"pk": w.pupil_a.pk}),
                    reverse("outreach:my_mentees"), reverse("outreach:dashboard")):
            assert client.get(url).status_code == 404, (name, url)
