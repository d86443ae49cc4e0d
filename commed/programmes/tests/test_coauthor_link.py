"""Partners without an account as equal authors: the co-author link, and the rule that each partner organisation
of a project signs the same version (with a student and the tutor) before the plan is agreed."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client

from commed.audit.models import AuditEvent
from commed.links import services as link_services
from commed.links.models import LinkUse, SignedLink
from commed.partners import services as partner_services
from commed.programmes import selectors, services
from commed.programmes.models import ChangeRequest, PlanComment, PlanSignature, ProjectStage, VersionStatus


def texts(**sections):
    return {key: "" for key in services.SECTIONS} | sections


def edit_data(version, **sections):
    data = {key: version.text(key) for key in services.SECTIONS} | sections
    return data | {"base": version.number, "note": ""}


@pytest.fixture
def contact(personas):
    """A partner contact at org_a with no account."""
    return partner_services.contact_create(actor=personas.lead, organisation=personas.org_a, name="Rukhsana Begum",
                                           email="rukhsana@alpha.example.org")


@pytest.fixture
def issued(world, personas, contact):
    return services.plan_coauthor_link_issue(actor=personas.tutor, plan=world.project_a.plan, contact=contact)


# Through the link -----------------------------------------------------------------------------------------------------


def test_the_link_shows_the_plan_with_its_own_pages_only(world, client, issued):
    page = client.get(issued.path)
    assert page.status_code == 200
    html = page.content.decode()
    assert world.version_a.text("need") in html
    assert f'href="{issued.path}?do=edit"' in html
    assert f'action="{issued.path}?do=sign"' in html
    assert f'action="{issued.path}?do=comment"' in html
    assert "/programmes/projects/" not in html  # no page the contact cannot open
    assert "change_request_decide" not in html and "/decide/" not in html


def test_an_edit_through_the_link_is_a_version_by_the_partner_organisation(world, personas, client, issued,
                                                                           contact):
    assert client.get(f"{issued.path}?do=edit").status_code == 200
    response = client.post(f"{issued.path}?do=edit", edit_data(world.version_a, benefit="Sessions at our lunch club."))
    assert response.status_code == 302
    assert response["Location"] == issued.path
    version = world.project_a.plan.versions.get(number=2)
    assert (version.party, version.author, version.author_name, version.organisation, version.via_link) == (
        "partner", None, contact.name, personas.org_a, issued.link)
    assert version.text("benefit") == "Sessions at our lunch club."
    assert LinkUse.objects.filter(link=issued.link, action="edited").exists()
    shares, _ = selectors.plan_authorship(plan=world.project_a.plan)
    # The new section is all the partner's words: their share is its length over the whole plan's.
    assert shares["partner"] == pytest.approx(len("Sessions at our lunch club.") / sum(
        len(version.text(k)) for k in services.SECTIONS), abs=0.01)


def test_a_concurrent_edit_through_the_link_is_kept_as_a_draft_to_merge(world, personas, client, issued):
    plan = world.project_a.plan
    services.plan_edit(plan=plan, by=personas.tutor, party="tutor", base_number=1,
                       sections=texts(need="The tutor's need", aims=world.version_a.text("aims")))
    response = client.post(f"{issued.path}?do=edit", edit_data(world.version_a, need="The partner's need"))
    draft = plan.versions.get(status=VersionStatus.CONFLICT)
    assert response.status_code == 302
    assert response["Location"] == f"{issued.path}?do=version&v={draft.pk}"
    assert (draft.party, draft.organisation, draft.text("need")) == ("partner", world.project_a.organisations.get(),
                                                                     "The partner's need")
    plan.refresh_from_db()
    assert plan.current_version.text("need") == "The tutor's need"  # both versions survive
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["merge_form"] is not None
    assert f'action="{issued.path}?do=edit"' in page.content.decode()
    merged = client.post(f"{issued.path}?do=edit", edit_data(plan.current_version, need="Both needs")
                         | {"resolves": draft.pk})
    assert merged.status_code == 302
    draft.refresh_from_db()
    assert draft.resolved_by is not None and draft.resolved_by.text("need") == "Both needs"


def test_a_comment_and_a_change_request_through_the_link(world, personas, client, issued, contact):
    response = client.post(f"{issued.path}?do=comment", {"section": "aims", "body": "Tuesday suits us best."})
    assert response.status_code == 302
    comment = PlanComment.objects.get(body="Tuesday suits us best.")
    assert (comment.party, comment.author, comment.author_name, comment.organisation, comment.via_link) == (
        "partner", None, contact.name, personas.org_a, issued.link)
    assert client.get(f"{issued.path}?do=change&section=risks").status_code == 200
    response = client.post(f"{issued.path}?do=change", {"section": "risks", "proposed_text": "A DBS-checked host.",
                                                          "reason": "Safeguarding"})
    assert response.status_code == 302
    change = ChangeRequest.objects.get(proposed_text="A DBS-checked host.")
    assert (change.party, change.author, change.organisation, change.via_link) == (
        "partner", None, personas.org_a, issued.link)
    # Another party accepts it: the version is credited to the partner organisation.
    services.change_request_decide(change_request=change, by=personas.tutor, party="tutor", accept=True)
    change.refresh_from_db()
    version = change.resulting_version
    assert version is not None
    assert (version.party, version.organisation) == ("partner", personas.org_a)


def test_signing_through_the_link_completes_the_agreement(world, personas, client, issued, contact):
    plan = world.project_a.plan
    services.plan_sign(plan=plan, party="students", version_number=1, by=personas.student)
    services.plan_sign(plan=plan, party="tutor", version_number=1, by=personas.tutor)
    assert client.post(f"{issued.path}?do=sign", {"version": 1}).status_code == 302  # unconfirmed: nothing
    assert not PlanSignature.objects.filter(party="partner").exists()
    response = client.post(f"{issued.path}?do=sign", {"version": 1, "confirm": "on"})
    assert response.status_code == 302
    signature = PlanSignature.objects.get(party="partner")
    assert (signature.user, signature.name, signature.organisation, signature.via_link) == (
        None, contact.name, personas.org_a, issued.link)
    plan.refresh_from_db()
    assert plan.is_agreed
    assert plan.project.stage == ProjectStage.PLAN_AGREED
    assert client.get(issued.path).context["already_signed"] is True


def test_the_link_signs_only_the_current_version(world, personas, client, issued):
    services.plan_edit(plan=world.project_a.plan, by=personas.tutor, party="tutor", base_number=1,
                       sections=texts(need="Changed"))
    client.post(f"{issued.path}?do=sign", {"version": 1, "confirm": "on"})
    assert not PlanSignature.objects.exists()


# Deciding change requests through the link --------------------------------------------------------------------------


@pytest.fixture
def student_change(world, personas):
    return services.change_request_create(plan=world.project_a.plan, by=personas.student, party="students",
                                          section="risks", proposed_text="We meet in pairs, never alone.",
                                          reason="Safety")


def test_the_link_page_offers_to_decide_another_partys_change_request(client, issued, student_change, world):
    html = client.get(issued.path).content.decode()
    assert f'action="{issued.path}?do=decide&amp;cr={student_change.pk}"' in html
    # The partner's own change request (world.change_a) has no buttons on the partner's link page.
    assert f"cr={world.change_a.pk}" not in html
    assert "/decide/" not in html


def test_a_link_partner_accepts_a_students_change_request(world, personas, client, issued, contact, student_change):
    response = client.post(f"{issued.path}?do=decide&cr={student_change.pk}", {"decision": "accept"})
    assert response.status_code == 302
    assert response["Location"] == issued.path
    student_change.refresh_from_db()
    assert student_change.status == "accepted"
    assert (student_change.decided_by, student_change.decided_by_name, student_change.decided_via_link) == (
        None, contact.name, issued.link)
    version = student_change.resulting_version
    assert version is not None
    assert (version.number, version.party, version.author) == (2, "students", personas.student)
    assert version.text("risks") == "We meet in pairs, never alone."
    assert contact.name in version.note
    plan = world.project_a.plan
    plan.refresh_from_db()
    assert plan.current_version == version
    assert LinkUse.objects.filter(link=issued.link, action="accepted a change").exists()
    event = AuditEvent.objects.get(object_type="programmes.ChangeRequest", object_id=str(student_change.pk),
                                   action="change")
    assert event.actor is None and contact.name in event.summary and "signed link" in event.summary


def test_a_link_partner_declines_a_students_change_request(world, client, issued, contact, student_change):
    response = client.post(f"{issued.path}?do=decide&cr={student_change.pk}", {"decision": "decline"})
    assert response.status_code == 302
    student_change.refresh_from_db()
    assert (student_change.status, student_change.decided_by_name, student_change.resulting_version) == (
        "declined", contact.name, None)
    assert world.project_a.plan.versions.count() == 1
    # Decided once: a second decision through the link changes nothing.
    client.post(f"{issued.path}?do=decide&cr={student_change.pk}", {"decision": "accept"})
    student_change.refresh_from_db()
    assert student_change.status == "declined"
    assert world.project_a.plan.versions.count() == 1


def test_a_link_partner_cannot_decide_their_own_partys_change_request(world, client, issued):
    response = client.post(f"{issued.path}?do=decide&cr={world.change_a.pk}", {"decision": "accept"})
    assert response.status_code == 302
    world.change_a.refresh_from_db()
    assert (world.change_a.status, world.change_a.decided_by_name) == ("open", "")
    assert world.project_a.plan.versions.count() == 1


def test_a_change_request_of_another_plan_is_a_404_through_the_link(world, client, issued):
    other = services.change_request_create(plan=world.project_b.plan, by=world.student_b, party="students",
                                           section="risks", proposed_text="Other plan's change.")
    assert client.post(f"{issued.path}?do=decide&cr={other.pk}", {"decision": "accept"}).status_code == 404
    assert client.get(f"{issued.path}?do=decide&cr={other.pk}").status_code == 404
    other.refresh_from_db()
    assert other.status == "open"
    assert world.project_b.plan.versions.count() == 1


def test_deciding_needs_a_post_and_a_change_request(client, issued, student_change):
    assert client.get(f"{issued.path}?do=decide&cr={student_change.pk}").status_code == 404
    assert client.post(f"{issued.path}?do=decide&cr=x", {"decision": "accept"}).status_code == 404
    student_change.refresh_from_db()
    assert student_change.status == "open"


def test_an_expired_link_decides_nothing(world, personas, client, contact, student_change):
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC), tick=False):
        issued = services.plan_coauthor_link_issue(actor=personas.tutor, plan=world.project_a.plan, contact=contact,
                                                   days=7)
    with time_machine.travel(dt.datetime(2026, 3, 9, 9, tzinfo=dt.UTC), tick=False):
        response = client.post(f"{issued.path}?do=decide&cr={student_change.pk}", {"decision": "accept"})
    assert response.status_code == 410
    student_change.refresh_from_db()
    assert student_change.status == "open"
    assert world.project_a.plan.versions.count() == 1


def test_the_decide_form_of_the_link_is_csrf_protected(world, client, issued, student_change):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(f"{issued.path}?do=decide&cr={student_change.pk}", {"decision": "accept"}).status_code == 403
    student_change.refresh_from_db()
    assert student_change.status == "open"


def test_a_signed_in_partner_still_decides_through_the_app(world, personas, client, student_change):
    client.force_login(personas.partner_a)
    response = client.post(f"/programmes/plan/changes/{student_change.pk}/decide/", {"decision": "accept"})
    assert response.status_code == 302
    assert response["Location"] == f"/programmes/projects/{world.project_a.pk}/plan/"
    student_change.refresh_from_db()
    assert (student_change.status, student_change.decided_by, student_change.decided_by_name,
            student_change.decided_via_link) == ("accepted", personas.partner_a, str(personas.partner_a), None)


# What the link does not grant -----------------------------------------------------------------------------------------


def test_an_expired_or_revoked_link_is_gone(world, personas, client, contact):
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC), tick=False):
        issued = services.plan_coauthor_link_issue(actor=personas.tutor, plan=world.project_a.plan, contact=contact,
                                                   days=7)
    with time_machine.travel(dt.datetime(2026, 3, 9, 9, tzinfo=dt.UTC), tick=False):
        assert client.get(issued.path).status_code == 410
        assert client.post(f"{issued.path}?do=edit", edit_data(world.version_a, aims="X")).status_code == 410
    revoked = services.plan_coauthor_link_issue(actor=personas.tutor, plan=world.project_a.plan, contact=contact)
    link_services.link_revoke(actor=personas.tutor, link=revoked.link)
    assert client.post(f"{revoked.path}?do=comment", {"section": "aims", "body": "Hi"}).status_code == 410
    assert client.post(f"{revoked.path}?do=sign", {"version": 1, "confirm": "on"}).status_code == 410
    assert world.project_a.plan.versions.count() == 1
    assert not PlanComment.objects.filter(body="Hi").exists()
    assert not PlanSignature.objects.exists()


def test_a_tampered_token_opens_nothing(client, issued):
    assert client.get(f"{issued.path[:-2]}x/").status_code == 404


def test_other_purposes_do_not_co_author(world, personas, client, contact):
    sign_link = services.plan_sign_link_issue(actor=personas.tutor, plan=world.project_a.plan, contact=contact)
    client.post(f"{sign_link.path}?do=edit", edit_data(world.version_a, aims="Smuggled"))
    feedback_link = services.feedback_link_issue(actor=personas.tutor, project=world.project_a, contact=contact)
    client.post(f"{feedback_link.path}?do=edit", edit_data(world.version_a, aims="Smuggled"))
    assert not world.project_a.plan.versions.filter(number=2).exists()
    # A co-author link on something that is not a plan opens nothing.
    odd = link_services.link_issue(actor=personas.tutor, purpose="coauthor_plan", target=world.project_a,
                                   recipient_name="X", params={"organisation": personas.org_a.pk})
    assert client.get(odd.path).status_code == 404


def test_the_link_reaches_no_other_project_and_no_other_action(world, personas, client, issued):
    assert client.get(f"{issued.path}?do=version&v={world.version_b.pk}").status_code == 404
    assert client.get(f"{issued.path}?do=version&v={world.version_a.pk}").status_code == 200
    assert client.get(f"{issued.path}?do=decide").status_code == 404
    assert client.post(f"{issued.path}?do=decide", {"decision": "accept"}).status_code == 404
    assert client.get(f"{issued.path}?do=sign").status_code == 404
    # Fields naming another plan's draft or another organisation change nothing.
    client.post(f"{issued.path}?do=edit", edit_data(world.version_a, aims="Ours") | {
        "resolves": world.version_b.pk, "organisation": personas.org_b.pk, "plan": world.project_b.plan.pk})
    assert world.project_b.plan.versions.count() == 1
    assert world.project_a.plan.versions.get(number=2).organisation == personas.org_a


def test_the_link_stops_when_the_organisation_leaves_the_project(world, personas, client, issued):
    world.project_a.organisations.set([personas.org_b])
    assert client.get(issued.path).status_code == 404


# Issuing the link -----------------------------------------------------------------------------------------------------


def test_a_tutor_issues_a_co_author_link_from_the_plan_page(world, personas, client, contact):
    client.force_login(personas.tutor)
    page = client.get(f"/programmes/projects/{world.project_a.pk}/plan/")
    assert 'value="coauthor_plan"' in page.content.decode()
    response = client.post(f"/programmes/projects/{world.project_a.pk}/plan/link/",
                           {"contact": contact.pk, "days": 14, "purpose": "coauthor_plan"})
    assert response.status_code == 200
    link = SignedLink.objects.get(purpose="coauthor_plan")
    assert (link.target, link.contact, link.params) == (world.project_a.plan, contact,
                                                        {"organisation": personas.org_a.pk})
    assert "co-author" in response.content.decode()


def test_no_co_author_link_for_a_contact_of_another_organisation(world, personas):
    stranger = personas.org_b.contacts.first()
    with pytest.raises(ValidationError):
        services.plan_coauthor_link_issue(actor=personas.tutor, plan=world.project_a.plan, contact=stranger)


# Several partner organisations ----------------------------------------------------------------------------------------


@pytest.fixture
def two_partners(world, personas):
    world.project_a.organisations.add(personas.org_b)
    plan = world.project_a.plan
    services.plan_sign(plan=plan, party="students", version_number=1, by=personas.student)
    services.plan_sign(plan=plan, party="tutor", version_number=1, by=personas.tutor)
    return plan


def test_one_of_two_partners_signing_does_not_agree_the_plan(two_partners, personas):
    services.plan_sign(plan=two_partners, party="partner", version_number=1, by=personas.partner_a)
    two_partners.refresh_from_db()
    assert not two_partners.is_agreed
    assert selectors.plan_overview(plan=two_partners).missing_parties == ["Partner (Bravo Community Trust)"]
    with pytest.raises(ValidationError, match="Alpha Health Forum has already signed"):
        services.plan_sign(plan=two_partners, party="partner", version_number=1, by=personas.partner_a)


def test_each_partner_signing_agrees_the_plan_and_an_edit_voids_both(two_partners, personas, client):
    services.plan_sign(plan=two_partners, party="partner", version_number=1, by=personas.partner_a)
    contact_b = personas.org_b.contacts.first()
    link_b = services.plan_coauthor_link_issue(actor=personas.tutor, plan=two_partners, contact=contact_b)
    client.post(f"{link_b.path}?do=sign", {"version": 1, "confirm": "on"})
    two_partners.refresh_from_db()
    assert two_partners.is_agreed
    assert set(PlanSignature.objects.filter(party="partner").values_list("organisation", flat=True)) == {
        personas.org_a.pk, personas.org_b.pk}
    services.plan_edit(plan=two_partners, by=personas.student, party="students", base_number=1,
                       sections=texts(need="Edited"))
    partner_signatures = PlanSignature.objects.filter(party="partner")
    assert partner_signatures.count() == 2
    assert all(s.voided_at is not None for s in partner_signatures)
    two_partners.refresh_from_db()
    assert not two_partners.is_agreed


def test_the_plan_page_and_the_board_name_the_organisation_yet_to_sign(two_partners, world, personas, client):
    services.plan_sign(plan=two_partners, party="partner", version_number=1, by=personas.partner_a)
    client.force_login(personas.lead)
    page = client.get(f"/programmes/projects/{world.project_a.pk}/plan/").content.decode()
    assert "Not yet agreed: awaiting Partner (Bravo Community Trust)." in page
    assert "Partner (Alpha Health Forum): <span class=\"status-ok\">signed</span>" in page
    assert "Partner (Bravo Community Trust): not signed" in page
    board = client.get(f"/programmes/cohorts/{world.cohort.pk}/")
    row = next(r for c in board.context["columns"] for r in c.rows if r.project == world.project_a)
    assert row.awaiting == ["Partner (Bravo Community Trust)"]
    awaiting = board.content.decode().split('id="awaiting-h"', 1)[1].split("</section>", 1)[0]
    assert "Diabetes in Bengali</a> (Group A): awaiting Partner (Bravo Community Trust)" in awaiting


def test_a_signed_in_partner_signs_for_their_own_organisation(two_partners, personas, client):
    client.force_login(personas.partner_b)
    client.post(f"/programmes/projects/{two_partners.project_id}/plan/sign/", {"version": 1, "confirm": "on"})
    assert PlanSignature.objects.get(party="partner").organisation == personas.org_b
    page = client.get(f"/programmes/projects/{two_partners.project_id}/plan/")
    assert page.context["already_signed"] is True
    client.force_login(personas.partner_a)
    assert client.get(f"/programmes/projects/{two_partners.project_id}/plan/").context["already_signed"] is False


def test_a_sign_link_signs_for_its_contacts_organisation(two_partners, personas, client):
    services.plan_sign(plan=two_partners, party="partner", version_number=1, by=personas.partner_a)
    issued = services.plan_sign_link_issue(actor=personas.tutor, plan=two_partners,
                                           contact=personas.org_b.contacts.first())
    response = client.post(issued.path, {"version": 1, "confirm": "on", "name": "Partner B"})
    assert b"You signed version 1" in response.content
    assert PlanSignature.objects.get(party="partner", via_link=issued.link).organisation == personas.org_b
    two_partners.refresh_from_db()
    assert two_partners.is_agreed


def test_a_sign_link_of_an_organisation_that_left_the_project_signs_for_no_other(two_partners, personas, client):
    issued = services.plan_sign_link_issue(actor=personas.tutor, plan=two_partners,
                                           contact=personas.org_a.contacts.first())
    two_partners.project.organisations.set([personas.org_b])
    client.post(issued.path, {"version": 1, "confirm": "on", "name": "Partner A"})
    assert not PlanSignature.objects.filter(party="partner").exists()
