"""The REFI-QDA data model as plain dataclasses.

Every identity is a GUID in canonical form: 36 characters, lower case, no braces
(RFC 4122 section 3: hex is read case-insensitively and written in lower case). Text positions
are Unicode code points from 0 with the end exclusive, counted in the normalised text
(no BOM, every line ending ``\\n``); see the package docstring for the rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

VariableType = Literal["Text", "Boolean", "Integer", "Float", "Date", "DateTime"]
VARIABLE_TYPES: tuple[VariableType, ...] = ("Text", "Boolean", "Integer", "Float", "Date", "DateTime")
LinkDirection = Literal["Associative", "OneWay", "Bidirectional"]
LINK_DIRECTIONS: tuple[LinkDirection, ...] = ("Associative", "OneWay", "Bidirectional")


class RefiQdaError(ValueError):
    """A file that cannot be imported (or a model that cannot be exported) as it stands.

    The message names the zip entry, the element and the GUID concerned, so a researcher can find
    the problem in the file or report it to the vendor.
    """


@dataclass
class ImportReport:
    """What the importer changed or could not keep (REFI-QDA 1.5, section 7: warn about data loss).

    ``deviations``: departures from the standard that were imported anyway (and how).
    ``dropped``: elements that commed cannot keep (media selections, graphs, unreadable paths).
    ``guid_map``: original spelling -> canonical GUID, for every GUID whose spelling changed.
    ``missing_media``: source paths that were not read (``relative://``, ``absolute://``, absent entries).
    """

    deviations: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    guid_map: dict[str, str] = field(default_factory=dict)
    missing_media: list[str] = field(default_factory=list)


@dataclass
class User:
    guid: str
    name: str | None = None
    id: str | None = None


@dataclass
class Code:
    guid: str
    name: str
    is_codable: bool = True
    color: str | None = None  # "#RRGGBB" or "#RGB", upper case
    description: str | None = None
    children: list[Code] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)


@dataclass
class Variable:
    guid: str
    name: str
    type: VariableType = "Text"
    description: str | None = None


@dataclass
class VariableValue:
    """A value of a variable; ``value`` keeps the XSD lexical form (``"true"``, ``"2024-01-31"``)."""

    variable_guid: str
    type: VariableType
    value: str


@dataclass
class Coding:
    guid: str
    code_guid: str
    creating_user: str | None = None
    creation_datetime: dt.datetime | None = None
    note_refs: list[str] = field(default_factory=list)


@dataclass
class Selection:
    """A plain-text selection: ``text[start:end]`` in code points of the normalised source text."""

    guid: str
    start: int
    end: int
    name: str | None = None
    creating_user: str | None = None
    creation_datetime: dt.datetime | None = None
    modifying_user: str | None = None
    modified_datetime: dt.datetime | None = None
    codings: list[Coding] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)
    description: str | None = None


@dataclass
class TextSource:
    guid: str
    name: str | None
    text: str
    plain_text_path: str | None = None  # the path as found in the imported file, for the record
    creating_user: str | None = None
    creation_datetime: dt.datetime | None = None
    modifying_user: str | None = None
    modified_datetime: dt.datetime | None = None
    description: str | None = None
    selections: list[Selection] = field(default_factory=list)
    codings: list[Coding] = field(default_factory=list)  # codings of the whole source
    note_refs: list[str] = field(default_factory=list)
    variable_values: list[VariableValue] = field(default_factory=list)


@dataclass
class OtherSource:
    """A source commed did not import (picture, PDF, audio, video, or text it could not read).

    It is kept so the report and the researcher know it existed; it is never exported.
    """

    guid: str
    name: str | None
    kind: str  # the element name: "PDFSource", "AudioSource", "TextSource" (unreadable), ...
    path: str | None
    imported: bool = False
    reason: str = ""


@dataclass
class Note:
    guid: str
    name: str | None
    text: str
    creating_user: str | None = None
    creation_datetime: dt.datetime | None = None
    modifying_user: str | None = None
    modified_datetime: dt.datetime | None = None
    description: str | None = None


@dataclass
class Case:
    guid: str
    name: str | None = None
    description: str | None = None
    code_refs: list[str] = field(default_factory=list)
    variable_values: list[VariableValue] = field(default_factory=list)
    source_refs: list[str] = field(default_factory=list)
    selection_refs: list[str] = field(default_factory=list)


@dataclass
class Link:
    guid: str
    name: str | None = None
    direction: LinkDirection | None = None
    color: str | None = None
    origin_guid: str | None = None
    target_guid: str | None = None
    note_refs: list[str] = field(default_factory=list)


@dataclass
class Set:
    guid: str
    name: str
    description: str | None = None
    member_codes: list[str] = field(default_factory=list)
    member_sources: list[str] = field(default_factory=list)
    member_notes: list[str] = field(default_factory=list)


@dataclass
class Project:
    name: str
    origin: str | None = None
    creating_user: str | None = None
    creation_datetime: dt.datetime | None = None
    modifying_user: str | None = None
    modified_datetime: dt.datetime | None = None
    users: list[User] = field(default_factory=list)
    codes: list[Code] = field(default_factory=list)
    variables: list[Variable] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    sources: list[TextSource] = field(default_factory=list)
    other_sources: list[OtherSource] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    sets: list[Set] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    description: str | None = None
    note_refs: list[str] = field(default_factory=list)
    report: ImportReport = field(default_factory=ImportReport)

    def iter_codes(self) -> list[Code]:
        """All codes of the tree, depth first, parents before children."""
        return flatten_codes(self.codes)


@dataclass
class Codebook:
    origin: str | None = None
    codes: list[Code] = field(default_factory=list)
    sets: list[Set] = field(default_factory=list)  # member_codes only
    report: ImportReport = field(default_factory=ImportReport)

    def iter_codes(self) -> list[Code]:
        return flatten_codes(self.codes)


def flatten_codes(codes: list[Code]) -> list[Code]:
    """Depth-first, parents first; iterative so a deep tree cannot exhaust the stack."""
    out: list[Code] = []
    stack = list(reversed(codes))
    while stack:
        code = stack.pop()
        out.append(code)
        stack.extend(reversed(code.children))
    return out
