"""The reports fixture, on top of the programmes world (project_a with org_a, project_b with org_b, 2025/26).

Project A gets everything a report shows: outputs with reach and languages, ledger entries both ways, the
partner's feedback, check-ins by both sides, and reflections at every consent level:

- SHARED: consent "partner" (quoted)          - RESEARCH: consent "research" (quoted, and in the pack)
- PRIVATE: consent "private" (never quoted)   - TUTOR: consent "tutor" (never quoted)
- LOWERED: was "partner" when the draft was made, then lowered to "tutor" (never quoted once lowered)
- WITHDRAWN: consent "partner", but the partner withdraws the quote (never quoted)

Each organisation has a RELEASED draft (draft_a, draft_b) for the access tests; `fresh_draft` makes an
unreleased one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from commed.partners import services as partner_services
from commed.programmes import services as programme_services
from commed.programmes.models import Cohort, Project, Reflection
from commed.programmes.tests.world import build_world
from commed.reports import services
from commed.reports.models import QuoteDecision, ReportDraft, ReportRun

YEAR = "2025/26"
SHARED = "The lunch club members taught us how fasting changes everything about diabetes care."
RESEARCH = "Trust was built over tea long before anyone talked about blood sugar."
PRIVATE = "I felt out of my depth and nearly stopped going, which I tell nobody."
TUTOR = "My tutor helped me see the partner as the expert in the room."
LOWERED = "Some members were sceptical of us at first, and said so loudly."
WITHDRAWN = "The centre's manager was hard to reach in December."
FEEDBACK = "The students listened first and built the session around our Tuesday lunch club."


@dataclass
class ReportsWorld:
    cohort: Cohort
    project_a: Project
    project_b: Project
    draft_a: ReportDraft
    draft_b: ReportDraft
    run: ReportRun
    reflections: dict[str, Reflection]


def _reflect(p: Any, project: Project, text: str, consent: str) -> Reflection:
    return programme_services.reflection_create(student=p.student, project=project, what_happened="We met.",
                                                learned_about_community=text, do_differently="Listen more.",
                                                consent=consent)


def enrich(p: Any) -> dict[str, Reflection]:
    """Give project A (org_a) everything a report shows; returns its reflections by name."""
    world = build_world(p)
    project = world.project_a
    lead = p.lead
    programme_services.output_create(actor=p.student, project=project, kind="video", title="Fasting and diabetes",
                                     languages="Bengali, English", reach=120, audience="Lunch club members")
    programme_services.output_create(actor=p.student, project=project, kind="workshop", title="Tuesday session",
                                     languages="Bengali", reach=35)
    partnership = p.org_a.partnerships.first()
    partner_services.ledger_entry_add(actor=lead, partnership=partnership, direction="to_community", kind="time",
                                      description="Two sessions delivered by students", occurred_on=dt.date(2026, 2, 3),
                                      quantity=Decimal("6"), unit="hours")
    partner_services.ledger_entry_add(actor=lead, partnership=partnership, direction="to_students", kind="venue",
                                      description="The hall for both sessions", occurred_on=dt.date(2026, 2, 3),
                                      quantity=Decimal("2"), unit="sessions")
    partner_services.ledger_entry_add(actor=lead, partnership=partnership, direction="to_students", kind="time",
                                      description="An entry from an earlier year", occurred_on=dt.date(2024, 2, 3))
    programme_services.partner_feedback_submit(
        project=project, organisation=p.org_a, by=p.partner_a, about_students="Punctual and kind.",
        about_project="Members still talk about it.", about_partnership=FEEDBACK, would_host_again=True,
        answers={"shaped": 2, "benefit": 4, "communication": 3, "respect": 5, "continue": 5},
    )
    programme_services.checkin_submit(project=project, side="school", by=lead,
                                      answers={"shaped": 5, "benefit": 4, "communication": 4, "respect": 5,
                                               "continue": 5})
    return {
        "shared": world.reflection_a,  # "A lot.": made by the programmes world, consent partner
        "SHARED": _reflect(p, project, SHARED, "partner"),
        "RESEARCH": _reflect(p, project, RESEARCH, "research"),
        "PRIVATE": _reflect(p, project, PRIVATE, "private"),
        "TUTOR": _reflect(p, project, TUTOR, "tutor"),
        "LOWERED": _reflect(p, project, LOWERED, "partner"),
        "WITHDRAWN": _reflect(p, project, WITHDRAWN, "partner"),
    }


def fresh_draft(p: Any, reflections: dict[str, Reflection]) -> ReportDraft:
    """An unreleased draft for org_a in which the partner withdrew one quote and the student lowered another."""
    draft = ReportDraft.objects.filter(organisation=p.org_a, academic_year=YEAR).first() or services.draft_create(
        actor=p.lead, organisation=p.org_a, academic_year=YEAR)
    withdrawn = draft.quotes.get(reflection=reflections["WITHDRAWN"])
    services.draft_review_submit(draft=draft, decisions={withdrawn.pk: QuoteDecision.WITHDRAWN}, name="Partner A",
                                 response="We would like to do this again.")
    programme_services.reflection_set_consent(reflection=reflections["LOWERED"], by=p.student, level="tutor")
    return draft


def build_reports_world(p: Any) -> ReportsWorld:
    if hasattr(p, "_reports_world"):
        return p._reports_world  # type: ignore[no-any-return]
    world = build_world(p)
    reflections = enrich(p)
    draft_a = fresh_draft(p, reflections)
    services.draft_release(actor=p.lead, draft=draft_a)
    draft_b = services.draft_create(actor=p.lead, organisation=p.org_b, academic_year=YEAR)
    services.draft_release(actor=p.lead, draft=draft_b)
    run = services.run_start(actor=p.lead, academic_year=YEAR, background=False)
    result = ReportsWorld(cohort=world.cohort, project_a=world.project_a, project_b=world.project_b, draft_a=draft_a,
                          draft_b=draft_b, run=run, reflections=reflections)
    p._reports_world = result
    return result
