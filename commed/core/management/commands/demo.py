from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from commed.core.demo import DEMO_PASSWORD, demo_logins, demo_seed


class Command(BaseCommand):
    help = "Create the database, load the demo data (fixed seed) and serve the site on http://127.0.0.1:8000."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="Load the data and stop.")
        parser.add_argument("--reset", action="store_true", help="Delete the demo database's data first.")

    def handle(self, *args: Any, host: str, port: int, no_serve: bool, reset: bool, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if reset:
            call_command("flush", interactive=False, verbosity=0)
        created = demo_seed()
        self.stdout.write("Demo data loaded." if created else "Demo data already present (use --reset to reload).")
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for role, username in demo_logins():
            self.stdout.write(f"  {role:<22} {username}")
        if not no_serve:
            call_command("serve", host=host, port=port)
