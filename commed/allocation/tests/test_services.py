from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from commed.accounts.models import StudentProfile
from commed.allocation import selectors, services
from commed.allocation.models import AllocationRun, ProjectSetting, RunStatus, StudentDetail
from commed.allocation.rules import RunRules, project_key, student_key
from commed.allocation.tests.world import add_student, build_allocation_world
from commed.audit.models import AuditEvent
from commed.programmes.models import Group, GroupMembership
from commed_core.allocation import check, parse_problem


def test_the_problem_is_built_from_the_database(personas):
    world = build_allocation_world(personas, solve=False)
    StudentProfile.objects.filter(user=personas.student).update(languages="en, so", widening_participation=True)
    StudentDetail.objects.create(cohort=world.cohort, student=personas.student, locality=world.north,
                                 attributes={"gender": "F"})
    services.project_setting_save(actor=personas.lead, project=world.football, min_size=2, max_size=4,
                                  may_close=False, languages={"so": 1})
    rules = RunRules(no_isolation=("gender",), same_locality=True, together=((world.students[1].pk,
                     world.students[2].pk),), locked={world.students[3].pk: world.falls.pk}, fallback_rank=4,
                     objective="greedy")
    problem = selectors.problem_build(cohort=world.cohort, rules=rules)
    parse_problem(problem)  # the core accepts it
    me = next(s for s in problem["students"] if s["id"] == student_key(personas.student.pk))
    assert me["preferences"] == [project_key(p.pk) for p in (world.diabetes, world.football, world.falls)]
    assert me["languages"] == ["en", "so"]
    assert me["locality"] == "North"
    assert me["attributes"] == {"gender": "F"}
    assert me["wp"] is True
    football = next(p for p in problem["projects"] if p["id"] == project_key(world.football.pk))
    assert football == {"id": project_key(world.football.pk), "name": "Football and mental health",
                        "partner": f"o{personas.org_b.pk}", "min": 2, "max": 4, "locality": "South",
                        "requires": {"languages": {"so": 1}}, "may_close": False}
    assert {s["id"] for s in problem["students"]} == {student_key(s.pk) for s in world.students}
    assert problem["rules"]["together"] == [[student_key(world.students[1].pk), student_key(world.students[2].pk)]]
    assert problem["rules"]["locked"] == {student_key(world.students[3].pk): project_key(world.falls.pk)}
    assert problem["rules"]["objective"] == "greedy"
    assert problem["rules"]["fallback_rank"] == 4


def test_students_of_other_years_are_not_in_the_problem(personas):
    world = build_allocation_world(personas, solve=False)
    add_student("year5", year=5)
    problem = selectors.problem_build(cohort=world.cohort, rules=RunRules())
    emails = {s["email"] for s in problem["students"]}
    assert "year5@test.commed.invalid" not in emails
    assert personas.outsider.email not in emails


def test_a_run_is_stored_with_its_inputs_and_result(personas):
    world = build_allocation_world(personas)
    run = world.run
    assert run.status == RunStatus.DONE
    assert run.problem["students"] and run.rules["objective"] == "rank_cost"
    assert run.result is not None and run.result["assignment"] == run.assignment
    problem = parse_problem(run.problem)
    assert check(problem, run.assignment) == []
    assert len(run.assignment) == len(world.students)
    assert run.progress == 1.0 and run.finished_at is not None
    assert AuditEvent.objects.filter(object_type="allocation.AllocationRun", object_id=str(run.pk)).exists()


def test_a_later_change_of_preferences_does_not_change_a_stored_run(personas):
    world = build_allocation_world(personas)
    before = dict(world.run.problem["students"][0])
    student = world.students[0]
    services.preferences_set(actor=student, cohort=world.cohort, student=student, projects=[world.falls])
    world.run.refresh_from_db()
    assert world.run.problem["students"][0] == before


def test_a_project_that_may_not_close_and_cannot_fill_makes_the_run_infeasible_with_reasons(personas):
    world = build_allocation_world(personas, solve=False)
    services.project_setting_save(actor=personas.lead, project=world.football, min_size=3, max_size=3,
                                  may_close=False, languages={"so": 1})
    run = services.run_create(actor=personas.lead, cohort=world.cohort, rules=RunRules())
    services.run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.INFEASIBLE
    messages = selectors.run_conflicts(run=run)
    assert messages
    # Plain words with the project's name, not its id.
    assert any("Football and mental health" in m for m in messages)
    assert not any(project_key(world.football.pk) in m for m in messages)


def test_invalid_settings_make_an_invalid_run_naming_the_project(personas):
    world = build_allocation_world(personas, solve=False)
    ProjectSetting.objects.filter(project=world.falls).update(min_size=5, max_size=2)
    run = services.run_create(actor=personas.lead, cohort=world.cohort, rules=RunRules())
    assert run.status == RunStatus.INVALID
    assert any("Falls at home" in e for e in run.errors)
    services.run_start(run=run)  # does nothing for a finished run
    run.refresh_from_db()
    assert run.status == RunStatus.INVALID


def test_the_worker_solves_queued_runs_once(personas, settings):
    settings.ALLOCATION_RUNNER = "worker"
    world = build_allocation_world(personas, solve=False)
    services.run_start(run=world.run)
    world.run.refresh_from_db()
    assert world.run.status == RunStatus.QUEUED
    assert services.runs_execute_queued() == 1
    assert services.runs_execute_queued() == 0
    world.run.refresh_from_db()
    assert world.run.status == RunStatus.DONE


def test_each_move_is_rechecked_and_its_cost_kept(personas):
    world = build_allocation_world(personas)
    run = world.run
    target = project_key(world.diabetes.pk)  # maximum 3; every student ranked it
    problem = parse_problem(run.problem)
    moved = []
    for student in world.students:
        run.refresh_from_db()
        sid = student_key(student.pk)
        if run.assignment.get(sid) == target:
            continue
        members_before = sum(1 for p in run.assignment.values() if p == target)
        preview = selectors.move_preview(run=run, student_pk=student.pk, project_pk=world.diabetes.pk)
        old_rank = problem.rank(sid, run.assignment[sid])
        assert old_rank is not None
        new_rank = problem.rank(sid, target)
        assert new_rank is not None
        assert preview.result.cost_delta == new_rank ** 2 - old_rank ** 2
        breaks_max = any(v.rule == "max_size" for v in preview.result.new_violations)
        assert breaks_max == (members_before == 3)
        if breaks_max:
            assert any("Diabetes in Bengali" in text for text in preview.new_violations)
        move = services.run_move_apply(actor=personas.lead, run=run, student=student, project=world.diabetes)
        assert move.cost_delta == preview.result.cost_delta
        assert bool(move.violations) == bool(preview.violations)
        moved.append(student)
    run.refresh_from_db()
    assert len(moved) >= 3  # at most 3 were there, so the maximum was crossed
    assert [v.rule for v in check(problem, run.assignment)].count("max_size") == 1
    assert run.result is not None and run.result["assignment"] != run.assignment  # the solver's result is kept
    report = selectors.run_report(run=run)
    assert {r.name for r in report.students if r.moved} == {str(s) for s in moved}
    assert report.violations


def test_a_move_to_where_the_student_is_is_refused(personas):
    world = build_allocation_world(personas)
    student = world.students[0]
    current = world.run.assignment[student_key(student.pk)]
    project = next(p for p in (world.diabetes, world.football, world.falls) if project_key(p.pk) == current)
    with pytest.raises(ValidationError):
        services.run_move_apply(actor=personas.lead, run=world.run, student=student, project=project)


def test_lock_and_rerun_keeps_the_locked_students(personas):
    world = build_allocation_world(personas)
    student = world.students[0]
    services.run_move_apply(actor=personas.lead, run=world.run, student=student, project=world.falls)
    world.run.refresh_from_db()
    new_run = services.run_rerun_with_locks(actor=personas.lead, run=world.run, students=[student.pk])
    new_run.refresh_from_db()
    assert new_run.parent == world.run
    assert new_run.rules["locked"] == {str(student.pk): world.falls.pk}
    assert new_run.problem["rules"]["locked"] == {student_key(student.pk): project_key(world.falls.pk)}
    assert new_run.status == RunStatus.DONE
    assert new_run.assignment[student_key(student.pk)] == project_key(world.falls.pk)
    assert AllocationRun.objects.filter(cohort=world.cohort).count() == 2


def test_publish_creates_the_groups_and_freezes_the_run(personas):
    world = build_allocation_world(personas)
    count = services.run_publish(actor=personas.lead, run=world.run)
    world.run.refresh_from_db()
    assert world.run.published_at is not None
    open_projects = set(world.run.assignment.values())
    assert count == len(open_projects)
    for student in world.students:
        membership = GroupMembership.objects.get(group__cohort=world.cohort, student=student)
        assert membership.group.project is not None
        assert project_key(membership.group.project.pk) == world.run.assignment[student_key(student.pk)]
    assert Group.objects.filter(cohort=world.cohort).count() == len(open_projects)
    with pytest.raises(ValidationError):
        services.run_publish(actor=personas.lead, run=world.run)
    with pytest.raises(ValidationError):
        services.run_move_apply(actor=personas.lead, run=world.run, student=world.students[0], project=None)
    with pytest.raises(ValidationError):
        services.preferences_set(actor=world.students[0], cohort=world.cohort, student=world.students[0],
                                 projects=[world.falls])


def test_own_result_appears_only_once_published_and_names_no_other_student(personas):
    world = build_allocation_world(personas)
    assert selectors.own_result(cohort=world.cohort, student=personas.student) is None
    services.run_publish(actor=personas.lead, run=world.run)
    result = selectors.own_result(cohort=world.cohort, student=personas.student)
    assert result is not None and result.project is not None
    assert project_key(result.project.pk) == world.run.assignment[student_key(personas.student.pk)]
    for other in world.students[1:]:
        assert str(other) not in result.why


def test_preferences_are_checked(personas):
    world = build_allocation_world(personas, solve=False)
    student = world.students[0]
    with pytest.raises(ValidationError, match="twice"):
        services.preferences_set(actor=student, cohort=world.cohort, student=student,
                                 projects=[world.falls, world.falls])
    foreign = world.other_cohort.projects.get()
    with pytest.raises(ValidationError, match="not open"):
        services.preferences_set(actor=student, cohort=world.cohort, student=student, projects=[foreign])
    with pytest.raises(ValidationError, match="not a student"):
        services.preferences_set(actor=personas.outsider, cohort=world.cohort, student=personas.outsider,
                                 projects=[world.falls])
    services.preferences_set(actor=student, cohort=world.cohort, student=student, projects=[world.falls])
    assert [p.project for p in selectors.preferences_of(cohort=world.cohort, student=student)] == [world.falls]


def test_project_settings_are_checked(personas):
    world = build_allocation_world(personas, solve=False)
    with pytest.raises(ValidationError):
        services.project_setting_save(actor=personas.lead, project=world.falls, min_size=4, max_size=3,
                                      may_close=True, languages={})
    with pytest.raises(ValidationError):
        services.project_setting_save(actor=personas.lead, project=world.falls, min_size=0, max_size=3,
                                      may_close=True, languages={"so": 4})


def test_the_report_counts_the_profile_and_fairness(personas):
    world = build_allocation_world(personas)
    StudentDetail.objects.create(cohort=world.cohort, student=personas.student, attributes={"gender": "F"})
    run = services.run_create(actor=personas.lead, cohort=world.cohort, rules=RunRules())
    services.run_execute(run_id=run.pk)
    run.refresh_from_db()
    report = selectors.run_report(run=run)
    problem = parse_problem(run.problem)
    firsts = sum(1 for s, p in run.assignment.items() if problem.rank(s, p) == 1)
    assert report.profile[0] == ("1st choice", firsts, round(100.0 * firsts / len(world.students), 1))
    labels = [f.label for f in report.fairness]
    assert labels[0] == "All students" and "gender: F" in labels
    wp = next(f for f in report.fairness if f.label == "Widening participation")
    expected_wp = StudentProfile.objects.filter(user__in=world.students, widening_participation=True).count()
    assert wp.students == expected_wp
    assert sum(g.size for g in report.groups) == len(run.assignment)
    assert report.blocking == [] or all(isinstance(pair, tuple) for pair in report.blocking)


def test_a_run_interrupted_by_a_restart_is_marked_failed_once_stale(personas, settings):
    import datetime as dt

    import time_machine
    from django.utils import timezone

    world = build_allocation_world(personas, solve=False)
    started = timezone.now()
    AllocationRun.objects.filter(pk=world.run.pk).update(status=RunStatus.RUNNING, started_at=started)
    world.run.refresh_from_db()
    limit = world.run.rules["time_limit"]
    with time_machine.travel(started + dt.timedelta(seconds=limit * 3), tick=False):
        assert services.run_fail_if_stale(run=world.run).status == RunStatus.RUNNING
    with time_machine.travel(started + dt.timedelta(seconds=limit * 3 + 2 * services.EXPLAIN_TIME_LIMIT
                                                    + services.STALE_QUEUED_SECONDS + 1), tick=False):
        run = services.run_fail_if_stale(run=world.run)
    assert run.status == RunStatus.FAILED
    assert "interrupted" in run.errors[0]


def test_the_worker_command_solves_what_is_queued_and_stops(personas, settings):
    import io

    from django.core.management import call_command

    settings.ALLOCATION_RUNNER = "worker"
    world = build_allocation_world(personas, solve=False)
    out = io.StringIO()
    call_command("allocation_worker", once=True, stdout=out)
    assert "Solved 1 allocation run." in out.getvalue()
    world.run.refresh_from_db()
    assert world.run.status == RunStatus.DONE


def test_project_settings_are_saved_all_or_none(personas):
    world = build_allocation_world(personas, solve=False)
    good = {"min_size": 1, "max_size": 5, "may_close": False, "languages": {}}
    bad = {"min_size": 6, "max_size": 5, "may_close": False, "languages": {}}
    with pytest.raises(ValidationError):
        services.project_settings_save_all(actor=personas.lead, settings=[(world.diabetes, good), (world.falls, bad)])
    assert ProjectSetting.objects.get(project=world.diabetes).max_size == 3


def test_a_stable_run_follows_the_partners_rankings(personas):
    from commed.allocation.models import PartnerRanking
    from commed_core.allocation import blocking_pairs

    world = build_allocation_world(personas, solve=False)
    # Four students put Diabetes (org_a, max 3) first; org_a ranks the last of them highest.
    first_choosers = [s for s in world.students
                      if selectors.preferences_of(cohort=world.cohort, student=s)[0].project == world.diabetes]
    assert len(first_choosers) == 4
    for rank, student in enumerate(reversed(first_choosers), start=1):
        PartnerRanking.objects.create(cohort=world.cohort, organisation=personas.org_a, student=student, rank=rank)
    run = services.run_create(actor=personas.lead, cohort=world.cohort, rules=RunRules(objective="stable"))
    services.run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    in_diabetes = {s for s, p in run.assignment.items() if p == project_key(world.diabetes.pk)}
    # The student org_a ranks last of the four is the one left out of Diabetes.
    assert student_key(first_choosers[0].pk) not in in_diabetes
    assert {student_key(s.pk) for s in first_choosers[1:]} <= in_diabetes
    assert blocking_pairs(parse_problem(run.problem), run.assignment) == []


def test_rank_costs_go_into_the_problem_and_round_trip_through_the_stored_rules(personas):
    world = build_allocation_world(personas, solve=False)
    rules = RunRules(rank_costs=(0, 2, 5), time_limit=10)
    assert RunRules.from_json(rules.to_json()) == rules
    assert RunRules.from_json(RunRules().to_json()).rank_costs is None
    problem = selectors.problem_build(cohort=world.cohort, rules=rules)
    assert problem["rules"]["rank_costs"] == [0, 2, 5]
    assert parse_problem(problem).rules.cost_of(4) == 8
    assert "rank_costs" not in selectors.problem_build(cohort=world.cohort, rules=RunRules())["rules"]
