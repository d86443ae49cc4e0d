from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    LEAD = "lead", "Programme lead"
    TUTOR = "tutor", "Tutor"
    STUDENT = "student", "Student"
    PARTNER = "partner", "Partner contact"
    COORDINATOR = "coordinator", "Outreach coordinator"
    RESEARCHER = "researcher", "Researcher"
    ADMIN = "admin", "Administrator"


# Staff who run programmes and may see the whole partner directory.
STAFF_ROLES = frozenset({Role.LEAD, Role.TUTOR, Role.COORDINATOR, Role.ADMIN})
# Staff who may change partner records.
PARTNER_EDITOR_ROLES = frozenset({Role.LEAD, Role.COORDINATOR, Role.ADMIN})


class User(AbstractUser):
    """One account per person; a person holds exactly one role (least privilege: no role unions)."""

    email = models.EmailField("e-mail address", unique=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.STUDENT)
    display_name = models.CharField(max_length=150, blank=True)

    REQUIRED_FIELDS = ["email"]  # noqa: RUF012 (Django's own declaration style)

    class Meta:
        ordering = ("last_name", "first_name", "username")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles


class StudentProfile(models.Model):
    """What the school holds about a student beyond the account: year, cohort and widening-participation status."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="student_profile")
    student_number = models.CharField(max_length=20, unique=True)
    year_of_study = models.PositiveSmallIntegerField()
    academic_year = models.CharField(max_length=7, help_text="e.g. 2025/26")
    widening_participation = models.BooleanField(default=False)
    languages = models.CharField(max_length=200, blank=True, help_text="Language codes, comma separated")

    class Meta:
        ordering = ("student_number",)

    def __str__(self) -> str:
        return f"{self.user} ({self.student_number})"
