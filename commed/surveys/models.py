"""Questionnaires: sections and items, invitations (to an account or through a signed link), responses.

One response per invitation is enforced by the database (Response.invitation is one-to-one). Once a survey has a
response its items are locked: the answers must keep meaning what they meant when they were given.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from commed.surveys import logic

USER = settings.AUTH_USER_MODEL


class Instrument(models.TextChoices):
    CUSTOM = "custom", "Custom questionnaire"
    PARTNER_END = "partner_end", "End-of-project feedback (partners)"
    STUDENT_END = "student_end", "End-of-project feedback (students)"
    PARTNERSHIP_QUALITY = "partnership_quality", "Partnership quality (both sides)"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Side(models.TextChoices):
    """Whose view an answer gives, for instruments answered by both sides of a partnership."""

    NONE = "", "–"
    PARTNER = "partner", "Partner"
    SCHOOL = "school", "Medical school"
    STUDENT = "student", "Student"


class ItemKind(models.TextChoices):
    LIKERT = logic.LIKERT, "Likert scale (5 points)"
    SINGLE = logic.SINGLE, "Single choice"
    MULTIPLE = logic.MULTIPLE, "Multiple choice"
    NUMBER = logic.NUMBER, "Number"
    TEXT = logic.TEXT, "Free text"


class Survey(models.Model):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Shown to respondents above the questions")
    instrument = models.CharField(max_length=30, choices=Instrument.choices, default=Instrument.CUSTOM)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    # What the survey is about, when it is about something: a project (end-of-project feedback) or a partner
    # organisation in an academic year (partnership quality).
    project = models.ForeignKey(
        "programmes.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="surveys"
    )
    organisation = models.ForeignKey(
        "partners.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="surveys"
    )
    academic_year = models.CharField(max_length=7, blank=True, db_index=True, help_text="e.g. 2025/26")
    remind_every_days = models.PositiveSmallIntegerField(
        default=7, help_text="Non-responders get a reminder at most once in this many days"
    )
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return self.title


class Section(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("survey", "position", "id")

    def __str__(self) -> str:
        return self.title


class Item(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="items")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="items")
    # A stable name for the item in exports and in the programmes' check-in questions ("shaped", "benefit" ...).
    key = models.SlugField(max_length=40)
    text = models.CharField(max_length=500)
    help_text = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=10, choices=ItemKind.choices)
    required = models.BooleanField(default=False)
    choices = models.JSONField(default=list, blank=True, help_text="The options of a choice item")
    min_value = models.FloatField(null=True, blank=True)
    max_value = models.FloatField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    condition_item = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.RESTRICT, related_name="dependents",
        help_text="Show this item only if that item's answer is one of the condition values",
    )
    condition_values = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ("section__position", "section_id", "position", "id")
        constraints = (models.UniqueConstraint(fields=("survey", "key"), name="survey_item_unique_key"),)

    def __str__(self) -> str:
        return self.text

    def option_labels(self) -> list[tuple[str, str]]:
        """(value, label) of each option: 1-5 with the Likert labels, or the choices as they are."""
        if self.kind == logic.LIKERT:
            return [(str(n), f"{n} {label}") for n, label in enumerate(logic.LIKERT_LABELS, start=1)]
        return [(str(c), str(c)) for c in self.choices]


class Invitation(models.Model):
    """One person asked to answer one survey: an account holder, or someone reached by a signed link."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.CASCADE, related_name="survey_invitations")
    name = models.CharField(max_length=150)
    email = models.EmailField(blank=True)
    side = models.CharField(max_length=10, choices=Side.choices, blank=True, default=Side.NONE)
    organisation = models.ForeignKey(
        "partners.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The partner organisation the respondent answers for",
    )
    # The latest signed link sent for this invitation (each reminder by link carries a fresh one).
    link = models.ForeignKey("links.SignedLink", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("survey", "name", "id")
        constraints = (
            models.UniqueConstraint(fields=("survey", "user"), condition=models.Q(user__isnull=False),
                                    name="survey_invitation_once_per_user"),
        )

    def __str__(self) -> str:
        return f"{self.name} invited to {self.survey}"


class Response(models.Model):
    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="response")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    via_link = models.ForeignKey("links.SignedLink", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ("submitted_at", "id")

    def __str__(self) -> str:
        return f"Response {self.pk} to {self.survey}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="answers")
    # An int (Likert), a number, a string (single choice, free text) or a list of strings (multiple choice).
    value = models.JSONField()

    class Meta:
        ordering = ("response", "item")
        constraints = (models.UniqueConstraint(fields=("response", "item"), name="survey_answer_once_per_item"),)

    def __str__(self) -> str:
        return f"Answer to {self.item_id} in response {self.response_id}"


class Reminder(models.Model):
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="reminders")
    sent_at = models.DateTimeField()
    recipient = models.EmailField()

    class Meta:
        ordering = ("-sent_at",)

    def __str__(self) -> str:
        return f"Reminder to {self.recipient} at {self.sent_at}"
