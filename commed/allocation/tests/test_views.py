from __future__ import annotations

from django.urls import reverse

from commed.allocation.models import AllocationMove, AllocationRun, Preference, ProjectSetting, RunStatus
from commed.allocation.rules import project_key, student_key
from commed.programmes.models import GroupMembership


def test_a_student_ranks_projects(personas, world):
    client = personas.client("student")
    url = reverse("allocation:preferences", kwargs={"pk": world.cohort.pk})
    page = client.get(url)
    assert page.status_code == 200
    assert "Falls at home" in page.content.decode()
    response = client.post(url, {"choice_1": world.falls.pk, "choice_2": world.football.pk, "choice_3": ""})
    assert response.status_code == 302
    ranked = Preference.objects.filter(cohort=world.cohort, student=personas.student).order_by("rank")
    assert [p.project for p in ranked] == [world.falls, world.football]


def test_a_student_cannot_rank_a_project_twice_or_leave_gaps(personas, world):
    client = personas.client("student")
    url = reverse("allocation:preferences", kwargs={"pk": world.cohort.pk})
    twice = client.post(url, {"choice_1": world.falls.pk, "choice_2": world.falls.pk})
    assert twice.status_code == 200 and "already chosen" in twice.content.decode()
    gap = client.post(url, {"choice_1": "", "choice_2": world.falls.pk})
    assert gap.status_code == 200 and "fill the choices in order" in gap.content.decode()
    ranked = Preference.objects.filter(cohort=world.cohort, student=personas.student).order_by("rank")
    assert [p.project for p in ranked] == [world.diabetes, world.football, world.falls]


def test_a_student_sees_their_result_only_once_published(personas, world):
    client = personas.client("student")
    url = reverse("allocation:preferences", kwargs={"pk": world.cohort.pk})
    assert "Your result" not in client.get(url).content.decode()
    lead = personas.client("lead")
    lead.post(reverse("allocation:run_publish", kwargs={"pk": world.run.pk}), {"confirm": "on"})
    page = client.get(url).content.decode()
    assert "Your result" in page
    placed = world.run.assignment[student_key(personas.student.pk)]
    title = next(p.title for p in (world.diabetes, world.football, world.falls) if project_key(p.pk) == placed)
    assert title in page
    assert "Save my choices" not in page


def test_the_lead_runs_an_allocation_and_sees_the_result(personas, world):
    client = personas.client("lead")
    response = client.post(reverse("allocation:run_create", kwargs={"pk": world.cohort.pk}),
                           {"objective": "greedy", "partner_capacity": "on", "time_limit": 10,
                            "locked": f"{world.students[1].email}, Football and mental health"})
    run = AllocationRun.objects.filter(cohort=world.cohort).order_by("-pk").first()
    assert run is not None and run != world.run
    assert response.status_code == 302 and response["Location"] == reverse("allocation:run_detail",
                                                                          kwargs={"pk": run.pk})
    assert run.status == RunStatus.DONE
    assert run.assignment[student_key(world.students[1].pk)] == project_key(world.football.pk)
    page = client.get(response["Location"]).content.decode()
    for heading in ("Preference profile", "Fairness", "Blocking pairs", "why not a better choice", "Groups (",
                    "Widening participation"):
        assert heading in page


def test_a_bad_rule_line_is_refused_with_its_line(personas, world):
    client = personas.client("lead")
    response = client.post(reverse("allocation:run_create", kwargs={"pk": world.cohort.pk}),
                           {"objective": "rank_cost", "time_limit": 10, "apart": "nobody@example.org"})
    assert response.status_code == 200
    assert "Line 1: name exactly two students." in response.content.decode()
    assert AllocationRun.objects.filter(cohort=world.cohort).count() == 1


def test_the_lead_sets_their_own_rank_costs_and_the_run_keeps_them(personas, world):
    client = personas.client("lead")
    url = reverse("allocation:run_create", kwargs={"pk": world.cohort.pk})
    response = client.post(url, {"objective": "rank_cost", "time_limit": 10, "rank_costs": "0, 3; 4 10"})
    run = AllocationRun.objects.filter(cohort=world.cohort).order_by("-pk").first()
    assert run is not None and run != world.run and response.status_code == 302
    assert run.rules["rank_costs"] == [0, 3, 4, 10]
    assert run.problem["rules"]["rank_costs"] == [0, 3, 4, 10]
    assert run.status == RunStatus.DONE
    assert "costs of a 1st, 2nd ... choice: 0, 3, 4, 10" in client.get(response["Location"]).content.decode()
    # the next run starts from this one's rules
    assert 'value="0, 3, 4, 10"' in client.get(url).content.decode()


def test_the_first_choice_objective_runs(personas, world):
    client = personas.client("lead")
    url = reverse("allocation:run_create", kwargs={"pk": world.cohort.pk})
    response = client.post(url, {"objective": "first_choice", "time_limit": 10})
    run = AllocationRun.objects.filter(cohort=world.cohort).order_by("-pk").first()
    assert run is not None and response.status_code == 302
    assert run.status == RunStatus.DONE and run.problem["rules"]["objective"] == "first_choice"
    assert "rank_costs" not in run.problem["rules"]
    page = client.get(response["Location"]).content.decode()
    assert "Objective: Most first choices while keeping nearly everyone in their top 3." in page


def test_bad_rank_costs_are_refused_naming_the_choice(personas, world):
    client = personas.client("lead")
    url = reverse("allocation:run_create", kwargs={"pk": world.cohort.pk})
    for costs, objective, message in (
        ("0, 3, 3", "rank_cost", "Choice 3 must cost more than choice 2 (3)"),
        ("0, two", "rank_cost", "Choice 2: &#x27;two&#x27; is not a whole number of 0 or more."),
        ("0, -1", "rank_cost", "Choice 2: &#x27;-1&#x27; is not a whole number"),
        ("0, 1", "greedy", "Your own costs apply to the rank cost objective only"),
    ):
        response = client.post(url, {"objective": objective, "time_limit": 10, "rank_costs": costs})
        assert response.status_code == 200
        assert message in response.content.decode(), costs
    assert AllocationRun.objects.filter(cohort=world.cohort).count() == 1


def test_an_infeasible_run_shows_the_conflicts_in_words(personas, world):
    ProjectSetting.objects.filter(project=world.falls).update(min_size=3, max_size=3, may_close=False,
                                                             languages={"so": 1})
    client = personas.client("lead")
    response = client.post(reverse("allocation:run_create", kwargs={"pk": world.cohort.pk}),
                           {"objective": "rank_cost", "time_limit": 10})
    page = client.get(response["Location"]).content.decode()
    assert "The rules cannot all be met" in page
    assert "Falls at home" in page


def test_the_status_fragment_polls_until_finished_then_reloads(personas, world):
    client = personas.client("lead")
    url = reverse("allocation:run_status", kwargs={"pk": world.run.pk})
    AllocationRun.objects.filter(pk=world.run.pk).update(status=RunStatus.RUNNING, progress=0.4,
                                                         progress_label="Solving")
    running = client.get(url, headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in running.content.decode()
    assert 'value="40"' in running.content.decode()
    assert "HX-Refresh" not in running
    AllocationRun.objects.filter(pk=world.run.pk).update(status=RunStatus.DONE, progress=1.0)
    done = client.get(url, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"
    assert "hx-trigger" not in done.content.decode()


def test_a_move_is_previewed_then_confirmed(personas, world):
    client = personas.client("lead")
    student = world.students[0]
    current = world.run.assignment[student_key(student.pk)]
    target = next(p for p in (world.falls, world.football, world.diabetes) if project_key(p.pk) != current)
    url = reverse("allocation:run_move", kwargs={"pk": world.run.pk})
    preview = client.get(url, {"student": student.pk, "project": target.pk}, headers={"HX-Request": "true"})
    text = preview.content.decode()
    assert f"to {target.title}" in text and "Change of the rank cost" in text
    assert not AllocationMove.objects.exists()
    unconfirmed = client.post(url, {"student": student.pk, "project": target.pk})
    assert "Tick the box" in unconfirmed.content.decode()
    assert not AllocationMove.objects.exists()
    confirmed = client.post(url, {"student": student.pk, "project": target.pk, "confirm": "on"})
    assert confirmed.status_code == 302
    world.run.refresh_from_db()
    assert world.run.assignment[student_key(student.pk)] == project_key(target.pk)
    assert AllocationMove.objects.get().to_project == target


def test_a_student_of_another_cohort_cannot_be_moved_in(personas, world):
    client = personas.client("lead")
    url = reverse("allocation:run_move", kwargs={"pk": world.run.pk})
    response = client.get(url, {"student": personas.outsider.pk, "project": world.falls.pk})
    assert "Select a valid choice" in response.content.decode()


def test_publish_from_the_page_creates_groups(personas, world):
    client = personas.client("lead")
    url = reverse("allocation:run_publish", kwargs={"pk": world.run.pk})
    assert client.post(url, {}).status_code == 200  # not confirmed
    assert not GroupMembership.objects.filter(group__cohort=world.cohort).exists()
    assert client.post(url, {"confirm": "on"}).status_code == 302
    assert GroupMembership.objects.filter(group__cohort=world.cohort).count() == len(world.students)


def test_rerun_page_locks_the_ticked_students(personas, world):
    client = personas.client("lead")
    student = world.students[2]
    response = client.post(reverse("allocation:run_rerun", kwargs={"pk": world.run.pk}), {"students": [student.pk]})
    new_run = AllocationRun.objects.exclude(pk=world.run.pk).get()
    assert response["Location"] == reverse("allocation:run_detail", kwargs={"pk": new_run.pk})
    assert new_run.rules["locked"] == {str(student.pk): int(world.run.assignment[student_key(student.pk)][1:])}


def test_the_problem_download_is_the_stored_problem(personas, world):
    client = personas.client("lead")
    response = client.get(reverse("allocation:run_download", kwargs={"pk": world.run.pk, "what": "problem"}))
    assert response.json() == world.run.problem
    missing = client.get(reverse("allocation:run_download", kwargs={"pk": world.run.pk, "what": "other"}))
    assert missing.status_code == 404


def test_project_settings_page_saves_every_project(personas, world):
    client = personas.client("lead")
    data = {}
    for project in (world.diabetes, world.football, world.falls):
        data.update({f"p{project.pk}-min_size": 1, f"p{project.pk}-max_size": 4, f"p{project.pk}-languages": ""})
    data[f"p{world.diabetes.pk}-languages"] = "bn:1"
    data[f"p{world.diabetes.pk}-may_close"] = "on"
    response = client.post(reverse("allocation:project_settings", kwargs={"pk": world.cohort.pk}), data)
    assert response.status_code == 302
    setting = ProjectSetting.objects.get(project=world.diabetes)
    assert (setting.min_size, setting.max_size, setting.may_close, setting.languages) == (1, 4, True, {"bn": 1})
    assert ProjectSetting.objects.get(project=world.falls).may_close is False


def test_the_index_lists_the_students_own_cohorts_only(personas, world):
    page = personas.client("student").get(reverse("allocation:index")).content.decode()
    assert "Allocation Test Programme" in page and "Schools outreach test" not in page
    outsider = personas.client("outsider").get(reverse("allocation:index")).content.decode()
    assert "Allocation Test Programme" not in outsider


def test_the_lead_index_lists_every_cohort_with_its_latest_run(personas, world):
    page = personas.client("lead").get(reverse("allocation:index")).content.decode()
    assert "ATP 2025/26" in page and "SOT 2025/26" in page
    assert reverse("allocation:run_detail", kwargs={"pk": world.run.pk}) in page


def test_the_cohort_page_lists_published_opportunities_without_a_project(personas, world):
    from commed.programmes import services as programme_services

    opportunity = programme_services.opportunity_propose(
        organisation=personas.org_b, by=personas.partner_b, title="Sickle cell awareness",
        health_need="Young people are not believed in A&E.", people_concerned="Young people")
    client = personas.client("lead")
    url = reverse("allocation:cohort", kwargs={"pk": world.cohort.pk})
    assert "Sickle cell awareness" not in client.get(url).content.decode()  # only proposed
    programme_services.opportunity_review(actor=personas.lead, opportunity=opportunity, decision="published",
                                          cohort=world.cohort)
    page = client.get(url).content.decode()
    assert "Sickle cell awareness" in page
    assert f"?opportunity={opportunity.pk}" in page
