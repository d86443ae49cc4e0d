"""Small studies for the tests and the access specs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from commed.accounts.models import Role, User
from commed.qualitative import services
from commed.qualitative.models import Code, Coding, Document, Participant, Study, Turn

TRANSCRIPT = (
    "Facilitator: What did the project give your organisation?\n"
    "2P14: We were equals from the start. Maria said the students listened.\n"
    "1P05: It took a year before we trusted the school. John Smith helped.\n"
    "C01: The money came late, but the students came every week.\n"
)


def researcher(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create(username=username, email=f"{username}@test.commed.invalid", role=Role.RESEARCHER,
                                   first_name=username.title(), last_name="Researcher")
    return user


@dataclass
class SmallStudy:
    study: Study
    document: Document
    turn: Turn
    code: Code
    theme: Code
    coding: Coding
    participant: Participant


def small_study(owner: User, slug: str, *, real_names: bool = True) -> SmallStudy:
    study = services.study_create(owner=owner, title=f"Study {slug}", slug=slug)
    p14 = services.participant_create(study=study, by=owner, code="2P14",
                                      attributes={"Role": "partner", "Focus group": "FG1"},
                                      real_name="Maria Lopez" if real_names else "")
    services.participant_create(study=study, by=owner, code="1P05", attributes={"Role": "partner",
                                                                                "Focus group": "FG2"})
    services.participant_create(study=study, by=owner, code="C01", attributes={"Role": "coordinator",
                                                                               "Focus group": "FG1"})
    result = services.documents_import(study=study, by=owner, files=[("fg1.txt", TRANSCRIPT.encode())],
                                       extra_names=["John Smith"])
    document = result.documents[0]
    theme = services.code_create(study=study, by=owner, name="Reciprocity", colour="#1F77B4")
    concept = services.code_create(study=study, by=owner, name="Equal partners", parent=theme,
                                   definition="Partners describe being treated as equals.")
    turn = document.turns.get(speaker="2P14")
    coding = services.coding_create_for_turn(turn=turn, code=concept, by=owner)
    return SmallStudy(study, document, turn, concept, theme, coding, p14)


@dataclass
class AccessFixture:
    study: Study
    other_study: Study
    document: Document
    other_document: Document
    turn: Turn
    other_turn: Turn
    code: Code
    other_code: Code
    coding: Coding
    other_coding: Coding
    participant: Participant
    other_participant: Participant


def build_access_fixture(personas: Any) -> AccessFixture:
    mine = small_study(personas.researcher, "persona-study")
    theirs = small_study(researcher("other_researcher"), "foreign-study")
    return AccessFixture(
        mine.study, theirs.study, mine.document, theirs.document, mine.turn, theirs.turn, mine.code, theirs.code,
        mine.coding, theirs.coding, mine.participant, theirs.participant,
    )
