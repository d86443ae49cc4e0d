"""`commed qda ...`: the qualitative workspace from the command line.

    commed qda import-qdpx FILE --study SLUG [--owner USERNAME]   (a .qdpx project, a .qdc codebook, or
                                                                    QualCoder's plain-text codebook .txt)
    commed qda export-qdpx SLUG OUT
    commed qda import-participants SLUG FILE [--code-column C] [--name-column N]
    commed qda import-docs SLUG FILES... [--names "Ann,Bob"] [--no-pseudonymise] [--survey-mode question]
    commed qda themes-table SLUG --format docx|xlsx|csv|md --out OUT
    commed qda agreement SLUG --unit character|turn|document [--json]

Imports are all or nothing; a bad file stops the import with a message naming it. Exports are audited.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from commed.accounts.models import User
from commed.qualitative import exchange, exports, services
from commed.qualitative.agreement import agreement_as_dict, study_agreement
from commed.qualitative.models import Study
from commed.qualitative.services import ImportFailed


class Command(BaseCommand):
    help = "The qualitative workspace: REFI-QDA exchange, document import, themes table, agreement."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        p = sub.add_parser("import-qdpx", help="import a REFI-QDA project (.qdpx) or codebook (.qdc, or QualCoder's "
                                              "plain-text .txt) into a study")
        p.add_argument("file")
        p.add_argument("--study", required=True, help="the study's slug (created when --owner is given)")
        p.add_argument("--owner", help="username of the researcher who owns a new study")
        p.add_argument("--title", help="title of a new study (default: the project's name)")
        p = sub.add_parser("export-qdpx", help="export a study as a REFI-QDA project (.qdpx) or codebook (.qdc)")
        p.add_argument("study")
        p.add_argument("out")
        p = sub.add_parser("import-participants", help="participants with attributes from XLSX or CSV")
        p.add_argument("study")
        p.add_argument("file")
        p.add_argument("--code-column")
        p.add_argument("--name-column", help="column with the names used in the transcripts (kept apart)")
        p.add_argument("--code-prefix", default="P")
        p = sub.add_parser("import-docs", help="import transcripts (txt, docx, odt, pdf, vtt, srt, csv)")
        p.add_argument("study")
        p.add_argument("files", nargs="+")
        p.add_argument("--names", default="", help="other names to remove, comma separated: Name (becomes "
                                                    "[redacted]) or Name=CODE (becomes [CODE])")
        p.add_argument("--no-pseudonymise", action="store_true")
        p.add_argument("--survey-mode", choices=("respondent", "question"), default="respondent")
        p = sub.add_parser("themes-table", help="write the themes table")
        p.add_argument("study")
        p.add_argument("--format", dest="fmt", choices=exports.FORMATS, required=True)
        p.add_argument("--out", required=True)
        p = sub.add_parser("agreement", help="inter-coder agreement")
        p.add_argument("study")
        p.add_argument("--unit", choices=("character", "turn", "document"), default="character")
        p.add_argument("--json", action="store_true")

    def _study(self, slug: str) -> Study:
        study = Study.objects.filter(slug=slug).first()
        if study is None:
            raise CommandError(f"no study called {slug!r}")
        return study

    def _file(self, name: str) -> Path:
        path = Path(name)
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        return path

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"].replace("-", "_")
        try:
            getattr(self, action)(**options)
        except ImportFailed as failure:
            raise CommandError(f"{failure} (nothing was saved)") from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None

    def import_qdpx(self, **options: Any) -> None:
        path = self._file(options["file"])
        data = path.read_bytes()
        with transaction.atomic():  # a new study is not left behind when its import fails
            study = Study.objects.filter(slug=options["study"]).first()
            if study is None:
                if not options["owner"]:
                    raise CommandError(f"no study called {options['study']!r}: give --owner to create it")
                owner = User.objects.filter(username=options["owner"]).first()
                if owner is None:
                    raise CommandError(f"no user called {options['owner']!r}")
                study = services.study_create(owner=owner, title=options["title"] or path.stem,
                                              slug=options["study"])
            if path.suffix.lower() in (".qdc", ".txt"):
                report = exchange.codebook_import(study=study, by=None, data=data, filename=path.name)
            else:
                report = exchange.project_import(study=study, by=None, data=data, filename=path.name)
        for line in report.messages:
            self.stdout.write(line)
        self.stdout.write(f"{path.name}: {report.codes} codes, {report.documents} documents, {report.codings} "
                          f"codings, {report.participants} cases, {report.memos} notes imported into {study.slug}.")

    def export_qdpx(self, **options: Any) -> None:
        study = self._study(options["study"])
        out = Path(options["out"])
        if out.suffix.lower() == ".qdc":
            data = exchange.codebook_export(study=study, by=None)
        else:
            data = exchange.project_export(study=study, by=None)
        out.write_bytes(data)
        self.stdout.write(f"{out} written ({len(data)} bytes).")

    def import_participants(self, **options: Any) -> None:
        study = self._study(options["study"])
        path = self._file(options["file"])
        made = services.participants_import_table(
            study=study, by=None, data=path.read_bytes(), filename=path.name, code_column=options["code_column"],
            name_column=options["name_column"], code_prefix=options["code_prefix"],
        )
        self.stdout.write(f"{path.name}: {len(made)} participants added to {study.slug}.")

    def import_docs(self, **options: Any) -> None:
        study = self._study(options["study"])
        files = [(p.name, p.read_bytes()) for p in map(self._file, options["files"])]
        result = services.documents_import(
            study=study, by=None, files=files, extra_names=options["names"].split(","),
            pseudonymise=not options["no_pseudonymise"], survey_mode=options["survey_mode"],
        )
        for warning in result.warnings:
            self.stdout.write(f"warning: {warning}")
        self.stdout.write(f"{len(result.documents)} documents imported into {study.slug}; "
                          f"{result.replacements} names replaced.")

    def themes_table(self, **options: Any) -> None:
        study = self._study(options["study"])
        data = exports.themes_table_export(study=study, by=None, fmt=options["fmt"])
        Path(options["out"]).write_bytes(data)
        self.stdout.write(f"{options['out']} written.")

    def agreement(self, **options: Any) -> None:
        study = self._study(options["study"])
        result = agreement_as_dict(study_agreement(study=study, unit=options["unit"]))
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2))
            return

        def fmt(value: float | None) -> str:
            return "–" if value is None else f"{value:.3f}"

        self.stdout.write(f"Agreement at {result['unit']} level between {', '.join(result['coders']) or 'nobody'}")
        self.stdout.write(f"{'code':40} {'units':>9} {'percent':>8} {'kappa':>7} {'alpha':>7}")
        for row in [*result["per_code"], {**result["overall"], "code": "OVERALL"}]:
            self.stdout.write(f"{(row['code'] or '')[:40]:40} {row['units']:>9} {fmt(row['percent_agreement']):>8} "
                              f"{fmt(row['cohen_kappa']):>7} {fmt(row['krippendorff_alpha']):>7}")
        self.stdout.write(f"{result['disagreements']} disagreements to review.")
