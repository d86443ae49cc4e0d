"""REFI-QDA into and out of a study, element by element: what is kept, what is reported as not kept, and
every hostile file of the core's suite refused through the study import with nothing written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from commed.qualitative import exchange, services
from commed.qualitative.models import (
    Code,
    Coder,
    Coding,
    Document,
    Memo,
    Participant,
    ParticipantValue,
    Study,
    Turn,
    Variable,
)
from commed.qualitative.services import ImportFailed
from commed.qualitative.tests.factories import researcher
from commed_core import refiqda as rq
from commed_core.refiqda.tests.test_hostile import CODEBOOK_CASES, PROJECT_CASES

pytestmark = pytest.mark.django_db

G = "{:08x}-0000-4000-8000-{:012x}".format
TEXT = "Interviewer: How was it?\nAna: We were equals from the start.\nInterviewer: And later?\nAna: Money."
WHEN = dt.datetime(2025, 3, 1, 10, 0, tzinfo=dt.UTC)


def _project() -> rq.Project:
    """A project with every element the issue lists, plus the ones commed cannot keep."""
    theme = rq.Code(guid=G(1, 1), name="Reciprocity", color="#1F77B4",
                    description="Giving and taking.\n\nInclude: both ways\n\nExclude: one way\n\nExamples: we swapped")
    concept = rq.Code(guid=G(1, 2), name="Equal partners", color="#AABBCC", description="Treated as equals.")
    category = rq.Code(guid=G(1, 3), name="Category", is_codable=False, children=[concept])
    theme.children.append(category)
    role = rq.Variable(guid=G(2, 1), name="Role", type="Text")
    age = rq.Variable(guid=G(2, 2), name="Age", type="Integer")
    selection = rq.Selection(
        guid=G(3, 1), start=25, end=61, creating_user=G(4, 1), creation_datetime=WHEN,
        codings=[rq.Coding(guid=G(3, 2), code_guid=concept.guid, creating_user=G(4, 1), creation_datetime=WHEN,
                           note_refs=[G(5, 3)]),
                 rq.Coding(guid=G(3, 3), code_guid=concept.guid, creating_user=G(4, 2))],
        note_refs=[G(5, 2)], description="a selection description",
    )
    comment = rq.Selection(guid=G(3, 4), start=0, end=12, note_refs=[G(5, 4)])  # MAXQDA: a comment, no coding
    source = rq.TextSource(guid=G(6, 1), name="Ana interview", text=TEXT, selections=[selection, comment],
                           note_refs=[G(5, 1)])
    survey = rq.TextSource(guid=G(6, 2), name="Survey answer 7", text="It was fine.",
                           variable_values=[rq.VariableValue(age.guid, "Integer", "34")])
    annotated = rq.Selection(guid=G(3, 5), start=0, end=6,
                             codings=[rq.Coding(guid=G(3, 6), code_guid=theme.guid, creating_user=G(4, 2))])
    survey.selections.append(annotated)
    return rq.Project(
        name="Partners", origin="test",
        users=[rq.User(guid=G(4, 1), name="Ann Coder"), rq.User(guid=G(4, 2), name="Bob Coder")],
        codes=[theme], variables=[role, age],
        cases=[rq.Case(guid=G(7, 1), name="2P14", variable_values=[rq.VariableValue(role.guid, "Text", "partner")],
                       source_refs=[source.guid], code_refs=[theme.guid], description="a case description")],
        sources=[source, survey],
        notes=[rq.Note(guid=G(5, n), name=f"note {n}", text=f"text of note {n}") for n in range(1, 7)],
        links=[rq.Link(guid=G(8, 1), name="annotation", origin_guid=G(5, 5), target_guid=annotated.guid),
               rq.Link(guid=G(8, 2), name="code to code", origin_guid=theme.guid, target_guid=concept.guid)],
        sets=[rq.Set(guid=G(9, 1), name="core codes", member_codes=[theme.guid])],
        note_refs=[G(5, 6)],
    )


@pytest.fixture
def imported() -> tuple[Study, exchange.ExchangeReport]:
    owner = researcher("exchange_owner")
    study = services.study_create(owner=owner, title="Exchange", slug="exchange")
    report = exchange.project_import(study=study, by=owner, data=rq.write_project(_project()), filename="p.qdpx")
    return study, report


def test_every_listed_element_is_kept_with_its_guid(imported) -> None:
    study, report = imported
    codes = {c.guid: c for c in Code.objects.filter(study=study)}
    theme, category, concept = codes[G(1, 1)], codes[G(1, 3)], codes[G(1, 2)]
    assert (theme.parent, category.parent, concept.parent) == (None, theme, category)
    assert (theme.colour, concept.colour, category.is_codable) == ("#1F77B4", "#AABBCC", False)
    assert (theme.definition, theme.inclusion, theme.exclusion, theme.examples) == (
        "Giving and taking.", "both ways", "one way", "we swapped")
    assert {c.guid: c.name for c in Coder.objects.filter(study=study, user__isnull=True)} == {
        G(4, 1): "Ann Coder", G(4, 2): "Bob Coder"}
    participant = Participant.objects.get(study=study, guid=G(7, 1))
    assert participant.code == "2P14"
    assert participant.values.get(variable__name="Role").value == "partner"
    assert set(Variable.objects.filter(study=study).values_list("guid", "name")) == {(G(2, 1), "Role"),
                                                                                    (G(2, 2), "Age")}
    document = Document.objects.get(study=study, guid=G(6, 1))
    assert (document.name, document.text, document.participant) == ("Ana interview", TEXT, participant)
    codings = {c.guid: c for c in Coding.objects.filter(study=study)}
    first = codings[G(3, 2)]
    assert (first.selection_guid, first.start, first.end, first.quote) == (
        G(3, 1), 25, 61, TEXT[25:61])
    assert (first.coder.guid, first.created_at) == (G(4, 1), WHEN)
    assert codings[G(3, 3)].coder.guid == G(4, 2)
    assert report.codings == 3 and report.documents == 2


def test_notes_become_memos_on_what_they_are_about(imported) -> None:
    study, _ = imported
    memos = {m.guid: m for m in Memo.objects.filter(study=study).select_related("document", "coding")}

    def on(guid: str) -> tuple[str | None, str | None, str | None]:
        memo = memos[guid]
        return (memo.document.guid if memo.document else None, memo.coding.guid if memo.coding else None,
                memo.coding.selection_guid if memo.coding else None)

    assert on(G(5, 1)) == (G(6, 1), None, None)
    assert on(G(5, 2))[2] == G(3, 1)  # NoteRef of a selection
    assert on(G(5, 3))[1] == G(3, 2)  # NoteRef of a coding
    assert on(G(5, 4)) == (G(6, 1), None, None)  # a comment selection without coding: on its document
    assert on(G(5, 5))[1] == G(3, 6)  # NVivo: a Link from the note to the selection
    study_memo = memos[G(5, 6)]
    assert (study_memo.document, study_memo.code, study_memo.coding) == (None, None, None)


def test_what_cannot_be_kept_is_reported_element_by_element(imported) -> None:
    study, report = imported
    text = "\n".join(report.messages)
    assert f"not kept: Set {G(9, 1)} ('core codes'" in text
    assert f"not kept: Link {G(8, 2)}" in text and f"Link {G(8, 1)}" not in text
    assert f"not kept: PlainTextSelection {G(3, 4)} (0-12)" in text and "its notes are kept on the document" in text
    assert f"Case {G(7, 1)} ('2P14') refers to 1 codes and 0 selections" in text
    assert f"not kept: the description of Case {G(7, 1)}" in text
    assert "not kept: the descriptions of 1 sources and selections" in text
    # A source's variables (MAXQDA) are kept on a participant made for it, and that is reported.
    survey = Document.objects.get(study=study, guid=G(6, 2))
    assert survey.participant is not None
    assert ParticipantValue.objects.get(participant=survey.participant, variable__name="Age").value == "34"
    assert f"TextSource {G(6, 2)} ('Survey answer 7') has variables but no case" in text


def test_a_round_trip_keeps_guids_positions_hierarchy_and_code_fields(imported) -> None:
    study, _ = imported
    original = _project()
    again = rq.read_project(exchange.project_export(study=study, by=None))
    assert rq.validate_qdpx(rq.write_project(again)) == []

    def tree(codes: list[rq.Code]) -> list[object]:
        return [(c.guid, c.name, c.is_codable, c.color, c.description, tree(c.children)) for c in codes]

    assert tree(again.codes) == tree(original.codes)
    assert {u.guid for u in original.users} <= {u.guid for u in again.users}
    coded = sorted((s.guid, sel.guid, sel.start, sel.end, sorted((c.guid, c.code_guid, c.creating_user)
                                                                 for c in sel.codings))
                   for s in again.sources for sel in s.selections)
    assert coded == sorted((s.guid, sel.guid, sel.start, sel.end, sorted((c.guid, c.code_guid, c.creating_user)
                                                                         for c in sel.codings))
                           for s in original.sources for sel in s.selections if sel.codings)
    assert {(c.guid, c.name) for c in again.cases} >= {(G(7, 1), "2P14")}
    assert {n.guid for n in again.notes} == {n.guid for n in original.notes}
    # A second import of the export into a fresh study gives the same codes with the same fields.
    other = services.study_create(owner=researcher("exchange_owner"), title="Again", slug="again")
    exchange.project_import(study=other, by=None, data=rq.write_project(again), filename="again.qdpx")
    fields = ("guid", "name", "definition", "inclusion", "exclusion", "examples", "colour", "is_codable")
    assert sorted(Code.objects.filter(study=other).values_list(*fields)) == sorted(
        Code.objects.filter(study=study).values_list(*fields))


def test_the_atlas_codebook_set_is_reported_as_not_kept(external) -> None:
    study = services.study_create(owner=researcher("exchange_owner"), title="Codebook", slug="codebook")
    data = (external / "refi-qda" / "atlasti-23.4-codebook.qdc").read_bytes()
    report = exchange.codebook_import(study=study, by=None, data=data, filename="atlas.qdc")
    assert any("not kept: Set" in line and "'code group 1'" in line for line in report.messages)
    code = Code.objects.get(study=study)
    assert (code.guid, code.name, code.colour, code.definition) == (
        "1ff58b12-6f6f-4b0c-8be5-bbdc91f55294", "code1", "#46AA00", "description")


# --- every hostile or broken file of the core suite, through the study import ----------------------------------


def _counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Code, Coder, Document, Turn, Coding, Memo, Participant,
                                                     Variable, ParticipantValue))


DEFAULT_LIMIT_CASES = [(name, build, expected) for name, build, expected, limits in PROJECT_CASES if limits is None]


@pytest.mark.parametrize(("build", "expected"), [pytest.param(b, e, id=n) for n, b, e in DEFAULT_LIMIT_CASES])
def test_a_hostile_project_is_refused_by_the_study_import_naming_the_file_and_writes_nothing(
        build: Callable[[], bytes], expected: str) -> None:
    study = services.study_create(owner=researcher("hostile_owner"), title="Hostile", slug="hostile")
    before = _counts()
    with pytest.raises(ImportFailed) as caught:
        exchange.project_import(study=study, by=None, data=build(), filename="hostile.qdpx")
    assert str(caught.value).startswith("hostile.qdpx: ") and expected in str(caught.value)
    assert _counts() == before


@pytest.mark.parametrize(("data", "expected"), [pytest.param(d, e, id=n) for n, d, e in CODEBOOK_CASES])
def test_a_hostile_codebook_is_refused_by_the_study_import_and_writes_nothing(data: bytes, expected: str) -> None:
    study = services.study_create(owner=researcher("hostile_owner"), title="Hostile", slug="hostile")
    before = _counts()
    with pytest.raises(ImportFailed, match=r"^hostile\.qdc: ") as caught:
        exchange.codebook_import(study=study, by=None, data=data, filename="hostile.qdc")
    assert expected in str(caught.value)
    assert _counts() == before


def test_the_suites_hold_at_least_forty_hostile_files_that_reach_the_study_import() -> None:
    assert len(DEFAULT_LIMIT_CASES) + len(CODEBOOK_CASES) >= 40


def test_a_project_failing_late_leaves_nothing_behind() -> None:
    """A project whose codes, users and cases are written before a source's GUID clashes is refused whole."""
    owner = researcher("hostile_owner")
    study = services.study_create(owner=owner, title="Late", slug="late")
    project = _project()
    document = services.documents_import(study=study, by=owner, files=[("x.txt", b"A: hello\n")]).documents[0]
    Document.objects.filter(pk=document.pk).update(guid=G(6, 2))  # the second source's GUID
    before = _counts()
    with pytest.raises(ImportFailed, match=r"late\.qdpx: the study already has a document with GUID"):
        exchange.project_import(study=study, by=owner, data=rq.write_project(project), filename="late.qdpx")
    assert _counts() == before


# --- every real file in ../shared/external/refi-qda: study import, export, XSD, compared with the original ----


def _real_files() -> list[str]:
    from commed.qualitative.tests.external_paths import REFI_QDA

    return sorted(p.name for p in REFI_QDA.iterdir() if p.suffix.lower() in (".qdpx", ".qdc"))


def _code_rows(codes: list[rq.Code], parent: str | None = None) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for code in codes:
        rows.append((code.guid, code.name, code.is_codable, (code.color or "").upper() or None,
                     code.description, parent))
        rows += _code_rows(code.children, code.guid)
    return rows


@pytest.mark.parametrize("name", _real_files())
def test_each_real_file_goes_through_a_study_and_out_again_valid_and_the_same(name: str) -> None:
    from commed.qualitative.tests.external_paths import REFI_QDA

    data = (REFI_QDA / name).read_bytes()
    study = services.study_create(owner=researcher("real_owner"), title="Real", slug="real")
    if name.endswith(".qdc"):
        original: rq.Project | rq.Codebook = rq.read_codebook(data)
        exchange.codebook_import(study=study, by=None, data=data, filename=name)
        exported = exchange.codebook_export(study=study, by=None)
        assert rq.validate_codebook_xml(exported) == []
        again: rq.Project | rq.Codebook = rq.read_codebook(exported)
    else:
        original = rq.read_project(data)
        exchange.project_import(study=study, by=None, data=data, filename=name)
        exported = exchange.project_export(study=study, by=None)
        assert rq.validate_qdpx(exported) == []
        again = rq.read_project(exported)
    assert _code_rows(again.codes) == _code_rows(original.codes)
    if isinstance(original, rq.Project) and isinstance(again, rq.Project):
        # A source without a name (qc writes none) is named after its path.
        assert sorted((s.guid, s.name, s.text) for s in again.sources) == sorted(
            (s.guid, s.name or s.plain_text_path, s.text) for s in original.sources)

        def coded(project: rq.Project) -> list[tuple[object, ...]]:
            return sorted((s.guid, sel.guid, sel.start, sel.end, c.guid, c.code_guid, c.creating_user)
                          for s in project.sources for sel in s.selections for c in sel.codings)

        assert coded(again) == coded(original)
        assert {u.guid for u in original.users} <= {u.guid for u in again.users}
        assert {c.guid for c in original.cases} <= {c.guid for c in again.cases}
        assert {n.guid for n in original.notes} <= {n.guid for n in again.notes}


def test_the_real_files_are_all_there() -> None:
    assert len(_real_files()) >= 3
