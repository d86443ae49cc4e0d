"""Demo study: "Partners' views of community projects", three fictional focus groups coded by two researchers."""

from __future__ import annotations

from commed.core.demo import DemoContext
from commed.qualitative import services
from commed.qualitative.models import Code

PARTICIPANTS = [
    # code, role, sector, focus group, organisation, fictional real name (held apart, owner only)
    ("2P14", "Partner lead", "Charity", "FG2", "Alpha Health Forum", "Maryam Hussain"),
    ("2P09", "Volunteer coordinator", "Charity", "FG2", "Catford Carers", "Tobi Asante"),
    ("1P05", "Head teacher", "School", "FG1", "Riverside Primary", "Joanna Green"),
    ("1P11", "Practice manager", "GP practice", "FG1", "Lee Green Surgery", "Kwame Mensah"),
    ("3P02", "Youth worker", "Charity", "FG3", "Deptford Youth Hub", "Rosa Nowak"),
    ("C01", "Outreach coordinator", "Medical school", "FG1", "", "Grace Adeyemi"),
]

FOCUS_GROUPS = {
    "Focus group 1 (schools and practices).txt": """Facilitator: Thank you all for coming. How did the partnership with the medical school begin?
1P05: Joanna here. For us it began with a phone call from Grace, and honestly we were not sure what the students would bring. The first term we spent a lot of time explaining how a school works.
1P11: At the surgery it was the other way round. We knew what we wanted: help with the flu clinics and someone to talk to patients who do not speak English.
C01: I remember we had to rewrite the project plan twice before it suited both sides.
Facilitator: What did the students give back?
1P05: The children loved the science afternoons. Some of them now say they want to be doctors, which nobody in their families has done.
1P11: They took pressure off the reception team, and they listened to patients in a way we rarely have time to.
C01: And the students tell us they learnt more about health inequalities in a term than in a year of lectures.
Facilitator: What keeps the partnership going?
1P05: Having the same tutor each year. When the contact changes, we start from scratch.
1P11: Regular meetings, even short ones. And being asked what we need rather than being told.
""",
    "Focus group 2 (charities).txt": """Facilitator: How would you describe the relationship with the university?
2P14: At the start it felt like they came with a plan already written. We were consulted, not involved. Maryam is my name, by the way, I run the forum.
2P09: It got better once we sat on the steering group. Now we set some of the questions the students work on.
Facilitator: Is the relationship balanced?
2P14: We give a lot of time and the money came late in the first year. The university holds the budget, so in the end they decide.
2P09: But the students give back. They ran the health check days, in Bengali and Somali, with our volunteers.
2P14: Reciprocity is the word they use. For us it means we both get something we could not get alone.
Facilitator: What would you change?
2P09: Pay partners for their time, properly, and on time.
2P14: And share the results with the community, not only in journals.
""",
    "Focus group 3 (youth).txt": """Facilitator: What did the young people think of the project?
3P02: They were suspicious at first. Doctors are people who tell you off. Then the students turned up every week and that changed.
Facilitator: Who decided what the sessions were about?
3P02: The young people did, after the first month. That was the turning point: they had a say.
3P02: The university still decides the dates and the paperwork, though. The power is not equal, but it is shared more than before.
""",
}

CODEBOOK = [
    ("Building the partnership", "How partnerships began and were set up.", [
        ("First contact", "How the partner first met the medical school.", "A phone call, a meeting, a referral."),
        ("Negotiating aims", "Agreeing what each side wants from the project.", "Rewriting the plan together."),
    ]),
    ("Reciprocity", "What each side gives and receives.", [
        ("Benefits to the community", "What partners and their users gained.", "Children inspired; patients heard."),
        ("Benefits to students", "What students learnt from the partner.", "Learning about inequalities."),
    ]),
    ("Maintaining the partnership", "What keeps partnerships going over the years.", [
        ("Continuity of contacts", "The same people on both sides over time.", "Same tutor each year."),
        ("Communication", "Meetings, being asked, feedback.", "Regular short meetings."),
    ]),
    ("Power", "Who decides, who holds resources, and how that shifts.", [
        ("Who decides", "Control of plans, budgets and paperwork.", "The university holds the budget."),
        ("Sharing control", "Partners or young people gaining a say.", "They had a say."),
    ]),
]

COLOURS = ["#1F77B4", "#2CA02C", "#FF7F0E", "#9467BD"]

# (document, phrase that starts the coded passage, concept) by coder; the second coder overlaps but differs.
CODINGS_A = [
    (0, "For us it began with a phone call", "First contact"),
    (0, "I remember we had to rewrite the project plan", "Negotiating aims"),
    (0, "The children loved the science afternoons", "Benefits to the community"),
    (0, "They took pressure off the reception team", "Benefits to the community"),
    (0, "And the students tell us they learnt more", "Benefits to students"),
    (0, "Having the same tutor each year", "Continuity of contacts"),
    (0, "Regular meetings, even short ones", "Communication"),
    (1, "At the start it felt like they came with a plan", "Who decides"),
    (1, "It got better once we sat on the steering group", "Sharing control"),
    (1, "We give a lot of time and the money came late", "Who decides"),
    (1, "But the students give back", "Benefits to the community"),
    (1, "Reciprocity is the word they use", "Benefits to the community"),
    (2, "Then the students turned up every week", "Continuity of contacts"),
    (2, "That was the turning point: they had a say", "Sharing control"),
    (2, "The university still decides the dates", "Who decides"),
]
CODINGS_B = [
    (0, "For us it began with a phone call", "First contact"),
    (0, "The children loved the science afternoons", "Benefits to the community"),
    (0, "They took pressure off the reception team", "Benefits to students"),
    (0, "Having the same tutor each year", "Continuity of contacts"),
    (1, "At the start it felt like they came with a plan", "Who decides"),
    (1, "We give a lot of time and the money came late", "Who decides"),
    (1, "Reciprocity is the word they use", "Benefits to the community"),
    (2, "That was the turning point: they had a say", "Sharing control"),
    (2, "The university still decides the dates", "Who decides"),
]
QUOTES = [
    (1, "We were consulted, not involved", "Who decides"),
    (0, "The children loved the science afternoons", "Benefits to the community"),
    (2, "That was the turning point: they had a say", "Sharing control"),
    (0, "Having the same tutor each year", "Continuity of contacts"),
    (0, "For us it began with a phone call", "First contact"),
]


def _sentence(text: str, phrase: str) -> tuple[int, int]:
    start = text.index(phrase)
    ends = [i for i in (text.find(". ", start), text.find(".\n", start)) if i >= 0]
    return start, (min(ends) + 1 if ends else len(text))


def seed(ctx: DemoContext) -> None:
    owner = ctx.users["researcher"]
    second = ctx.users.get("researcher2")
    study = services.study_create(owner=owner, title="Partners' views of community projects", slug="partners-views",
                                  description="Focus groups with community partners, 2025/26 (fictional demo data).")
    if second is not None:
        services.study_member_set(study=study, by=owner, user=second, can_code=True, blind=True)
    for code, role, sector, group, organisation, real in PARTICIPANTS:
        services.participant_create(
            study=study, by=owner, code=code, real_name=real,
            attributes={"Role": role, "Sector": sector, "Focus group": group, "Partner organisation": organisation},
        )
    result = services.documents_import(study=study, by=owner,
                                       files=[(name, text.encode()) for name, text in FOCUS_GROUPS.items()])
    documents = sorted(result.documents, key=lambda d: d.name)
    concepts: dict[str, Code] = {}
    for (theme_name, definition, children), colour in zip(CODEBOOK, COLOURS, strict=True):
        theme = services.code_create(study=study, by=owner, name=theme_name, definition=definition, colour=colour)
        for name, concept_definition, examples in children:
            concepts[name] = services.code_create(study=study, by=owner, name=name, parent=theme,
                                                  definition=concept_definition, examples=examples)
    made = {}
    for coder, rows in ((owner, CODINGS_A), (second, CODINGS_B)):
        if coder is None:
            continue
        for index, phrase, concept in rows:
            document = documents[index]
            start, end = _sentence(document.text, phrase)
            made[(coder.pk, index, phrase)] = services.coding_create(
                document=document, code=concepts[concept], by=coder, start=start, end=end)
    for index, phrase, concept in QUOTES:
        document = documents[index]
        coding = made.get((owner.pk, index, phrase))
        if coding is None:
            start, end = _sentence(document.text, phrase)
            coding = services.coding_create(document=document, code=concepts[concept], by=owner, start=start, end=end)
        services.theme_quote_add(code=concepts[concept], coding=coding, by=owner)
    services.memo_create(study=study, by=owner, document=documents[1],
                         text="Partners in FG2 draw a clear line between being consulted and being involved.")
    services.memo_create(study=study, by=owner, code=concepts["Who decides"],
                         text="Budget control comes up in every group; compare with the ledger data.")
