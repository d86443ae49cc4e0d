"""`commed import partners FILE [--dry-run]`: import organisations and contacts from CSV or XLSX."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commed.accounts.models import User
from commed.lib.tabular import ImportFailed
from commed.partners.imports import partners_import


class Command(BaseCommand):
    help = ("Import partner organisations and contacts from a CSV (UTF-8) or XLSX file, all or nothing. "
            "Existing organisations (same name) are updated with the fields the file gives; contacts are matched "
            "by e-mail. Every problem is listed with its row and column.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the .csv or .xlsx file")
        parser.add_argument("--dry-run", action="store_true", help="check the file and report, but save nothing")
        parser.add_argument("--actor", help="username recorded in the audit trail (default: system)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        actor = None
        if options["actor"]:
            actor = User.objects.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(f"no user called {options['actor']!r}")
        try:
            result = partners_import(actor=actor, data=path.read_bytes(), filename=path.name,
                                     dry_run=options["dry_run"])
        except ImportFailed as failure:
            for error in failure.errors:
                self.stderr.write(error)
            raise CommandError(
                f"{path.name} was not imported ({len(failure.errors)} problems); nothing was saved."
            ) from None
        self.stdout.write(("Dry run, nothing saved. " if options["dry_run"] else "") + result.summary)
