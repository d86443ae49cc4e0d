"""`commed outreach_surveys`: send the destination surveys that are due (pupils without consent are skipped)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from commed.outreach import services


class Command(BaseCommand):
    help = "Send destination surveys that are due, by signed link; run it daily."

    def handle(self, *args: Any, **options: Any) -> None:
        for line in services.surveys_send_due():
            self.stdout.write(line)
