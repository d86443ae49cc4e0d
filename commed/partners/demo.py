"""Demo partners: about 40 fictional organisations of a London-like medical school."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from commed.accounts.models import Role
from commed.core.demo import DemoContext, _user
from commed.partners import services
from commed.partners.models import (
    AgreementKind,
    BenefitKind,
    Direction,
    InteractionKind,
    Language,
    Organisation,
    Stage,
)

LANGUAGES = [
    ("en", "English"), ("bn", "Bengali"), ("so", "Somali"), ("ur", "Urdu"), ("pl", "Polish"), ("tr", "Turkish"),
    ("yo", "Yoruba"), ("ar", "Arabic"), ("pa", "Punjabi"), ("pt", "Portuguese"), ("es", "Spanish"),
    ("ti", "Tigrinya"), ("fa", "Persian"), ("bsl", "British Sign Language"),
]

# name, kind, populations, focus areas, languages, areas
PARTNERS = [
    ("Riverside Ethnic Minority Health Forum", "community", ["ethnic-minority communities"], ["diabetes", "health literacy"], ["bn", "so", "ur"], "SE6, SE13"),
    ("Deptford Park FC Community Trust", "community", ["young people", "men"], ["physical activity", "mental health"], ["en"], "SE8, SE14"),
    ("Southbank Homelessness Outreach", "community", ["people experiencing homelessness"], ["access to primary care", "substance use"], ["en", "pl"], "SE1, SE11"),
    ("Welcome Harbour Refugee Support", "community", ["refugees and asylum seekers"], ["access to primary care", "mental health"], ["ar", "ti", "fa"], "SE15, SE5"),
    ("Rainbow Youth Lewisham", "community", ["LGBT+ young people"], ["mental health", "sexual health"], ["en"], "SE13, SE4"),
    ("Silver Threads Older People's Network", "community", ["older people", "carers"], ["loneliness", "falls prevention"], ["en", "pa"], "SE9, SE12"),
    ("Carers Together Greenwich", "community", ["carers"], ["carer wellbeing"], ["en", "tr"], "SE10, SE18"),
    ("Somali Women's Wellbeing Group", "community", ["ethnic-minority communities", "women"], ["maternal health", "vaccination"], ["so", "ar"], "SE8, SE6"),
    ("Bengali Elders Day Centre", "community", ["older people", "ethnic-minority communities"], ["diabetes", "cardiovascular health"], ["bn"], "E1, SE6"),
    ("Polish Community Health Circle", "community", ["ethnic-minority communities"], ["health literacy", "cancer screening"], ["pl"], "SE14, SE4"),
    ("Turkish and Kurdish Families Association", "community", ["ethnic-minority communities", "families"], ["child health"], ["tr"], "N16, SE15"),
    ("Peckham Food Bank", "community", ["people on low incomes"], ["nutrition", "food insecurity"], ["en", "yo"], "SE15"),
    ("Catford Men's Shed", "community", ["men", "older people"], ["loneliness", "mental health"], ["en"], "SE6"),
    ("Young Carers Hub", "community", ["young carers"], ["carer wellbeing", "mental health"], ["en"], "SE13, SE23"),
    ("Sickle Cell Community Network", "community", ["ethnic-minority communities"], ["sickle cell disease"], ["en", "yo"], "SE5, SE15"),
    ("Lewisham Deaf Community Centre", "community", ["deaf people"], ["access to primary care"], ["bsl", "en"], "SE13"),
    ("New Cross Recovery Project", "community", ["people in recovery"], ["substance use"], ["en"], "SE14"),
    ("Mothers First Maternity Voices", "community", ["women", "families"], ["maternal health"], ["en", "pt", "es"], "SE4, SE8"),
    ("Brockley Allotment Growers", "community", ["people on low incomes", "older people"], ["nutrition", "physical activity"], ["en"], "SE4"),
    ("Sydenham Dementia Friends", "community", ["older people", "carers"], ["dementia"], ["en"], "SE26"),
    ("Gypsy and Traveller Health Link", "community", ["Gypsy, Roma and Traveller communities"], ["access to primary care", "vaccination"], ["en"], "SE London"),
    ("Hope Street Domestic Abuse Service", "community", ["survivors of domestic abuse"], ["mental health", "safeguarding"], ["en", "ur", "pa"], "SE London"),
    ("Forest Hill Youth Boxing Club", "community", ["young people"], ["physical activity", "violence reduction"], ["en"], "SE23"),
    ("Latin American Women's Aid Network", "community", ["women", "ethnic-minority communities"], ["mental health"], ["es", "pt"], "SE17, SE5"),
    ("St Margaret's Primary School", "school", ["children", "families"], ["child health", "oral health"], ["en", "bn"], "SE6"),
    ("Hilly Fields Primary School", "school", ["children"], ["healthy eating", "physical activity"], ["en"], "SE4"),
    ("Evelyn Academy", "school", ["young people"], ["careers in healthcare", "mental health"], ["en", "so"], "SE8"),
    ("Bellingham Community College", "school", ["young people"], ["careers in healthcare"], ["en"], "SE6"),
    ("Northbrook Sixth Form", "school", ["young people"], ["careers in healthcare"], ["en", "tr"], "SE12"),
    ("Catford Bridge Medical Practice", "gp_practice", ["patients of the practice"], ["long-term conditions"], ["en", "bn"], "SE6"),
    ("Deptford Surgery", "gp_practice", ["patients of the practice"], ["vaccination", "cancer screening"], ["en", "pl"], "SE8"),
    ("Honor Oak Health Centre", "gp_practice", ["patients of the practice"], ["mental health"], ["en"], "SE23"),
    ("Waldron Health Partnership", "gp_practice", ["patients of the practice"], ["diabetes"], ["en", "so"], "SE14"),
    ("Lee Green Family Practice", "gp_practice", ["patients of the practice"], ["child health"], ["en"], "SE12"),
    ("South London Community Health NHS Trust", "nhs", ["residents"], ["community services"], ["en"], "South East London"),
    ("Riverside Primary Care Network", "nhs", ["patients of the network"], ["health inequalities"], ["en"], "SE6, SE13"),
    ("Lewisham Public Health Team", "local_authority", ["residents"], ["health inequalities"], ["en"], "Lewisham"),
    ("Greenwich Social Prescribing Service", "local_authority", ["residents"], ["social prescribing"], ["en"], "Greenwich"),
    ("Healthwatch South London", "other", ["residents", "patients"], ["patient voice"], ["en"], "South London"),
    ("Citywide Interpreting Co-operative", "other", ["ethnic-minority communities"], ["language access"], ["so", "ar", "bn", "pl"], "London"),
]
CONTACT_ROLES = ["Volunteer coordinator", "Chief executive", "Community development worker", "Practice manager",
                 "Head teacher", "Health lead"]


def seed(ctx: DemoContext) -> None:
    for code, name in LANGUAGES:
        Language.objects.get_or_create(code=code, defaults={"name": name})
    lead = ctx.users["lead"]
    stages = [Stage.ACTIVE] * 18 + [Stage.AGREED] * 7 + [Stage.EXPLORING] * 7 + [Stage.PAUSED] * 4 + [Stage.ENDED] * 4
    ctx.rng.shuffle(stages)
    # The demo partner contacts' own organisations have live partnerships, so their pages have something to show.
    stages[0], stages[1] = Stage.ACTIVE, Stage.ACTIVE
    organisations = []
    for index, (name, kind, populations, focus, languages, areas) in enumerate(PARTNERS):
        organisation = services.organisation_create(
            actor=lead,
            name=name,
            kind=kind,
            description=f"{name} works with {', '.join(populations)} in south-east London on {', '.join(focus)}.",
            populations=populations,
            focus_areas=focus,
            languages=languages,
            areas_served=areas,
            postcode=areas.split(",")[0].strip() if areas[:2].isalpha() and any(c.isdigit() for c in areas[:4]) else "",
            capacity_per_year=ctx.rng.choice([4, 6, 8, 10, 12, 16]),
            safeguarding_policy_date=ctx.today - dt.timedelta(days=ctx.rng.randint(30, 900)),
        )
        organisations.append(organisation)
        first, last = ctx.rng.choice(["Rukhsana", "Mark", "Abdirahman", "Joy", "Kasia", "Peter", "Funmi", "Ayse"]), \
            ctx.rng.choice(["Miah", "Okoro", "Warsame", "Clarke", "Kowalski", "Byrne", "Adebayo", "Demir"])
        user = None
        if index == 0:
            user = _user(ctx, "partner", Role.PARTNER, "Rukhsana", "Miah")
            first, last = "Rukhsana", "Miah"
        elif index == 1:
            user = _user(ctx, "partner2", Role.PARTNER, "Mark", "Clarke")
            first, last = "Mark", "Clarke"
        services.contact_create(
            actor=lead,
            organisation=organisation,
            name=f"{first} {last}",
            job_title=ctx.rng.choice(CONTACT_ROLES),
            role="Main contact",
            email=f"{first.lower()}.{last.lower()}@{name.split()[0].lower()}.example.org",
            phone=f"020 7946 {ctx.rng.randint(0, 9999):04d}",
            is_primary=True,
            user=user,
        )
        _partnership(ctx, organisation, stages[index])
    ctx.extra["organisations"] = organisations


def _partnership(ctx: DemoContext, organisation: Organisation, stage: Stage) -> None:
    lead = ctx.users["lead"]
    start = ctx.today - dt.timedelta(days=ctx.rng.randint(400, 700))
    partnership = services.partnership_create(
        actor=lead,
        organisation=organisation,
        title="Community Action Project",
        lead=lead,
        at=timezone.make_aware(dt.datetime.combine(start, dt.time(9))),
    )
    path = {
        Stage.EXPLORING: [],
        Stage.AGREED: [Stage.AGREED],
        Stage.ACTIVE: [Stage.AGREED, Stage.ACTIVE],
        Stage.PAUSED: [Stage.AGREED, Stage.ACTIVE, Stage.PAUSED],
        Stage.ENDED: [Stage.AGREED, Stage.ACTIVE, Stage.ENDED],
    }[stage]
    reasons = {
        Stage.AGREED: "Memorandum signed after the scoping meeting",
        Stage.ACTIVE: "First student group started",
        Stage.PAUSED: "Partner's volunteer coordinator on leave until spring",
        Stage.ENDED: "Charity merged with a larger organisation; report sent back",
    }
    for step, next_stage in enumerate(path):
        when = start + dt.timedelta(days=60 * (step + 1))
        services.partnership_set_stage(
            actor=lead,
            partnership=partnership,
            stage=next_stage,
            reason=reasons[next_stage],
            at=timezone.make_aware(dt.datetime.combine(when, dt.time(10))),
        )
    if stage != Stage.EXPLORING:
        agreement_start = start + dt.timedelta(days=60)
        # A few agreements end within the next 60 days, so the reminder list has something to show.
        days_left = -30 if stage == Stage.ENDED else ctx.rng.choice([20, 45, 200, 300, 500, -30])
        ends = ctx.today + dt.timedelta(days=days_left)
        services.agreement_create(
            actor=lead,
            partnership=partnership,
            kind=AgreementKind.MOU,
            title="Memorandum of understanding",
            starts_on=agreement_start,
            ends_on=max(ends, agreement_start + dt.timedelta(days=1)),
            renewal_on=ends - dt.timedelta(days=60),
        )
        if ctx.rng.random() < 0.3:
            services.agreement_create(
                actor=lead,
                partnership=partnership,
                kind=AgreementKind.DATA_SHARING,
                title="Data-sharing agreement for the service evaluation",
                starts_on=agreement_start,
                ends_on=agreement_start + dt.timedelta(days=730),
            )
    for _ in range(ctx.rng.randint(1, 5)):
        services.interaction_log(
            actor=ctx.rng.choice([lead, ctx.users["tutor"], ctx.users["coordinator"]]),
            organisation=organisation,
            partnership=partnership,
            kind=ctx.rng.choice(InteractionKind.values),
            occurred_on=ctx.today - dt.timedelta(days=ctx.rng.randint(1, 300)),
            summary=ctx.rng.choice([
                "Discussed what residents say about getting GP appointments.",
                "Planned the student group's first visit and the safeguarding briefing.",
                "Partner asked for the caption videos in Bengali and Somali.",
                "Reviewed the support pack draft with the volunteer team.",
                "Shared the service evaluation report and agreed next year's priorities.",
            ]),
        )
    if stage in (Stage.ACTIVE, Stage.PAUSED, Stage.ENDED):
        entries = [
            (Direction.TO_COMMUNITY, BenefitKind.OUTPUTS, "Multilingual caption videos on diabetes", 6, "videos"),
            (Direction.TO_COMMUNITY, BenefitKind.TIME, "Student volunteering at drop-in sessions", 40, "hours"),
            (Direction.TO_STUDENTS, BenefitKind.EXPERTISE, "Briefing on the community's health beliefs", 3, "hours"),
            (Direction.TO_STUDENTS, BenefitKind.VENUE, "Community hall for the focus group", 2, "sessions"),
            (Direction.TO_SCHOOL, BenefitKind.TIME, "Partner staff time supervising students", 12, "hours"),
            (Direction.TO_COMMUNITY, BenefitKind.FUNDING, "Printing of support packs", 250, "GBP"),
        ]
        for direction, kind, description, quantity, unit in ctx.rng.sample(entries, ctx.rng.randint(2, 5)):
            services.ledger_entry_add(
                actor=lead,
                partnership=partnership,
                direction=direction,
                kind=kind,
                description=description,
                quantity=Decimal(quantity),
                unit=unit,
                evidence="Project report, shared drive",
                occurred_on=ctx.today - dt.timedelta(days=ctx.rng.randint(10, 300)),
            )
