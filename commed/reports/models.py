"""Service evaluation report drafts, the partner's review of the quotes in them, batch runs, and the student
characteristics that students chose to give for the equity view.

A report's figures are never stored: they are read from the programmes and partners apps each time a report is
rendered, so a correction there shows in the next download. What is stored is what only this app knows: the
lead's next steps, the partner's decision on each quote about them, the partner's response, and the release.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

USER = settings.AUTH_USER_MODEL


class DraftStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    RELEASED = "released", "Released"


class ReportDraft(models.Model):
    organisation = models.ForeignKey("partners.Organisation", on_delete=models.CASCADE, related_name="report_drafts")
    academic_year = models.CharField(max_length=7, help_text="e.g. 2025/26")
    status = models.CharField(max_length=10, choices=DraftStatus.choices, default=DraftStatus.DRAFT, db_index=True)
    next_steps = models.TextField(blank=True, help_text="What the school proposes for the coming year")
    partner_response = models.TextField(blank=True)
    partner_response_by = models.CharField(max_length=150, blank=True)
    partner_response_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    released_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-academic_year", "organisation__name")
        constraints = (
            models.UniqueConstraint(fields=("organisation", "academic_year"), name="report_draft_one_per_year"),
        )

    def __str__(self) -> str:
        return f"Service evaluation report {self.academic_year} for {self.organisation}"

    @property
    def is_released(self) -> bool:
        return self.status == DraftStatus.RELEASED


class QuoteSource(models.TextChoices):
    REFLECTION = "reflection", "Student reflection"
    FEEDBACK = "feedback", "Partner feedback"


class QuoteDecision(models.TextChoices):
    PENDING = "pending", "Not yet reviewed"
    APPROVED = "approved", "Approved"
    WITHDRAWN = "withdrawn", "Withdrawn"


class DraftQuote(models.Model):
    """A quote proposed for a report. The text is never copied: it is read from its source when rendered, and
    a reflection's quote is shown only while the student's consent still allows it."""

    draft = models.ForeignKey(ReportDraft, on_delete=models.CASCADE, related_name="quotes")
    source = models.CharField(max_length=12, choices=QuoteSource.choices)
    reflection = models.ForeignKey(
        "programmes.Reflection", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    feedback = models.ForeignKey(
        "programmes.PartnerFeedback", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    decision = models.CharField(max_length=10, choices=QuoteDecision.choices, default=QuoteDecision.PENDING)
    decided_by_name = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return f"{self.get_source_display()} quote in {self.draft_id}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ReportRun(models.Model):
    """A batch of every service evaluation report of one academic year, generated in the background."""

    academic_year = models.CharField(max_length=7)
    fmt = models.CharField(max_length=4, default="pdf")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    # A zip of the reports, under MEDIA_ROOT (never served directly).
    archive = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"Report run {self.pk} ({self.academic_year}, {self.status})"

    @property
    def percent(self) -> int:
        return int(100 * self.completed / self.total) if self.total else (100 if self.status == RunStatus.DONE else 0)


class StudentCharacteristics(models.Model):
    """Characteristics a student chose to give for the equity view. Nothing here is used without `consented`;
    withdrawing consent clears the answers."""

    student = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="report_characteristics")
    consented = models.BooleanField(default=False)
    first_in_family = models.BooleanField(null=True, blank=True)
    disability = models.BooleanField(null=True, blank=True)
    caring_responsibility = models.BooleanField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "student characteristics"

    def __str__(self) -> str:
        return f"Characteristics of {self.student_id}"
