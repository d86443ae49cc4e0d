"""Widening participation: programmes, pupils (minors), consent, activities, placements, mentoring, destinations.

Pupil records are personal data of children. Read access is decided in `selectors.py` only; every write goes through
`services.py` and the audit trail. Consent is never cached on the pupil: every check reads the `Consent` rows, so a
withdrawal is honoured everywhere at the moment it is recorded.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class OutreachProgramme(models.Model):
    """One run of a widening-participation scheme for one cohort (e.g. "Healthcare careers 2026/27")."""

    name = models.CharField(max_length=200, unique=True)
    cohort = models.CharField(max_length=20, help_text="The cohort this run serves, e.g. 2026/27")
    description = models.TextField(blank=True)
    # The eligibility rule set (see eligibility.py); empty: everyone is eligible.
    eligibility_rules = models.JSONField(default=dict, blank=True)
    guardian_consent_required = models.BooleanField(
        default=False, help_text="Ask a parent or guardian to consent even for pupils aged 16 or over"
    )
    keeps_comparator = models.BooleanField(
        default=True, help_text="Follow up applicants not taken up as a comparator group"
    )
    starts_on = models.DateField()
    ends_on = models.DateField(help_text="Destination surveys are due at set points after this date")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("-starts_on", "name")

    def __str__(self) -> str:
        return self.name


class Route(models.TextChoices):
    APPLICATION = "application", "Applied"
    REFERRAL = "referral", "Referred by a teacher"
    DIRECT = "direct", "Added by a coordinator"


class PupilStatus(models.TextChoices):
    APPLIED = "applied", "Waiting for review"
    ACCEPTED = "accepted", "Accepted"
    WAITLISTED = "waitlisted", "Waiting list"
    DECLINED = "declined", "Not taken up"
    LEFT = "left", "Left the programme"


class Pupil(models.Model):
    programme = models.ForeignKey(OutreachProgramme, on_delete=models.PROTECT, related_name="pupils")
    school = models.ForeignKey(
        "partners.Organisation", on_delete=models.PROTECT, related_name="outreach_pupils",
        limit_choices_to={"kind": "school"},
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    year_group = models.PositiveSmallIntegerField(help_text="School year, e.g. 12")
    date_of_birth = models.DateField()
    # Contact details: deleted by the retention rule (see retention.py); blank afterwards.
    home_postcode = models.CharField(max_length=10, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    guardian_name = models.CharField(max_length=150, blank=True)
    guardian_email = models.EmailField(blank=True)
    guardian_phone = models.CharField(max_length=40, blank=True)
    # Eligibility evidence.
    fsm = models.BooleanField("free school meals", default=False)
    first_gen = models.BooleanField("first in family to go to university", default=False)
    care_experienced = models.BooleanField(default=False)
    young_carer = models.BooleanField(default=False)
    disability = models.BooleanField(default=False)
    # Area-based measures, looked up from the home postcode when it is recorded (kept after the postcode goes).
    imd_decile = models.PositiveSmallIntegerField(null=True, blank=True)
    polar4_quintile = models.PositiveSmallIntegerField(null=True, blank=True)
    tundra_quintile = models.PositiveSmallIntegerField(null=True, blank=True)
    interests = models.CharField(max_length=300, blank=True, help_text="Comma separated, e.g. medicine, nursing")
    languages = models.CharField(max_length=200, blank=True, help_text="Language codes, comma separated")
    route = models.CharField(max_length=20, choices=Route.choices)
    referrer_name = models.CharField(max_length=150, blank=True)
    referrer_email = models.EmailField(blank=True)
    status = models.CharField(max_length=20, choices=PupilStatus.choices, default=PupilStatus.APPLIED, db_index=True)
    eligible = models.BooleanField(default=False)
    eligibility_rule = models.CharField(max_length=200, blank=True, help_text="The rule that made them eligible")
    eligibility_reasons = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    last_activity_on = models.DateField(help_text="The latest day anything happened with this pupil")
    contact_deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("last_name", "first_name", "pk")

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class ConsentPurpose(models.TextChoices):
    PARTICIPATION = "participation", "Taking part"
    PHOTOGRAPHS = "photographs", "Photographs"
    FOLLOW_UP = "follow_up", "Being contacted for follow-up"
    DATA_LINKAGE = "data_linkage", "Data linkage for tracking"


class ConsentGiver(models.TextChoices):
    PUPIL = "pupil", "The pupil"
    GUARDIAN = "guardian", "A parent or guardian"


class Consent(models.Model):
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=20, choices=ConsentPurpose.choices)
    given_by = models.CharField(max_length=20, choices=ConsentGiver.choices)
    given_by_name = models.CharField(max_length=150)
    given_on = models.DateField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawal_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ("purpose", "-recorded_at")

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} by {self.get_given_by_display().lower()}"


class PostcodeIMD(models.Model):
    """Lookup: postcode (no spaces, upper case) -> IMD decile (1 = most deprived). Imported from CSV."""

    postcode = models.CharField(max_length=8, unique=True)
    imd_decile = models.PositiveSmallIntegerField()

    def __str__(self) -> str:
        return f"{self.postcode}: {self.imd_decile}"


class AreaQuintile(models.Model):
    """Lookup: postcode, sector or district (no spaces, upper case) -> POLAR4 / TUNDRA quintile (1 = lowest)."""

    area = models.CharField(max_length=8, unique=True)
    polar4_quintile = models.PositiveSmallIntegerField(null=True, blank=True)
    tundra_quintile = models.PositiveSmallIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return self.area


class ActivityKind(models.TextChoices):
    WORKSHOP = "workshop", "Workshop"
    EVENT = "event", "Event"
    VISIT = "visit", "Visit"


class Activity(models.Model):
    programme = models.ForeignKey(OutreachProgramme, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=20, choices=ActivityKind.choices)
    title = models.CharField(max_length=200)
    on = models.DateField()
    location = models.CharField(max_length=200, blank=True)
    capacity = models.PositiveIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("on", "title")
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return f"{self.title} ({self.on:%d %b %Y})"


class Registration(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="registrations")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="registrations")
    registered_at = models.DateTimeField()
    attended = models.BooleanField(default=False)
    marked_at = models.DateTimeField(null=True, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("pupil__last_name", "pupil__first_name")
        constraints = (models.UniqueConstraint(fields=("activity", "pupil"), name="registration_once"),)

    def __str__(self) -> str:
        return f"{self.pupil} at {self.activity}"


class Placement(models.Model):
    """Work experience at a GP practice."""

    programme = models.ForeignKey(OutreachProgramme, on_delete=models.CASCADE, related_name="placements")
    host = models.ForeignKey(
        "partners.Organisation", on_delete=models.PROTECT, related_name="outreach_placements",
        limit_choices_to={"kind": "gp_practice"},
    )
    supervisor_name = models.CharField(max_length=150)
    supervisor_email = models.EmailField(blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    places = models.PositiveIntegerField()
    risk_assessed_on = models.DateField(null=True, blank=True)
    risk_assessment_notes = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("starts_on",)

    def __str__(self) -> str:
        return f"{self.host} from {self.starts_on:%d %b %Y}"


class PlacementPupil(models.Model):
    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="pupils")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="placements")
    added_at = models.DateTimeField()
    completed = models.BooleanField(default=False)

    class Meta:
        constraints = (models.UniqueConstraint(fields=("placement", "pupil"), name="placement_pupil_once"),)

    def __str__(self) -> str:
        return f"{self.pupil} at {self.placement}"


class SafeguardingLead(models.Model):
    """The people concerns are raised to. A per-user flag kept here, not on the account."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField()

    def __str__(self) -> str:
        return str(self.user)


class Mentor(models.Model):
    """A medical student who volunteers to mentor. DBS and training rules: see `mentoring.py`."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outreach_mentor")
    dbs_number = models.CharField(max_length=20, blank=True)
    dbs_issued_on = models.DateField(null=True, blank=True)
    dbs_enhanced = models.BooleanField(default=False)
    dbs_update_service = models.BooleanField(default=False, help_text="Subscribed to the DBS update service")
    dbs_update_checked_on = models.DateField(
        null=True, blank=True, help_text="When the update service status was last checked"
    )
    safeguarding_training_on = models.DateField(null=True, blank=True)
    capacity = models.PositiveSmallIntegerField(default=1, help_text="How many pupils, 1 to 3")
    interests = models.CharField(max_length=300, blank=True)
    languages = models.CharField(max_length=200, blank=True)
    locality = models.CharField(max_length=10, blank=True, help_text="Postcode district, e.g. SE6")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("user__last_name", "user__first_name")

    def __str__(self) -> str:
        return str(self.user)


class MentorMatch(models.Model):
    mentor = models.ForeignKey(Mentor, on_delete=models.CASCADE, related_name="matches")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="mentor_matches")
    matched_at = models.DateTimeField()
    matched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("-matched_at",)

    def __str__(self) -> str:
        return f"{self.mentor} with {self.pupil.first_name}"


class MentoringSession(models.Model):
    match = models.ForeignKey(MentorMatch, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField()
    minutes = models.PositiveIntegerField()
    notes = models.TextField(blank=True)
    logged_at = models.DateTimeField()

    class Meta:
        ordering = ("-held_on",)

    def __str__(self) -> str:
        return f"Session on {self.held_on}"


class Concern(models.Model):
    """A safeguarding concern about a pupil, raised to the safeguarding lead(s)."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="concerns")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    raised_at = models.DateTimeField()
    description = models.TextField()
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True)

    class Meta:
        ordering = ("-raised_at",)

    def __str__(self) -> str:
        return f"Concern #{self.pk}"


class ConcernView(models.Model):
    """Who saw a concern, and when."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="views")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    user_label = models.CharField(max_length=200)
    at = models.DateTimeField()

    class Meta:
        ordering = ("-at",)

    def __str__(self) -> str:
        return f"{self.user_label} at {self.at}"


class SurveyPoint(models.TextChoices):
    M6 = "6m", "6 months"
    Y1 = "1y", "1 year"
    Y2 = "2y", "2 years"
    Y3 = "3y", "3 years"


class CourseArea(models.TextChoices):
    MEDICINE = "medicine", "Medicine"
    NURSING = "nursing", "Nursing"
    ALLIED = "allied_health", "Allied health"
    OTHER = "other", "Another subject"
    NONE = "none", "Not applying"


class DestinationSurvey(models.Model):
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="surveys")
    point = models.CharField(max_length=4, choices=SurveyPoint.choices)
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    link = models.ForeignKey("links.SignedLink", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    applied_to_he = models.BooleanField(null=True, blank=True)
    course_area = models.CharField(max_length=20, choices=CourseArea.choices, blank=True)
    offers = models.PositiveSmallIntegerField(null=True, blank=True)
    accepted_place = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("pupil", "point")
        constraints = (models.UniqueConstraint(fields=("pupil", "point"), name="survey_once_per_point"),)

    def __str__(self) -> str:
        return f"{self.get_point_display()} survey"


class RetentionRun(models.Model):
    ran_at = models.DateTimeField()
    lines = models.JSONField(default=list)

    class Meta:
        ordering = ("-ran_at",)

    def __str__(self) -> str:
        return f"Retention run at {self.ran_at}"
