"""`commed send_reminders`: e-mail milestone reminders; safe to run many times a day (each is sent once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from commed.programmes.services import reminders_send


class Command(BaseCommand):
    help = "E-mail reminders about milestones due within a week and overdue ones (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = reminders_send()
        self.stdout.write(f"{sent} reminders sent.")
