"""Survey services: the builder and its lock, answering once, instruments, and the selectors for the reports."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from commed.audit.models import AuditEvent
from commed.programmes import services as programme_services
from commed.programmes.models import CheckInResponse, PartnerFeedback
from commed.programmes.services import CHECKIN_QUESTIONS
from commed.programmes.tests.world import build_world as build_programmes
from commed.surveys import selectors, services
from commed.surveys.models import Answer, Instrument, Invitation, Item, Response, Side
from commed.surveys.tests.world import ANSWERS, build_survey, build_world


@pytest.fixture
def world(personas):
    return build_world(personas)


def keys(survey):
    return [item.key for item in selectors.survey_items(survey=survey)]


# The builder -------------------------------------------------------------------------------------------------------


def test_items_are_locked_once_the_survey_has_a_response(world, personas):
    hours = world.items["hours"]
    attempts = [
        lambda: services.item_add(actor=personas.lead, section=world.section, text="New?", kind="text"),
        lambda: services.item_update(actor=personas.lead, item=hours, text="Changed", kind="number"),
        lambda: services.item_delete(actor=personas.lead, item=hours),
        lambda: services.item_move(actor=personas.lead, item=hours, up=True),
        lambda: services.section_add(actor=personas.lead, survey=world.survey, title="More"),
        lambda: services.section_update(actor=personas.lead, section=world.section, title="Renamed"),
    ]
    before = keys(world.survey)
    for attempt in attempts:
        with pytest.raises(ValidationError, match="can no longer change"):
            attempt()
    assert keys(world.survey) == before
    assert Item.objects.get(pk=hours.pk).text == "Hours given"
    # The title and introduction do not change what was asked: they stay editable.
    services.survey_update(actor=personas.lead, survey=world.survey, title="Feedback 2026", remind_every_days=3)
    assert world.survey.title == "Feedback 2026"


def test_an_unanswered_survey_can_be_edited_and_reordered(personas):
    survey, _, items = build_survey(personas.lead)
    assert keys(survey) == ["useful", "host_again", "reason", "benefits", "hours", "comments"]
    services.item_move(actor=personas.lead, item=items["benefits"], up=True)
    assert keys(survey) == ["useful", "host_again", "benefits", "reason", "hours", "comments"]
    # The last item of a section moves down into the start of the next one.
    services.item_move(actor=personas.lead, item=items["reason"], up=False)
    assert keys(survey) == ["useful", "host_again", "benefits", "reason", "hours", "comments"]
    assert Item.objects.get(pk=items["reason"].pk).section.title == "Anything else"
    services.item_update(actor=personas.lead, item=items["hours"], text="Hours", kind="number", max_value=10)
    assert Item.objects.get(pk=items["hours"].pk).max_value == 10


def test_a_move_that_would_put_a_condition_before_its_question_is_refused(personas):
    survey, _, items = build_survey(personas.lead)
    with pytest.raises(ValidationError, match="earlier question"):
        services.item_move(actor=personas.lead, item=items["reason"], up=True)
    assert keys(survey)[1:3] == ["host_again", "reason"]


def test_conditions_must_name_an_offered_answer_and_a_choice_question(personas):
    survey, section, items = build_survey(personas.lead)
    with pytest.raises(ValidationError, match="does not offer"):
        services.item_add(actor=personas.lead, section=section, text="X", kind="text",
                          condition_item=items["host_again"], condition_values=["Maybe"])
    with pytest.raises(ValidationError, match="Likert or choice"):
        services.item_add(actor=personas.lead, section=items["hours"].section, text="X", kind="text",
                          condition_item=items["hours"], condition_values=["3"])
    with pytest.raises(ValidationError, match="depend on itself"):
        services.item_update(actor=personas.lead, item=items["host_again"], text="Again?", kind="single",
                             choices=["Yes", "No"], condition_item=items["host_again"], condition_values=["Yes"])
    with pytest.raises(ValidationError, match="Other questions depend"):
        services.item_delete(actor=personas.lead, item=items["host_again"])
    assert len(keys(survey)) == 6


def test_a_copy_of_a_locked_survey_is_an_editable_draft_with_its_conditions(world, personas):
    copy = services.survey_copy(actor=personas.lead, survey=world.survey)
    assert keys(copy) == keys(world.survey)
    reason = Item.objects.get(survey=copy, key="reason")
    assert reason.condition_item == Item.objects.get(survey=copy, key="host_again")
    services.item_delete(actor=personas.lead, item=Item.objects.get(survey=copy, key="hours"))
    assert "hours" not in keys(copy)


# Sending and answering ---------------------------------------------------------------------------------------------


def test_a_draft_cannot_be_sent(personas):
    survey, _, _ = build_survey(personas.lead)
    with pytest.raises(ValidationError, match="Open the survey"):
        services.invitations_create(actor=personas.lead, survey=survey, users=[personas.student])


def test_people_are_invited_once_with_their_side_and_organisation(world, personas):
    again = services.invitations_create(actor=personas.lead, survey=world.survey,
                                        users=[personas.student, personas.partner_a])
    assert again == []
    sides = {name: inv.side for name, inv in world.invitations.items()}
    assert (sides["student"], sides["partner_a"], sides["tutor"], sides["lead"]) == (
        Side.STUDENT, Side.PARTNER, Side.SCHOOL, Side.SCHOOL)
    assert world.invitations["partner_b"].organisation == personas.org_b
    assert f"/surveys/answer/{world.invitations['student'].pk}/" in next(
        m.body for m in mail.outbox if m.to == [personas.student.email])


def test_the_audience_is_chosen_by_role_and_cohort(personas):
    programmes = build_programmes(personas)
    assert set(selectors.audience(cohort=programmes.cohort)) == {
        personas.student, personas.tutor, programmes.student_b, programmes.tutor_b}
    assert set(selectors.audience(role="student", cohort=programmes.cohort)) == {personas.student,
                                                                                 programmes.student_b}
    assert personas.outsider in set(selectors.audience(role="student"))


def test_hidden_items_are_not_stored_and_visible_required_ones_must_be_answered(world):
    invitation = world.invitations["student"]
    with pytest.raises(ValidationError) as raised:
        services.response_submit(invitation=invitation, posted={"host_again": ["No"], "hours": ["101"]})
    assert set(raised.value.message_dict) == {"useful", "reason", "hours"}
    assert not Response.objects.filter(invitation=invitation).exists()
    response = services.response_submit(invitation=invitation, posted={
        "useful": ["5"], "host_again": ["Yes"], "reason": ["Ignored: hidden"], "hours": ["7"]})
    stored = {a.item.key: a.value for a in Answer.objects.filter(response=response).select_related("item")}
    assert stored == {"useful": 5, "host_again": "Yes", "hours": 7}
    invitation.refresh_from_db()
    assert invitation.responded_at == response.submitted_at


def test_an_invitation_is_answered_once(world):
    invitation = world.invitations["tutor"]
    services.response_submit(invitation=invitation, posted=ANSWERS)
    with pytest.raises(ValidationError, match="already answered"):
        services.response_submit(invitation=invitation, posted=ANSWERS)
    # Even a stale copy of the invitation that does not know it was answered cannot answer again.
    stale = Invitation.objects.get(pk=invitation.pk)
    stale.responded_at = None
    with pytest.raises(ValidationError, match="already answered"):
        services.response_submit(invitation=stale, posted=ANSWERS)
    assert Response.objects.filter(invitation=invitation).count() == 1


def test_a_closed_survey_takes_no_answers(world, personas):
    services.survey_close(actor=personas.lead, survey=world.survey)
    with pytest.raises(ValidationError, match="closed"):
        services.response_submit(invitation=world.invitations["student"], posted=ANSWERS)


def test_answers_are_audited(world):
    response = services.response_submit(invitation=world.invitations["student"], posted=ANSWERS)
    event = AuditEvent.objects.get(object_type="surveys.Response", object_id=str(response.pk))
    assert "answered" in event.summary


# Instruments and what the reports read ---------------------------------------------------------------------------


def test_the_ready_made_instruments_are_valid_questionnaires(personas):
    programmes = build_programmes(personas)
    project = programmes.project_a
    partner = services.instrument_create(actor=personas.lead, instrument=Instrument.PARTNER_END, project=project)
    student = services.instrument_create(actor=personas.lead, instrument=Instrument.STUDENT_END, project=project)
    quality = services.instrument_create(actor=personas.lead, instrument=Instrument.PARTNERSHIP_QUALITY,
                                         organisation=personas.org_a, academic_year="2025/26")
    for survey in (partner, student, quality):
        services.survey_open(actor=personas.lead, survey=survey)  # refuses a broken design
    assert partner.organisation == personas.org_a
    assert (student.academic_year, quality.academic_year) == ("2025/26", "2025/26")
    checkin_keys = [key for key, _ in CHECKIN_QUESTIONS]
    assert keys(quality)[:5] == checkin_keys
    assert set(checkin_keys) <= set(keys(partner))
    kinds = {item.kind for item in selectors.survey_items(survey=student)}
    assert kinds == {"likert", "single", "multiple", "number", "text"}
    with pytest.raises(ValidationError):
        services.instrument_create(actor=personas.lead, instrument=Instrument.PARTNER_END)


def partner_answers(score):
    return {"about_project": ["Our members now ask their GP about fasting."], "would_host_again": ["Yes"],
            **{key: [str(score)] for key, _ in CHECKIN_QUESTIONS}}


def test_a_partners_end_of_project_answers_are_also_the_projects_partner_feedback(personas):
    project = build_programmes(personas).project_a
    survey = services.instrument_create(actor=personas.lead, instrument=Instrument.PARTNER_END, project=project)
    services.survey_open(actor=personas.lead, survey=survey)
    invitation, issued = services.invitation_link_create(actor=personas.lead, survey=survey, name="Rukhsana",
                                                         side=Side.PARTNER, organisation=personas.org_a)
    services.response_submit(invitation=invitation, posted=partner_answers(2), link=issued.link)
    feedback = PartnerFeedback.objects.get(project=project)
    assert (feedback.organisation, feedback.given_by_name, feedback.via_link) == (personas.org_a, "Rukhsana",
                                                                                  issued.link)
    assert feedback.about_project == "Our members now ask their GP about fasting."
    checkin = CheckInResponse.objects.get(project=project)
    assert (checkin.side, checkin.answers["shaped"]) == ("partner", 2)


def test_survey_results_summarise_each_item(world, personas):
    services.response_submit(invitation=world.invitations["lead"], posted={
        "useful": ["2"], "host_again": ["Yes"], "benefits": ["Materials", "Contacts"], "hours": ["30"]})
    results = {s.key: s for s in selectors.survey_results(survey=world.survey)}
    assert list(results) == keys(world.survey)
    assert results["useful"].answered == 2
    assert results["useful"].mean == 3.0  # 4 and 2
    assert dict(results["useful"].counts)["2 Disagree"] == 1
    assert dict(results["host_again"].counts) == {"Yes": 1, "No": 1}
    assert dict(results["benefits"].counts) == {"Materials": 2, "Contacts": 1, "Nothing": 0}
    assert (results["hours"].minimum, results["hours"].maximum, results["hours"].median) == (12, 30, 21)
    assert results["reason"].texts == ["Too little notice"]
    rate = selectors.survey_response_rate(survey=world.survey)
    assert (rate.invited, rate.responded) == (10, 2)
    assert rate.percent == 20.0


def test_the_partnership_quality_gap_reads_surveys_and_check_ins_of_the_year(personas):
    programmes = build_programmes(personas)
    survey = services.instrument_create(actor=personas.lead, instrument=Instrument.PARTNERSHIP_QUALITY,
                                        organisation=personas.org_a, academic_year="2025/26")
    services.survey_open(actor=personas.lead, survey=survey)
    partner = services.invitations_create(actor=personas.lead, survey=survey, users=[personas.partner_a])[0]
    school = services.invitations_create(actor=personas.lead, survey=survey, users=[personas.tutor])[0]
    services.response_submit(invitation=partner, posted={**{k: ["2"] for k, _ in CHECKIN_QUESTIONS},
                                                         "decisions": ["1"]})
    services.response_submit(invitation=school, posted={**{k: ["5"] for k, _ in CHECKIN_QUESTIONS},
                                                        "decisions": ["4"]})
    programme_services.checkin_submit(project=programmes.project_a, side="partner", by=personas.partner_a,
                                      answers={"shaped": 3})
    # Another organisation's and another year's answers do not count.
    other = services.instrument_create(actor=personas.lead, instrument=Instrument.PARTNERSHIP_QUALITY,
                                       organisation=personas.org_b, academic_year="2025/26")
    services.survey_open(actor=personas.lead, survey=other)
    b = services.invitations_create(actor=personas.lead, survey=other, users=[personas.partner_b])[0]
    services.response_submit(invitation=b, posted={**{k: ["1"] for k, _ in CHECKIN_QUESTIONS}, "decisions": ["1"]})
    rows = {row.key: row for row in selectors.partnership_quality_gap(organisation=personas.org_a, year="2025/26")}
    assert list(rows) == [*(key for key, _ in CHECKIN_QUESTIONS), "decisions"]
    assert (rows["shaped"].partner, rows["shaped"].partner_n, rows["shaped"].school) == (2.5, 2, 5.0)
    assert rows["shaped"].gap == 2.5
    assert (rows["decisions"].partner, rows["decisions"].school, rows["decisions"].gap) == (1.0, 4.0, 3.0)
    assert selectors.partnership_quality_gap(organisation=personas.org_a, year="2024/25")[0].partner is None
    per_survey = {row.key: row for row in selectors.survey_gap(survey=survey)}
    assert (per_survey["shaped"].partner, per_survey["shaped"].school) == (2.0, 5.0)


def test_survey_results_take_the_same_queries_for_one_response_or_many(world, django_assert_num_queries):
    with django_assert_num_queries(2):
        selectors.survey_results(survey=world.survey)
    for name in ("lead", "tutor", "student", "partner_a", "partner_b"):
        services.response_submit(invitation=world.invitations[name], posted=ANSWERS)
    with django_assert_num_queries(2):
        results = selectors.survey_results(survey=world.survey)
    assert results[0].answered == 6


def test_the_surveys_about_a_partner_in_a_year_are_found_for_the_reports(personas):
    programmes = build_programmes(personas)
    partner = services.instrument_create(actor=personas.lead, instrument=Instrument.PARTNER_END,
                                         project=programmes.project_a)
    quality = services.instrument_create(actor=personas.lead, instrument=Instrument.PARTNERSHIP_QUALITY,
                                         organisation=personas.org_a, academic_year="2025/26")
    other = services.instrument_create(actor=personas.lead, instrument=Instrument.PARTNER_END,
                                       project=programmes.project_b)
    for survey in (partner, quality, other):
        services.survey_open(actor=personas.lead, survey=survey)
    services.instrument_create(actor=personas.lead, instrument=Instrument.STUDENT_END,
                               project=programmes.project_a)  # a draft: not sent, not reported
    assert set(selectors.surveys_for(organisation=personas.org_a, year="2025/26")) == {partner, quality}
    assert list(selectors.surveys_for(organisation=personas.org_a, year="2025/26",
                                      instrument=Instrument.PARTNERSHIP_QUALITY)) == [quality]
    assert not selectors.surveys_for(organisation=personas.org_a, year="2024/25").exists()


def test_a_survey_with_conditions_and_responses_can_be_deleted_whole(world):
    world.survey.delete()
    assert not Item.objects.filter(survey_id=world.survey.pk).exists()
    assert not Response.objects.filter(invitation__survey_id=world.survey.pk).exists()
