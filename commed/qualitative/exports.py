"""The themes table as a journal lays it out ("Themes from the focus groups"): DOCX, XLSX, CSV and Markdown.

Themes are row groups (a full-width row with the theme's name and its counts of documents and speakers); under
each, one row per concept with its description and the chosen illustrative quotes, each ending in the
speaker's code: “We were equals from the start.” (2P14). Every export is audited.
"""

from __future__ import annotations

import io

from commed.accounts.models import User
from commed.audit.models import Action
from commed.audit.services import audit_record
from commed.lib.tabular import neutralise, write_table
from commed.qualitative.models import Study
from commed.qualitative.selectors import QuoteRow, ThemeRow, themes_table

FORMATS = ("docx", "xlsx", "csv", "md")
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
}
HEADINGS = ("Concept", "Description", "Illustrative quotes")
CSV_HEADINGS = ["Theme", "Documents", "Speakers", "Concept", "Description", "Quote", "Speaker"]


def quote_text(quote: QuoteRow) -> str:
    return f"“{quote.text}”" + (f" ({quote.speaker})" if quote.speaker else "")


def theme_heading(theme: ThemeRow) -> str:
    docs = "document" if theme.documents == 1 else "documents"
    speakers = "speaker" if theme.speakers == 1 else "speakers"
    return f"{theme.name} ({theme.documents} {docs}, {theme.speakers} {speakers})"


def _docx(study: Study, rows: list[ThemeRow]) -> bytes:
    from docx import Document as Docx

    doc = Docx()
    doc.add_heading(f"Themes from the focus groups: {study.title}", level=1)
    table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, heading in zip(table.rows[0].cells, HEADINGS, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(heading).bold = True
    for theme in rows:
        cells = table.add_row().cells
        merged = cells[0].merge(cells[2])
        merged.text = ""
        merged.paragraphs[0].add_run(theme_heading(theme)).bold = True
        for concept in theme.concepts:
            cells = table.add_row().cells
            cells[0].text = concept.name
            cells[1].text = concept.description
            cells[2].text = ""
            for i, quote in enumerate(concept.quotes):
                paragraph = cells[2].paragraphs[0] if i == 0 else cells[2].add_paragraph()
                paragraph.add_run(quote_text(quote)).italic = False
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _xlsx(study: Study, rows: list[ThemeRow]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = "Themes"
    sheet.append([neutralise(f"Themes from the focus groups: {study.title}")])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(list(HEADINGS))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for theme in rows:
        sheet.append([neutralise(theme_heading(theme))])
        row = sheet.max_row
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        sheet.cell(row=row, column=1).font = Font(bold=True)
        for concept in theme.concepts:
            sheet.append([neutralise(concept.name), neutralise(concept.description),
                          neutralise("\n".join(quote_text(q) for q in concept.quotes))])
            for cell in sheet[sheet.max_row]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in zip("ABC", (28, 50, 80), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _csv(rows: list[ThemeRow]) -> bytes:
    out: list[list[object]] = []
    for theme in rows:
        if not theme.concepts:
            out.append([theme.name, theme.documents, theme.speakers, "", "", "", ""])
        for concept in theme.concepts:
            quotes = concept.quotes or [QuoteRow("", "")]
            for quote in quotes:
                out.append([theme.name, theme.documents, theme.speakers, concept.name, concept.description,
                            quote.text, quote.speaker])
    return write_table(out, CSV_HEADINGS, "csv")


def _md_cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def _md(study: Study, rows: list[ThemeRow]) -> bytes:
    lines = [f"Table: Themes from the focus groups: {_md_cell(study.title)}", "",
             "| " + " | ".join(HEADINGS) + " |", "|---|---|---|"]
    for theme in rows:
        lines.append(f"| **{_md_cell(theme_heading(theme))}** | | |")
        for concept in theme.concepts:
            quotes = "<br>".join(_md_cell(quote_text(q)) for q in concept.quotes)
            lines.append(f"| {_md_cell(concept.name)} | {_md_cell(concept.description)} | {quotes} |")
    return ("\n".join(lines) + "\n").encode("utf-8")


def themes_table_export(*, study: Study, by: User | None, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    rows = themes_table(study=study)
    if fmt == "docx":
        data = _docx(study, rows)
    elif fmt == "xlsx":
        data = _xlsx(study, rows)
    elif fmt == "csv":
        data = _csv(rows)
    else:
        data = _md(study, rows)
    audit_record(actor=by, action=Action.EXPORT, obj=study, summary=f"themes table exported as {fmt}")
    return data
