"""Reads for the allocation: who is in a cohort, what they may rank, the problem built from the database, and
the report of a run. Leads and administrators see every cohort's allocation; a student sees only their own
preferences, and their own result once it is published. Everyone else gets 404.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from commed.accounts.models import Role, StudentProfile, User
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
from commed.partners.models import Contact, Language, Organisation
from commed.programmes import selectors as programme_selectors
from commed.programmes.models import (
    Cohort,
    GroupMembership,
    Locality,
    Opportunity,
    OpportunityStatus,
    Project,
    ProjectStage,
)
from commed_core.allocation import MoveResult, Problem, blocking_pairs, check, evaluate_move, parse_problem
from commed_core.allocation.check import compute_stats, effective_rank

MAX_CHOICES = 10
_KEY = re.compile(r"\b([uopn]\d+)\b")


def is_manager(user: User) -> bool:
    return programme_selectors.is_manager(user)


# Cohorts, students, options ---------------------------------------------------------------------------------------


def cohort_get_for_manager(*, user: User, pk: int) -> Cohort:
    return programme_selectors.cohort_get(user=user, pk=pk)


def _years(cohort: Cohort) -> list[int]:
    return [int(year) for year in re.findall(r"\d+", cohort.programme.years_of_study)]


def cohort_students(*, cohort: Cohort) -> QuerySet[User]:
    """Students of the cohort's academic year and years of study, plus anyone already in one of its groups or
    holding preferences in it (an imported list may name students without a profile)."""
    in_year = Q(student_profile__academic_year=cohort.academic_year)
    years = _years(cohort)
    if years:
        in_year &= Q(student_profile__year_of_study__in=years)
    linked = Q(group_memberships__group__cohort=cohort) | Q(allocation_preferences__cohort=cohort)
    pks = User.objects.filter(role=Role.STUDENT, is_active=True).filter(in_year | linked).values("pk")
    return User.objects.filter(pk__in=pks).select_related("student_profile").order_by("last_name", "first_name", "pk")


def cohort_options(*, cohort: Cohort) -> QuerySet[Project]:
    """The projects students may rank: the cohort's projects that are not complete."""
    return (
        Project.objects.filter(cohort=cohort)
        .exclude(stage=ProjectStage.COMPLETE)
        .select_related("opportunity", "locality")
        .prefetch_related("organisations")
        .order_by("title", "pk")
    )


def opportunities_without_project(*, cohort: Cohort) -> QuerySet[Opportunity]:
    """Opportunities published to the cohort that students cannot rank yet: no project has been made of them."""
    return (Opportunity.objects.filter(cohort=cohort, status=OpportunityStatus.PUBLISHED, projects__isnull=True)
            .select_related("organisation").order_by("title"))


def cohorts_of_student(*, user: User) -> list[Cohort]:
    if not user.has_role(Role.STUDENT):
        return []
    profile = StudentProfile.objects.filter(user=user).first()
    where = Q(groups__memberships__student=user) | Q(pk__in=Preference.objects.filter(student=user).values("cohort"))
    if profile is not None:
        where |= Q(academic_year=profile.academic_year)
    candidates = Cohort.objects.filter(where).distinct().select_related("programme")
    return [c for c in candidates if cohort_students(cohort=c).filter(pk=user.pk).exists()
            and cohort_options(cohort=c).exists()]


def cohort_get_for_student(*, user: User, pk: int) -> Cohort:
    for cohort in cohorts_of_student(user=user):
        if cohort.pk == pk:
            return cohort
    raise Http404


def preferences_of(*, cohort: Cohort, student: User) -> list[Preference]:
    return list(Preference.objects.filter(cohort=cohort, student=student).select_related("project").order_by("rank"))


def _default_setting(project: Project) -> ProjectSetting:
    wanted = project.opportunity.students_wanted if project.opportunity else 6
    return ProjectSetting(project=project, min_size=0, max_size=wanted or 6, may_close=True, languages={})


def project_settings_for(projects: Iterable[Project]) -> dict[int, ProjectSetting]:
    """Each project's stored settings, or the defaults: up to the places the partner asked for, may close."""
    projects = list(projects)
    stored = {s.project_id: s for s in ProjectSetting.objects.filter(project__in=projects)}
    return {p.pk: stored.get(p.pk) or _default_setting(p) for p in projects}


@dataclass(frozen=True)
class PreferenceSummary:
    students: int
    ranked: int
    partners_ranking: int  # partners who have ranked students
    not_ranked: list[User]
    popularity: list[tuple[Project, int]]  # first choices per project


def preference_summary(*, cohort: Cohort) -> PreferenceSummary:
    students = list(cohort_students(cohort=cohort))
    with_prefs = set(Preference.objects.filter(cohort=cohort).values_list("student_id", flat=True))
    firsts = Counter(Preference.objects.filter(cohort=cohort, rank=1).values_list("project_id", flat=True))
    options = list(cohort_options(cohort=cohort))
    return PreferenceSummary(
        students=len(students),
        ranked=sum(1 for s in students if s.pk in with_prefs),
        partners_ranking=PartnerRanking.objects.filter(cohort=cohort).values("organisation").distinct().count(),
        not_ranked=[s for s in students if s.pk not in with_prefs],
        popularity=sorted(((p, firsts.get(p.pk, 0)) for p in options), key=lambda item: (-item[1], item[0].title)),
    )


# Partners' rankings of the students who chose them -----------------------------------------------------------------


def cohort_partner_organisations(*, cohort: Cohort) -> QuerySet[Organisation]:
    """The organisations with a project open for allocation in the cohort: the partners who may rank students."""
    return Organisation.objects.filter(projects__in=cohort_options(cohort=cohort)).distinct().order_by("name", "pk")


def partner_ranking_get_for_user(*, user: User, pk: int, organisation_pk: int) -> tuple[Cohort, Organisation]:
    """The cohort and organisation whose ranking the user may see and set: leads and administrators any partner
    of any cohort; a partner contact only an organisation they are a contact of. Everyone else gets 404."""
    if not user.is_active:
        raise Http404
    cohort = Cohort.objects.select_related("programme").filter(pk=pk).first()
    if cohort is None:
        raise Http404
    organisations = cohort_partner_organisations(cohort=cohort)
    if is_manager(user):
        pass
    elif user.role == Role.PARTNER:
        organisations = organisations.filter(contacts__user=user)
    else:
        raise Http404
    organisation = organisations.filter(pk=organisation_pk).first()
    if organisation is None:
        raise Http404
    return cohort, organisation


def cohort_partner_organisation(*, cohort: Cohort, organisation_pk: object) -> Organisation | None:
    """The organisation, if it is (still) a partner of the cohort: what a signed link's parameters may name."""
    if not isinstance(organisation_pk, int):
        return None
    return cohort_partner_organisations(cohort=cohort).filter(pk=organisation_pk).first()


@dataclass(frozen=True)
class Applicant:
    """A student who chose a project of the organisation, as the partner sees them: their name, which of its
    projects they chose at which of their ranks, and the partner's rank of them. No e-mail, no attributes."""

    student: User
    choices: list[tuple[Project, int]]
    rank: int | None

    @property
    def name(self) -> str:
        return str(self.student)


def partner_applicants(*, cohort: Cohort, organisation: Organisation) -> list[Applicant]:
    """The students who chose one of the organisation's projects in the cohort, ranked ones first (in the
    partner's order), then by name."""
    projects = cohort_options(cohort=cohort).filter(organisations=organisation)
    choices: dict[int, list[tuple[Project, int]]] = defaultdict(list)
    students: dict[int, User] = {}
    for preference in (Preference.objects.filter(cohort=cohort, project__in=projects, student__is_active=True,
                                                 student__role=Role.STUDENT)
                       .select_related("student", "project").order_by("student_id", "rank")):
        students[preference.student_id] = preference.student
        choices[preference.student_id].append((preference.project, preference.rank))
    ranks = dict(PartnerRanking.objects.filter(cohort=cohort, organisation=organisation, student_id__in=students)
                 .values_list("student_id", "rank"))
    applicants = [Applicant(student=student, choices=choices[pk], rank=ranks.get(pk))
                  for pk, student in students.items()]
    return sorted(applicants, key=lambda a: (a.rank is None, a.rank or 0, a.student.last_name,
                                             a.student.first_name, a.student.pk))


def project_partner(project: Project) -> Organisation | None:
    """The organisation that is a project's partner in the allocation problem (its capacity and ranking
    count): the first of its organisations. Reads the prefetched ``organisations``."""
    return min(project.organisations.all(), key=lambda o: o.pk, default=None)


def projects_ranked_by_another_partner(*, cohort: Cohort, organisation: Organisation) -> list[tuple[Project, str]]:
    """The organisation's projects in the cohort that it shares with another partner listed before it: the
    allocation takes those projects' partner (capacity and ranking) to be `project_partner`, so this
    organisation's ranking does not count for them."""
    out: list[tuple[Project, str]] = []
    for project in cohort_options(cohort=cohort).filter(organisations=organisation):
        first = project_partner(project)
        if first is not None and first.pk != organisation.pk:
            out.append((project, first.name))
    return out


@dataclass(frozen=True)
class PartnerRankingRow:
    organisation: Organisation
    contacts: list[Contact]
    applicants: int
    ranked: int
    ranked_at: dt.datetime | None
    ranked_by: str


def partner_ranking_overview(*, cohort: Cohort) -> list[PartnerRankingRow]:
    """Each partner of the cohort: its contacts (to send a link to), how many students chose it, how many it has
    ranked, and when and by whom it last ranked."""
    organisations = list(cohort_partner_organisations(cohort=cohort).prefetch_related(
        Prefetch("contacts", queryset=Contact.objects.order_by("-is_primary", "name"))))
    options = cohort_options(cohort=cohort)
    applicants: dict[int, set[int]] = defaultdict(set)
    for organisation_id, student_id in (Preference.objects.filter(cohort=cohort, project__in=options,
                                                                  student__is_active=True, student__role=Role.STUDENT)
                                        .values_list("project__organisations", "student_id")):
        if organisation_id is not None:
            applicants[organisation_id].add(student_id)
    ranked: Counter[int] = Counter()
    latest: dict[int, tuple[dt.datetime | None, str]] = {}
    for ranking in (PartnerRanking.objects.filter(cohort=cohort).select_related("ranked_by")
                    .order_by("organisation_id", "rank")):
        ranked[ranking.organisation_id] += 1
        by = ranking.ranked_by_name or (str(ranking.ranked_by) if ranking.ranked_by else "")
        when = latest.get(ranking.organisation_id, (None, ""))[0]
        if ranking.organisation_id not in latest or (ranking.ranked_at is not None and
                                                      (when is None or ranking.ranked_at > when)):
            latest[ranking.organisation_id] = (ranking.ranked_at, by)
    return [
        PartnerRankingRow(
            organisation=organisation, contacts=list(organisation.contacts.all()),
            applicants=len(applicants.get(organisation.pk, ())), ranked=ranked.get(organisation.pk, 0),
            ranked_at=latest.get(organisation.pk, (None, ""))[0], ranked_by=latest.get(organisation.pk, (None, ""))[1],
        )
        for organisation in organisations
    ]


def cohorts_of_partner(*, user: User) -> list[tuple[Cohort, Organisation]]:
    """The cohorts (whose allocation is not published) where an organisation the partner contact works for has a
    project open for allocation, with that organisation."""
    if not user.has_role(Role.PARTNER):
        return []
    mine = Organisation.objects.filter(contacts__user=user)
    pairs = (Project.objects.filter(organisations__in=mine).exclude(stage=ProjectStage.COMPLETE)
             .values_list("cohort_id", "organisations").distinct())
    mine_pks = set(mine.values_list("pk", flat=True))
    wanted = sorted({(c, o) for c, o in pairs if o in mine_pks})
    cohorts = Cohort.objects.select_related("programme").in_bulk({c for c, _ in wanted})
    organisations = Organisation.objects.in_bulk({o for _, o in wanted})
    published = set(AllocationRun.objects.filter(cohort__in=cohorts, status=RunStatus.DONE, published_at__isnull=False)
                    .values_list("cohort_id", flat=True))
    return [(cohorts[c], organisations[o]) for c, o in wanted if c not in published]


def attribute_names(*, cohort: Cohort) -> list[str]:
    """Attributes a no-isolation rule can use: those students hold, and those the lead asks about."""
    asked = AttributeQuestion.objects.filter(cohort=cohort).values_list("name", flat=True)
    return sorted(set(attribute_values(cohort=cohort)) | set(asked))


def attribute_questions(*, cohort: Cohort) -> list[AttributeQuestion]:
    return list(AttributeQuestion.objects.filter(cohort=cohort))


def attribute_values(*, cohort: Cohort) -> dict[str, list[str]]:
    """Each attribute held by a student of the cohort, with the values in use."""
    values: dict[str, set[str]] = defaultdict(set)
    for attributes in StudentDetail.objects.filter(cohort=cohort).values_list("attributes", flat=True):
        if isinstance(attributes, dict):
            for name, value in attributes.items():
                if str(value).strip():
                    values[str(name)].add(str(value).strip())
    return {name: sorted(values[name], key=str.lower) for name in sorted(values)}


# Students' own details for the allocation --------------------------------------------------------------------------


@dataclass(frozen=True)
class DetailQuestions:
    """What a student of the cohort is asked about themselves: a placement locality among the cohort's, the
    languages its projects need, each attribute the lead asks about (with the answers the lead offers, then any
    other value already in use), and each other attribute the no-isolation rule looks at in the cohort's latest
    run (answered with a value already in use in the cohort)."""

    localities: list[Locality]
    languages: list[tuple[str, str]]  # code, name
    attributes: list[tuple[str, list[str]]]  # name, values in use

    @property
    def attribute_names(self) -> set[str]:
        return {name for name, _ in self.attributes}

    @property
    def language_codes(self) -> set[str]:
        return {code for code, _ in self.languages}


def isolation_attributes(*, cohort: Cohort) -> list[str]:
    """The attributes of the no-isolation rule as the lead last set it (the latest run's rules, which a new run
    starts from)."""
    rules = AllocationRun.objects.filter(cohort=cohort).order_by("-created_at", "-id").values_list(
        "rules", flat=True).first()
    return list(RunRules.from_json(rules).no_isolation) if isinstance(rules, dict) else []


def detail_questions(*, cohort: Cohort) -> DetailQuestions:
    codes: set[str] = set()
    for setting in project_settings_for(cohort_options(cohort=cohort)).values():
        codes.update(str(code).strip().lower() for code in dict(setting.languages) if str(code).strip())
    names = {code: f"{name} ({code})" for code, name in
             Language.objects.filter(code__in=codes).values_list("code", "name") if name.strip().lower() != code}
    used = attribute_values(cohort=cohort)
    attributes: list[tuple[str, list[str]]] = []
    for question in attribute_questions(cohort=cohort):
        offered = [str(v) for v in question.values]
        attributes.append((question.name, offered + [v for v in used.get(question.name, []) if v not in offered]))
    asked = {name for name, _ in attributes}
    attributes += [(name, used[name]) for name in isolation_attributes(cohort=cohort)
                   if used.get(name) and name not in asked]
    return DetailQuestions(
        localities=list(cohort.localities.order_by("name", "pk")),
        languages=sorted(((code, names.get(code, code)) for code in codes), key=lambda item: item[1].lower()),
        attributes=attributes,
    )


def student_languages(*, student: User) -> list[str]:
    return profile_languages(StudentProfile.objects.filter(user=student).first())


def student_detail_of(*, cohort: Cohort, student: User) -> StudentDetail | None:
    return StudentDetail.objects.filter(cohort=cohort, student=student).select_related("locality").first()


def cohort_student_get(*, cohort: Cohort, pk: int) -> User:
    """A student of the cohort (whose details a lead may correct); 404 for anyone else."""
    student = cohort_students(cohort=cohort).filter(pk=pk).first()
    if student is None:
        raise Http404
    return student


@dataclass(frozen=True)
class StudentDetailRow:
    student: User
    locality: str
    languages: list[str]
    attributes: list[tuple[str, str]]


def student_details_overview(*, cohort: Cohort) -> list[StudentDetailRow]:
    """Every student of the cohort with what the allocation knows of them, for the lead (two queries)."""
    details = {d.student_id: d for d in StudentDetail.objects.filter(cohort=cohort).select_related("locality")}
    rows = []
    for student in cohort_students(cohort=cohort):
        detail = details.get(student.pk)
        attributes = detail.attributes if detail is not None and isinstance(detail.attributes, dict) else {}
        rows.append(StudentDetailRow(
            student=student,
            locality=detail.locality.name if detail is not None and detail.locality else "",
            languages=profile_languages(getattr(student, "student_profile", None)),
            attributes=sorted((str(k), str(v)) for k, v in attributes.items() if str(v).strip()),
        ))
    return rows


# The problem ------------------------------------------------------------------------------------------------------


def profile_languages(profile: StudentProfile | None) -> list[str]:
    if profile is None:
        return []
    return sorted({code.strip().lower() for code in profile.languages.split(",") if code.strip()})


def problem_build(*, cohort: Cohort, rules: RunRules) -> dict[str, Any]:
    """The cohort as a problem in commed_core's JSON format. Ids are u<user pk>, p<project pk>, o<organisation
    pk>; display names ride along in extra keys, which the core ignores, so the stored problem reads on its own."""
    students = list(cohort_students(cohort=cohort))
    options = list(cohort_options(cohort=cohort))
    option_ids = {p.pk for p in options}
    prefs: dict[int, list[str]] = defaultdict(list)
    for student_id, project_id in (Preference.objects.filter(cohort=cohort).order_by("student_id", "rank")
                                   .values_list("student_id", "project_id")):
        if project_id in option_ids:
            prefs[student_id].append(project_key(project_id))
    details = {d.student_id: d for d in StudentDetail.objects.filter(cohort=cohort).select_related("locality")}
    settings = project_settings_for(options)
    out_students = []
    for student in students:
        profile = getattr(student, "student_profile", None)
        detail = details.get(student.pk)
        attributes = detail.attributes if detail is not None and isinstance(detail.attributes, dict) else {}
        out_students.append({
            "id": student_key(student.pk),
            "name": str(student),
            "email": student.email,
            "wp": bool(profile.widening_participation) if profile is not None else False,
            "preferences": prefs.get(student.pk, []),
            "locality": detail.locality.name if detail is not None and detail.locality else None,
            "languages": profile_languages(profile),
            "attributes": {str(k): str(v) for k, v in attributes.items() if str(v).strip()},
        })
    in_problem = {s.pk for s in students}
    rankings: dict[int, list[str]] = defaultdict(list)
    for organisation_id, student_id in (PartnerRanking.objects.filter(cohort=cohort).order_by("organisation_id", "rank")
                                        .values_list("organisation_id", "student_id")):
        if student_id in in_problem:
            rankings[organisation_id].append(student_key(student_id))
    partners: dict[str, dict[str, Any]] = {}
    out_projects = []
    for project in options:
        organisation = project_partner(project)
        if organisation is not None:
            partner_id = f"o{organisation.pk}"
            capacity = organisation.capacity_per_year or None if rules.partner_capacity else None
            partners.setdefault(partner_id, {"id": partner_id, "name": organisation.name, "capacity": capacity,
                                             "preferences": rankings.get(organisation.pk, [])})
        else:
            partner_id = f"n{project.pk}"
            partners[partner_id] = {"id": partner_id, "name": "(no partner)", "capacity": None}
        setting = settings[project.pk]
        out_projects.append({
            "id": project_key(project.pk),
            "name": project.title,
            "partner": partner_id,
            "min": setting.min_size,
            "max": setting.max_size,
            "locality": project.locality.name if project.locality else None,
            "requires": {"languages": {str(k): int(v) for k, v in dict(setting.languages).items()}},
            "may_close": setting.may_close,
        })
    return {
        "students": out_students,
        "projects": out_projects,
        "partners": list(partners.values()),
        "rules": {
            "no_isolation": list(rules.no_isolation),
            "same_locality": rules.same_locality,
            "together": [[student_key(s) for s in group] for group in rules.together],
            "apart": [[student_key(a), student_key(b)] for a, b in rules.apart],
            "locked": {student_key(s): project_key(p) for s, p in sorted(rules.locked.items())},
            "fallback_rank": rules.fallback_rank,
            "objective": rules.objective,
            **({"rank_costs": list(rules.rank_costs)} if rules.rank_costs is not None else {}),
        },
    }


def labels_of(problem: Mapping[str, Any]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for kind in ("students", "projects", "partners"):
        for item in problem.get(kind, []):
            labels[str(item["id"])] = str(item.get("name") or item["id"])
    return labels


def humanise(text: str, labels: Mapping[str, str]) -> str:
    """Replace the core's ids (u12, p4, o3) in a message with the names they stand for."""
    return _KEY.sub(lambda m: labels.get(m[1], m[1]), text)


# Runs -------------------------------------------------------------------------------------------------------------


def cohorts_with_latest_run() -> list[tuple[Cohort, AllocationRun | None]]:
    cohorts = list(Cohort.objects.select_related("programme").order_by("-academic_year", "programme__name"))
    latest: dict[int, AllocationRun] = {}
    for run in AllocationRun.objects.filter(cohort__in=cohorts).order_by("cohort_id", "-created_at", "-id"):
        latest.setdefault(run.cohort_id, run)
    return [(cohort, latest.get(cohort.pk)) for cohort in cohorts]


def runs_of(*, cohort: Cohort) -> QuerySet[AllocationRun]:
    return AllocationRun.objects.filter(cohort=cohort).select_related("created_by", "published_by")


def run_get_for_user(*, user: User, pk: int) -> AllocationRun:
    if not is_manager(user):
        raise Http404
    run = AllocationRun.objects.select_related("cohort__programme", "created_by", "published_by", "parent").filter(
        pk=pk).first()
    if run is None:
        raise Http404
    return run


def run_problem(run: AllocationRun) -> Problem:
    return parse_problem(run.problem)


@dataclass
class StudentRow:
    key: str
    name: str
    email: str
    wp: bool
    attributes: dict[str, str]
    project: str | None  # key
    project_name: str
    rank: int | None  # position in their list; None when unassigned or not ranked
    ranked: list[str]  # project names, best first
    why: str  # explanation or reason for being unassigned
    moved: bool = False
    locked: bool = False


@dataclass
class GroupRow:
    key: str
    name: str
    partner: str
    size: int
    min: int
    max: int
    locality: str
    members: list[StudentRow]
    attributes: list[tuple[str, list[tuple[str, int]]]]
    languages: list[tuple[str, int, int]]  # language, needed, speakers
    problems: list[str]


@dataclass(frozen=True)
class FairnessRow:
    label: str
    students: int
    assigned: int
    pct_first: float
    average_rank: float | None


@dataclass
class RunReport:
    run: AllocationRun
    stats: dict[str, Any]
    profile: list[tuple[str, int, float]]
    groups: list[GroupRow]
    closed: list[str]
    unassigned: list[StudentRow]
    students: list[StudentRow]
    blocking: list[tuple[str, str]]
    fairness: list[FairnessRow]
    violations: list[str]
    warnings: list[str]
    moves: list[AllocationMove] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _fairness(label: str, rows: Iterable[StudentRow], problem: Problem) -> FairnessRow:
    rows = list(rows)
    placed = [r for r in rows if r.project is not None]
    firsts = sum(1 for r in placed if r.rank == 1)
    ranks = [effective_rank(problem, r.key, r.project) for r in placed if r.project is not None]
    return FairnessRow(
        label=label, students=len(rows), assigned=len(placed),
        pct_first=round(100.0 * firsts / len(rows), 1) if rows else 0.0,
        average_rank=round(sum(ranks) / len(ranks), 2) if ranks else None,
    )


def run_report(*, run: AllocationRun) -> RunReport:
    """Everything the result page shows, for the current allocation (the solver's result plus hand moves)."""
    problem = run_problem(run)
    labels = labels_of(run.problem)
    result: dict[str, Any] = run.result or {}
    assignment: dict[str, str] = {str(k): str(v) for k, v in run.assignment.items()}
    moves = list(run.moves.select_related("student", "from_project", "to_project", "by"))
    moved = {student_key(m.student_id) for m in moves}
    raw = {str(s["id"]): s for s in run.problem.get("students", [])}
    explanations: dict[str, str] = result.get("explanations", {})
    reasons: dict[str, str] = result.get("unassigned", {})
    rows: dict[str, StudentRow] = {}
    for student in problem.students:
        pid = assignment.get(student.id)
        why = explanations.get(student.id, "") if pid is not None else reasons.get(student.id, "not placed by hand")
        if student.id in moved:
            why = "Moved by hand." + (f" Before the move: {why}" if why else "")
        rows[student.id] = StudentRow(
            key=student.id, name=labels.get(student.id, student.id), email=str(raw[student.id].get("email", "")),
            wp=bool(raw[student.id].get("wp", False)), attributes=dict(student.attributes), project=pid,
            project_name=labels.get(pid, pid) if pid else "", rank=problem.rank(student.id, pid) if pid else None,
            ranked=[labels.get(p, p) for p in student.preferences], why=humanise(why, labels),
            moved=student.id in moved, locked=student.id in problem.rules.locked,
        )
    profile_counts, stats = compute_stats(problem, assignment)
    n = len(problem.students) or 1
    profile = [(f"{_ordinal(i + 1)} choice", count, round(100.0 * count / n, 1))
               for i, count in enumerate(profile_counts[:-1])]
    profile.append(("a project they did not rank", profile_counts[-1], round(100.0 * profile_counts[-1] / n, 1)))
    profile.append(("not placed", int(stats["unassigned"]), round(100.0 * int(stats["unassigned"]) / n, 1)))
    violations = check(problem, assignment)
    by_subject: dict[str, list[str]] = defaultdict(list)
    for violation in violations:
        by_subject[violation.subject.split("/")[0]].append(humanise(violation.message, labels))
    members: dict[str, list[StudentRow]] = defaultdict(list)
    for row in rows.values():
        if row.project is not None:
            members[row.project].append(row)
    groups: list[GroupRow] = []
    closed: list[str] = []
    for project in problem.projects:
        people = members.get(project.id, [])
        if not people:
            closed.append(labels.get(project.id, project.id))
            continue
        attribute_counts = []
        for attribute in sorted({a for r in people for a in r.attributes}):
            counts = Counter(r.attributes[attribute] for r in people if attribute in r.attributes)
            attribute_counts.append((attribute, sorted(counts.items())))
        languages = [
            (lang, need, sum(1 for r in people if lang in problem.student(r.key).languages))
            for lang, need in sorted(project.requires_languages.items())
        ]
        groups.append(GroupRow(
            key=project.id, name=labels.get(project.id, project.id),
            partner=labels.get(project.partner, project.partner), size=len(people), min=project.min,
            max=project.max, locality=project.locality or "", members=people, attributes=attribute_counts,
            languages=languages, problems=by_subject.get(project.id, []),
        ))
    fairness = [_fairness("All students", rows.values(), problem)]
    for attribute in sorted({a for r in rows.values() for a in r.attributes}):
        for value in sorted({r.attributes[attribute] for r in rows.values() if attribute in r.attributes}):
            fairness.append(_fairness(f"{attribute}: {value}",
                                      (r for r in rows.values() if r.attributes.get(attribute) == value), problem))
    fairness.append(_fairness("Widening participation", (r for r in rows.values() if r.wp), problem))
    fairness.append(_fairness("Not widening participation", (r for r in rows.values() if not r.wp), problem))
    blocking = [(labels.get(s, s), labels.get(p, p)) for s, p in blocking_pairs(problem, assignment)]
    return RunReport(
        run=run, stats={**result.get("stats", {}), **stats}, profile=profile, groups=groups, closed=closed,
        unassigned=[r for r in rows.values() if r.project is None],
        students=sorted(rows.values(), key=lambda r: (r.rank is None, -(r.rank or 0), r.name)),
        blocking=blocking, fairness=fairness, violations=[humanise(v.message, labels) for v in violations],
        warnings=[humanise(w, labels) for w in result.get("warnings", [])], moves=moves, labels=labels,
    )


def run_conflicts(*, run: AllocationRun) -> list[str]:
    labels = labels_of(run.problem)
    return [humanise(str(c.get("message", "")), labels) for c in run.conflicts]


@dataclass(frozen=True)
class MovePreview:
    student: User
    project: Project | None
    result: MoveResult
    violations: list[str]
    new_violations: list[str]
    from_name: str
    to_name: str


def move_preview(*, run: AllocationRun, student_pk: int, project_pk: int | None) -> MovePreview:
    """What moving the student to the project (None: out of every project) would break and cost, every rule
    re-checked. 404 for a student or project that is not in the run."""
    student = User.objects.filter(pk=student_pk).first()
    project = Project.objects.filter(pk=project_pk, cohort=run.cohort_id).first() if project_pk else None
    if student is None or (project_pk and project is None):
        raise Http404
    problem = run_problem(run)
    sid = student_key(student.pk)
    if sid not in problem.student_index:
        raise Http404
    pid = project_key(project.pk) if project is not None else None
    if pid is not None and pid not in problem.project_index:
        raise Http404
    labels = labels_of(run.problem)
    result = evaluate_move(problem, {str(k): str(v) for k, v in run.assignment.items()}, sid, pid)
    return MovePreview(
        student=student, project=project, result=result,
        violations=[humanise(v.message, labels) for v in result.violations],
        new_violations=[humanise(v.message, labels) for v in result.new_violations],
        from_name=labels.get(result.from_project, "") if result.from_project else "no project",
        to_name=labels.get(pid, "") if pid else "no project",
    )


def run_students(*, run: AllocationRun) -> list[tuple[int, str]]:
    return [(key_pk(str(s["id"])), str(s.get("name") or s["id"])) for s in run.problem.get("students", [])]


def run_projects(*, run: AllocationRun) -> list[tuple[int, str]]:
    return [(key_pk(str(p["id"])), str(p.get("name") or p["id"])) for p in run.problem.get("projects", [])]


def published_run(*, cohort: Cohort) -> AllocationRun | None:
    return (AllocationRun.objects.filter(cohort=cohort, status=RunStatus.DONE, published_at__isnull=False)
            .order_by("-published_at", "-id").first())


@dataclass(frozen=True)
class OwnResult:
    project: Project | None
    rank: int | None
    why: str


def own_result(*, cohort: Cohort, student: User) -> OwnResult | None:
    """The student's place in the published allocation of the cohort, or None while nothing is published."""
    run = published_run(cohort=cohort)
    if run is None:
        return None
    sid = student_key(student.pk)
    # A student sees no other student's name in their explanation.
    labels = {key: ("you" if key == sid else "another student") if key.startswith("u") else name
              for key, name in labels_of(run.problem).items()}
    result: dict[str, Any] = run.result or {}
    pid = run.assignment.get(sid)
    if pid is None:
        reason = result.get("unassigned", {}).get(sid, "You were not placed; your programme lead will contact you.")
        return OwnResult(project=None, rank=None, why=humanise(str(reason), labels))
    project = Project.objects.filter(pk=key_pk(str(pid)), cohort=cohort).first()
    prefs = [str(p) for s in run.problem.get("students", []) if s["id"] == sid for p in s.get("preferences", [])]
    rank = prefs.index(pid) + 1 if pid in prefs else None
    moved = run.moves.filter(student=student).exists()
    why = "" if moved else humanise(str(result.get("explanations", {}).get(sid, "")), labels)
    return OwnResult(project=project, rank=rank, why=why)


# Home page --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenChoices:
    cohort: Cohort
    ranked: int  # how many projects the student has ranked so far


def choices_open_for_student(*, user: User) -> list[OpenChoices]:
    """The cohorts of `cohorts_of_student` (whose choices page the student may open) with no allocation published
    yet, with how many projects the student has ranked. Three queries whatever the number of cohorts."""
    if not user.has_role(Role.STUDENT):
        return []
    profile = StudentProfile.objects.filter(user=user).first()
    preferences = Preference.objects.filter(student=user)
    where = Q(groups__memberships__student=user) | Q(pk__in=preferences.values("cohort"))
    if profile is not None:
        where |= Q(academic_year=profile.academic_year)
    cohorts = (
        Cohort.objects.filter(where).distinct().select_related("programme")
        .annotate(
            member=Exists(GroupMembership.objects.filter(group__cohort=OuterRef("pk"), student=user)),
            chose=Exists(preferences.filter(cohort=OuterRef("pk"))),
            has_options=Exists(Project.objects.filter(cohort=OuterRef("pk")).exclude(stage=ProjectStage.COMPLETE)),
            published=Exists(AllocationRun.objects.filter(cohort=OuterRef("pk"), status=RunStatus.DONE,
                                                          published_at__isnull=False)),
        )
        .filter(has_options=True, published=False)
        .order_by("academic_year", "programme__name", "pk")
    )

    def in_cohort(cohort: Any) -> bool:
        # The same test as `cohort_students`: in the cohort's year (and years of study), or linked to it.
        if cohort.member or cohort.chose:
            return True
        if profile is None or profile.academic_year != cohort.academic_year:
            return False
        years = _years(cohort)
        return not years or profile.year_of_study in years

    mine = [cohort for cohort in cohorts if in_cohort(cohort)]
    ranked = dict(preferences.filter(cohort__in=mine).values("cohort").annotate(n=Count("id"))
                  .values_list("cohort", "n"))
    return [OpenChoices(cohort=cohort, ranked=ranked.get(cohort.pk, 0)) for cohort in mine]


def runs_awaiting_publication(*, user: User) -> QuerySet[AllocationRun]:
    """Finished runs of cohorts that have no published allocation yet: for leads and administrators only."""
    if not is_manager(user):
        return AllocationRun.objects.none()
    published = AllocationRun.objects.filter(cohort=OuterRef("cohort"), published_at__isnull=False)
    return (
        AllocationRun.objects.filter(status=RunStatus.DONE, published_at__isnull=True)
        .filter(~Exists(published))
        .select_related("cohort__programme")
        .order_by("-finished_at", "-id")
    )
