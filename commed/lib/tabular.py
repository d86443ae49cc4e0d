"""Reading and writing spreadsheets (CSV and XLSX) for every import and export.

`read_table` turns an uploaded file into rows of text keyed by canonical column names, or raises `TableError`
with every problem it found, each naming the file, the row (as a spreadsheet shows it: the header is row 1)
and the column (letter and heading). Importers validate the values themselves and report their own problems
through `Table.where`, so every message in the product reads the same way.

Decisions:
- The format is chosen by extension and checked against the content: a ".csv" that is really a workbook, or a
  ".xlsx" that is text, is refused with a message saying so. ".xlsm" (macros) and ".xls" (old binary format)
  are refused.
- CSV text: UTF-8 with or without a byte-order mark; UTF-16 with a byte-order mark (Excel's "Unicode text") or
  recognisably UTF-16 without one; anything else that is not valid UTF-8 is read as Windows-1252 (what Excel
  on Windows writes in the UK), and `Table.notes` says so. Bytes that Windows-1252 cannot hold, or binary
  content, are refused with "save it as CSV UTF-8".
- The delimiter is the commonest of comma, semicolon and tab in the header line.
- Headings match case-, space-, hyphen- and underscore-insensitively, and through aliases. Unknown headings are
  ignored and listed in `Table.ignored_columns`, so an importer can mention them.
- XLSX is read with openpyxl in read-only mode from the first sheet (or a named one), after checking the zip:
  the unpacked size is capped (zip bombs), macros are refused, and cells holding formulas are refused (their
  cached values may be stale or missing): "paste values" is the fix.
- Formula injection: a value that a spreadsheet would run as a formula is refused (see `looks_like_formula`).
  A value that is explicitly marked as text by a leading apostrophe (as `write_table` neutralises it, and as
  Excel users type literal text) is accepted without the apostrophe, unless it holds a DDE payload (`x|y!z`),
  which is refused however it is written; so an export re-imports cleanly. Every export goes through
  `write_table`, which neutralises such cells again (OWASP).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings

# Excel's own limit for one cell.
MAX_CELL_CHARS = 32_767
MAX_COLUMNS = 500
# Beyond this many problems, the rest are counted, not listed.
MAX_ERRORS = 200
# Characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

_DDE = re.compile(r"\w\s*\|.*!")
_PHONE = re.compile(r"^\+\d[\d\s().\-/]*$")
_NEGATIVE_NUMBER = re.compile(r"^-\d+(?:[.,]\d+)?$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class TableError(ValueError):
    """The file cannot be read as a table. `errors` lists every problem, each naming file, row and column."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


class ImportFailed(Exception):
    """An import refused as a whole, before anything was written: `errors` lists every problem, each naming the
    file, row and field. Every app's importer raises it, so views and commands report it the same way."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Row:
    number: int  # as a spreadsheet shows it; the header is row 1
    values: dict[str, str]
    # Columns whose cell had a problem already reported in Table.errors (only with defer_cell_errors); their
    # values are "", and an importer should not report them again.
    bad: frozenset[str] = frozenset()


@dataclass
class Table:
    filename: str
    columns: list[str]  # canonical names of the columns the file has, in file order
    rows: list[Row]
    headings: dict[str, str] = field(default_factory=dict)  # canonical name -> heading as written
    letters: dict[str, str] = field(default_factory=dict)  # canonical name -> column letter
    ignored_columns: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # canonical name -> the usual heading, for messages
    notes: list[str] = field(default_factory=list)  # e.g. which encoding was assumed
    # Problems in single cells, when read with defer_cell_errors=True (the importer adds its own and raises).
    errors: list[str] = field(default_factory=list)
    error_count: int = 0

    def has(self, column: str) -> bool:
        return column in self.headings

    def where(self, row: Row | int | None = None, column: str | None = None) -> str:
        """'people.csv, row 4, column C “Contact e-mail”': the start of every message about a cell."""
        parts = [self.filename]
        if row is not None:
            parts.append(f"row {row.number if isinstance(row, Row) else row}")
        if column is not None:
            if column in self.headings:
                parts.append(f"column {self.letters[column]} “{self.headings[column]}”")
            else:
                parts.append(f"column “{self.labels.get(column, column)}”")
        return ", ".join(parts)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def normalise_heading(value: str) -> str:
    cleaned = unicodedata.normalize("NFKC", value).replace("\ufeff", "").lower()
    cleaned = re.sub(r"[_\-–—/.:*()]+", " ", cleaned)
    return " ".join(cleaned.split())


def looks_like_formula(value: str) -> bool:
    """Would a spreadsheet run this cell? A phone number (+44 20 ...) or a negative number (-3) would not."""
    if not value:
        return False
    if value[0] in ("\t", "\r"):
        return True
    stripped = value.strip()
    if not stripped:
        return False
    if _DDE.search(stripped):
        return True
    first = stripped[0]
    if first in ("=", "@"):
        return True
    if first == "+":
        return not (_PHONE.match(stripped) and sum(ch.isdigit() for ch in stripped) >= 7)
    if first == "-":
        return not (_NEGATIVE_NUMBER.match(stripped) or set(stripped) == {"-"})
    return False


def neutralise(value: str) -> str:
    """Prefix a cell that a spreadsheet would treat as a formula with an apostrophe (OWASP CSV injection)."""
    if value.startswith(FORMULA_TRIGGERS) or _DDE.search(value):
        return "'" + value
    return value


def _unneutralise(value: str) -> str:
    if value.startswith("'") and len(value) > 1 and (value[1] in FORMULA_TRIGGERS or _DDE.search(value)):
        return value[1:]
    return value


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n:,} bytes"


# ---------------------------------------------------------------------------------------------------------------
# Reading


def read_table(
    data: bytes,
    filename: str,
    *,
    required: Sequence[str],
    optional: Sequence[str] = (),
    aliases: Mapping[str, Sequence[str]] | None = None,
    allow_blank: Collection[str] = (),
    max_rows: int | None = None,
    max_bytes: int | None = None,
    max_unpacked_bytes: int | None = None,
    sheet: str | None = None,
    defer_cell_errors: bool = False,
) -> Table:
    """Read a CSV or XLSX file into a Table, or raise TableError listing every problem.

    `required` columns must be present, and must have a value in every row unless named in `allow_blank`;
    `optional` ones may be missing (their values are then ""). Limits default to settings.IMPORT_MAX_ROWS and
    IMPORT_MAX_BYTES; the unpacked size of an XLSX is capped at ten times the byte limit.
    With `defer_cell_errors`, problems confined to one cell (formula, control character, blank required value,
    too long) do not raise: they are returned in `Table.errors` and the cell is marked in `Row.bad`, so the
    importer can check the rest of the file and report everything at once.
    """
    max_rows = settings.IMPORT_MAX_ROWS if max_rows is None else max_rows
    max_bytes = settings.IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    max_unpacked_bytes = max_bytes * 10 if max_unpacked_bytes is None else max_unpacked_bytes
    name = filename.replace("\\", "/").rsplit("/", 1)[-1] or "the file"
    lookup = _heading_lookup(required, optional, aliases or {})

    if not data:
        raise TableError([f"{name}: the file is empty."])
    if len(data) > max_bytes:
        raise TableError([f"{name}: the file is {_size(len(data))}; the most that can be imported is "
                          f"{_size(max_bytes)}. Split it into smaller files."])
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    is_zip = data.startswith(_ZIP_MAGIC)
    if extension in ("xlsm", "xltm", "xlam"):
        raise TableError([f"{name}: workbooks with macros (.{extension}) are not accepted. "
                          "Save it as an Excel workbook (.xlsx) or CSV UTF-8 and import that."])
    if data.startswith(_OLE_MAGIC):
        raise TableError([f"{name}: this is an old-style Excel file (.xls) or a password-protected workbook. "
                          "Remove any password and save it as an Excel workbook (.xlsx) or CSV UTF-8."])
    if extension == "xls":
        raise TableError([f"{name}: old-style Excel files (.xls) are not accepted. "
                          "Save it as an Excel workbook (.xlsx) or CSV UTF-8."])
    if extension in ("xlsx", "xltx"):
        if not is_zip:
            raise TableError([f"{name}: the name ends in .{extension} but the file is not an Excel workbook "
                              "(it looks like text or another format). If it is a CSV file, name it .csv."])
        cells, notes = _xlsx_cells(data, name, max_rows=max_rows, max_unpacked=max_unpacked_bytes, sheet=sheet)
    elif extension in ("csv", "tsv", "txt", ""):
        if is_zip:
            raise TableError([f"{name}: the name ends in .{extension or '(nothing)'} but the file is an Excel "
                              "workbook or another zip file. Name it .xlsx, or save it as CSV UTF-8."])
        cells, notes = _csv_cells(data, name, max_rows=max_rows)
    else:
        raise TableError([f"{name}: .{extension} files cannot be imported; use CSV (UTF-8) or Excel (.xlsx)."])
    labels = {c: (aliases or {}).get(c, [c.replace("_", " ")])[0] for c in (*required, *optional)}
    return _build_table(cells, name, lookup, labels, required, optional, allow_blank, notes, defer_cell_errors)


def _heading_lookup(
    required: Sequence[str], optional: Sequence[str], aliases: Mapping[str, Sequence[str]]
) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for canonical in (*required, *optional):
        for candidate in (canonical, *aliases.get(canonical, ())):
            key = normalise_heading(candidate)
            if lookup.get(key, canonical) != canonical:
                raise ValueError(f"heading {candidate!r} is an alias of both {lookup[key]!r} and {canonical!r}")
            lookup[key] = canonical
    return lookup


# (row number, cells) pairs, header first; cells already text.
Cells = list[tuple[int, list[str]]]


def _decode(data: bytes, name: str) -> tuple[str, list[str]]:
    for bom, encoding, label in (
        (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
        (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
        (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
        (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
        (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
    ):
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as error:
                raise TableError([f"{name}: the file says it is {label} but byte {error.start} is not; "
                                  "save it as CSV UTF-8 and import it again."]) from error
            notes = [] if label == "UTF-8" else [f"{name} was read as {label} text."]
            return text, notes
    sample = data[:4096]
    even_zeros, odd_zeros = sample[0::2].count(0), sample[1::2].count(0)
    half = max(len(sample) // 2, 1)
    if len(sample) >= 4 and max(even_zeros, odd_zeros) > 0.4 * half and min(even_zeros, odd_zeros) < 0.05 * half:
        encoding = "utf-16-le" if odd_zeros > even_zeros else "utf-16-be"
        try:
            return data.decode(encoding), [f"{name} was read as UTF-16 text (it had no byte-order mark)."]
        except UnicodeDecodeError:
            pass
    controls = sum(1 for byte in data[:65536] if byte < 32 and byte not in (9, 10, 13))
    if controls > max(8, len(data[:65536]) // 100):
        raise TableError([f"{name}: this is not a CSV file or spreadsheet (it contains binary data). "
                          "Save it as CSV UTF-8 or Excel (.xlsx) and import that."])
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise TableError([f"{name}: the text is neither UTF-8 nor Windows-1252 (byte {error.start}). "
                          "In Excel choose File → Save As → “CSV UTF-8 (Comma delimited)” and import that."]) from error
    return text, [f"{name} was not UTF-8, so it was read as Windows-1252 (Western European). If accented "
                  "letters look wrong, save it as “CSV UTF-8” and import it again."]


def _delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    counts: dict[str, int] = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for ch in first_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _csv_cells(data: bytes, name: str, *, max_rows: int) -> tuple[Cells, list[str]]:
    text, notes = _decode(data, name)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    cells: Cells = []
    number = 0
    data_rows = 0
    try:
        for record in reader:
            number += 1
            if any(value.strip() for value in record):
                if number > 1:
                    data_rows += 1
                if data_rows > max_rows:
                    raise TableError([f"{name}: the file has more than {max_rows:,} rows; the most that can be "
                                      "imported at once is that. Split it into smaller files."])
                cells.append((number, record))
    except csv.Error as error:
        raise TableError([f"{name}, row {number + 1}: the row cannot be read as CSV ({error}); check for a "
                          "quotation mark that is not closed."]) from error
    return cells, notes


def _xlsx_cells(
    data: bytes, name: str, *, max_rows: int, max_unpacked: int, sheet: str | None
) -> tuple[Cells, list[str]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as error:
        raise TableError([f"{name}: the workbook is damaged and cannot be opened ({error})."]) from error
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        raise TableError([f"{name}: this is a zip file but not an Excel workbook (.docx, .ods or a zip archive?). "
                          "Save it as an Excel workbook (.xlsx) or CSV UTF-8."])
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise TableError([f"{name}: the workbook contains macros, which are not accepted. "
                          "Save it as an Excel workbook (.xlsx) without macros."])
    unpacked = sum(member.file_size for member in members)
    if unpacked > max_unpacked or len(members) > 10_000:
        raise TableError([f"{name}: the workbook would unpack to {_size(unpacked)}, more than the "
                          f"{_size(max_unpacked)} allowed; it is either far too large or not a real workbook."])
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise TableError([f"{name}: the workbook is damaged and cannot be opened ({type(error).__name__})."]) from error
    try:
        if sheet is not None:
            if sheet not in workbook.sheetnames:
                raise TableError([f"{name}: the workbook has no sheet called “{sheet}” (it has: "
                                  f"{', '.join(workbook.sheetnames)})."])
            worksheet = workbook[sheet]
        else:
            worksheet = workbook.worksheets[0]
        notes = []
        if len(workbook.sheetnames) > 1:
            notes.append(f"{name}: only the sheet “{worksheet.title}” was read.")
        cells: Cells = []
        errors: list[str] = []
        data_rows = 0
        for number, row in enumerate(worksheet.iter_rows(), start=1):
            if len(row) > MAX_COLUMNS and any(getattr(c, "value", None) is not None for c in row[MAX_COLUMNS:]):
                raise TableError([f"{name}, row {number}: more than {MAX_COLUMNS} columns are filled in."])
            values = []
            for index, cell in enumerate(row):
                value = getattr(cell, "value", None)
                if getattr(cell, "data_type", None) == "f" and len(errors) < MAX_ERRORS:
                    errors.append(f"{name}, row {number}, column {column_letter(index)}: the cell holds a formula "
                                  f"({str(value)[:40]}). Formulas are not imported: copy the cells and paste "
                                  "them back as values only.")
                values.append(_cell_text(value))
            if any(v.strip() for v in values):
                if number > 1:
                    data_rows += 1
                if data_rows > max_rows:
                    raise TableError([f"{name}: the sheet has more than {max_rows:,} rows; the most that can be "
                                      "imported at once is that. Split it into smaller files."])
                cells.append((number, values))
        if errors:
            raise TableError(errors)
        return cells, notes
    except TableError:
        raise
    except Exception as error:  # a damaged sheet fails while streaming
        raise TableError([f"{name}: the workbook is damaged and cannot be read ({type(error).__name__})."]) from error
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    return str(value)


def _build_table(
    cells: Cells,
    name: str,
    lookup: dict[str, str],
    labels: dict[str, str],
    required: Sequence[str],
    optional: Sequence[str],
    allow_blank: Collection[str],
    notes: list[str],
    defer_cell_errors: bool = False,
) -> Table:
    if not cells:
        raise TableError([f"{name}: the file has no rows at all; it needs a header row and at least one row."])
    header_number, header = cells[0]
    if header_number != 1:
        raise TableError([f"{name}, row 1: the first row must hold the column headings, but it is empty."])
    table = Table(filename=name, columns=[], rows=[], notes=notes, labels=labels)
    positions: dict[str, int] = {}
    errors: list[str] = []
    for index, heading in enumerate(header):
        heading = " ".join(heading.split())
        if not heading:
            continue
        canonical = lookup.get(normalise_heading(heading))
        if canonical is None:
            table.ignored_columns.append(heading)
            continue
        if canonical in positions:
            first = positions[canonical]
            errors.append(f"{name}, row 1: columns {column_letter(first)} “{table.headings[canonical]}” and "
                          f"{column_letter(index)} “{heading}” are the same column; keep one of them.")
            continue
        positions[canonical] = index
        table.columns.append(canonical)
        table.headings[canonical] = heading
        table.letters[canonical] = column_letter(index)
    missing = [column for column in required if column not in positions]
    if missing:
        found = ", ".join(f"“{h.strip()}”" for h in header if h.strip())
        errors.append(f"{name}, row 1: the required column{'s' if len(missing) > 1 else ''} "
                      f"{', '.join(f'“{labels[m]}”' for m in missing)} {'are' if len(missing) > 1 else 'is'} "
                      f"missing (the headings found are: {found}). Row 1 must hold the column headings.")
    if errors:
        raise TableError(errors)
    if len(cells) == 1:
        raise TableError([f"{name}: the file has a header row but no rows below it."])
    width = max(positions.values(), default=-1) + 1
    last_heading = max((index for index, heading in enumerate(header) if heading.strip()), default=-1)
    total_errors = 0
    row_errors: list[str] = []
    for number, record in cells[1:]:
        if any(v.strip() for v in record[last_heading + 1:]):
            total_errors += 1
            if total_errors <= MAX_ERRORS:
                row_errors.append(f"{name}, row {number}: the row has {len(record)} cells but the header has "
                              f"{last_heading + 1}; the values beyond column {column_letter(last_heading)} have no "
                              "heading (a stray delimiter, or a column without a heading?).")
        record = record + [""] * (width - len(record))
        values = {column: "" for column in (*required, *optional)}
        bad = set()
        for column, index in positions.items():
            raw = record[index]
            problem = _cell_problem(raw)
            if problem is None:
                values[column] = unicodedata.normalize("NFC", _unneutralise(raw.strip()).replace("\r\n", "\n"))
                if not values[column] and column in required and column not in allow_blank:
                    problem = "is empty; every row needs a value here."
            if problem is not None:
                values[column] = ""
                bad.add(column)
                total_errors += 1
                if total_errors <= MAX_ERRORS:
                    errors.append(f"{table.where(number, column)}: {problem}")
        table.rows.append(Row(number=number, values=values, bad=frozenset(bad)))
    if row_errors or (errors and not defer_cell_errors):
        errors = sorted(row_errors + errors, key=_row_of)
        if total_errors > MAX_ERRORS:
            errors.append(f"{name}: … and {total_errors - MAX_ERRORS} more problems.")
        raise TableError(errors)
    table.errors, table.error_count = errors, total_errors
    return table


def _row_of(message: str) -> int:
    match = re.search(r", row (\d+)", message)
    return int(match.group(1)) if match else 0


def _cell_problem(raw: str) -> str | None:
    if len(raw) > MAX_CELL_CHARS:
        return f"the value is {len(raw):,} characters long; the most a cell can hold is {MAX_CELL_CHARS:,}."
    control = _CONTROL.search(raw.strip("\t\r\n ")) if raw[:1] not in ("\t", "\r") else None
    if control is not None:
        return (f"the value contains an invisible control character (code {ord(control.group()):#04x}); "
                "retype the cell.")
    if looks_like_formula(raw):
        shown = raw.strip()[:40].replace("\t", "⇥").replace("\r", "↵")
        return (f"the value “{shown}” would run as a formula in a spreadsheet, so it is not accepted. "
                "Remove the leading =, +, -, @ or the |…! part (a phone number such as +44 20 7946 0000 is fine).")
    return None


# ---------------------------------------------------------------------------------------------------------------
# Writing


def _export_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, dt.datetime | dt.date | int | float | Decimal):
        return value
    return neutralise(str(value))


def write_table(
    rows: Iterable[Sequence[Any] | Mapping[str, Any]], columns: Sequence[str], fmt: str = "csv"
) -> bytes:
    """An export: the headings, then one line per row (a sequence in column order, or a mapping by heading).

    Text that a spreadsheet would run as a formula is prefixed with an apostrophe. CSV is UTF-8 with a
    byte-order mark (so Excel shows accents), comma separated.
    """
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"unknown export format {fmt!r}")

    def ordered(row: Sequence[Any] | Mapping[str, Any]) -> list[Any]:
        values = [row.get(c) for c in columns] if isinstance(row, Mapping) else list(row)
        return [_export_value(v) for v in values]

    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([neutralise(c) for c in columns])
        for row in rows:
            writer.writerow([v.isoformat() if isinstance(v, dt.date) else v for v in ordered(row)])
        return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet("Export")
    worksheet.freeze_panes = "A2"
    header = []
    for heading in columns:
        cell = WriteOnlyCell(worksheet, value=neutralise(heading))
        cell.font = Font(bold=True)
        header.append(cell)
    worksheet.append(header)
    for row in rows:
        values = ordered(row)
        worksheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
