"""A report reads a fixed number of queries, whatever the number of projects (no N+1)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from commed.accounts.models import Role
from commed.partners import services as partner_services
from commed.programmes import services as programme_services
from commed.reports import selectors, services
from conftest import make_user


def add_projects(personas, cohort, organisation, count, start):
    partnership = organisation.partnerships.first()
    for number in range(start, start + count):
        project = programme_services.project_create(actor=personas.lead, cohort=cohort, title=f"Project {number}",
                                                    organisations=[organisation])
        student = make_user(f"q{number}", Role.STUDENT)
        programme_services.group_create(cohort=cohort, name=f"Group {number}", project=project, tutor=None,
                                        members=[student])
        programme_services.output_create(actor=personas.lead, project=project, kind="leaflet",
                                         title=f"Leaflet {number}", reach=10, languages="English")
        programme_services.reflection_create(student=student, project=project, what_happened="We met.",
                                             learned_about_community=f"Lesson {number}", do_differently="More.",
                                             consent="partner")
        programme_services.partner_feedback_submit(project=project, organisation=organisation, by=personas.partner_a,
                                                   about_students="Good", about_project="Good",
                                                   about_partnership=f"Partnership {number}",
                                                   answers={"shaped": 3})
        partner_services.ledger_entry_add(actor=personas.lead, partnership=partnership, direction="to_community",
                                          kind="time", description=f"Session {number}",
                                          occurred_on=dt.date(2025, 10, 1))


def queries_for(organisation, draft=None):
    with CaptureQueriesContext(connection) as captured:
        report = selectors.service_evaluation(organisation=organisation, academic_year="2025/26", draft=draft)
    return len(captured), report


def test_the_number_of_queries_does_not_grow_with_the_projects(personas):
    programme = programme_services.programme_create(actor=personas.lead, name="Queries", code="Q")
    cohort = programme_services.cohort_create(actor=personas.lead, programme=programme, academic_year="2025/26")
    add_projects(personas, cohort, personas.org_a, 2, 0)
    few, small = queries_for(personas.org_a)
    add_projects(personas, cohort, personas.org_a, 10, 2)
    many, large = queries_for(personas.org_a)
    assert len(small.projects) == 2 and len(large.projects) == 12
    assert len(large.quotes) == 24
    assert many == few
    draft = services.draft_create(actor=personas.lead, organisation=personas.org_a, academic_year="2025/26")
    with_draft, report = queries_for(personas.org_a, draft)
    assert len(report.quotes) == 24
    assert with_draft <= few
