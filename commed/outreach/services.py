"""Writes for widening participation. Every create/change/delete of a pupil's data goes through the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from commed.accounts.models import Role, User
from commed.audit.models import Action
from commed.audit.services import audit_record
from commed.links.models import SignedLink
from commed.links.services import IssuedLink, link_issue
from commed.outreach import eligibility, lookups
from commed.outreach.mentoring import age_on, mentor_problems
from commed.outreach.models import (
    Activity,
    Concern,
    ConcernView,
    Consent,
    ConsentGiver,
    ConsentPurpose,
    DestinationSurvey,
    Mentor,
    MentoringSession,
    MentorMatch,
    OutreachProgramme,
    Placement,
    PlacementPupil,
    Pupil,
    PupilStatus,
    Registration,
    Route,
    SafeguardingLead,
    SurveyPoint,
)
from commed.partners.models import Organisation, OrganisationKind

PUPIL_FIELDS = (
    "first_name", "last_name", "year_group", "date_of_birth", "home_postcode", "email", "phone", "guardian_name",
    "guardian_email", "guardian_phone", "fsm", "first_gen", "care_experienced", "young_carer", "disability",
    "interests", "languages",
)
MENTOR_FIELDS = (
    "dbs_number", "dbs_issued_on", "dbs_enhanced", "dbs_update_service", "dbs_update_checked_on",
    "safeguarding_training_on", "capacity", "interests", "languages", "locality", "active",
)
# Months after the programme ends at which a destination survey is due.
SURVEY_MONTHS = {SurveyPoint.M6: 6, SurveyPoint.Y1: 12, SurveyPoint.Y2: 24, SurveyPoint.Y3: 36}
REFERRAL_LINK_DAYS = 60
SURVEY_LINK_DAYS = 60


# ------------------------------------------------------------------------------------------------ programmes


@transaction.atomic
def programme_create(
    *,
    actor: User | None,
    name: str,
    cohort: str,
    starts_on: dt.date,
    ends_on: dt.date,
    description: str = "",
    eligibility_rules: dict[str, Any] | None = None,
    guardian_consent_required: bool = False,
    keeps_comparator: bool = True,
) -> OutreachProgramme:
    rules = eligibility_rules or {}
    errors = eligibility.rules_validate(rules)
    if errors:
        raise ValidationError({"eligibility_rules": errors})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "The programme cannot end before it starts."})
    programme = OutreachProgramme(
        name=name.strip(), cohort=cohort.strip(), starts_on=starts_on, ends_on=ends_on, description=description,
        eligibility_rules=rules, guardian_consent_required=guardian_consent_required,
        keeps_comparator=keeps_comparator, created_at=timezone.now(),
    )
    programme.full_clean()
    programme.save()
    audit_record(actor=actor, action=Action.CREATE, obj=programme)
    return programme


@transaction.atomic
def programme_set_rules(*, actor: User | None, programme: OutreachProgramme, rules: Any) -> int:
    """Replace the eligibility rules and re-decide every pupil of the programme; returns how many changed."""
    errors = eligibility.rules_validate(rules)
    if errors:
        raise ValidationError({"eligibility_rules": errors})
    before = programme.eligibility_rules
    programme.eligibility_rules = rules or {}
    programme.save(update_fields=["eligibility_rules"])
    changed = 0
    for pupil in Pupil.objects.filter(programme=programme):
        was = (pupil.eligible, pupil.eligibility_rule)
        _apply_eligibility(pupil)
        if (pupil.eligible, pupil.eligibility_rule) != was:
            changed += 1
            pupil.save(update_fields=["eligible", "eligibility_rule", "eligibility_reasons"])
    audit_record(actor=actor, action=Action.CHANGE, obj=programme, changes={"eligibility_rules": [before, rules]},
                 summary=f"eligibility rules changed; {changed} pupils re-decided")
    return changed


# ------------------------------------------------------------------------------------------------ pupils


def pupil_facts(pupil: Pupil) -> dict[str, bool | int | None]:
    return {
        **{name: bool(getattr(pupil, name)) for name in eligibility.BOOL_FIELDS},
        **{name: getattr(pupil, name) for name in eligibility.NUMBER_FIELDS},
    }


def _apply_eligibility(pupil: Pupil) -> None:
    result = eligibility.eligibility_evaluate(spec=pupil.programme.eligibility_rules, facts=pupil_facts(pupil))
    pupil.eligible = result.eligible
    pupil.eligibility_rule = result.rule[:200]
    pupil.eligibility_reasons = result.reasons


def _apply_area_measures(pupil: Pupil) -> None:
    measures = lookups.area_measures(postcode=pupil.home_postcode)
    pupil.imd_decile = measures.imd_decile
    pupil.polar4_quintile = measures.polar4_quintile
    pupil.tundra_quintile = measures.tundra_quintile


def _clean_pupil_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(PUPIL_FIELDS)
    if unknown:
        raise TypeError(f"unknown pupil fields: {sorted(unknown)}")
    if fields.get("home_postcode"):
        if not lookups.postcode_valid(fields["home_postcode"]):
            raise ValidationError({"home_postcode": "Enter a full UK postcode, e.g. SE6 4RU."})
        fields["home_postcode"] = lookups.postcode_normalise(fields["home_postcode"])
    return fields


@transaction.atomic
def pupil_create(
    *,
    actor: User | None,
    programme: OutreachProgramme,
    school: Organisation,
    route: str,
    referrer_name: str = "",
    referrer_email: str = "",
    **fields: Any,
) -> Pupil:
    if school.kind != OrganisationKind.SCHOOL:
        raise ValidationError({"school": "Pupils belong to a partner organisation of kind school."})
    fields = _clean_pupil_fields(fields)
    now = timezone.now()
    pupil = Pupil(
        programme=programme, school=school, route=route, referrer_name=referrer_name, referrer_email=referrer_email,
        created_at=now, updated_at=now, last_activity_on=timezone.localdate(), **fields,
    )
    _apply_area_measures(pupil)
    _apply_eligibility(pupil)
    pupil.full_clean()
    pupil.save()
    audit_record(actor=actor, action=Action.CREATE, obj=pupil, summary=f"{pupil.get_route_display()}")
    return pupil


@transaction.atomic
def pupil_update(*, actor: User | None, pupil: Pupil, **fields: Any) -> Pupil:
    fields = _clean_pupil_fields(fields)
    before = {name: str(getattr(pupil, name)) for name in fields}
    for name, value in fields.items():
        setattr(pupil, name, value)
    _apply_area_measures(pupil)
    _apply_eligibility(pupil)
    pupil.updated_at = timezone.now()
    pupil.full_clean()
    pupil.save()
    after = {name: str(getattr(pupil, name)) for name in fields}
    audit_record(actor=actor, action=Action.CHANGE, obj=pupil,
                 changes={k: ["…", "…"] for k in after if before[k] != after[k]})  # names only: no child data
    return pupil


@transaction.atomic
def pupil_decide(*, actor: User, pupil: Pupil, status: str) -> Pupil:
    if status not in (PupilStatus.ACCEPTED, PupilStatus.WAITLISTED, PupilStatus.DECLINED):
        raise ValidationError({"status": "Accept, waitlist or decline."})
    if status == PupilStatus.ACCEPTED and pupil.status == PupilStatus.LEFT:
        raise ValidationError({"status": "This pupil withdrew from the programme."})
    before = pupil.status
    pupil.status = status
    now = timezone.now()
    pupil.decided_at = now
    pupil.updated_at = now
    pupil.last_activity_on = timezone.localdate()
    pupil.save(update_fields=["status", "decided_at", "updated_at", "last_activity_on"])
    audit_record(actor=actor, action=Action.CHANGE, obj=pupil, changes={"status": [before, status]})
    return pupil


def _touch(pupil: Pupil, day: dt.date) -> None:
    if day > pupil.last_activity_on:
        pupil.last_activity_on = day
        pupil.save(update_fields=["last_activity_on"])


# ------------------------------------------------------------------------------------------------ consent


def guardian_consent_needed(*, pupil: Pupil, on: dt.date) -> bool:
    return pupil.programme.guardian_consent_required or age_on(pupil.date_of_birth, on) < 16


def consent_current(*, pupil: Pupil, purpose: str, on: dt.date | None = None) -> bool:
    """Read from the consent rows every time: a withdrawal counts the moment it is saved."""
    on = on or timezone.localdate()
    givers = set(
        Consent.objects.filter(pupil=pupil, purpose=purpose, withdrawn_at__isnull=True).values_list(
            "given_by", flat=True
        )
    )
    if ConsentGiver.PUPIL not in givers:
        return False
    return ConsentGiver.GUARDIAN in givers or not guardian_consent_needed(pupil=pupil, on=on)


def pupils_with_consent(purpose: str, on: dt.date | None = None) -> Q:
    """A filter for pupils whose consent for `purpose` is current on `on` (the query form of consent_current)."""
    on = on or timezone.localdate()
    sixteenth_birthday_after = _years_before(on, 16)  # born after this day: under 16 on `on`
    active = Consent.objects.filter(purpose=purpose, withdrawn_at__isnull=True)
    by_pupil = active.filter(given_by=ConsentGiver.PUPIL).values("pupil_id")
    by_guardian = active.filter(given_by=ConsentGiver.GUARDIAN).values("pupil_id")
    needs_guardian = Q(programme__guardian_consent_required=True) | Q(date_of_birth__gt=sixteenth_birthday_after)
    return Q(pk__in=by_pupil) & (~needs_guardian | Q(pk__in=by_guardian))


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@transaction.atomic
def consent_record(
    *, actor: User | None, pupil: Pupil, purpose: str, given_by: str, given_by_name: str, given_on: dt.date
) -> Consent:
    if purpose not in ConsentPurpose.values or given_by not in ConsentGiver.values:
        raise ValidationError("Unknown consent purpose or giver.")
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": "Consent cannot be dated in the future."})
    consent = Consent.objects.create(
        pupil=pupil, purpose=purpose, given_by=given_by, given_by_name=given_by_name.strip(), given_on=given_on,
        recorded_at=timezone.now(), recorded_by=actor,
    )
    audit_record(actor=actor, action=Action.CREATE, obj=consent, object_label=f"{pupil}: {consent}")
    return consent


@transaction.atomic
def consent_withdraw(*, actor: User | None, pupil: Pupil, purpose: str, note: str = "") -> int:
    """Withdraw consent for one purpose (from the pupil or the guardian: either is enough), everywhere at once.

    Withdrawing consent to take part also ends mentor matches and takes the pupil off future registers.
    Returns how many consent records were withdrawn.
    """
    now = timezone.now()
    withdrawn = Consent.objects.filter(pupil=pupil, purpose=purpose, withdrawn_at__isnull=True).update(
        withdrawn_at=now, withdrawn_by=actor, withdrawal_note=note[:300]
    )
    if purpose == ConsentPurpose.PARTICIPATION:
        MentorMatch.objects.filter(pupil=pupil, ended_at__isnull=True).update(
            ended_at=now, end_reason="consent to take part withdrawn"
        )
        Registration.objects.filter(pupil=pupil, activity__on__gt=timezone.localdate()).delete()
        if pupil.status in (PupilStatus.APPLIED, PupilStatus.ACCEPTED, PupilStatus.WAITLISTED):
            pupil.status = PupilStatus.LEFT
            pupil.save(update_fields=["status"])
    if purpose == ConsentPurpose.FOLLOW_UP:
        # Outstanding survey links stop working at once.
        link_ids = DestinationSurvey.objects.filter(pupil=pupil, answered_at__isnull=True).values("link_id")
        SignedLink.objects.filter(pk__in=link_ids, revoked_at__isnull=True).update(revoked_at=now, revoked_by=actor)
    audit_record(actor=actor, action=Action.CHANGE, obj=pupil,
                 summary=f"consent withdrawn: {ConsentPurpose(purpose).label}", changes={"consent": [purpose, None]})
    return withdrawn


# ------------------------------------------------------------------------------------------------ applications


@transaction.atomic
def application_submit(*, programme: OutreachProgramme, school: Organisation, **fields: Any) -> Pupil:
    return pupil_create(actor=None, programme=programme, school=school, route=Route.APPLICATION, **fields)


def referral_link_issue(
    *, actor: User, programme: OutreachProgramme, school: Organisation, teacher_name: str, teacher_email: str
) -> IssuedLink:
    if school.kind != OrganisationKind.SCHOOL:
        raise ValidationError({"school": "Referral links are for schools."})
    issued = link_issue(
        actor=actor, purpose="refer_pupil", target=school, recipient_name=teacher_name,
        recipient_email=teacher_email, params={"programme": programme.pk}, days=REFERRAL_LINK_DAYS,
    )
    if teacher_email:
        send_mail(
            f"Refer pupils to {programme.name}",
            f"Dear {teacher_name},\n\nYou can refer pupils of {school.name} to {programme.name} here "
            f"(the link works for {REFERRAL_LINK_DAYS} days):\n{issued.url}\n",
            settings.DEFAULT_FROM_EMAIL,
            [teacher_email],
        )
    return issued


@transaction.atomic
def referral_submit(*, link: SignedLink, **fields: Any) -> Pupil:
    school = link.target
    if not isinstance(school, Organisation):
        raise ValidationError("This link is not for a school.")
    programme = OutreachProgramme.objects.get(pk=link.params["programme"])
    return pupil_create(actor=None, programme=programme, school=school, route=Route.REFERRAL,
                        referrer_name=link.recipient_name, referrer_email=link.recipient_email, **fields)


# ------------------------------------------------------------------------------------------------ activities


def _require_taking_part(pupil: Pupil) -> None:
    if pupil.status != PupilStatus.ACCEPTED:
        raise ValidationError("Only accepted pupils can take part.")
    if not consent_current(pupil=pupil, purpose=ConsentPurpose.PARTICIPATION):
        raise ValidationError("There is no current consent to take part for this pupil.")


@transaction.atomic
def activity_create(
    *, actor: User, programme: OutreachProgramme, kind: str, title: str, on: dt.date, capacity: int,
    location: str = "",
) -> Activity:
    activity = Activity(programme=programme, kind=kind, title=title.strip(), on=on, capacity=capacity,
                        location=location, created_at=timezone.now())
    activity.full_clean()
    activity.save()
    audit_record(actor=actor, action=Action.CREATE, obj=activity)
    return activity


@transaction.atomic
def registration_add(*, actor: User, activity: Activity, pupil: Pupil) -> Registration:
    if pupil.programme_id != activity.programme_id:
        raise ValidationError("The pupil is in another programme.")
    _require_taking_part(pupil)
    Activity.objects.select_for_update().filter(pk=activity.pk).first()
    if Registration.objects.filter(activity=activity, pupil=pupil).exists():
        raise ValidationError(f"{pupil} is already on the register.")
    if Registration.objects.filter(activity=activity).count() >= activity.capacity:
        raise ValidationError(f"{activity.title} is full ({activity.capacity} places).")
    registration = Registration.objects.create(activity=activity, pupil=pupil, registered_at=timezone.now())
    audit_record(actor=actor, action=Action.CREATE, obj=registration)
    return registration


@transaction.atomic
def attendance_set(*, actor: User, registration: Registration, attended: bool) -> Registration:
    registration.attended = attended
    registration.marked_at = timezone.now()
    registration.marked_by = actor
    registration.save(update_fields=["attended", "marked_at", "marked_by"])
    if attended:
        _touch(registration.pupil, registration.activity.on)
    audit_record(actor=actor, action=Action.CHANGE, obj=registration, changes={"attended": [not attended, attended]})
    return registration


@transaction.atomic
def placement_create(
    *, actor: User, programme: OutreachProgramme, host: Organisation, supervisor_name: str, starts_on: dt.date,
    ends_on: dt.date, places: int, supervisor_email: str = "", risk_assessed_on: dt.date | None = None,
    risk_assessment_notes: str = "",
) -> Placement:
    if host.kind != OrganisationKind.GP_PRACTICE:
        raise ValidationError({"host": "Work experience is hosted by a GP practice."})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "The placement cannot end before it starts."})
    placement = Placement(
        programme=programme, host=host, supervisor_name=supervisor_name, supervisor_email=supervisor_email,
        starts_on=starts_on, ends_on=ends_on, places=places, risk_assessed_on=risk_assessed_on,
        risk_assessment_notes=risk_assessment_notes, created_at=timezone.now(),
    )
    placement.full_clean()
    placement.save()
    audit_record(actor=actor, action=Action.CREATE, obj=placement)
    return placement


@transaction.atomic
def placement_add_pupil(*, actor: User, placement: Placement, pupil: Pupil) -> PlacementPupil:
    if placement.risk_assessed_on is None:
        raise ValidationError("Record the risk assessment before placing pupils.")
    if pupil.programme_id != placement.programme_id:
        raise ValidationError("The pupil is in another programme.")
    _require_taking_part(pupil)
    if PlacementPupil.objects.filter(placement=placement, pupil=pupil).exists():
        raise ValidationError(f"{pupil} is already on this placement.")
    if PlacementPupil.objects.filter(placement=placement).count() >= placement.places:
        raise ValidationError(f"All {placement.places} places are taken.")
    row = PlacementPupil.objects.create(placement=placement, pupil=pupil, added_at=timezone.now())
    _touch(pupil, placement.ends_on if placement.ends_on <= timezone.localdate() else timezone.localdate())
    audit_record(actor=actor, action=Action.CREATE, obj=row)
    return row


# ------------------------------------------------------------------------------------------------ mentoring


@transaction.atomic
def safeguarding_lead_add(*, actor: User | None, user: User) -> SafeguardingLead:
    lead, created = SafeguardingLead.objects.get_or_create(user=user, defaults={"added_at": timezone.now()})
    if created:
        audit_record(actor=actor, action=Action.CREATE, obj=lead, summary="designated safeguarding lead")
    return lead


@transaction.atomic
def mentor_register(*, actor: User | None, user: User, **fields: Any) -> Mentor:
    if user.role != Role.STUDENT:
        raise ValidationError({"user": "Mentors are medical students."})
    unknown = set(fields) - set(MENTOR_FIELDS)
    if unknown:
        raise TypeError(f"unknown mentor fields: {sorted(unknown)}")
    mentor = Mentor(user=user, created_at=timezone.now(), **fields)
    _check_capacity(mentor)
    mentor.full_clean()
    mentor.save()
    audit_record(actor=actor, action=Action.CREATE, obj=mentor)
    return mentor


def _check_capacity(mentor: Mentor) -> None:
    if not 1 <= mentor.capacity <= 3:
        raise ValidationError({"capacity": "A mentor takes 1 to 3 pupils."})


@transaction.atomic
def mentor_update(*, actor: User, mentor: Mentor, **fields: Any) -> Mentor:
    unknown = set(fields) - set(MENTOR_FIELDS)
    if unknown:
        raise TypeError(f"unknown mentor fields: {sorted(unknown)}")
    before = {name: str(getattr(mentor, name)) for name in fields}
    for name, value in fields.items():
        setattr(mentor, name, value)
    _check_capacity(mentor)
    mentor.full_clean()
    mentor.save()
    audit_record(actor=actor, action=Action.CHANGE, obj=mentor,
                 changes={k: [before[k], str(getattr(mentor, k))] for k in fields
                          if before[k] != str(getattr(mentor, k))})
    return mentor


@transaction.atomic
def match_create(*, actor: User, mentor: Mentor, pupil: Pupil) -> MentorMatch:
    """Match a mentor with a pupil; refused unless the mentor's DBS check and training are current today."""
    Mentor.objects.select_for_update().filter(pk=mentor.pk).first()
    problems = mentor_problems(mentor, timezone.localdate())
    if problems:
        raise ValidationError(f"{mentor} cannot be matched: {'; '.join(problems)}.")
    _require_taking_part(pupil)
    if MentorMatch.objects.filter(pupil=pupil, ended_at__isnull=True).exists():
        raise ValidationError(f"{pupil.first_name} already has a mentor.")
    if MentorMatch.objects.filter(mentor=mentor, ended_at__isnull=True).count() >= mentor.capacity:
        raise ValidationError(f"{mentor} already mentors {mentor.capacity} pupils.")
    match = MentorMatch.objects.create(mentor=mentor, pupil=pupil, matched_at=timezone.now(), matched_by=actor)
    _touch(pupil, timezone.localdate())
    audit_record(actor=actor, action=Action.CREATE, obj=match)
    return match


@transaction.atomic
def match_end(*, actor: User, match: MentorMatch, reason: str) -> MentorMatch:
    if match.ended_at is None:
        match.ended_at = timezone.now()
        match.end_reason = reason[:200]
        match.save(update_fields=["ended_at", "end_reason"])
        audit_record(actor=actor, action=Action.CHANGE, obj=match, summary=f"ended: {reason}")
    return match


@transaction.atomic
def session_log(
    *, actor: User, match: MentorMatch, held_on: dt.date, minutes: int, notes: str = ""
) -> MentoringSession:
    if match.ended_at is not None:
        raise ValidationError("This match has ended.")
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "A session cannot be logged before it happens."})
    session = MentoringSession.objects.create(match=match, held_on=held_on, minutes=minutes, notes=notes,
                                              logged_at=timezone.now())
    _touch(match.pupil, held_on)
    audit_record(actor=actor, action=Action.CREATE, obj=session)
    return session


@transaction.atomic
def concern_raise(*, actor: User, pupil: Pupil, description: str) -> Concern:
    if not description.strip():
        raise ValidationError({"description": "Describe the concern."})
    concern = Concern.objects.create(pupil=pupil, raised_by=actor, raised_at=timezone.now(),
                                     description=description.strip())
    audit_record(actor=actor, action=Action.CREATE, obj=concern)
    recipients = list(
        SafeguardingLead.objects.filter(user__is_active=True).exclude(user__email="").values_list(
            "user__email", flat=True)
    )
    if recipients:
        # The e-mail says only that there is a concern: the details stay on the platform, where views are logged.
        send_mail(
            "A safeguarding concern has been raised",
            f"A safeguarding concern (#{concern.pk}) was raised by {actor}. Please sign in to commed to read it.",
            settings.DEFAULT_FROM_EMAIL,
            recipients,
        )
    return concern


def concern_view_record(*, user: User, concern: Concern) -> ConcernView:
    return ConcernView.objects.create(concern=concern, user=user, user_label=f"{user} <{user.email}>"[:200],
                                      at=timezone.now())


@transaction.atomic
def concern_close(*, actor: User, concern: Concern, outcome: str) -> Concern:
    concern.closed_at = timezone.now()
    concern.outcome = outcome
    concern.save(update_fields=["closed_at", "outcome"])
    audit_record(actor=actor, action=Action.CHANGE, obj=concern, summary="closed")
    return concern


# ------------------------------------------------------------------------------------------------ destinations


def survey_due_on(*, programme: OutreachProgramme, point: str) -> dt.date:
    months = SURVEY_MONTHS[SurveyPoint(point)]
    year, month = divmod(programme.ends_on.month - 1 + months, 12)
    day = min(programme.ends_on.day, 28)
    return dt.date(programme.ends_on.year + year, month + 1, day)


def survey_may_contact(*, pupil: Pupil) -> bool:
    return bool(pupil.email) and consent_current(pupil=pupil, purpose=ConsentPurpose.FOLLOW_UP)


@transaction.atomic
def survey_send(*, actor: User | None, pupil: Pupil, point: str) -> IssuedLink:
    """Send the destination survey for one point by signed link. Refused without current follow-up consent."""
    if not consent_current(pupil=pupil, purpose=ConsentPurpose.FOLLOW_UP):
        raise ValidationError("This pupil has not consented (or has withdrawn consent) to being contacted.")
    if not pupil.email:
        raise ValidationError("There is no e-mail address for this pupil.")
    survey, _ = DestinationSurvey.objects.get_or_create(
        pupil=pupil, point=point, defaults={"sent_at": timezone.now(), "sent_by": actor}
    )
    if survey.answered_at is not None:
        raise ValidationError("This survey has already been answered.")
    if survey.link_id:
        SignedLink.objects.filter(pk=survey.link_id, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=actor)
    issued = link_issue(
        actor=actor, purpose="destination_survey", target=survey, recipient_name=pupil.first_name,
        recipient_email=pupil.email, days=SURVEY_LINK_DAYS, max_uses=1,
    )
    survey.link = issued.link
    survey.sent_at = timezone.now()
    survey.sent_by = actor
    survey.save(update_fields=["link", "sent_at", "sent_by"])
    send_mail(
        "Where are you now? A short question from your healthcare careers programme",
        f"Hello {pupil.first_name},\n\nPlease tell us what you have done since the programme "
        f"({survey.get_point_display()} on). It takes two minutes:\n{issued.url}\n\n"
        "You can ask us to stop contacting you at any time.",
        settings.DEFAULT_FROM_EMAIL,
        [pupil.email],
    )
    audit_record(actor=actor, action=Action.CREATE, obj=survey, object_label=f"{pupil}: {survey}")
    return issued


@transaction.atomic
def survey_answer(
    *, survey: DestinationSurvey, applied_to_he: bool, course_area: str, offers: int | None, accepted_place: str
) -> DestinationSurvey:
    if survey.answered_at is not None:
        raise ValidationError("This survey has already been answered.")
    survey.applied_to_he = applied_to_he
    survey.course_area = course_area
    survey.offers = offers
    survey.accepted_place = accepted_place
    survey.answered_at = timezone.now()
    survey.full_clean()
    survey.save()
    _touch(survey.pupil, timezone.localdate())
    audit_record(actor=None, action=Action.CHANGE, obj=survey, summary="answered by the pupil")
    return survey


def surveys_send_due(*, today: dt.date | None = None) -> list[str]:
    """Send every survey that is due and not yet sent; pupils without follow-up consent are skipped."""
    from commed.outreach.selectors import surveys_due

    lines = []
    for pupil, point in surveys_due(today=today or timezone.localdate()):
        survey_send(actor=None, pupil=pupil, point=point)
        lines.append(f"outreach: {SurveyPoint(point).label} survey sent to pupil #{pupil.pk}")
    return lines or ["outreach: no destination surveys due"]
