"""A survey world on top of the personas, built once per test and cached on the personas object.

`survey`: open, two sections, one item of each kind and a condition ("reason" shows only when "host_again" is
No); every persona has an invitation to it, and `respondent` (no persona) has answered, so its items are locked.
`draft`: a draft survey with one section and no responses (editable).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from commed.accounts.models import Role
from commed.surveys import services
from commed.surveys.models import Invitation, Item, Section, Survey
from conftest import PERSONA_NAMES, make_user

ANSWERS = {"useful": ["4"], "host_again": ["No"], "reason": ["Too little notice"], "benefits": ["Materials"],
           "hours": ["12"], "comments": ["=HYPERLINK(\"http://evil.example\")"]}


@dataclass
class World:
    survey: Survey
    draft: Survey
    section: Section
    draft_section: Section
    items: dict[str, Item]
    invitations: dict[str, Invitation]
    answered: Invitation


def build_survey(actor: Any, title: str = "Project feedback") -> tuple[Survey, Section, dict[str, Item]]:
    survey = services.survey_create(actor=actor, title=title, description="About the project.")
    first = services.section_add(actor=actor, survey=survey, title="The project")
    second = services.section_add(actor=actor, survey=survey, title="Anything else")
    items = {}
    items["useful"] = services.item_add(actor=actor, section=first, key="useful", kind="likert", required=True,
                                        text="The project was useful to us.")
    items["host_again"] = services.item_add(actor=actor, section=first, key="host_again", kind="single",
                                            required=True, text="Would you host again?", choices=["Yes", "No"])
    items["reason"] = services.item_add(actor=actor, section=first, key="reason", kind="text", required=True,
                                        text="Why not?", condition_item=items["host_again"], condition_values=["No"])
    items["benefits"] = services.item_add(actor=actor, section=first, key="benefits", kind="multiple",
                                          text="What did you gain?", choices=["Materials", "Contacts", "Nothing"])
    items["hours"] = services.item_add(actor=actor, section=second, key="hours", kind="number", text="Hours given",
                                       min_value=0, max_value=100)
    items["comments"] = services.item_add(actor=actor, section=second, key="comments", kind="text",
                                          text="Anything else?")
    return survey, first, items


def build_world(p: Any) -> World:
    if hasattr(p, "_surveys_world"):
        return p._surveys_world  # type: ignore[no-any-return]
    survey, section, items = build_survey(p.lead)
    services.survey_open(actor=p.lead, survey=survey)
    invitations = {}
    for name in PERSONA_NAMES:
        invitations[name] = services.invitations_create(actor=p.lead, survey=survey, users=[getattr(p, name)])[0]
    respondent = make_user("respondent", Role.TUTOR)
    answered = services.invitations_create(actor=p.lead, survey=survey, users=[respondent])[0]
    services.response_submit(invitation=answered, posted=ANSWERS, by=respondent)
    draft = services.survey_create(actor=p.lead, title="Draft")
    draft_section = services.section_add(actor=p.lead, survey=draft, title="Questions")
    world = World(survey=survey, draft=draft, section=section, draft_section=draft_section, items=items,
                  invitations=invitations, answered=answered)
    p._surveys_world = world
    return world
