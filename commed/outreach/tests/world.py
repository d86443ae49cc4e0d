"""A small widening-participation world for tests: built once per personas object and cached on it.

- a school and a GP practice; a programme (ending in six months) with the default eligibility rules
- pupil_a (17, accepted, all four consents) matched with the `student` persona as mentor
- pupil_b (17, accepted, all consents) matched with another mentor (mentor2)
- an activity with pupil_a registered; a risk-assessed placement; a concern about pupil_a
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from commed.accounts.models import Role
from commed.outreach import services
from commed.outreach.eligibility import DEFAULT_RULES
from commed.outreach.models import (
    Activity,
    Concern,
    ConsentPurpose,
    Mentor,
    MentorMatch,
    OutreachProgramme,
    Placement,
    Pupil,
    Registration,
)
from commed.partners import services as partner_services
from conftest import make_user


@dataclass
class World:
    school: Any
    practice: Any
    programme: OutreachProgramme
    pupil_a: Pupil
    pupil_b: Pupil
    mentor: Mentor
    mentor2: Mentor
    match_a: MentorMatch
    match_b: MentorMatch
    activity: Activity
    registration: Registration
    placement: Placement
    concern: Concern


def cleared_mentor(user: Any, **extra: Any) -> Mentor:
    today = timezone.localdate()
    fields = {
        "dbs_number": "001234567890", "dbs_issued_on": today - dt.timedelta(days=200), "dbs_enhanced": True,
        "safeguarding_training_on": today - dt.timedelta(days=100), "capacity": 2, "interests": "medicine",
        "languages": "en", "locality": "SE8",
    }
    fields.update(extra)
    return services.mentor_register(actor=None, user=user, **fields)


def make_school(name: str = "Evelyn Test Academy", postcode: str = "SE8 3AA") -> Any:
    return partner_services.organisation_create(actor=None, name=name, kind="school", postcode=postcode)


def make_programme(**extra: Any) -> OutreachProgramme:
    today = timezone.localdate()
    fields: dict[str, Any] = {
        "name": "Healthcare careers test", "cohort": "2026/27", "starts_on": today - dt.timedelta(days=30),
        "ends_on": today + dt.timedelta(days=180), "eligibility_rules": DEFAULT_RULES,
    }
    fields.update(extra)
    return services.programme_create(actor=None, **fields)


def consent_all(pupil: Pupil, purposes: Any = tuple(ConsentPurpose.values), guardian: bool = False) -> None:
    for purpose in purposes:
        services.consent_record(actor=None, pupil=pupil, purpose=purpose, given_by="pupil",
                                given_by_name=pupil.first_name, given_on=timezone.localdate())
        if guardian:
            services.consent_record(actor=None, pupil=pupil, purpose=purpose, given_by="guardian",
                                    given_by_name="Parent", given_on=timezone.localdate())


def make_pupil(programme: OutreachProgramme, school: Any, *, age: int = 17, accept: bool = True,
               consent: bool = True, **extra: Any) -> Pupil:
    today = timezone.localdate()
    fields: dict[str, Any] = {
        "first_name": "Amina", "last_name": "Test", "year_group": 12,
        "date_of_birth": today.replace(year=today.year - age) - dt.timedelta(days=10),
        "home_postcode": "SE8 4AB", "email": "amina@pupil.example.org", "phone": "07700 900000",
        "fsm": True, "first_gen": True, "interests": "medicine", "languages": "en, bn",
    }
    fields.update(extra)
    pupil = services.pupil_create(actor=None, programme=programme, school=school, route="direct", **fields)
    if consent:
        consent_all(pupil, guardian=age < 16)
    if accept:
        pupil.status = "accepted"
        pupil.decided_at = timezone.now()
        pupil.save()
    return pupil


def world(p: Any) -> World:
    if getattr(p, "_outreach_world", None) is not None:
        return p._outreach_world  # type: ignore[no-any-return]
    school = make_school("Evelyn World Academy")
    practice = partner_services.organisation_create(actor=None, name="Deptford Test Surgery", kind="gp_practice")
    programme = make_programme(name="Healthcare careers world")
    pupil_a = make_pupil(programme, school)
    pupil_b = make_pupil(programme, school, first_name="Bilal", email="bilal@pupil.example.org")
    mentor = cleared_mentor(p.student)
    mentor2 = cleared_mentor(make_user("mentor2", Role.STUDENT))
    match_a = services.match_create(actor=p.coordinator, mentor=mentor, pupil=pupil_a)
    match_b = services.match_create(actor=p.coordinator, mentor=mentor2, pupil=pupil_b)
    activity = services.activity_create(actor=p.coordinator, programme=programme, kind="workshop",
                                        title="Clinical skills workshop", on=timezone.localdate(), capacity=20)
    registration = services.registration_add(actor=p.coordinator, activity=activity, pupil=pupil_a)
    placement = services.placement_create(
        actor=p.coordinator, programme=programme, host=practice, supervisor_name="Dr Practice",
        starts_on=timezone.localdate(), ends_on=timezone.localdate() + dt.timedelta(days=4), places=2,
        risk_assessed_on=timezone.localdate(),
    )
    concern = services.concern_raise(actor=p.student, pupil=pupil_a, description="Seemed very worried.")
    built = World(school, practice, programme, pupil_a, pupil_b, mentor, mentor2, match_a, match_b, activity,
                  registration, placement, concern)
    p._outreach_world = built
    return built
