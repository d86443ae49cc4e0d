"""Demo reports: last year's service evaluation reports released to every partner, a draft for this year's
partner of the demo logins, and equity answers from the students who chose to give them."""

from __future__ import annotations

from commed.core.demo import DemoContext, academic_year
from commed.partners.models import Organisation
from commed.reports import services
from commed.reports.models import QuoteDecision


def seed(ctx: DemoContext) -> None:
    lead = ctx.users["lead"]
    last, this = academic_year(ctx.today, -1), academic_year(ctx.today)
    for organisation in Organisation.objects.filter(projects__cohort__academic_year=last).distinct()[:12]:
        draft = services.draft_create(actor=lead, organisation=organisation, academic_year=last,
                                      next_steps="Plan next year's projects together in September.")
        quotes = list(draft.quotes.all())
        if quotes:
            # The partner withdrew one quote before release.
            services.draft_review_submit(draft=draft, decisions={quotes[0].pk: QuoteDecision.WITHDRAWN},
                                         name="Partner contact", response="Thank you: the students were welcome.")
        services.draft_release(actor=lead, draft=draft)
    partner = ctx.users.get("partner")
    current = Organisation.objects.filter(contacts__user=partner, projects__cohort__academic_year=this).first()
    if current is not None:
        services.draft_create(actor=lead, organisation=current, academic_year=this)
    for student in ctx.students:
        if ctx.rng.random() < 0.4:
            services.characteristics_set(
                student=student, consented=True, first_in_family=ctx.rng.random() < 0.3,
                disability=ctx.rng.random() < 0.12, caring_responsibility=ctx.rng.random() < 0.08,
            )
