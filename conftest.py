"""Test personas, in the manner of healthchecks: each role has a person, and two partner organisations.

- lead, tutor, student, coordinator, researcher, admin: one user per role
- partner_a: contact of org_a; partner_b: contact of org_b (each must see nothing of the other's)
- outsider: a signed-in account with a role but no connection to anything (a student of another year)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from pytest_django.fixtures import Settings

from commed.accounts.models import Role, StudentProfile, User

EXTERNAL = Path(__file__).resolve().parent.parent / "shared" / "external"
_HASH = make_password("persona-password")


@pytest.fixture(scope="session")
def external() -> Path:
    if not EXTERNAL.is_dir():
        pytest.fail(f"The real test files are missing: {EXTERNAL} (see DEVELOPERS.md)")
    return EXTERNAL


@pytest.fixture(autouse=True)
def private_media(settings: Settings, tmp_path: Path) -> None:
    """Uploads and test files go to a fresh directory, never into the shared var/media (e.g. the programmes world's
    output files, built by commed/tests/test_url_access.py too)."""
    settings.MEDIA_ROOT = tmp_path / "media"


def make_user(username: str, role: str, **extra: object) -> User:
    return User.objects.create(
        username=username,
        email=f"{username}@test.commed.invalid",
        first_name=username.title(),
        last_name="Persona",
        role=role,
        password=_HASH,
        **extra,
    )


@dataclass
class Personas:
    lead: User
    tutor: User
    student: User
    coordinator: User
    researcher: User
    admin: User
    partner_a: User
    partner_b: User
    outsider: User
    org_a: object
    org_b: object

    def client(self, name: str) -> Client:
        client = Client()
        if name != "anonymous":
            client.force_login(getattr(self, name))
        return client


PERSONA_NAMES = ["lead", "tutor", "student", "coordinator", "researcher", "admin", "partner_a", "partner_b",
                 "outsider"]


@pytest.fixture
def personas(db: None) -> Personas:
    from commed.partners import services as partner_services

    people = {
        "lead": make_user("lead", Role.LEAD),
        "tutor": make_user("tutor", Role.TUTOR),
        "student": make_user("student", Role.STUDENT),
        "coordinator": make_user("coordinator", Role.COORDINATOR),
        "researcher": make_user("researcher", Role.RESEARCHER),
        "admin": make_user("admin", Role.ADMIN, is_staff=True, is_superuser=True),
        "partner_a": make_user("partner_a", Role.PARTNER),
        "partner_b": make_user("partner_b", Role.PARTNER),
        "outsider": make_user("outsider", Role.STUDENT),
    }
    StudentProfile.objects.create(user=people["student"], student_number="2000001", year_of_study=3,
                                  academic_year="2025/26")
    StudentProfile.objects.create(user=people["outsider"], student_number="2000002", year_of_study=5,
                                  academic_year="2025/26")
    org_a = partner_services.organisation_create(
        actor=people["lead"], name="Alpha Health Forum", kind="community", populations=["older people"],
        languages=["bn"], areas_served="SE6",
    )
    org_b = partner_services.organisation_create(
        actor=people["lead"], name="Bravo Community Trust", kind="community", populations=["young people"],
        areas_served="SE8",
    )
    partner_services.contact_create(actor=people["lead"], organisation=org_a, name="Partner A",
                                    email="a@alpha.example.org", user=people["partner_a"])
    partner_services.contact_create(actor=people["lead"], organisation=org_b, name="Partner B",
                                    email="b@bravo.example.org", user=people["partner_b"])
    for org in (org_a, org_b):
        partnership = partner_services.partnership_create(actor=people["lead"], organisation=org, title="CAP")
        partner_services.agreement_create(
            actor=people["lead"], partnership=partnership, kind="mou", title="MoU",
            starts_on=dt.date(2025, 9, 1), ends_on=dt.date(2027, 8, 31),
        )
    return Personas(**people, org_a=org_a, org_b=org_b)
