"""`commed import polar4 FILE`: see commed/outreach/imports.py for the columns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commed.lib.tabular import ImportFailed
from commed.outreach.imports import polar4_import


class Command(BaseCommand):
    help = "Import an area lookup for widening participation (CSV or XLSX); all rows or none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            result = polar4_import(actor=None, data=path.read_bytes(), filename=path.name)
        except ImportFailed as failure:
            raise CommandError("nothing was imported:\n" + "\n".join(failure.errors)) from None
        self.stdout.write(result.summary)
