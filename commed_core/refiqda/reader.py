"""Import of REFI-QDA projects (.qdpx) and codebooks (.qdc).

Algorithm: (1) open the zip with :class:`SafeZip` (limits before and during decompression);
(2) parse ``project.qde`` with defusedxml (no DTD, no entities); (3) walk the tree by *local* element
names, so any ``urn:QDA-XML:*`` namespace version is accepted; (4) load each text source from the zip,
normalise it (BOM stripped, line endings to ``\\n``) and map the selection offsets into it;
(5) resolve every GUID reference, dropping dangling optional references with a deviation and
refusing dangling codings; (6) return the model with its :class:`ImportReport`. Any error raises
:class:`RefiQdaError` and nothing is returned.

Reference: REFI-QDA Standard 1.5 (Project.xsd / Codebook.xsd 1.0), sections 7 (import report),
9 (sources and paths) and 10 (selections: Unicode code points from 0).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element  # the type only; parsing uses defusedxml

from ._xml import local_name, namespace, parse_untrusted
from .model import (
    LINK_DIRECTIONS,
    VARIABLE_TYPES,
    Case,
    Code,
    Codebook,
    Coding,
    ImportReport,
    Link,
    LinkDirection,
    Note,
    OtherSource,
    Project,
    RefiQdaError,
    Selection,
    Set,
    TextSource,
    User,
    Variable,
    VariableType,
    VariableValue,
    flatten_codes,
)
from .safezip import DEFAULT_LIMITS, SafeZip, ZipLimits

_HEX_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_GUID = re.compile(rf"^(?:\{{({_HEX_GUID})\}}|({_HEX_GUID}))$")
_COLOR = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
_ARGB = re.compile(r"^#?[0-9a-fA-F]{2}([0-9a-fA-F]{6})$")
# A deterministic namespace for GUIDs made up on import (missing or malformed ones), so the same bad
# value maps to the same GUID everywhere in the file and on every import of it.
_IMPORT_NS = uuid.UUID("8b0f4a52-2a5e-4f55-9d0c-5e0b1c6f7a11")
_MAX_REPORT_LINES = 500
_UTF8_BOM = b"\xef\xbb\xbf"
_MEDIA_KINDS = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")
_MEDIA_SELECTIONS = ("PictureSelection", "PDFSelection", "AudioSelection", "VideoSelection", "Transcript")


def _short(value: str, limit: int = 80) -> str:
    return value if len(value) <= limit else value[:limit] + "…"


@dataclass
class _Report:
    """Collects report lines; identical lines are merged with a count, and the list is capped."""

    lines: dict[str, dict[str, int]] = field(default_factory=lambda: {"deviations": {}, "dropped": {}})
    guid_map: dict[str, str] = field(default_factory=dict)
    missing_media: list[str] = field(default_factory=list)

    def deviation(self, message: str) -> None:
        bucket = self.lines["deviations"]
        bucket[message] = bucket.get(message, 0) + 1

    def dropped(self, message: str) -> None:
        bucket = self.lines["dropped"]
        bucket[message] = bucket.get(message, 0) + 1

    @staticmethod
    def _render(bucket: dict[str, int]) -> list[str]:
        out = [msg if n == 1 else f"{msg} (×{n})" for msg, n in bucket.items()]
        if len(out) > _MAX_REPORT_LINES:
            out = [*out[:_MAX_REPORT_LINES], f"… and {len(out) - _MAX_REPORT_LINES} more lines"]
        return out

    def build(self) -> ImportReport:
        if self.guid_map:
            self.deviation(
                f"{len(self.guid_map)} GUID(s) re-spelt in canonical form (lower case, no braces; "
                "malformed ones replaced): the original spellings are in report.guid_map"
            )
        return ImportReport(
            deviations=self._render(self.lines["deviations"]),
            dropped=self._render(self.lines["dropped"]),
            guid_map=dict(self.guid_map),
            missing_media=list(self.missing_media),
        )


class _Reader:
    """State shared by the project and codebook readers: report, GUID registry, limits."""

    def __init__(self, limits: ZipLimits, entry: str) -> None:
        self.limits = limits
        self.entry = entry
        self.report = _Report()
        self.registry: dict[str, str] = {}

    # -- attributes --------------------------------------------------------------------------------
    def check_sizes(self, root: Element) -> None:
        cap = self.limits.max_xml_attribute_chars
        for el in root.iter():
            for key, value in el.attrib.items():
                if len(value) > cap:
                    raise RefiQdaError(
                        f"{self.entry}: attribute {local_name(key)!r} of <{local_name(el.tag)}> is "
                        f"{len(value)} characters long (limit {cap}); refused"
                    )

    def guid_value(self, raw: str, where: str) -> str:
        """Canonical form of a GUID: lower case, no braces; a malformed one is replaced, deterministically."""
        value = raw.strip()
        match = _GUID.match(value)
        if match:
            canonical = (match.group(1) or match.group(2)).lower()
        else:
            canonical = str(uuid.uuid5(_IMPORT_NS, value))
            self.report.deviation(f"{where}: {_short(value)!r} is not a GUID; replaced by {canonical}")
        if canonical != raw:
            self.report.guid_map[raw] = canonical
        return canonical

    def own_guid(self, el: Element, where: str, *, kind: str, attr: str = "guid") -> str:
        raw = el.get(attr)
        if raw is None:
            guid = str(uuid.uuid5(_IMPORT_NS, f"{kind}#{len(self.registry)}#{where}"))
            self.report.deviation(f"{where}: <{kind}> has no {attr}; given {guid}")
        else:
            guid = self.guid_value(raw, where)
        previous = self.registry.get(guid)
        if previous is not None:
            raise RefiQdaError(
                f"{self.entry}: duplicate GUID {guid}: used by {previous} and by {kind} {where}"
            )
        self.registry[guid] = f"{kind} {where}"
        return guid

    def ref_guid(self, el: Element, where: str, attr: str = "targetGUID") -> str | None:
        raw = el.get(attr)
        if raw is None:
            self.report.deviation(f"{where}: <{local_name(el.tag)}> without {attr}: ignored")
            return None
        return self.guid_value(raw, where)

    def opt_guid(self, el: Element, attr: str, where: str) -> str | None:
        raw = el.get(attr)
        return None if raw is None else self.guid_value(raw, f"{where} @{attr}")

    def datetime(self, el: Element, attr: str, where: str) -> dt.datetime | None:
        raw = el.get(attr)
        if raw is None:
            return None
        try:
            return dt.datetime.fromisoformat(raw.strip())
        except ValueError:
            self.report.deviation(f"{where}: {attr}={_short(raw)!r} is not an xsd:dateTime; dropped")
            return None

    def boolean(self, el: Element, attr: str, where: str, default: bool) -> bool:
        raw = el.get(attr)
        if raw is None:
            self.report.deviation(
                f"{where}: required attribute {attr} is missing; taken as {str(default).lower()}"
            )
            return default
        value = raw.strip().lower()
        if value in ("true", "1"):
            return True
        if value in ("false", "0"):
            return False
        self.report.deviation(
            f"{where}: {attr}={_short(raw)!r} is not a boolean; taken as {str(default).lower()}"
        )
        return default

    def color(self, el: Element, where: str) -> str | None:
        raw = el.get("color")
        if raw is None:
            return None
        value = raw.strip()
        match = _COLOR.match(value)
        if match:
            if not value.startswith("#"):
                self.report.deviation(
                    f"{where}: colour {value!r} has no '#'; read as #{match.group(1).upper()}"
                )
            return "#" + match.group(1).upper()
        argb = _ARGB.match(value)
        if argb:
            self.report.deviation(
                f"{where}: colour {value!r} has an alpha channel; kept as #{argb.group(1).upper()}"
            )
            return "#" + argb.group(1).upper()
        self.report.deviation(f"{where}: invalid colour {_short(value)!r} (expected #RRGGBB); dropped")
        return None

    def text_of(self, el: Element) -> str:
        return (el.text or "").replace("\r\n", "\n").replace("\r", "\n")

    def unknown(self, child: Element, parent: str) -> None:
        name = local_name(child.tag)
        if name:  # comments and processing instructions are not deviations
            self.report.deviation(f"unknown element <{name}> inside {parent}: ignored")

    # -- codes -------------------------------------------------------------------------------------
    def code(self, el: Element, depth: int, *, codebook: bool) -> Code:
        if depth > self.limits.max_code_depth:
            raise RefiQdaError(
                f"{self.entry}: codes nested deeper than {self.limits.max_code_depth} levels; refused"
            )
        name = el.get("name")
        where = f"Code {el.get('guid')!r}" if name is None else f"Code {_short(name)!r}"
        guid = self.own_guid(el, where, kind="Code")
        if name is None:
            self.report.deviation(f"{where}: required attribute name is missing; named after its GUID")
            name = guid
        code = Code(
            guid=guid,
            name=name,
            is_codable=self.boolean(el, "isCodable", where, True),
            color=self.color(el, where),
        )
        for child in el:
            kind = local_name(child.tag)
            if kind == "Description":
                code.description = self.text_of(child)
            elif kind == "NoteRef" and not codebook:
                ref = self.ref_guid(child, where)
                if ref:
                    code.note_refs.append(ref)
            elif kind == "Code":
                code.children.append(self.code(child, depth + 1, codebook=codebook))
            else:
                self.unknown(child, where)
        return code

    def codes_block(self, el: Element, *, codebook: bool) -> list[Code]:
        codes: list[Code] = []
        for child in el:
            if local_name(child.tag) == "Code":
                codes.append(self.code(child, 1, codebook=codebook))
            else:
                self.unknown(child, "<Codes>")
        if not codes:
            self.report.deviation("empty <Codes/> (the XSD needs at least one <Code>): read as no codes")
        return codes


def _children(el: Element) -> Iterator[tuple[str, Element]]:
    for child in el:
        yield local_name(child.tag), child


def _check_root(root: Element, *, expected: str, ns_prefix: str, entry: str, report: _Report) -> None:
    name = local_name(root.tag)
    if name != expected:
        raise RefiQdaError(f"{entry}: the root element is <{name}>, expected <{expected}>")
    ns = namespace(root.tag)
    if ns == f"{ns_prefix}1.0":
        return
    if ns.startswith(ns_prefix) or ns.startswith("urn:QDA-XML:"):
        report.deviation(f"{entry}: namespace {ns!r} instead of '{ns_prefix}1.0'; read by element names")
    elif ns == "":
        report.deviation(f"{entry}: no XML namespace (expected '{ns_prefix}1.0'); read by element names")
    else:
        raise RefiQdaError(
            f"{entry}: <{name}> is in namespace {ns!r}, which is not a REFI-QDA (urn:QDA-XML) one"
        )


# -- text -----------------------------------------------------------------------------------------


def normalise_text(raw: str) -> tuple[str, list[int]]:
    """The text with ``\\r\\n`` and lone ``\\r`` as ``\\n``, and the raw index of each merged ``\\n``.

    Lone ``\\r`` becomes ``\\n`` one for one, so only ``\\r\\n`` pairs shift offsets.
    """
    merged: list[int] = []
    if "\r" not in raw:
        return raw, merged
    start = 0
    while True:
        index = raw.find("\r\n", start)
        if index < 0:
            break
        merged.append(index + 1)
        start = index + 2
    return raw.replace("\r\n", "\n").replace("\r", "\n"), merged


def map_raw_offset(offset: int, merged: list[int]) -> int:
    """A position counted with ``\\r\\n`` as two code points, mapped to the normalised text."""
    return offset - bisect_left(merged, offset)


def decode_source(data: bytes, entry: str, report: _Report) -> str:
    """UTF-8 (the standard's encoding), a leading BOM stripped; UTF-16 with a BOM accepted as a deviation."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise RefiQdaError(f"source text {entry!r} is broken UTF-16 at byte {exc.start}") from exc
        report.deviation(f"source text {entry!r} is UTF-16, not UTF-8: converted")
        return text.removeprefix("\ufeff")
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RefiQdaError(
            f"source text {entry!r} is not valid UTF-8 (byte {exc.start}: "
            f"{data[exc.start : exc.start + 4]!r}); positions cannot be counted in it"
        ) from exc


@dataclass
class _PendingCoding:
    coding: Coding
    where: str


class _ProjectReader(_Reader):
    def __init__(self, archive: SafeZip, limits: ZipLimits, entry: str) -> None:
        super().__init__(limits, entry)
        self.archive = archive
        self.codings: list[_PendingCoding] = []
        self.user_refs: list[tuple[str, str]] = []
        self.kept: dict[str, str] = {}  # GUID -> kind, for objects that survive the import

    # -- paths -------------------------------------------------------------------------------------
    def load_text(self, path: str, where: str) -> str | None:
        """The text behind ``plainTextPath``, or None if it is not inside the archive (missing media)."""
        value = path.strip()
        if value.lower().startswith("internal://"):
            name = value[len("internal://") :]
            if not name or "/" in name or "\\" in name or name in (".", ".."):
                raise RefiQdaError(
                    f"{where}: plainTextPath {_short(value)!r} points outside the flat sources/ folder"
                )
        elif "://" in value:
            self.report.missing_media.append(f"{where}: {_short(value)} (not read: external path)")
            return None
        else:
            name = value
            if not name or "/" in name or "\\" in name or name in (".", ".."):
                self.report.missing_media.append(f"{where}: {_short(value)} (not read: not an internal name)")
                return None
            self.report.deviation(
                f"{where}: plainTextPath {_short(value)!r} has no internal:// prefix; read from sources/"
            )
        stored = self.archive.find(f"sources/{name}")
        if stored is None:
            self.report.missing_media.append(f"{where}: {_short(value)} (not in the archive)")
            return None
        return decode_source(self.archive.read(stored), stored, self.report)

    # -- pieces ------------------------------------------------------------------------------------
    def user_ref(self, el: Element, attr: str, where: str) -> str | None:
        guid = self.opt_guid(el, attr, where)
        if guid is not None:
            self.user_refs.append((guid, where))
        return guid

    def coding(self, el: Element, where: str) -> Coding | None:
        guid = self.own_guid(el, f"in {where}", kind="Coding")
        cwhere = f"Coding {guid} in {where}"
        code_guid: str | None = None
        note_refs: list[str] = []
        for kind, child in _children(el):
            if kind == "CodeRef":
                code_guid = self.ref_guid(child, cwhere)
            elif kind == "NoteRef":
                ref = self.ref_guid(child, cwhere)
                if ref:
                    note_refs.append(ref)
            else:
                self.unknown(child, cwhere)
        if code_guid is None:
            self.report.deviation(f"{cwhere} has no CodeRef: dropped")
            return None
        coding = Coding(
            guid=guid,
            code_guid=code_guid,
            creating_user=self.user_ref(el, "creatingUser", cwhere),
            creation_datetime=self.datetime(el, "creationDateTime", cwhere),
            note_refs=note_refs,
        )
        self.codings.append(_PendingCoding(coding, cwhere))
        self.kept[guid] = "coding"
        return coding

    def variable_value(self, el: Element, where: str) -> VariableValue | None:
        ref: str | None = None
        typ: VariableType | None = None
        value = ""
        for kind, child in _children(el):
            if kind == "VariableRef":
                ref = self.ref_guid(child, where)
            elif kind.endswith("Value") and kind[: -len("Value")] in VARIABLE_TYPES:
                typ = next(t for t in VARIABLE_TYPES if t == kind[: -len("Value")])
                value = (child.text or "").strip() if typ != "Text" else self.text_of(child)
            else:
                self.unknown(child, f"VariableValue in {where}")
        if ref is None:
            self.report.deviation(f"{where}: <VariableValue> without <VariableRef>: dropped")
            return None
        if typ is None:
            self.report.deviation(f"{where}: <VariableValue> of {ref} has no value element: dropped")
            return None
        if not _lexical_ok(typ, value):
            self.report.deviation(f"{where}: {_short(value)!r} is not a valid {typ} value for {ref}: dropped")
            return None
        return VariableValue(variable_guid=ref, type=typ, value=value)

    def selection(self, el: Element, source_where: str) -> tuple[Selection, int, int] | None:
        name = el.get("name")
        guid = self.own_guid(el, f"in {source_where}", kind="PlainTextSelection")
        where = f"PlainTextSelection {guid} of {source_where}"
        try:
            start = int((el.get("startPosition") or "").strip())
            end = int((el.get("endPosition") or "").strip())
        except ValueError as exc:
            raise RefiQdaError(
                f"{self.entry}: {where}: startPosition={el.get('startPosition')!r} / "
                f"endPosition={el.get('endPosition')!r} are not integers"
            ) from exc
        selection = Selection(
            guid=guid,
            start=start,
            end=end,
            name=name,
            creating_user=self.user_ref(el, "creatingUser", where),
            creation_datetime=self.datetime(el, "creationDateTime", where),
            modifying_user=self.user_ref(el, "modifyingUser", where),
            modified_datetime=self.datetime(el, "modifiedDateTime", where),
        )
        for kind, child in _children(el):
            if kind == "Description":
                selection.description = self.text_of(child)
            elif kind == "Coding":
                coding = self.coding(child, where)
                if coding:
                    selection.codings.append(coding)
            elif kind == "NoteRef":
                ref = self.ref_guid(child, where)
                if ref:
                    selection.note_refs.append(ref)
            else:
                self.unknown(child, where)
        self.kept[guid] = "selection"
        return selection, start, end

    def text_source(self, el: Element) -> TextSource | OtherSource:
        name = el.get("name")
        guid = self.own_guid(el, f"named {name!r}", kind="TextSource")
        where = f"TextSource {guid}" + (f" ({_short(name)!r})" if name else "")
        path = el.get("plainTextPath")
        inline: str | None = None
        raw_selections: list[tuple[Selection, int, int]] = []
        source = TextSource(
            guid=guid,
            name=name,
            text="",
            plain_text_path=path,
            creating_user=self.user_ref(el, "creatingUser", where),
            creation_datetime=self.datetime(el, "creationDateTime", where),
            modifying_user=self.user_ref(el, "modifyingUser", where),
            modified_datetime=self.datetime(el, "modifiedDateTime", where),
        )
        for kind, child in _children(el):
            if kind == "Description":
                source.description = self.text_of(child)
            elif kind == "PlainTextContent":
                inline = child.text or ""
            elif kind == "PlainTextSelection":
                picked = self.selection(child, where)
                if picked:
                    raw_selections.append(picked)
            elif kind == "Coding":
                coding = self.coding(child, where)
                if coding:
                    source.codings.append(coding)
            elif kind == "NoteRef":
                ref = self.ref_guid(child, where)
                if ref:
                    source.note_refs.append(ref)
            elif kind == "VariableValue":
                value = self.variable_value(child, where)
                if value:
                    source.variable_values.append(value)
            else:
                self.unknown(child, where)
        raw: str | None = None
        if path is not None:
            raw = self.load_text(path, where)
            if inline is not None:
                self.report.deviation(f"{where}: both plainTextPath and PlainTextContent; the file is used")
        if raw is None and inline is not None:
            raw = inline
        if raw is None:
            reason = (
                "its plain text is not inside the archive"
                if path
                else "it has neither plainTextPath nor text"
            )
            self.report.dropped(
                f"{where}: not imported ({reason}), with {len(raw_selections)} selection(s) and "
                f"{len(source.codings)} whole-source coding(s)"
            )
            for selection, _, _ in raw_selections:
                self._forget_selection(selection)
            for coding in source.codings:
                self._forget_coding(coding)
            self.kept.pop(guid, None)
            return OtherSource(
                guid=guid, name=name, kind="TextSource", path=path or source.plain_text_path, reason=reason
            )
        source.text = self.place_selections(raw, raw_selections, where)
        source.selections = [selection for selection, _, _ in raw_selections]
        self.kept[guid] = "source"
        return source

    def place_selections(self, raw: str, selections: list[tuple[Selection, int, int]], where: str) -> str:
        """Normalise the text and put every selection's offsets into it.

        Rule: offsets count ``\\r\\n`` as ONE code point (as ATLAS.ti does), i.e. they are offsets into the
        normalised text. If some selection only fits when ``\\r\\n`` counts as two, the exporter counted raw
        code points: every offset of this source is then mapped, and the deviation reported.
        """
        text, merged = normalise_text(raw)
        counted_raw = False
        if (
            merged
            and any(end > len(text) for _, _, end in selections)
            and all(0 <= start <= end <= len(raw) for _, start, end in selections)
        ):
            counted_raw = True
            self.report.deviation(
                f"{where}: offsets count each \\r\\n as two characters; mapped to \\n line endings"
            )
        for selection, start, end in selections:
            if counted_raw:
                start, end = map_raw_offset(start, merged), map_raw_offset(end, merged)
            if start < 0 or end < start or end > len(text):
                raise RefiQdaError(
                    f"{self.entry}: PlainTextSelection {selection.guid} of {where} spans [{start}, {end}), "
                    f"outside the text of {len(text)} characters (or start after end)"
                )
            if start == end:
                self.report.deviation(
                    f"{where}: PlainTextSelection {selection.guid} is empty ({start} = {end})"
                )
            selection.start, selection.end = start, end
        return text

    def _forget_selection(self, selection: Selection) -> None:
        self.kept.pop(selection.guid, None)
        for coding in selection.codings:
            self._forget_coding(coding)

    def _forget_coding(self, coding: Coding) -> None:
        self.kept.pop(coding.guid, None)
        self.codings = [p for p in self.codings if p.coding is not coding]

    def media_source(self, el: Element, kind: str) -> OtherSource:
        name = el.get("name")
        guid = self.own_guid(el, f"named {name!r}", kind=kind)
        path = el.get("path")
        counts: dict[str, int] = {}
        for child in el.iter():
            child_kind = local_name(child.tag)
            if child_kind in (*_MEDIA_SELECTIONS, "PlainTextSelection", "Coding", "TranscriptSelection"):
                counts[child_kind] = counts.get(child_kind, 0) + 1
        detail = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "nothing coded"
        self.report.dropped(
            f"{kind} {guid} ({_short(name or '')!r}, path {_short(path or '')!r}): not imported ({detail})"
        )
        if path and not path.lower().startswith("internal://"):
            self.report.missing_media.append(f"{kind} {guid}: {_short(path)} (not read: external path)")
        return OtherSource(
            guid=guid, name=name, kind=kind, path=path, reason="commed imports text sources only"
        )

    def note(self, el: Element) -> Note | None:
        name = el.get("name")
        guid = self.own_guid(el, f"named {name!r}", kind="Note")
        where = f"Note {guid}"
        note = Note(
            guid=guid,
            name=name,
            text="",
            creating_user=self.user_ref(el, "creatingUser", where),
            creation_datetime=self.datetime(el, "creationDateTime", where),
            modifying_user=self.user_ref(el, "modifyingUser", where),
            modified_datetime=self.datetime(el, "modifiedDateTime", where),
        )
        text: str | None = None
        for kind, child in _children(el):
            if kind == "Description":
                note.description = self.text_of(child)
            elif kind == "PlainTextContent":
                text = self.text_of(child)
            elif kind in ("PlainTextSelection", "Coding", "NoteRef", "VariableValue"):
                self.report.dropped(f"{where}: <{kind}> inside a note is not kept")
            else:
                self.unknown(child, where)
        path = el.get("plainTextPath")
        if text is None and path is not None:
            loaded = self.load_text(path, where)
            text = None if loaded is None else normalise_text(loaded)[0]
        if text is None:
            self.report.deviation(
                f"{where} has no text (neither PlainTextContent nor a readable plainTextPath)"
            )
            text = ""
        note.text = text
        self.kept[guid] = "note"
        return note

    def case(self, el: Element) -> Case:
        guid = self.own_guid(el, f"named {el.get('name')!r}", kind="Case")
        where = f"Case {guid}"
        case = Case(guid=guid, name=el.get("name"))
        for kind, child in _children(el):
            if kind == "Description":
                case.description = self.text_of(child)
            elif kind == "CodeRef":
                ref = self.ref_guid(child, where)
                if ref:
                    case.code_refs.append(ref)
            elif kind == "SourceRef":
                ref = self.ref_guid(child, where)
                if ref:
                    case.source_refs.append(ref)
            elif kind == "SelectionRef":
                ref = self.ref_guid(child, where)
                if ref:
                    case.selection_refs.append(ref)
            elif kind == "VariableValue":
                value = self.variable_value(child, where)
                if value:
                    case.variable_values.append(value)
            else:
                self.unknown(child, where)
        self.kept[guid] = "case"
        return case

    def variable(self, el: Element) -> Variable:
        name = el.get("name")
        guid = self.own_guid(el, f"named {name!r}", kind="Variable")
        where = f"Variable {guid}"
        raw_type = (el.get("typeOfVariable") or "").strip()
        typ: VariableType = "Text"
        match = [t for t in VARIABLE_TYPES if t.lower() == raw_type.lower()]
        if match:
            typ = match[0]
            if typ != raw_type:
                self.report.deviation(f"{where}: typeOfVariable {raw_type!r} read as {typ!r}")
        else:
            self.report.deviation(
                f"{where}: typeOfVariable {_short(raw_type)!r} is not a REFI-QDA type; read as Text"
            )
        if name is None:
            self.report.deviation(f"{where}: required attribute name is missing")
        variable = Variable(guid=guid, name=name or guid, type=typ)
        for kind, child in _children(el):
            if kind == "Description":
                variable.description = self.text_of(child)
            else:
                self.unknown(child, where)
        self.kept[guid] = "variable"
        return variable

    def link(self, el: Element) -> Link:
        guid = self.own_guid(el, f"named {el.get('name')!r}", kind="Link")
        where = f"Link {guid}"
        raw_direction = el.get("direction")
        direction: LinkDirection | None = None
        if raw_direction is not None:
            found = [d for d in LINK_DIRECTIONS if d == raw_direction.strip()]
            if found:
                direction = found[0]
            else:
                self.report.deviation(
                    f"{where}: direction {_short(raw_direction)!r} is not a REFI-QDA direction; dropped"
                )
        link = Link(
            guid=guid,
            name=el.get("name"),
            direction=direction,
            color=self.color(el, where),
            origin_guid=self.opt_guid(el, "originGUID", where),
            target_guid=self.opt_guid(el, "targetGUID", where),
        )
        for kind, child in _children(el):
            if kind == "NoteRef":
                ref = self.ref_guid(child, where)
                if ref:
                    link.note_refs.append(ref)
            else:
                self.unknown(child, where)
        self.kept[guid] = "link"
        return link

    def set_(self, el: Element) -> Set:
        name = el.get("name")
        guid = self.own_guid(el, f"named {name!r}", kind="Set")
        where = f"Set {guid}"
        if name is None:
            self.report.deviation(f"{where}: required attribute name is missing")
        group = Set(guid=guid, name=name or "")
        members = {
            "MemberCode": group.member_codes,
            "MemberSource": group.member_sources,
            "MemberNote": group.member_notes,
        }
        for kind, child in _children(el):
            if kind == "Description":
                group.description = self.text_of(child)
            elif kind in members:
                ref = self.ref_guid(child, where)
                if ref:
                    members[kind].append(ref)
            else:
                self.unknown(child, where)
        self.kept[guid] = "set"
        return group

    # -- the whole ---------------------------------------------------------------------------------
    def wrapper(self, el: Element, child_kind: str, build: Callable[[Element], object]) -> list[object]:
        items: list[object] = []
        wrapper = local_name(el.tag)
        for kind, child in _children(el):
            if kind == child_kind:
                item = build(child)
                if item is not None:
                    items.append(item)
            else:
                self.unknown(child, f"<{wrapper}>")
        if len(el) == 0:
            self.report.deviation(f"empty <{wrapper}/> (the XSD needs at least one <{child_kind}>): ignored")
        return items

    def project(self, root: Element) -> Project:
        _check_root(
            root, expected="Project", ns_prefix="urn:QDA-XML:project:", entry=self.entry, report=self.report
        )
        self.check_sizes(root)
        name = root.get("name")
        if name is None:
            self.report.deviation("<Project> has no name attribute (required)")
        project = Project(
            name=name or "",
            origin=root.get("origin"),
            creating_user=self.user_ref(root, "creatingUserGUID", "Project"),
            creation_datetime=self.datetime(root, "creationDateTime", "Project"),
            modifying_user=self.user_ref(root, "modifyingUserGUID", "Project"),
            modified_datetime=self.datetime(root, "modifiedDateTime", "Project"),
        )
        if root.get("basePath"):
            self.report.deviation(
                f"Project basePath {_short(root.get('basePath') or '')!r} is recorded only; never read"
            )
        for kind, child in _children(root):
            if kind == "Users":
                project.users = [u for u in self.wrapper(child, "User", self.user) if isinstance(u, User)]
            elif kind == "CodeBook":
                for sub_kind, sub in _children(child):
                    if sub_kind == "Codes":
                        project.codes.extend(self.codes_block(sub, codebook=False))
                    else:
                        self.unknown(sub, "<CodeBook>")
            elif kind == "Variables":
                project.variables = [
                    v for v in self.wrapper(child, "Variable", self.variable) if isinstance(v, Variable)
                ]
            elif kind == "Cases":
                project.cases = [c for c in self.wrapper(child, "Case", self.case) if isinstance(c, Case)]
            elif kind == "Sources":
                self.sources(child, project)
            elif kind == "Notes":
                project.notes = [n for n in self.wrapper(child, "Note", self.note) if isinstance(n, Note)]
            elif kind == "Links":
                project.links = [lk for lk in self.wrapper(child, "Link", self.link) if isinstance(lk, Link)]
            elif kind == "Sets":
                project.sets = [s for s in self.wrapper(child, "Set", self.set_) if isinstance(s, Set)]
            elif kind == "Graphs":
                self.report.dropped(f"Graphs: {len(child)} graph(s) not imported (commed draws no graphs)")
            elif kind == "Description":
                project.description = self.text_of(child)
            elif kind == "NoteRef":
                ref = self.ref_guid(child, "Project")
                if ref:
                    project.note_refs.append(ref)
            else:
                self.unknown(child, "<Project>")
        for code in flatten_codes(project.codes):
            self.kept[code.guid] = "code"
        for user in project.users:
            self.kept[user.guid] = "user"
        self.resolve(project)
        project.report = self.report.build()
        return project

    def user(self, el: Element) -> User:
        guid = self.own_guid(el, f"named {el.get('name')!r}", kind="User")
        return User(guid=guid, name=el.get("name"), id=el.get("id"))

    def sources(self, el: Element, project: Project) -> None:
        if len(el) == 0:
            self.report.deviation("empty <Sources/> (the XSD needs at least one source): ignored")
        for kind, child in _children(el):
            if kind == "TextSource":
                source = self.text_source(child)
                if isinstance(source, TextSource):
                    project.sources.append(source)
                else:
                    project.other_sources.append(source)
            elif kind in _MEDIA_KINDS:
                project.other_sources.append(self.media_source(child, kind))
            else:
                self.unknown(child, "<Sources>")

    # -- references ---------------------------------------------------------------------------------
    def _keep(self, refs: list[str], kinds: tuple[str, ...], where: str, what: str) -> list[str]:
        kept = []
        for ref in refs:
            if self.kept.get(ref) in kinds:
                kept.append(ref)
            else:
                self.report.deviation(
                    f"{where}: {what} {ref} does not exist in the project: reference dropped"
                )
        return kept

    def resolve(self, project: Project) -> None:
        """Check every reference once all objects are known (the XSD order need not be followed)."""
        codes = {code.guid for code in flatten_codes(project.codes)}
        for pending in self.codings:
            if pending.coding.code_guid not in codes:
                raise RefiQdaError(
                    f"{self.entry}: {pending.where} refers to code {pending.coding.code_guid}: no such code"
                )
        users = {user.guid for user in project.users}
        for guid, where in self.user_refs:
            if guid not in users:
                self.report.deviation(f"{where}: user {guid} is not among <Users>; kept as given")
        notes = ("note",)
        for code in flatten_codes(project.codes):
            code.note_refs = self._keep(code.note_refs, notes, f"Code {code.guid}", "note")
        for source in project.sources:
            source.note_refs = self._keep(source.note_refs, notes, f"TextSource {source.guid}", "note")
            for selection in source.selections:
                selection.note_refs = self._keep(
                    selection.note_refs, notes, f"Selection {selection.guid}", "note"
                )
                for coding in selection.codings:
                    coding.note_refs = self._keep(coding.note_refs, notes, f"Coding {coding.guid}", "note")
            for coding in source.codings:
                coding.note_refs = self._keep(coding.note_refs, notes, f"Coding {coding.guid}", "note")
            source.variable_values = self._values(
                source.variable_values, project, f"TextSource {source.guid}"
            )
        for case in project.cases:
            where = f"Case {case.guid}"
            case.code_refs = self._keep(case.code_refs, ("code",), where, "code")
            case.source_refs = self._keep(case.source_refs, ("source",), where, "source")
            case.selection_refs = self._keep(case.selection_refs, ("selection",), where, "selection")
            case.variable_values = self._values(case.variable_values, project, where)
        for group in project.sets:
            where = f"Set {group.guid}"
            group.member_codes = self._keep(group.member_codes, ("code",), where, "member code")
            group.member_sources = self._keep(group.member_sources, ("source",), where, "member source")
            group.member_notes = self._keep(group.member_notes, notes, where, "member note")
        kept_links = []
        for link in project.links:
            link.note_refs = self._keep(link.note_refs, notes, f"Link {link.guid}", "note")
            ends = [g for g in (link.origin_guid, link.target_guid) if g is not None]
            lost = [g for g in ends if g not in self.kept or self.kept[g] == "link"]
            if lost:
                self.report.dropped(f"Link {link.guid}: its end {lost[0]} was not imported or does not exist")
                continue
            kept_links.append(link)
        project.links = kept_links
        project.note_refs = self._keep(project.note_refs, notes, "Project", "note")

    def _values(self, values: list[VariableValue], project: Project, where: str) -> list[VariableValue]:
        variables = {variable.guid: variable for variable in project.variables}
        kept = []
        for value in values:
            variable = variables.get(value.variable_guid)
            if variable is None:
                self.report.deviation(
                    f"{where}: variable {value.variable_guid} does not exist: value dropped"
                )
                continue
            if variable.type != value.type:
                self.report.deviation(
                    f"{where}: a {value.type} value for variable {variable.guid} ({variable.type}): kept"
                )
            kept.append(value)
        return kept


_INT = re.compile(r"^[+-]?\d+$")
_DATE = re.compile(r"^-?\d{4,}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$")


def _lexical_ok(typ: VariableType, value: str) -> bool:
    """Does ``value`` fit the XSD lexical space of the value element (so an export stays valid)?"""
    if typ == "Text":
        return True
    if typ == "Boolean":
        return value in ("true", "false", "1", "0")
    if typ == "Integer":
        return bool(_INT.match(value))
    if typ == "Float":
        try:
            number = Decimal(value)
        except InvalidOperation:
            return False
        return number.is_finite() and "e" not in value.lower()
    if typ == "Date":
        if not _DATE.match(value):
            return False
        try:
            dt.date.fromisoformat(value[:10])
        except ValueError:
            return False
        return True
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return "T" in value


def _looks_like_xml(data: bytes) -> bool:
    head = data.lstrip()[:64]
    return head.startswith((b"<", _UTF8_BOM + b"<"))


def read_project(data: bytes, *, limits: ZipLimits = DEFAULT_LIMITS) -> Project:
    """Import a REFI-QDA project (.qdpx bytes). Raises :class:`RefiQdaError`; see the module docstring."""
    if _looks_like_xml(data):
        raise RefiQdaError(
            "this is an XML file (a .qde or .qdc?), not a .qdpx zip: a project is a zip archive"
        )
    archive = SafeZip(data, limits)
    entry = archive.find("project.qde")
    if entry is None:
        others = [n for n in archive.names() if n.lower().endswith(".qde") and "/" not in n]
        if len(others) != 1:
            raise RefiQdaError(
                "the archive has no project.qde (found: "
                + (", ".join(repr(n) for n in archive.names()[:10]) or "no entries")
                + ")"
            )
        entry = others[0]
    reader = _ProjectReader(archive, limits, entry)
    if entry.lower() != "project.qde":
        reader.report.deviation(f"the project XML is called {entry!r}, not project.qde")
    root = parse_untrusted(archive.read(entry), entry=entry)
    return reader.project(root)


def read_codebook(data: bytes, *, limits: ZipLimits = DEFAULT_LIMITS) -> Codebook:
    """Import a REFI-QDA codebook (.qdc bytes: XML, root ``CodeBook``)."""
    if data[:4] == b"PK\x03\x04":
        raise RefiQdaError("this is a zip archive (a .qdpx project?), not a .qdc codebook (XML)")
    if len(data) > limits.max_entry_bytes:
        raise RefiQdaError(f"the codebook is {len(data)} bytes, over the limit of {limits.max_entry_bytes}")
    entry = "codebook"
    reader = _Reader(limits, entry)
    root = parse_untrusted(data, entry=entry)
    _check_root(
        root, expected="CodeBook", ns_prefix="urn:QDA-XML:codebook:", entry=entry, report=reader.report
    )
    reader.check_sizes(root)
    codebook = Codebook(origin=root.get("origin"))
    for kind, child in _children(root):
        if kind == "Codes":
            codebook.codes.extend(reader.codes_block(child, codebook=True))
        elif kind == "Sets":
            if len(child) == 0:
                reader.report.deviation("empty <Sets/> (the XSD needs at least one <Set>): ignored")
            for sub_kind, sub in _children(child):
                if sub_kind == "Set":
                    codebook.sets.append(_codebook_set(reader, sub))
                else:
                    reader.unknown(sub, "<Sets>")
        else:
            reader.unknown(child, "<CodeBook>")
    codes = {code.guid for code in flatten_codes(codebook.codes)}
    for group in codebook.sets:
        kept = []
        for ref in group.member_codes:
            if ref in codes:
                kept.append(ref)
            else:
                reader.report.deviation(f"Set {group.guid}: member code {ref} does not exist: dropped")
        group.member_codes = kept
    codebook.report = reader.report.build()
    return codebook


def _codebook_set(reader: _Reader, el: Element) -> Set:
    name = el.get("name")
    guid = reader.own_guid(el, f"named {name!r}", kind="Set")
    where = f"Set {guid}"
    if name is None:
        reader.report.deviation(f"{where}: required attribute name is missing")
    group = Set(guid=guid, name=name or "")
    for kind, child in _children(el):
        if kind == "Description":
            group.description = reader.text_of(child)
        elif kind == "MemberCode":
            attr = "guid"
            if child.get("guid") is None and child.get("targetGUID") is not None:
                reader.report.deviation(f"{where}: MemberCode uses targetGUID (the project form), not guid")
                attr = "targetGUID"
            ref = reader.ref_guid(child, where, attr)
            if ref:
                group.member_codes.append(ref)
        else:
            reader.unknown(child, where)
    return group
