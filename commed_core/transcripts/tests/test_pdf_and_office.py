"""PDF (built with fpdf2), and DOCX/ODT fixtures built in the test (tables, ODF spaces and tabs)."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest

from commed_core.transcripts import read_document


def _pdf(lines: list[str], pages: int = 1) -> bytes:
    fpdf = pytest.importorskip("fpdf")  # fpdf2 is a planned dependency; without it only the PDF tests skip
    pdf = fpdf.FPDF()
    pdf.set_font("helvetica", size=12)
    for _ in range(pages):
        pdf.add_page()
        for line in lines:
            pdf.cell(0, 8, text=line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def test_a_pdf_text_layer_is_read_with_its_speaker_turns() -> None:
    lines = [
        "Interviewer: How was the placement?",
        "Ana: Very useful.",
        "Interviewer: Why?",
        "Ana: The people.",
    ]
    doc = read_document(_pdf(lines), "interview.pdf")
    assert doc.source_format == "pdf"
    assert doc.encoding is None
    assert doc.text.split("\n") == lines
    assert [t.speaker for t in doc.turns] == ["Interviewer", "Ana", "Interviewer", "Ana"]


def test_pdf_pages_follow_each_other() -> None:
    doc = read_document(_pdf(["Ana: page text"], pages=3), "three.pdf")
    assert doc.text.count("Ana: page text") == 3
    assert len(doc.turns) == 3


def test_a_docx_table_is_read_row_by_row_after_the_paragraphs_before_it() -> None:
    document = docx.Document()
    document.add_paragraph("Focus group 2")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Ana:"
    table.cell(0, 1).text = "We liked the clinic."
    table.cell(1, 0).text = "Ben:"
    table.cell(1, 1).text = "Me too."
    document.add_paragraph("End of transcript")
    buffer = io.BytesIO()
    document.save(buffer)
    doc = read_document(buffer.getvalue(), "table.docx")
    assert doc.text == "Focus group 2\nAna:\tWe liked the clinic.\nBen:\tMe too.\nEnd of transcript"
    assert [t.speaker for t in doc.turns] == [None, "Ana", "Ben"]


ODT_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
  xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
  xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0">
 <office:body><office:text>
  <text:h text:outline-level="1">Interview   3</text:h>
  <text:p>  Ana:<text:s/>Two<text:s text:c="3"/>spaces<text:tab/>tab<text:line-break/>next
     line <text:span>with   a</text:span> span</text:p>
  <text:p>Ben: deleted text is<text:tracked-changes><text:changed-region><text:deletion>
   <text:p>SECRET</text:p></text:deletion></text:changed-region></text:tracked-changes> gone<text:note>
   <text:note-citation>1</text:note-citation><text:note-body><text:p>footnote</text:p></text:note-body>
   </text:note>.</text:p>
  <text:list><text:list-item><text:p>Ana: in a list</text:p></text:list-item></text:list>
  <table:table><table:table-row><table:table-cell><text:p>Ben:</text:p></table:table-cell>
   <table:table-cell><text:p>in a table</text:p></table:table-cell></table:table-row></table:table>
 </office:text></office:body></office:document-content>"""


def test_odt_spaces_tabs_breaks_lists_and_tables_follow_the_odf_rules() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", ODT_CONTENT)
    doc = read_document(buffer.getvalue(), "fixture.odt")
    assert doc.text.split("\n") == [
        "Interview 3",
        "Ana: Two   spaces\ttab",
        "next line with a span",
        "Ben: deleted text is gone.",
        "Ana: in a list",
        "Ben:\tin a table",
    ]
    assert [t.speaker for t in doc.turns] == [None, "Ana", "Ben", "Ana", "Ben"]
