"""DOCX and ODT readers, behind a guard against hostile zip archives.

Guard (:func:`open_zip` and :func:`read_member`): the archive must open as a zip; no more than
``MAX_MEMBERS`` members; the declared uncompressed size of any part we read must be at most
``MAX_PART_BYTES`` (50 MiB) and the whole archive at most ``MAX_TOTAL_BYTES`` (python-docx loads every part);
a part bigger than 1 MiB may not be more than ``MAX_RATIO`` (100) times its compressed size. Python's zipfile
stops decompressing at the declared size (and then fails the CRC check), so declared sizes are a real cap.
XML parts are vetted with ``defusedxml``, which refuses DTDs and entity declarations (billion laughs,
external entities): ODT's ``content.xml`` is parsed with it whole; DOCX parts, which python-docx then parses
with lxml, are checked up to their root element only (:func:`check_prolog`), which is where a DTD must be.

DOCX (python-docx): body paragraphs and tables in document order; a table row becomes one line with its
cells separated by tabs (a merged cell counted once), a cell's own paragraphs separated by newlines.
Headers, footers, footnotes and comments are page furniture and are not read.

ODT (``content.xml`` parsed here): ``text:p`` and ``text:h`` are paragraphs (one line each), including those
in lists, sections and table cells (cells joined by tabs); ``text:span`` and links are inline;
``text:s`` gives ``text:c`` spaces (default 1), ``text:tab`` a tab, ``text:line-break`` a newline. Character
data follows ODF 1.2 section 6.1.2: runs of white space collapse to one space and white space at the start and
end of a paragraph is dropped. Tracked deletions (``text:tracked-changes``), footnotes (``text:note``) and
comments (``office:annotation``) are skipped, as they are not part of the running text.
"""

from __future__ import annotations

import io
import xml.sax
import xml.sax.handler
import zipfile
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET
import defusedxml.sax
import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from .model import ErrorReadingDocument

__all__ = [
    "MAX_MEMBERS",
    "MAX_PART_BYTES",
    "MAX_RATIO",
    "MAX_TOTAL_BYTES",
    "check_prolog",
    "docx_text",
    "odt_text",
    "open_zip",
    "parse_xml",
    "read_member",
]

MAX_PART_BYTES = 50 * 1024 * 1024
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 10_000
_RATIO_FLOOR = 1024 * 1024  # small parts compress wildly (repetitive XML); only big ones can be bombs

_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_ODT_SKIP = {
    _TEXT + "tracked-changes",
    _TEXT + "note",
    _OFFICE + "annotation",
    _OFFICE + "annotation-end",
    _TEXT + "sequence-decls",
    _TEXT + "variable-decls",
    _TEXT + "user-field-decls",
    _OFFICE + "forms",
}


def open_zip(data: bytes, filename: str, kind: str) -> zipfile.ZipFile:
    """Open ``data`` as a zip archive of a ``kind`` document (``"DOCX"``), checking the guard's limits."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ErrorReadingDocument(
            filename, f"corrupt {kind} file: not a readable zip archive ({exc})"
        ) from exc
    if len(members) > MAX_MEMBERS:
        raise ErrorReadingDocument(filename, f"suspicious {kind} file: {len(members)} zip members")
    total = sum(m.file_size for m in members)
    if total > MAX_TOTAL_BYTES:
        raise ErrorReadingDocument(
            filename,
            f"suspicious {kind} file (zip bomb?): {total} bytes uncompressed, limit {MAX_TOTAL_BYTES}",
        )
    return archive


def read_member(archive: zipfile.ZipFile, name: str, filename: str, kind: str) -> bytes:
    """Read one member after checking its declared size and compression ratio."""
    try:
        info = archive.getinfo(name)
    except KeyError as exc:
        raise ErrorReadingDocument(filename, f"corrupt {kind} file: the archive has no {name}") from exc
    if info.file_size > MAX_PART_BYTES:
        raise ErrorReadingDocument(
            filename,
            f"suspicious {kind} file (zip bomb?): {name} is {info.file_size} bytes uncompressed, "
            f"limit {MAX_PART_BYTES}",
        )
    if info.file_size > _RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise ErrorReadingDocument(
            filename,
            f"suspicious {kind} file (zip bomb?): {name} expands "
            f"{info.file_size // max(info.compress_size, 1)} times, limit {MAX_RATIO}",
        )
    try:
        with archive.open(info) as member:
            # Read one byte past the cap so a lying header cannot smuggle in more than we allow.
            content = member.read(MAX_PART_BYTES + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise ErrorReadingDocument(
            filename, f"corrupt {kind} file: cannot decompress {name} ({exc})"
        ) from exc
    if len(content) > MAX_PART_BYTES:
        raise ErrorReadingDocument(
            filename, f"suspicious {kind} file (zip bomb?): {name} exceeds the size limit"
        )
    return content


def parse_xml(content: bytes, filename: str, part: str, kind: str) -> Element:
    """Parse an XML part with defusedxml: DTDs, entity declarations and external references are refused."""
    try:
        root: Element = SafeET.fromstring(
            content, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except defusedxml.DefusedXmlException as exc:
        raise ErrorReadingDocument(
            filename,
            f"refused {kind} file: {part} declares a DTD or XML entities ({type(exc).__name__}), "
            "which documents never need and attacks use",
        ) from exc
    except ParseError as exc:
        raise ErrorReadingDocument(
            filename, f"corrupt {kind} file: {part} is not well-formed XML ({exc})"
        ) from exc
    return root


class _RootReached(Exception):
    """Raised by the prolog check at the first element: a DTD can only come before it."""


class _StopAtRoot(xml.sax.handler.ContentHandler):
    def startElement(self, name: str, attrs: object) -> None:
        raise _RootReached

    def startElementNS(self, name: object, qname: object, attrs: object) -> None:
        raise _RootReached


def check_prolog(content: bytes, filename: str, part: str, kind: str) -> None:
    """Refuse an XML part whose prolog declares a DTD or entities, reading only up to the root element.

    A document type declaration, and so any entity declaration, may only appear before the root element
    (XML 1.0, section 2.8), so stopping there is enough to rule out entity expansion and external entities
    for a parser that is then given the part (python-docx's lxml parser). defusedxml's SAX parser does the
    refusing; without a DTD, an entity reference in the body is a well-formedness error for lxml.
    """
    try:
        defusedxml.sax.parseString(content, _StopAtRoot(), forbid_dtd=True, forbid_entities=True)
    except _RootReached:
        return
    except defusedxml.DefusedXmlException as exc:
        raise ErrorReadingDocument(
            filename,
            f"refused {kind} file: {part} declares a DTD or XML entities ({type(exc).__name__}), "
            "which documents never need and attacks use",
        ) from exc
    except xml.sax.SAXException as exc:
        raise ErrorReadingDocument(
            filename, f"corrupt {kind} file: {part} is not well-formed XML ({exc})"
        ) from exc
    raise ErrorReadingDocument(filename, f"corrupt {kind} file: {part} has no root element")


# --- DOCX -------------------------------------------------------------------------------------------------


def _docx_blocks(document: Any) -> Iterator[str]:
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            yield block.text
        elif isinstance(block, Table):
            for row in block.rows:
                seen: set[int] = set()
                cells: list[str] = []
                for cell in row.cells:
                    # A horizontally merged cell is returned once per grid column it spans.
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    cells.append(cell.text)
                yield "\t".join(cells)


def docx_text(data: bytes, filename: str) -> str:
    """Text of a DOCX body (see the module docstring); raises :class:`ErrorReadingDocument` if unreadable."""
    archive = open_zip(data, filename, "DOCX")
    with archive:
        names = set(archive.namelist())
        if "word/document.xml" not in names:
            raise ErrorReadingDocument(filename, "corrupt DOCX file: the archive has no word/document.xml")
        # python-docx parses every XML part with lxml; vet them first: size caps, and no DTD in any prolog.
        for name in sorted(names):
            if name.endswith((".xml", ".rels")):
                check_prolog(read_member(archive, name, filename, "DOCX"), filename, name, "DOCX")
    try:
        document = docx.Document(io.BytesIO(data))
        return "\n".join(_docx_blocks(document))
    except ErrorReadingDocument:
        raise
    except Exception as exc:  # python-docx raises many types (KeyError, ValueError, lxml errors ...)
        raise ErrorReadingDocument(filename, f"corrupt DOCX file: {type(exc).__name__}: {exc}") from exc


# --- ODT --------------------------------------------------------------------------------------------------


class _Paragraph:
    """Accumulates one ODT paragraph, collapsing white space in character data (ODF 1.2, 6.1.2)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.space_pending = False  # collapsible white space seen since the last visible character

    def data(self, chunk: str | None) -> None:
        if not chunk:
            return
        words = chunk.split()
        if chunk[:1].isspace():
            self.space_pending = True
        for i, word in enumerate(words):
            if i:
                self.space_pending = True
            self._emit(word)
        if words and chunk[-1:].isspace():
            self.space_pending = True

    def _emit(self, visible: str) -> None:
        if self.space_pending and self.parts and not self.parts[-1].endswith(("\n", "\t", " ")):
            self.parts.append(" ")
        self.space_pending = False
        self.parts.append(visible)

    def literal(self, chunk: str) -> None:
        # text:s, text:tab and text:line-break are never collapsed.
        if self.space_pending and self.parts:
            self.parts.append(" ")
        self.space_pending = False
        self.parts.append(chunk)

    def text(self) -> str:
        return "".join(self.parts)


def _odt_inline(element: Element, para: _Paragraph) -> None:
    for child in element:
        tag = child.tag
        if tag in _ODT_SKIP:
            pass
        elif tag == _TEXT + "s":
            count = child.get(_TEXT + "c", "1")
            para.literal(" " * (int(count) if count.isdigit() else 1))
        elif tag == _TEXT + "tab":
            para.literal("\t")
        elif tag == _TEXT + "line-break":
            para.literal("\n")
        else:
            # text:span, text:a, fields and frames: their text is part of the paragraph.
            para.data(child.text)
            _odt_inline(child, para)
        para.data(child.tail)


def _odt_paragraph(element: Element) -> str:
    para = _Paragraph()
    para.data(element.text)
    _odt_inline(element, para)
    return para.text()


def _odt_blocks(element: Element) -> Iterator[str]:
    for child in element:
        tag = child.tag
        if tag in _ODT_SKIP:
            continue
        if tag in (_TEXT + "p", _TEXT + "h"):
            yield _odt_paragraph(child)
        elif tag == _TABLE + "table-row":
            cells = ["\n".join(_odt_blocks(cell)) for cell in child if cell.tag == _TABLE + "table-cell"]
            yield "\t".join(cells)
        else:
            # lists, list items, sections, tables and row groups contain paragraphs
            yield from _odt_blocks(child)


def odt_text(data: bytes, filename: str) -> str:
    """Text of an ODT body (see the module docstring); raises :class:`ErrorReadingDocument` if unreadable."""
    archive = open_zip(data, filename, "ODT")
    with archive:
        root = parse_xml(read_member(archive, "content.xml", filename, "ODT"), filename, "content.xml", "ODT")
    body = root.find(f"{_OFFICE}body/{_OFFICE}text")
    if body is None:
        raise ErrorReadingDocument(
            filename, "not a text document: content.xml has no office:body/office:text"
        )
    return "\n".join(_odt_blocks(body))
