"""Export of REFI-QDA projects (.qdpx) and codebooks (.qdc), valid against Project.xsd / Codebook.xsd 1.0.

The model is checked first (canonical unique GUIDs, codings pointing at codes, selections inside
their text, text without ``\\r``, characters XML 1.0 allows) and a :class:`RefiQdaError` is raised
before anything is written. Then the XML is built in the schema's ``xsd:sequence`` order, empty
wrappers omitted (``<Sets/>`` is invalid), and the archive is written deterministically: fixed
timestamps, ``project.qde`` first, then ``sources/<guid>.txt`` (UTF-8, no BOM, ``\\n`` line endings),
so the same project always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable
from xml.etree.ElementTree import Element, SubElement, tostring  # building our own XML only

from .model import (
    VARIABLE_TYPES,
    Code,
    Codebook,
    Coding,
    Project,
    RefiQdaError,
    Selection,
    Set,
    TextSource,
    VariableValue,
    flatten_codes,
)

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
_CANONICAL_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_COLOR = re.compile(r"^#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")
# Characters XML 1.0 cannot carry at all (section 2.2), even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _guid(value: str, where: str) -> str:
    if not _CANONICAL_GUID.match(value):
        raise RefiQdaError(
            f"{where}: {value!r} is not a canonical GUID (36 lower-case hex characters and dashes)"
        )
    return value


def _xml_string(value: str, where: str) -> str:
    bad = _NOT_XML.search(value)
    if bad:
        raise RefiQdaError(f"{where}: character U+{ord(bad.group()):04X} cannot be written in XML 1.0")
    return value


def _datetime(value: dt.datetime) -> str:
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _opt_datetime(value: dt.datetime | None) -> str | None:
    return None if value is None else _datetime(value)


def _opt_guid(value: str | None, where: str) -> str | None:
    return None if value is None else _guid(value, where)


class _Builder:
    def __init__(self, ns: str) -> None:
        self.ns = ns
        self.seen: dict[str, str] = {}

    def tag(self, name: str) -> str:
        # Plain names plus an xmlns attribute on the root: ElementTree's default_namespace option
        # refuses documents with unqualified attributes, and every REFI-QDA attribute is unqualified.
        return name

    def register(self, guid: str, what: str) -> str:
        _guid(guid, what)
        if guid in self.seen:
            raise RefiQdaError(f"duplicate GUID {guid}: used by {self.seen[guid]} and by {what}")
        self.seen[guid] = what
        return guid

    def el(self, parent: Element | None, name: str, attrs: dict[str, str | None], where: str) -> Element:
        clean = {k: _xml_string(v, where) for k, v in attrs.items() if v is not None}
        if parent is None:
            return Element(self.tag(name), {"xmlns": self.ns, **clean})
        return SubElement(parent, self.tag(name), clean)

    def text(self, parent: Element, name: str, value: str | None, where: str) -> None:
        if value is not None:
            child = SubElement(parent, self.tag(name))
            child.text = _xml_string(value, where)

    def refs(self, parent: Element, name: str, guids: Iterable[str], where: str) -> None:
        for guid in guids:
            SubElement(parent, self.tag(name), {"targetGUID": _guid(guid, where)})

    def code(self, parent: Element, code: Code, *, codebook: bool) -> None:
        where = f"Code {code.guid} ({code.name!r})"
        self.register(code.guid, where)
        if code.color is not None and not _COLOR.match(code.color):
            raise RefiQdaError(f"{where}: colour {code.color!r} is not #RRGGBB")
        el = self.el(
            parent,
            "Code",
            {
                "guid": code.guid,
                "name": code.name,
                "isCodable": "true" if code.is_codable else "false",
                "color": code.color,
            },
            where,
        )
        self.text(el, "Description", code.description, where)
        if not codebook:
            self.refs(el, "NoteRef", code.note_refs, where)
        elif code.note_refs:
            raise RefiQdaError(f"{where}: a codebook (.qdc) cannot carry note references")
        for child in code.children:
            self.code(el, child, codebook=codebook)


def _zip(entries: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, payload in entries:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, payload)
    return buffer.getvalue()


def _check_code_refs(project: Project) -> None:
    codes = {code.guid for code in flatten_codes(project.codes)}
    for source in project.sources:
        for coding, where in _codings_of(source):
            if coding.code_guid not in codes:
                raise RefiQdaError(
                    f"{where}: Coding {coding.guid} refers to code {coding.code_guid}, which does not exist"
                )


def _codings_of(source: TextSource) -> Iterable[tuple[Coding, str]]:
    for coding in source.codings:
        yield coding, f"TextSource {source.guid}"
    for selection in source.selections:
        for coding in selection.codings:
            yield coding, f"PlainTextSelection {selection.guid} of TextSource {source.guid}"


class _ProjectWriter(_Builder):
    def __init__(self) -> None:
        super().__init__(PROJECT_NS)

    def value(self, parent: Element, value: VariableValue, where: str) -> None:
        if value.type not in VARIABLE_TYPES:
            raise RefiQdaError(f"{where}: {value.type!r} is not a REFI-QDA variable type")
        el = SubElement(parent, self.tag("VariableValue"))
        SubElement(el, self.tag("VariableRef"), {"targetGUID": _guid(value.variable_guid, where)})
        SubElement(el, self.tag(f"{value.type}Value")).text = _xml_string(value.value, where)

    def coding(self, parent: Element, coding: Coding, where: str) -> None:
        cwhere = f"Coding {coding.guid} in {where}"
        self.register(coding.guid, cwhere)
        el = self.el(
            parent,
            "Coding",
            {
                "guid": coding.guid,
                "creatingUser": _opt_guid(coding.creating_user, cwhere),
                "creationDateTime": _opt_datetime(coding.creation_datetime),
            },
            cwhere,
        )
        SubElement(el, self.tag("CodeRef"), {"targetGUID": _guid(coding.code_guid, cwhere)})
        self.refs(el, "NoteRef", coding.note_refs, cwhere)

    def selection(self, parent: Element, selection: Selection, source: TextSource) -> None:
        where = f"PlainTextSelection {selection.guid} of TextSource {source.guid}"
        self.register(selection.guid, where)
        if not 0 <= selection.start <= selection.end <= len(source.text):
            raise RefiQdaError(
                f"{where} spans [{selection.start}, {selection.end}), outside the text of "
                f"{len(source.text)} characters"
            )
        el = self.el(
            parent,
            "PlainTextSelection",
            {
                "guid": selection.guid,
                "name": selection.name,
                "startPosition": str(selection.start),
                "endPosition": str(selection.end),
                "creatingUser": _opt_guid(selection.creating_user, where),
                "creationDateTime": _opt_datetime(selection.creation_datetime),
                "modifyingUser": _opt_guid(selection.modifying_user, where),
                "modifiedDateTime": _opt_datetime(selection.modified_datetime),
            },
            where,
        )
        self.text(el, "Description", selection.description, where)
        for coding in selection.codings:
            self.coding(el, coding, where)
        self.refs(el, "NoteRef", selection.note_refs, where)

    def source(self, parent: Element, source: TextSource) -> tuple[str, bytes]:
        where = f"TextSource {source.guid}"
        self.register(source.guid, where)
        if "\r" in source.text:
            raise RefiQdaError(
                f"{where}: the text holds \\r; positions are counted with \\n line endings only"
            )
        _xml_string(source.name or "", where)
        try:
            payload = source.text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise RefiQdaError(f"{where}: the text holds a lone surrogate at {exc.start}") from exc
        filename = f"{source.guid}.txt"
        el = self.el(
            parent,
            "TextSource",
            {
                "guid": source.guid,
                "name": source.name,
                "plainTextPath": f"internal://{filename}",
                "creatingUser": _opt_guid(source.creating_user, where),
                "creationDateTime": _opt_datetime(source.creation_datetime),
                "modifyingUser": _opt_guid(source.modifying_user, where),
                "modifiedDateTime": _opt_datetime(source.modified_datetime),
            },
            where,
        )
        self.text(el, "Description", source.description, where)
        for selection in source.selections:
            self.selection(el, selection, source)
        for coding in source.codings:
            self.coding(el, coding, where)
        self.refs(el, "NoteRef", source.note_refs, where)
        for value in source.variable_values:
            self.value(el, value, where)
        return f"sources/{filename}", payload

    def project(self, project: Project, origin: str) -> tuple[bytes, list[tuple[str, bytes]]]:
        _check_code_refs(project)
        root = self.el(
            None,
            "Project",
            {
                "name": project.name,
                "origin": origin,
                "creatingUserGUID": project.creating_user and _guid(project.creating_user, "Project"),
                "creationDateTime": _opt_datetime(project.creation_datetime),
                "modifyingUserGUID": project.modifying_user and _guid(project.modifying_user, "Project"),
                "modifiedDateTime": _opt_datetime(project.modified_datetime),
            },
            "Project",
        )
        if project.users:
            users = SubElement(root, self.tag("Users"))
            for user in project.users:
                where = f"User {user.guid}"
                self.register(user.guid, where)
                self.el(users, "User", {"guid": user.guid, "name": user.name, "id": user.id}, where)
        if project.codes:
            codes = SubElement(SubElement(root, self.tag("CodeBook")), self.tag("Codes"))
            for code in project.codes:
                self.code(codes, code, codebook=False)
        if project.variables:
            variables = SubElement(root, self.tag("Variables"))
            for variable in project.variables:
                where = f"Variable {variable.guid}"
                self.register(variable.guid, where)
                if variable.type not in VARIABLE_TYPES:
                    raise RefiQdaError(f"{where}: {variable.type!r} is not a REFI-QDA variable type")
                el = self.el(
                    variables,
                    "Variable",
                    {"guid": variable.guid, "name": variable.name, "typeOfVariable": variable.type},
                    where,
                )
                self.text(el, "Description", variable.description, where)
        if project.cases:
            cases = SubElement(root, self.tag("Cases"))
            for case in project.cases:
                where = f"Case {case.guid}"
                self.register(case.guid, where)
                el = self.el(cases, "Case", {"guid": case.guid, "name": case.name}, where)
                self.text(el, "Description", case.description, where)
                self.refs(el, "CodeRef", case.code_refs, where)
                for value in case.variable_values:
                    self.value(el, value, where)
                self.refs(el, "SourceRef", case.source_refs, where)
                self.refs(el, "SelectionRef", case.selection_refs, where)
        files: list[tuple[str, bytes]] = []
        if project.sources:
            sources = SubElement(root, self.tag("Sources"))
            files = [self.source(sources, source) for source in project.sources]
        if project.notes:
            notes = SubElement(root, self.tag("Notes"))
            for note in project.notes:
                where = f"Note {note.guid}"
                self.register(note.guid, where)
                el = self.el(
                    notes,
                    "Note",
                    {
                        "guid": note.guid,
                        "name": note.name,
                        "creatingUser": _opt_guid(note.creating_user, where),
                        "creationDateTime": _opt_datetime(note.creation_datetime),
                        "modifyingUser": _opt_guid(note.modifying_user, where),
                        "modifiedDateTime": _opt_datetime(note.modified_datetime),
                    },
                    where,
                )
                self.text(el, "Description", note.description, where)
                # Notes are short: inline, so XML's own \r\n handling is the only line-ending rule.
                self.text(el, "PlainTextContent", note.text.replace("\r\n", "\n").replace("\r", "\n"), where)
        if project.links:
            links = SubElement(root, self.tag("Links"))
            for link in project.links:
                where = f"Link {link.guid}"
                self.register(link.guid, where)
                el = self.el(
                    links,
                    "Link",
                    {
                        "guid": link.guid,
                        "name": link.name,
                        "direction": link.direction,
                        "color": link.color,
                        "originGUID": _opt_guid(link.origin_guid, where),
                        "targetGUID": _opt_guid(link.target_guid, where),
                    },
                    where,
                )
                self.refs(el, "NoteRef", link.note_refs, where)
        if project.sets:
            sets = SubElement(root, self.tag("Sets"))
            for group in project.sets:
                self._set(sets, group)
        self.text(root, "Description", project.description, "Project")
        self.refs(root, "NoteRef", project.note_refs, "Project")
        xml = tostring(root, encoding="utf-8", xml_declaration=True)
        return xml, files

    def _set(self, parent: Element, group: Set) -> None:
        where = f"Set {group.guid}"
        self.register(group.guid, where)
        el = self.el(parent, "Set", {"guid": group.guid, "name": group.name}, where)
        self.text(el, "Description", group.description, where)
        self.refs(el, "MemberCode", group.member_codes, where)
        self.refs(el, "MemberSource", group.member_sources, where)
        self.refs(el, "MemberNote", group.member_notes, where)


def project_xml(project: Project, *, origin: str = "commed") -> bytes:
    """The ``project.qde`` document alone (for validation and inspection)."""
    return _ProjectWriter().project(project, origin)[0]


def write_project(project: Project, *, origin: str = "commed") -> bytes:
    """A .qdpx archive: ``project.qde`` and ``sources/<guid>.txt`` for every text source.

    ``origin`` names the software writing the file (the spec's meaning), not ``project.origin``, which
    records where an imported project came from.
    ``project.other_sources`` (media commed did not import) are not written: their files were never read.
    """
    xml, files = _ProjectWriter().project(project, origin)
    return _zip([("project.qde", xml), *files])


def codebook_xml(codebook: Codebook, *, origin: str = "commed") -> bytes:
    builder = _Builder(CODEBOOK_NS)
    if not codebook.codes:
        raise RefiQdaError(
            "a codebook needs at least one code (Codebook.xsd: <Codes> holds one or more <Code>)"
        )
    root = builder.el(None, "CodeBook", {"origin": origin}, "CodeBook")
    codes = SubElement(root, builder.tag("Codes"))
    for code in codebook.codes:
        builder.code(codes, code, codebook=True)
    known = {code.guid for code in flatten_codes(codebook.codes)}
    if codebook.sets:
        sets = SubElement(root, builder.tag("Sets"))
        for group in codebook.sets:
            where = f"Set {group.guid}"
            builder.register(group.guid, where)
            if group.member_sources or group.member_notes:
                raise RefiQdaError(f"{where}: a codebook set can only hold codes")
            el = builder.el(sets, "Set", {"guid": group.guid, "name": group.name}, where)
            builder.text(el, "Description", group.description, where)
            for member in group.member_codes:
                if member not in known:
                    raise RefiQdaError(f"{where}: member code {member} is not in the codebook")
                SubElement(el, builder.tag("MemberCode"), {"guid": member})
    xml: bytes = tostring(root, encoding="utf-8", xml_declaration=True)
    return xml


def write_codebook(codebook: Codebook, *, origin: str = "commed") -> bytes:
    """A .qdc document (XML, namespace ``urn:QDA-XML:codebook:1.0``); ``origin`` names the writer."""
    return codebook_xml(codebook, origin=origin)
