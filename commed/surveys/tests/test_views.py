"""The builder, sending, answering and results pages, through the views."""

import pytest
from django.core import mail

from commed.programmes.tests.world import build_world as build_programmes
from commed.surveys.models import Instrument, Invitation, Item, Response, Status, Survey
from commed.surveys.tests.world import build_survey, build_world


@pytest.fixture
def world(personas):
    return build_world(personas)


def test_a_lead_builds_a_survey_with_a_condition_and_reorders_it(personas):
    lead = personas.client("lead")
    response = lead.post("/surveys/new/", {"title": "Outreach day", "description": "How was it?",
                                           "remind_every_days": 5})
    survey = Survey.objects.get(title="Outreach day")
    assert response.url == f"/surveys/{survey.pk}/"
    section = survey.sections.get()
    lead.post(f"/surveys/sections/{section.pk}/questions/new/", {
        "text": "Did you enjoy it?", "kind": "single", "required": "on", "choices": "Yes\nNo"})
    enjoy = Item.objects.get(survey=survey)
    response = lead.post(f"/surveys/sections/{section.pk}/questions/new/", {
        "text": "What spoiled it?", "kind": "text", "condition_item": enjoy.pk, "condition_values": "No"})
    assert response.status_code == 302
    spoiled = Item.objects.get(survey=survey, text="What spoiled it?")
    assert (spoiled.condition_item, spoiled.condition_values) == (enjoy, ["No"])
    # Moving the conditional question above the one it depends on is refused, with the reason shown.
    page = lead.post(f"/surveys/questions/{spoiled.pk}/move/", {"direction": "up"}, follow=True)
    assert "earlier question" in page.content.decode()
    assert [i.text for i in Item.objects.filter(survey=survey)] == ["Did you enjoy it?", "What spoiled it?"]
    lead.post(f"/surveys/questions/{spoiled.pk}/edit/", {"text": "What spoiled it?", "kind": "text"})
    lead.post(f"/surveys/questions/{spoiled.pk}/move/", {"direction": "up"})
    assert [i.text for i in Item.objects.filter(survey=survey)] == ["What spoiled it?", "Did you enjoy it?"]
    page = lead.get(f"/surveys/{survey.pk}/")
    assert b"Open the survey" in page.content
    lead.post(f"/surveys/{survey.pk}/status/", {"status": "open"})
    survey.refresh_from_db()
    assert survey.status == Status.OPEN


def test_a_bad_question_shows_the_reason_on_the_form(personas):
    survey, section, _ = build_survey(personas.lead)
    page = personas.client("lead").post(f"/surveys/sections/{section.pk}/questions/new/", {
        "text": "Pick one", "kind": "single", "choices": "Only one"})
    assert page.status_code == 200
    assert "Give at least two options." in page.content.decode()
    assert not Item.objects.filter(survey=survey, text="Pick one").exists()


def test_a_locked_survey_shows_no_edit_buttons(world, personas):
    page = personas.client("lead").get(f"/surveys/{world.survey.pk}/").content.decode()
    assert "questions are locked" in page
    assert "Move up" not in page
    assert "Make an editable copy" in page


def test_a_lead_sends_to_a_cohort_and_by_role(world, personas):
    programmes = build_programmes(personas)
    survey, _, _ = build_survey(personas.lead, title="Cohort survey")
    survey.status = Status.OPEN
    survey.save()
    lead = personas.client("lead")
    lead.post(f"/surveys/{survey.pk}/invite/", {"cohort": programmes.cohort.pk, "role": "student"})
    assert {i.user for i in Invitation.objects.filter(survey=survey)} == {personas.student, programmes.student_b}
    lead.post(f"/surveys/{survey.pk}/invite/", {"users": [personas.partner_a.pk, personas.student.pk]})
    assert Invitation.objects.filter(survey=survey).count() == 3
    assert Invitation.objects.get(survey=survey, user=personas.partner_a).side == "partner"
    page = lead.post(f"/surveys/{survey.pk}/invite/", {})
    assert "Choose a role, a cohort or some people." in page.content.decode()


def test_a_lead_issues_a_signed_link_and_sees_it_once(world, personas):
    mail.outbox.clear()
    page = personas.client("lead").post(f"/surveys/{world.survey.pk}/invite-link/", {
        "name": "Joy Okafor", "email": "joy@alpha.example.org", "side": "partner",
        "organisation": personas.org_a.pk, "days": 14})
    invitation = Invitation.objects.get(name="Joy Okafor")
    assert invitation.link is not None
    assert b"/l/" in page.content
    assert mail.outbox[0].to == ["joy@alpha.example.org"]


def test_a_respondent_answers_their_own_invitation_and_sees_it_listed(world, personas):
    student = personas.client("student")
    invitation = world.invitations["student"]
    listed = student.get("/surveys/mine/").content.decode()
    assert f"/surveys/answer/{invitation.pk}/" in listed
    page = student.post(f"/surveys/answer/{invitation.pk}/", {"q-useful": "3", "q-host_again": "No"})
    assert "Answer this question." in page.content.decode()  # "Why not?" is shown by the "No"
    student.post(f"/surveys/answer/{invitation.pk}/", {"q-useful": "3", "q-host_again": "No", "q-reason": "Exams"})
    assert Response.objects.get(invitation=invitation).answers.count() == 3
    assert "answered on" in student.get("/surveys/mine/").content.decode()
    again = student.post(f"/surveys/answer/{invitation.pk}/", {"q-useful": "1", "q-host_again": "Yes"})
    assert b"Already answered" in again.content
    # Someone else's invitation, even a lead's, is 404 to them.
    assert student.get(f"/surveys/answer/{world.invitations['tutor'].pk}/").status_code == 404


def test_the_respondent_page_names_the_condition(world, personas):
    page = personas.client("tutor").get(f"/surveys/answer/{world.invitations['tutor'].pk}/").content.decode()
    assert "Answer only if you answered “No” to question 2." in page
    assert '<legend>1. The project was useful to us. <span class="muted">(required)</span></legend>' in page


def test_drafts_are_not_listed_to_respondents(personas):
    survey, _, _ = build_survey(personas.lead, title="Not sent yet")
    Invitation.objects.create(survey=survey, user=personas.student, name="S", created_at=survey.created_at)
    assert b"Not sent yet" not in personas.client("student").get("/surveys/mine/").content


def test_results_show_counts_rates_and_the_gap(world, personas):
    from commed.surveys import services

    services.response_submit(invitation=world.invitations["partner_a"], posted={"useful": ["2"],
                                                                                "host_again": ["Yes"]})
    page = personas.client("lead").get(f"/surveys/{world.survey.pk}/results/").content.decode()
    assert "Answered by <strong>2</strong> of 10 invited (20.0%)" in page
    assert "Where the two sides" in page
    assert "Too little notice" in page
    assert "/export/xlsx/" in page


def test_a_ready_made_instrument_is_created_from_the_list(personas):
    programmes = build_programmes(personas)
    response = personas.client("lead").post("/surveys/ready-made/", {
        "instrument": Instrument.STUDENT_END, "project": programmes.project_a.pk})
    survey = Survey.objects.get(instrument=Instrument.STUDENT_END)
    assert response.url == f"/surveys/{survey.pk}/"
    assert survey.project == programmes.project_a
    page = personas.client("lead").post("/surveys/ready-made/", {"instrument": Instrument.PARTNERSHIP_QUALITY})
    assert "Choose the partner organisation." in page.content.decode()
