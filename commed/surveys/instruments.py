"""The ready-made instruments, as data: sections of (key, kind, text, required, extras).

The partnership-quality items are the programmes app's check-in questions (`CHECKIN_QUESTIONS`), with the same
keys, so a partnership-quality survey and a project check-in measure the same things and can be read together
(`selectors.partnership_quality_gap`). The partner end-of-project instrument asks the programmes' partner-feedback
questions under their field names; its responses are also recorded as the project's `PartnerFeedback`
(see `services.response_submit`).
"""

from __future__ import annotations

from typing import Any

from commed.programmes.services import CHECKIN_QUESTIONS
from commed.surveys import logic
from commed.surveys.models import Instrument

ItemDef = tuple[str, str, str, bool, dict[str, Any]]
SectionDef = tuple[str, str, list[ItemDef]]

YES_NO = ["Yes", "No"]
CHECKIN_ITEMS: list[ItemDef] = [(key, logic.LIKERT, text, True, {}) for key, text in CHECKIN_QUESTIONS]
FEEDBACK_TEXT_KEYS = ("about_students", "about_project", "about_partnership")

PARTNER_END: list[SectionDef] = [
    ("The project", "What the students did with you, and what came of it.", [
        ("about_project", logic.TEXT, "What did the project achieve for the people you work with?", True, {}),
        ("about_students", logic.TEXT, "How did the students work with you and your community?", False, {}),
        ("benefits", logic.MULTIPLE, "What did your organisation gain?", False, {"choices": [
            "Materials we can keep using", "New contacts or members", "Evidence for funders", "Staff time saved",
            "Nothing so far"]}),
        ("people_reached", logic.NUMBER, "About how many people did the project reach?", False,
         {"min_value": 0, "max_value": 100000}),
        ("would_host_again", logic.SINGLE, "Would you host a student project again?", True, {"choices": YES_NO}),
        ("why_not", logic.TEXT, "What would need to change for you to host again?", False,
         {"condition": ("would_host_again", ["No"])}),
    ]),
    ("The partnership", "The same questions the medical school answers, so the two views can be compared.", [
        *CHECKIN_ITEMS,
        ("about_partnership", logic.TEXT, "Anything else about working with the medical school?", False, {}),
    ]),
]

STUDENT_END: list[SectionDef] = [
    ("Your learning", "", [
        ("learned_needs", logic.LIKERT, "I learned about the health needs of the community we worked with.", True, {}),
        ("partner_shaped", logic.LIKERT, "The partner's knowledge shaped what we did.", True, {}),
        ("skills", logic.MULTIPLE, "Which skills did you develop?", False, {"choices": [
            "Communicating with the public", "Working in a team", "Planning a project", "Working across languages",
            "Evaluating what we did"]}),
        ("contact", logic.SINGLE, "How often were you in touch with the partner?", True, {"choices": [
            "Weekly", "Every few weeks", "Once or twice", "Never"]}),
        ("hours", logic.NUMBER, "About how many hours did you spend with the community?", False,
         {"min_value": 0, "max_value": 500}),
    ]),
    ("Looking back", "", [
        ("difficulties", logic.SINGLE, "Did anything get in the way of the project?", True, {"choices": YES_NO}),
        ("difficulties_what", logic.TEXT, "What got in the way?", True, {"condition": ("difficulties", ["Yes"])}),
        ("recommend", logic.LIKERT, "I would recommend this project to next year's students.", True, {}),
        ("change", logic.TEXT, "What would you change?", False, {}),
    ]),
]

PARTNERSHIP_QUALITY: list[SectionDef] = [
    ("How the partnership works", "Partner staff and medical-school staff answer the same questions.", [
        *CHECKIN_ITEMS,
        ("decisions", logic.LIKERT, "Decisions about the projects are made together.", True, {}),
        ("better", logic.TEXT, "What one thing would make the partnership better?", False, {}),
    ]),
]

INSTRUMENTS: dict[str, tuple[str, str, list[SectionDef]]] = {
    Instrument.PARTNER_END: (
        "End-of-project feedback from the partner",
        "Your view of the project and of working with us. It takes about five minutes.",
        PARTNER_END,
    ),
    Instrument.STUDENT_END: (
        "End-of-project feedback from students",
        "Your view of the project you have just finished. It takes about five minutes.",
        STUDENT_END,
    ),
    Instrument.PARTNERSHIP_QUALITY: (
        "Partnership quality",
        "Both sides of the partnership answer the same questions, so we can see where our views differ.",
        PARTNERSHIP_QUALITY,
    ),
}
