"""The lead says what the cohort's students are asked about themselves for the no-isolation rule, before any run:
students are asked exactly that, answers to a question no longer asked are deleted, and every save is audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from commed.allocation import selectors, services
from commed.allocation.models import AllocationRun, AttributeQuestion, StudentDetail
from commed.audit.models import AuditEvent


@pytest.fixture
def fresh(world):
    """The cohort before its first run: no rule has named an attribute yet."""
    AllocationRun.objects.filter(cohort=world.cohort).delete()
    return world


def questions_url(world):
    return reverse("allocation:attribute_questions", kwargs={"pk": world.cohort.pk})


def my_choices(world):
    return reverse("allocation:preferences", kwargs={"pk": world.cohort.pk})


def test_before_any_run_students_are_asked_only_what_the_lead_sets(personas, fresh):
    student = personas.client("student")
    assert "Gender" not in student.get(my_choices(fresh)).content.decode()
    lead = personas.client("lead")
    cohort_page = lead.get(reverse("allocation:cohort", kwargs={"pk": fresh.cohort.pk})).content.decode()
    assert "Questions to students" in cohort_page
    text = "Gender: Female, Male, Non-binary\n\nethnicity: Asian, Black, White"
    response = lead.post(questions_url(fresh), {"questions": text})
    assert response.status_code == 302
    assert [(q.name, q.values) for q in selectors.attribute_questions(cohort=fresh.cohort)] == [
        ("gender", ["Female", "Male", "Non-binary"]), ("ethnicity", ["Asian", "Black", "White"])]
    page = student.get(my_choices(fresh)).content.decode()
    for text in ("Gender", "Non-binary", "Ethnicity", "Black", "Prefer not to say"):
        assert text in page
    assert student.post(my_choices(fresh), {"details-submit": "1", "details-attribute_1": "Non-binary",
                                             "details-attribute_2": ""}).status_code == 302
    detail = StudentDetail.objects.get(cohort=fresh.cohort, student=personas.student)
    assert detail.attributes == {"gender": "Non-binary"}
    # the run form offers the attributes for the no-isolation rule
    run_page = lead.get(reverse("allocation:run_create", kwargs={"pk": fresh.cohort.pk})).content.decode()
    assert 'value="ethnicity"' in run_page and 'value="gender"' in run_page
    # and the page shows what is asked, to edit
    assert "gender: Female, Male, Non-binary" in lead.get(questions_url(fresh)).content.decode()


def test_an_imported_value_stays_answerable_next_to_the_offered_ones(personas, fresh):
    services.student_detail_set(actor=personas.lead, cohort=fresh.cohort, student=fresh.students[1], locality=None,
                                attributes={"gender": "F"}, audit=False)
    services.attribute_questions_save(actor=personas.lead, cohort=fresh.cohort,
                                      questions=[("gender", ["Female", "Male"])])
    assert selectors.detail_questions(cohort=fresh.cohort).attributes == [("gender", ["Female", "Male", "F"])]


def test_removing_a_question_deletes_the_answers_to_it_and_is_audited(personas, fresh):
    services.attribute_questions_save(actor=personas.lead, cohort=fresh.cohort,
                                      questions=[("gender", ["F", "M"]), ("ethnicity", ["Asian", "White"])])
    for student, answers in ((fresh.students[1], {"gender": "F", "ethnicity": "Asian"}),
                             (fresh.students[2], {"gender": "M"})):
        services.student_detail_set(actor=personas.lead, cohort=fresh.cohort, student=student, locality=None,
                                    attributes=answers, audit=False)
    services.attribute_questions_save(actor=personas.lead, cohort=fresh.cohort, questions=[("gender", ["F", "M"])])
    assert StudentDetail.objects.get(cohort=fresh.cohort, student=fresh.students[1]).attributes == {"gender": "F"}
    assert StudentDetail.objects.get(cohort=fresh.cohort, student=fresh.students[2]).attributes == {"gender": "M"}
    event = AuditEvent.objects.filter(object_type="programmes.Cohort", object_id=str(fresh.cohort.pk)).latest("pk")
    assert event.actor == personas.lead
    assert "answers about ethnicity deleted for 1 student" in event.summary
    assert event.changes["questions"] == [["gender: F, M", "ethnicity: Asian, White"], ["gender: F, M"]]


@pytest.mark.parametrize(
    ("questions", "message"),
    [
        ([("gender", ["F"])], "Question 1 (gender): offer 2 to 30 answers (got 1)"),
        ([("gender", ["F", "f", "M"])], "Question 1 (gender): F, f listed twice."),
        ([("gender", ["F", "M"]), ("Gender", ["X", "Y"])], "Question 2: gender is already asked in question 1."),
        ([("", ["F", "M"])], "Question 1: the attribute needs a name of 1 to 40 characters."),
        ([("gender", ["F", "x" * 61])], "Question 1 (gender): each answer may have at most 60 characters."),
        ([(f"a{i}", ["x", "y"]) for i in range(11)], "Ask about at most 10 attributes (got 11)."),
    ],
)
def test_bad_questions_are_refused_naming_the_question_and_nothing_changes(personas, fresh, questions, message):
    services.attribute_questions_save(actor=personas.lead, cohort=fresh.cohort, questions=[("gender", ["F", "M"])])
    with pytest.raises(ValidationError) as error:
        services.attribute_questions_save(actor=personas.lead, cohort=fresh.cohort, questions=questions)
    assert any(message in m for m in error.value.messages), error.value.messages
    kept = [(q.name, q.values) for q in AttributeQuestion.objects.filter(cohort=fresh.cohort)]
    assert kept == [("gender", ["F", "M"])]


def test_a_malformed_line_is_refused_with_its_line(personas, fresh):
    response = personas.client("lead").post(questions_url(fresh), {"questions": "gender: F, M\nethnicity Asian"})
    assert response.status_code == 200
    assert "Line 2: write the attribute, a colon, then the answers" in response.content.decode()
    service_error = personas.client("lead").post(questions_url(fresh), {"questions": "gender: F"})
    assert "Question 1 (gender): offer 2 to 30 answers (got 1)" in service_error.content.decode()
    assert not AttributeQuestion.objects.filter(cohort=fresh.cohort).exists()


def test_questions_of_one_cohort_are_not_asked_in_another(personas, fresh):
    services.attribute_questions_save(actor=personas.lead, cohort=fresh.cohort, questions=[("gender", ["F", "M"])])
    client = Client()
    client.force_login(fresh.other_student)
    other = reverse("allocation:preferences", kwargs={"pk": fresh.other_cohort.pk})
    page = client.get(other)
    assert page.status_code == 200
    assert "Gender" not in page.content.decode()
