"""Partners rank the students who chose them: through a `rank_applicants` link or signed in, and a stable run
then follows the ranking."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from commed.allocation import selectors, services
from commed.allocation.models import AllocationRun, PartnerRanking, RunStatus
from commed.allocation.rules import RunRules, project_key, student_key
from commed.audit.models import AuditEvent
from commed.links.models import LinkUse, SignedLink
from commed.links.services import IssuedLink, link_revoke
from commed.programmes.models import Project
from commed_core.allocation import blocking_pairs, parse_problem


def issue(personas, world, organisation, cohort=None) -> IssuedLink:
    return services.partner_ranking_link_issue(
        actor=personas.lead, cohort=cohort or world.cohort, contact=organisation.contacts.get()
    )


def ranks_of(cohort, organisation) -> list[tuple[str, int]]:
    return [
        (str(r.student), r.rank)
        for r in PartnerRanking.objects.filter(cohort=cohort, organisation=organisation)
        .select_related("student")
        .order_by("rank")
    ]


# The lead's page and the link ---------------------------------------------------------------------------------------


def test_the_lead_sends_a_partner_contact_a_ranking_link_from_the_cohort_page(personas, world):
    client = personas.client("lead")
    page = client.get(reverse("allocation:cohort", kwargs={"pk": world.cohort.pk})).content.decode()
    assert "Partners' rankings of students" in page
    assert "Alpha Health Forum" in page and "Bravo Community Trust" in page
    assert "not yet" in page
    contact = personas.org_a.contacts.get()
    response = client.post(
        reverse("allocation:partner_ranking_link", kwargs={"pk": world.cohort.pk}), {"contact": contact.pk}
    )
    assert response.status_code == 200
    link = SignedLink.objects.get(purpose="rank_applicants")
    assert link.target == world.cohort and link.params == {"organisation": personas.org_a.pk}
    assert link.contact == contact and link.created_by == personas.lead
    assert response.context["issued"].url in response.content.decode()


def test_a_link_is_refused_for_a_contact_of_an_organisation_that_is_not_a_partner_of_the_cohort(personas, world):
    # org_a has no project in the other cohort.
    with pytest.raises(ValidationError, match="not at a partner organisation"):
        issue(personas, world, personas.org_a, cohort=world.other_cohort)
    client = personas.client("lead")
    response = client.post(
        reverse("allocation:partner_ranking_link", kwargs={"pk": world.other_cohort.pk}),
        {"contact": personas.org_a.contacts.get().pk},
    )
    assert response.status_code == 302
    assert not SignedLink.objects.filter(purpose="rank_applicants").exists()


def test_the_link_page_shows_only_the_partners_applicants_and_their_choices_of_its_projects(personas, world):
    issued = issue(personas, world, personas.org_b)
    page = Client().get(issued.path)
    assert page.status_code == 200
    text = page.content.decode()
    # org_b's only project is Football: chosen by student, alloc2, alloc3 and alloc5, not by alloc1 or alloc4.
    for student in (world.students[0], world.students[2], world.students[3], world.students[5]):
        assert str(student) in text
    for student in (world.students[1], world.students[4]):
        assert str(student) not in text
    assert "Football and mental health (choice 1)" in text  # alloc3 put it first
    # Nothing the partner does not need: no other partner's projects, e-mail addresses or attributes.
    assert "Diabetes in Bengali" not in text and "Falls at home" not in text
    assert "@test.commed.invalid" not in text
    assert "Widening" not in text and "gender" not in text.lower()
    assert page["Cache-Control"] == "no-store"


def test_a_partner_contact_ranks_through_the_link_and_it_is_audited(personas, world):
    issued = issue(personas, world, personas.org_b)
    s0, s2, s3, s5 = world.students[0], world.students[2], world.students[3], world.students[5]
    client = Client()
    response = client.post(
        issued.path, {f"rank_{s3.pk}": "1", f"rank_{s0.pk}": "2", f"rank_{s5.pk}": "3", f"rank_{s2.pk}": ""}
    )
    assert response.status_code == 302 and response["Location"] == issued.path
    assert ranks_of(world.cohort, personas.org_b) == [(str(s3), 1), (str(s0), 2), (str(s5), 3)]
    row = PartnerRanking.objects.filter(organisation=personas.org_b).first()
    assert row is not None
    assert row.via_link == issued.link and row.ranked_by is None and row.ranked_by_name == "Partner B"
    assert row.ranked_at is not None
    event = AuditEvent.objects.get(summary__contains="ranked 3 students")
    assert event.actor is None and "through a signed link for Partner B" in event.summary
    assert event.changes["ranking"] == [[], [str(s3), str(s0), str(s5)]]
    assert LinkUse.objects.filter(link=issued.link, action="ranked").count() == 1
    # The page shows the saved ranking (and can be used again) ...
    page = client.get(issued.path).content.decode()
    assert "is saved" in page and 'value="1"' in page
    # ... and the lead's cohort page says who ranked and when.
    lead_page = personas.client("lead").get(reverse("allocation:cohort", kwargs={"pk": world.cohort.pk}))
    assert "3 students" in lead_page.content.decode() and "by Partner B" in lead_page.content.decode()
    assert selectors.partner_ranking_overview(cohort=world.cohort)[1].ranked == 3


def test_bad_ranks_through_the_link_are_named_and_nothing_is_written(personas, world):
    issued = issue(personas, world, personas.org_b)
    s0, s2, s3 = world.students[0], world.students[2], world.students[3]
    client = Client()
    client.post(issued.path, {f"rank_{s3.pk}": "1"})
    duplicate = client.post(issued.path, {f"rank_{s0.pk}": "1", f"rank_{s2.pk}": "1"})
    assert duplicate.status_code == 200
    # In the page's order (by name).
    assert f"{s2} and {s0} both have rank 1; give each student a different rank." in duplicate.content.decode()
    gap = client.post(issued.path, {f"rank_{s0.pk}": "1", f"rank_{s2.pk}": "3"})
    assert f"{s2} has rank 3 but no student has rank 2" in gap.content.decode()
    negative = client.post(issued.path, {f"rank_{s0.pk}": "0"})
    assert f"{s0}: a rank is a whole number from 1" in negative.content.decode()
    word = client.post(issued.path, {f"rank_{s0.pk}": "first"})
    assert f"{s0}: write the rank as a whole number" in word.content.decode()
    assert ranks_of(world.cohort, personas.org_b) == [(str(s3), 1)]


def test_the_link_grants_its_own_organisation_and_cohort_only(personas, world):
    # A link for org_b in the other cohort: nobody of this cohort is listed, and their ranks cannot be posted.
    issued = issue(personas, world, personas.org_b, cohort=world.other_cohort)
    client = Client()
    page = client.get(issued.path).content.decode()
    assert "No student has chosen a project of Bravo Community Trust" in page
    s0 = world.students[0]
    client.post(issued.path, {f"rank_{s0.pk}": "1"})
    assert not PartnerRanking.objects.exists()
    # An organisation that is no longer a partner of the cohort: its link opens nothing.
    own = issue(personas, world, personas.org_b)
    world.football.organisations.set([personas.org_a])
    assert client.get(own.path).status_code == 404
    # A link of another purpose on the same cohort is not a ranking link.
    SignedLink.objects.filter(pk=own.link.pk).update(purpose="give_feedback")
    assert client.get(own.path).status_code == 404


def test_an_expired_or_revoked_link_ranks_nothing(personas, world):
    s0 = world.students[0]
    with time_machine.travel(dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC), tick=False):
        expiring = issue(personas, world, personas.org_b)
    with time_machine.travel(dt.datetime(2026, 2, 1, 9, tzinfo=dt.UTC), tick=False):
        response = Client().post(expiring.path, {f"rank_{s0.pk}": "1"})
    assert response.status_code == 410 and b"expired" in response.content
    revoked = issue(personas, world, personas.org_b)
    link_revoke(actor=personas.lead, link=revoked.link)
    response = Client().post(revoked.path, {f"rank_{s0.pk}": "1"})
    assert response.status_code == 410 and b"withdrawn" in response.content
    assert not PartnerRanking.objects.exists()


def test_the_ranking_closes_once_the_allocation_is_published(personas, world):
    issued = issue(personas, world, personas.org_b)
    s0 = world.students[0]
    services.run_publish(actor=personas.lead, run=world.run)
    client = Client()
    page = client.get(issued.path).content.decode()
    assert "can no longer change" in page and "Save the ranking" not in page
    client.post(issued.path, {f"rank_{s0.pk}": "1"})
    assert not PartnerRanking.objects.exists()
    with pytest.raises(ValidationError, match="has been published"):
        services.partner_ranking_replace(
            actor=personas.lead, cohort=world.cohort, organisation=personas.org_b, ranks=[(s0, 1)]
        )
    with pytest.raises(ValidationError, match="has been published"):
        issue(personas, world, personas.org_b)
    assert (
        "Send a link"
        not in personas.client("lead")
        .get(reverse("allocation:cohort", kwargs={"pk": world.cohort.pk}))
        .content.decode()
    )


# Signed in ----------------------------------------------------------------------------------------------------------


def test_a_signed_in_partner_contact_ranks_their_own_organisations_applicants(personas, world):
    client = personas.client("partner_a")
    index = client.get(reverse("allocation:index")).content.decode()
    url = reverse("allocation:partner_ranking", kwargs={"pk": world.cohort.pk, "organisation": personas.org_a.pk})
    assert url in index
    assert "Bravo Community Trust" not in index
    s1, s4 = world.students[1], world.students[4]
    assert client.post(url, {f"rank_{s4.pk}": "1", f"rank_{s1.pk}": "2"}).status_code == 302
    assert ranks_of(world.cohort, personas.org_a) == [(str(s4), 1), (str(s1), 2)]
    row = PartnerRanking.objects.filter(organisation=personas.org_a).first()
    assert row is not None and row.ranked_by == personas.partner_a and row.via_link is None
    assert AuditEvent.objects.filter(actor=personas.partner_a, summary="Alpha Health Forum ranked 2 students").exists()


def test_a_partner_contact_reaches_neither_another_organisation_nor_a_cohort_it_is_not_a_partner_of(personas, world):
    client = personas.client("partner_a")
    other_org = reverse("allocation:partner_ranking", kwargs={"pk": world.cohort.pk, "organisation": personas.org_b.pk})
    other_cohort = reverse(
        "allocation:partner_ranking", kwargs={"pk": world.other_cohort.pk, "organisation": personas.org_a.pk}
    )
    assert client.get(other_org).status_code == 404
    assert client.post(other_org, {f"rank_{world.students[0].pk}": "1"}).status_code == 404
    assert client.get(other_cohort).status_code == 404
    assert not PartnerRanking.objects.exists()


# The service --------------------------------------------------------------------------------------------------------


def test_the_service_names_each_student_and_writes_nothing_on_bad_input(personas, world):
    s0, s1, s2, s3 = world.students[:4]
    services.partner_ranking_replace(
        actor=personas.lead, cohort=world.cohort, organisation=personas.org_b, ranks=[(s3, 1), (s0, 2)]
    )

    def refused(ranks) -> list[str]:
        with pytest.raises(ValidationError) as caught:
            services.partner_ranking_replace(
                actor=personas.lead, cohort=world.cohort, organisation=personas.org_b, ranks=ranks
            )
        return caught.value.messages

    # alloc1 chose only org_a's projects.
    assert refused([(s1, 1)]) == [
        f"{s1} did not choose a project of Bravo Community Trust in {world.cohort}, so "
        "Bravo Community Trust cannot rank them."
    ]
    assert refused([(s0, 1), (s0, 2)]) == [f"{s0} is ranked twice."]
    assert refused([(s0, 1), (s2, 1), (s3, 1)]) == [
        f"{s0}, {s2} and {s3} all have rank 1; give each student a different rank."
    ]
    assert refused([(s0, 2), (s2, 5)]) == [
        f"{s0} has rank 2 but no student has rank 1; number the students 1, 2, 3 ... without gaps."
    ]
    assert refused([(s0, 1), (s2, 4)]) == [
        f"{s2} has rank 4 but no student has ranks 2 to 3; number the students 1, 2, 3 ... without gaps."
    ]
    assert refused([(s0, 0)]) == [f"{s0}: a rank is a whole number from 1 (1 = the student you would most like)."]
    assert ranks_of(world.cohort, personas.org_b) == [(str(s3), 1), (str(s0), 2)]
    # An empty ranking clears it.
    services.partner_ranking_replace(actor=personas.lead, cohort=world.cohort, organisation=personas.org_b, ranks=[])
    assert ranks_of(world.cohort, personas.org_b) == []


def test_a_project_that_is_complete_no_longer_counts_its_choosers(personas, world):
    s0 = world.students[0]
    Project.objects.filter(pk=world.football.pk).update(stage="complete")
    with pytest.raises(ValidationError, match="no project open for allocation"):
        services.partner_ranking_replace(
            actor=personas.lead, cohort=world.cohort, organisation=personas.org_b, ranks=[(s0, 1)]
        )


# The ranking in a stable run ------------------------------------------------------------------------------------------


def test_a_stable_run_follows_the_ranking_given_through_the_link(personas, world):
    # Four students put Diabetes (org_a, max 3) first; org_a ranks the last of them highest, through its link.
    first_choosers = [
        s
        for s in world.students
        if selectors.preferences_of(cohort=world.cohort, student=s)[0].project == world.diabetes
    ]
    assert len(first_choosers) == 4
    issued = issue(personas, world, personas.org_a)
    data = {f"rank_{s.pk}": str(rank) for rank, s in enumerate(reversed(first_choosers), start=1)}
    assert Client().post(issued.path, data).status_code == 302
    lead = personas.client("lead")
    response = lead.post(
        reverse("allocation:run_create", kwargs={"pk": world.cohort.pk}), {"objective": "stable", "time_limit": 10}
    )
    assert response.status_code == 302
    run = AllocationRun.objects.filter(cohort=world.cohort).order_by("-pk").first()
    assert run is not None and run != world.run and run.status == RunStatus.DONE
    partner = next(p for p in run.problem["partners"] if p["id"] == f"o{personas.org_a.pk}")
    assert partner["preferences"] == [student_key(s.pk) for s in reversed(first_choosers)]
    in_diabetes = {s for s, p in run.assignment.items() if p == project_key(world.diabetes.pk)}
    # The student org_a ranks last of the four is the one left out of Diabetes.
    assert student_key(first_choosers[0].pk) not in in_diabetes
    assert {student_key(s.pk) for s in first_choosers[1:]} <= in_diabetes
    assert blocking_pairs(parse_problem(run.problem), run.assignment) == []


def test_a_partner_sharing_a_project_with_an_earlier_partner_is_told_whose_ranking_counts(personas, world):
    assert personas.org_a.pk < personas.org_b.pk
    world.football.organisations.add(personas.org_a)  # Football is now shared; org_a comes first
    url = reverse("allocation:partner_ranking", kwargs={"pk": world.cohort.pk, "organisation": personas.org_b.pk})
    text = personas.client("partner_b").get(url).content.decode()
    assert (f"You share Football and mental health with {personas.org_a.name}: for that project the allocation "
            f"uses {personas.org_a.name}'s ranking and capacity, not yours.") in text
    own = reverse("allocation:partner_ranking", kwargs={"pk": world.cohort.pk, "organisation": personas.org_a.pk})
    assert "You share" not in personas.client("partner_a").get(own).content.decode()
    # what the note says is what the problem does
    problem = selectors.problem_build(cohort=world.cohort, rules=RunRules())
    football = next(p for p in problem["projects"] if p["id"] == project_key(world.football.pk))
    assert football["partner"] == f"o{personas.org_a.pk}"
