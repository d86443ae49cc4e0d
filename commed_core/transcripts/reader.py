"""``read_document``: one entry point that picks the reader from the extension and the content.

Format choice: the content is sniffed first, because extensions lie (a DOCX saved as ``.txt``, a Teams
transcript renamed ``.txt``): ``%PDF-`` -> PDF; a zip with ``word/document.xml`` -> DOCX; a zip whose
``mimetype`` is ``application/vnd.oasis.opendocument.text`` (or with ``content.xml``) -> ODT; decoded text
starting with ``WEBVTT`` -> WebVTT; text whose first block is a number line then a ``-->`` line -> SRT.
A ``.vtt``/``.srt`` file with a ``-->`` line anywhere is read as subtitles (a damaged header); one without is
plain text. Everything else is plain text, including a ``.docx``/``.odt``/``.pdf`` without its signature
that decodes cleanly (otherwise it is a corrupt file). When the content contradicts the extension a warning
says so. Legacy Word ``.doc``, RTF and ``.csv`` are refused with a message
saying what to do instead (``read_survey_csv`` for CSV).

Speaker turns: DOCX, ODT, PDF and plain text go through :func:`.turns.detect_turns_with_warnings`; subtitle
files get their turns from cues and voice tags.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePath

from .encoding import decode_text, normalise_newlines
from .model import Document, ErrorReadingDocument
from .office import docx_text, odt_text
from .pdf import pdf_text
from .subtitles import read_subtitles
from .turns import detect_turns_with_warnings

__all__ = ["read_document", "sniff_format"]

_SRT_START = re.compile(r"\A\s*\d+[ \t]*\n[^\n]*-->")
_ODT_MIME = b"application/vnd.oasis.opendocument.text"
_EXPECTED = {
    "txt": "text",
    "text": "text",
    "docx": "docx",
    "odt": "odt",
    "pdf": "pdf",
    "vtt": "vtt",
    "srt": "srt",
}


def _zip_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return "docx"
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size <= 200 and archive.read("mimetype").strip() == _ODT_MIME:
                    return "odt"
            if "content.xml" in names:
                return "odt"
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError):
        return "zip?"
    return "zip"


def _binary_kind(data: bytes, ext: str) -> str | None:
    """Container and refused formats recognised by their leading bytes, or ``None`` for text."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04") or (ext in ("docx", "odt") and data.startswith(b"PK")):
        return _zip_kind(data) or "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if data.lstrip().startswith(b"{\\rtf"):
        return "rtf"
    return None


def _text_kind(text: str, ext: str) -> str:
    """Subtitle formats recognised in decoded text; the extension counts only if the text has timing lines."""
    head = text[:4096].lstrip()
    if re.match(r"WEBVTT(?:[ \t\n]|$)", head):
        return "vtt"
    if _SRT_START.match(head):
        return "srt"
    if ext in ("vtt", "srt") and "-->" in text:
        return ext
    if ext == "csv":
        return "csv"
    return "text"


def sniff_format(data: bytes, filename: str) -> str:
    """The format of ``data``: ``pdf``, ``docx``, ``odt``, ``vtt``, ``srt`` or ``text``; or one that
    :func:`read_document` refuses: ``zip`` (neither DOCX nor ODT), ``zip?`` (a damaged zip), ``doc``, ``rtf``,
    ``csv``."""
    ext = PurePath(filename).suffix.lower().lstrip(".")
    kind = _binary_kind(data, ext)
    if kind is not None:
        return kind
    try:
        text = decode_text(data, filename)[0]
    except ErrorReadingDocument:
        return "text"
    return _text_kind(text, ext)


def read_document(data: bytes, filename: str) -> Document:
    """Read a transcript or other text document from bytes; see the module docstring for the format choice.

    Raises :class:`ErrorReadingDocument` with a message naming the file for empty, undecodable, corrupt or
    hostile input.
    """
    if not data:
        raise ErrorReadingDocument(filename, "the file is empty")
    ext = PurePath(filename).suffix.lower().lstrip(".")
    kind = _binary_kind(data, ext)
    if kind == "doc":
        raise ErrorReadingDocument(filename, "legacy Word .doc files are not supported; save it as .docx")
    if kind == "rtf":
        raise ErrorReadingDocument(filename, "RTF files are not supported; save it as .docx or .txt")
    if kind in ("zip", "zip?") and ext in ("docx", "odt"):
        kind = ext  # the reader for the named format gives the precise message (missing part, bad zip)
    elif kind == "zip?":
        kind = "docx"
    elif kind == "zip":
        raise ErrorReadingDocument(filename, "a zip archive that is neither a DOCX nor an ODT document")
    warnings: list[str] = []
    encoding: str | None = None
    if kind is not None:
        if kind == "docx":
            text = docx_text(data, filename)
        elif kind == "odt":
            text = odt_text(data, filename)
        else:
            text, pdf_warnings = pdf_text(data, filename)
            warnings += pdf_warnings
        text, _ = normalise_newlines(text)
        if not text.strip():
            raise ErrorReadingDocument(filename, f"the {kind.upper()} document contains no text")
    else:
        try:
            text, encoding, decode_warnings = decode_text(data, filename)
        except ErrorReadingDocument as exc:
            if ext in ("docx", "odt", "pdf") and data.strip():
                raise ErrorReadingDocument(
                    filename,
                    f"corrupt {ext.upper()} file: it lacks the {ext.upper()} signature ({exc.problem})",
                ) from exc
            raise
        warnings += decode_warnings
        kind = _text_kind(text, ext)
        if kind == "csv":
            raise ErrorReadingDocument(
                filename, "a CSV file holds many answers; read it with read_survey_csv"
            )
    expected = _EXPECTED.get(ext)
    if expected is not None and expected != kind:
        warnings.append(
            f"the extension says .{ext} but the content is {kind.upper()}; read as {kind.upper()}"
        )
    if kind in ("vtt", "srt"):
        document = read_subtitles(text, filename, kind)
        document.encoding = encoding
        document.warnings = warnings + document.warnings
        return document
    turns, turn_warnings = detect_turns_with_warnings(text)
    return Document(
        name=filename,
        text=text,
        turns=turns,
        source_format=kind,
        encoding=encoding,
        warnings=warnings + turn_warnings,
    )
