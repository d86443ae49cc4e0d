"""Reading transcripts and other qualitative documents, speaker turns, and pseudonymisation.

Pure Python (no Django). Full description in ``README.md`` next to this file.

Public API
----------
- :func:`read_document` ``(data: bytes, filename: str) -> Document``: plain text (UTF-8 with or without BOM,
  UTF-16/32 with BOM, cp1252 / mac-roman / latin-1 detected with charset-normalizer), DOCX (python-docx), ODT
  (``content.xml`` through defusedxml), PDF text layer (pypdf), WebVTT and SRT (Zoom, Teams). The format is
  sniffed from the content, the extension only breaks ties.
- :func:`read_survey_csv` ``(data, filename, *, id_column=None, text_columns=None, mode="respondent")
  -> list[Document]``: free-text survey answers, one document per respondent or per question;
  :func:`read_survey_attributes` gives the respondents' other columns (never names, e-mails, phones).
- :func:`read_attribute_table` ``(data, filename) -> list[dict[str, str]]``: participant attributes
  (facesheet) from XLSX or CSV.
- :func:`detect_turns` ``(text) -> list[Turn]`` (and :func:`detect_turns_with_warnings`): speaker turns.
- :func:`pseudonymise` ``(text, replacements, *, extra_names=(), redaction_label="redacted", turns=None)
  -> PseudonymisationResult``; :func:`pseudonymise_document`, :func:`expand_first_names`,
  :func:`remap_offset`, :func:`remap_offsets`, :func:`remap_span`, :func:`remap_turns`, :func:`apply_log`.
- Types: :class:`Document`, :class:`Turn`, :class:`Replacement`, :class:`PseudonymisationResult`;
  :class:`ErrorReadingDocument` (a ``ValueError``) for every unreadable input, its message naming the file.

Offsets
-------
``Document.text`` has ``\\n`` line endings only (CRLF and lone CR are converted) and no byte-order mark, and
every offset (``Turn.start``/``end``, ``Replacement.start``/``end``) counts code points of that string,
``end`` exclusive, as REFI-QDA plain-text selections do. Normalise first, then compute offsets.
"""

from .encoding import decode_text, normalise_newlines
from .model import Document, ErrorReadingDocument, Turn
from .pseudonymise import (
    PseudonymisationResult,
    Replacement,
    apply_log,
    expand_first_names,
    pseudonymise,
    pseudonymise_document,
    remap_offset,
    remap_offsets,
    remap_span,
    remap_turns,
)
from .reader import read_document, sniff_format
from .tables import read_attribute_table, read_survey_attributes, read_survey_csv
from .turns import detect_turns, detect_turns_with_warnings, parse_clock_time

__all__ = [
    "Document",
    "ErrorReadingDocument",
    "PseudonymisationResult",
    "Replacement",
    "Turn",
    "apply_log",
    "decode_text",
    "detect_turns",
    "detect_turns_with_warnings",
    "expand_first_names",
    "normalise_newlines",
    "parse_clock_time",
    "pseudonymise",
    "pseudonymise_document",
    "read_attribute_table",
    "read_document",
    "read_survey_attributes",
    "read_survey_csv",
    "remap_offset",
    "remap_offsets",
    "remap_span",
    "remap_turns",
    "sniff_format",
]
