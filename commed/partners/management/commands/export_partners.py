"""`commed export_partners --format csv|xlsx --out FILE`: the partner directory as a spreadsheet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commed.accounts.models import User
from commed.partners.exports import partners_export


class Command(BaseCommand):
    help = ("Export partner organisations and contacts in the columns the import reads; recorded in the audit "
            "trail (as 'system', or as --actor with what that user may see).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
        parser.add_argument("--out", required=True, help="the file to write")
        parser.add_argument("--actor", help="username recorded in the audit trail (default: system, everything)")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["actor"]:
            actor = User.objects.filter(username=options["actor"], is_active=True).first()
            if actor is None:
                raise CommandError(f"no active user called {options['actor']!r}")
        response = partners_export(actor=actor, fmt=options["format"])
        out = Path(options["out"])
        try:
            out.write_bytes(response.content)
        except OSError as error:
            raise CommandError(f"{out}: {error.strerror}") from error
        self.stdout.write(f"Wrote {out}.")
