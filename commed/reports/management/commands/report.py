"""`commed report partner ORG --year 2025/26 --format pdf|docx --out FILE`, and `commed report all --year ...
--out-dir DIR` (every partner of the year, with progress)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from commed.partners.models import Organisation
from commed.reports import selectors, services
from commed.reports.models import ReportDraft


class Command(BaseCommand):
    help = ("Write service evaluation reports. `report partner ORG` writes one (ORG: the organisation's id, name "
            "or the slug of its name); `report all` writes every partner's report of the year into a folder. "
            "Recorded in the audit trail as 'system'.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        one = sub.add_parser("partner", help="one partner's report")
        one.add_argument("organisation", metavar="ORG")
        one.add_argument("--year", required=True, help="academic year, e.g. 2025/26")
        one.add_argument("--format", choices=services.FORMATS, default="pdf")
        one.add_argument("--out", required=True, help="the file to write")
        every = sub.add_parser("all", help="every partner's report of a year")
        every.add_argument("--year", required=True)
        every.add_argument("--format", choices=services.FORMATS, default="pdf")
        every.add_argument("--out-dir", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"]
        if not selectors.academic_year_valid(year):
            raise CommandError(f"--year {year!r}: give the academic year like 2025/26")
        fmt = options["format"]
        if options["what"] == "partner":
            try:
                organisation = selectors.organisation_find(identifier=options["organisation"])
            except Organisation.DoesNotExist as error:
                raise CommandError(str(error)) from error
            self._write(Path(options["out"]), organisation, year, fmt)
            self.stdout.write(f"Wrote {options['out']} ({organisation.name}, {year}).")
            return
        out_dir = Path(options["out_dir"])
        out_dir.mkdir(parents=True, exist_ok=True)
        organisations = list(selectors.organisations_with_projects(academic_year=year))
        for done, organisation in enumerate(organisations, start=1):
            name = services.report_filename(organisation=organisation, academic_year=year, fmt=fmt)
            self._write(out_dir / name, organisation, year, fmt)
            self.stdout.write(f"[{done}/{len(organisations)}] {name}")
        self.stdout.write(f"Wrote {len(organisations)} reports to {out_dir}.")

    def _write(self, out: Path, organisation: Organisation, year: str, fmt: str) -> None:
        draft = ReportDraft.objects.filter(organisation=organisation, academic_year=year).first()
        try:
            content = services.service_evaluation_export(actor=None, organisation=organisation, academic_year=year,
                                                         fmt=fmt, draft=draft)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        try:
            out.write_bytes(content)
        except OSError as error:
            raise CommandError(f"{out}: {error.strerror}") from error
