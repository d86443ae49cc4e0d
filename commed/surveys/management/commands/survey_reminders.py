"""`commed survey_reminders [--survey ID]`: remind everyone who has not answered an open survey (at most once in
each survey's reminder interval). Run it daily."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commed.surveys.models import Survey
from commed.surveys.services import reminders_send


class Command(BaseCommand):
    help = "E-mail a reminder to non-responders of open surveys, at most once per survey's reminder interval."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--survey", type=int, help="Only this survey (its number)")

    def handle(self, *args: Any, **options: Any) -> None:
        survey = None
        if options["survey"] is not None:
            survey = Survey.objects.filter(pk=options["survey"]).first()
            if survey is None:
                raise CommandError(f"No survey {options['survey']}.")
        sent = reminders_send(survey=survey)
        self.stdout.write(f"Sent {sent} survey reminders.")
