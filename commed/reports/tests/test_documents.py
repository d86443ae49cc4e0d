"""The two renderers on their own: the same blocks read back from the PDF and the DOCX."""

from __future__ import annotations

import pytest

from commed.reports import documents
from commed.reports.documents import Bullets, Heading, Para, Quote, Table
from commed.reports.tests.readback import docx_text, pdf_text

BLOCKS: list[documents.Block] = [
    Heading("A report", 1),
    Para("A paragraph long enough to wrap over more than one line of the page, " * 4),
    Bullets(["first point", "second point"]),
    Table(columns=("Name", "Reach"), rows=[("Leaflet", "120"), ("Averyveryveryverylongwordthatcannotbreak" * 3, "5")]
          * 40, caption="Outputs"),
    Quote("They listened first.", "A student"),
]


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_every_block_reads_back(fmt):
    content = documents.render(fmt=fmt, title="A report", blocks=BLOCKS)
    text = pdf_text(content) if fmt == "pdf" else docx_text(content)
    for expected in ("A report", "first point", "Leaflet", "120", "They listened first.", "A student", "Outputs"):
        assert expected in text


def test_a_long_table_continues_on_the_next_page_with_its_header():
    from io import BytesIO

    from pypdf import PdfReader

    reader = PdfReader(BytesIO(documents.render_pdf(title="A report", blocks=BLOCKS)))
    assert len(reader.pages) > 1
    assert "Name" in (reader.pages[-1].extract_text() or "")


def test_text_beyond_latin_1_is_kept_when_a_unicode_font_exists():
    blocks: list[documents.Block] = [
        Table(columns=("Partner", "Languages"), rows=[("Klub \u0141\u00f3d\u017a", "\u09ac\u09be\u0982\u09b2\u09be")]),
        Para("Bengali speakers: \u09ac\u09be\u0982\u09b2\u09be; Polish: \u0141\u00f3d\u017a \u2013 caf\u00e9"),
    ]
    text = pdf_text(documents.render_pdf(title="Languages", blocks=blocks))
    if documents._unicode_font() is None:
        assert "caf\u00e9" in text  # the core font: only Latin-1, the rest replaced
    else:
        assert "\u0141\u00f3d\u017a" in text and "Klub" in text


def test_a_font_is_embedded_only_for_text_beyond_latin_1():
    plain = documents.render_pdf(title="x", blocks=[Heading("\u201cQuoted\u201d \u2013 fine\u2026"), Para("caf\u00e9")])
    assert b"/FontFile2" not in plain  # typography drawn plainly in the core font
    assert '"Quoted" - fine...' in pdf_text(plain)
    if documents._unicode_font() is not None:
        assert b"/FontFile2" in documents.render_pdf(title="x", blocks=[Para("\u0141\u00f3d\u017a")])


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="pdf or docx"):
        documents.render(fmt="odt", title="x", blocks=[])
