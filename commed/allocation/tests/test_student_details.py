"""A student's placement locality, languages and no-isolation attributes: set by the student on their choices
page, corrected by the lead, and read by the problem of the next run."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from commed.accounts.models import StudentProfile
from commed.allocation import selectors, services
from commed.allocation.models import AllocationRun, ProjectSetting, StudentDetail
from commed.allocation.rules import RunRules, student_key
from commed.audit.models import AuditEvent
from commed.partners.models import Language


@pytest.fixture
def asked(personas, world):
    """The cohort asks about Bengali (a project needs it) and gender (the latest run's no-isolation rule), whose
    values in use are F and M; alloc2 also has an imported ethnicity that is not asked about."""
    Language.objects.update_or_create(code="bn", defaults={"name": "Bengali"})
    ProjectSetting.objects.filter(project=world.diabetes).update(languages={"bn": 1})
    services.student_detail_set(
        actor=personas.lead,
        cohort=world.cohort,
        student=world.students[1],
        locality=None,
        attributes={"gender": "F"},
        audit=False,
    )
    services.student_detail_set(
        actor=personas.lead,
        cohort=world.cohort,
        student=world.students[2],
        locality=None,
        attributes={"gender": "M", "ethnicity": "Asian"},
        audit=False,
    )
    AllocationRun.objects.filter(pk=world.run.pk).update(rules=RunRules(no_isolation=("gender",)).to_json())
    return world


def my_choices(world):
    return reverse("allocation:preferences", kwargs={"pk": world.cohort.pk})


def details_url(world, student):
    return reverse("allocation:student_detail", kwargs={"pk": world.cohort.pk, "student_pk": student.pk})


def details_post(**fields):
    return {"details-submit": "1", **{f"details-{name}": value for name, value in fields.items()}}


def test_the_choices_page_asks_about_the_student_and_says_why(personas, asked):
    page = personas.client("student").get(my_choices(asked)).content.decode()
    assert "About you, for group allocation" in page
    assert "nobody ends up the only one of their background in a group" in page
    assert "optional and only the programme lead sees your answers" in page
    assert "<legend>Placement</legend>" in page and "<legend>Background</legend>" in page
    for text in ("Placement locality", "North", "South", "Bengali (bn)</label>", "Gender", "Prefer not to say"):
        assert text in page
    assert "Elsewhere" not in page  # a locality of another cohort
    assert "ethnicity" not in page.lower()  # not used by the rules


def test_a_student_saves_their_own_details_audited(personas, asked):
    response = personas.client("student").post(
        my_choices(asked), details_post(locality=asked.north.pk, languages=["bn"], attribute_1="F")
    )
    assert response.status_code == 302
    detail = StudentDetail.objects.get(cohort=asked.cohort, student=personas.student)
    assert (detail.locality, detail.attributes) == (asked.north, {"gender": "F"})
    assert StudentProfile.objects.get(user=personas.student).languages == "bn"
    event = AuditEvent.objects.get(object_type="allocation.StudentDetail", object_id=str(detail.pk))
    assert event.actor == personas.student
    assert event.changes["locality"] == ["", "North"]
    assert event.changes["attributes changed"] == ["gender"]  # names only, never the values
    assert event.changes["languages"] == [[], ["bn"]]
    # The ranking is untouched by the other form.
    assert len(selectors.preferences_of(cohort=asked.cohort, student=personas.student)) == 3


def test_prefer_not_to_say_stores_nothing_and_other_attributes_stay(personas, asked):
    student = asked.students[2]
    client = Client()
    client.force_login(student)
    assert client.post(my_choices(asked), details_post(locality="", attribute_1="")).status_code == 302
    assert StudentDetail.objects.get(cohort=asked.cohort, student=student).attributes == {"ethnicity": "Asian"}


def test_a_student_sets_only_their_own_details(personas, asked):
    other = asked.students[1]
    client = personas.client("student")
    client.post(my_choices(asked), {**details_post(locality=asked.south.pk, attribute_1="M"), "student": other.pk})
    assert StudentDetail.objects.get(cohort=asked.cohort, student=personas.student).locality == asked.south
    assert StudentDetail.objects.get(cohort=asked.cohort, student=other).attributes == {"gender": "F"}
    response = client.post(details_url(asked, other), details_post(locality=asked.south.pk))
    assert response.status_code == 404
    assert StudentDetail.objects.get(cohort=asked.cohort, student=other).locality is None


def test_a_student_of_another_cohort_gets_404(personas, asked):
    client = Client()
    client.force_login(asked.other_student)
    assert client.get(my_choices(asked)).status_code == 404
    assert client.post(my_choices(asked), details_post(locality=asked.north.pk)).status_code == 404
    assert not StudentDetail.objects.filter(student=asked.other_student).exists()


def test_a_locality_of_another_cohort_is_refused_naming_the_field(personas, asked):
    response = personas.client("student").post(my_choices(asked), details_post(locality=asked.elsewhere.pk))
    assert response.status_code == 200
    assert f"Placement locality: choose one of the localities of {asked.cohort}." in response.content.decode()
    with pytest.raises(ValidationError) as error:
        services.student_detail_set(
            actor=personas.student,
            cohort=asked.cohort,
            student=personas.student,
            locality=asked.elsewhere,
            attributes={},
            only_asked=True,
        )
    assert error.value.message_dict["locality"] == [
        f"Placement locality: Elsewhere is not a locality of {asked.cohort}."
    ]
    assert not StudentDetail.objects.filter(student=personas.student).exists()


def test_an_unknown_attribute_or_value_or_language_is_refused_naming_it(personas, asked):
    with pytest.raises(ValidationError) as error:
        services.student_detail_set(
            actor=personas.student,
            cohort=asked.cohort,
            student=personas.student,
            locality=None,
            attributes={"shoe size": "9", "gender": "X"},
            languages={"so": True},
            only_asked=True,
        )
    assert error.value.message_dict["attributes"] == [
        f"{asked.cohort} does not ask about 'shoe size' (it asks about: gender).",
        f"gender: 'X' is not one of the answers offered in {asked.cohort}; choose one of them or prefer not to say.",
    ]
    assert error.value.message_dict["languages"] == [f"Languages: no project of {asked.cohort} needs so."]
    page = personas.client("student").post(my_choices(asked), details_post(attribute_1="X")).content.decode()
    assert "Gender: choose one of the values listed, or prefer not to say." in page
    assert not StudentDetail.objects.filter(student=personas.student).exists()


def test_details_close_once_the_allocation_is_published(personas, asked):
    services.run_publish(actor=personas.lead, run=asked.run)
    client = personas.client("student")
    page = client.get(my_choices(asked)).content.decode()
    assert "Save my details" not in page
    client.post(my_choices(asked), details_post(locality=asked.north.pk))
    assert not StudentDetail.objects.filter(student=personas.student).exists()
    with pytest.raises(ValidationError, match="has been published"):
        services.student_detail_set(
            actor=personas.lead,
            cohort=asked.cohort,
            student=personas.student,
            locality=asked.north,
            attributes={},
            only_asked=True,
        )
    lead_page = personas.client("lead").get(details_url(asked, personas.student)).content.decode()
    assert "can no longer change" in lead_page and "Save the details" not in lead_page


def test_the_lead_corrects_a_students_details_from_the_cohort_page(personas, asked):
    client = personas.client("lead")
    student = asked.students[1]
    cohort_page = client.get(reverse("allocation:cohort", kwargs={"pk": asked.cohort.pk})).content.decode()
    assert details_url(asked, student) in cohort_page
    assert "gender: F" in cohort_page
    page = client.get(details_url(asked, student)).content.decode()
    assert 'value="F" selected' in page
    response = client.post(details_url(asked, student), details_post(locality=asked.south.pk, attribute_1="M"))
    assert response.status_code == 302
    detail = StudentDetail.objects.get(cohort=asked.cohort, student=student)
    assert (detail.locality, detail.attributes) == (asked.south, {"gender": "M"})
    assert AuditEvent.objects.get(object_type="allocation.StudentDetail", object_id=str(detail.pk)).actor == (
        personas.lead
    )


def test_the_lead_cannot_open_a_student_of_another_cohort_under_this_one(personas, asked):
    url = reverse("allocation:student_detail", kwargs={"pk": asked.cohort.pk, "student_pk": asked.other_student.pk})
    assert personas.client("lead").get(url).status_code == 404
    assert personas.client("lead").post(url, details_post(locality=asked.north.pk)).status_code == 404


def test_the_details_reach_the_problem_of_the_next_run(personas, asked):
    personas.client("student").post(
        my_choices(asked), details_post(locality=asked.north.pk, languages=["bn"], attribute_1="F")
    )
    problem = selectors.problem_build(cohort=asked.cohort, rules=RunRules(no_isolation=("gender",)))
    mine = next(s for s in problem["students"] if s["id"] == student_key(personas.student.pk))
    assert (mine["locality"], mine["languages"], mine["attributes"]) == ("North", ["bn"], {"gender": "F"})
    assert problem["rules"]["no_isolation"] == ["gender"]


def test_without_a_rule_or_a_language_need_only_the_locality_is_asked(personas, world):
    page = personas.client("student").get(my_choices(world)).content.decode()
    assert "Placement locality" in page
    assert "<legend>Background</legend>" not in page and "Languages you speak" not in page
