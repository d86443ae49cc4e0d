"""Read a rendered report back as plain text, whitespace collapsed (a PDF wraps lines anywhere)."""

from __future__ import annotations

import io

from docx import Document
from pypdf import PdfReader


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "") for page in reader.pages).split())


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return " ".join(" ".join(parts).split())


def read(content: bytes, fmt: str) -> str:
    return pdf_text(content) if fmt == "pdf" else docx_text(content)
