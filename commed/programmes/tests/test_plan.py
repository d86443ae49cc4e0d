"""The co-produced plan: versions, conflicts, the three-signature rule, voiding, change requests, authorship."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from commed.audit.models import AuditEvent
from commed.programmes import selectors, services
from commed.programmes.models import PlanSignature, PlanVersion, ProjectStage, VersionStatus


@pytest.fixture
def plan(world):
    return world.project_a.plan


def texts(**sections):
    return {key: "" for key in services.SECTIONS} | sections


def test_every_edit_is_a_numbered_version_with_its_author_and_party(world, personas, plan):
    second = services.plan_edit(plan=plan, by=personas.partner_a, party="partner", base_number=1,
                                sections=texts(need="Older people in SE6.", aims="Two sessions."))
    assert second.conflict is False
    assert second.version.number == 2
    assert second.version.author == personas.partner_a
    assert second.version.party == "partner"
    assert second.version.base == world.version_a
    plan.refresh_from_db()
    assert plan.current_version == second.version
    assert AuditEvent.objects.filter(object_type="programmes.PlanVersion", object_id=str(second.version.pk)).exists()


def test_the_first_version_moves_the_project_from_scoping_to_planning(world):
    world.project_a.refresh_from_db()
    assert world.project_a.stage == ProjectStage.PLANNING
    assert world.project_a.stage_changes.first().note == "First plan version"


def test_saving_the_same_text_again_is_refused(world, personas, plan):
    with pytest.raises(ValidationError, match="Nothing changed"):
        services.plan_edit(plan=plan, by=personas.tutor, party="tutor", base_number=1,
                           sections=dict(world.version_a.sections))


def test_a_save_on_an_outdated_base_keeps_both_texts(world, personas, plan):
    services.plan_edit(plan=plan, by=personas.partner_a, party="partner", base_number=1,
                       sections=texts(need="The partner's need.", aims=world.version_a.text("aims")))
    late = services.plan_edit(plan=plan, by=personas.student, party="students", base_number=1,
                              sections=texts(need="The students' need.", aims=world.version_a.text("aims")))
    assert late.conflict is True
    assert late.version.status == VersionStatus.CONFLICT
    assert late.version.base == world.version_a
    plan.refresh_from_db()
    assert plan.current_version.text("need") == "The partner's need."
    assert PlanVersion.objects.get(pk=late.version.pk).text("need") == "The students' need."
    assert selectors.plan_overview(plan=plan).conflicts == [late.version]


def test_edits_of_different_sections_from_the_same_base_are_merged(world, personas, plan):
    base = dict(world.version_a.sections)
    services.plan_edit(plan=plan, by=personas.partner_a, party="partner", base_number=1,
                       sections=base | {"risks": "Safeguarding lead present."})
    merged = services.plan_edit(plan=plan, by=personas.tutor, party="tutor", base_number=1,
                                sections=base | {"evaluation": "A short questionnaire."})
    assert merged.conflict is False and merged.merged is True
    assert merged.version.text("risks") == "Safeguarding lead present."
    assert merged.version.text("evaluation") == "A short questionnaire."


def test_merging_a_conflicting_draft_resolves_it(world, personas, plan):
    services.plan_edit(plan=plan, by=personas.partner_a, party="partner", base_number=1, sections=texts(need="A"))
    draft = services.plan_edit(plan=plan, by=personas.student, party="students", base_number=1,
                               sections=texts(need="B")).version
    merged = services.plan_edit(plan=plan, by=personas.student, party="students", base_number=2,
                                sections=texts(need="A and B"), resolves=draft)
    draft.refresh_from_db()
    assert draft.resolved_by == merged.version
    assert selectors.plan_overview(plan=plan).conflicts == []


def sign_all(plan, personas, number):
    services.plan_sign(plan=plan, party="students", version_number=number, by=personas.student)
    services.plan_sign(plan=plan, party="tutor", version_number=number, by=personas.tutor)
    return services.plan_sign(plan=plan, party="partner", version_number=number, by=personas.partner_a)


def test_the_plan_is_agreed_only_when_all_three_parties_signed_the_same_version(world, personas, plan):
    services.plan_sign(plan=plan, party="students", version_number=1, by=personas.student)
    services.plan_sign(plan=plan, party="tutor", version_number=1, by=personas.tutor)
    plan.refresh_from_db()
    assert not plan.is_agreed
    services.plan_sign(plan=plan, party="partner", version_number=1, by=personas.partner_a)
    plan.refresh_from_db()
    assert plan.is_agreed
    assert plan.agreed_version.number == 1
    world.project_a.refresh_from_db()
    assert world.project_a.stage == ProjectStage.PLAN_AGREED


def test_signatures_on_different_versions_do_not_make_an_agreement(world, personas, plan):
    services.plan_sign(plan=plan, party="students", version_number=1, by=personas.student)
    services.plan_sign(plan=plan, party="tutor", version_number=1, by=personas.tutor)
    services.plan_edit(plan=plan, by=personas.partner_a, party="partner", base_number=1, sections=texts(need="New"))
    services.plan_sign(plan=plan, party="partner", version_number=2, by=personas.partner_a)
    plan.refresh_from_db()
    assert not plan.is_agreed
    assert selectors.plan_overview(plan=plan).missing_parties == ["Student group", "Tutor"]


def test_an_edit_after_a_signature_voids_the_older_signatures_but_keeps_them(world, personas, plan):
    with time_machine.travel(dt.datetime(2026, 1, 10, 9, tzinfo=dt.UTC), tick=False):
        sign_all(plan, personas, 1)
    with time_machine.travel(dt.datetime(2026, 1, 12, 9, tzinfo=dt.UTC), tick=False):
        edit = services.plan_edit(plan=plan, by=personas.tutor, party="tutor", base_number=1,
                                  sections=texts(need="Changed after signing"))
    signatures = PlanSignature.objects.filter(plan=plan)
    assert signatures.count() == 3
    assert all(s.voided_at == dt.datetime(2026, 1, 12, 9, tzinfo=dt.UTC) for s in signatures)
    assert all(s.voided_by_version == edit.version for s in signatures)
    plan.refresh_from_db()
    assert not plan.is_agreed
    assert plan.agreed_version.number == 1  # the record of what was once agreed


def test_an_outdated_version_cannot_be_signed(world, personas, plan):
    services.plan_edit(plan=plan, by=personas.tutor, party="tutor", base_number=1, sections=texts(need="v2"))
    with pytest.raises(ValidationError, match="no longer the current plan"):
        services.plan_sign(plan=plan, party="partner", version_number=1, by=personas.partner_a)


def test_a_party_signs_a_version_once(world, personas, plan):
    services.plan_sign(plan=plan, party="tutor", version_number=1, by=personas.tutor)
    with pytest.raises(ValidationError, match="already signed"):
        services.plan_sign(plan=plan, party="tutor", version_number=1, by=personas.tutor)


def test_an_accepted_change_request_makes_a_version_credited_to_the_proposer(world, personas, plan):
    services.change_request_decide(change_request=world.change_a, by=personas.student, party="students", accept=True)
    world.change_a.refresh_from_db()
    version = world.change_a.resulting_version
    assert version.party == "partner"
    assert version.text("aims") == "A bilingual session at our Tuesday lunch club."
    assert version.text("need") == world.version_a.text("need")
    _, accepted = selectors.plan_authorship(plan=plan)
    assert accepted == {"students": 0, "partner": 1, "tutor": 0}


def test_a_party_cannot_accept_its_own_change_request(world, personas, plan):
    with pytest.raises(ValidationError, match="Another party"):
        services.change_request_decide(change_request=world.change_a, by=personas.partner_a, party="partner",
                                       accept=True)


def test_the_share_of_authorship_follows_the_history_of_the_text(world, personas, plan):
    need, aims = world.version_a.text("need"), world.version_a.text("aims")
    services.plan_edit(plan=plan, by=personas.partner_a, party="partner", base_number=1,
                       sections=texts(need=need, aims=aims + " At our lunch club."))
    shares, _ = selectors.plan_authorship(plan=plan)
    total = len(need) + len(aims) + len(" At our lunch club.")
    assert shares["partner"] == pytest.approx(len(" At our lunch club.") / total)
    assert shares["students"] == pytest.approx((len(need) + len(aims)) / total)
    assert shares["tutor"] == 0


def test_conflicting_drafts_do_not_count_towards_authorship(world, personas, plan):
    services.plan_edit(plan=plan, by=personas.partner_a, party="partner", base_number=1, sections=texts(need="A"))
    services.plan_edit(plan=plan, by=personas.tutor, party="tutor", base_number=1, sections=texts(need="B"))
    shares, _ = selectors.plan_authorship(plan=plan)
    assert shares == {"students": 0.0, "partner": 1.0, "tutor": 0.0}


def test_the_plan_page_shows_a_conflict_to_merge_when_a_save_arrives_late(world, personas, client, plan):
    client.force_login(personas.student)
    url = f"/programmes/projects/{world.project_a.pk}/plan/edit/"
    services.plan_edit(plan=plan, by=personas.partner_a, party="partner", base_number=1, sections=texts(need="A"))
    response = client.post(url, texts(need="Mine") | {"base": 1})
    draft = PlanVersion.objects.get(plan=plan, status=VersionStatus.CONFLICT)
    assert response.status_code == 302
    assert response["Location"] == f"/programmes/plan/versions/{draft.pk}/"
    page = client.get(response["Location"])
    assert b"Mine" in page.content and b"Conflicting draft" in page.content
    assert page.context["merge_form"] is not None


def test_signing_through_the_page_records_the_signed_in_party(world, personas, client, plan):
    client.force_login(personas.tutor)
    client.post(f"/programmes/projects/{world.project_a.pk}/plan/sign/", {"version": 1, "confirm": "on"})
    signature = PlanSignature.objects.get(plan=plan)
    assert (signature.party, signature.user, signature.via_link) == ("tutor", personas.tutor, None)


def test_the_plan_page_shows_each_partys_share_of_the_text_and_of_the_accepted_changes(world, personas, client,
                                                                                       plan):
    # The partner's change request to "aims" is accepted; the tutor's to "risks" too; the students' is declined.
    services.change_request_decide(change_request=world.change_a, by=personas.student, party="students", accept=True)
    tutor_change = services.change_request_create(plan=plan, by=personas.tutor, party="tutor", section="risks",
                                                  proposed_text="A safeguarding lead is present.")
    services.change_request_decide(change_request=tutor_change, by=personas.partner_a, party="partner", accept=True)
    declined = services.change_request_create(plan=plan, by=personas.student, party="students", section="risks",
                                              proposed_text="No risks.")
    services.change_request_decide(change_request=declined, by=personas.tutor, party="tutor", accept=False)
    client.force_login(personas.lead)
    page = client.get(f"/programmes/projects/{world.project_a.pk}/plan/")
    rows = {row.party: row for row in page.context["overview"].share_rows}
    assert {p: (r.accepted, r.accepted_percent, r.versions) for p, r in rows.items()} == {
        "students": (0, 0, 1), "partner": (1, 50, 1), "tutor": (1, 50, 1)}
    shares, _ = selectors.plan_authorship(plan=plan)
    assert sum(r.text_percent for r in rows.values()) in (99, 100, 101)
    assert rows["partner"].text_percent == round(shares["partner"] * 100) > 0
    html = page.content.decode()
    assert "Share of accepted changes" in html
    assert "50% (1 accepted change request)" in html


def test_with_no_accepted_change_requests_every_share_of_changes_is_zero(world, plan):
    overview = selectors.plan_overview(plan=plan)
    assert [(r.accepted, r.accepted_percent) for r in overview.share_rows] == [(0, 0)] * 3
    assert selectors.accepted_change_shares({"students": 3, "partner": 1, "tutor": 0}) == {
        "students": 0.75, "partner": 0.25, "tutor": 0.0}


def test_a_conflicting_draft_voids_no_signature_of_the_current_version(world, personas, plan):
    services.plan_edit(plan=plan, by=personas.partner_a, party="partner", base_number=1, sections=texts(need="A"))
    tutor_signature = services.plan_sign(plan=plan, party="tutor", version_number=2, by=personas.tutor)
    late = services.plan_edit(plan=plan, by=personas.student, party="students", base_number=1,
                              sections=texts(need="B"))
    assert late.conflict is True
    tutor_signature.refresh_from_db()
    assert tutor_signature.voided_at is None
    plan.refresh_from_db()
    assert plan.current_version.number == 2
    assert selectors.plan_overview(plan=plan).missing_parties == ["Student group", "Partner (Alpha Health Forum)"]
    # Merging the draft is an edit like any other: it voids the tutor's signature on version 2.
    merged = services.plan_edit(plan=plan, by=personas.student, party="students", base_number=2,
                                sections=texts(need="A and B"), resolves=late.version)
    tutor_signature.refresh_from_db()
    assert tutor_signature.voided_by_version == merged.version
