"""Interop with files written by other tools (../shared/external/refi-qda): import, export, XSD, read back."""

from __future__ import annotations

from commed_core.refiqda import (
    Code,
    Project,
    read_codebook,
    read_project,
    validate_codebook_xml,
    validate_project_xml,
    write_codebook,
    write_project,
)
from commed_core.refiqda.validate import validate_qdpx

from ._build import SCHEMAS, external


def _tree(codes: list[Code]) -> list[object]:
    return [(c.guid, c.name, c.is_codable, c.color, _tree(c.children)) for c in codes]


def _selections(project: Project) -> list[tuple[str, str, int, int, str, list[tuple[str, str, str | None]]]]:
    return [
        (
            source.guid,
            sel.guid,
            sel.start,
            sel.end,
            source.text[sel.start : sel.end],
            [(c.guid, c.code_guid, c.creating_user) for c in sel.codings],
        )
        for source in project.sources
        for sel in source.selections
    ]


def test_the_qc_demo_project_imports_with_its_bare_paths_reported() -> None:
    project = read_project((external() / "refi-qda" / "qc-1.3.2-demo.qdpx").read_bytes())
    assert (project.name, project.origin) == ("qc project", "qc 1.3.2")
    assert len(project.iter_codes()) == 262
    assert [s.plain_text_path for s in project.sources] == ["board_2017.txt", "admin-1.txt"]
    assert sum(len(s.selections) for s in project.sources) == 158
    assert sum(len(sel.codings) for s in project.sources for sel in s.selections) == 205
    assert project.sources[0].text.startswith("Speaker 1:")
    first = project.sources[0].selections[0]
    assert (first.name, first.start, first.end) == ("line:6", 320, 400)
    assert (
        project.sources[0]
        .text[first.start : first.end]
        .startswith("This district goal is engage every student")
    )
    assert sum("has no internal:// prefix" in line for line in project.report.deviations) == 2
    assert project.report.dropped == []


def test_the_qc_demo_project_survives_export_and_the_export_is_xsd_valid() -> None:
    original = read_project((external() / "refi-qda" / "qc-1.3.2-demo.qdpx").read_bytes())
    exported = write_project(original)
    assert validate_qdpx(exported, directory=SCHEMAS) == []
    again = read_project(exported)
    assert again.report.deviations == [] and again.report.dropped == []
    assert _tree(again.codes) == _tree(original.codes)
    assert [(s.guid, s.name, s.text) for s in again.sources] == [
        (s.guid, s.name, s.text) for s in original.sources
    ]
    assert _selections(again) == _selections(original)
    assert [u.guid for u in again.users] == [u.guid for u in original.users]


def test_the_atlas_ti_codebook_round_trips_with_its_colour_and_set() -> None:
    data = (external() / "refi-qda" / "atlasti-23.4-codebook.qdc").read_bytes()
    assert validate_codebook_xml(data, directory=SCHEMAS) == []
    codebook = read_codebook(data)
    assert codebook.origin == "ATLAS.ti Win 23.4.0"
    (code,) = codebook.codes
    assert (code.guid, code.name, code.color, code.description) == (
        "1ff58b12-6f6f-4b0c-8be5-bbdc91f55294",
        "code1",
        "#46AA00",
        "description",
    )
    assert codebook.report.guid_map["1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294"] == code.guid
    assert [(s.name, s.description, s.member_codes) for s in codebook.sets] == [
        ("code group 1", "kategorie 1", [code.guid])
    ]
    exported = write_codebook(codebook)
    assert validate_codebook_xml(exported, directory=SCHEMAS) == []
    again = read_codebook(exported)
    assert _tree(again.codes) == _tree(codebook.codes)
    assert again.sets == codebook.sets


def test_the_taguette_codebook_imports_leniently_with_its_empty_sets_reported() -> None:
    data = (external() / "refi-qda" / "taguette-codebook-empty-sets.qdc").read_bytes()
    assert any("Sets" in error for error in validate_codebook_xml(data, directory=SCHEMAS))
    codebook = read_codebook(data)
    assert [c.name for c in codebook.codes] == ["interesting", "people", "interesting\\places"]
    assert codebook.sets == []
    assert any("empty <Sets/>" in line for line in codebook.report.deviations)
    exported = write_codebook(codebook)
    assert validate_codebook_xml(exported, directory=SCHEMAS) == []
    assert _tree(read_codebook(exported).codes) == _tree(codebook.codes)


def test_the_validator_finds_errors_in_an_invalid_project() -> None:
    errors = validate_project_xml(
        b'<Project xmlns="urn:QDA-XML:project:1.0"><Sets/></Project>', directory=SCHEMAS
    )
    assert errors  # no name attribute, empty Sets
