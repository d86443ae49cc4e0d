"""PDF text-layer reader (pypdf).

Pages are extracted in order with pypdf's default (layout-free) text extraction and joined with a newline.
A PDF whose pages yield no text has no text layer (a scan or photographed pages): that is an error telling the
researcher to run OCR first, not an empty document. Encrypted PDFs are opened if the empty user password
works (common for "no copying" PDFs), otherwise refused.
"""

from __future__ import annotations

import io
import re

import pypdf

from .encoding import normalise_newlines
from .model import ErrorReadingDocument

__all__ = ["pdf_text"]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def pdf_text(data: bytes, filename: str) -> tuple[str, list[str]]:
    """Return ``(text, warnings)`` for a PDF's text layer.

    Raises :class:`ErrorReadingDocument` if the file is damaged, locked, or has no text layer.
    """
    warnings: list[str] = []
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ErrorReadingDocument(filename, "the PDF is password-protected; remove the password first")
        pages = [page.extract_text() or "" for page in reader.pages]
    except ErrorReadingDocument:
        raise
    except Exception as exc:  # pypdf raises PdfReadError, ValueError, KeyError ... on damaged files
        raise ErrorReadingDocument(filename, f"corrupt PDF file: {type(exc).__name__}: {exc}") from exc
    if not pages:
        raise ErrorReadingDocument(filename, "the PDF has no pages")
    text, _ = normalise_newlines("\n".join(pages))
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
        warnings.append("control characters from the PDF text layer were removed")
    if not text.strip():
        raise ErrorReadingDocument(
            filename,
            f"the PDF has no text layer ({len(pages)} page(s) of images, e.g. a scan); run OCR on it first",
        )
    return text, warnings
