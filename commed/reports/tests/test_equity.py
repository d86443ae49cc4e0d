"""Shares by student group, with groups and counts of fewer than 5 suppressed."""

from __future__ import annotations

import pytest

from commed.accounts.models import Role, StudentProfile
from commed.allocation.services import preferences_replace
from commed.programmes import services as programme_services
from commed.reports import selectors, services
from conftest import make_user


def students(prefix: str, count: int, *, wp: bool):
    people = []
    for number in range(count):
        user = make_user(f"{prefix}{number}", Role.STUDENT)
        StudentProfile.objects.create(user=user, student_number=f"{prefix}{number}", year_of_study=3,
                                      academic_year="2025/26", widening_participation=wp)
        people.append(user)
    return people


@pytest.fixture
def cohort(personas):
    programme = programme_services.programme_create(actor=personas.lead, name="Equity test", code="EQ")
    cohort = programme_services.cohort_create(actor=personas.lead, programme=programme, academic_year="2025/26")
    wp = students("wp", 7, wp=True)
    other = students("ot", 3, wp=False)
    unplaced = students("un", 6, wp=False)
    project = programme_services.project_create(actor=personas.lead, cohort=cohort, title="Placed",
                                                organisations=[personas.org_a])
    programme_services.group_create(cohort=cohort, name="G1", project=project, tutor=None, members=wp + other)
    programme_services.group_create(cohort=cohort, name="G2", project=None, tutor=None, members=unplaced)
    other_project = programme_services.project_create(actor=personas.lead, cohort=cohort, title="Other",
                                                      organisations=[personas.org_b])
    for student in wp:  # the allocation placed them on their first choice
        preferences_replace(actor=None, cohort=cohort, student=student, projects=[project, other_project])
    for student in other:  # and these on their second
        preferences_replace(actor=None, cohort=cohort, student=student, projects=[other_project, project])
    return {"cohort": cohort, "wp": wp, "other": other, "unplaced": unplaced, "project": project}


def view(cohort):
    filters = selectors.DashboardFilters(programme=cohort["cohort"].programme, academic_year="2025/26")
    return selectors.equity_view(filters=filters)


def row(equity, characteristic, group):
    return next(r for r in equity.rows if r.characteristic == characteristic and r.group == group)


def test_shares_are_given_per_group_of_five_or_more(cohort):
    equity = view(cohort)
    wp = row(equity, "Widening participation", "Yes")
    assert wp.students == 7
    placed = wp.cells[0]
    assert (placed.count, placed.share) == (7, 1.0)
    assert placed.text == "7 (100%)"
    first_choice = wp.cells[equity.outcomes.index("Placed on their first choice")]
    assert first_choice.count == 7
    not_wp = row(equity, "Widening participation", "No")
    assert not_wp.students == 9
    # 3 of the 9 are placed: a count under 5 is suppressed.
    assert not_wp.cells[0].count is None and not_wp.cells[0].text == "fewer than 5"
    assert not_wp.cells[equity.outcomes.index("Placed on their first choice")].text == "0 (0%)"


def test_a_group_of_fewer_than_five_is_suppressed_whole(cohort):
    for student in cohort["wp"][:4]:
        services.characteristics_set(student=student, consented=True, first_in_family=True)
    equity = view(cohort)
    first = row(equity, "First in family at university", "Yes")
    assert first.students is None
    assert all(cell.count is None for cell in first.cells)
    assert equity.consented_characteristics == 4


def test_a_count_that_leaves_fewer_than_five_by_subtraction_is_suppressed():
    assert selectors._cell(hits=7, students=9).count is None  # 2 without: could be worked out
    assert selectors._cell(hits=0, students=9).count == 0
    assert selectors._cell(hits=9, students=9).count == 9
    assert selectors.suppress(4) is None and selectors.suppress(5) == 5 and selectors.suppress(0) == 0


def test_characteristics_count_only_with_consent_and_withdrawing_clears_them(cohort):
    for student in cohort["wp"][:6]:
        services.characteristics_set(student=student, consented=True, disability=False)
    assert row(view(cohort), "Disability", "No").students == 6
    record = services.characteristics_set(student=cohort["wp"][0], consented=False, disability=False)
    assert record.disability is None
    equity = view(cohort)
    assert row(equity, "Disability", "No").students == 5
