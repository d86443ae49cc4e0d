"""QualCoder's plain-text codebook (`cat>>code<TAB>memo`): the real example file, and broken ones."""

from __future__ import annotations

import pytest

from commed_core.refiqda import (
    Code,
    RefiQdaError,
    read_codebook,
    read_codebook_text,
    validate_codebook_xml,
    write_codebook,
)

from ._build import SCHEMAS, external


def _tree(codes: list[Code]) -> list[object]:
    return [(c.name, c.is_codable, c.description, _tree(c.children)) for c in codes]


def test_the_qualcoder_example_gives_categories_codes_and_memos() -> None:
    path = external() / "transcripts" / "qualcoder-examples" / "plain_codes_categories_for_import.txt"
    codebook = read_codebook_text(path.read_bytes(), path.name)
    assert _tree(codebook.codes) == [
        ("code1", True, "A memo for code 1", []),
        ("cat1", False, None, [("code2", True, None, []), ("code3", True, None, [])]),
        ("cat3", False, None, [("cat2", False, None, [("code4", True, "another memo", [])]),
                               ("code5", True, None, [])]),
        ("code6", True, None, []),
    ]
    assert codebook.report.deviations == []
    exported = write_codebook(codebook)
    assert validate_codebook_xml(exported, directory=SCHEMAS) == []
    again = read_codebook(exported)
    assert _tree(again.codes) == _tree(codebook.codes)
    assert [c.guid for c in again.iter_codes()] == [c.guid for c in codebook.iter_codes()]


def test_the_same_file_gives_the_same_guids_and_a_category_listed_as_a_code_is_codable() -> None:
    data = b"a>>b\na\ta memo\na>>b\n"
    first, second = read_codebook_text(data, "c.txt"), read_codebook_text(data, "c.txt")
    assert [c.guid for c in first.iter_codes()] == [c.guid for c in second.iter_codes()]
    (a,) = first.codes
    assert (a.name, a.is_codable, a.description, [b.name for b in a.children]) == ("a", True, "a memo", ["b"])
    assert any("'a >> b' is listed again" in line for line in first.report.deviations)


def test_a_legacy_encoding_is_read_and_reported() -> None:
    codebook = read_codebook_text("Caf\u00e9>>th\u00e9\n".encode("cp1252"), "legacy.txt")
    assert codebook.codes[0].name == "Caf\u00e9" and codebook.codes[0].children[0].name == "th\u00e9"
    assert codebook.report.deviations == ["legacy.txt: not UTF-8; read as Windows-1252"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "legacy.txt: the file is empty"),
        (b" \r\n\t\n", "the file is empty"),
        (b"cat>>>>code\n", "legacy.txt, line 1: an empty category or code name"),
        (b"good\n>>bad\n", "line 2: an empty category or code name"),
        (b"PK\x03\x04\0\0\0binary", "not a text file"),
        (("x" * 600).encode(), "longer than 500"),
    ],
)
def test_a_broken_codebook_text_is_refused_naming_the_line(data: bytes, expected: str) -> None:
    with pytest.raises(RefiQdaError) as caught:
        read_codebook_text(data, "legacy.txt")
    assert expected in str(caught.value)
