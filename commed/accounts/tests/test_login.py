from __future__ import annotations

import datetime as dt

import time_machine
from django.test import Client, override_settings
from django.urls import reverse

from commed.audit.models import AuditEvent


def _login(client: Client, username: str, password: str, ip: str):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_it_signs_in_and_records_it(personas):
    client = Client()
    response = _login(client, "lead", "persona-password", "10.0.0.1")
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(action="login", object_id=str(personas.lead.pk)).exists()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_it_locks_out_a_username_from_one_address_but_not_the_whole_campus(personas):
    attacker = Client()
    for _ in range(3):
        _login(attacker, "lead", "wrong-password", "10.0.0.9")
    # The right password no longer works for that username from that address ...
    assert _login(attacker, "lead", "persona-password", "10.0.0.9").status_code == 429
    # ... but another person behind the same campus address still signs in,
    assert _login(Client(), "tutor", "persona-password", "10.0.0.9").status_code == 302
    # and the same person from another address too.
    assert _login(Client(), "lead", "persona-password", "10.0.0.10").status_code == 302


@override_settings(SESSION_IDLE_TIMEOUT=600, SESSION_ABSOLUTE_TIMEOUT=3600)
def test_an_idle_session_ends(personas):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    client = Client()
    with time_machine.travel(start, tick=False):
        _login(client, "lead", "persona-password", "10.0.0.1")
    with time_machine.travel(start + dt.timedelta(minutes=9), tick=False):
        assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=20), tick=False):
        assert client.get(reverse("home")).status_code == 302


@override_settings(SESSION_IDLE_TIMEOUT=600, SESSION_ABSOLUTE_TIMEOUT=3600)
def test_a_busy_session_still_ends_at_the_absolute_timeout(personas):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    client = Client()
    with time_machine.travel(start, tick=False):
        _login(client, "lead", "persona-password", "10.0.0.1")
    for minutes in range(5, 60, 5):
        with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
            assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=61), tick=False):
        assert client.get(reverse("home")).status_code == 302


def test_forms_refuse_a_post_without_the_csrf_token(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.lead)
    url = reverse("partners:interaction_create", kwargs={"pk": personas.org_a.pk})
    response = client.post(url, {"kind": "call", "occurred_on": "2026-01-05", "summary": "x"})
    assert response.status_code == 403
