"""Preferences, per-project settings and allocation runs.

Every run keeps the problem it solved (in the core's JSON format, with display names), the rules the lead set,
the solver's result and every hand move made afterwards, so that any published allocation can be audited.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

USER = settings.AUTH_USER_MODEL


class Preference(models.Model):
    """One ranked choice of a student for a project of their cohort (rank 1 = first choice)."""

    cohort = models.ForeignKey("programmes.Cohort", on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="allocation_preferences")
    project = models.ForeignKey("programmes.Project", on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ("cohort", "student", "rank")
        constraints = (
            models.UniqueConstraint(fields=("cohort", "student", "rank"), name="preference_unique_rank"),
            models.UniqueConstraint(fields=("cohort", "student", "project"), name="preference_unique_project"),
        )

    def __str__(self) -> str:
        return f"{self.student}: {self.rank}. {self.project}"


class StudentDetail(models.Model):
    """What the allocation knows of a student in a cohort beyond their profile: placement locality and the
    attributes (gender, ethnicity...) that the no-isolation rule looks at. Imported with preferences, given by the
    student on their choices page, or corrected by the lead (`services.student_detail_set`). Languages live on the
    student's profile."""

    cohort = models.ForeignKey("programmes.Cohort", on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    locality = models.ForeignKey("programmes.Locality", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = (models.UniqueConstraint(fields=("cohort", "student"), name="student_detail_unique"),)

    def __str__(self) -> str:
        return f"{self.student} in {self.cohort_id}"


class AttributeQuestion(models.Model):
    """An attribute the lead asks the cohort's students about for the no-isolation rule (gender, ethnicity...),
    with the answers offered. Nothing beyond locality and languages is asked unless the lead sets it here
    (least privilege); a student may always prefer not to say. Saved with `services.attribute_questions_save`."""

    cohort = models.ForeignKey("programmes.Cohort", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=40)
    values = models.JSONField(default=list)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("position", "pk")
        constraints = (models.UniqueConstraint(fields=("cohort", "name"), name="attribute_question_unique"),)

    def __str__(self) -> str:
        return f"{self.name}: {', '.join(str(v) for v in self.values)}"


class ProjectSetting(models.Model):
    """Group size and language needs of a project for the allocation (defaults: 0 to the places the partner
    asked for, may close)."""

    project = models.OneToOneField("programmes.Project", on_delete=models.CASCADE, related_name="allocation_setting")
    min_size = models.PositiveSmallIntegerField(default=0)
    max_size = models.PositiveSmallIntegerField(default=6)
    may_close = models.BooleanField(default=True, help_text="The project may get no students at all")
    # language code -> members who must speak it
    languages = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"Allocation settings of {self.project}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Finished"
    INFEASIBLE = "infeasible", "Rules conflict"
    INVALID = "invalid", "Invalid input"
    FAILED = "failed", "Failed"


FINISHED = frozenset({RunStatus.DONE, RunStatus.INFEASIBLE, RunStatus.INVALID, RunStatus.FAILED})


class AllocationRun(models.Model):
    cohort = models.ForeignKey("programmes.Cohort", on_delete=models.CASCADE, related_name="allocation_runs")
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reruns",
                               help_text="The run this one re-ran with locks")
    # The rules as the lead set them, in database ids (see commed.allocation.rules.RunRules).
    rules = models.JSONField(default=dict)
    # The problem as the solver got it (commed_core format, with display names).
    problem = models.JSONField(default=dict)
    status = models.CharField(max_length=12, choices=RunStatus.choices, default=RunStatus.QUEUED, db_index=True)
    progress = models.FloatField(default=0.0)
    progress_label = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Solution.to_dict() as the solver returned it; never changed afterwards.
    result = models.JSONField(null=True, blank=True)
    # The current allocation (core student id -> core project id): the result plus hand moves.
    assignment = models.JSONField(default=dict, blank=True)
    conflicts = models.JSONField(default=list, blank=True)  # [{"message": ..., "groups": [[rule, subject]]}]
    errors = models.JSONField(default=list, blank=True)  # invalid input or a crash, in words
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"Allocation run {self.pk} of {self.cohort}"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent(self) -> int:
        return round(self.progress * 100)


class AllocationMove(models.Model):
    """A hand move after the solve, with what the rules said about it when it was confirmed."""

    run = models.ForeignKey(AllocationRun, on_delete=models.CASCADE, related_name="moves")
    student = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    from_project = models.ForeignKey("programmes.Project", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    to_project = models.ForeignKey("programmes.Project", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    cost_delta = models.FloatField()
    violations = models.JSONField(default=list, blank=True)  # messages of rules broken after the move
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"Move of {self.student} in run {self.run_id}"


class PartnerRanking(models.Model):
    """A partner's ranking of a student in a cohort (1 = most preferred), for the stable matching objective and
    for blocking pairs."""

    cohort = models.ForeignKey("programmes.Cohort", on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey("partners.Organisation", on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()
    # Who ranked and when: an organisation's rows are replaced together, so they share these (empty on rows
    # written before they were kept).
    ranked_at = models.DateTimeField(null=True, blank=True)
    ranked_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ranked_by_name = models.CharField(max_length=150, blank=True)
    via_link = models.ForeignKey("links.SignedLink", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")

    class Meta:
        ordering = ("cohort", "organisation", "rank")
        constraints = (
            models.UniqueConstraint(fields=("cohort", "organisation", "student"), name="partner_ranking_unique"),
            models.UniqueConstraint(fields=("cohort", "organisation", "rank"), name="partner_ranking_unique_rank"),
        )

    def __str__(self) -> str:
        return f"{self.organisation}: {self.rank}. {self.student}"
