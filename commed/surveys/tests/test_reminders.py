"""`commed survey_reminders`: non-responders of open surveys, at most once per survey's interval, never twice."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command

from commed.surveys import services
from commed.surveys.models import Reminder
from commed.surveys.tests.world import ANSWERS, build_survey


def at(day, hour=8):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC), tick=False)


@pytest.fixture
def sent(personas):
    """An open survey sent on 1 March to the student and the tutor, and by link to Joy; reminders every 3 days."""
    with at(dt.date(2026, 3, 1)):
        survey, _, _ = build_survey(personas.lead)
        services.survey_update(actor=personas.lead, survey=survey, title=survey.title, remind_every_days=3)
        services.survey_open(actor=personas.lead, survey=survey)
        student, tutor = services.invitations_create(actor=personas.lead, survey=survey,
                                                     users=[personas.student, personas.tutor])
        joy, issued = services.invitation_link_create(actor=personas.lead, survey=survey, name="Joy",
                                                      email="joy@alpha.example.org")
    mail.outbox.clear()
    return survey, student, tutor, joy, issued


def reminded():
    return sorted(m.to[0] for m in mail.outbox)


def test_non_responders_are_reminded_at_most_once_per_interval(sent, personas):
    survey, student, tutor, _, _ = sent
    with at(dt.date(2026, 3, 3)):
        call_command("survey_reminders")
    assert mail.outbox == []  # invited two days ago: not yet
    with at(dt.date(2026, 3, 4)):
        services.response_submit(invitation=tutor, posted=ANSWERS, by=personas.tutor)
        call_command("survey_reminders")
        call_command("survey_reminders")
    assert reminded() == sorted(["joy@alpha.example.org", personas.student.email])
    assert all(m.subject == f"Reminder: {survey.title}" for m in mail.outbox)
    with at(dt.date(2026, 3, 6)):
        call_command("survey_reminders")
    assert len(mail.outbox) == 2  # reminded two days ago
    with at(dt.date(2026, 3, 7)):
        call_command("survey_reminders")
    assert len(mail.outbox) == 4
    student.refresh_from_db()
    assert student.reminders_sent == 2
    assert Reminder.objects.filter(invitation=student).count() == 2
    assert Reminder.objects.filter(invitation=tutor).count() == 0


def test_a_closed_survey_is_not_reminded(sent, personas):
    survey = sent[0]
    services.survey_close(actor=personas.lead, survey=survey)
    with at(dt.date(2026, 3, 20)):
        call_command("survey_reminders")
    assert mail.outbox == []


def test_a_link_invitee_gets_a_fresh_link_that_works(sent, client):
    survey, _, _, joy, first = sent
    with at(dt.date(2026, 3, 5)):
        call_command("survey_reminders", survey=survey.pk)
        body = next(m.body for m in mail.outbox if m.to == ["joy@alpha.example.org"])
        path = "/l/" + body.split("/l/")[1].split("/")[0] + "/"
        assert path != first.path
        assert client.get(path).status_code == 200
        assert client.get(first.path).status_code == 200  # the first link still works too
        client.post(path, {"q-useful": "4", "q-host_again": "Yes"})
    joy.refresh_from_db()
    assert joy.responded_at is not None
    before = len(mail.outbox)
    with at(dt.date(2026, 3, 20)):
        call_command("survey_reminders")
    later = [m.to[0] for m in mail.outbox[before:]]
    assert sorted(later) == sorted([sent[1].email, sent[2].email])  # the student and the tutor, not Joy


def test_an_unknown_survey_is_an_error(db):
    with pytest.raises(CommandError):
        call_command("survey_reminders", survey=999)
