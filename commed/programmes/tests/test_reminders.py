"""`commed send_reminders`: due-soon once, overdue weekly, and never twice on one day."""

import datetime as dt

import time_machine
from django.core import mail
from django.core.management import call_command

from commed.programmes import services
from commed.programmes.models import ReminderSent


def at(day):
    return time_machine.travel(dt.datetime.combine(day, dt.time(8), tzinfo=dt.UTC), tick=False)


def test_reminders_are_sent_once_a_day_at_most_and_recorded(world, personas):
    world.project_a.milestones.all().delete()
    world.project_b.milestones.all().delete()
    milestone = services.milestone_add(actor=personas.lead, project=world.project_a, title="Mid-point",
                                       due_on=dt.date(2026, 3, 10))
    with at(dt.date(2026, 3, 1)):
        call_command("send_reminders")
    assert mail.outbox == []  # nine days ahead: not yet
    with at(dt.date(2026, 3, 4)):
        call_command("send_reminders")
        call_command("send_reminders")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([personas.tutor.email, personas.student.email])
    assert "Due soon: Mid-point" in mail.outbox[0].subject
    with at(dt.date(2026, 3, 5)):
        call_command("send_reminders")
    assert len(mail.outbox) == 2  # the due-soon reminder goes once
    with at(dt.date(2026, 3, 11)):
        call_command("send_reminders")
        call_command("send_reminders")
    assert len(mail.outbox) == 4
    assert mail.outbox[-1].subject.startswith("Overdue: Mid-point")
    with at(dt.date(2026, 3, 14)):
        call_command("send_reminders")
    assert len(mail.outbox) == 4  # overdue reminders are weekly
    with at(dt.date(2026, 3, 18)):
        call_command("send_reminders")
    assert len(mail.outbox) == 6
    assert ReminderSent.objects.filter(milestone=milestone).count() == 6


def test_completed_milestones_are_not_reminded(world, personas):
    world.project_a.milestones.all().delete()
    world.project_b.milestones.all().delete()
    milestone = services.milestone_add(actor=personas.lead, project=world.project_a, title="Report",
                                       due_on=dt.date(2026, 3, 10))
    services.milestone_complete(actor=personas.tutor, milestone=milestone)
    with at(dt.date(2026, 3, 12)):
        assert services.reminders_send() == 0


def test_the_overdue_list_shows_a_tutor_only_their_projects(world, personas, client):
    with at(dt.date(2026, 1, 5)):
        client.force_login(personas.tutor)
        page = client.get("/programmes/overdue/")
    projects = {m.project for m in page.context["milestones"]}
    assert projects == {world.project_a}
