"""`commed import groups FILE [--cohort "CAP 2025/26"]`: place students in groups from a CSV or XLSX file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commed.lib.tabular import ImportFailed
from commed.programmes.imports import groups_import
from commed.programmes.models import Cohort


def cohort_from_option(value: str) -> Cohort:
    value = value.strip()
    if value.isdigit():
        cohort = Cohort.objects.filter(pk=int(value)).first()
    else:
        code, _, year = value.rpartition(" ")
        cohort = Cohort.objects.filter(programme__code__iexact=code.strip(), academic_year=year).first()
    if cohort is None:
        raise CommandError(f"No cohort {value!r}: give its number or its programme code and year, e.g. 'CAP 2025/26'.")
    return cohort


def latest_cohort() -> Cohort:
    latest = Cohort.objects.order_by("-academic_year").first()
    if latest is None:
        raise CommandError("There is no cohort yet.")
    same_year = Cohort.objects.filter(academic_year=latest.academic_year)
    if same_year.count() > 1:
        names = ", ".join(f"'{c}'" for c in same_year.select_related("programme"))
        raise CommandError(f"Several cohorts in {latest.academic_year} ({names}): choose one with --cohort.")
    return latest


class Command(BaseCommand):
    help = "Place students in groups from a CSV or XLSX file (student e-mail, group, project, tutor)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--cohort", default="", help="Cohort number or 'CODE YEAR', e.g. 'CAP 2025/26'")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        cohort = cohort_from_option(options["cohort"]) if options["cohort"] else latest_cohort()
        try:
            result = groups_import(actor=None, cohort=cohort, data=path.read_bytes(), filename=path.name)
        except ImportFailed as failure:
            for error in failure.errors:
                self.stderr.write(error)
            raise CommandError(f"{path.name}: nothing was imported ({len(failure.errors)} problems).") from None
        self.stdout.write(f"{cohort}: {result.summary}")
