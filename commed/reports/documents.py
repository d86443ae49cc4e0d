"""A tiny document model (headings, paragraphs, lists, tables, quotes) and its two renderers: PDF with fpdf2 and
DOCX with python-docx. Every report is built once as blocks, so the PDF and the DOCX always say the same thing.

This module reads no database: it is given the blocks.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

# A Unicode font when the machine has one (partners' names and languages are not all Latin-1); otherwise the
# core Helvetica, with anything outside Latin-1 replaced.
FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
)


# Typography the core fonts lack, drawn with its plain equivalent when no Unicode font is embedded.
PLAIN = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                       "\u2026": "...", "\u2022": "-", "\u2192": "->"})


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Para:
    text: str
    muted: bool = False


@dataclass(frozen=True)
class Bullets:
    items: Sequence[str]


@dataclass(frozen=True)
class Table:
    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    caption: str = ""


@dataclass(frozen=True)
class Quote:
    text: str
    attribution: str


Block = Heading | Para | Bullets | Table | Quote


@cache
def _unicode_font() -> tuple[Path, Path] | None:
    for regular in FONT_CANDIDATES:
        bold = regular.with_name("DejaVuSans-Bold.ttf")
        if regular.is_file() and bold.is_file():
            return regular, bold
    return None


class _Pdf:
    """Lays text out itself: words are measured once and lines drawn with `cell`, which is many times faster than
    fpdf2's own `multi_cell` and `table` (they re-measure the line at every character).

    Each piece of text (a paragraph, a heading, a table cell) is drawn in the core Helvetica when it is Latin-1,
    and otherwise in the Unicode font, embedded only then: embedding and subsetting a TrueType font costs more
    than the rest of a report. Bold text beyond Latin-1 is drawn in the regular Unicode face, so one font at most
    is embedded."""

    LINE = 5.0
    PAD = 1.2
    UNICODE = "unicode"

    def __init__(self, title: str) -> None:
        from fpdf import FPDF

        self.pdf = FPDF(format="A4")
        self.pdf.set_auto_page_break(auto=True, margin=15)
        self.pdf.set_margins(18, 18, 18)
        self.widths: dict[tuple[str, str, float, str], float] = {}
        self.bold = False
        self.size = 10.0
        self.family = "Helvetica"
        self.has_unicode = False
        self.pdf.set_title(title)
        self.pdf.set_author("commed")
        self.pdf.set_lang("en-GB")
        self.pdf.add_page()
        self.font(10)

    def font(self, size: float, bold: bool = False) -> None:
        self.bold, self.size = bold, size
        self.pdf.set_font("Helvetica", "B" if bold else "", size)
        self.family = "Helvetica"

    def select(self, value: str) -> str:
        """Choose the font for one piece of text; returns the text as that font draws it."""
        plain = value.translate(PLAIN)
        try:
            plain.encode("latin-1")
        except UnicodeEncodeError:
            font = _unicode_font()
            if font is None:  # no Unicode font on this machine: replace what Latin-1 lacks
                self.pdf.set_font("Helvetica", "B" if self.bold else "", self.size)
                self.family = "Helvetica"
                return plain.encode("latin-1", "replace").decode("latin-1")
            if not self.has_unicode:
                self.pdf.add_font(self.UNICODE, "", str(font[0]))
                self.has_unicode = True
            self.pdf.set_font(self.UNICODE, "", self.size)
            self.family = self.UNICODE
            return value
        self.pdf.set_font("Helvetica", "B" if self.bold else "", self.size)
        self.family = "Helvetica"
        return plain

    def width_of(self, word: str) -> float:
        key = (word, self.family, self.size, "B" if self.bold else "")
        width = self.widths.get(key)
        if width is None:
            width = self.widths[key] = self.pdf.get_string_width(word)
        return width

    def wrap(self, value: str, width: float) -> list[str]:
        """Select the font for `value` and break it into lines of at most `width`."""
        lines: list[str] = []
        for paragraph in self.select(value).split("\n"):
            line, used = "", 0.0
            space = self.width_of(" ")
            for word in paragraph.split():
                size = self.width_of(word)
                while size > width and len(word) > 1:  # a word longer than the line: cut it
                    cut = max(1, int(len(word) * width / size) - 1)
                    if line:
                        lines.append(line)
                        line, used = "", 0.0
                    lines.append(word[:cut])
                    word = word[cut:]
                    size = self.width_of(word)
                if line and used + space + size > width:
                    lines.append(line)
                    line, used = word, size
                else:
                    line, used = (f"{line} {word}", used + space + size) if line else (word, size)
            lines.append(line)
        return lines

    def lines(self, value: str, *, indent: float = 0, height: float | None = None) -> None:
        pdf = self.pdf
        height = height or self.LINE
        width = pdf.w - pdf.l_margin - pdf.r_margin - indent
        for line in self.wrap(value, width):
            pdf.set_x(pdf.l_margin + indent)
            pdf.cell(width, height, line, new_x="LMARGIN", new_y="NEXT")

    def write(self, block: Block) -> None:
        pdf = self.pdf
        if isinstance(block, Heading):
            size = {1: 18, 2: 14}.get(block.level, 12)
            pdf.ln(3 if block.level > 1 else 0)
            if pdf.get_y() > pdf.page_break_trigger - 25:  # keep a heading with what follows
                pdf.add_page()
            self.font(size, bold=True)
            self.lines(block.text, height=size * 0.5)
            pdf.ln(1)
        elif isinstance(block, Para):
            self.font(10)
            if block.muted:
                pdf.set_text_color(90, 90, 90)
            self.lines(block.text)
            pdf.set_text_color(0, 0, 0)
            pdf.ln(1)
        elif isinstance(block, Bullets):
            self.font(10)
            for item in block.items:
                self.lines(f"\u2022 {item}")
            pdf.ln(1)
        elif isinstance(block, Quote):
            self.font(10)
            self.lines(f"\u201c{block.text}\u201d", indent=6)
            pdf.set_text_color(90, 90, 90)
            self.lines(f"\u2013 {block.attribution}", indent=6)
            pdf.set_text_color(0, 0, 0)
            pdf.ln(2)
        else:
            self.table(block)

    def table(self, block: Table) -> None:
        pdf = self.pdf
        if block.caption:
            self.font(9)
            self.lines(block.caption)
        total = pdf.w - pdf.l_margin - pdf.r_margin
        # Every column gets at least its longest word; the room left goes to the columns whose text is longer.
        self.font(9, bold=True)
        minimum, wanted = [], []
        for i, column in enumerate(block.columns):
            texts = [str(column), *(str(row[i]) for row in block.rows)]
            # Sized in Helvetica's metrics, text beyond Latin-1 as its replacement characters.
            sized = [t.translate(PLAIN).encode("latin-1", "replace").decode("latin-1") for t in texts]
            words = [self.width_of(word) for text in sized for word in text.split()] or [0.0]
            minimum.append(max(words) + 2 * self.PAD + 0.5)
            wanted.append(max(min(max(self.width_of(t) for t in sized), 80.0) + 2 * self.PAD,
                              minimum[-1]))
        spare = total - sum(minimum)
        extra = [w - m for w, m in zip(wanted, minimum, strict=True)]
        if spare <= 0 or sum(extra) <= 0:
            widths = [total * m / sum(minimum) for m in minimum]
        else:
            share = min(1.0, spare / sum(extra))
            widths = [m + e * share for m, e in zip(minimum, extra, strict=True)]
            left = total - sum(widths)
            widths = [w + left * w / sum(widths) for w in widths]
        line = 4.5

        def draw(values: Sequence[str], bold: bool) -> None:
            self.font(9, bold=bold)
            wrapped = [(self.wrap(str(value), width - 2 * self.PAD), self.family)
                       for value, width in zip(values, widths, strict=True)]
            height = max(len(w) for w, _ in wrapped) * line + 2 * self.PAD
            if pdf.get_y() + height > pdf.page_break_trigger:
                pdf.add_page()
                if not bold:
                    draw(block.columns, True)
                    self.font(9)
            x, y = pdf.l_margin, pdf.get_y()
            for (cell_lines, family), width in zip(wrapped, widths, strict=True):
                if bold:
                    pdf.set_fill_color(235, 238, 242)
                    pdf.rect(x, y, width, height, style="DF")
                else:
                    pdf.rect(x, y, width, height)
                pdf.set_font(family, "B" if bold and family == "Helvetica" else "", 9)
                for number, text in enumerate(cell_lines):
                    pdf.set_xy(x + self.PAD, y + self.PAD + number * line)
                    pdf.cell(width - 2 * self.PAD, line, text)
                x += width
            pdf.set_xy(pdf.l_margin, y + height)

        draw(block.columns, True)
        for values in block.rows:
            draw(values, False)
        pdf.ln(3)


def render_pdf(*, title: str, blocks: Sequence[Block]) -> bytes:
    document = _Pdf(title)
    for block in blocks:
        document.write(block)
    return bytes(document.pdf.output())


def _styled(paragraph: Any, style_id: str) -> Any:
    # python-docx resolves a style name by scanning every style for each paragraph (most of a report's time);
    # the ids of the default template's built-in styles are fixed, so they are set directly.
    paragraph._p.get_or_add_pPr().style = style_id
    return paragraph


def render_docx(*, title: str, blocks: Sequence[Block]) -> bytes:
    from docx import Document

    document = Document()
    document.core_properties.title = title
    document.core_properties.author = "commed"
    body = document._body
    for block in blocks:
        if isinstance(block, Heading):
            level = min(max(block.level, 1), 3)
            _styled(body.add_paragraph(block.text), "Title" if block.level == 1 else f"Heading{level - 1}")
        elif isinstance(block, Para):
            paragraph = body.add_paragraph()
            run = paragraph.add_run(block.text)
            if block.muted:
                run.italic = True
        elif isinstance(block, Bullets):
            for item in block.items:
                _styled(body.add_paragraph(item), "ListBullet")
        elif isinstance(block, Quote):
            _styled(body.add_paragraph(f"\u201c{block.text}\u201d"), "Quote")
            body.add_paragraph(f"\u2014 {block.attribution}")
        else:
            if block.caption:
                body.add_paragraph(block.caption)
            table: Any = body.add_table(rows=1, cols=len(block.columns), width=document._block_width)
            table._tbl.tblStyle_val = "TableGrid"
            for cell, column in zip(table.rows[0].cells, block.columns, strict=True):
                cell.paragraphs[0].add_run(column).bold = True
            for values in block.rows:
                for cell, value in zip(table.add_row().cells, values, strict=True):
                    cell.paragraphs[0].add_run(str(value))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def render(*, fmt: str, title: str, blocks: Sequence[Block]) -> bytes:
    if fmt == "pdf":
        return render_pdf(title=title, blocks=blocks)
    if fmt == "docx":
        return render_docx(title=title, blocks=blocks)
    raise ValueError(f"unknown format {fmt!r}: pdf or docx")


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
