"""Survey invitations are made anonymous SURVEY_RETENTION_DAYS after the survey closed; the answers stay."""

import datetime as dt

import time_machine
from django.core.management import call_command

from commed.audit.models import Action, AuditEvent
from commed.surveys import selectors, services
from commed.surveys.models import Answer, Invitation, Reminder
from commed.surveys.tests.world import ANSWERS, build_survey


def at(day):
    return time_machine.travel(dt.datetime.combine(day, dt.time(8), tzinfo=dt.UTC), tick=False)


def closed_survey(personas, title, closed_on):
    with at(closed_on - dt.timedelta(days=10)):
        survey, _, _ = build_survey(personas.lead, title=title)
        services.survey_open(actor=personas.lead, survey=survey)
        student, tutor = services.invitations_create(actor=personas.lead, survey=survey,
                                                     users=[personas.student, personas.tutor])
        services.invitation_link_create(actor=personas.lead, survey=survey, name="Joy Adeyemi",
                                        email="joy@alpha.example.org")
        services.response_submit(invitation=student, posted=ANSWERS, by=personas.student)
        Reminder.objects.create(invitation=tutor, sent_at=dt.datetime.now(tz=dt.UTC), recipient="tutor@example.org")
    with at(closed_on):
        services.survey_close(actor=personas.lead, survey=survey)
    return survey


def test_invitations_are_made_anonymous_once_due_and_the_answers_stay(personas, settings):
    settings.SURVEY_RETENTION_DAYS = 365
    old = closed_survey(personas, "Old feedback", dt.date(2025, 1, 10))
    recent = closed_survey(personas, "Recent feedback", dt.date(2025, 12, 1))
    answers_before = Answer.objects.filter(response__survey=old).count()
    rate_before = selectors.survey_response_rate(survey=old)
    with at(dt.date(2026, 2, 1)):
        call_command("retention")
    old_invitations = Invitation.objects.filter(survey=old)
    assert old_invitations.count() == 3
    assert not old_invitations.filter(user__isnull=False).exists()
    assert set(old_invitations.values_list("name", "email")) == {("", "")}
    assert not Reminder.objects.filter(invitation__survey=old).exists()
    assert Answer.objects.filter(response__survey=old).count() == answers_before > 0
    rate_after = selectors.survey_response_rate(survey=old)
    assert (rate_after.invited, rate_after.responded) == (rate_before.invited, rate_before.responded) == (3, 1)
    assert not selectors.invitations_of(user=personas.student).filter(survey=old).exists()
    # The survey closed less than a year ago keeps its invitees.
    assert set(Invitation.objects.filter(survey=recent).values_list("name", flat=True)) >= {"Joy Adeyemi"}
    assert Reminder.objects.filter(invitation__survey=recent).count() == 1
    event = AuditEvent.objects.get(action=Action.RETENTION, summary__contains="invitations made anonymous")
    assert "3 invitations made anonymous and 1 reminders deleted" in event.summary


def test_an_open_survey_is_never_touched(personas, settings):
    settings.SURVEY_RETENTION_DAYS = 1
    with at(dt.date(2025, 1, 1)):
        survey, _, _ = build_survey(personas.lead)
        services.survey_open(actor=personas.lead, survey=survey)
        services.invitations_create(actor=personas.lead, survey=survey, users=[personas.student])
    with at(dt.date(2026, 1, 1)):
        call_command("retention")
    assert Invitation.objects.get(survey=survey).user == personas.student
