"""Export then import: a full project, the writer's refusals, lenient reading, and a Hypothesis property."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commed_core.refiqda import (
    Case,
    Code,
    Codebook,
    Coding,
    ImportReport,
    Link,
    Note,
    Project,
    RefiQdaError,
    Selection,
    Set,
    TextSource,
    User,
    Variable,
    VariableValue,
    project_xml,
    read_codebook,
    read_project,
    validate_codebook_xml,
    validate_project_xml,
    write_codebook,
    write_project,
)

from ._build import CODE, NS, SCHEMAS, SOURCE, TEXT, USER, qdpx, selection
from ._build import project_xml as qde
from ._build import simple_qdpx as simple


def g(n: int) -> str:
    return str(uuid.UUID(int=n, version=4))


UTC = dt.UTC


def full_project() -> Project:
    text = "Ana: the bus 🚌 to the clinic — never on time.\nBo: we walk, 10 km."
    codes = [
        Code(g(1), "access", True, "#AA0000", "getting there", [Code(g(2), "transport 🚌", True, "#00AA00")]),
        Code(g(3), "category", False, None, None, [], [g(40)]),
    ]
    sel = Selection(
        g(10),
        5,
        17,
        "bus",
        USER,
        dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        None,
        None,
        [Coding(g(11), g(2), USER, dt.datetime(2025, 1, 2, tzinfo=UTC), [g(40)])],
        [g(40)],
        "a memo",
    )
    source = TextSource(
        g(20),
        "interview 1",
        text,
        None,
        USER,
        dt.datetime(2024, 12, 1, tzinfo=UTC),
        selections=[sel],
        codings=[Coding(g(21), g(1), USER)],
        note_refs=[g(40)],
        variable_values=[VariableValue(g(30), "Integer", "42")],
    )
    return Project(
        name="Études communautaires",
        origin="commed",
        creating_user=USER,
        creation_datetime=dt.datetime(2024, 11, 30, 8, 0, tzinfo=UTC),
        users=[User(USER, "Ana Researcher", "ana")],
        codes=codes,
        variables=[Variable(g(30), "age", "Integer", "in years"), Variable(g(31), "consented", "Boolean")],
        cases=[
            Case(
                g(50),
                "Ana",
                "participant",
                [g(1)],
                [VariableValue(g(31), "Boolean", "true")],
                [g(20)],
                [g(10)],
            )
        ],
        sources=[source],
        notes=[Note(g(40), "memo", "A note\nwith two lines ✍", USER)],
        sets=[Set(g(60), "codes of interest", "set", [g(1), g(2)], [g(20)], [g(40)])],
        links=[Link(g(70), "illustrates", "OneWay", "#123456", g(10), g(40))],
        description="A project description",
        note_refs=[g(40)],
    )


def comparable(project: Project) -> Project:
    """Drop what an export legitimately changes: the report, the imported path, the origin."""
    sources = [dataclasses.replace(s, plain_text_path=None) for s in project.sources]
    return dataclasses.replace(project, report=ImportReport(), sources=sources, origin=None)


def test_a_full_project_exports_valid_xml_and_reads_back_unchanged() -> None:
    project = full_project()
    assert validate_project_xml(project_xml(project), directory=SCHEMAS) == []
    again = read_project(write_project(project))
    assert again.report.deviations == [] and again.report.dropped == []
    assert comparable(again) == comparable(project)
    selected = again.sources[0].selections[0]
    assert again.sources[0].text[selected.start : selected.end] == "the bus 🚌 to"


def test_the_export_is_deterministic_and_lays_out_lower_case_entries() -> None:
    import io
    import zipfile

    data = write_project(full_project())
    assert data == write_project(full_project())
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert names == ["project.qde", f"sources/{g(20)}.txt"]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda p: setattr(p.sources[0].selections[0], "end", 10_000), "outside the text"),
        (lambda p: setattr(p.sources[0].selections[0], "start", -1), "outside the text"),
        (lambda p: setattr(p.sources[0].selections[0].codings[0], "code_guid", g(99)), "does not exist"),
        (lambda p: setattr(p.codes[1], "guid", g(1)), f"duplicate GUID {g(1)}"),
        (
            lambda p: setattr(p.codes[1], "guid", "ABCDEFAB-0000-4000-8000-000000000003"),
            "not a canonical GUID",
        ),
        (lambda p: setattr(p.sources[0], "text", "a\r\nb" + p.sources[0].text), "\\r"),
        (lambda p: setattr(p.codes[0], "name", "bell\x07"), "U+0007"),
        (lambda p: setattr(p.codes[0], "color", "red"), "not #RRGGBB"),
    ],
)
def test_the_writer_refuses_an_inconsistent_model(mutate: object, message: str) -> None:
    project = full_project()
    mutate(project)  # type: ignore[operator]
    with pytest.raises(RefiQdaError) as caught:
        write_project(project)
    assert message in str(caught.value)


def test_a_codebook_without_codes_is_refused() -> None:
    with pytest.raises(RefiQdaError, match="at least one code"):
        write_codebook(Codebook())


# -- lenient reading --------------------------------------------------------------------------------


def test_common_deviations_are_imported_and_each_is_reported() -> None:
    codes = (
        f'<Code guid="{{{CODE.upper()}}}" name="a" color="AA0000"><Frobnicate/></Code>'
        '<Code guid="77777777-7777-4777-8777-777777777777" name="b" isCodable="true" color="red"/>'
    )
    data = simple(
        codes=codes, extra="<Sets/><Graphs><Graph guid='88888888-8888-4888-8888-888888888888'/></Graphs>"
    )
    project = read_project(data)
    report = "\n".join(project.report.deviations)
    assert (
        project.codes[0].guid == CODE and project.codes[0].color == "#AA0000" and project.codes[0].is_codable
    )
    assert project.codes[1].color is None
    assert "has no '#'" in report
    assert "invalid colour 'red'" in report
    assert "required attribute isCodable is missing" in report
    assert "unknown element <Frobnicate>" in report
    assert "empty <Sets/>" in report
    assert project.report.guid_map == {f"{{{CODE.upper()}}}": CODE}
    assert any("Graphs" in line for line in project.report.dropped)


def test_other_namespace_versions_are_read_by_local_name() -> None:
    project = read_project(simple(head='<Project xmlns="urn:QDA-XML:project:0:4" name="p">'))
    assert project.codes[0].guid == CODE
    assert any("urn:QDA-XML:project:0:4" in line for line in project.report.deviations)


def test_a_bom_is_stripped_before_counting_positions() -> None:
    project = read_project(simple(text=b"\xef\xbb\xbf" + TEXT.encode()))
    assert project.sources[0].text == TEXT
    sel = project.sources[0].selections[0]
    assert project.sources[0].text[sel.start : sel.end] == "Speaker 1"


def test_crlf_counted_as_one_character_like_atlas_ti_maps_straight_into_the_normalised_text() -> None:
    raw = "line one\r\nline two\r\nline three"
    # "line three" starts at 18 when each \r\n counts as one.
    data = simple(sources=_src(selection(18, 28)), text=raw.encode())
    project = read_project(data)
    source = project.sources[0]
    assert "\r" not in source.text
    assert source.text[source.selections[0].start : source.selections[0].end] == "line three"


def test_crlf_counted_as_two_characters_is_detected_and_mapped() -> None:
    raw = "line one\r\nline two\r\nline three"
    data = simple(sources=_src(selection(20, 30)), text=raw.encode())
    project = read_project(data)
    source = project.sources[0]
    assert source.text[source.selections[0].start : source.selections[0].end] == "line three"
    assert any("two characters" in line for line in project.report.deviations)


def test_inline_plain_text_content_is_read_when_there_is_no_file() -> None:
    sources = (
        f'<TextSource guid="{SOURCE}" name="t"><PlainTextContent>{TEXT}</PlainTextContent>'
        f"{selection()}</TextSource>"
    )
    project = read_project(qdpx({"project.qde": qde(sources=sources)}))
    assert project.sources[0].text == TEXT


def test_media_sources_are_kept_as_not_imported_and_listed_as_dropped() -> None:
    pdf = (
        '<PDFSource guid="99999999-9999-4999-8999-999999999999" name="leaflet" path="relative:///leaflet.pdf">'
        '<PDFSelection guid="aaaaaaaa-9999-4999-8999-999999999999" page="1" firstX="0" firstY="0" '
        'secondX="5" secondY="5"><Coding guid="bbbbbbbb-9999-4999-8999-999999999999">'
        f'<CodeRef targetGUID="{CODE}"/></Coding>'
        "</PDFSelection></PDFSource>"
    )
    project = read_project(simple(sources=_src(selection()) + pdf))
    assert [(o.kind, o.path, o.imported) for o in project.other_sources] == [
        ("PDFSource", "relative:///leaflet.pdf", False)
    ]
    assert any("PDFSource" in line and "1 PDFSelection" in line for line in project.report.dropped)
    assert any("leaflet.pdf" in line for line in project.report.missing_media)


def test_dangling_optional_references_are_dropped_with_a_deviation() -> None:
    ghost = "cccccccc-cccc-4ccc-8ccc-cccccccccccc"
    extra = (
        '<Sets><Set guid="dddddddd-dddd-4ddd-8ddd-dddddddddddd" name="s">'
        f'<MemberCode targetGUID="{ghost}"/></Set></Sets>'
    )
    project = read_project(simple(extra=extra))
    assert project.sets[0].member_codes == []
    assert any(ghost in line for line in project.report.deviations)


def _src(body: str) -> str:
    return f'<TextSource guid="{SOURCE}" name="t" plainTextPath="internal://{SOURCE}.txt">{body}</TextSource>'


# -- property -------------------------------------------------------------------------------------

_XML_CHARS = st.characters(
    blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"
) | st.sampled_from("\n\t 🚌😀𝄞é")
_names = st.text(_XML_CHARS, max_size=12)
_text = st.text(_XML_CHARS, min_size=0, max_size=60)
_when = st.none() | st.datetimes(
    min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2090, 1, 1), timezones=st.just(UTC)
)
_colors = st.none() | st.from_regex(r"\A#[0-9A-F]{6}\Z")


@st.composite
def projects(draw: st.DrawFn) -> Project:
    counter = iter(range(1, 10_000))

    def nxt() -> str:
        return g(next(counter))

    user = User(nxt(), draw(_names), draw(st.none() | _names))

    def code_tree(depth: int) -> list[Code]:
        count = draw(st.integers(0, 3 if depth < 2 else 0))
        return [
            Code(
                nxt(),
                draw(_names),
                draw(st.booleans()),
                draw(_colors),
                draw(st.none() | _text),
                code_tree(depth + 1),
            )
            for _ in range(count)
        ]

    codes = [Code(nxt(), draw(_names), True, draw(_colors)), *code_tree(0)]
    code_guids = [c.guid for c in Project("x", codes=codes).iter_codes()]
    sources = []
    for _ in range(draw(st.integers(0, 3))):
        text = draw(_text)
        selections = []
        for _ in range(draw(st.integers(0, 4))):
            start = draw(st.integers(0, len(text)))
            end = draw(st.integers(start, len(text)))
            codings = [
                Coding(nxt(), draw(st.sampled_from(code_guids)), user.guid, draw(_when))
                for _ in range(draw(st.integers(0, 2)))
            ]
            selections.append(
                Selection(
                    nxt(),
                    start,
                    end,
                    draw(st.none() | _names),
                    user.guid,
                    draw(_when),
                    codings=codings,
                    description=draw(st.none() | _text),
                )
            )
        sources.append(
            TextSource(
                nxt(), draw(st.none() | _names), text, None, user.guid, draw(_when), selections=selections
            )
        )
    return Project(
        name=draw(_names), users=[user], codes=codes, sources=sources, description=draw(st.none() | _text)
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects())
def test_random_valid_projects_survive_write_then_read_unchanged(project: Project) -> None:
    again = read_project(write_project(project))
    assert comparable(again) == comparable(project)
    for before, after in zip(project.sources, again.sources, strict=True):
        assert [after.text[s.start : s.end] for s in after.selections] == [
            before.text[s.start : s.end] for s in before.selections
        ]


@settings(max_examples=10, deadline=None)
@given(projects())
def test_random_projects_export_xsd_valid_xml(project: Project) -> None:
    assert validate_project_xml(project_xml(project), directory=SCHEMAS) == []


@settings(max_examples=20, deadline=None)
@given(projects())
def test_random_codebooks_round_trip_and_validate(project: Project) -> None:
    codebook = Codebook(
        "x", project.codes, [Set(g(9999), "all", None, [c.guid for c in project.iter_codes()])]
    )
    data = write_codebook(codebook)
    assert validate_codebook_xml(data, directory=SCHEMAS) == []
    again = read_codebook(data)
    assert (again.codes, again.sets) == (codebook.codes, codebook.sets)


def test_ns_constant_is_the_project_namespace() -> None:
    assert NS == "urn:QDA-XML:project:1.0"
