"""Benchmark: every service evaluation report of a school with 400 partners, on SQLite.

Run: .venv/bin/python bench/reports.py [--partners 400] [--keep DIR]   (full size: ~2-4 minutes)

Generates (seeded) 400 partner organisations (one in ten with a name beyond Latin-1, whose report embeds the
Unicode font), each with 1 to 4 projects in 2025/26 (about 1,000 projects), and
for every project 2 outputs, 3 reflections (consent partner, research or private), the partner's feedback with
its check-in, the school's check-in and 3 reciprocity-ledger entries; half the partners have a report draft
with its proposed quotes. The rows are bulk-inserted (the benchmark measures the reports, not the data entry).

Then it generates every partner's report through `services.service_evaluation_document`, the function the
background batch (`run_execute`) calls, and reports:

- time per PDF report (mean, median, 95th percentile) and the total for the 400, and the same for DOCX;
- queries per report (min and max over all reports, and by number of projects: constant means no N+1);
- the whole background batch (`services.run_execute`: every PDF into one zip, progress saved after each);
- ratios against the baseline measured in the same run: rendering a trivial one-page PDF with fpdf2
  (Helvetica, one line of text), and, as a second reference, the same page with the DejaVu font embedded
  (the font the reports use when the machine has it).

The database is a fresh file in a temporary directory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
YEAR = "2025/26"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=400)
    parser.add_argument("--keep", help="keep the database in this directory")
    args = parser.parse_args()
    data_dir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="commed-bench-reports-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["COMMED_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commed.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        run(args.partners)
    finally:
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)


def make_school(n_partners: int) -> dict[int, int]:
    """Bulk-insert the school; returns {organisation id: number of projects}."""
    from django.utils import timezone

    from commed.accounts.models import Role, User
    from commed.partners.models import FocusArea, LedgerEntry, Organisation, Partnership, Population
    from commed.programmes.models import (
        CheckInResponse,
        Cohort,
        Consent,
        Group,
        GroupMembership,
        Output,
        PartnerFeedback,
        Programme,
        Project,
        Reflection,
    )
    from commed.reports import services
    from commed.reports.models import ReportDraft

    rng = random.Random(20260901)
    now = timezone.now()
    lead = User.objects.create(username="bench_lead", email="lead@bench.invalid", role=Role.LEAD)
    programme = Programme.objects.create(name="Community Action Project", code="CAP", created_at=now)
    cohort = Cohort.objects.create(programme=programme, academic_year=YEAR, created_at=now)
    populations = [Population.objects.create(name=f"population {i}") for i in range(12)]
    areas = [FocusArea.objects.create(name=f"need {i}") for i in range(20)]
    organisations = Organisation.objects.bulk_create([
        # One partner in ten has a name beyond Latin-1, so its report embeds the Unicode font.
        Organisation(name=f"Partner organisation {i:03d}" + (" (\u0141\u00f3d\u017a)" if i % 10 == 0 else ""),
                     kind="community", created_at=now, updated_at=now)
        for i in range(n_partners)
    ])
    through_pop = Organisation.populations.through
    through_area = Organisation.focus_areas.through
    through_pop.objects.bulk_create([through_pop(organisation_id=o.pk, population_id=p.pk)
                                     for o in organisations for p in rng.sample(populations, 2)])
    through_area.objects.bulk_create([through_area(organisation_id=o.pk, focusarea_id=a.pk)
                                      for o in organisations for a in rng.sample(areas, 2)])
    partnerships = Partnership.objects.bulk_create([
        Partnership(organisation=o, title="CAP", stage="active", created_at=now) for o in organisations])
    students = User.objects.bulk_create([
        User(username=f"s{i}", email=f"s{i}@bench.invalid", role=Role.STUDENT, first_name="S", last_name=str(i))
        for i in range(n_partners * 3 * 4)
    ])
    student_iter = iter(students)
    counts: dict[int, int] = {}
    projects: list[tuple[Project, Organisation]] = []
    for organisation in organisations:
        counts[organisation.pk] = rng.randint(1, 4)
        for k in range(counts[organisation.pk]):
            projects.append((Project(cohort=cohort, title=f"{organisation.name} project {k + 1}",
                                     summary="A health need the partner named.", stage="complete",
                                     created_at=now), organisation))
    Project.objects.bulk_create([p for p, _ in projects])
    through_org = Project.organisations.through
    through_org.objects.bulk_create([through_org(project_id=p.pk, organisation_id=o.pk) for p, o in projects])
    groups = Group.objects.bulk_create([Group(cohort=cohort, name=f"G{p.pk}", project=p, created_at=now)
                                        for p, _ in projects])
    memberships, reflections, outputs, feedback, checkins, ledger = [], [], [], [], [], []
    consents = [Consent.PARTNER, Consent.RESEARCH, Consent.PRIVATE]
    partnership_of = {p.organisation_id: p for p in partnerships}
    for group, (project, organisation) in zip(groups, projects, strict=True):
        for consent in consents:
            student = next(student_iter)
            memberships.append(GroupMembership(group=group, student=student, joined_at=now))
            reflections.append(Reflection(
                student=student, project=project, what_happened="We ran two sessions.",
                learned_about_community=f"The members of {organisation.name} knew what they needed long before we "
                                        "arrived, and told us plainly.",
                do_differently="Ask earlier.", consent=consent, created_at=now, updated_at=now))
        for kind, reach in (("leaflet", rng.randint(20, 400)), ("workshop", rng.randint(5, 60))):
            outputs.append(Output(project=project, kind=kind, title=f"{kind.title()} for {project.title}",
                                  languages=rng.choice(["English", "English, Bengali", "Somali, Arabic"]),
                                  audience="Members", reach=reach, created_at=now))
        feedback.append(PartnerFeedback(project=project, organisation=organisation, given_by_name="Partner contact",
                                        about_students="Punctual and curious.", about_project="It helped.",
                                        about_partnership="Good: more notice of dates would help.",
                                        submitted_at=now))
        for side in ("partner", "school"):
            checkins.append(CheckInResponse(project=project, side=side, respondent_name=side, submitted_at=now,
                                            answers={k: rng.randint(1, 5) for k in
                                                     ("shaped", "benefit", "communication", "respect", "continue")}))
        for direction in ("to_community", "to_students", "to_school"):
            ledger.append(LedgerEntry(partnership=partnership_of[organisation.pk], direction=direction, kind="time",
                                      description=f"Sessions for {project.title}", quantity=Decimal(rng.randint(1, 9)),
                                      unit="hours", occurred_on=dt.date(2026, 2, 1), created_at=now))
    GroupMembership.objects.bulk_create(memberships)
    Reflection.objects.bulk_create(reflections)
    Output.objects.bulk_create(outputs)
    PartnerFeedback.objects.bulk_create(feedback)
    CheckInResponse.objects.bulk_create(checkins)
    LedgerEntry.objects.bulk_create(ledger)
    for organisation in organisations[::2]:
        services.draft_create(actor=lead, organisation=organisation, academic_year=YEAR)
    print(f"{len(organisations)} partners, {len(projects)} projects, {len(outputs)} outputs, {len(reflections)} "
          f"reflections, {ReportDraft.objects.count()} drafts", flush=True)
    return counts


def baseline(font: Path | None) -> float:
    from fpdf import FPDF

    def one_page() -> bytes:
        pdf = FPDF(format="A4")
        if font is not None:
            pdf.add_font("body", "", str(font))
            pdf.set_font("body", "", 12)
        else:
            pdf.set_font("Helvetica", "", 12)
        pdf.add_page()
        pdf.cell(0, 10, "Service evaluation report")
        return bytes(pdf.output())

    one_page()
    times = []
    for _ in range(50):
        t0 = time.perf_counter()
        one_page()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def run(n_partners: int) -> None:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from commed.partners.models import Organisation
    from commed.reports import documents, services
    from commed.reports.models import ReportDraft

    t0 = time.perf_counter()
    counts = make_school(n_partners)
    print(f"data made in {time.perf_counter() - t0:.1f} s", flush=True)
    font = documents._unicode_font()
    print(f"report font: {font[0] if font else 'Helvetica (no Unicode font on this machine)'}")
    base_core = baseline(None)
    base_font = baseline(font[0]) if font else None
    organisations = list(Organisation.objects.order_by("name"))
    drafts = {d.organisation_id: d for d in ReportDraft.objects.all()}
    results: dict[str, list[float]] = defaultdict(list)
    queries: dict[int, set[int]] = defaultdict(set)
    for fmt in ("pdf", "docx"):
        for organisation in organisations:
            with CaptureQueriesContext(connection) as captured:
                t1 = time.perf_counter()
                content = services.service_evaluation_document(organisation=organisation, academic_year=YEAR,
                                                                fmt=fmt, draft=drafts.get(organisation.pk))
                results[fmt].append(time.perf_counter() - t1)
                if fmt == "pdf":
                    latin = organisation.name.isascii()
                    results["pdf, Latin-1 text (core font)" if latin else "pdf, with a Unicode font embedded"].append(
                        results[fmt][-1])
            assert content[:4] in (b"%PDF", b"PK\x03\x04")
            if fmt == "pdf":
                queries[counts[organisation.pk]].add(len(captured))
            reset_queries()
    run_obj = None
    t2 = time.perf_counter()
    from commed.accounts.models import User

    run_obj = services.run_start(actor=User.objects.get(username="bench_lead"), academic_year=YEAR,
                                 background=False)
    batch = time.perf_counter() - t2

    def row(fmt: str) -> str:
        times = sorted(results[fmt])
        mean = statistics.mean(times)
        p95 = times[int(0.95 * (len(times) - 1))]
        ratio = f"{mean / base_core:.1f}x" + (f" / {mean / base_font:.1f}x" if base_font else "")
        label = fmt.upper() if fmt in ("pdf", "docx") else fmt
        return (f"| {label} | {len(times)} | {mean * 1000:.0f} ms | {statistics.median(times) * 1000:.0f} ms | "
                f"{p95 * 1000:.0f} ms | {sum(times):.1f} s | {ratio} |")

    print()
    print(f"Baseline, trivial one-page PDF with fpdf2 (Helvetica): {base_core * 1000:.2f} ms (median of 50)")
    if base_font:
        print(f"Reference, the same page with DejaVu Sans embedded: {base_font * 1000:.2f} ms (median of 50)")
    print()
    print("| format | reports | mean | median | p95 | total | mean / baseline (Helvetica / DejaVu page) |")
    print("|---|---|---|---|---|---|---|")
    print(row("pdf"))
    print(row("pdf, Latin-1 text (core font)"))
    print(row("pdf, with a Unicode font embedded"))
    print(row("docx"))
    print()
    print("| projects of the partner | partners | queries per report |")
    print("|---|---|---|")
    for n in sorted(queries):
        print(f"| {n} | {sum(1 for c in counts.values() if c == n)} | "
              f"{', '.join(str(q) for q in sorted(queries[n]))} |")
    print()
    print(f"Background batch (run_execute, {run_obj.completed} PDFs into one zip, progress saved after each): "
          f"{batch:.1f} s, {batch / max(run_obj.completed, 1) * 1000:.0f} ms per report, "
          f"{batch / max(run_obj.completed, 1) / base_core:.1f}x the baseline page")


if __name__ == "__main__":
    main()
