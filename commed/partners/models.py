from __future__ import annotations

from django.conf import settings
from django.db import models


class OrganisationKind(models.TextChoices):
    COMMUNITY = "community", "Community organisation or charity"
    SCHOOL = "school", "School"
    GP_PRACTICE = "gp_practice", "GP practice"
    NHS = "nhs", "NHS body"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    OTHER = "other", "Other"


class Vocabulary(models.Model):
    """A controlled term (population, focus area); new ones are added as partners describe themselves."""

    name = models.CharField(max_length=120, unique=True)

    class Meta:
        abstract = True
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Population(Vocabulary):
    pass


class FocusArea(Vocabulary):
    pass


class Language(models.Model):
    code = models.CharField(max_length=12, unique=True, help_text="ISO 639-1 where one exists, e.g. bn, so")
    name = models.CharField(max_length=80)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices, db_index=True)
    description = models.TextField(blank=True)
    populations = models.ManyToManyField(Population, blank=True, related_name="organisations")
    focus_areas = models.ManyToManyField(FocusArea, blank=True, related_name="organisations")
    languages = models.ManyToManyField(Language, blank=True, related_name="organisations")
    # Postcode districts or named local areas, comma separated as people write them ("SE6, SE13, Catford").
    areas_served = models.CharField(max_length=500, blank=True)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    website = models.URLField(blank=True)
    charity_number = models.CharField(max_length=20, blank=True)
    safeguarding_policy_date = models.DateField(null=True, blank=True)
    capacity_per_year = models.PositiveIntegerField(
        default=0, help_text="How many students the organisation can host in an academic year"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=100, blank=True, help_text="Role in the partnership, e.g. main contact")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    is_primary = models.BooleanField(default=False)
    # A contact may have a commed account (role: partner contact); many never do and use signed links.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="partner_contacts"
    )

    class Meta:
        ordering = ("-is_primary", "name")
        constraints = (
            models.UniqueConstraint(
                fields=("organisation", "email"),
                condition=~models.Q(email=""),
                name="contact_unique_email_per_organisation",
            ),
        )

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"


class Stage(models.TextChoices):
    EXPLORING = "exploring", "Exploring"
    AGREED = "agreed", "Agreed"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    ENDED = "ended", "Ended"


class Partnership(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="partnerships")
    title = models.CharField(max_length=200)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.EXPLORING, db_index=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("organisation__name", "title")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.title}"


class StageChange(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField()

    class Meta:
        ordering = ("-at", "-id")

    def __str__(self) -> str:
        return f"{self.partnership}: {self.from_stage or '-'} -> {self.to_stage}"


class AgreementKind(models.TextChoices):
    MOU = "mou", "Memorandum of understanding"
    DATA_SHARING = "dsa", "Data-sharing agreement"
    PLACEMENT = "placement", "Placement agreement"
    OTHER = "other", "Other agreement"


class Agreement(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="agreements")
    kind = models.CharField(max_length=20, choices=AgreementKind.choices)
    title = models.CharField(max_length=200)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    renewal_on = models.DateField(null=True, blank=True, help_text="When renewal should be discussed")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("ends_on", "title")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


class InteractionKind(models.TextChoices):
    MEETING = "meeting", "Meeting"
    CALL = "call", "Call"
    EMAIL = "email", "E-mail"
    VISIT = "visit", "Visit"
    NOTE = "note", "Note"


class Interaction(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="interactions")
    partnership = models.ForeignKey(
        Partnership, null=True, blank=True, on_delete=models.SET_NULL, related_name="interactions"
    )
    kind = models.CharField(max_length=20, choices=InteractionKind.choices)
    occurred_on = models.DateField()
    summary = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("-occurred_on", "-id")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_on}"


class Direction(models.TextChoices):
    TO_COMMUNITY = "to_community", "To the community"
    TO_STUDENTS = "to_students", "To students"
    TO_SCHOOL = "to_school", "To the medical school"


class BenefitKind(models.TextChoices):
    TIME = "time", "Time"
    OUTPUTS = "outputs", "Outputs"
    VENUE = "venue", "Venue"
    EXPERTISE = "expertise", "Expertise"
    FUNDING = "funding", "Funding"


class LedgerEntry(models.Model):
    """One thing that flowed one way in a partnership: the reciprocity ledger."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="ledger_entries")
    direction = models.CharField(max_length=20, choices=Direction.choices)
    kind = models.CharField(max_length=20, choices=BenefitKind.choices)
    description = models.CharField(max_length=300)
    quantity = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    unit = models.CharField(max_length=40, blank=True, help_text="hours, sessions, GBP, leaflets ...")
    evidence = models.CharField(max_length=500, blank=True, help_text="A link or where the evidence is kept")
    occurred_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("-occurred_on", "-id")
        verbose_name_plural = "ledger entries"

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.description}"
