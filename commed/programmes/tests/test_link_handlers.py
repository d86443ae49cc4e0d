"""The three signed-link purposes: propose a need, sign plan version N, give feedback (once)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from commed.links import services as link_services
from commed.links.models import LinkUse
from commed.partners.models import Interaction, LedgerEntry
from commed.programmes import link_handlers, services
from commed.programmes.models import CheckInResponse, Opportunity, PartnerFeedback, PlanSignature


@pytest.fixture
def contact_a(personas):
    return personas.org_a.contacts.first()


def test_a_partner_without_an_account_proposes_a_need_through_a_link(personas, client, contact_a):
    issued = services.propose_link_issue(actor=personas.lead, contact=contact_a)
    assert client.get(issued.path).status_code == 200
    response = client.post(issued.path, {
        "your_name": "Rukhsana Begum", "title": "Diabetes and Ramadan", "health_need": "Fasting safely",
        "people_concerned": "Older people", "students_wanted": 4,
    })
    assert response.status_code == 200
    assert b"reached the programme team" in response.content
    opportunity = Opportunity.objects.get()
    assert (opportunity.organisation, opportunity.proposed_by, opportunity.proposed_by_name) == (
        personas.org_a, None, "Rukhsana Begum")
    assert opportunity.via_link == issued.link
    assert LinkUse.objects.filter(link=issued.link, action="submitted").exists()


def test_a_propose_link_cannot_propose_for_another_organisation(personas, client, contact_a):
    issued = services.propose_link_issue(actor=personas.lead, contact=contact_a)
    client.post(issued.path, {"your_name": "X", "title": "T", "health_need": "N", "people_concerned": "P",
                              "students_wanted": 2, "organisation": personas.org_b.pk})
    assert Opportunity.objects.get().organisation == personas.org_a


def test_the_partner_signs_the_named_version_through_a_link(world, personas, client, contact_a):
    issued = services.plan_sign_link_issue(actor=personas.tutor, plan=world.project_a.plan, contact=contact_a)
    page = client.get(issued.path)
    assert page.status_code == 200
    assert world.version_a.text("need").encode() in page.content
    response = client.post(issued.path, {"version": 1, "confirm": "on", "name": "Rukhsana Begum"})
    assert b"You signed version 1" in response.content
    signature = PlanSignature.objects.get()
    assert (signature.party, signature.user, signature.name, signature.via_link) == (
        "partner", None, "Rukhsana Begum", issued.link)


def test_a_sign_link_for_an_edited_plan_no_longer_signs(world, personas, client, contact_a):
    issued = services.plan_sign_link_issue(actor=personas.tutor, plan=world.project_a.plan, contact=contact_a)
    services.plan_edit(plan=world.project_a.plan, by=personas.tutor, party="tutor", base_number=1,
                       sections={"need": "Changed"})
    assert client.get(issued.path).status_code == 409
    response = client.post(issued.path, {"version": 1, "confirm": "on", "name": "R"})
    assert response.status_code == 409
    assert not PlanSignature.objects.exists()


def test_a_sign_link_refuses_a_version_smuggled_into_the_form(world, personas, client, contact_a):
    issued = services.plan_sign_link_issue(actor=personas.tutor, plan=world.project_a.plan, contact=contact_a)
    assert client.post(issued.path, {"version": 7, "confirm": "on", "name": "R"}).status_code == 404
    assert not PlanSignature.objects.exists()


def test_an_expired_sign_link_is_gone(world, personas, client, contact_a):
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC), tick=False):
        issued = services.plan_sign_link_issue(actor=personas.tutor, plan=world.project_a.plan, contact=contact_a,
                                               days=7)
    with time_machine.travel(dt.datetime(2026, 3, 9, 9, tzinfo=dt.UTC), tick=False):
        response = client.post(issued.path, {"version": 1, "confirm": "on", "name": "R"})
    assert response.status_code == 410
    assert not PlanSignature.objects.exists()


def test_a_revoked_feedback_link_is_gone(world, personas, client, contact_a):
    issued = services.feedback_link_issue(actor=personas.lead, project=world.project_a, contact=contact_a)
    link_services.link_revoke(actor=personas.lead, link=issued.link)
    assert client.get(issued.path).status_code == 410


def test_a_tampered_token_is_not_found(world, personas, client, contact_a):
    issued = services.feedback_link_issue(actor=personas.lead, project=world.project_a, contact=contact_a)
    tampered = issued.token[:-2] + ("xy" if not issued.token.endswith("xy") else "zz")
    assert client.get(reverse("links:open", kwargs={"token": tampered})).status_code == 404


def test_a_feedback_link_cannot_be_used_to_sign(world, personas, rf, client, contact_a):
    issued = services.feedback_link_issue(actor=personas.lead, project=world.project_a, contact=contact_a)
    # Posting signing data to the feedback link reaches only the feedback handler, which signs nothing.
    response = client.post(issued.path, {"version": 1, "confirm": "on", "name": "R"})
    assert response.status_code == 200
    assert not PlanSignature.objects.exists()
    # And the signing handler refuses a link of another purpose outright.
    with pytest.raises(link_services.LinkInvalid):
        link_services.link_resolve(token=issued.token, purpose="sign_plan")
    from django.http import Http404
    with pytest.raises(Http404):
        link_handlers.sign_plan(rf.get("/"), issued.link)


def feedback_data(**extra):
    return {"name": "Rukhsana Begum", "about_students": "Punctual and kind.", "about_project": "Useful.",
            "about_partnership": "Good.", "would_host_again": "on", "shaped": "4", "benefit": "3"} | extra


def test_feedback_is_taken_once_and_enters_the_ledger_and_timeline(world, personas, client, contact_a):
    issued = services.feedback_link_issue(actor=personas.lead, project=world.project_a, contact=contact_a)
    response = client.post(issued.path, feedback_data())
    assert b"Thank you for your feedback" in response.content
    feedback = PartnerFeedback.objects.get()
    assert (feedback.organisation, feedback.via_link) == (personas.org_a, issued.link)
    assert CheckInResponse.objects.get().answers == {"shaped": 4, "benefit": 3}
    assert LedgerEntry.objects.filter(partnership__organisation=personas.org_a, direction="to_school").exists()
    assert Interaction.objects.filter(organisation=personas.org_a, summary__contains="gave feedback").exists()
    # Used up: a second submission is refused and nothing more is recorded.
    again = client.post(issued.path, feedback_data(about_project="Again"))
    assert again.status_code == 410
    assert PartnerFeedback.objects.count() == 1


def test_a_feedback_link_is_only_issued_to_a_contact_of_the_project(world, personas, contact_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.feedback_link_issue(actor=personas.lead, project=world.project_b, contact=contact_a)


def test_the_signing_link_is_issued_from_the_plan_page_by_the_tutor(world, personas, client, contact_a):
    client.force_login(personas.tutor)
    response = client.post(f"/programmes/projects/{world.project_a.pk}/plan/link/", {"contact": contact_a.pk,
                                                                                     "days": 14})
    assert response.status_code == 200
    link = response.context["issued"].link
    assert (link.purpose, link.params, link.target) == ("sign_plan", {"version": 1}, world.project_a.plan)
