"""Survey CSVs (free-text answers) and attribute tables (XLSX or CSV).

CSV handling shared by both: the bytes are decoded as plain text (:mod:`.encoding`), the dialect (delimiter
``,`` ``;`` tab or ``|``, quote character) is sniffed with :class:`csv.Sniffer` on the first 64 KiB, falling
back to the Excel dialect. The first row is the header; header names are stripped of spaces.

Free-text columns, when ``text_columns`` is not given: every column except the id column whose non-blank
answers are mostly prose, i.e. at least half of them have 3 or more words or 40 or more characters, and which
are not all numbers. ``Interest: golf`` is an attribute; ``I needed to upskill ...`` is an answer.

Attribute-table cell values become strings: ``None`` -> ``""``; a date-time at midnight -> ``2023-04-21``;
other date-times, dates and times -> ISO 8601 (``10:33:00``); whole floats lose ``.0``; everything else
``str()``. Fully blank rows and columns without a header are dropped.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from typing import Literal

import openpyxl

from .encoding import decode_text
from .model import Document, ErrorReadingDocument, Turn
from .office import check_prolog, open_zip, read_member

__all__ = ["IDENTIFYING_COLUMNS", "read_attribute_table", "read_survey_attributes", "read_survey_csv"]

_SNIFF_BYTES = 64 * 1024


def _rows(data: bytes, filename: str) -> tuple[list[list[str]], str, list[str]]:
    text, encoding, warnings = decode_text(data, filename)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:_SNIFF_BYTES], delimiters=",;\t|"
        )
    except csv.Error:
        dialect = csv.excel
    try:
        rows = [row for row in csv.reader(io.StringIO(text), dialect) if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise ErrorReadingDocument(filename, f"malformed CSV: {exc}") from exc
    if not rows:
        raise ErrorReadingDocument(filename, "the CSV file has no rows")
    return rows, encoding, warnings


def _is_prose(values: list[str]) -> bool:
    answers = [v.strip() for v in values if v.strip()]
    if not answers:
        return False
    if all(_is_number(v) for v in answers):
        return False
    prose = sum(1 for v in answers if len(v.split()) >= 3 or len(v) >= 40)
    return prose * 2 >= len(answers)


def _is_number(value: str) -> bool:
    try:
        float(value.replace(",", "."))
    except ValueError:
        return False
    return True


def read_survey_csv(
    data: bytes,
    filename: str,
    *,
    id_column: str | None = None,
    text_columns: Sequence[str] | None = None,
    mode: Literal["respondent", "question"] = "respondent",
) -> list[Document]:
    """Read free-text survey answers as documents.

    ``id_column`` names the respondent column (default: the first column). ``text_columns`` names the answer
    columns (default: detected, see the module docstring). Blank answers are skipped.

    - ``mode="respondent"``: one document per respondent who answered something, named by the respondent id.
      With one text column the text is the answer; with several, each answer is preceded by its question on
      its own line and answers are separated by a blank line. Each answer is a turn whose speaker is the
      respondent id.
    - ``mode="question"``: one document per text column, named by the column header; each answer is one
      paragraph ``id: answer``, paragraphs separated by a blank line, each a turn of that respondent.

    Raises :class:`ErrorReadingDocument` for an empty file, a missing column, a CSV without a text column or
    without any answer.
    """
    if mode not in ("respondent", "question"):
        raise ValueError(f"mode must be 'respondent' or 'question', not {mode!r}")
    rows, encoding, base_warnings = _rows(data, filename)
    header, body, id_index, chosen = _survey_layout(rows, filename, id_column, text_columns)
    return _survey_documents(header, body, id_index, chosen, mode, encoding, base_warnings, filename)


def _survey_layout(
    rows: list[list[str]], filename: str, id_column: str | None, text_columns: Sequence[str] | None
) -> tuple[list[str], list[list[str]], int, list[str]]:
    """The header, the answer rows, the id column's index and the free-text columns of a survey CSV."""
    header = [h.strip() for h in rows[0]]
    body = rows[1:]
    if not body:
        raise ErrorReadingDocument(filename, "the CSV file has a header but no answers")
    id_name = id_column if id_column is not None else header[0]
    if id_name not in header:
        raise ErrorReadingDocument(filename, f"no id column {id_name!r}; the columns are {header}")
    id_index = header.index(id_name)
    if text_columns is None:
        chosen = [
            name
            for i, name in enumerate(header)
            if i != id_index and name and _is_prose([row[i] if i < len(row) else "" for row in body])
        ]
        if not chosen:
            raise ErrorReadingDocument(
                filename, f"no free-text column found among {header}; name the answer columns in text_columns"
            )
    else:
        chosen = list(text_columns)
        missing = [c for c in chosen if c not in header]
        if missing or not chosen:
            raise ErrorReadingDocument(
                filename, f"no text column {missing or chosen!r} in this CSV; the columns are {header}"
            )
    return header, body, id_index, chosen


def _survey_documents(
    header: list[str],
    body: list[list[str]],
    id_index: int,
    chosen: list[str],
    mode: str,
    encoding: str,
    base_warnings: list[str],
    filename: str,
) -> list[Document]:
    indices = [header.index(c) for c in chosen]
    warnings = list(base_warnings)
    answers: list[tuple[str, list[tuple[str, str]]]] = []  # (respondent, [(question, answer)])
    seen: set[str] = set()
    for line_no, row in enumerate(body, start=2):
        if len(row) != len(header):
            warnings.append(f"row {line_no}: {len(row)} fields but the header has {len(header)}")
        respondent = row[id_index].strip() if id_index < len(row) else ""
        if not respondent:
            respondent = f"row {line_no}"
        if respondent in seen:
            warnings.append(f"row {line_no}: respondent id {respondent!r} occurs more than once")
        seen.add(respondent)
        given = [
            (q, row[i].strip())
            for q, i in zip(chosen, indices, strict=True)
            if i < len(row) and row[i].strip()
        ]
        if given:
            answers.append((respondent, given))
    if not answers:
        raise ErrorReadingDocument(filename, f"every answer in the text column(s) {chosen} is blank")
    if mode == "respondent":
        return [_respondent_document(r, given, len(chosen) > 1, encoding, warnings) for r, given in answers]
    return [
        _question_document(
            q, [(r, a) for r, given in answers for qq, a in given if qq == q], encoding, warnings
        )
        for q in chosen
        if any(qq == q for _, given in answers for qq, _a in given)
    ]


# Columns of a survey that identify a person: never returned as attributes (they would show real names).
IDENTIFYING_COLUMNS = frozenset({
    "name", "names", "full name", "fullname", "first name", "firstname", "forename", "given name", "surname",
    "last name", "lastname", "family name", "email", "e-mail", "email address", "e-mail address", "phone",
    "telephone", "mobile", "contact", "address", "postcode", "post code", "zip", "ip", "ip address",
})


def read_survey_attributes(
    data: bytes, filename: str, *, id_column: str | None = None, text_columns: Sequence[str] | None = None
) -> tuple[dict[str, dict[str, str]], list[str]]:
    """The respondents' other columns of a survey CSV, as attributes: ``({respondent: {column: value}},
    skipped)``.

    The id and free-text columns are those :func:`read_survey_csv` uses (same arguments, same detection).
    Columns that identify a person (name, e-mail, phone, address ... see ``IDENTIFYING_COLUMNS``) are never
    returned; their headers are listed in ``skipped``. Blank values are left out; respondents without an id
    are left out.
    """
    rows, _, _ = _rows(data, filename)
    header, body, id_index, chosen = _survey_layout(rows, filename, id_column, text_columns)
    skipped = [h for i, h in enumerate(header) if i != id_index and h.strip().lower() in IDENTIFYING_COLUMNS]
    wanted = [(i, h) for i, h in enumerate(header) if i != id_index and h and h not in chosen and h not in skipped]
    attributes: dict[str, dict[str, str]] = {}
    for row in body:
        respondent = row[id_index].strip() if id_index < len(row) else ""
        if not respondent:
            continue
        values = {h: row[i].strip() for i, h in wanted if i < len(row) and row[i].strip()}
        attributes.setdefault(respondent, {}).update(values)
    return attributes, skipped


def _respondent_document(
    respondent: str, given: list[tuple[str, str]], with_questions: bool, encoding: str, warnings: list[str]
) -> Document:
    parts: list[str] = []
    turns: list[Turn] = []
    offset = 0
    for question, answer in given:
        if parts:
            parts.append("\n\n")
            offset += 2
        if with_questions:
            parts.append(question + "\n")
            offset += len(question) + 1
        parts.append(answer)
        turns.append(Turn(respondent, offset, offset + len(answer), None))
        offset += len(answer)
    return Document(respondent, "".join(parts), turns, "csv", encoding, list(warnings))


def _question_document(
    question: str, given: list[tuple[str, str]], encoding: str, warnings: list[str]
) -> Document:
    parts: list[str] = []
    turns: list[Turn] = []
    offset = 0
    for respondent, answer in given:
        if parts:
            parts.append("\n\n")
            offset += 2
        paragraph = f"{respondent}: {answer}"
        parts.append(paragraph)
        turns.append(Turn(respondent, offset, offset + len(paragraph), None))
        offset += len(paragraph)
    return Document(question, "".join(parts), turns, "csv", encoding, list(warnings))


# --- attribute tables -------------------------------------------------------------------------------------


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _table(rows: list[list[str]], filename: str) -> list[dict[str, str]]:
    rows = [row for row in rows if any(cell for cell in row)]
    if not rows:
        raise ErrorReadingDocument(filename, "the attribute table is empty")
    header = rows[0]
    columns = [(i, name) for i, name in enumerate(header) if name]
    names = [name for _, name in columns]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ErrorReadingDocument(filename, f"duplicate column name(s) in the header: {duplicates}")
    if not columns:
        raise ErrorReadingDocument(filename, "the attribute table has no header row")
    return [{name: (row[i] if i < len(row) else "") for i, name in columns} for row in rows[1:]]


def read_attribute_table(data: bytes, filename: str) -> list[dict[str, str]]:
    """Read a participant attribute table (facesheet): one dict per row, keyed by the header row.

    ``.xlsx``/``.xlsm`` files are read with openpyxl in read-only mode (first worksheet, cached values of
    formulas) behind the zip guard of :mod:`.office`; anything else is read as CSV. See the module docstring
    for how values become strings.
    """
    if not data:
        raise ErrorReadingDocument(filename, "the file is empty")
    if filename.lower().endswith((".xlsx", ".xlsm")) or data.startswith(b"PK\x03\x04"):
        archive = open_zip(data, filename, "XLSX")
        with archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" not in names:
                raise ErrorReadingDocument(filename, "corrupt XLSX file: the archive has no xl/workbook.xml")
            for name in names:
                if name.endswith((".xml", ".rels")):
                    check_prolog(read_member(archive, name, filename, "XLSX"), filename, name, "XLSX")
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            finally:
                workbook.close()
        except Exception as exc:  # openpyxl raises many types on damaged workbooks
            raise ErrorReadingDocument(filename, f"corrupt XLSX file: {type(exc).__name__}: {exc}") from exc
        return _table(rows, filename)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ErrorReadingDocument(
            filename, "legacy .xls workbooks are not supported; save it as .xlsx or CSV"
        )
    csv_rows, _, _ = _rows(data, filename)
    return _table([[cell.strip() for cell in row] for row in csv_rows], filename)
