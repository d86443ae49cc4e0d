"""Writes for reports: drafts and their quotes, the partner's review, release, exports and batch runs."""

from __future__ import annotations

import io
import threading
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.text import slugify

from commed.accounts.models import User
from commed.audit.models import Action
from commed.audit.services import audit_record
from commed.links.models import SignedLink
from commed.links.services import IssuedLink, link_issue
from commed.partners.models import Contact, Organisation
from commed.programmes.models import Cohort
from commed.reports import builders, documents, selectors
from commed.reports.models import (
    DraftQuote,
    DraftStatus,
    QuoteDecision,
    QuoteSource,
    ReportDraft,
    ReportRun,
    RunStatus,
    StudentCharacteristics,
)

REVIEW_PURPOSE = "review_report"
FORMATS = ("pdf", "docx")


def _check_year(academic_year: str) -> None:
    if not selectors.academic_year_valid(academic_year):
        raise ValidationError({"academic_year": "Give the academic year like 2025/26."})


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValidationError({"fmt": "Choose pdf or docx."})


@transaction.atomic
def draft_create(*, actor: User, organisation: Organisation, academic_year: str, next_steps: str = "") -> ReportDraft:
    """Start a draft and propose as quotes every reflection shared with the partner and the partner's feedback."""
    _check_year(academic_year)
    if ReportDraft.objects.filter(organisation=organisation, academic_year=academic_year).exists():
        raise ValidationError(f"There is already a report for {organisation} in {academic_year}.")
    now = timezone.now()
    draft = ReportDraft.objects.create(organisation=organisation, academic_year=academic_year,
                                       next_steps=next_steps.strip(), created_by=actor, created_at=now)
    draft_quotes_refresh(actor=actor, draft=draft)
    audit_record(actor=actor, action=Action.CREATE, obj=draft)
    return draft


@transaction.atomic
def draft_quotes_refresh(*, actor: User, draft: ReportDraft) -> int:
    """Propose quotes written since the draft began; decisions already taken stay as they are."""
    if draft.is_released:
        raise ValidationError("A released report is not changed.")
    reflections, feedback = selectors.quote_candidates(organisation=draft.organisation,
                                                       academic_year=draft.academic_year)
    have_reflections = set(draft.quotes.exclude(reflection=None).values_list("reflection_id", flat=True))
    have_feedback = set(draft.quotes.exclude(feedback=None).values_list("feedback_id", flat=True))
    now = timezone.now()
    new = [DraftQuote(draft=draft, source=QuoteSource.REFLECTION, reflection=r, created_at=now)
           for r in reflections if r.pk not in have_reflections]
    new += [DraftQuote(draft=draft, source=QuoteSource.FEEDBACK, feedback=f, created_at=now)
            for f in feedback if f.pk not in have_feedback]
    DraftQuote.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def draft_set_next_steps(*, actor: User, draft: ReportDraft, next_steps: str) -> ReportDraft:
    if draft.is_released:
        raise ValidationError("A released report is not changed.")
    draft.next_steps = next_steps.strip()
    draft.save(update_fields=["next_steps"])
    audit_record(actor=actor, action=Action.CHANGE, obj=draft, summary="next steps")
    return draft


def draft_link_issue(*, actor: User, draft: ReportDraft, contact: Contact, days: int = 30) -> IssuedLink:
    if contact.organisation_id != draft.organisation_id:
        raise ValidationError({"contact": "Choose a contact of this organisation."})
    if draft.is_released:
        raise ValidationError("The report is already released.")
    return link_issue(actor=actor, purpose=REVIEW_PURPOSE, target=draft, recipient_name=contact.name,
                      recipient_email=contact.email, contact=contact, days=days)


@transaction.atomic
def draft_review_submit(
    *, draft: ReportDraft, decisions: dict[int, str], name: str, response: str, link: SignedLink | None = None,
    by: User | None = None,
) -> ReportDraft:
    """The partner's review: approve or withdraw each quote about them, and add a response."""
    if draft.is_released:
        raise ValidationError("The report has been released; it can no longer be changed here.")
    name = name.strip()[:150]
    if not name:
        raise ValidationError({"name": "Give your name."})
    quotes = {q.pk: q for q in draft.quotes.all()}
    now = timezone.now()
    for pk, decision in decisions.items():
        quote = quotes.get(pk)
        if quote is None or decision not in (QuoteDecision.APPROVED, QuoteDecision.WITHDRAWN):
            raise ValidationError("Choose approve or withdraw for each quote.")
        if quote.decision != decision:
            quote.decision = decision
            quote.decided_by_name = name
            quote.decided_at = now
            quote.save(update_fields=["decision", "decided_by_name", "decided_at"])
    if response.strip():
        draft.partner_response = response.strip()
        draft.partner_response_by = name
        draft.partner_response_at = now
        draft.save(update_fields=["partner_response", "partner_response_by", "partner_response_at"])
    audit_record(actor=by, action=Action.CHANGE, obj=draft,
                 summary=f"partner review by {name}" + (" through a signed link" if link else ""),
                 changes={"decisions": {str(k): v for k, v in decisions.items()}})
    return draft


@transaction.atomic
def draft_release(*, actor: User, draft: ReportDraft) -> ReportDraft:
    if not selectors.is_manager(actor):
        raise ValidationError("Only a programme lead releases a report.")
    if draft.is_released:
        return draft
    draft.status = DraftStatus.RELEASED
    draft.released_by = actor
    draft.released_at = timezone.now()
    draft.save(update_fields=["status", "released_by", "released_at"])
    audit_record(actor=actor, action=Action.CHANGE, obj=draft, summary="released to the partner")
    return draft


def service_evaluation_document(*, organisation: Organisation, academic_year: str, fmt: str,
                                draft: ReportDraft | None = None) -> bytes:
    """The report as bytes, without an audit record (the batch and the benchmark record the run instead)."""
    _check_year(academic_year)
    _check_format(fmt)
    report = selectors.service_evaluation(organisation=organisation, academic_year=academic_year, draft=draft)
    return documents.render(fmt=fmt, title=builders.service_evaluation_title(report),
                            blocks=builders.service_evaluation_blocks(report))


def service_evaluation_export(
    *, actor: User | None, organisation: Organisation, academic_year: str, fmt: str, draft: ReportDraft | None = None
) -> bytes:
    # Reports carry students' words and partners' names: every export is in the audit trail.
    content = service_evaluation_document(organisation=organisation, academic_year=academic_year, fmt=fmt,
                                          draft=draft)
    audit_record(actor=actor, action=Action.EXPORT, obj=organisation,
                 summary=f"service evaluation report {academic_year} ({fmt})")
    return content


def accountability_pack_export(*, actor: User, cohort: Cohort, fmt: str) -> bytes:
    _check_format(fmt)
    pack = selectors.accountability_pack(cohort=cohort)
    content = documents.render(fmt=fmt, title=builders.pack_title(pack), blocks=builders.pack_blocks(pack))
    audit_record(actor=actor, action=Action.EXPORT, obj=cohort, summary=f"social-accountability pack ({fmt})")
    return content


def report_filename(*, organisation: Organisation, academic_year: str, fmt: str) -> str:
    return f"service-evaluation-{academic_year.replace('/', '-')}-{slugify(organisation.name) or organisation.pk}.{fmt}"


# Batch runs -------------------------------------------------------------------------------------------------------


def run_start(*, actor: User, academic_year: str, fmt: str = "pdf", background: bool = True) -> ReportRun:
    """Queue every report of the year; `background` runs it in a thread so the page can poll its progress."""
    _check_year(academic_year)
    _check_format(fmt)
    run = ReportRun.objects.create(academic_year=academic_year, fmt=fmt, created_by=actor,
                                   total=selectors.organisations_with_projects(academic_year=academic_year).count(),
                                   created_at=timezone.now())
    audit_record(actor=actor, action=Action.EXPORT, obj=run, summary=f"all service evaluation reports ({fmt})")
    if background:
        transaction.on_commit(lambda: _launch(run.pk))
    else:
        run_execute(run_id=run.pk)
        run.refresh_from_db()
    return run


def _launch(run_id: int) -> None:
    def target() -> None:
        try:
            run_execute(run_id=run_id)
        finally:
            close_old_connections()

    threading.Thread(target=target, name=f"report-run-{run_id}", daemon=True).start()


def run_execute(*, run_id: int) -> None:
    run = ReportRun.objects.get(pk=run_id)
    ReportRun.objects.filter(pk=run_id).update(status=RunStatus.RUNNING)
    organisations = list(selectors.organisations_with_projects(academic_year=run.academic_year))
    drafts = {d.organisation_id: d for d in ReportDraft.objects.filter(academic_year=run.academic_year)}
    relative = Path("reports") / "runs" / f"run-{run.pk}.zip"
    target = Path(settings.MEDIA_ROOT) / relative
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for done, organisation in enumerate(organisations, start=1):
                content = service_evaluation_document(organisation=organisation, academic_year=run.academic_year,
                                                      fmt=run.fmt, draft=drafts.get(organisation.pk))
                archive.writestr(report_filename(organisation=organisation, academic_year=run.academic_year,
                                                 fmt=run.fmt), content)
                ReportRun.objects.filter(pk=run_id).update(completed=done)
        target.write_bytes(buffer.getvalue())
    except Exception as error:  # a failed run is shown to the lead rather than lost in a thread
        ReportRun.objects.filter(pk=run_id).update(status=RunStatus.FAILED, error=str(error)[:2000],
                                                   finished_at=timezone.now())
        raise
    ReportRun.objects.filter(pk=run_id).update(status=RunStatus.DONE, archive=str(relative), total=len(organisations),
                                               completed=len(organisations), finished_at=timezone.now())


def run_archive_path(*, run: ReportRun) -> Path:
    if run.status != RunStatus.DONE or not run.archive:
        raise ValidationError("The run has not finished.")
    return Path(settings.MEDIA_ROOT) / run.archive


# Student characteristics --------------------------------------------------------------------------------------------


@transaction.atomic
def characteristics_set(
    *, student: User, consented: bool, first_in_family: bool | None = None, disability: bool | None = None,
    caring_responsibility: bool | None = None,
) -> StudentCharacteristics:
    """A student gives (or withdraws) characteristics for the equity view; withdrawing clears every answer."""
    if not consented:
        first_in_family = disability = caring_responsibility = None
    record, _ = StudentCharacteristics.objects.update_or_create(
        student=student,
        defaults={"consented": consented, "first_in_family": first_in_family, "disability": disability,
                  "caring_responsibility": caring_responsibility, "updated_at": timezone.now()},
    )
    audit_record(actor=student, action=Action.CHANGE, obj=record,
                 summary="characteristics given" if consented else "consent withdrawn, answers cleared")
    return record
