"""Broken and hostile inputs: each raises ErrorReadingDocument, its message naming the file and the cause."""

from __future__ import annotations

import io
import os
import zipfile

import pytest

from commed_core.transcripts import ErrorReadingDocument, read_attribute_table, read_document, read_survey_csv
from commed_core.transcripts.tests.conftest import EXTERNAL

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<root>&lol2;</root>"""


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _docx_with(document_xml: bytes) -> bytes:
    with zipfile.ZipFile(EXTERNAL / "qualcoder-examples" / "ID1.docx") as original:
        members = {name: original.read(name) for name in original.namelist()}
    members["word/document.xml"] = document_xml
    return _zip(members)


def _odt_with(content_xml: bytes) -> bytes:
    return _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": content_xml})


def _pdf_without_text() -> bytes:
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")  # a "scanned" page: graphics, no text layer
    return bytes(pdf.output())


def _raises(data: bytes, filename: str, *fragments: str) -> None:
    with pytest.raises(ErrorReadingDocument) as caught:
        read_document(data, filename)
    message = str(caught.value)
    assert message.startswith(filename), message
    for fragment in fragments:
        assert fragment in message, message


def test_an_empty_file_is_refused() -> None:
    _raises(b"", "empty.txt", "empty")


def test_a_blank_file_is_refused() -> None:
    _raises(b" \r\n\t\n", "blank.txt", "empty")


def test_binary_bytes_are_undecodable() -> None:
    _raises(b"\x00\x01\x02\x03\xff\xfe\x10garbage" + bytes(range(32)) * 4, "photo.txt", "undecodable")


def test_random_bytes_are_undecodable() -> None:
    _raises(bytes(range(256)) * 8, "noise.txt", "undecodable")


def test_a_utf8_bom_followed_by_invalid_utf8_is_undecodable() -> None:
    _raises(b"\xef\xbb\xbfAna: ol\xe1", "liar.txt", "undecodable", "utf-8-sig")


def test_a_truncated_docx_is_corrupt() -> None:
    data = (EXTERNAL / "qualcoder-examples" / "ID1.docx").read_bytes()
    _raises(data[: len(data) // 2], "half.docx", "corrupt DOCX")


def test_a_docx_without_its_document_part_is_corrupt() -> None:
    _raises(_zip({"[Content_Types].xml": b"<Types/>"}), "hollow.docx", "no word/document.xml")


def test_a_docx_declaring_entities_is_refused() -> None:
    _raises(_docx_with(LAUGHS), "laughs.docx", "word/document.xml", "entities")


def test_a_docx_whose_xml_is_not_well_formed_is_corrupt() -> None:
    _raises(_docx_with(b"<w:document><unclosed>"), "broken.docx", "corrupt DOCX")


def test_a_docx_with_an_undeclared_entity_reference_is_corrupt() -> None:
    _raises(_docx_with(b"<root>&xxe;</root>"), "ref.docx", "corrupt DOCX")


def test_a_docx_part_with_a_dtd_after_a_long_prolog_is_still_refused() -> None:
    padded = b'<?xml version="1.0"?>' + b"<!-- padding -->" * 5000 + LAUGHS.split(b"?>", 1)[1]
    _raises(_docx_with(padded), "padded.docx", "entities")


def test_a_highly_compressed_docx_part_is_a_zip_bomb() -> None:
    bomb = _docx_with(b"<a>" + b" " * (3 * 1024 * 1024) + b"</a>")  # 3 MiB compress about 1000 times
    _raises(bomb, "bomb.docx", "zip bomb", "word/document.xml")


def test_a_part_over_the_size_cap_is_a_zip_bomb() -> None:
    # 51 MiB of spaces (about 50 KiB compressed); refused from the zip header, before decompression.
    big = _odt_with(b"<a>" + b" " * (51 * 1024 * 1024) + b"</a>")
    _raises(big, "huge.odt", "zip bomb", "content.xml")


def test_an_odt_declaring_entities_is_refused() -> None:
    _raises(_odt_with(LAUGHS), "laughs.odt", "content.xml", "entities")


def test_an_odt_without_content_is_corrupt() -> None:
    _raises(
        _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "styles.xml": b"<a/>"}),
        "x.odt",
        "content.xml",
    )


def test_a_spreadsheet_odf_is_not_a_text_document() -> None:
    ods = _odt_with(
        b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0">'
        b"<office:body><office:spreadsheet/></office:body></office:document-content>"
    )
    _raises(ods, "sheet.odt", "not a text document")


def test_a_corrupt_odt_zip_is_refused() -> None:
    _raises(b"PK\x03\x04" + os.urandom(64), "bad.odt", "corrupt ODT")


def test_a_zip_that_is_neither_docx_nor_odt_is_refused() -> None:
    _raises(_zip({"readme.md": b"hello"}), "archive.zip", "neither a DOCX nor an ODT")


def test_a_pdf_without_text_layer_says_so() -> None:
    _raises(_pdf_without_text(), "scan.pdf", "no text layer", "OCR")


def test_a_corrupt_pdf_is_refused() -> None:
    _raises(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage", "broken.pdf", "PDF")


def test_a_vtt_with_a_malformed_timestamp_names_the_cue_and_line() -> None:
    data = (
        b"WEBVTT\n\nintro\n00:00:01.000 --> 00:00:02.000\nHi\n\nsecond\n00:00:0x.000 --> 00:00:04.000\nBye\n"
    )
    _raises(data, "call.vtt", "cue 2 ('second')", "line 8", "00:00:0x.000")


def test_a_vtt_timestamp_with_61_seconds_is_refused() -> None:
    _raises(b"WEBVTT\n\n00:00:61.000 --> 00:01:02.000\nHi\n", "call.vtt", "cue 1", "below 60")


def test_an_srt_timing_line_without_times_is_refused() -> None:
    _raises(b"1\n00:00:01,000 --> soon\nHi\n", "call.srt", "cue 1", "malformed timestamp 'soon'")


def test_a_vtt_without_cues_is_refused() -> None:
    _raises(b"WEBVTT\n\nNOTE nothing here\n", "empty.vtt", "no cues")


def test_legacy_word_and_rtf_are_refused_with_advice() -> None:
    _raises(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.doc", ".doc", "docx")
    _raises(b"{\\rtf1\\ansi Hello}", "old.rtf", "RTF")


def test_a_csv_given_to_read_document_points_to_read_survey_csv() -> None:
    _raises(b"id,answer\n1,some words here\n", "survey.csv", "read_survey_csv")


def test_a_csv_without_a_free_text_column_is_refused() -> None:
    with pytest.raises(ErrorReadingDocument, match=r"^ages\.csv: no free-text column"):
        read_survey_csv(b"id,age,sex\n1,34,f\n2,51,m\n", "ages.csv")


def test_a_csv_naming_a_missing_text_column_is_refused() -> None:
    with pytest.raises(ErrorReadingDocument, match=r"^s\.csv: no text column \['comments'\]"):
        read_survey_csv(b"id,answer\n1,so many words\n", "s.csv", text_columns=["comments"])


def test_a_csv_with_only_blank_answers_is_refused() -> None:
    with pytest.raises(ErrorReadingDocument, match="blank"):
        read_survey_csv(b"id,answer\n1,\n2,  \n", "s.csv", text_columns=["answer"])


def test_an_empty_csv_is_refused() -> None:
    with pytest.raises(ErrorReadingDocument, match=r"^s\.csv: the file is empty"):
        read_survey_csv(b"", "s.csv")


def test_a_corrupt_xlsx_is_refused() -> None:
    with pytest.raises(ErrorReadingDocument, match=r"^people\.xlsx: corrupt XLSX"):
        read_attribute_table(b"PK\x03\x04broken", "people.xlsx")


def test_an_xlsx_declaring_entities_is_refused() -> None:
    with pytest.raises(ErrorReadingDocument, match="entities"):
        read_attribute_table(_zip({"xl/workbook.xml": LAUGHS}), "people.xlsx")


def test_the_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        read_document(b"", "x.txt")
