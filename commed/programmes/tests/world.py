"""A small programme world on top of the personas, built once per test and cached on the personas object.

project_a: org_a, a group with `student`, tutored by `tutor`; project_b: org_b, a group with `student_b`,
tutored by `tutor_b`. Each has a plan version, a milestone, an output with a file, a reflection shared with the
partner and an open change request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from commed.accounts.models import Role, StudentProfile
from commed.programmes import services
from commed.programmes.models import (
    ChangeRequest,
    Cohort,
    Milestone,
    Opportunity,
    OutputFile,
    PlanVersion,
    Programme,
    Project,
    Reflection,
)
from conftest import make_user

SECTIONS_A = {"need": "Older Bengali-speaking people in SE6 struggle to get diabetes advice.",
              "aims": "A bilingual diabetes information session."}


@dataclass
class World:
    programme: Programme
    cohort: Cohort
    project_a: Project
    project_b: Project
    student_b: Any
    tutor_b: Any
    opportunity_a: Opportunity
    opportunity_b: Opportunity
    version_a: PlanVersion
    version_b: PlanVersion
    milestone_a: Milestone
    milestone_b: Milestone
    file_a: OutputFile
    file_b: OutputFile
    reflection_a: Reflection
    reflection_b: Reflection
    change_a: ChangeRequest
    change_b: ChangeRequest


def _file(output: Any, name: str) -> OutputFile:
    path = f"programmes/outputs/test/{name}"
    if not default_storage.exists(path):
        default_storage.save(path, ContentFile(b"A leaflet about diabetes.\n"))
    return OutputFile.objects.create(output=output, file=path, original_name="leaflet.txt", content_type="text/plain",
                                     size=26, uploaded_at=timezone.now())


def build_world(p: Any) -> World:
    if hasattr(p, "_programmes_world"):
        return p._programmes_world  # type: ignore[no-any-return]
    lead = p.lead
    student_b = make_user("student_b", Role.STUDENT)
    StudentProfile.objects.create(user=student_b, student_number="2000003", year_of_study=3, academic_year="2025/26")
    tutor_b = make_user("tutor_b", Role.TUTOR)
    programme = services.programme_create(actor=lead, name="Community Action Project", code="CAP",
                                          years_of_study="3")
    cohort = services.cohort_create(actor=lead, programme=programme, academic_year="2025/26")
    services.key_date_add(actor=lead, cohort=cohort, kind="plan_agreed", title="Plan agreed",
                          due_on=dt.date(2025, 11, 1))
    opportunity_a = services.opportunity_propose(
        organisation=p.org_a, by=p.partner_a, title="Diabetes advice in Bengali",
        health_need="Diabetes advice in Bengali", people_concerned="Older people",
    )
    opportunity_b = services.opportunity_propose(
        organisation=p.org_b, by=p.partner_b, title="Football and mental health",
        health_need="Young men's mental health", people_concerned="Young men",
    )
    project_a = services.project_create(actor=lead, cohort=cohort, title="Diabetes in Bengali",
                                        organisations=[p.org_a])
    project_b = services.project_create(actor=lead, cohort=cohort, title="Football and mental health",
                                        organisations=[p.org_b])
    services.group_create(cohort=cohort, name="Group A", project=project_a, tutor=p.tutor, members=[p.student])
    services.group_create(cohort=cohort, name="Group B", project=project_b, tutor=tutor_b, members=[student_b])
    version_a = services.plan_edit(plan=project_a.plan, by=p.student, party="students", base_number=None,
                                   sections=SECTIONS_A).version
    version_b = services.plan_edit(plan=project_b.plan, by=student_b, party="students", base_number=None,
                                   sections={"need": "Young men rarely talk about their mental health."}).version
    milestones = {pr.pk: pr.milestones.get() for pr in (project_a, project_b)}
    output_a = services.output_create(actor=p.student, project=project_a, kind="leaflet", title="Leaflet A")
    output_b = services.output_create(actor=student_b, project=project_b, kind="leaflet", title="Leaflet B")
    reflection_a = services.reflection_create(student=p.student, project=project_a, what_happened="We met.",
                                              learned_about_community="A lot.", do_differently="Listen more.",
                                              consent="partner")
    reflection_b = services.reflection_create(student=student_b, project=project_b, what_happened="We played.",
                                              learned_about_community="A lot.", do_differently="Listen more.",
                                              consent="partner")
    change_a = services.change_request_create(plan=project_a.plan, by=p.partner_a, party="partner", section="aims",
                                              proposed_text="A bilingual session at our Tuesday lunch club.")
    change_b = services.change_request_create(plan=project_b.plan, by=p.partner_b, party="partner", section="aims",
                                              proposed_text="Sessions after training.")
    world = World(
        programme=programme, cohort=cohort, project_a=project_a, project_b=project_b, student_b=student_b,
        tutor_b=tutor_b, opportunity_a=opportunity_a, opportunity_b=opportunity_b, version_a=version_a,
        version_b=version_b, milestone_a=milestones[project_a.pk], milestone_b=milestones[project_b.pk],
        file_a=_file(output_a, "a.txt"), file_b=_file(output_b, "b.txt"), reflection_a=reflection_a,
        reflection_b=reflection_b, change_a=change_a, change_b=change_b,
    )
    p._programmes_world = world
    return world


def mine(p: Any, name: str, attribute: str) -> Any:
    """The persona's own object: B for partner_b, A for everyone else (staff see all, A is the tutor's)."""
    world = build_world(p)
    return getattr(world, f"{attribute}_b" if name == "partner_b" else f"{attribute}_a")


def theirs(p: Any, name: str, attribute: str) -> Any:
    world = build_world(p)
    return getattr(world, f"{attribute}_a" if name == "partner_b" else f"{attribute}_b")
