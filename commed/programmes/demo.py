"""Demo programmes: the Community Action Project over two academic years, with groups, plans, outputs and feedback.

The demo logins meet in one current project: `student` is in its group, `tutor` tutors it and `partner` is the
contact of its organisation; its plan has versions by the students and the partner and awaits signatures.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from commed.core.demo import DemoContext, academic_year
from commed.links.services import link_record_use
from commed.partners.models import Organisation
from commed.programmes import services
from commed.programmes.models import Cohort, Project, ProjectStage

PROGRAMMES = [
    ("Community Action Project", "CAP", "3", "Groups of students find a local health need with a community partner "
                                            "and design and deliver an intervention."),
    ("Promoting Health Equity placement", "PHE", "3, 5", "A placement with an organisation working on health "
                                                        "inequalities."),
    ("School outreach", "OUT", "2", "Students run health and careers sessions in local schools."),
    ("Longitudinal Community Clerkship", "LCC", "5", "A year following patients and services in one locality."),
]
KEY_DATES = [  # kind, title, days after 1 September
    ("needs_assessment", "Needs assessment", 45),
    ("plan_agreed", "Plan agreed", 75),
    ("midpoint", "Mid-point review", 120),
    ("delivery", "Delivery", 180),
    ("evaluation", "Evaluation", 220),
    ("report", "Report", 250),
]
NEEDS = [
    ("Diabetes and fasting", "Older members fast during Ramadan without advice on their diabetes medicines.",
     "Older Bengali- and Somali-speaking people with type 2 diabetes", "bn, so"),
    ("Talking about mental health", "Young men rarely talk about how they feel until they are in crisis.",
     "Young men aged 16-25 at the club", "en"),
    ("Registering with a GP", "Many newly arrived families do not know they can register with a GP.",
     "Refugee and asylum-seeking families", "ar, ti, fa"),
    ("Falls at home", "Members fall at home and are afraid to go out.", "Older people living alone", "en, pa"),
    ("Healthy packed lunches", "Children bring lunches high in sugar; parents ask for cheap ideas.",
     "Parents of primary school children", "en, bn"),
    ("Sickle cell awareness", "Young people with sickle cell are not believed in A&E.",
     "Young people with sickle cell and their families", "en, yo"),
    ("Cancer screening", "Few women in the community take up cervical screening.", "Polish-speaking women", "pl"),
    ("Carers' own health", "Carers miss their own appointments.", "Unpaid carers", "en, tr"),
]
PLAN_TEXTS = {
    "need": "{need} The organisation has a weekly group, trusted volunteers and a hall.",
    "aims": "Help people understand {short} and know where to get help.",
    "activities": "Two co-designed sessions at the organisation, with a short leaflet in the community's languages.",
    "learning": "Students learn how the community sees {short}, and how to speak about it plainly.",
    "benefit": "Members get advice in their language; the organisation keeps the leaflet and session plan.",
    "contributions": "The partner: venue, volunteers, introductions. Students: research, materials, delivery.",
    "risks": "Sessions with a staff member present; no personal health advice; safeguarding lead named.",
    "evaluation": "A short questionnaire before and after; a debrief with the partner.",
}


def _cohort_start(year: str) -> dt.date:
    return dt.date(int(year[:4]), 9, 1)


def _texts(need: tuple[str, str, str, str]) -> dict[str, str]:
    return {key: text.format(need=need[1], short=need[0].lower()) for key, text in PLAN_TEXTS.items()}


def _project(
    ctx: DemoContext, cohort: Cohort, index: int, organisation: Organisation, members: list[Any], tutor: Any,
    *, past: bool,
) -> Project:
    lead = ctx.users["lead"]
    need = NEEDS[index % len(NEEDS)]
    opportunity = services.opportunity_propose(
        organisation=organisation, by=None, by_name=str(organisation.contacts.first() or organisation),
        title=need[0], health_need=need[1], people_concerned=need[2], languages=need[3],
        offer_venue="Our hall on weekday afternoons", offer_time="A volunteer for two hours a week",
        students_wanted=len(members),
    )
    services.opportunity_review(actor=lead, opportunity=opportunity, decision="published", cohort=cohort)
    project = services.project_create(actor=lead, cohort=cohort, title=f"{need[0]} with {organisation.name}",
                                      organisations=[organisation], opportunity=opportunity, summary=need[1])
    services.group_create(cohort=cohort, name=f"Group {index + 1:02d}", project=project, tutor=tutor,
                          members=members, actor=lead)
    plan = project.plan
    texts = _texts(need)
    first = {key: value for key, value in texts.items() if key in ("need", "aims", "activities")}
    contact_user = organisation.contacts.filter(user__isnull=False).first()
    partner_user = contact_user.user if contact_user else None
    services.plan_edit(plan=plan, by=members[0], party="students", base_number=None, sections=first)
    progress = 3 if past else ctx.rng.choice([0, 1, 1, 2, 2, 3])
    if progress >= 1:
        partner_texts = dict(texts)
        partner_texts["benefit"] += " We would like to keep the materials for our newsletter."
        services.plan_edit(plan=plan, by=partner_user, name=str(organisation.contacts.first() or "Partner"),
                           party="partner", base_number=1, sections=partner_texts)
    if progress >= 2:
        services.plan_sign(plan=plan, party="tutor", version_number=2, by=tutor)
        services.plan_sign(plan=plan, party="students", version_number=2, by=members[1])
    if progress >= 3:
        services.plan_sign(plan=plan, party="partner", version_number=2, by=partner_user,
                           name=str(organisation.contacts.first() or "Partner"))
        stage = ProjectStage.COMPLETE if past else ctx.rng.choice([ProjectStage.DELIVERING, ProjectStage.EVALUATING])
        project.refresh_from_db()
        services.project_set_stage(actor=tutor, project=project, stage=stage)
    if past or progress >= 3:
        now = timezone.now()
        due = project.milestones.filter(due_on__lt=ctx.today)
        due.update(completed_at=now, completed_by=tutor)
    return project


FEEDBACK = [
    ("Punctual, kind and keen to listen to our members.", "The sessions were full and members still use the leaflet.",
     "We were asked what we needed before anything was planned."),
    ("Some students were shy at first but grew in confidence.", "Useful, though the second session was rushed.",
     "We would like to hear from the school between projects, not only in September."),
    ("They adapted when our volunteers were off sick.", "Our newsletter now carries their advice page.",
     "A good partnership; more notice of the dates would help our volunteers."),
]


def _feedback(ctx: DemoContext, project: Project, organisation: Organisation, tutor: Any) -> None:
    """The partner's feedback through a signed link, and both sides' partnership check-in, for a past project."""
    contact = organisation.contacts.first()
    if contact is None:
        return
    issued = services.feedback_link_issue(actor=tutor, project=project, contact=contact)
    about_students, about_project, about_partnership = ctx.rng.choice(FEEDBACK)
    partner_answers = {key: ctx.rng.randint(2, 5) for key, _ in services.CHECKIN_QUESTIONS}
    services.partner_feedback_submit(
        project=project, organisation=organisation, name=contact.name, link=issued.link,
        about_students=about_students, about_project=about_project, about_partnership=about_partnership,
        would_host_again=ctx.rng.random() < 0.85, answers=partner_answers,
    )
    link_record_use(link=issued.link, action="submitted", consume=True)
    # The school tends to rate the partnership a little higher than the partner does: the gap is the point.
    school_answers = {key: min(5, value + ctx.rng.choice([0, 0, 1, 1, 2])) for key, value in partner_answers.items()}
    services.checkin_submit(project=project, side="school", by=tutor, answers=school_answers)


def seed(ctx: DemoContext) -> None:
    lead = ctx.users["lead"]
    organisations: list[Organisation] = ctx.extra["organisations"]
    partner_org = organisations[0]
    hosts = [o for o in organisations if o.kind in ("community", "school")]
    tutors = [ctx.users[name] for name in ("tutor", "tutor2", "tutor3", "tutor4")]
    programmes = {code: services.programme_create(actor=lead, name=name, code=code, years_of_study=years,
                                                  description=description)
                  for name, code, years, description in PROGRAMMES}
    cap = programmes["CAP"]
    previous, current = ctx.students[:150], ctx.students[150:]
    cohorts = []
    for offset, students in ((-1, previous), (0, current)):
        year = academic_year(ctx.today, offset)
        start = _cohort_start(year)
        cohort = services.cohort_create(actor=lead, programme=cap, academic_year=year, starts_on=start,
                                        ends_on=start + dt.timedelta(days=300))
        for kind, title, days in KEY_DATES:
            services.key_date_add(actor=lead, cohort=cohort, kind=kind, title=title,
                                  due_on=start + dt.timedelta(days=days))
        services.locality_add(actor=lead, cohort=cohort, name="Lewisham and Greenwich")
        services.locality_add(actor=lead, cohort=cohort, name="Southwark and Lambeth")
        cohorts.append(cohort)
        size = 6
        for index in range(len(students) // size):
            members = students[index * size:(index + 1) * size]
            # The demo logins share the first current project: `student` is the first student of this year.
            organisation = partner_org if index == 0 else hosts[(index * 7 + offset) % len(hosts)]
            tutor = tutors[0] if index == 0 else tutors[index % len(tutors)]
            project = _project(ctx, cohort, index, organisation, members, tutor, past=offset < 0)
            if offset < 0 and index % 3 == 0:
                services.output_create(actor=members[0], project=project, kind=ctx.rng.choice(
                    ["leaflet", "video", "workshop", "support_pack", "social_media"]),
                    title=f"{project.title}: materials", languages="en", audience="Community members",
                    reach=ctx.rng.randint(15, 400), licence="CC BY 4.0", partner_may_reuse=True)
                services.reflection_create(
                    student=members[0], project=project, what_happened="We ran two sessions at the partner's hall.",
                    learned_about_community="The community already had a lot of knowledge and trusted volunteers.",
                    do_differently="Ask the partner earlier what they need from us.",
                    consent=ctx.rng.choice(["private", "tutor", "partner", "research"]),
                )
            if offset < 0 and index % 2 == 0:
                _feedback(ctx, project, organisation, tutor)
    # A few open proposals for the next cohort.
    for index, organisation in enumerate(hosts[5:9]):
        need = NEEDS[(index + 3) % len(NEEDS)]
        services.opportunity_propose(organisation=organisation, by=None, by_name="Demo contact", title=need[0],
                                     health_need=need[1], people_concerned=need[2], languages=need[3],
                                     students_wanted=6)
