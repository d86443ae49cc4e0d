"""Demo widening participation: two cohorts of a healthcare-careers scheme at the demo schools and GP practices."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from commed.core.demo import FIRST_NAMES, LAST_NAMES, DemoContext
from commed.outreach import services
from commed.outreach.eligibility import DEFAULT_RULES
from commed.outreach.models import (
    AreaQuintile,
    ConsentPurpose,
    CourseArea,
    DestinationSurvey,
    PostcodeIMD,
    PupilStatus,
    Registration,
)
from commed.partners.models import Organisation, OrganisationKind

DISTRICTS = {"SE4": 5, "SE6": 3, "SE8": 2, "SE12": 6, "SE13": 4, "SE14": 2, "SE15": 1, "SE23": 7}
POLAR4 = {"SE4": 3, "SE6": 2, "SE8": 1, "SE12": 4, "SE13": 2, "SE14": 1, "SE15": 1, "SE23": 5}
INTERESTS = ["medicine", "nursing", "pharmacy", "physiotherapy", "midwifery", "paramedic science", "dentistry"]


def _postcodes(ctx: DemoContext) -> list[str]:
    codes = []
    for district, decile in DISTRICTS.items():
        for n in range(6):
            code = f"{district}{ctx.rng.randint(1, 9)}{'ABDEFGHJLNPQRSTUWXYZ'[n]}{'ABDEFGHJ'[n]}"
            codes.append(code)
            PostcodeIMD.objects.get_or_create(postcode=code, defaults={
                "imd_decile": max(1, min(10, decile + ctx.rng.choice([-1, 0, 0, 1])))})
        AreaQuintile.objects.get_or_create(area=district, defaults={"polar4_quintile": POLAR4[district]})
    return codes


def seed(ctx: DemoContext) -> None:
    today = ctx.today
    coordinator = ctx.users["coordinator"]
    services.safeguarding_lead_add(actor=ctx.users["admin"], user=ctx.users["tutor"])
    codes = _postcodes(ctx)
    organisations = ctx.extra.get("organisations", [])
    schools = [o for o in organisations if o.kind == OrganisationKind.SCHOOL] or list(
        Organisation.objects.filter(kind=OrganisationKind.SCHOOL))
    practices = [o for o in organisations if o.kind == OrganisationKind.GP_PRACTICE]
    if not schools:
        return
    start = today.year if today.month >= 9 else today.year - 1
    last = services.programme_create(
        actor=coordinator, name=f"Healthcare careers {start - 1}/{start % 100:02d}", cohort=f"{start - 1}/{start % 100:02d}",
        starts_on=dt.date(start - 1, 10, 1), ends_on=dt.date(start, 3, 31), eligibility_rules=DEFAULT_RULES,
        description="Workshops, work experience in general practice and mentoring by medical students.",
    )
    current = services.programme_create(
        actor=coordinator, name=f"Healthcare careers {start}/{(start + 1) % 100:02d}",
        cohort=f"{start}/{(start + 1) % 100:02d}", starts_on=dt.date(start, 10, 1), ends_on=dt.date(start + 1, 3, 31),
        eligibility_rules=DEFAULT_RULES,
        description="Workshops, work experience in general practice and mentoring by medical students.",
    )
    mentors = []
    volunteers = [ctx.users["student"], *(u for u in ctx.students[150:158] if u != ctx.users["student"])]
    for user in volunteers[:8]:
        mentors.append(services.mentor_register(
            actor=coordinator, user=user, dbs_number=f"00{ctx.rng.randint(10**9, 10**10 - 1)}",
            dbs_issued_on=today - dt.timedelta(days=ctx.rng.randint(30, 700)),
            dbs_enhanced=True, safeguarding_training_on=today - dt.timedelta(days=ctx.rng.randint(20, 300)),
            capacity=ctx.rng.choice([1, 2, 3]), interests=", ".join(ctx.rng.sample(INTERESTS[:4], 2)),
            languages="en", locality=ctx.rng.choice(list(DISTRICTS)),
        ))
    for programme, count in ((last, 24), (current, 20)):
        pupils = []
        for _ in range(count):
            age = ctx.rng.choice([15, 16, 17, 17])
            born = today - dt.timedelta(days=age * 365 + ctx.rng.randint(10, 300))
            first = ctx.rng.choice(FIRST_NAMES)
            pupil = services.pupil_create(
                actor=coordinator, programme=programme, school=ctx.rng.choice(schools),
                route=ctx.rng.choice(["referral", "referral", "application"]),
                first_name=first, last_name=ctx.rng.choice(LAST_NAMES), year_group=12 if age < 17 else 13,
                date_of_birth=born, home_postcode=ctx.rng.choice(codes),
                email=f"{first.lower()}{ctx.rng.randint(10, 99)}@pupil.demo.invalid",
                guardian_name="Parent or guardian", fsm=ctx.rng.random() < 0.4, first_gen=ctx.rng.random() < 0.6,
                care_experienced=ctx.rng.random() < 0.05, young_carer=ctx.rng.random() < 0.1,
                disability=ctx.rng.random() < 0.1, interests=", ".join(ctx.rng.sample(INTERESTS, 2)), languages="en",
            )
            for purpose in ConsentPurpose.values:
                if purpose == ConsentPurpose.PHOTOGRAPHS and ctx.rng.random() < 0.3:
                    continue
                services.consent_record(actor=coordinator, pupil=pupil, purpose=purpose, given_by="pupil",
                                        given_by_name=first, given_on=today)
                if age < 16:
                    services.consent_record(actor=coordinator, pupil=pupil, purpose=purpose, given_by="guardian",
                                            given_by_name="Parent or guardian", given_on=today)
            status = PupilStatus.ACCEPTED if pupil.eligible or ctx.rng.random() < 0.2 else ctx.rng.choice(
                [PupilStatus.DECLINED, PupilStatus.WAITLISTED, PupilStatus.APPLIED])
            if status != PupilStatus.APPLIED:
                services.pupil_decide(actor=coordinator, pupil=pupil, status=status)
            pupils.append(pupil)
        accepted = [p for p in pupils if p.status == PupilStatus.ACCEPTED]
        for title, kind, offset in (("Clinical skills taster", "workshop", 20), ("Meet the GPs", "event", 60)):
            activity = services.activity_create(
                actor=coordinator, programme=programme, kind=kind, title=title,
                on=programme.starts_on + dt.timedelta(days=offset), capacity=30, location="Medical school")
            for pupil in accepted:
                registration = services.registration_add(actor=coordinator, activity=activity, pupil=pupil)
                if activity.on <= today and ctx.rng.random() < 0.85:
                    Registration.objects.filter(pk=registration.pk).update(attended=True, marked_at=timezone.now())
        if practices:
            placement = services.placement_create(
                actor=coordinator, programme=programme, host=ctx.rng.choice(practices), supervisor_name="Dr Helen Cho",
                starts_on=programme.starts_on + dt.timedelta(days=90), ends_on=programme.starts_on + dt.timedelta(days=94),
                places=4, risk_assessed_on=programme.starts_on + dt.timedelta(days=30),
                risk_assessment_notes="Practice induction, chaperoned consultations only, no home visits.")
            for pupil in accepted[:4]:
                services.placement_add_pupil(actor=coordinator, placement=placement, pupil=pupil)
        if programme is current:
            for pupil, mentor in zip(accepted, mentors, strict=False):
                match = services.match_create(actor=coordinator, mentor=mentor, pupil=pupil)
                services.session_log(actor=mentor.user, match=match, held_on=today - dt.timedelta(days=7),
                                     minutes=45, notes="Talked about personal statements and work experience.")
            # One mentor's training has since lapsed: their match shows as needing action.
            services.mentor_update(actor=coordinator, mentor=mentors[-1],
                                   safeguarding_training_on=today - dt.timedelta(days=2 * 365 + 10))
        else:
            for pupil in accepted[:10]:
                area = ctx.rng.choice(CourseArea.values)
                DestinationSurvey.objects.create(
                    pupil=pupil, point="6m", sent_at=timezone.now(), answered_at=timezone.now(),
                    applied_to_he=area != CourseArea.NONE, course_area=area, offers=ctx.rng.randint(0, 4),
                    accepted_place="")
