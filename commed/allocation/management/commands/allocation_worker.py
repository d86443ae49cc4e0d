"""`commed allocation_worker`: solve queued allocation runs (for ALLOCATION_RUNNER = "worker" deployments).

`--once` solves what is queued and stops; without it the worker keeps polling every `--interval` seconds.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from commed.allocation.services import runs_execute_queued


class Command(BaseCommand):
    help = "Solve queued allocation runs"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Solve what is queued now, then stop")
        parser.add_argument("--interval", type=float, default=2.0, help="Seconds between polls")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            done = runs_execute_queued()
            if done:
                self.stdout.write(f"Solved {done} allocation run{'s' if done != 1 else ''}.")
            if options["once"]:
                return
            time.sleep(options["interval"])
