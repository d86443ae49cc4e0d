"""Programmes, cohorts, groups and co-produced project plans.

A plan is a sequence of versions: each version holds the full text of every section at one point, with who wrote
it and for which party (the student group, the partner or the tutor). Signatures point at one version; the plan
is agreed when all three parties have signed the same version: a student, the tutor, and a contact of EACH partner
organisation of the project.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

USER = settings.AUTH_USER_MODEL


class Programme(models.Model):
    name = models.CharField(max_length=200, unique=True)
    code = models.CharField(max_length=20, unique=True, help_text="Short code, e.g. CAP")
    description = models.TextField(blank=True)
    years_of_study = models.CharField(max_length=20, blank=True, help_text="e.g. 3 or 3, 5")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Cohort(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="cohorts")
    academic_year = models.CharField(max_length=7, help_text="e.g. 2025/26")
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("-academic_year", "programme__name")
        constraints = (
            models.UniqueConstraint(fields=("programme", "academic_year"), name="cohort_unique_year_per_programme"),
        )

    def __str__(self) -> str:
        return f"{self.programme.code} {self.academic_year}"


class Locality(models.Model):
    """A locality or placement practice of a cohort."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="localities")
    name = models.CharField(max_length=200)
    organisation = models.ForeignKey(
        "partners.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The placement practice, when it is a partner organisation",
    )

    class Meta:
        ordering = ("name",)
        verbose_name_plural = "localities"

    def __str__(self) -> str:
        return self.name


class MilestoneKind(models.TextChoices):
    NEEDS_ASSESSMENT = "needs_assessment", "Needs assessment"
    PLAN_AGREED = "plan_agreed", "Plan agreed"
    MIDPOINT = "midpoint", "Mid-point review"
    DELIVERY = "delivery", "Delivery"
    EVALUATION = "evaluation", "Evaluation"
    REPORT = "report", "Report"
    OTHER = "other", "Other"


class KeyDate(models.Model):
    """A date every project of the cohort works to; projects copy these into their own milestones."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="key_dates")
    kind = models.CharField(max_length=20, choices=MilestoneKind.choices)
    title = models.CharField(max_length=200)
    due_on = models.DateField()

    class Meta:
        ordering = ("due_on", "id")

    def __str__(self) -> str:
        return f"{self.title} ({self.due_on})"


class OpportunityStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    PUBLISHED = "published", "Published"
    DECLINED = "declined", "Declined"


class Opportunity(models.Model):
    """A project opportunity as a partner proposes it: the need as they see it, and what they can offer."""

    organisation = models.ForeignKey("partners.Organisation", on_delete=models.CASCADE, related_name="opportunities")
    title = models.CharField(max_length=200)
    health_need = models.TextField(help_text="The health need as you see it")
    people_concerned = models.TextField(help_text="Who it concerns")
    languages = models.CharField(max_length=200, blank=True, help_text="Languages needed, comma separated")
    offer_time = models.TextField(blank=True, help_text="Staff or volunteer time you can give")
    offer_venue = models.TextField(blank=True, help_text="A venue you can offer")
    offer_access = models.TextField(blank=True, help_text="Access to people or groups")
    offer_expertise = models.TextField(blank=True, help_text="Expertise you can share")
    available_from = models.DateField(null=True, blank=True)
    available_until = models.DateField(null=True, blank=True)
    students_wanted = models.PositiveSmallIntegerField(default=4)
    status = models.CharField(
        max_length=20, choices=OpportunityStatus.choices, default=OpportunityStatus.PROPOSED, db_index=True
    )
    cohort = models.ForeignKey(
        Cohort, null=True, blank=True, on_delete=models.SET_NULL, related_name="opportunities"
    )
    proposed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    proposed_by_name = models.CharField(max_length=150, blank=True)
    via_link = models.ForeignKey(
        "links.SignedLink", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name_plural = "opportunities"

    def __str__(self) -> str:
        return f"{self.title} ({self.organisation})"


class ProjectStage(models.TextChoices):
    SCOPING = "scoping", "Scoping"
    PLANNING = "planning", "Planning"
    PLAN_AGREED = "plan_agreed", "Plan agreed"
    DELIVERING = "delivering", "Delivering"
    EVALUATING = "evaluating", "Evaluating"
    COMPLETE = "complete", "Complete"


class Project(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="projects")
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    opportunity = models.ForeignKey(
        Opportunity, null=True, blank=True, on_delete=models.SET_NULL, related_name="projects"
    )
    organisations = models.ManyToManyField("partners.Organisation", related_name="projects")
    locality = models.ForeignKey(Locality, null=True, blank=True, on_delete=models.SET_NULL, related_name="projects")
    stage = models.CharField(max_length=20, choices=ProjectStage.choices, default=ProjectStage.SCOPING, db_index=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("title",)

    def __str__(self) -> str:
        return self.title


class ProjectStageChange(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=ProjectStage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=ProjectStage.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ("-at", "-id")

    def __str__(self) -> str:
        return f"{self.project}: {self.from_stage or '-'} -> {self.to_stage}"


class Group(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=100)
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="groups")
    tutor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="tutored_groups")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("name",)
        constraints = (models.UniqueConstraint(fields=("cohort", "name"), name="group_unique_name_per_cohort"),)

    def __str__(self) -> str:
        return self.name


class GroupMembership(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    student = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="group_memberships")
    joined_at = models.DateTimeField()

    class Meta:
        ordering = ("student__last_name", "student__first_name")
        constraints = (models.UniqueConstraint(fields=("group", "student"), name="membership_unique"),)

    def __str__(self) -> str:
        return f"{self.student} in {self.group}"


class Party(models.TextChoices):
    STUDENTS = "students", "Student group"
    PARTNER = "partner", "Partner"
    TUTOR = "tutor", "Tutor"


class PlanSection(models.TextChoices):
    NEED = "need", "The need and the community's assets"
    AIMS = "aims", "Aims"
    ACTIVITIES = "activities", "Activities"
    LEARNING = "learning", "What students will learn"
    BENEFIT = "benefit", "Benefit to the community"
    CONTRIBUTIONS = "contributions", "What each side contributes"
    RISKS = "risks", "Risks and safeguarding"
    EVALUATION = "evaluation", "How it will be evaluated"


class Plan(models.Model):
    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="plan")
    current_version = models.ForeignKey(
        "PlanVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agreed_version = models.ForeignKey(
        "PlanVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agreed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Plan of {self.project}"

    @property
    def is_agreed(self) -> bool:
        return self.agreed_version_id is not None and self.agreed_version_id == self.current_version_id


class VersionStatus(models.TextChoices):
    CURRENT_LINE = "main", "Plan version"
    CONFLICT = "conflict", "Conflicting draft"


class PlanVersion(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=VersionStatus.choices, default=VersionStatus.CURRENT_LINE)
    # The version the author started from; for a conflicting draft, the outdated base.
    base = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sections = models.JSONField(default=dict)
    party = models.CharField(max_length=10, choices=Party.choices)
    author = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    author_name = models.CharField(max_length=150)
    via_link = models.ForeignKey("links.SignedLink", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # For the partner party: which partner organisation wrote or signed (a project can have several).
    organisation = models.ForeignKey(
        "partners.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    # A conflicting draft is resolved by the version that merged it.
    resolved_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("plan", "number")
        constraints = (models.UniqueConstraint(fields=("plan", "number"), name="plan_version_unique_number"),)

    def __str__(self) -> str:
        return f"Version {self.number}"

    def text(self, section: str) -> str:
        value = self.sections.get(section, "")
        return value if isinstance(value, str) else ""


class PlanComment(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="comments")
    section = models.CharField(max_length=20, choices=PlanSection.choices)
    version = models.ForeignKey(PlanVersion, null=True, on_delete=models.SET_NULL, related_name="comments")
    party = models.CharField(max_length=10, choices=Party.choices, blank=True)
    author = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    author_name = models.CharField(max_length=150)
    organisation = models.ForeignKey(
        "partners.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    via_link = models.ForeignKey("links.SignedLink", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"Comment by {self.author_name}"


class ChangeRequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class ChangeRequest(models.Model):
    """A proposed new text for one section, which another party accepts (making a version) or declines."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="change_requests")
    section = models.CharField(max_length=20, choices=PlanSection.choices)
    based_on = models.ForeignKey(PlanVersion, null=True, on_delete=models.SET_NULL, related_name="+")
    proposed_text = models.TextField()
    reason = models.TextField(blank=True)
    party = models.CharField(max_length=10, choices=Party.choices)
    author = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    author_name = models.CharField(max_length=150)
    organisation = models.ForeignKey(
        "partners.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    via_link = models.ForeignKey("links.SignedLink", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=ChangeRequestStatus.choices, default=ChangeRequestStatus.OPEN)
    # Who decided: a signed-in user (decided_by) or a partner contact through a co-author link (decided_via_link);
    # decided_by_name is kept either way.
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_by_name = models.CharField(max_length=150, blank=True)
    decided_via_link = models.ForeignKey(
        "links.SignedLink", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    resulting_version = models.ForeignKey(
        PlanVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"Change to {self.get_section_display()} by {self.author_name}"


class PlanSignature(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="signatures")
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="signatures")
    party = models.CharField(max_length=10, choices=Party.choices)
    user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(max_length=150)
    via_link = models.ForeignKey("links.SignedLink", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # For the partner party: which partner organisation signed: each one of the project's must sign.
    organisation = models.ForeignKey(
        "partners.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_at = models.DateTimeField()
    # Kept for the record when a later edit voids the signature.
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by_version = models.ForeignKey(
        PlanVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("signed_at", "id")

    def __str__(self) -> str:
        return f"{self.get_party_display()} signature on {self.version}"


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(max_length=20, choices=MilestoneKind.choices, default=MilestoneKind.OTHER)
    title = models.CharField(max_length=200)
    due_on = models.DateField()
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("due_on", "id")

    def __str__(self) -> str:
        return f"{self.title} ({self.due_on})"


class ReminderSent(models.Model):
    """What `send_reminders` sent, so a second run on the same day sends nothing again."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, help_text="due_soon or overdue")
    recipient = models.EmailField()
    sent_on = models.DateField()
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ("-sent_at",)
        constraints = (
            models.UniqueConstraint(fields=("milestone", "kind", "recipient", "sent_on"), name="reminder_once_a_day"),
        )

    def __str__(self) -> str:
        return f"{self.kind} reminder to {self.recipient} on {self.sent_on}"


class OutputKind(models.TextChoices):
    VIDEO = "video", "Video"
    LEAFLET = "leaflet", "Leaflet"
    WORKSHOP = "workshop", "Workshop"
    SUPPORT_PACK = "support_pack", "Support pack"
    SOCIAL_MEDIA = "social_media", "Social media campaign"
    REPORT = "report", "Report"
    OTHER = "other", "Other"


class Output(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="outputs")
    kind = models.CharField(max_length=20, choices=OutputKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    url = models.URLField(blank=True, help_text="A link, when the output lives elsewhere")
    languages = models.CharField(max_length=200, blank=True)
    audience = models.CharField(max_length=200, blank=True)
    reach = models.PositiveIntegerField(null=True, blank=True, help_text="People reached")
    licence = models.CharField(max_length=100, blank=True, help_text="e.g. CC BY 4.0")
    partner_may_reuse = models.BooleanField(default=False)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return self.title


class OutputFile(models.Model):
    output = models.ForeignKey(Output, on_delete=models.CASCADE, related_name="files")
    # Stored under MEDIA_ROOT, which has no public URL: files are served only by `output_file_download`.
    file = models.FileField(upload_to="programmes/outputs/", max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ("uploaded_at", "id")

    def __str__(self) -> str:
        return self.original_name


class Consent(models.TextChoices):
    PRIVATE = "private", "Private (only me)"
    TUTOR = "tutor", "Shared with my tutor"
    PARTNER = "partner", "Shared with the partner"
    RESEARCH = "research", "Usable for research (pseudonymised)"


CONSENT_ORDER = {Consent.PRIVATE: 0, Consent.TUTOR: 1, Consent.PARTNER: 2, Consent.RESEARCH: 3}


class Reflection(models.Model):
    student = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="reflections")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reflections")
    what_happened = models.TextField()
    learned_about_community = models.TextField("What I learned about the community")
    do_differently = models.TextField("What I will do differently")
    consent = models.CharField(max_length=10, choices=Consent.choices, default=Consent.PRIVATE, db_index=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"Reflection {self.pk} on {self.project}"


class ConsentChange(models.Model):
    reflection = models.ForeignKey(Reflection, on_delete=models.CASCADE, related_name="consent_changes")
    from_level = models.CharField(max_length=10, choices=Consent.choices, blank=True)
    to_level = models.CharField(max_length=10, choices=Consent.choices)
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ("-at", "-id")

    def __str__(self) -> str:
        return f"{self.from_level or '-'} -> {self.to_level}"


class PartnerFeedback(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="feedback")
    organisation = models.ForeignKey("partners.Organisation", on_delete=models.CASCADE, related_name="+")
    given_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    given_by_name = models.CharField(max_length=150)
    via_link = models.ForeignKey("links.SignedLink", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    about_students = models.TextField("About the students")
    about_project = models.TextField("About the project")
    about_partnership = models.TextField("About the partnership")
    would_host_again = models.BooleanField(default=True)
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ("-submitted_at",)
        verbose_name_plural = "partner feedback"

    def __str__(self) -> str:
        return f"Feedback from {self.organisation} on {self.project}"


class CheckInSide(models.TextChoices):
    PARTNER = "partner", "Partner"
    SCHOOL = "school", "Medical school"


class CheckInResponse(models.Model):
    """One side's answers (1-5) to the same short partnership-quality questions."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="checkins")
    side = models.CharField(max_length=10, choices=CheckInSide.choices)
    respondent = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    respondent_name = models.CharField(max_length=150)
    answers = models.JSONField(default=dict)
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ("-submitted_at",)

    def __str__(self) -> str:
        return f"{self.get_side_display()} check-in on {self.project}"
