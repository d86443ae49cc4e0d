from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from commed.allocation.imports import preferences_import
from commed.allocation.models import Preference, StudentDetail
from commed.lib.tabular import ImportFailed


def _csv(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode()


HEADER = "Student e-mail,Choice 1,Choice 2,Locality,Gender,Attributes"


def test_a_good_file_replaces_preferences_and_details(personas, world):
    a, b = world.students[1], world.students[2]
    data = _csv(HEADER, f"{a.email},Falls at home,Diabetes in Bengali,North,F,first_generation=yes",
                f"{b.email.upper()},football and mental health,,South,M,")
    result = preferences_import(actor=personas.lead, cohort=world.cohort, data=data, filename="prefs.csv")
    assert (result.students, result.preferences) == (2, 3)
    assert [p.project for p in Preference.objects.filter(cohort=world.cohort, student=a).order_by("rank")] == [
        world.falls, world.diabetes]
    detail = StudentDetail.objects.get(cohort=world.cohort, student=a)
    assert detail.locality == world.north
    assert detail.attributes == {"gender": "F", "first_generation": "yes"}
    assert [p.project for p in Preference.objects.filter(cohort=world.cohort, student=b)] == [world.football]


def test_an_xlsx_file_is_read(personas, world):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["email", "1st choice", "2nd choice"])
    sheet.append([world.students[3].email, "Falls at home", "Football and mental health"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = preferences_import(actor=personas.lead, cohort=world.cohort, data=buffer.getvalue(),
                                filename="prefs.xlsx")
    assert result.students == 1
    assert Preference.objects.filter(cohort=world.cohort, student=world.students[3]).count() == 2


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("nobody@example.org,Falls at home,,,,", "prefs.csv, row 3, column A “Student e-mail”: no student has "
                                                  "the address nobody@example.org"),
        ("{email},Knitting club,,,,", "prefs.csv, row 3, column B “Choice 1”: no project called 'Knitting club'"),
        ("{email},Falls at home,Falls at home,,,", "row 3, column C “Choice 2”: 'Falls at home' is chosen twice"),
        ("{email},,Falls at home,,,", "row 3, column C “Choice 2”: there is a choice here but “Choice 1” is empty"),
        ("{email},Falls at home,,Atlantis,,", "row 3, column D “Locality”: ATP 2025/26 has no locality called "
                                               "'Atlantis'"),
        ("{email},Falls at home,,,,first_generation", "row 3, column F “Attributes”: 'first_generation' is not of "
                                                      "the form name=value"),
        ("{first},Falls at home,,,,", "row 3, column A “Student e-mail”: {first} is also on row 2"),
        ("{tutor},Falls at home,,,,", "no student has the address {tutor}"),
        ("{email},Careers talks,,,,", "no project called 'Careers talks' is open for allocation in ATP 2025/26"),
    ],
)
def test_bad_rows_are_named_and_nothing_is_written(personas, world, row, expected):
    first, email = world.students[1].email, world.students[2].email
    good = f"{first},Falls at home,,,,"
    data = _csv(HEADER, good, row.format(email=email, first=first, tutor=personas.tutor.email))
    before = list(Preference.objects.order_by("pk").values_list("pk", "student_id", "project_id", "rank"))
    with pytest.raises(ImportFailed) as failed:
        preferences_import(actor=personas.lead, cohort=world.cohort, data=data, filename="prefs.csv")
    expected = expected.format(first=first, tutor=personas.tutor.email)
    assert any(expected in message for message in failed.value.errors), failed.value.errors
    assert list(Preference.objects.order_by("pk").values_list("pk", "student_id", "project_id", "rank")) == before
    assert not StudentDetail.objects.exists()


def test_every_bad_row_is_reported_at_once(personas, world):
    data = _csv(HEADER, "a@example.org,Falls at home,,,,", "b@example.org,Nothing,,,,")
    with pytest.raises(ImportFailed) as failed:
        preferences_import(actor=personas.lead, cohort=world.cohort, data=data, filename="prefs.csv")
    assert len(failed.value.errors) == 3


def test_a_file_without_choice_columns_is_refused(personas, world):
    with pytest.raises(ImportFailed, match="no choice columns"):
        preferences_import(actor=personas.lead, cohort=world.cohort, data=_csv("email,gender", "a@b.org,F"),
                           filename="prefs.csv")


def test_a_file_without_the_email_column_is_refused(personas, world):
    with pytest.raises(ImportFailed, match="Student e-mail"):
        preferences_import(actor=personas.lead, cohort=world.cohort, data=_csv("choice 1", "Falls at home"),
                           filename="prefs.csv")


def test_the_import_page_shows_the_errors(personas, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("prefs.csv", _csv(HEADER, "nobody@example.org,Falls at home,,,,"))
    response = personas.client("lead").post(
        reverse("allocation:preferences_import", kwargs={"pk": world.cohort.pk}), {"file": upload})
    assert response.status_code == 400
    assert "Nothing was imported" in response.content.decode()
    assert "nobody@example.org" in response.content.decode()


RANKING_HEADER = "Organisation,Student e-mail,Rank"


def test_partner_rankings_are_imported_and_reach_the_problem(personas, world):
    from commed.allocation import selectors
    from commed.allocation.imports import partner_rankings_import
    from commed.allocation.rules import RunRules, student_key

    a, b = world.students[1], world.students[2]
    data = _csv(RANKING_HEADER, f"Alpha Health Forum,{b.email},1", f"alpha health forum,{a.email},2",
                f"Bravo Community Trust,{a.email},1")
    result = partner_rankings_import(actor=personas.lead, cohort=world.cohort, data=data, filename="ranks.csv")
    assert (result.students, result.partners) == (2, 2)
    problem = selectors.problem_build(cohort=world.cohort, rules=RunRules(objective="stable"))
    partners = {p["id"]: p for p in problem["partners"]}
    assert partners[f"o{personas.org_a.pk}"]["preferences"] == [student_key(b.pk), student_key(a.pk)]
    assert partners[f"o{personas.org_b.pk}"]["preferences"] == [student_key(a.pk)]
    # A second file for one partner replaces only that partner's ranking.
    partner_rankings_import(actor=personas.lead, cohort=world.cohort, filename="ranks.csv",
                            data=_csv(RANKING_HEADER, f"Bravo Community Trust,{b.email},1"))
    problem = selectors.problem_build(cohort=world.cohort, rules=RunRules(objective="stable"))
    partners = {p["id"]: p for p in problem["partners"]}
    assert partners[f"o{personas.org_a.pk}"]["preferences"] == [student_key(b.pk), student_key(a.pk)]
    assert partners[f"o{personas.org_b.pk}"]["preferences"] == [student_key(b.pk)]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("Charlie Charity,{email},1", "ranks.csv, row 3, column A “Organisation”: no partner called 'Charlie "
                                      "Charity' has a project open for allocation in ATP 2025/26"),
        ("Alpha Health Forum,nobody@example.org,1", "row 3, column B “Student e-mail”: no student has the address "
                                                    "nobody@example.org"),
        ("Alpha Health Forum,{email},first", "row 3, column C “Rank”: 'first' is not a whole number from 1"),
        ("Alpha Health Forum,{email},0", "row 3, column C “Rank”: '0' is not a whole number from 1"),
        ("Alpha Health Forum,{email},1", "row 3, column C “Rank”: Alpha Health Forum already has rank 1 on row 2"),
        ("Alpha Health Forum,{first},2", "row 3, column B “Student e-mail”: Alpha Health Forum already ranks "
                                         "{first} on row 2"),
    ],
)
def test_bad_partner_ranking_rows_are_named_and_nothing_is_written(personas, world, row, expected):
    from commed.allocation.imports import partner_rankings_import
    from commed.allocation.models import PartnerRanking

    first, email = world.students[1].email, world.students[2].email
    data = _csv(RANKING_HEADER, f"Alpha Health Forum,{first},1", row.format(email=email, first=first))
    with pytest.raises(ImportFailed) as failed:
        partner_rankings_import(actor=personas.lead, cohort=world.cohort, data=data, filename="ranks.csv")
    assert any(expected.format(first=first) in message for message in failed.value.errors), failed.value.errors
    assert not PartnerRanking.objects.exists()
