"""Reads for widening participation. Who may see which pupil is decided here and nowhere else.

- Outreach coordinators and designated safeguarding leads see pupil records (never anyone else, not even admins).
- A mentor (a student with a Mentor record) sees only their own matched pupils, and only as a `MenteeCard`:
  first name, school, year group and interests. Never a surname, address, phone, e-mail or date of birth.
- Everyone else gets Http404.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from commed.accounts.models import Role, User
from commed.outreach.mentoring import mentor_problems
from commed.outreach.models import (
    Activity,
    Concern,
    Consent,
    ConsentPurpose,
    DestinationSurvey,
    Mentor,
    MentoringSession,
    MentorMatch,
    OutreachProgramme,
    Placement,
    Pupil,
    PupilStatus,
    Registration,
    Route,
    SafeguardingLead,
)
from commed.outreach.services import SURVEY_MONTHS, consent_current, pupils_with_consent, survey_due_on
from commed.partners.models import Organisation, OrganisationKind


def is_safeguarding_lead(user: User) -> bool:
    return bool(user.is_active and SafeguardingLead.objects.filter(user=user).exists())


def is_coordinator(user: User) -> bool:
    return bool(user.is_active and user.role == Role.COORDINATOR)


def can_see_pupils(user: User) -> bool:
    return is_coordinator(user) or is_safeguarding_lead(user)


def require_pupil_access(user: User) -> None:
    if not can_see_pupils(user):
        raise Http404


def require_coordinator(user: User) -> None:
    if not is_coordinator(user):
        raise Http404


def mentor_for_user(user: User) -> Mentor:
    mentor = Mentor.objects.filter(user=user, user__role=Role.STUDENT, user__is_active=True).first()
    if mentor is None:
        raise Http404
    return mentor


# ------------------------------------------------------------------------------------------------ programmes


def programme_list(*, user: User) -> QuerySet[OutreachProgramme]:
    require_pupil_access(user)
    return OutreachProgramme.objects.annotate(pupil_count=Count("pupils")).order_by("-starts_on", "name")


def programme_get(*, user: User, pk: int) -> OutreachProgramme:
    require_pupil_access(user)
    programme = OutreachProgramme.objects.filter(pk=pk).first()
    if programme is None:
        raise Http404
    return programme


def schools() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=OrganisationKind.SCHOOL).order_by("name")


def gp_practices() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=OrganisationKind.GP_PRACTICE).order_by("name")


# ------------------------------------------------------------------------------------------------ pupils


def pupils_visible_to(*, user: User) -> QuerySet[Pupil]:
    if not can_see_pupils(user):
        return Pupil.objects.none()
    return Pupil.objects.select_related("school", "programme")


def pupil_list(*, user: User, programme: OutreachProgramme, status: str = "") -> QuerySet[Pupil]:
    pupils = pupils_visible_to(user=user).filter(programme=programme)
    if status:
        pupils = pupils.filter(status=status)
    return pupils.annotate(
        has_mentor=Exists(MentorMatch.objects.filter(pupil=OuterRef("pk"), ended_at__isnull=True))
    )


def pupil_get(*, user: User, pk: int) -> Pupil:
    pupil = (
        pupils_visible_to(user=user)
        .prefetch_related(
            Prefetch("consents", queryset=Consent.objects.select_related("recorded_by", "withdrawn_by")),
            Prefetch("registrations", queryset=Registration.objects.select_related("activity")),
            Prefetch("mentor_matches", queryset=MentorMatch.objects.select_related("mentor__user")),
            "placements__placement__host",
            "surveys",
        )
        .filter(pk=pk)
        .first()
    )
    if pupil is None:
        raise Http404
    return pupil


@dataclass(frozen=True)
class ConsentState:
    purpose: str
    label: str
    current: bool


def consent_summary(*, pupil: Pupil) -> list[ConsentState]:
    return [
        ConsentState(purpose=value, label=label, current=consent_current(pupil=pupil, purpose=value))
        for value, label in ConsentPurpose.choices
    ]


# ------------------------------------------------------------------------------------------------ activities


def activity_get(*, user: User, pk: int) -> Activity:
    require_coordinator(user)
    activity = Activity.objects.select_related("programme").filter(pk=pk).first()
    if activity is None:
        raise Http404
    return activity


def _with_photo_consent(registrations: QuerySet[Registration]) -> QuerySet[Registration]:
    """Each registration with ``photos_ok``: whether the pupil's consent to photographs is current today, so the
    register tells whoever holds the camera (a withdrawal shows at once)."""
    consenting = Pupil.objects.filter(pk=OuterRef("pupil_id")).filter(pupils_with_consent(ConsentPurpose.PHOTOGRAPHS))
    return registrations.annotate(photos_ok=Exists(consenting))


def activity_register(*, activity: Activity) -> QuerySet[Registration]:
    return _with_photo_consent(Registration.objects.filter(activity=activity).select_related("pupil__school"))


def registration_get(*, user: User, pk: int) -> Registration:
    require_coordinator(user)
    registration = _with_photo_consent(Registration.objects.select_related("pupil", "activity")).filter(pk=pk).first()
    if registration is None:
        raise Http404
    return registration


def placement_get(*, user: User, pk: int) -> Placement:
    require_coordinator(user)
    placement = Placement.objects.select_related("programme", "host").filter(pk=pk).first()
    if placement is None:
        raise Http404
    return placement


def pupils_available(*, programme: OutreachProgramme) -> QuerySet[Pupil]:
    """Accepted pupils with current consent to take part: the ones who may be put on a register or placement."""
    return (
        Pupil.objects.filter(programme=programme, status=PupilStatus.ACCEPTED)
        .filter(pupils_with_consent(ConsentPurpose.PARTICIPATION))
        .select_related("school")
    )


# ------------------------------------------------------------------------------------------------ mentoring


def mentor_list(*, user: User) -> QuerySet[Mentor]:
    require_coordinator(user)
    return Mentor.objects.select_related("user").annotate(
        active_matches=Count("matches", filter=Q(matches__ended_at__isnull=True))
    )


def mentor_get(*, user: User, pk: int) -> Mentor:
    mentor = mentor_list(user=user).filter(pk=pk).first()
    if mentor is None:
        raise Http404
    return mentor


@dataclass(frozen=True)
class FlaggedMatch:
    match: MentorMatch
    problems: list[str]


def matches_flagged(*, today: dt.date | None = None) -> list[FlaggedMatch]:
    """Active matches whose mentor is no longer cleared (DBS or training expired): they need action."""
    today = today or timezone.localdate()
    flagged = []
    for match in MentorMatch.objects.filter(ended_at__isnull=True).select_related("mentor__user", "pupil"):
        problems = mentor_problems(match.mentor, today)
        if problems:
            flagged.append(FlaggedMatch(match=match, problems=problems))
    return flagged


@dataclass(frozen=True)
class MenteeCard:
    """All a mentor may know about their pupil."""

    match_id: int
    pupil_id: int
    first_name: str
    school: str
    year_group: int
    interests: str
    sessions: list[MentoringSession]


def mentee_cards(*, user: User) -> list[MenteeCard]:
    mentor = mentor_for_user(user)
    matches = MentorMatch.objects.filter(mentor=mentor, ended_at__isnull=True).select_related("pupil__school")
    return [
        MenteeCard(
            match_id=match.pk,
            pupil_id=match.pupil_id,
            first_name=match.pupil.first_name,
            school=match.pupil.school.name,
            year_group=match.pupil.year_group,
            interests=match.pupil.interests,
            sessions=list(match.sessions.all()),
        )
        for match in matches
    ]


def match_get_for_mentor(*, user: User, pk: int) -> MentorMatch:
    mentor = mentor_for_user(user)
    match = MentorMatch.objects.filter(pk=pk, mentor=mentor, ended_at__isnull=True).select_related("pupil").first()
    if match is None:
        raise Http404
    return match


def match_get(*, user: User, pk: int) -> MentorMatch:
    require_coordinator(user)
    match = MentorMatch.objects.select_related("mentor__user", "pupil").filter(pk=pk).first()
    if match is None:
        raise Http404
    return match


def pupil_for_concern(*, user: User, pk: int) -> Pupil:
    """Who may raise a concern about a pupil: pupil-record staff, and the pupil's own current mentor."""
    if can_see_pupils(user):
        return pupil_get(user=user, pk=pk)
    mentor = mentor_for_user(user)
    match = MentorMatch.objects.filter(mentor=mentor, pupil_id=pk, ended_at__isnull=True).select_related(
        "pupil").first()
    if match is None:
        raise Http404
    return match.pupil


def concern_list(*, user: User) -> QuerySet[Concern]:
    if not is_safeguarding_lead(user):
        raise Http404
    return Concern.objects.select_related("pupil__school", "raised_by").annotate(view_count=Count("views"))


def concern_get(*, user: User, pk: int) -> Concern:
    concern = concern_list(user=user).prefetch_related("views").filter(pk=pk).first()
    if concern is None:
        raise Http404
    return concern


# ------------------------------------------------------------------------------------------------ destinations


def surveys_due(*, today: dt.date) -> list[tuple[Pupil, str]]:
    """(pupil, point) pairs whose survey is due and not yet sent; only pupils who may be contacted."""
    due: list[tuple[Pupil, str]] = []
    sent = set(DestinationSurvey.objects.values_list("pupil_id", "point"))
    pupils = (
        Pupil.objects.filter(pupils_with_consent(ConsentPurpose.FOLLOW_UP, today))
        .exclude(email="")
        .filter(Q(status=PupilStatus.ACCEPTED) | Q(status__in=[PupilStatus.DECLINED, PupilStatus.WAITLISTED],
                                                   programme__keeps_comparator=True))
        .select_related("programme")
    )
    for pupil in pupils:
        for point in SURVEY_MONTHS:
            if (pupil.pk, point.value) not in sent and survey_due_on(programme=pupil.programme, point=point) <= today:
                due.append((pupil, point.value))
    return due


FUNNEL_STAGES = ("referred or applied", "accepted", "attended", "mentored", "surveyed", "applied to HE",
                 "health course")


@dataclass(frozen=True)
class FunnelRow:
    label: str
    counts: list[int]


def _funnel_counts(pupils: QuerySet[Pupil]) -> list[int]:
    ids = list(pupils.values_list("pk", flat=True))
    base = Pupil.objects.filter(pk__in=ids)
    answered = DestinationSurvey.objects.filter(pupil__in=ids, answered_at__isnull=False)
    return [
        len(ids),
        base.filter(status__in=[PupilStatus.ACCEPTED, PupilStatus.LEFT], decided_at__isnull=False).count(),
        base.filter(registrations__attended=True).distinct().count(),
        base.filter(mentor_matches__isnull=False).distinct().count(),
        answered.values("pupil").distinct().count(),
        answered.filter(applied_to_he=True).values("pupil").distinct().count(),
        answered.filter(course_area__in=["medicine", "nursing", "allied_health"]).values("pupil").distinct().count(),
    ]


def funnel_aggregate(*, programme: OutreachProgramme | None = None, year: str | None = None) -> list[int]:
    """The number of pupils at each of `FUNNEL_STAGES`, for other apps' dashboards. Aggregate counts only: no
    pupil data leaves this app, and there is no access check (the caller shows numbers, never people, and
    suppresses small ones). `year` is the outreach programmes' cohort, e.g. "2025/26"."""
    pupils = Pupil.objects.all()
    if programme is not None:
        pupils = pupils.filter(programme=programme)
    if year:
        pupils = pupils.filter(programme__cohort=year)
    return _funnel_counts(pupils)


def funnel(*, user: User, cohort: str = "") -> dict[str, Any]:
    """The funnel from referral to destination: by route, by eligibility criterion, and the comparator group."""
    require_pupil_access(user)
    pupils = Pupil.objects.all()
    if cohort:
        pupils = pupils.filter(programme__cohort=cohort)
    by_route = [FunnelRow(label, _funnel_counts(pupils.filter(route=value))) for value, label in Route.choices]
    criteria = [
        ("Free school meals", Q(fsm=True)), ("First in family", Q(first_gen=True)),
        ("Care-experienced", Q(care_experienced=True)), ("Young carer", Q(young_carer=True)),
        ("Disability", Q(disability=True)), ("IMD decile 1-4", Q(imd_decile__lte=4)),
        ("POLAR4 quintile 1-2", Q(polar4_quintile__lte=2)),
    ]
    by_criterion = [FunnelRow(label, _funnel_counts(pupils.filter(q))) for label, q in criteria]
    participants = pupils.exclude(status__in=[PupilStatus.DECLINED, PupilStatus.WAITLISTED, PupilStatus.APPLIED])
    comparator = pupils.filter(status__in=[PupilStatus.DECLINED, PupilStatus.WAITLISTED],
                               programme__keeps_comparator=True)
    # The comparator group split the same way, so each criterion's participants can be read against it.
    comparator_by_criterion = [FunnelRow(label, _funnel_counts(comparator.filter(q))) for label, q in criteria]
    cohorts = list(OutreachProgramme.objects.values_list("cohort", flat=True).distinct().order_by("cohort"))
    by_cohort = []
    for name in cohorts if not cohort else [cohort]:
        in_cohort = Pupil.objects.filter(programme__cohort=name)
        by_cohort.append(FunnelRow(f"{name}: participants", _funnel_counts(in_cohort.filter(
            pk__in=participants.values("pk")))))
        by_cohort.append(FunnelRow(f"{name}: comparator", _funnel_counts(in_cohort.filter(
            pk__in=comparator.values("pk")))))
    rules = Counter(pupils.filter(eligible=True).values_list("eligibility_rule", flat=True))
    return {
        "stages": FUNNEL_STAGES,
        "overview": [
            FunnelRow("All pupils", _funnel_counts(pupils)),
            FunnelRow("Participants", _funnel_counts(participants)),
            FunnelRow("Comparator (applicants not taken up)", _funnel_counts(comparator)),
        ],
        "by_route": by_route,
        "by_criterion": by_criterion,
        "comparator_by_criterion": comparator_by_criterion,
        "by_cohort": by_cohort,
        "rules": sorted(rules.items()),
        "cohorts": cohorts,
    }





# ------------------------------------------------------------------------------------------------ home page


def pupils_missing_consent(*, user: User, purpose: str = ConsentPurpose.PARTICIPATION) -> QuerySet[Pupil]:
    """Accepted pupils whose consent for `purpose` is not current today (read from the consent rows)."""
    return (pupils_visible_to(user=user).filter(status=PupilStatus.ACCEPTED).exclude(pupils_with_consent(purpose))
            .order_by("programme__name", "last_name", "first_name", "pk"))


def activities_upcoming(*, user: User, today: dt.date | None = None) -> QuerySet[Activity]:
    """Activities from today on, soonest first, with how many pupils are registered: for coordinators only."""
    if not is_coordinator(user):
        return Activity.objects.none()
    today = today or timezone.localdate()
    return (Activity.objects.filter(on__gte=today).select_related("programme")
            .annotate(registered=Count("registrations")).order_by("on", "title", "pk"))
