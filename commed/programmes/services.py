"""Writes for programmes, cohorts, groups, projects and co-produced plans. Personal data changes are audited."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from commed.accounts.models import Role, User
from commed.audit.models import Action
from commed.audit.services import audit_record
from commed.links.models import SignedLink
from commed.links.services import IssuedLink, link_issue
from commed.partners import services as partner_services
from commed.partners.models import BenefitKind, Contact, Direction, InteractionKind, Organisation, Partnership
from commed.partners.models import Stage as PartnershipStage
from commed.programmes.models import (
    CONSENT_ORDER,
    ChangeRequest,
    ChangeRequestStatus,
    CheckInResponse,
    CheckInSide,
    Cohort,
    Consent,
    ConsentChange,
    Group,
    GroupMembership,
    KeyDate,
    Locality,
    Milestone,
    Opportunity,
    OpportunityStatus,
    Output,
    OutputFile,
    PartnerFeedback,
    Party,
    Plan,
    PlanComment,
    PlanSection,
    PlanSignature,
    PlanVersion,
    Programme,
    Project,
    ProjectStage,
    ProjectStageChange,
    Reflection,
    ReminderSent,
    VersionStatus,
)
from commed.programmes.uploads import upload_check

SECTIONS = tuple(PlanSection.values)
CHECKIN_QUESTIONS = (
    ("shaped", "The partner shaped the project from the start."),
    ("benefit", "The project benefited the community as much as the students."),
    ("communication", "Communication between us was open and timely."),
    ("respect", "Each side's knowledge and time were respected."),
    ("continue", "We want to keep working together."),
)
OPPORTUNITY_FIELDS = (
    "title", "health_need", "people_concerned", "languages", "offer_time", "offer_venue", "offer_access",
    "offer_expertise", "available_from", "available_until", "students_wanted",
)
OUTPUT_FIELDS = ("kind", "title", "description", "url", "languages", "audience", "reach", "licence",
                 "partner_may_reuse")


def _name(user: User | None, fallback: str = "") -> str:
    return (str(user) if user is not None else fallback.strip())[:150] or "Unknown"


# Programmes and cohorts -------------------------------------------------------------------------------------------


@transaction.atomic
def programme_create(
    *, actor: User | None, name: str, code: str, description: str = "", years_of_study: str = ""
) -> Programme:
    programme = Programme(name=name.strip(), code=code.strip().upper(), description=description,
                          years_of_study=years_of_study.strip(), created_at=timezone.now())
    programme.full_clean()
    programme.save()
    audit_record(actor=actor, action=Action.CREATE, obj=programme)
    return programme


@transaction.atomic
def cohort_create(
    *, actor: User | None, programme: Programme, academic_year: str, starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
) -> Cohort:
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": "A cohort cannot end before it starts."})
    if Cohort.objects.filter(programme=programme, academic_year=academic_year.strip()).exists():
        raise ValidationError({"academic_year": f"{programme.code} already has a cohort for {academic_year}."})
    cohort = Cohort(programme=programme, academic_year=academic_year.strip(), starts_on=starts_on, ends_on=ends_on,
                    created_at=timezone.now())
    cohort.full_clean()
    cohort.save()
    audit_record(actor=actor, action=Action.CREATE, obj=cohort)
    return cohort


@transaction.atomic
def locality_add(
    *, actor: User | None, cohort: Cohort, name: str, organisation: Organisation | None = None
) -> Locality:
    locality = Locality.objects.create(cohort=cohort, name=name.strip(), organisation=organisation)
    audit_record(actor=actor, action=Action.CREATE, obj=locality)
    return locality


@transaction.atomic
def key_date_add(*, actor: User | None, cohort: Cohort, kind: str, title: str, due_on: dt.date) -> KeyDate:
    key_date = KeyDate(cohort=cohort, kind=kind, title=title.strip(), due_on=due_on)
    key_date.full_clean()
    key_date.save()
    now = timezone.now()
    # Every project of the cohort works to the new date too.
    Milestone.objects.bulk_create(
        Milestone(project=project, kind=kind, title=key_date.title, due_on=due_on, created_at=now)
        for project in cohort.projects.all()
    )
    audit_record(actor=actor, action=Action.CREATE, obj=key_date)
    return key_date


# Opportunities ----------------------------------------------------------------------------------------------------


@transaction.atomic
def opportunity_propose(
    *, organisation: Organisation, by: User | None, by_name: str = "", link: SignedLink | None = None,
    **fields: Any,
) -> Opportunity:
    unknown = set(fields) - set(OPPORTUNITY_FIELDS)
    if unknown:
        raise TypeError(f"unknown opportunity fields: {sorted(unknown)}")
    start, end = fields.get("available_from"), fields.get("available_until")
    if start and end and end < start:
        raise ValidationError({"available_until": "The end date is before the start date."})
    opportunity = Opportunity(
        organisation=organisation, proposed_by=by, proposed_by_name=_name(by, by_name), via_link=link,
        created_at=timezone.now(), **fields,
    )
    opportunity.full_clean()
    opportunity.save()
    audit_record(actor=by, action=Action.CREATE, obj=opportunity,
                 summary="proposed through a signed link" if link else "proposed")
    return opportunity


@transaction.atomic
def opportunity_review(
    *, actor: User, opportunity: Opportunity, decision: str, cohort: Cohort | None = None, note: str = ""
) -> Opportunity:
    if decision not in (OpportunityStatus.PUBLISHED, OpportunityStatus.DECLINED):
        raise ValidationError({"decision": "Publish or decline."})
    if decision == OpportunityStatus.PUBLISHED and cohort is None:
        raise ValidationError({"cohort": "Choose the cohort the opportunity is published to."})
    before = opportunity.status
    opportunity.status = decision
    opportunity.cohort = cohort if decision == OpportunityStatus.PUBLISHED else opportunity.cohort
    opportunity.review_note = note.strip()
    opportunity.reviewed_by = actor
    opportunity.reviewed_at = timezone.now()
    opportunity.save()
    audit_record(actor=actor, action=Action.CHANGE, obj=opportunity, changes={"status": [before, decision]})
    return opportunity


# Projects, groups -------------------------------------------------------------------------------------------------


@transaction.atomic
def project_create(
    *, actor: User | None, cohort: Cohort, title: str, organisations: Iterable[Organisation],
    opportunity: Opportunity | None = None, locality: Locality | None = None, summary: str = "",
) -> Project:
    organisations = list(organisations)
    if opportunity is not None and opportunity.organisation not in organisations:
        organisations.insert(0, opportunity.organisation)
    if not organisations:
        raise ValidationError({"organisations": "A project works with at least one partner organisation."})
    now = timezone.now()
    project = Project(cohort=cohort, title=title.strip(), summary=summary, opportunity=opportunity,
                      locality=locality, stage=ProjectStage.SCOPING, created_at=now)
    project.full_clean()
    project.save()
    project.organisations.set(organisations)
    Plan.objects.create(project=project, created_at=now)
    ProjectStageChange.objects.create(project=project, from_stage="", to_stage=ProjectStage.SCOPING, at=now, by=actor,
                                      note="Project created")
    Milestone.objects.bulk_create(
        Milestone(project=project, kind=key.kind, title=key.title, due_on=key.due_on, created_at=now)
        for key in cohort.key_dates.all()
    )
    audit_record(actor=actor, action=Action.CREATE, obj=project)
    return project


@transaction.atomic
def project_set_stage(*, actor: User | None, project: Project, stage: str, note: str = "") -> ProjectStageChange:
    if stage not in ProjectStage.values:
        raise ValidationError({"stage": f"Unknown stage {stage!r}."})
    if stage == project.stage:
        raise ValidationError({"stage": f"The project is already at {project.get_stage_display().lower()}."})
    change = ProjectStageChange.objects.create(project=project, from_stage=project.stage, to_stage=stage,
                                               at=timezone.now(), by=actor, note=note.strip()[:300])
    project.stage = stage
    project.save(update_fields=["stage"])
    audit_record(actor=actor, action=Action.CHANGE, obj=project, changes={"stage": [change.from_stage, stage]})
    return change


def _check_student(cohort: Cohort, student: User, exclude_group: Group | None = None) -> None:
    if student.role != Role.STUDENT:
        raise ValidationError({"members": f"{student.email} is not a student."})
    others = GroupMembership.objects.filter(group__cohort=cohort, student=student)
    if exclude_group is not None:
        others = others.exclude(group=exclude_group)
    taken = others.select_related("group").first()
    if taken is not None:
        raise ValidationError({"members": f"{student.email} is already in {taken.group.name}."})


@transaction.atomic
def group_create(
    *, cohort: Cohort, name: str, project: Project | None, tutor: User | None, members: Iterable[User],
    actor: User | None = None,
) -> Group:
    if project is not None and project.cohort_id != cohort.pk:
        raise ValidationError({"project": "That project belongs to another cohort."})
    if tutor is not None and tutor.role not in (Role.TUTOR, Role.LEAD):
        raise ValidationError({"tutor": f"{tutor.email} is not a tutor."})
    if Group.objects.filter(cohort=cohort, name=name.strip()).exists():
        raise ValidationError({"name": f"There is already a group called {name.strip()} in this cohort."})
    now = timezone.now()
    group = Group.objects.create(cohort=cohort, name=name.strip(), project=project, tutor=tutor, created_at=now)
    for student in members:
        group_member_add(actor=actor, group=group, student=student)
    audit_record(actor=actor, action=Action.CREATE, obj=group)
    return group


@transaction.atomic
def group_member_add(*, actor: User | None, group: Group, student: User) -> GroupMembership:
    _check_student(group.cohort, student)
    membership = GroupMembership.objects.create(group=group, student=student, joined_at=timezone.now())
    audit_record(actor=actor, action=Action.CREATE, obj=membership, object_label=f"{student.email} in {group}")
    return membership


@transaction.atomic
def group_member_remove(*, actor: User | None, membership: GroupMembership) -> None:
    audit_record(actor=actor, action=Action.DELETE, obj=membership,
                 object_label=f"{membership.student.email} in {membership.group}")
    membership.delete()


@transaction.atomic
def groups_publish_from_allocation(
    *, actor: User | None, cohort: Cohort, assignment: Mapping[int, int]
) -> list[Group]:
    """Turn an allocation (student user id -> project id) into one group per project.

    Students named in the assignment leave any group they had in the cohort; a project that already has a group
    keeps it (and its tutor) and gets the allocated students; otherwise a group named after the project is made.
    """
    projects = {project.pk: project for project in cohort.projects.filter(pk__in=set(assignment.values()))}
    missing = set(assignment.values()) - set(projects)
    if missing:
        raise ValidationError(f"Projects not in {cohort}: {sorted(missing)}")
    students = {user.pk: user for user in User.objects.filter(pk__in=list(assignment), role=Role.STUDENT)}
    if set(assignment) - set(students):
        raise ValidationError(f"Not students: {sorted(set(assignment) - set(students))}")
    for membership in GroupMembership.objects.filter(group__cohort=cohort, student_id__in=list(assignment)):
        group_member_remove(actor=actor, membership=membership)
    groups: list[Group] = []
    for project_id in sorted(projects):
        project = projects[project_id]
        group = Group.objects.filter(cohort=cohort, project=project).order_by("id").first()
        if group is None:
            name = f"{project.title[:80]} group"
            suffix = 2
            while Group.objects.filter(cohort=cohort, name=name).exists():
                name = f"{project.title[:80]} group {suffix}"
                suffix += 1
            group = group_create(cohort=cohort, name=name, project=project, tutor=None, members=[], actor=actor)
        for student_id, assigned in sorted(assignment.items()):
            if assigned == project_id:
                group_member_add(actor=actor, group=group, student=students[student_id])
        groups.append(group)
    return groups


# Plans ------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanEditResult:
    version: PlanVersion
    conflict: bool
    merged: bool = False


def _clean_sections(sections: Mapping[str, str]) -> dict[str, str]:
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        raise ValidationError(f"Unknown plan sections: {sorted(unknown)}")
    return {key: (sections.get(key) or "").replace("\r\n", "\n").strip() for key in SECTIONS}


def plan_partner_organisation(
    *, project: Project, party: str, organisation: Organisation | None = None, by: User | None = None,
    link: SignedLink | None = None,
) -> Organisation | None:
    """For which of the project's partner organisations the partner party writes or signs (None for the others).

    Given explicitly, it must be one of the project's; else the link's organisation (or its contact's); else the
    signed-in contact's own organisation, else the project's only one.
    """
    if party != Party.PARTNER:
        return None
    organisations = project.organisations.all()
    if organisation is not None:
        if not organisations.filter(pk=organisation.pk).exists():
            raise ValidationError({"organisation": f"{organisation} is not a partner organisation of {project}."})
        return organisation
    if link is not None:
        # A link acts for its own organisation only: none, if that is no longer one of the project's.
        org_id = link.params.get("organisation") or (link.contact.organisation_id if link.contact else None)
        return organisations.filter(pk=org_id).first() if org_id else None
    if by is not None:
        found = organisations.filter(contacts__user=by).order_by("pk").first()
        if found is not None:
            return found
    only = list(organisations[:2])
    return only[0] if len(only) == 1 else None


def plan_awaiting(*, signed: Iterable[tuple[str, int | None]], organisations: Iterable[Organisation]) -> list[str]:
    """Who still has to sign a version, given the (party, organisation id) of its live signatures: a student, the
    tutor, and a contact of EACH partner organisation (any partner, if the project has none). Empty: agreed."""
    pairs = list(signed)
    parties = {party for party, _ in pairs}
    partner_orgs = {org_id for party, org_id in pairs if party == Party.PARTNER}
    orgs = list(organisations)
    awaiting: list[str] = []
    for party in Party.values:
        if party == Party.PARTNER and orgs:
            awaiting.extend(f"{Party(party).label} ({org.name})" for org in orgs if org.pk not in partner_orgs)
        elif party not in parties:
            awaiting.append(str(Party(party).label))
    return awaiting


def _next_number(plan: Plan) -> int:
    last = plan.versions.order_by("-number").values_list("number", flat=True).first()
    return (last or 0) + 1


@transaction.atomic
def plan_edit(
    *, plan: Plan, by: User | None, party: str, base_number: int | None, sections: Mapping[str, str],
    name: str = "", link: SignedLink | None = None, note: str = "", resolves: PlanVersion | None = None,
    organisation: Organisation | None = None,
) -> PlanEditResult:
    """Save a new version of the plan, edited from version `base_number` (None: the plan has no version yet).

    If someone saved in between, the sections changed on both sides conflict: the other version stays current
    and this text is kept as a conflicting draft linked to its base, for the parties to merge. When the two edits
    touched different sections, they are merged into a new version instead.
    """
    if party not in Party.values:
        raise ValidationError({"party": f"Unknown party {party!r}."})
    given = plan
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    texts = _clean_sections(sections)
    organisation = plan_partner_organisation(project=plan.project, party=party, organisation=organisation, by=by,
                                             link=link)
    current = plan.current_version
    current_number = current.number if current else None
    base = plan.versions.filter(number=base_number).first() if base_number is not None else None
    if base_number is not None and base is None:
        raise ValidationError(f"Version {base_number} does not exist.")
    now = timezone.now()
    author_name = _name(by, name)
    merged = False
    if base_number != current_number:
        base_texts = base.sections if base else {}
        current_texts = current.sections if current else {}
        mine = {key for key in SECTIONS if texts[key] != base_texts.get(key, "")}
        theirs = {key for key in SECTIONS if current_texts.get(key, "") != base_texts.get(key, "")}
        clash = {key for key in mine & theirs if texts[key] != current_texts.get(key, "")}
        if clash:
            draft = PlanVersion.objects.create(
                plan=plan, number=_next_number(plan), status=VersionStatus.CONFLICT, base=base, sections=texts,
                party=party, author=by, author_name=author_name, via_link=link, organisation=organisation,
                note=note[:300], created_at=now,
            )
            audit_record(actor=by, action=Action.CREATE, obj=draft, object_label=f"{plan}: conflicting draft",
                         summary=f"conflicts with version {current_number} in {sorted(clash)}")
            return PlanEditResult(version=draft, conflict=True)
        texts = {key: (texts[key] if key in mine else current_texts.get(key, "")) for key in SECTIONS}
        merged = True
        base = current
    if current is not None and texts == {key: current.text(key) for key in SECTIONS}:
        raise ValidationError("Nothing changed: the plan already says this.")
    version = PlanVersion.objects.create(
        plan=plan, number=_next_number(plan), status=VersionStatus.CURRENT_LINE, base=base, sections=texts,
        party=party, author=by, author_name=author_name, via_link=link, organisation=organisation,
        note=(note or ("merged with a later edit" if merged else ""))[:300], created_at=now,
    )
    plan.current_version = version
    plan.save(update_fields=["current_version"])
    given.current_version = version
    voided = PlanSignature.objects.filter(plan=plan, voided_at__isnull=True).exclude(version=version)
    voided.update(voided_at=now, voided_by_version=version)
    if resolves is not None and resolves.plan_id == plan.pk and resolves.status == VersionStatus.CONFLICT:
        resolves.resolved_by = version
        resolves.save(update_fields=["resolved_by"])
    project = plan.project
    if project.stage == ProjectStage.SCOPING:
        project_set_stage(actor=by, project=project, stage=ProjectStage.PLANNING, note="First plan version")
    audit_record(actor=by, action=Action.CREATE, obj=version, object_label=f"{plan}: version {version.number}",
                 summary=f"edited by the {Party(party).label.lower()}")
    return PlanEditResult(version=version, conflict=False, merged=merged)


@transaction.atomic
def plan_comment_add(
    *, plan: Plan, by: User | None, party: str, section: str, body: str, name: str = "",
    link: SignedLink | None = None,
) -> PlanComment:
    if section not in SECTIONS:
        raise ValidationError({"section": "Choose a section."})
    if not body.strip():
        raise ValidationError({"body": "Write a comment."})
    current = Plan.objects.select_related("current_version").get(pk=plan.pk).current_version
    organisation = plan_partner_organisation(project=plan.project, party=party, by=by, link=link)
    comment = PlanComment.objects.create(plan=plan, section=section, version=current, party=party,
                                         author=by, author_name=_name(by, name), organisation=organisation,
                                         via_link=link, body=body.strip(), created_at=timezone.now())
    audit_record(actor=by, action=Action.CREATE, obj=comment)
    return comment


@transaction.atomic
def change_request_create(
    *, plan: Plan, by: User | None, party: str, section: str, proposed_text: str, reason: str = "", name: str = "",
    link: SignedLink | None = None,
) -> ChangeRequest:
    if section not in SECTIONS:
        raise ValidationError({"section": "Choose a section."})
    current = Plan.objects.select_related("current_version").get(pk=plan.pk).current_version
    proposed = proposed_text.replace("\r\n", "\n").strip()
    if current is not None and current.text(section) == proposed:
        raise ValidationError({"proposed_text": "The section already says this."})
    request = ChangeRequest.objects.create(
        plan=plan, section=section, based_on=current, proposed_text=proposed, reason=reason.strip(), party=party,
        author=by, author_name=_name(by, name), created_at=timezone.now(), via_link=link,
        organisation=plan_partner_organisation(project=plan.project, party=party, by=by, link=link),
    )
    audit_record(actor=by, action=Action.CREATE, obj=request)
    return request


@transaction.atomic
def change_request_decide(
    *, change_request: ChangeRequest, by: User | None, party: str, accept: bool, name: str = "",
    link: SignedLink | None = None,
) -> ChangeRequest:
    """Another party accepts (a new version with the proposed text, credited to the proposer) or declines.

    The decider is a signed-in user (`by`) or a partner contact without an account acting through a co-author link
    (`by=None`, `name`, `link`); either way their name is recorded with the decision."""
    if party not in Party.values:
        raise ValidationError({"party": f"Unknown party {party!r}."})
    locked = ChangeRequest.objects.select_for_update().get(pk=change_request.pk)
    if locked.status != ChangeRequestStatus.OPEN:
        raise ValidationError("This change request has already been decided.")
    if party == locked.party:
        raise ValidationError("Another party decides on a change request.")
    decider = _name(by, name)
    plan = Plan.objects.select_related("current_version").get(pk=change_request.plan_id)
    if accept:
        current = plan.current_version
        texts = {key: current.text(key) if current else "" for key in SECTIONS}
        texts[change_request.section] = change_request.proposed_text
        result = plan_edit(
            plan=plan, by=change_request.author, party=change_request.party,
            base_number=current.number if current else None, sections=texts, name=change_request.author_name,
            note=f"change request accepted by {decider}", organisation=change_request.organisation,
        )
        change_request.resulting_version = result.version
    change_request.status = ChangeRequestStatus.ACCEPTED if accept else ChangeRequestStatus.DECLINED
    change_request.decided_by = by
    change_request.decided_by_name = decider
    change_request.decided_via_link = link
    change_request.decided_at = timezone.now()
    change_request.save()
    via = " through a signed link" if link is not None else ""
    audit_record(actor=by, action=Action.CHANGE, obj=change_request,
                 summary=f"{change_request.status} by {decider} ({Party(party).label.lower()}){via}",
                 changes={"status": ["open", change_request.status]})
    return change_request


@transaction.atomic
def plan_sign(
    *, plan: Plan, party: str, version_number: int, by: User | None = None, name: str = "",
    link: SignedLink | None = None, organisation: Organisation | None = None,
) -> PlanSignature:
    """Sign version `version_number` for `party` (for the partner: for one partner organisation). It must still be
    the current version. The plan is agreed once a student, the tutor and a contact of each partner organisation
    have signed it (`plan_awaiting`)."""
    if party not in Party.values:
        raise ValidationError({"party": f"Unknown party {party!r}."})
    plan = Plan.objects.select_for_update(of=("self",)).select_related("current_version", "project").get(pk=plan.pk)
    current = plan.current_version
    if current is None:
        raise ValidationError("There is no plan to sign yet.")
    if current.number != version_number:
        raise ValidationError(
            f"Version {version_number} is no longer the current plan: version {current.number} is. "
            "Read the current version before signing."
        )
    project = plan.project
    organisation = plan_partner_organisation(project=project, party=party, organisation=organisation, by=by,
                                             link=link)
    if party == Party.PARTNER and organisation is None:
        raise ValidationError("Say for which partner organisation you sign.")
    live = PlanSignature.objects.filter(plan=plan, version=current, voided_at__isnull=True)
    if live.filter(party=party, organisation=organisation).exists():
        who = organisation.name if organisation is not None else f"The {Party(party).label.lower()}"
        raise ValidationError(f"{who} has already signed version {current.number}.")
    signature = PlanSignature.objects.create(plan=plan, version=current, party=party, user=by,
                                             name=_name(by, name), via_link=link, organisation=organisation,
                                             signed_at=timezone.now())
    audit_record(actor=by, action=Action.CREATE, obj=signature,
                 summary=f"signed version {current.number}" + (" through a signed link" if link else ""))
    awaiting = plan_awaiting(signed=live.values_list("party", "organisation_id"),
                             organisations=project.organisations.all())
    if not awaiting:
        plan.agreed_version = current
        plan.agreed_at = signature.signed_at
        plan.save(update_fields=["agreed_version", "agreed_at"])
        if project.stage in (ProjectStage.SCOPING, ProjectStage.PLANNING):
            project_set_stage(actor=by, project=project, stage=ProjectStage.PLAN_AGREED,
                              note=f"Version {current.number} signed by all three parties")
    return signature


# Signed links -----------------------------------------------------------------------------------------------------


def _contact_of(contact: Contact, organisations: Iterable[Organisation]) -> None:
    if contact.organisation_id not in {org.pk for org in organisations}:
        raise ValidationError({"contact": "That contact is not at a partner organisation of this project."})


def propose_link_issue(*, actor: User, contact: Contact, days: int = 30) -> IssuedLink:
    return link_issue(actor=actor, purpose="propose_need", target=contact.organisation, recipient_name=contact.name,
                      recipient_email=contact.email, contact=contact, days=days)


def plan_sign_link_issue(*, actor: User, plan: Plan, contact: Contact, days: int = 30) -> IssuedLink:
    _contact_of(contact, plan.project.organisations.all())
    current = Plan.objects.select_related("current_version").get(pk=plan.pk).current_version
    if current is None:
        raise ValidationError("There is no plan version to sign yet.")
    return link_issue(actor=actor, purpose="sign_plan", target=plan, recipient_name=contact.name,
                      recipient_email=contact.email, contact=contact, days=days, params={"version": current.number})


def plan_coauthor_link_issue(*, actor: User, plan: Plan, contact: Contact, days: int = 30) -> IssuedLink:
    """A link with which a partner contact without an account co-authors the plan as an equal: reads it, edits any
    section, comments, requests changes and signs, for their organisation, on this project's plan only."""
    _contact_of(contact, plan.project.organisations.all())
    return link_issue(actor=actor, purpose="coauthor_plan", target=plan, recipient_name=contact.name,
                      recipient_email=contact.email, contact=contact, days=days,
                      params={"organisation": contact.organisation_id})


def feedback_link_issue(*, actor: User, project: Project, contact: Contact, days: int = 30) -> IssuedLink:
    _contact_of(contact, project.organisations.all())
    return link_issue(actor=actor, purpose="give_feedback", target=project, recipient_name=contact.name,
                      recipient_email=contact.email, contact=contact, days=days, max_uses=1,
                      params={"organisation": contact.organisation_id})


# Milestones and reminders -----------------------------------------------------------------------------------------


@transaction.atomic
def milestone_add(
    *, actor: User | None, project: Project, title: str, due_on: dt.date, kind: str = "other"
) -> Milestone:
    milestone = Milestone(project=project, kind=kind, title=title.strip(), due_on=due_on, created_at=timezone.now())
    milestone.full_clean()
    milestone.save()
    audit_record(actor=actor, action=Action.CREATE, obj=milestone)
    return milestone


@transaction.atomic
def milestone_complete(*, actor: User, milestone: Milestone) -> Milestone:
    if milestone.completed_at is None:
        milestone.completed_at = timezone.now()
        milestone.completed_by = actor
        milestone.save(update_fields=["completed_at", "completed_by"])
        audit_record(actor=actor, action=Action.CHANGE, obj=milestone, summary="completed")
    return milestone


REMIND_BEFORE_DAYS = 7
OVERDUE_EVERY_DAYS = 7


def _reminder_recipients(project: Project) -> list[str]:
    emails: set[str] = set()
    for group in project.groups.all():
        if group.tutor and group.tutor.email:
            emails.add(group.tutor.email)
        emails.update(m.student.email for m in group.memberships.all() if m.student.email)
    return sorted(emails)


def reminders_send(*, today: dt.date | None = None) -> int:
    """E-mail the group (tutor and students) about milestones due within a week (once) and overdue ones (weekly).

    Every reminder sent is recorded, so running this twice on the same day sends nothing twice.
    """
    today = today or timezone.localdate()
    sent = 0
    milestones = (
        Milestone.objects.filter(completed_at__isnull=True, due_on__lte=today + dt.timedelta(days=REMIND_BEFORE_DAYS))
        .exclude(project__stage=ProjectStage.COMPLETE)
        .select_related("project")
        .prefetch_related("project__groups__tutor", "project__groups__memberships__student")
    )
    for milestone in milestones:
        overdue = milestone.due_on < today
        kind = "overdue" if overdue else "due_soon"
        for email in _reminder_recipients(milestone.project):
            previous = ReminderSent.objects.filter(milestone=milestone, kind=kind, recipient=email)
            if not overdue and previous.exists():
                continue
            if overdue and previous.filter(sent_on__gt=today - dt.timedelta(days=OVERDUE_EVERY_DAYS)).exists():
                continue
            try:
                with transaction.atomic():
                    ReminderSent.objects.create(milestone=milestone, kind=kind, recipient=email, sent_on=today,
                                                sent_at=timezone.now())
            except IntegrityError:
                continue
            if overdue:
                subject = f"Overdue: {milestone.title} ({milestone.project})"
                body = f"{milestone.title} for {milestone.project} was due on {milestone.due_on:%d %B %Y}."
            else:
                subject = f"Due soon: {milestone.title} ({milestone.project})"
                body = f"{milestone.title} for {milestone.project} is due on {milestone.due_on:%d %B %Y}."
            send_mail(subject, body + "\n\nMark it done in commed when it is.", settings.DEFAULT_FROM_EMAIL, [email])
            sent += 1
    return sent


# Outputs ----------------------------------------------------------------------------------------------------------


def _partnership_for(*, actor: User | None, organisation: Organisation, project: Project) -> Partnership:
    live = (PartnershipStage.ACTIVE, PartnershipStage.AGREED, PartnershipStage.EXPLORING)
    partnership = (
        organisation.partnerships.filter(stage__in=live).order_by("-created_at").first()
        or organisation.partnerships.order_by("-created_at").first()
    )
    if partnership is None:
        partnership = partner_services.partnership_create(
            actor=actor, organisation=organisation,
            title=f"{project.cohort.programme.name} {project.cohort.academic_year}",
        )
    return partnership


@transaction.atomic
def output_create(
    *, actor: User | None, project: Project, files: Iterable[UploadedFile[bytes]] = (), **fields: Any
) -> Output:
    unknown = set(fields) - set(OUTPUT_FIELDS)
    if unknown:
        raise TypeError(f"unknown output fields: {sorted(unknown)}")
    output = Output(project=project, created_by=actor, created_at=timezone.now(), **fields)
    output.full_clean()
    output.save()
    for upload in files:
        output_file_add(actor=actor, output=output, upload=upload)
    audit_record(actor=actor, action=Action.CREATE, obj=output)
    if output.partner_may_reuse:
        for organisation in project.organisations.all():
            partner_services.ledger_entry_add(
                actor=actor, partnership=_partnership_for(actor=actor, organisation=organisation, project=project),
                direction=Direction.TO_COMMUNITY, kind=BenefitKind.OUTPUTS,
                description=f"{output.get_kind_display()}: {output.title} (free to reuse)"[:300],
                occurred_on=timezone.localdate(), evidence=output.url,
            )
    return output


@transaction.atomic
def output_file_add(*, actor: User | None, output: Output, upload: UploadedFile[bytes]) -> OutputFile:
    try:
        file_type = upload_check(upload)
    except ValidationError as error:
        raise ValidationError({"attachments": error.messages}) from None
    extension = (upload.name or "").rsplit(".", 1)[-1].lower()
    original = (upload.name or "file").replace("/", "_").replace("\\", "_")[-255:]
    stored = OutputFile(output=output, original_name=original, content_type=file_type.content_type,
                        size=upload.size or 0, uploaded_by=actor, uploaded_at=timezone.now())
    # The stored name is random: nothing the uploader typed reaches the file system.
    stored.file.save(f"{output.project_id}/{uuid.uuid4().hex}.{extension}", upload, save=False)
    stored.save()
    audit_record(actor=actor, action=Action.CREATE, obj=stored)
    return stored


# Reflections ------------------------------------------------------------------------------------------------------


@transaction.atomic
def reflection_create(
    *, student: User, project: Project, what_happened: str, learned_about_community: str, do_differently: str,
    consent: str = Consent.PRIVATE,
) -> Reflection:
    if not GroupMembership.objects.filter(student=student, group__project=project).exists():
        raise ValidationError("Only a student of the project's group writes a reflection on it.")
    if consent not in Consent.values:
        raise ValidationError({"consent": "Choose who may read it."})
    now = timezone.now()
    reflection = Reflection(student=student, project=project, what_happened=what_happened.strip(),
                            learned_about_community=learned_about_community.strip(),
                            do_differently=do_differently.strip(), consent=consent, created_at=now, updated_at=now)
    reflection.full_clean()
    reflection.save()
    ConsentChange.objects.create(reflection=reflection, from_level="", to_level=consent, by=student, at=now)
    audit_record(actor=student, action=Action.CREATE, obj=reflection, summary=f"consent {consent}")
    return reflection


@transaction.atomic
def reflection_set_consent(*, reflection: Reflection, by: User, level: str) -> Reflection:
    """Lowering is always allowed (the student, or a lead acting on their request); raising needs the student."""
    if level not in Consent.values:
        raise ValidationError({"consent": "Choose who may read it."})
    before = reflection.consent
    if level == before:
        return reflection
    raising = CONSENT_ORDER[Consent(level)] > CONSENT_ORDER[Consent(before)]
    is_student = by.pk == reflection.student_id
    if raising and not is_student:
        raise ValidationError("Only the student can share a reflection more widely.")
    if not raising and not (is_student or by.role in (Role.LEAD, Role.ADMIN)):
        raise ValidationError("Only the student or a programme lead can change who reads a reflection.")
    now = timezone.now()
    reflection.consent = level
    reflection.updated_at = now
    reflection.save(update_fields=["consent", "updated_at"])
    ConsentChange.objects.create(reflection=reflection, from_level=before, to_level=level, by=by, at=now)
    audit_record(actor=by, action=Action.CHANGE, obj=reflection, changes={"consent": [before, level]})
    return reflection


# Partner feedback and check-ins -----------------------------------------------------------------------------------


def _clean_answers(answers: Mapping[str, Any]) -> dict[str, int]:
    cleaned: dict[str, int] = {}
    for key, _ in CHECKIN_QUESTIONS:
        value = answers.get(key)
        if value in (None, ""):
            continue
        try:
            score = int(value)
        except (TypeError, ValueError):
            raise ValidationError({key: "Answer from 1 to 5."}) from None
        if not 1 <= score <= 5:
            raise ValidationError({key: "Answer from 1 to 5."})
        cleaned[key] = score
    return cleaned


@transaction.atomic
def checkin_submit(
    *, project: Project, side: str, by: User | None, name: str = "", answers: Mapping[str, Any]
) -> CheckInResponse:
    if side not in CheckInSide.values:
        raise ValidationError({"side": "Partner or medical school."})
    cleaned = _clean_answers(answers)
    if not cleaned:
        raise ValidationError("Answer at least one question.")
    response = CheckInResponse.objects.create(project=project, side=side, respondent=by,
                                              respondent_name=_name(by, name), answers=cleaned,
                                              submitted_at=timezone.now())
    audit_record(actor=by, action=Action.CREATE, obj=response)
    return response


@transaction.atomic
def partner_feedback_submit(
    *, project: Project, organisation: Organisation, by: User | None = None, name: str = "",
    link: SignedLink | None = None, about_students: str, about_project: str, about_partnership: str,
    would_host_again: bool = True, answers: Mapping[str, Any] | None = None,
) -> PartnerFeedback:
    """Record the partner's feedback; it enters the partner's reciprocity ledger and timeline."""
    if not project.organisations.filter(pk=organisation.pk).exists():
        raise ValidationError("That organisation is not a partner of this project.")
    if not (about_students.strip() or about_project.strip() or about_partnership.strip()):
        raise ValidationError("Write some feedback.")
    feedback = PartnerFeedback.objects.create(
        project=project, organisation=organisation, given_by=by, given_by_name=_name(by, name), via_link=link,
        about_students=about_students.strip(), about_project=about_project.strip(),
        about_partnership=about_partnership.strip(), would_host_again=would_host_again, submitted_at=timezone.now(),
    )
    if answers and _clean_answers(answers):
        checkin_submit(project=project, side=CheckInSide.PARTNER, by=by, name=feedback.given_by_name,
                       answers=answers)
    today = timezone.localdate()
    # The partners app requires who recorded an entry: through a link, that is whoever issued the link.
    recorder = by or (link.created_by if link is not None else None)
    partnership = _partnership_for(actor=recorder, organisation=organisation, project=project)
    partner_services.ledger_entry_add(
        actor=recorder, partnership=partnership, direction=Direction.TO_SCHOOL, kind=BenefitKind.EXPERTISE,
        description=f"Feedback on the students and the project {project.title}"[:300], occurred_on=today,
    )
    partner_services.interaction_log(
        actor=recorder, organisation=organisation, partnership=partnership, kind=InteractionKind.NOTE,
        occurred_on=today,
        summary=f"{feedback.given_by_name} gave feedback on {project.title} ({project.cohort}).",
    )
    audit_record(actor=by, action=Action.CREATE, obj=feedback,
                 summary="through a signed link" if link else "signed in")
    return feedback

