"""Demo surveys: the three ready-made instruments, sent and partly answered.

- end-of-project feedback from the students of last year's first project (four of six answered);
- end-of-project feedback from its partner, answered through a signed link (it becomes the project's feedback);
- the partnership-quality questionnaire of the demo partner this year, answered by the `partner` login and by
  school staff, with one link and one member of staff still to answer (so reminders have someone to remind);
- end-of-project feedback for this year's first project, sent to its group: the `student` login has it to answer.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.test.utils import override_settings

from commed.accounts.models import User
from commed.core.demo import DemoContext, academic_year
from commed.partners.models import Organisation
from commed.programmes.models import Project
from commed.surveys import logic, selectors, services
from commed.surveys.models import Instrument, Invitation, Side


def _answer(ctx: DemoContext, invitation: Invitation, *, lean: int = 0, link: object = None) -> None:
    """Plausible answers: Likert around 4 (moved by `lean`), the first options, numbers in range."""
    posted: dict[str, list[str]] = {}
    for item in selectors.survey_items(survey=invitation.survey):
        if item.kind == logic.LIKERT:
            posted[item.key] = [str(max(1, min(5, ctx.rng.choice([3, 4, 4, 5]) + lean)))]
        elif item.kind == logic.SINGLE:
            posted[item.key] = [ctx.rng.choice(item.choices[:2])]
        elif item.kind == logic.MULTIPLE:
            posted[item.key] = ctx.rng.sample(list(item.choices[:-1]), 2)
        elif item.kind == logic.NUMBER:
            posted[item.key] = [str(ctx.rng.randint(10, 60))]
        elif item.required or ctx.rng.random() < 0.7:
            posted[item.key] = [ctx.rng.choice([
                "The sessions in the community's own languages made the difference.",
                "More time to plan with the partner before the first session.",
                "Clear roles from the start; we met every two weeks.",
            ])]
    link_ = invitation.link if link else None
    services.response_submit(invitation=invitation, posted=posted, by=invitation.user, link=link_)


def _students(project: Project) -> QuerySet[User]:
    return User.objects.filter(group_memberships__group__project=project).order_by("pk")


def seed(ctx: DemoContext) -> None:
    # The demo's invitations are not e-mailed (the console backend would print dozens of them).
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        _seed(ctx)


def _seed(ctx: DemoContext) -> None:
    lead = ctx.users["lead"]
    partner_org: Organisation = ctx.extra["organisations"][0]
    past = Project.objects.filter(cohort__academic_year=academic_year(ctx.today, -1)).order_by("pk").first()
    current = Project.objects.filter(organisations=partner_org,
                                     cohort__academic_year=academic_year(ctx.today)).order_by("pk").first()
    if past is None or current is None:
        return
    students = services.instrument_create(actor=lead, instrument=Instrument.STUDENT_END, project=past)
    services.survey_open(actor=lead, survey=students)
    invited = services.invitations_create(actor=lead, survey=students, users=_students(past))
    for invitation in invited[:4]:
        _answer(ctx, invitation)

    past_partner = past.organisations.first()
    partner_end = services.instrument_create(actor=lead, instrument=Instrument.PARTNER_END, project=past,
                                             organisation=past_partner)
    services.survey_open(actor=lead, survey=partner_end)
    contact = past_partner.contacts.first() if past_partner else None
    invitation, _ = services.invitation_link_create(
        actor=lead, survey=partner_end, name=contact.name if contact else "Partner contact",
        email=contact.email if contact else "", side=Side.PARTNER, organisation=past_partner, contact=contact)
    _answer(ctx, invitation, link=True)

    quality = services.instrument_create(actor=lead, instrument=Instrument.PARTNERSHIP_QUALITY,
                                         organisation=partner_org, academic_year=academic_year(ctx.today))
    services.survey_open(actor=lead, survey=quality)
    partner_side = services.invitations_create(actor=lead, survey=quality, users=[ctx.users["partner"]])
    school_side = services.invitations_create(
        actor=lead, survey=quality, users=[ctx.users[name] for name in ("lead2", "tutor", "tutor2")])
    colleague, _ = services.invitation_link_create(
        actor=lead, survey=quality, name="Shirin Akhtar", email="shirin.akhtar@demo.commed.invalid",
        side=Side.PARTNER, organisation=partner_org)
    services.invitation_link_create(actor=lead, survey=quality, name="Femi Adebayo",
                                    email="femi.adebayo@demo.commed.invalid", side=Side.PARTNER,
                                    organisation=partner_org)
    for invitation in partner_side:
        _answer(ctx, invitation, lean=-1)
    _answer(ctx, colleague, lean=-1, link=True)
    for invitation in school_side[:2]:
        _answer(ctx, invitation, lean=1)

    now_survey = services.instrument_create(actor=lead, instrument=Instrument.STUDENT_END, project=current)
    services.survey_open(actor=lead, survey=now_survey)
    services.invitations_create(actor=lead, survey=now_survey, users=_students(current))
