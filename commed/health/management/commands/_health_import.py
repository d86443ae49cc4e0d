"""The shared body of `commed import imd|postcodes|fingertips|gp-practices FILE`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commed.accounts.models import User
from commed.health.imports import BATCH_SIZE, HealthImportError, health_import, parse_domains, parse_polarities


class HealthImportCommand(BaseCommand):
    command = ""
    takes_polarity = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the publisher's CSV file, as published")
        parser.add_argument("--release", default="", help="release label, e.g. 'IoD2019' (default: the kind's name)")
        parser.add_argument("--actor", help="username recorded as the importer (default: system)")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="rows per INSERT batch")
        if self.takes_polarity:
            parser.add_argument(
                "--polarity", action="append", default=[], metavar="ID=POLARITY",
                help="an indicator's polarity, e.g. '93356=RAG - Low is good' (default: inferred from the export)",
            )
            parser.add_argument(
                "--domain", action="append", default=[], metavar="ID=DOMAIN",
                help="an indicator's profile domain, e.g. '93356=Health protection' (exports do not carry it)",
            )

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
            polarities = parse_polarities(options.get("polarity") or [])
            domains = parse_domains(options.get("domain") or [])
            with open(path, "rb") as handle:
                result = health_import(
                    command=self.command,
                    fileobj=handle,
                    filename=path.name,
                    actor=actor,
                    release_label=options["release"],
                    polarities=polarities,
                    domains=domains,
                    batch_size=options["batch_size"],
                )
        except HealthImportError as error:
            raise CommandError(f"{error}\nNothing was imported.") from None
        self.stdout.write(result.summary)
