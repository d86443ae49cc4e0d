"""A small allocation world on top of the personas, built once per test and cached on the personas object.

Cohort ATP 2025/26 (Year 3): `student` and five more students, three projects (two with org_a in North, one
with org_b in South), everyone's preferences ranked, and one finished run. `other_cohort` (Year 2) has no
persona in it: one other student and one locality, Elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from commed.accounts.models import Role, StudentProfile, User
from commed.allocation import services
from commed.allocation.models import AllocationRun
from commed.allocation.rules import RunRules
from commed.programmes import services as programme_services
from commed.programmes.models import Cohort, Locality, Project
from conftest import make_user


@dataclass
class AllocationWorld:
    cohort: Cohort
    other_cohort: Cohort
    north: Locality
    south: Locality
    diabetes: Project
    football: Project
    falls: Project
    students: list[User]  # `student` first
    run: AllocationRun
    other_student: User  # of other_cohort
    elsewhere: Locality  # of other_cohort


def add_student(username: str, *, wp: bool = False, languages: str = "en", year: int = 3) -> User:
    user = make_user(username, Role.STUDENT)
    StudentProfile.objects.create(user=user, student_number=f"3{user.pk:06d}", year_of_study=year,
                                  academic_year="2025/26", widening_participation=wp, languages=languages)
    return user


def build_allocation_world(p: Any, *, solve: bool = True) -> AllocationWorld:
    if hasattr(p, "_allocation_world"):
        return p._allocation_world  # type: ignore[no-any-return]
    lead = p.lead
    programme = programme_services.programme_create(actor=lead, name="Allocation Test Programme", code="ATP",
                                                    years_of_study="3")
    cohort = programme_services.cohort_create(actor=lead, programme=programme, academic_year="2025/26")
    north = programme_services.locality_add(actor=lead, cohort=cohort, name="North")
    south = programme_services.locality_add(actor=lead, cohort=cohort, name="South")
    diabetes = programme_services.project_create(actor=lead, cohort=cohort, title="Diabetes in Bengali",
                                                 organisations=[p.org_a], locality=north)
    football = programme_services.project_create(actor=lead, cohort=cohort, title="Football and mental health",
                                                 organisations=[p.org_b], locality=south)
    falls = programme_services.project_create(actor=lead, cohort=cohort, title="Falls at home",
                                              organisations=[p.org_a], locality=north)
    for project in (diabetes, football, falls):
        services.project_setting_save(actor=lead, project=project, min_size=0, max_size=3, may_close=True,
                                      languages={})
    others = [add_student(f"alloc{n}", wp=n % 2 == 0, languages="en,bn" if n == 1 else "en") for n in range(1, 6)]
    students = [p.student, *others]
    orders = [
        [diabetes, football, falls],
        [diabetes, falls],
        [diabetes, football],
        [football, diabetes],
        [falls, diabetes],
        [diabetes, falls, football],
    ]
    for student, order in zip(students, orders, strict=True):
        services.preferences_set(actor=student, cohort=cohort, student=student, projects=order)
    other_programme = programme_services.programme_create(actor=lead, name="Schools outreach test", code="SOT",
                                                          years_of_study="2")
    other_cohort = programme_services.cohort_create(actor=lead, programme=other_programme, academic_year="2025/26")
    programme_services.project_create(actor=lead, cohort=other_cohort, title="Careers talks", organisations=[p.org_b])
    elsewhere = programme_services.locality_add(actor=lead, cohort=other_cohort, name="Elsewhere")
    other_student = add_student("alloc_other", year=2)
    run = services.run_create(actor=lead, cohort=cohort, rules=RunRules())
    if solve:
        services.run_execute(run_id=run.pk)
        run.refresh_from_db()
    world = AllocationWorld(cohort=cohort, other_cohort=other_cohort, north=north, south=south, diabetes=diabetes,
                            football=football, falls=falls, students=students, run=run,
                            other_student=other_student, elsewhere=elsewhere)
    p._allocation_world = world
    return world
