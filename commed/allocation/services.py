"""Writes for the allocation: preferences, project settings, runs (create, execute in the background, move by
hand, lock and re-run, publish to groups). Every change to personal data is audited."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection, connections, transaction
from django.utils import timezone

from commed.accounts.models import StudentProfile, User
from commed.allocation import selectors
from commed.allocation.models import (
    AllocationMove,
    AllocationRun,
    AttributeQuestion,
    PartnerRanking,
    Preference,
    ProjectSetting,
    RunStatus,
    StudentDetail,
)
from commed.allocation.rules import RunRules, key_pk, project_key, student_key
from commed.audit.models import Action
from commed.audit.services import audit_record
from commed.links.models import SignedLink
from commed.links.services import IssuedLink, link_issue
from commed.partners.models import Contact, Organisation
from commed.programmes import services as programme_services
from commed.programmes.models import Cohort, Locality, Project
from commed_core.allocation import InfeasibleError, ProblemError, evaluate_move, explain_infeasible, parse_problem
from commed_core.allocation import solve as core_solve

logger = logging.getLogger(__name__)
EXPLAIN_TIME_LIMIT = 10.0


# Preferences ------------------------------------------------------------------------------------------------------


def _check_open(cohort: Cohort) -> None:
    if selectors.published_run(cohort=cohort) is not None:
        raise ValidationError("The allocation of this cohort has been published; preferences can no longer change.")


@transaction.atomic
def preferences_set(
    *, actor: User | None, cohort: Cohort, student: User, projects: Sequence[Project]
) -> list[Preference]:
    """Replace the student's ranked choices in the cohort (best first)."""
    _check_open(cohort)
    if not selectors.cohort_students(cohort=cohort).filter(pk=student.pk).exists():
        raise ValidationError(f"{student.email} is not a student of {cohort}.")
    options = {p.pk for p in selectors.cohort_options(cohort=cohort)}
    if len(projects) > selectors.MAX_CHOICES:
        raise ValidationError(f"Rank at most {selectors.MAX_CHOICES} projects.")
    seen: set[int] = set()
    for project in projects:
        if project.pk not in options:
            raise ValidationError(f"{project} is not open for allocation in {cohort}.")
        if project.pk in seen:
            raise ValidationError(f"{project} is ranked twice.")
        seen.add(project.pk)
    return preferences_replace(actor=actor, cohort=cohort, student=student, projects=projects)


def preferences_replace(*, actor: User | None, cohort: Cohort, student: User, projects: Sequence[Project],
                       audit: bool = True) -> list[Preference]:
    existing = Preference.objects.filter(cohort=cohort, student=student)
    before = [p.project.title for p in existing.select_related("project").order_by("rank")]
    existing.delete()
    now = timezone.now()
    created = Preference.objects.bulk_create(
        Preference(cohort=cohort, student=student, project=project, rank=rank, updated_at=now)
        for rank, project in enumerate(projects, start=1)
    )
    if audit:
        audit_record(actor=actor, action=Action.CHANGE, obj=student, object_label=f"Preferences of {student.email}",
                     summary=f"allocation preferences in {cohort}",
                     changes={"preferences": [before, [p.title for p in projects]]})
    return created


@transaction.atomic
def student_detail_set(
    *, actor: User | None, cohort: Cohort, student: User, locality: Locality | None,
    attributes: Mapping[str, str], languages: Mapping[str, bool] | None = None, only_asked: bool = False,
    audit: bool = True,
) -> StudentDetail:
    """Set what the allocation knows of the student in the cohort. By default (an import) `attributes` replace
    all of theirs. With `only_asked` (the student's own form, or the lead correcting it) the student must be in the
    cohort, only the attributes the cohort asks about may be given, each with a value in use in the cohort or
    empty ("prefer not to say": nothing is kept), and their other attributes stay as they were. `languages`
    (code -> speaks it) updates those codes on the student's profile, where the problem reads languages from;
    codes left out stay as they were."""
    _check_open(cohort)
    errors: dict[str, list[str]] = defaultdict(list)
    if locality is not None and locality.cohort_id != cohort.pk:
        errors["locality"].append(f"Placement locality: {locality} is not a locality of {cohort}.")
    existing = StudentDetail.objects.filter(cohort=cohort, student=student).select_related("locality").first()
    before = dict(existing.attributes) if existing is not None and isinstance(existing.attributes, dict) else {}
    given = {str(k).strip(): str(v).strip() for k, v in attributes.items()}
    wanted = {k: v for k, v in given.items() if v}
    if only_asked:
        if not selectors.cohort_students(cohort=cohort).filter(pk=student.pk).exists():
            raise ValidationError(f"{student} is not a student of {cohort}.")
        questions = selectors.detail_questions(cohort=cohort)
        allowed = dict(questions.attributes)
        asked = ", ".join(allowed) or "none"
        for name, value in given.items():
            if name not in allowed:
                errors["attributes"].append(f"{cohort} does not ask about {name!r} (it asks about: {asked}).")
            elif value and value not in allowed[name]:
                errors["attributes"].append(f"{name}: {value!r} is not one of the answers offered in {cohort}; "
                                            "choose one of them or prefer not to say.")
        unknown = sorted(set(languages or {}) - questions.language_codes)
        if unknown:
            errors["languages"].append(f"Languages: no project of {cohort} needs {', '.join(unknown)}.")
        wanted = {**{k: v for k, v in before.items() if k not in given}, **wanted}
    if errors:
        raise ValidationError(dict(errors))
    languages_change = _profile_languages_set(student=student, languages=languages) if languages else None
    detail, _ = StudentDetail.objects.update_or_create(
        cohort=cohort, student=student, defaults={"locality": locality, "attributes": wanted},
    )
    if audit:
        # Which attributes changed, not their values: the trail is read by administrators, the values by the lead.
        changes: dict[str, Any] = {
            "locality": [existing.locality.name if existing is not None and existing.locality else "",
                         locality.name if locality is not None else ""],
            "attributes changed": sorted(k for k in {*before, *wanted} if before.get(k) != wanted.get(k)),
        }
        if languages_change is not None:
            changes["languages"] = languages_change
        audit_record(actor=actor, action=Action.CHANGE, obj=detail,
                     object_label=f"Allocation details of {student.email}",
                     summary=f"allocation details in {cohort}", changes=changes)
    return detail


MAX_QUESTIONS = 10
MAX_ANSWERS = 30


@transaction.atomic
def attribute_questions_save(*, actor: User, cohort: Cohort,
                             questions: Sequence[tuple[str, Sequence[str]]]) -> list[AttributeQuestion]:
    """Replace what the cohort's students are asked about themselves for the no-isolation rule. Students' answers
    to a question that is no longer asked are deleted in this cohort (least privilege), and the count recorded."""
    errors: list[str] = []
    seen: dict[str, int] = {}
    clean: list[tuple[str, list[str]]] = []
    if len(questions) > MAX_QUESTIONS:
        errors.append(f"Ask about at most {MAX_QUESTIONS} attributes (got {len(questions)}).")
    for n, (raw_name, raw_values) in enumerate(questions, start=1):
        name = raw_name.strip().lower()
        values = [v.strip() for v in raw_values if v.strip()]
        if not name or len(name) > 40:
            errors.append(f"Question {n}: the attribute needs a name of 1 to 40 characters.")
            continue
        if name in seen:
            errors.append(f"Question {n}: {name} is already asked in question {seen[name]}.")
            continue
        seen[name] = n
        lowered = [v.lower() for v in values]
        twice = sorted({v for v in values if lowered.count(v.lower()) > 1})
        if twice:
            errors.append(f"Question {n} ({name}): {', '.join(twice)} listed twice.")
        if not 2 <= len(values) <= MAX_ANSWERS:
            errors.append(f"Question {n} ({name}): offer 2 to {MAX_ANSWERS} answers (got {len(values)}); "
                          "students may always prefer not to say.")
        if any(len(v) > 60 for v in values):
            errors.append(f"Question {n} ({name}): each answer may have at most 60 characters.")
        clean.append((name, values))
    if errors:
        raise ValidationError(errors)
    existing = list(AttributeQuestion.objects.select_for_update().filter(cohort=cohort))
    before = [str(q) for q in existing]
    dropped = {q.name for q in existing} - {name for name, _ in clean}
    erased = 0
    if dropped:
        changed = []
        for detail in StudentDetail.objects.select_for_update().filter(cohort=cohort):
            attributes = dict(detail.attributes) if isinstance(detail.attributes, dict) else {}
            kept = {k: v for k, v in attributes.items() if k not in dropped}
            if kept != attributes:
                detail.attributes = kept
                changed.append(detail)
        StudentDetail.objects.bulk_update(changed, ["attributes"])
        erased = len(changed)
    AttributeQuestion.objects.filter(cohort=cohort).delete()
    created = AttributeQuestion.objects.bulk_create(
        AttributeQuestion(cohort=cohort, name=name, values=values, position=n)
        for n, (name, values) in enumerate(clean)
    )
    summary = f"students of {cohort} asked about: {', '.join(q.name for q in created) or 'nothing'}"
    if dropped:
        summary += f"; answers about {', '.join(sorted(dropped))} deleted for {erased} student{'s' * (erased != 1)}"
    audit_record(actor=actor, action=Action.CHANGE, obj=cohort, object_label=f"Questions to students of {cohort}"[:300],
                 summary=summary[:500], changes={"questions": [before, [str(q) for q in created]]})
    return created


def _profile_languages_set(*, student: User, languages: Mapping[str, bool]) -> list[list[str]] | None:
    """Before and after, or None when nothing changed."""
    profile = StudentProfile.objects.filter(user=student).first()
    current = set(selectors.profile_languages(profile))
    codes = {str(code).strip().lower(): speaks for code, speaks in languages.items()}
    new = (current - set(codes)) | {code for code, speaks in codes.items() if speaks}
    if new == current:
        return None
    if profile is None:
        raise ValidationError({"languages": f"Languages: {student} has no student record to keep languages on; "
                                            "the programme office can add one."})
    profile.languages = ",".join(sorted(new))
    profile.save(update_fields=["languages"])
    return [sorted(current), sorted(new)]


# Partners' rankings of students -------------------------------------------------------------------------------------

RANKING_LINK_PURPOSE = "rank_applicants"


def _check_ranking_open(cohort: Cohort) -> None:
    if selectors.published_run(cohort=cohort) is not None:
        raise ValidationError(f"The allocation of {cohort} has been published; partners' rankings can no longer "
                              "change.")


def _ranking_errors(*, cohort: Cohort, organisation: Organisation, ranks: Sequence[tuple[User, int]]) -> list[str]:
    applicants = {a.student.pk for a in selectors.partner_applicants(cohort=cohort, organisation=organisation)}
    errors: list[str] = []
    by_rank: dict[int, list[User]] = {}
    seen: set[int] = set()
    for student, rank in ranks:
        if student.pk not in applicants:
            errors.append(f"{student} did not choose a project of {organisation.name} in {cohort}, so "
                          f"{organisation.name} cannot rank them.")
        elif student.pk in seen:
            errors.append(f"{student} is ranked twice.")
        elif rank < 1:
            errors.append(f"{student}: a rank is a whole number from 1 (1 = the student you would most like).")
        else:
            by_rank.setdefault(rank, []).append(student)
        seen.add(student.pk)
    for rank, students in sorted(by_rank.items()):
        if len(students) > 1:
            names = ", ".join(str(s) for s in students[:-1]) + f" and {students[-1]}"
            both = "both" if len(students) == 2 else "all"
            errors.append(f"{names} {both} have rank {rank}; give each student a different rank.")
    expected = 1
    for rank, students in sorted(by_rank.items()):
        if rank != expected:
            missing = f"rank {expected}" if rank == expected + 1 else f"ranks {expected} to {rank - 1}"
            errors.append(f"{students[0]} has rank {rank} but no student has {missing}; number the students "
                          "1, 2, 3 ... without gaps.")
            break
        expected += 1
    return errors


@transaction.atomic
def partner_ranking_replace(
    *, actor: User | None, cohort: Cohort, organisation: Organisation, ranks: Sequence[tuple[User, int]],
    by_name: str = "", via_link: SignedLink | None = None,
) -> list[PartnerRanking]:
    """Replace the organisation's ranking of the students who chose its projects in the cohort (rank 1 = most
    preferred; students left out are not ranked). Everything is checked first, every problem named, and nothing is
    written unless all is well. `actor` is None when a partner contact ranks through a signed link."""
    _check_ranking_open(cohort)
    if selectors.cohort_partner_organisation(cohort=cohort, organisation_pk=organisation.pk) is None:
        raise ValidationError(f"{organisation.name} has no project open for allocation in {cohort}.")
    errors = _ranking_errors(cohort=cohort, organisation=organisation, ranks=ranks)
    if errors:
        raise ValidationError(errors)
    existing = PartnerRanking.objects.filter(cohort=cohort, organisation=organisation)
    before = [str(r.student) for r in existing.select_related("student").order_by("rank")]
    existing.delete()
    now = timezone.now()
    name = by_name.strip() or (str(actor) if actor is not None else "")
    created = PartnerRanking.objects.bulk_create(
        PartnerRanking(cohort=cohort, organisation=organisation, student=student, rank=rank, ranked_at=now,
                       ranked_by=actor, ranked_by_name=name[:150], via_link=via_link)
        for student, rank in sorted(ranks, key=lambda item: item[1])
    )
    how = f" through a signed link for {via_link.recipient_name}" if via_link is not None else ""
    audit_record(actor=actor, action=Action.CHANGE, obj=cohort,
                 object_label=f"Ranking of students by {organisation.name} in {cohort}"[:300],
                 summary=f"{organisation.name} ranked {len(created)} students{how}",
                 changes={"ranking": [before, [str(r.student) for r in created]]})
    return created


def partner_ranking_link_issue(*, actor: User, cohort: Cohort, contact: Contact, days: int = 30) -> IssuedLink:
    """A link with which a contact of a partner organisation, without an account, ranks the students who chose
    the organisation's projects in this cohort, until the allocation is published."""
    _check_ranking_open(cohort)
    if selectors.cohort_partner_organisation(cohort=cohort, organisation_pk=contact.organisation_id) is None:
        raise ValidationError({"contact": f"{contact.name} is not at a partner organisation of {cohort}."})
    return link_issue(actor=actor, purpose=RANKING_LINK_PURPOSE, target=cohort, recipient_name=contact.name,
                      recipient_email=contact.email, contact=contact, days=days,
                      params={"organisation": contact.organisation_id})


# Project settings -------------------------------------------------------------------------------------------------


@transaction.atomic
def project_setting_save(
    *, actor: User | None, project: Project, min_size: int, max_size: int, may_close: bool,
    languages: Mapping[str, int],
) -> ProjectSetting:
    errors: dict[str, str] = {}
    if min_size > max_size:
        errors["min_size"] = f"{project.title}: the minimum ({min_size}) is above the maximum ({max_size})."
    for language, count in languages.items():
        if count < 1 or count > max_size:
            errors["languages"] = f"{project.title}: {count} speakers of {language} cannot fit a group of {max_size}."
    if errors:
        raise ValidationError(errors)
    setting, _ = ProjectSetting.objects.update_or_create(
        project=project,
        defaults={"min_size": min_size, "max_size": max_size, "may_close": may_close,
                  "languages": {k.strip().lower(): int(v) for k, v in languages.items()}},
    )
    audit_record(actor=actor, action=Action.CHANGE, obj=setting)
    return setting


@transaction.atomic
def project_settings_save_all(
    *, actor: User | None, settings: Iterable[tuple[Project, Mapping[str, Any]]]
) -> list[ProjectSetting]:
    """Save the settings of several projects: all of them, or none when one is wrong."""
    return [project_setting_save(actor=actor, project=project, **values) for project, values in settings]


# Runs -------------------------------------------------------------------------------------------------------------


@transaction.atomic
def run_create(*, actor: User | None, cohort: Cohort, rules: RunRules, parent: AllocationRun | None = None
               ) -> AllocationRun:
    """Build the problem from the database and store it with the rules; the run is queued (see `run_start`).
    Invalid input is caught here: the run is stored as invalid, with every message."""
    problem = selectors.problem_build(cohort=cohort, rules=rules)
    run = AllocationRun(cohort=cohort, created_by=actor, created_at=timezone.now(), parent=parent,
                        rules=rules.to_json(), problem=problem, status=RunStatus.QUEUED)
    try:
        parsed = parse_problem(problem)
    except ProblemError as error:
        labels = selectors.labels_of(problem)
        run.status = RunStatus.INVALID
        run.errors = [selectors.humanise(message, labels) for message in error.errors]
        run.finished_at = run.created_at
    else:
        if not parsed.students:
            run.status = RunStatus.INVALID
            run.errors = [f"{cohort} has no students to allocate."]
            run.finished_at = run.created_at
        elif not parsed.projects:
            run.status = RunStatus.INVALID
            run.errors = [f"{cohort} has no projects open for allocation."]
            run.finished_at = run.created_at
    run.save()
    audit_record(actor=actor, action=Action.CREATE, obj=run,
                 summary=f"{len(problem['students'])} students, {len(problem['projects'])} projects")
    return run


STALE_QUEUED_SECONDS = 300.0


def run_fail_if_stale(*, run: AllocationRun) -> AllocationRun:
    """A run whose solver thread died with its process (a restart mid-run) would poll for ever: once it is well
    past anything the solve could take, it is marked failed, so the lead knows to start it again."""
    now = timezone.now()
    limit = RunRules.from_json(run.rules).time_limit
    if run.status == RunStatus.RUNNING and run.started_at is not None:
        stale = (now - run.started_at).total_seconds() > 3 * limit + 2 * EXPLAIN_TIME_LIMIT + STALE_QUEUED_SECONDS
    elif run.status == RunStatus.QUEUED and _runner() == "thread":
        stale = (now - run.created_at).total_seconds() > STALE_QUEUED_SECONDS
    else:
        stale = False
    if stale:
        AllocationRun.objects.filter(pk=run.pk, status=run.status).update(
            status=RunStatus.FAILED, finished_at=now, progress_label=RunStatus.FAILED.label,
            errors=["The run was interrupted (the server may have restarted). Start it again."])
        run.refresh_from_db()
    return run


def _runner() -> str:
    return str(getattr(settings, "ALLOCATION_RUNNER", "thread"))


def run_start(*, run: AllocationRun) -> threading.Thread | None:
    """Solve in the background. ALLOCATION_RUNNER: "thread" (default: a thread of the web process, started once
    the run is committed, and returned), "worker" (left queued for `commed allocation_worker`) or "inline" (here
    and now; tests)."""
    if run.status != RunStatus.QUEUED:
        return None
    mode = _runner()
    if mode == "inline":
        run_execute(run_id=run.pk)
    elif mode == "thread":
        thread = threading.Thread(target=_thread_main, args=(run.pk,), daemon=True, name=f"allocation-run-{run.pk}")
        transaction.on_commit(thread.start)
        return thread
    return None


def _thread_main(pk: int) -> None:
    try:
        run_execute(run_id=pk)
    finally:
        connections.close_all()


class _Progress:
    """Writes the solver's progress to the run, at most every half second (each write is one UPDATE)."""

    def __init__(self, pk: int) -> None:
        self.pk = pk
        self.last = 0.0

    def __call__(self, label: str, fraction: float) -> None:
        now = time.monotonic()
        if now - self.last < 0.5:
            return
        self.last = now
        AllocationRun.objects.filter(pk=self.pk, status=RunStatus.RUNNING).update(
            progress=max(0.0, min(0.99, float(fraction))), progress_label=label[:200])


def run_execute(*, run_id: int) -> AllocationRun | None:
    """Solve one queued run and store its result (or its conflicts, or its errors). Returns None when another
    process has already taken the run."""
    claimed = AllocationRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=timezone.now(), progress=0.0, progress_label="Building the model")
    if not claimed:
        return None
    run = AllocationRun.objects.get(pk=run_id)
    rules = RunRules.from_json(run.rules)
    labels = selectors.labels_of(run.problem)
    try:
        problem = parse_problem(run.problem)
        solution = core_solve(problem, time_limit=rules.time_limit, progress=_Progress(run.pk))
    except ProblemError as error:
        run.status = RunStatus.INVALID
        run.errors = [selectors.humanise(message, labels) for message in error.errors]
    except InfeasibleError as error:
        run.status = RunStatus.INFEASIBLE
        run.conflicts = [{"message": c.message, "groups": [list(g) for g in c.groups]} for c in error.conflicts]
    except Exception as error:  # a crash must not leave the run "running" for ever
        logger.exception("allocation run %s failed", run.pk)
        run.status = RunStatus.FAILED
        run.errors = [f"The solver stopped with an error: {error}"]
    else:
        run.status = RunStatus.DONE
        run.result = solution.to_dict()
        run.assignment = dict(solution.assignment)
        if solution.unassigned:
            run.progress_label = "Explaining why some students could not be placed"
            run.save(update_fields=["progress_label"])
            conflicts = explain_infeasible(problem, time_limit=EXPLAIN_TIME_LIMIT)
            run.conflicts = [{"message": c.message, "groups": [list(g) for g in c.groups]} for c in conflicts]
    run.progress = 1.0
    run.progress_label = RunStatus(run.status).label
    run.finished_at = timezone.now()
    run.save()
    return run


def runs_execute_queued(*, limit: int | None = None) -> int:
    """What `commed allocation_worker` does: solve queued runs, oldest first."""
    done = 0
    for pk in AllocationRun.objects.filter(status=RunStatus.QUEUED).order_by("created_at", "pk").values_list(
            "pk", flat=True)[:limit]:
        if not connection.in_atomic_block:  # a long-lived worker drops a broken or expired connection between runs
            close_old_connections()
        if run_execute(run_id=pk) is not None:
            done += 1
    return done


def _check_adjustable(run: AllocationRun) -> None:
    if run.status != RunStatus.DONE:
        raise ValidationError("Only a finished allocation can be changed.")
    if run.published_at is not None:
        raise ValidationError("This allocation has been published; re-run it to change it.")


@transaction.atomic
def run_move_apply(*, actor: User, run: AllocationRun, student: User, project: Project | None) -> AllocationMove:
    """Move a student by hand (None: out of every project). The rules are re-checked and what the move breaks is
    kept with it; the solver's own result is left as it was."""
    run = AllocationRun.objects.select_for_update().get(pk=run.pk)
    _check_adjustable(run)
    problem = selectors.run_problem(run)
    sid = student_key(student.pk)
    pid = project_key(project.pk) if project is not None else None
    if sid not in problem.student_index:
        raise ValidationError(f"{student} is not in this allocation.")
    if pid is not None and pid not in problem.project_index:
        raise ValidationError(f"{project} is not in this allocation.")
    assignment = {str(k): str(v) for k, v in run.assignment.items()}
    if assignment.get(sid) == pid:
        raise ValidationError(f"{student} is already there.")
    result = evaluate_move(problem, assignment, sid, pid)
    labels = selectors.labels_of(run.problem)
    if pid is None:
        assignment.pop(sid, None)
    else:
        assignment[sid] = pid
    run.assignment = assignment
    run.save(update_fields=["assignment"])
    move = AllocationMove.objects.create(
        run=run, student=student,
        from_project_id=key_pk(result.from_project) if result.from_project else None,
        to_project=project, cost_delta=result.cost_delta,
        violations=[selectors.humanise(v.message, labels) for v in result.violations], by=actor, at=timezone.now(),
    )
    audit_record(actor=actor, action=Action.CHANGE, obj=run, object_label=f"{student.email} in {run}",
                 changes={"project": [labels.get(result.from_project or "", ""), labels.get(pid or "", "")]})
    return move


def run_rerun_with_locks(*, actor: User, run: AllocationRun, students: Iterable[int]) -> AllocationRun:
    """A new run with the same rules and, for each of `students` (user ids), a lock on their current project."""
    if run.status != RunStatus.DONE:
        raise ValidationError("Only a finished allocation can be re-run with locks.")
    rules = RunRules.from_json(run.rules)
    locked = dict(rules.locked)
    for pk in students:
        pid = run.assignment.get(student_key(pk))
        if pid is not None:
            locked[pk] = key_pk(str(pid))
    new_rules = dataclasses.replace(rules, locked=locked)
    new_run = run_create(actor=actor, cohort=run.cohort, rules=new_rules, parent=run)
    run_start(run=new_run)
    return new_run


@transaction.atomic
def run_publish(*, actor: User, run: AllocationRun) -> int:
    """Make the current allocation the cohort's groups (one group per project; see
    `programmes.services.groups_publish_from_allocation`). Returns the number of groups."""
    run = AllocationRun.objects.select_for_update().get(pk=run.pk)
    _check_adjustable(run)
    assignment = {key_pk(str(s)): key_pk(str(p)) for s, p in run.assignment.items()}
    if not assignment:
        raise ValidationError("Nobody is placed in this allocation; there is nothing to publish.")
    groups = programme_services.groups_publish_from_allocation(actor=actor, cohort=run.cohort, assignment=assignment)
    run.published_at = timezone.now()
    run.published_by = actor
    run.save(update_fields=["published_at", "published_by"])
    audit_record(actor=actor, action=Action.CHANGE, obj=run, summary=f"published: {len(assignment)} students in "
                 f"{len(groups)} groups")
    return len(groups)


def run_export_record(*, actor: User, run: AllocationRun, what: str) -> None:
    audit_record(actor=actor, action=Action.EXPORT, obj=run, summary=f"downloaded the {what} (JSON)")
