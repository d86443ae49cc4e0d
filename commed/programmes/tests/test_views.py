"""The journeys through the pages: opportunities, projects, the board, stages, the partner's history."""

import datetime as dt

import time_machine

from commed.programmes import services
from commed.programmes.models import Group, Opportunity, Project, ProjectStage


def test_a_signed_in_partner_proposes_and_a_lead_publishes_to_a_cohort(world, personas, client):
    client.force_login(personas.partner_a)
    response = client.post("/programmes/opportunities/propose/", {
        "title": "Falls prevention", "health_need": "Falls at home", "people_concerned": "Older people",
        "languages": "bn", "offer_venue": "Our hall", "students_wanted": 5})
    assert response.status_code == 302
    opportunity = Opportunity.objects.get(title="Falls prevention")
    assert (opportunity.organisation, opportunity.proposed_by) == (personas.org_a, personas.partner_a)
    client.force_login(personas.lead)
    response = client.post(f"/programmes/opportunities/{opportunity.pk}/review/",
                           {"decision": "published", "cohort": world.cohort.pk})
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.cohort, opportunity.reviewed_by) == ("published", world.cohort,
                                                                                 personas.lead)
    form = client.get(f"/programmes/cohorts/{world.cohort.pk}/projects/new/?opportunity={opportunity.pk}")
    assert form.context["form"].initial["title"] == "Falls prevention"


def test_publishing_needs_a_cohort(world, personas, client):
    client.force_login(personas.lead)
    response = client.post(f"/programmes/opportunities/{world.opportunity_a.pk}/review/", {"decision": "published"})
    assert response.status_code == 400
    assert "Choose the cohort" in response.content.decode()


def test_a_partner_sees_only_their_organisations_opportunities(world, personas, client):
    client.force_login(personas.partner_b)
    page = client.get("/programmes/opportunities/")
    assert list(page.context["opportunities"]) == [world.opportunity_b]


def test_a_project_copies_the_cohorts_key_dates_as_milestones(world, personas):
    project = services.project_create(actor=personas.lead, cohort=world.cohort, title="New",
                                      organisations=[personas.org_a])
    assert list(project.milestones.values_list("title", flat=True)) == ["Plan agreed"]
    services.key_date_add(actor=personas.lead, cohort=world.cohort, kind="report", title="Report",
                          due_on=dt.date(2026, 5, 1))
    assert project.milestones.count() == 2


def test_a_lead_forms_a_group_by_hand(world, personas, client):
    from conftest import make_user

    newcomer = make_user("newcomer", "student")
    client.force_login(personas.lead)
    response = client.post(f"/programmes/cohorts/{world.cohort.pk}/groups/new/", {
        "name": "Group N", "project": world.project_a.pk, "tutor": personas.tutor.pk,
        "members": f"{newcomer.email}\n"})
    assert response.status_code == 302
    assert list(Group.objects.get(name="Group N").memberships.values_list("student", flat=True)) == [newcomer.pk]


def test_the_board_groups_by_stage_and_shows_whose_signature_is_missing(world, personas, client):
    services.plan_sign(plan=world.project_a.plan, party="tutor", version_number=1, by=personas.tutor)
    client.force_login(personas.lead)
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC), tick=False):
        page = client.get(f"/programmes/cohorts/{world.cohort.pk}/")
    planning = next(c for c in page.context["columns"] if c.stage == ProjectStage.PLANNING)
    row = next(r for r in planning.rows if r.project == world.project_a)
    assert row.awaiting == ["Student group", "Partner (Alpha Health Forum)"]
    assert [m.title for m in row.overdue] == ["Plan agreed"]
    awaiting = page.content.decode().split('id="awaiting-h"', 1)[1].split("</section>", 1)[0]
    assert "Diabetes in Bengali</a> (Group A): awaiting Student group, Partner (Alpha Health Forum)" in awaiting
    assert ("Football and mental health</a> (Group B): awaiting Student group, Partner (Bravo Community Trust), "
            "Tutor") in awaiting


def test_the_board_shows_nothing_overdue_or_awaiting_for_a_complete_agreed_project(world, personas, client):
    plan = world.project_a.plan
    for party, who in (("students", personas.student), ("tutor", personas.tutor), ("partner", personas.partner_a)):
        services.plan_sign(plan=plan, party=party, version_number=1, by=who)
    services.project_set_stage(actor=personas.tutor, project=world.project_a, stage=ProjectStage.COMPLETE)
    client.force_login(personas.lead)
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC), tick=False):
        page = client.get(f"/programmes/cohorts/{world.cohort.pk}/")
    complete = next(c for c in page.context["columns"] if c.stage == ProjectStage.COMPLETE)
    row = next(r for r in complete.rows if r.project == world.project_a)
    assert (row.agreed, row.awaiting, row.overdue) == (True, [], [])
    assert "Diabetes in Bengali</a> (Group A)" not in page.content.decode().split('id="awaiting-h"', 1)[1].split(
        "</section>", 1)[0]


def test_the_board_filters_with_htmx(world, personas, client):
    client.force_login(personas.lead)
    page = client.get(f"/programmes/cohorts/{world.cohort.pk}/", {"tutor": world.tutor_b.pk},
                      headers={"HX-Request": "true"})
    assert page.templates[0].name == "programmes/_board.html"
    groups = [r.group.name for c in page.context["columns"] for r in c.rows]
    assert groups == ["Group B"]


def test_stages_are_moved_with_who_and_when(world, personas, client):
    with time_machine.travel(dt.datetime(2030, 2, 1, 9, tzinfo=dt.UTC), tick=False):
        client.force_login(personas.tutor)
        client.post(f"/programmes/projects/{world.project_a.pk}/stage/", {"stage": "delivering", "note": "Go"})
    change = world.project_a.stage_changes.first()
    assert (change.to_stage, change.by, change.at) == ("delivering", personas.tutor,
                                                       dt.datetime(2030, 2, 1, 9, tzinfo=dt.UTC))
    assert Project.objects.get(pk=world.project_a.pk).stage == "delivering"


def test_the_partner_history_lists_projects_across_years(world, personas, client):
    later = services.cohort_create(actor=personas.lead, programme=world.programme, academic_year="2026/27")
    services.project_create(actor=personas.lead, cohort=later, title="Second year", organisations=[personas.org_a])
    client.force_login(personas.partner_a)
    page = client.get(f"/programmes/partners/{personas.org_a.pk}/history/")
    assert [p.title for p in page.context["partner_projects"]] == ["Second year", "Diabetes in Bengali"]
    client.force_login(personas.tutor)
    page = client.get(f"/programmes/partners/{personas.org_a.pk}/history/")
    assert [p.title for p in page.context["partner_projects"]] == ["Diabetes in Bengali"]
    client.force_login(personas.lead)
    page = client.get(f"/programmes/partners/{personas.org_a.pk}/history/")
    html = page.content.decode()
    assert html.index("2026/27") < html.index("2025/26")  # newest year first, both years on one page
    # The partner's page in the directory leads there.
    detail = client.get(f"/partners/{personas.org_a.pk}/").content.decode()
    assert f'href="/programmes/partners/{personas.org_a.pk}/history/"' in detail
    # The coordinator, who keeps the directory, sees the list but cannot open the projects.
    client.force_login(personas.coordinator)
    page = client.get(f"/programmes/partners/{personas.org_a.pk}/history/")
    assert [p.title for p in page.context["partner_projects"]] == ["Second year", "Diabetes in Bengali"]
    assert page.context["openable"] == set()
    assert f'href="/programmes/projects/{world.project_a.pk}/"' not in page.content.decode()
    assert client.get(f"/programmes/projects/{world.project_a.pk}/").status_code == 404


def test_a_student_cannot_see_another_groups_plan_or_project(world, personas, client):
    client.force_login(personas.student)
    for url in (f"/programmes/projects/{world.project_b.pk}/", f"/programmes/projects/{world.project_b.pk}/plan/",
                f"/programmes/plan/versions/{world.version_b.pk}/",
                f"/programmes/reflections/{world.reflection_b.pk}/"):
        assert client.get(url).status_code == 404


def test_the_checkin_shows_the_gap_between_the_two_sides(world, personas, client):
    services.checkin_submit(project=world.project_a, side="partner", by=personas.partner_a,
                            answers={"shaped": 2, "benefit": 4})
    client.force_login(personas.tutor)
    client.post(f"/programmes/projects/{world.project_a.pk}/checkin/", {"shaped": "5", "benefit": "4"})
    page = client.get(f"/programmes/projects/{world.project_a.pk}/")
    gaps = {g.key: g.gap for g in page.context["gaps"]}
    assert gaps["shaped"] == 3.0 and gaps["benefit"] == 0.0 and gaps["respect"] is None


def test_partner_feedback_is_read_by_staff_and_its_own_partner_but_not_students_or_a_co_partner(world, personas,
                                                                                                client):
    world.project_a.organisations.add(personas.org_b)
    services.partner_feedback_submit(project=world.project_a, organisation=personas.org_a, by=personas.partner_a,
                                     about_students="Kind and punctual.", about_project="Useful.",
                                     about_partnership="Good.")
    url = f"/programmes/projects/{world.project_a.pk}/"
    for name, sees in (("lead", True), ("tutor", True), ("partner_a", True), ("partner_b", False),
                       ("student", False)):
        client.force_login(getattr(personas, name))
        page = client.get(url)
        assert page.status_code == 200
        assert ("Kind and punctual." in page.content.decode()) is sees, name
