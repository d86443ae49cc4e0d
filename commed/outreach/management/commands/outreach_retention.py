"""`commed outreach_retention`: apply the widening-participation retention rules (run it daily, e.g. from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from commed.outreach import retention


class Command(BaseCommand):
    help = "Apply the widening-participation retention rules and log what was deleted."

    def handle(self, *args: Any, **options: Any) -> None:
        for line in retention.apply():
            self.stdout.write(line)
