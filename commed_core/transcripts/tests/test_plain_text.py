"""Plain-text decoding and line endings, on fixtures built in the test."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from commed_core.transcripts import decode_text, normalise_newlines, read_document

TRANSCRIPT = "Interviewer: “Was the café open?” she asked – it’s naïve.\nAna: Yes, it was.\n"


def test_cp1252_smart_quotes_are_detected() -> None:
    doc = read_document(TRANSCRIPT.encode("cp1252"), "legacy.txt")
    assert doc.encoding == "cp1252"
    assert doc.text == TRANSCRIPT
    assert [t.speaker for t in doc.turns] == ["Interviewer", "Ana"]


def test_mac_roman_is_told_apart_from_cp1252() -> None:
    doc = read_document(TRANSCRIPT.encode("mac_roman"), "mac.txt")
    assert doc.encoding == "mac_roman"
    assert doc.text == TRANSCRIPT


def test_latin1_text_decodes_to_the_same_characters() -> None:
    text = "Entrevistadora: Ça va? Über die Straße, señor, à bientôt.\nAna: Très bien.\n"
    doc = read_document(text.encode("latin-1"), "latin.txt")
    assert doc.text == text
    assert doc.encoding in ("cp1252", "latin_1")  # identical for these bytes; cp1252 by the WHATWG convention


def test_a_very_short_legacy_file_is_guessed_with_a_warning() -> None:
    doc = read_document("“Hi”".encode("cp1252"), "short.txt")
    assert doc.text == "“Hi”"
    assert any("guessed" in w for w in doc.warnings)


def test_utf8_bom_is_stripped_before_offsets_are_counted() -> None:
    doc = read_document(codecs.BOM_UTF8 + "Ana: olá\nC01: hi".encode(), "bom.txt")
    assert doc.encoding == "utf-8-sig"
    assert doc.text == "Ana: olá\nC01: hi"
    assert [(t.start, t.end) for t in doc.turns] == [(0, 8), (9, 16)]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom_is_read(codec: str) -> None:
    text = "Interviewer: 你好, Ana 😀\r\nAna: Olá\r\n"
    data = text.encode(codec)
    if codec != "utf-16":
        data = (codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE) + data
    doc = read_document(data, "wide.txt")
    assert doc.text == "Interviewer: 你好, Ana 😀\nAna: Olá\n"
    assert doc.encoding == "utf-16"
    # The emoji is one code point, not two UTF-16 units: the second turn starts right after the first line.
    assert doc.turns[1].start == doc.text.index("Ana: Olá")


def test_utf16_without_bom_is_recognised_by_its_zero_bytes() -> None:
    doc = read_document("Interviewer: hello\nAna: hi\n".encode("utf-16-le"), "nobom.txt")
    assert doc.text == "Interviewer: hello\nAna: hi\n"
    assert doc.warnings and "utf-16-le" in doc.warnings[0]


def test_mixed_line_endings_become_lf_and_are_reported() -> None:
    doc = read_document(b"Ana: one\r\nBen: two\rAna: three\nBen: four", "mixed.txt")
    assert doc.text == "Ana: one\nBen: two\nAna: three\nBen: four"
    assert [doc.text[t.start : t.end] for t in doc.turns] == [
        "Ana: one",
        "Ben: two",
        "Ana: three",
        "Ben: four",
    ]
    assert any("mixed line endings" in w for w in doc.warnings)


def test_consistent_crlf_is_not_reported_as_mixed() -> None:
    text, mixed = normalise_newlines("a\r\nb\r\n")
    assert (text, mixed) == ("a\nb\n", False)


def test_decode_text_reports_plain_ascii_as_utf8() -> None:
    assert decode_text(b"Ana: hi", "a.txt") == ("Ana: hi", "utf-8", [])


def test_a_docx_named_txt_is_read_as_docx_with_a_warning(external: Path) -> None:
    doc = read_document((external / "qualcoder-examples" / "ID1.docx").read_bytes(), "renamed.txt")
    assert doc.source_format == "docx"
    assert any("extension says .txt" in w for w in doc.warnings)


def test_plain_text_named_docx_is_read_as_text_with_a_warning() -> None:
    doc = read_document(b"Ana: hello\nBen: hi\n", "notreally.docx")
    assert doc.source_format == "text"
    assert [t.speaker for t in doc.turns] == ["Ana", "Ben"]
    assert any("extension says .docx" in w for w in doc.warnings)


def test_a_subtitle_file_named_txt_is_read_as_webvtt() -> None:
    doc = read_document(b"WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ana>Hi</v>\n", "teams.txt")
    assert doc.source_format == "vtt"
    assert doc.text == "Ana: Hi"
