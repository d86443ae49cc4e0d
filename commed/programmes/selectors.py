"""Reads for programmes and projects. Who sees which project, plan, file and reflection is decided here.

- leads and administrators see every project;
- a tutor sees the projects of the groups they tutor;
- a student sees the projects of their own groups;
- a partner contact sees the projects their organisation is part of.
Everyone else gets 404.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from commed.accounts.models import Role, User
from commed.partners.models import Organisation
from commed.partners.selectors import organisations_visible_to
from commed.programmes import authorship
from commed.programmes.models import (
    ChangeRequest,
    ChangeRequestStatus,
    CheckInResponse,
    CheckInSide,
    Cohort,
    Consent,
    Group,
    GroupMembership,
    Milestone,
    Opportunity,
    Output,
    OutputFile,
    PartnerFeedback,
    Party,
    Plan,
    PlanSection,
    PlanSignature,
    PlanVersion,
    Programme,
    Project,
    ProjectStage,
    Reflection,
    VersionStatus,
)
from commed.programmes.services import CHECKIN_QUESTIONS, SECTIONS, plan_awaiting

MANAGERS = (Role.LEAD, Role.ADMIN)


def is_manager(user: User) -> bool:
    return user.is_active and user.role in MANAGERS


# Projects ---------------------------------------------------------------------------------------------------------


def projects_visible_to(*, user: User) -> QuerySet[Project]:
    if not user.is_active:
        return Project.objects.none()
    if user.role in MANAGERS:
        return Project.objects.all()
    if user.role == Role.TUTOR:
        return Project.objects.filter(groups__tutor=user).distinct()
    if user.role == Role.STUDENT:
        return Project.objects.filter(groups__memberships__student=user).distinct()
    if user.role == Role.PARTNER:
        return Project.objects.filter(organisations__contacts__user=user).distinct()
    return Project.objects.none()


def project_list(*, user: User) -> QuerySet[Project]:
    return (
        projects_visible_to(user=user)
        .select_related("cohort__programme", "plan__current_version", "plan__agreed_version")
        .prefetch_related("organisations", "groups__tutor")
        .order_by("-cohort__academic_year", "title")
    )


def project_get_for_user(*, user: User, pk: int) -> Project:
    project = (
        projects_visible_to(user=user)
        .select_related("cohort__programme", "locality", "opportunity", "plan__current_version",
                        "plan__agreed_version")
        .prefetch_related(
            "organisations__contacts",
            Prefetch("groups", queryset=Group.objects.select_related("tutor").prefetch_related(
                Prefetch("memberships", queryset=GroupMembership.objects.select_related("student"))
            )),
        )
        .filter(pk=pk)
        .first()
    )
    if project is None:
        raise Http404
    return project


def project_party_for(*, user: User, project: Project) -> str | None:
    """Which of the three plan parties the user writes and signs for on this project, if any."""
    if not user.is_active:
        return None
    if user.role == Role.STUDENT and GroupMembership.objects.filter(group__project=project, student=user).exists():
        return Party.STUDENTS
    if user.role in (Role.TUTOR, Role.LEAD) and Group.objects.filter(project=project, tutor=user).exists():
        return Party.TUTOR
    if user.role == Role.PARTNER and project.organisations.filter(contacts__user=user).exists():
        return Party.PARTNER
    return None


def project_can_manage(*, user: User, project: Project) -> bool:
    """Move stages, add milestones, issue links: leads, and the project's tutors."""
    return is_manager(user) or (user.role == Role.TUTOR and Group.objects.filter(project=project, tutor=user).exists())


def project_can_contribute(*, user: User, project: Project) -> bool:
    """Register outputs: the three parties and leads."""
    return is_manager(user) or project_party_for(user=user, project=project) is not None


# Plans ------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionView:
    key: str
    label: str
    text: str
    comments: list[Any]
    change_requests: list[Any]


@dataclass(frozen=True)
class SignatureState:
    """One signature the current version needs: the student group's, the tutor's, each partner organisation's."""

    party: str
    label: str
    signature: PlanSignature | None
    organisation: Organisation | None = None


@dataclass(frozen=True)
class ShareRow:
    """One party's part in the plan: of the current text, of the accepted change requests, and of the versions."""

    party: str
    label: str
    text_percent: int
    accepted: int
    accepted_percent: int
    versions: int


@dataclass
class PlanOverview:
    plan: Plan
    current: PlanVersion | None
    sections: list[SectionView]
    signatures: list[SignatureState]
    missing_parties: list[str]
    versions: list[PlanVersion]
    conflicts: list[PlanVersion]
    voided: list[PlanSignature]
    shares: dict[str, float]
    accepted_changes: dict[str, int]
    share_rows: list[ShareRow] = field(default_factory=list)

    @property
    def is_agreed(self) -> bool:
        return self.plan.is_agreed


def plan_authorship(*, plan: Plan) -> tuple[dict[str, float], dict[str, int]]:
    """Each party's share of the characters of the current version, and their accepted change requests."""
    mainline = [
        (version.party, version.sections)
        for version in plan.versions.filter(status=VersionStatus.CURRENT_LINE).order_by("number")
    ]
    counts = authorship.character_counts(authorship.section_histories(mainline, SECTIONS))
    shares = authorship.shares(counts, Party.values)
    accepted = {party: 0 for party in Party.values}
    for party, n in (
        ChangeRequest.objects.filter(plan=plan, status=ChangeRequestStatus.ACCEPTED)
        .values_list("party").annotate(n=Count("id")).values_list("party", "n")
    ):
        accepted[party] = n
    return shares, accepted


def accepted_change_shares(accepted: dict[str, int]) -> dict[str, float]:
    """Each party's share (0..1) of the change requests that another party accepted."""
    total = sum(accepted.values())
    return {party: (accepted.get(party, 0) / total if total else 0.0) for party in Party.values}


def plan_overview(*, plan: Plan) -> PlanOverview:
    current = plan.current_version
    comments = list(plan.comments.select_related("version"))
    requests = list(plan.change_requests.filter(status=ChangeRequestStatus.OPEN))
    sections = [
        SectionView(
            key=key, label=str(PlanSection(key).label), text=current.text(key) if current else "",
            comments=[c for c in comments if c.section == key],
            change_requests=[r for r in requests if r.section == key],
        )
        for key in SECTIONS
    ]
    live = [s for s in plan.signatures.filter(voided_at__isnull=True).select_related("version", "via_link")
            if current is not None and s.version_id == current.pk]
    organisations = list(plan.project.organisations.all())
    signatures: list[SignatureState] = []
    for p in Party.values:
        if p == Party.PARTNER and organisations:
            signatures.extend(
                SignatureState(party=p, label=f"{Party(p).label} ({org.name})", organisation=org,
                               signature=next((s for s in live if s.party == p and s.organisation_id == org.pk), None))
                for org in organisations
            )
        else:
            signatures.append(SignatureState(party=p, label=str(Party(p).label),
                                             signature=next((s for s in live if s.party == p), None)))
    versions = list(plan.versions.select_related("author", "base").order_by("-number"))
    shares, accepted = plan_authorship(plan=plan)
    accepted_shares = accepted_change_shares(accepted)
    share_rows = [
        ShareRow(
            party=p, label=str(Party(p).label), text_percent=round(shares.get(p, 0.0) * 100),
            accepted=accepted.get(p, 0), accepted_percent=round(accepted_shares[p] * 100),
            versions=sum(1 for v in versions if v.party == p and v.status == VersionStatus.CURRENT_LINE),
        )
        for p in Party.values
    ]
    return PlanOverview(
        plan=plan,
        current=current,
        sections=sections,
        signatures=signatures,
        missing_parties=plan_awaiting(signed=[(s.party, s.organisation_id) for s in live],
                                      organisations=organisations) if current else [],
        versions=[v for v in versions if v.status == VersionStatus.CURRENT_LINE],
        conflicts=[v for v in versions if v.status == VersionStatus.CONFLICT and v.resolved_by_id is None],
        voided=list(plan.signatures.filter(voided_at__isnull=False).select_related("version")),
        shares=shares,
        accepted_changes=accepted,
        share_rows=share_rows,
    )


def plan_version_get_for_user(*, user: User, pk: int) -> PlanVersion:
    version = PlanVersion.objects.select_related("plan__project", "base", "author").filter(pk=pk).first()
    if version is None:
        raise Http404
    project_get_for_user(user=user, pk=version.plan.project_id)
    return version


@dataclass(frozen=True)
class SectionComparison:
    key: str
    label: str
    left: str
    right: str
    differs: bool


def versions_compare(*, left: PlanVersion | None, right: PlanVersion) -> list[SectionComparison]:
    return [
        SectionComparison(key=key, label=str(PlanSection(key).label), left=left.text(key) if left else "",
                          right=right.text(key), differs=(left.text(key) if left else "") != right.text(key))
        for key in SECTIONS
    ]


def change_request_get_for_user(*, user: User, pk: int) -> ChangeRequest:
    request = ChangeRequest.objects.select_related("plan__project").filter(pk=pk).first()
    if request is None:
        raise Http404
    project_get_for_user(user=user, pk=request.plan.project_id)
    return request


def change_request_get_for_plan(*, plan: Plan, pk: int) -> ChangeRequest:
    """A change request of this plan (for a link to the plan): any other plan's is a 404."""
    request = ChangeRequest.objects.select_related("plan__project").filter(pk=pk, plan=plan).first()
    if request is None:
        raise Http404
    return request


# Milestones, outputs ----------------------------------------------------------------------------------------------


def milestone_get_for_user(*, user: User, pk: int) -> Milestone:
    milestone = Milestone.objects.select_related("project").filter(pk=pk).first()
    if milestone is None:
        raise Http404
    project_get_for_user(user=user, pk=milestone.project_id)
    return milestone


def milestones_overdue(*, user: User, today: dt.date | None = None) -> QuerySet[Milestone]:
    today = today or timezone.localdate()
    return (
        Milestone.objects.filter(project__in=projects_visible_to(user=user), completed_at__isnull=True,
                                 due_on__lt=today)
        .exclude(project__stage=ProjectStage.COMPLETE)
        .select_related("project__cohort__programme")
        .prefetch_related("project__groups__tutor")
        .order_by("due_on", "project__title")
    )


def output_file_get_for_user(*, user: User, pk: int) -> OutputFile:
    stored = OutputFile.objects.select_related("output__project").filter(pk=pk).first()
    if stored is None:
        raise Http404
    project_get_for_user(user=user, pk=stored.output.project_id)
    return stored


def feedback_for(*, user: User, project: Project) -> QuerySet[PartnerFeedback]:
    """Staff of the project read every partner's feedback; a partner reads their own organisation's; students none."""
    feedback = project.feedback.select_related("organisation")
    if user.role == Role.PARTNER:
        return feedback.filter(organisation__contacts__user=user).distinct()
    if user.role == Role.STUDENT or not user.is_active:
        return feedback.none()
    return feedback


def outputs_for(*, project: Project) -> QuerySet[Output]:
    return project.outputs.prefetch_related("files").select_related("created_by")


# Reflections ------------------------------------------------------------------------------------------------------

SHARED_WITH_TUTOR = (Consent.TUTOR, Consent.PARTNER, Consent.RESEARCH)
SHARED_WITH_PARTNER = (Consent.PARTNER, Consent.RESEARCH)


def reflections_visible_to(*, user: User) -> QuerySet[Reflection]:
    """Always filtered by the CURRENT consent level, so lowering it takes effect everywhere at once."""
    if not user.is_active:
        return Reflection.objects.none()
    if user.role == Role.STUDENT:
        return Reflection.objects.filter(student=user)
    if user.role in MANAGERS:
        return Reflection.objects.filter(consent__in=SHARED_WITH_TUTOR)
    if user.role == Role.TUTOR:
        tutored = GroupMembership.objects.filter(
            student=OuterRef("student"), group__project=OuterRef("project"), group__tutor=user
        )
        return Reflection.objects.filter(Exists(tutored), consent__in=SHARED_WITH_TUTOR)
    if user.role == Role.PARTNER:
        return Reflection.objects.filter(consent__in=SHARED_WITH_PARTNER,
                                         project__organisations__contacts__user=user).distinct()
    return Reflection.objects.none()


def reflections_for_project(*, user: User, project: Project) -> QuerySet[Reflection]:
    return reflections_visible_to(user=user).filter(project=project).select_related("student")


def reflection_get_for_user(*, user: User, pk: int) -> Reflection:
    reflection = reflections_visible_to(user=user).select_related("student", "project").filter(pk=pk).first()
    if reflection is None:
        raise Http404
    return reflection


@dataclass(frozen=True)
class ResearchReflection:
    pseudonym: str
    project_code: str
    what_happened: str
    learned_about_community: str
    do_differently: str


def _pseudonym(kind: str, pk: int) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{kind}:{pk}".encode(), hashlib.sha256).hexdigest()
    return f"{kind[0].upper()}-{digest[:8]}"


def _scrub(text: str, names: list[str]) -> str:
    for name in names:
        text = re.sub(rf"\b{re.escape(name)}\b", "[name]", text, flags=re.IGNORECASE)
    return text


def reflections_for_research(*, cohort: Cohort) -> list[ResearchReflection]:
    """Reflections the students allowed for research, with no names: pseudonyms, and known names blanked out."""
    reflections = list(
        Reflection.objects.filter(project__cohort=cohort, consent=Consent.RESEARCH)
        .select_related("student", "project").order_by("project_id", "id")
    )
    people = User.objects.filter(
        Q(group_memberships__group__cohort=cohort) | Q(tutored_groups__cohort=cohort)
    ).distinct()
    names: set[str] = set()
    for person in people:
        names.update(part for part in (person.first_name, person.last_name, person.display_name) if len(part) > 1)
    for project in cohort.projects.prefetch_related("organisations__contacts"):
        for organisation in project.organisations.all():
            names.update(c.name for c in organisation.contacts.all() if c.name)
            names.update(part for c in organisation.contacts.all() for part in c.name.split() if len(part) > 2)
    ordered = sorted(names, key=len, reverse=True)
    return [
        ResearchReflection(
            pseudonym=_pseudonym("student", r.student_id),
            project_code=_pseudonym("project", r.project_id),
            what_happened=_scrub(r.what_happened, ordered),
            learned_about_community=_scrub(r.learned_about_community, ordered),
            do_differently=_scrub(r.do_differently, ordered),
        )
        for r in reflections
    ]


# Programmes, cohorts, opportunities --------------------------------------------------------------------------------


def programme_list() -> QuerySet[Programme]:
    return Programme.objects.prefetch_related("cohorts").annotate(cohort_count=Count("cohorts"))


def programme_get(*, user: User, pk: int) -> Programme:
    if not is_manager(user):
        raise Http404
    programme = Programme.objects.prefetch_related("cohorts").filter(pk=pk).first()
    if programme is None:
        raise Http404
    return programme


def cohort_get(*, user: User, pk: int) -> Cohort:
    if not is_manager(user):
        raise Http404
    cohort = Cohort.objects.select_related("programme").prefetch_related("key_dates", "localities").filter(
        pk=pk).first()
    if cohort is None:
        raise Http404
    return cohort


def opportunities_visible_to(*, user: User) -> QuerySet[Opportunity]:
    if is_manager(user):
        return Opportunity.objects.all()
    if user.is_active and user.role == Role.PARTNER:
        return Opportunity.objects.filter(organisation__contacts__user=user).distinct()
    return Opportunity.objects.none()


def opportunity_list(*, user: User, status: str = "") -> QuerySet[Opportunity]:
    opportunities = opportunities_visible_to(user=user).select_related("organisation", "cohort__programme")
    if status:
        opportunities = opportunities.filter(status=status)
    return opportunities


def opportunity_get_for_user(*, user: User, pk: int) -> Opportunity:
    opportunity = opportunity_list(user=user).filter(pk=pk).first()
    if opportunity is None:
        raise Http404
    return opportunity


def partner_organisations_of(*, user: User) -> QuerySet[Organisation]:
    if user.is_active and user.role == Role.PARTNER:
        return Organisation.objects.filter(contacts__user=user).distinct()
    return Organisation.objects.none()


# Cohort board ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardRow:
    group: Group
    project: Project | None
    overdue: list[Milestone]
    awaiting: list[str]
    agreed: bool


@dataclass(frozen=True)
class BoardColumn:
    stage: str
    label: str
    rows: list[BoardRow]


def cohort_board(
    *, cohort: Cohort, stage: str = "", tutor: str = "", q: str = "", today: dt.date | None = None
) -> list[BoardColumn]:
    """Groups by project stage, with overdue milestones and the parties yet to sign the current plan version."""
    today = today or timezone.localdate()
    groups = (
        Group.objects.filter(cohort=cohort)
        .select_related("tutor", "project__plan__current_version", "project__plan__agreed_version")
        .prefetch_related("memberships__student", "project__organisations",
                          Prefetch("project__milestones", queryset=Milestone.objects.filter(
                              completed_at__isnull=True, due_on__lt=today), to_attr="overdue_milestones"))
        .order_by("name")
    )
    if stage:
        groups = groups.filter(project__stage=stage)
    if tutor:
        groups = groups.filter(tutor_id=int(tutor)) if tutor.isdigit() else groups.none()
    if q:
        groups = groups.filter(Q(name__icontains=q) | Q(project__title__icontains=q)
                               | Q(project__organisations__name__icontains=q)).distinct()
    plan_ids = [g.project.plan.pk for g in groups if g.project is not None]
    signed: dict[int, list[tuple[str, int | None]]] = {}
    for version_id, party, org_id in PlanSignature.objects.filter(
        plan_id__in=plan_ids, voided_at__isnull=True
    ).values_list("version_id", "party", "organisation_id"):
        signed.setdefault(version_id, []).append((party, org_id))
    columns = {value: BoardColumn(stage=value, label=str(label), rows=[]) for value, label in ProjectStage.choices}
    columns[""] = BoardColumn(stage="", label="No project yet", rows=[])
    for group in groups:
        project = group.project
        if project is None:
            columns[""].rows.append(BoardRow(group=group, project=None, overdue=[], awaiting=[], agreed=False))
            continue
        plan = project.plan
        current = plan.current_version
        awaiting: list[str] = []
        if current is not None and not plan.is_agreed:
            awaiting = plan_awaiting(signed=signed.get(current.pk, []), organisations=project.organisations.all())
        # A complete project has nothing overdue any more (as in `milestones_overdue` and the reminders).
        overdue = [] if project.stage == ProjectStage.COMPLETE else list(getattr(project, "overdue_milestones", []))
        columns[project.stage].rows.append(BoardRow(
            group=group, project=project, overdue=overdue,
            awaiting=awaiting, agreed=plan.is_agreed,
        ))
    ordered = [columns[value] for value, _ in ProjectStage.choices]
    if columns[""].rows:
        ordered.insert(0, columns[""])
    return ordered


def board_awaiting(*, columns: list[BoardColumn]) -> list[BoardRow]:
    """The board's rows whose current plan version still lacks a party's signature, in stage order."""
    return [row for column in columns for row in column.rows if row.awaiting]


def cohort_tutors(*, cohort: Cohort) -> QuerySet[User]:
    return User.objects.filter(tutored_groups__cohort=cohort).distinct()


# Partner history, check-ins ---------------------------------------------------------------------------------------


def partner_history(*, user: User, organisation: Organisation) -> list[Project]:
    """The organisation's projects across the years, as far as the user may see them.

    Outreach coordinators keep the partner directory: they see the list of an organisation's projects (titles,
    years, stages), though not the projects themselves (see `partner_history_openable`).
    """
    projects = (
        Project.objects.all() if user.is_active and user.role == Role.COORDINATOR else projects_visible_to(user=user)
    )
    return list(
        projects.filter(organisations=organisation)
        .select_related("cohort__programme", "plan__agreed_version", "plan__current_version")
        .prefetch_related("outputs", "feedback")
        .order_by("-cohort__academic_year", "title")
    )


def partner_history_openable(*, user: User, projects: list[Project]) -> set[int]:
    """The projects of a history list whose pages the user may open."""
    return set(projects_visible_to(user=user).filter(pk__in=[p.pk for p in projects]).values_list("pk", flat=True))


def organisation_for_history(*, user: User, pk: int) -> Organisation:
    organisation = organisations_visible_to(user=user).filter(pk=pk).first()
    if organisation is None:
        raise Http404
    return organisation


@dataclass(frozen=True)
class CheckInGap:
    key: str
    question: str
    partner: float | None
    school: float | None

    @property
    def gap(self) -> float | None:
        if self.partner is None or self.school is None:
            return None
        return round(self.school - self.partner, 1)


def checkin_gaps(*, project: Project) -> list[CheckInGap]:
    scores: dict[tuple[str, str], list[int]] = {}
    for response in CheckInResponse.objects.filter(project=project):
        for key, value in response.answers.items():
            scores.setdefault((response.side, key), []).append(int(value))

    def mean(side: str, key: str) -> float | None:
        values = scores.get((side, key))
        return round(sum(values) / len(values), 1) if values else None

    return [
        CheckInGap(key=key, question=text, partner=mean(CheckInSide.PARTNER, key), school=mean(CheckInSide.SCHOOL, key))
        for key, text in CHECKIN_QUESTIONS
    ]


# Home page --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanAwaiting:
    """A visible project whose current plan version still lacks signatures; `awaiting_user`: the user's own
    party (their group, their tutoring, their organisation) is among those who have not signed."""

    project: Project
    awaiting: list[str]
    awaiting_user: bool


def plans_awaiting_signature(*, user: User, only_user: bool = False) -> list[PlanAwaiting]:
    """The projects the user may open whose current plan version is not agreed yet, naming who has not signed,
    oldest cohort first. Three queries whatever the number of projects."""
    projects = list(
        projects_visible_to(user=user)
        .filter(plan__current_version__isnull=False)
        .select_related("cohort__programme", "plan__current_version")
        .prefetch_related("organisations")
        .order_by("cohort__academic_year", "title", "pk")
    )
    current_ids = [project.plan.current_version_id for project in projects]
    signed: dict[int, list[tuple[str, int | None]]] = {}
    for version_id, party, org_id in PlanSignature.objects.filter(
        version_id__in=current_ids, voided_at__isnull=True
    ).values_list("version_id", "party", "organisation_id"):
        signed.setdefault(version_id, []).append((party, org_id))
    my_orgs = (set(Organisation.objects.filter(contacts__user=user).values_list("pk", flat=True))
               if user.role == Role.PARTNER else set())
    rows: list[PlanAwaiting] = []
    for project in projects:
        current_id = project.plan.current_version_id
        if current_id is None or project.plan.is_agreed:
            continue
        pairs = signed.get(current_id, [])
        awaiting = plan_awaiting(signed=pairs, organisations=project.organisations.all())
        if not awaiting:
            continue
        parties = {party for party, _ in pairs}
        if user.role == Role.STUDENT:
            mine = Party.STUDENTS not in parties
        elif user.role == Role.TUTOR:
            mine = Party.TUTOR not in parties
        elif user.role == Role.PARTNER:
            partner_signed = {org for party, org in pairs if party == Party.PARTNER}
            mine = any(o.pk in my_orgs and o.pk not in partner_signed for o in project.organisations.all())
        else:
            mine = False
        if only_user and not mine:
            continue
        rows.append(PlanAwaiting(project=project, awaiting=awaiting, awaiting_user=mine))
    return rows
