"""REFI-QDA exchange between a study and `.qdpx` projects / `.qdc` codebooks, through `commed_core.refiqda`.

Import is atomic: the core reader validates the whole archive first (zip limits, defusedxml, GUIDs, offsets)
and raises `RefiQdaError` naming the entry and element; nothing is written unless every row can be. GUIDs and
positions are kept, so a round trip gives back the same identities. The identity link and the pseudonymisation
log are never exported. Every export is audited.

What the study keeps of a project: users (as coders), the codebook with hierarchy, colours and `isCodable`
(a description's "Include:", "Exclude:", "Examples:" paragraphs go back to their fields), variables, cases (as
participants, with their values and sources), text sources, selections with their codings and coders, notes
(as memos on the document, code, segment or study they are attached to, by NoteRef or by a Link from the note,
as NVivo does), and source variables (MAXQDA: as attributes of the source's participant). Everything else is
listed in the report as "not kept: ...": sets, other links, selections without a coding, cases' code and
selection references, descriptions of cases, sources and selections; the core reader's deviations and losses
(media sources, graphs, unreadable paths) come first.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from commed.accounts.models import User
from commed.audit.models import Action
from commed.audit.services import audit_record
from commed.qualitative import services
from commed.qualitative.models import (
    Code,
    Coder,
    Coding,
    Document,
    Memo,
    Participant,
    ParticipantValue,
    Study,
    Turn,
    Variable,
)
from commed.qualitative.services import ImportFailed
from commed_core import refiqda as rq
from commed_core.transcripts import detect_turns


@dataclass
class ExchangeReport:
    study: Study
    codes: int = 0
    documents: int = 0
    codings: int = 0
    participants: int = 0
    memos: int = 0
    messages: list[str] = field(default_factory=list)


def _read_project(data: bytes, filename: str) -> rq.Project:
    try:
        return rq.read_project(data)
    except rq.RefiQdaError as exc:
        raise ImportFailed(f"{filename}: {exc}") from exc
    except ValueError as exc:  # anything else the core refuses
        raise ImportFailed(f"{filename}: {exc}") from exc


def _read_codebook(data: bytes, filename: str) -> rq.Codebook:
    """A `.qdc`, or QualCoder's plain-text codebook (`.txt`: `category>>code<TAB>memo` a line)."""
    try:
        if filename.lower().endswith(".txt"):
            return rq.read_codebook_text(data, filename)
        return rq.read_codebook(data)
    except ValueError as exc:
        raise ImportFailed(f"{filename}: {exc}") from exc


def _report_lines(report: rq.ImportReport) -> list[str]:
    lines = [f"deviation: {d}" for d in report.deviations]
    lines += [f"not kept: {d}" for d in report.dropped]
    lines += [f"not read: {m}" for m in report.missing_media]
    return lines


def _check_free(study: Study, model: type[Code] | type[Document] | type[Coder], guids: list[str], what: str,
                filename: str) -> None:
    clash = model.objects.filter(study=study, guid__in=guids).values_list("guid", flat=True)[:1]
    if clash:
        raise ImportFailed(f"{filename}: the study already has a {what} with GUID {clash[0]} (imported before?)")


def _import_codes(study: Study, by: User | None, codes: list[rq.Code], filename: str) -> dict[str, Code]:
    _check_free(study, Code, [c.guid for c in rq.model.flatten_codes(codes)], "code", filename)
    made: dict[str, Code] = {}
    stack: list[tuple[rq.Code, Code | None]] = [(c, None) for c in reversed(codes)]
    while stack:
        node, parent = stack.pop()
        colour = (node.color or "").upper()
        if len(colour) == 4:  # #RGB -> #RRGGBB
            colour = "#" + "".join(ch * 2 for ch in colour[1:])
        parts = _split_description(node.description or "")
        code = services.code_create(
            study=study, by=None, name=node.name or "(unnamed)", parent=parent, definition=parts["definition"],
            inclusion=parts["inclusion"], exclusion=parts["exclusion"], examples=parts["examples"],
            colour=colour if re.fullmatch(r"#[0-9A-F]{6}", colour) else "", guid=node.guid,
            is_codable=node.is_codable,
        )
        made[node.guid] = code
        stack.extend((child, code) for child in reversed(node.children))
    return made


_LABELS = {"Include": "inclusion", "Exclude": "exclusion", "Examples": "examples"}
_LABELLED = re.compile(r"\n\n(?=(?:Include|Exclude|Examples): )")


def _split_description(text: str) -> dict[str, str]:
    """The code's fields from a REFI-QDA description; the inverse of `_description` (labelled paragraphs
    "Include: ...", "Exclude: ...", "Examples: ..." after the definition), so a round trip keeps them apart."""
    fields = {"definition": "", "inclusion": "", "exclusion": "", "examples": ""}
    pieces = _LABELLED.split(text)
    if pieces and not re.match(r"(?:Include|Exclude|Examples): ", pieces[0]):
        fields["definition"] = pieces.pop(0)
    for piece in pieces:
        label, _, value = piece.partition(": ")
        name = _LABELS[label]
        fields[name] = f"{fields[name]}\n\n{value}" if fields[name] else value
    return fields


def _sets_not_kept(sets: list[rq.Set]) -> list[str]:
    return [f"not kept: Set {s.guid} ({s.name!r}, {len(s.member_codes)} codes, {len(s.member_sources)} sources, "
            f"{len(s.member_notes)} notes): commed has no sets of codes or documents" for s in sets]


@transaction.atomic
def codebook_import(*, study: Study, by: User | None, data: bytes, filename: str) -> ExchangeReport:
    codebook = _read_codebook(data, filename)
    made = _import_codes(study, by, codebook.codes, filename)
    report = ExchangeReport(study=study, codes=len(made),
                            messages=_report_lines(codebook.report) + _sets_not_kept(codebook.sets))
    audit_record(actor=by, action=Action.CREATE, obj=study, summary=f"codebook {filename} imported: {len(made)} codes")
    return report


@transaction.atomic
def project_import(*, study: Study, by: User | None, data: bytes, filename: str) -> ExchangeReport:
    """Import a `.qdpx` into `study`: codes, users as coders, cases as participants, sources, codings, notes."""
    project = _read_project(data, filename)
    report = ExchangeReport(study=study, messages=_report_lines(project.report))
    now = timezone.now()
    codes = _import_codes(study, by, project.codes, filename)
    report.codes = len(codes)
    _check_free(study, Coder, [u.guid for u in project.users], "user", filename)
    coders: dict[str, Coder] = {}
    for user in project.users:
        coders[user.guid] = Coder.objects.create(study=study, guid=user.guid, name=(user.name or user.id or
                                                                                    user.guid)[:200])
    variables: dict[str, Variable] = {}
    for var in project.variables:
        variable, _ = Variable.objects.get_or_create(study=study, name=var.name[:120],
                                                     defaults={"type": var.type, "guid": var.guid,
                                                               "description": var.description or ""})
        variables[var.guid] = variable
    # Cases become participants of the register.
    case_of_source: dict[str, Participant] = {}
    for case in project.cases:
        participant = Participant.objects.create(study=study, code=_free_code(study, case.name or "case"),
                                                 guid=case.guid, created_at=now)
        if case.description:
            report.messages.append(f"not kept: the description of Case {case.guid} ({case.name!r})")
        if case.code_refs or case.selection_refs:
            report.messages.append(
                f"not kept: Case {case.guid} ({case.name!r}) refers to {len(case.code_refs)} codes and "
                f"{len(case.selection_refs)} selections; commed links a participant to documents and turns only")
        for value in case.variable_values:
            if value.variable_guid in variables:
                ParticipantValue.objects.create(participant=participant, variable=variables[value.variable_guid],
                                                value=value.value[:500])
        for source_guid in case.source_refs:
            case_of_source.setdefault(source_guid, participant)
        report.participants += 1
    # Variables on sources (MAXQDA's document variables) become attributes of the source's participant: its
    # case's, or a participant made for the source.
    for source in project.sources:
        if not source.variable_values:
            continue
        holder = case_of_source.get(source.guid)
        if holder is None:
            holder = Participant.objects.create(
                study=study, code=_free_code(study, source.name or "source"), created_at=now)
            case_of_source[source.guid] = holder
            report.participants += 1
            report.messages.append(
                f"deviation: TextSource {source.guid} ({source.name!r}) has variables but no case: they are kept "
                f"as attributes of a new participant {holder.code}")
        for value in source.variable_values:
            known = variables.get(value.variable_guid)
            if known is None:
                continue
            _, created = ParticipantValue.objects.get_or_create(participant=holder, variable=known,
                                                                defaults={"value": value.value[:500]})
            if not created:
                report.messages.append(
                    f"not kept: value {value.value[:40]!r} of variable {known.name!r} on TextSource "
                    f"{source.guid}: participant {holder.code} has a value already")
    # Sources and their codings.
    _check_free(study, Document, [s.guid for s in project.sources], "document", filename)
    by_label = {p.code.lower(): p for p in Participant.objects.filter(study=study)}
    fallback: Coder | None = None

    def coder_for(guid: str | None) -> Coder:
        nonlocal fallback
        if guid and guid in coders:
            return coders[guid]
        if guid:
            coders[guid] = Coder.objects.create(study=study, guid=guid, name=f"user {guid[:8]}")
            return coders[guid]
        if fallback is None:
            fallback = Coder.objects.create(study=study, name="unknown coder", guid=str(uuid.uuid4()))
        return fallback

    documents: dict[str, Document] = {}
    selection_targets: dict[str, Coding] = {}
    note_targets: dict[str, tuple[str, Any]] = {}
    rows: list[Coding] = []
    for source in project.sources:
        document = Document.objects.create(
            study=study, name=(source.name or source.plain_text_path or source.guid)[:300], text=source.text,
            source_format="refi-qda",
            guid=source.guid, imported_at=now, imported_by=by, updated_at=now,
            participant=case_of_source.get(source.guid),
        )
        documents[source.guid] = document
        services._save_turns(document, detect_turns(source.text), by_label)
        turns = list(Turn.objects.filter(document=document).order_by("start"))
        starts = [t.start for t in turns]
        report.documents += 1
        spans: list[tuple[rq.Selection | None, int, int, list[rq.Coding]]] = [
            (sel, sel.start, sel.end, sel.codings) for sel in source.selections
        ]
        if source.codings:
            spans.append((None, 0, len(source.text), source.codings))
        for sel, start, end, codings in spans:
            turn = _turn_for(turns, starts, start)
            if sel is not None and not codings:
                report.messages.append(
                    f"not kept: PlainTextSelection {sel.guid} ({start}-{end}) of TextSource {source.guid} has no "
                    "coding (commed keeps coded segments only)" + ("; its notes are kept on the document"
                                                                   if sel.note_refs else ""))
                for ref in sel.note_refs:
                    note_targets[ref] = ("document", document)
            for coding in codings:
                row = Coding(
                    study=study, document=document, code=codes[coding.code_guid], coder=coder_for(
                        coding.creating_user or (sel.creating_user if sel is not None else None)),
                    start=start, end=end, quote=source.text[start:end],
                    before=source.text[max(0, start - services.CONTEXT) : start],
                    after=source.text[end : end + services.CONTEXT], turn=turn,
                    participant=(turn.participant if turn and turn.participant else document.participant),
                    guid=coding.guid, selection_guid=sel.guid if sel is not None else str(uuid.uuid4()),
                    created_at=coding.creation_datetime or now,
                )
                rows.append(row)
                for ref in coding.note_refs:
                    note_targets[ref] = ("coding", row)
                if sel is not None:
                    selection_targets.setdefault(sel.guid, row)
    Coding.objects.bulk_create(rows, batch_size=1000)
    report.codings = len(rows)
    # Notes become memos, attached where the project refers to them.
    targets: dict[str, tuple[str, Any]] = {}
    for source in project.sources:
        for ref in source.note_refs:
            targets[ref] = ("document", documents[source.guid])
        for sel in source.selections:
            if sel.guid in selection_targets:
                for ref in sel.note_refs:
                    targets[ref] = ("coding", selection_targets[sel.guid])
    for node in project.iter_codes():
        for ref in node.note_refs:
            targets[ref] = ("code", codes[node.guid])
    targets.update(note_targets)
    # NVivo joins annotations to what they annotate by a Link between the Note and the selection (or source,
    # or code): such a link attaches the memo; every other link is reported as not kept.
    note_guids = {note.guid for note in project.notes}
    anchors: dict[str, tuple[str, Any]] = {
        **{guid: ("coding", row) for guid, row in selection_targets.items()},
        **{guid: ("document", doc) for guid, doc in documents.items()},
        **{guid: ("code", code) for guid, code in codes.items()},
    }
    for link in project.links:
        ends = [link.origin_guid, link.target_guid]
        note_end = next((g for g in ends if g in note_guids), None)
        other_end = next((g for g in ends if g != note_end), None)
        if note_end is not None and other_end in anchors and note_end not in targets:
            targets[note_end] = anchors[other_end]
            continue
        report.messages.append(f"not kept: Link {link.guid} ({link.name or 'unnamed'!s}) from {link.origin_guid} "
                               f"to {link.target_guid}: commed keeps links only between a note and what it is on")
    report.messages += _sets_not_kept(project.sets)
    descriptions = sum(1 for s in project.sources if s.description) + sum(
        1 for s in project.sources for sel in s.selections if sel.description)
    if descriptions:
        report.messages.append(f"not kept: the descriptions of {descriptions} sources and selections")
    for note in project.notes:
        kind, target = targets.get(note.guid, ("study", None))
        Memo.objects.create(
            study=study, author=by, title=(note.name or "")[:200], text=note.text or "", guid=note.guid,
            created_at=note.creation_datetime or now,
            document=target if kind == "document" else None,
            code=target if kind == "code" else None,
            coding=target if kind == "coding" else None,
        )
        report.memos += 1
    audit_record(actor=by, action=Action.CREATE, obj=study,
                 summary=(f"REFI-QDA project {filename} imported: {report.codes} codes, {report.documents} documents,"
                          f" {report.codings} codings, {report.participants} cases, {report.memos} notes; "
                          f"{len(report.messages)} deviations or losses reported"))
    return report


def _free_code(study: Study, name: str) -> str:
    """A participant code made from a case or source name, unused in the study."""
    code = re.sub(r"[^\w.\-]", "_", name.strip())[:40] or "case"
    base, n = code, 1
    while Participant.objects.filter(study=study, code__iexact=code).exists():
        n += 1
        code = f"{base[:36]}_{n}"
    return code


def _turn_for(turns: list[Turn], starts: list[int], offset: int) -> Turn | None:
    from bisect import bisect_right

    i = bisect_right(starts, offset) - 1
    return turns[i] if i >= 0 else None


# --- export --------------------------------------------------------------------------------------------------


def _code_tree(study: Study, memo_refs: dict[int, list[str]]) -> list[rq.Code]:
    codes = list(Code.objects.filter(study=study).order_by("position", "name"))
    nodes = {
        c.pk: rq.Code(guid=c.guid, name=c.name, is_codable=c.is_codable, color=c.colour or None,
                      description=_description(c) or None, note_refs=memo_refs.get(c.pk, []))
        for c in codes
    }
    roots = []
    for c in codes:
        if c.parent_id and c.parent_id in nodes:
            nodes[c.parent_id].children.append(nodes[c.pk])
        else:
            roots.append(nodes[c.pk])
    return roots


def _description(code: Code) -> str:
    parts = [code.definition]
    for label, value in (("Include", code.inclusion), ("Exclude", code.exclusion), ("Examples", code.examples)):
        if value:
            parts.append(f"{label}: {value}")
    return "\n\n".join(p for p in parts if p)


def study_project(*, study: Study) -> tuple[rq.Project, list[str]]:
    """The study as a REFI-QDA model. Orphaned codings are left out (listed in the second value)."""
    skipped: list[str] = []
    memos = list(Memo.objects.filter(study=study))
    code_notes: dict[int, list[str]] = defaultdict(list)
    doc_notes: dict[int, list[str]] = defaultdict(list)
    coding_notes: dict[int, list[str]] = defaultdict(list)
    project_notes: list[str] = []
    for memo in memos:
        if memo.code_id:
            code_notes[memo.code_id].append(memo.guid)
        elif memo.coding_id:
            coding_notes[memo.coding_id].append(memo.guid)
        elif memo.document_id:
            doc_notes[memo.document_id].append(memo.guid)
        else:
            project_notes.append(memo.guid)
    coders = list(Coder.objects.filter(study=study))
    variables = list(Variable.objects.filter(study=study))
    var_guid = {v.pk: v.guid for v in variables}
    var_type = {v.pk: v.type if v.type in rq.model.VARIABLE_TYPES else "Text" for v in variables}
    cases = []
    source_of_participant: dict[int, list[str]] = defaultdict(list)
    for guid, participant_id in Document.objects.filter(study=study, participant__isnull=False).values_list(
            "guid", "participant_id"):
        source_of_participant[participant_id].append(guid)
    for participant in Participant.objects.filter(study=study).prefetch_related("values"):
        cases.append(rq.Case(
            guid=participant.guid, name=participant.code,
            variable_values=[rq.VariableValue(var_guid[v.variable_id], var_type[v.variable_id],
                                              v.value) for v in participant.values.all()],
            source_refs=source_of_participant.get(participant.pk, []),
        ))
    coder_guid = {c.pk: c.guid for c in coders}
    code_guid = dict(Code.objects.filter(study=study).values_list("pk", "guid"))
    sources = []
    for document in Document.objects.filter(study=study).order_by("name"):
        selections: dict[tuple[str, int, int], rq.Selection] = {}
        used: set[str] = set()
        for coding in Coding.objects.filter(document=document).order_by("start", "end", "id"):
            if coding.status == "orphaned" or coding.end > len(document.text):
                skipped.append(f"{document.name}: orphaned coding {coding.guid} ({coding.quote[:40]!r})")
                continue
            key = (coding.selection_guid, coding.start, coding.end)
            if key not in selections:
                guid = coding.selection_guid if coding.selection_guid not in used else str(uuid.uuid4())
                used.add(guid)
                selections[key] = rq.Selection(guid=guid, start=coding.start, end=coding.end,
                                               creating_user=coder_guid[coding.coder_id],
                                               creation_datetime=coding.created_at)
            selection = selections[key]
            selection.codings.append(rq.Coding(guid=coding.guid, code_guid=code_guid[coding.code_id],
                                               creating_user=coder_guid[coding.coder_id],
                                               creation_datetime=coding.created_at))
            selection.note_refs.extend(coding_notes.get(coding.pk, []))
        sources.append(rq.TextSource(guid=document.guid, name=document.name, text=document.text,
                                     creation_datetime=document.imported_at, selections=list(selections.values()),
                                     note_refs=doc_notes.get(document.pk, [])))
    project = rq.Project(
        name=study.title, origin="commed", creation_datetime=study.created_at,
        users=[rq.User(guid=c.guid, name=c.name) for c in coders],
        codes=_code_tree(study, code_notes),
        variables=[rq.Variable(guid=v.guid, name=v.name, type=var_type[v.pk],
                               description=v.description or None) for v in variables],
        cases=cases, sources=sources,
        notes=[rq.Note(guid=m.guid, name=m.title or None, text=m.text, creation_datetime=m.created_at)
               for m in memos],
        description=study.description or None, note_refs=project_notes,
    )
    return project, skipped


def project_export(*, study: Study, by: User | None) -> bytes:
    project, skipped = study_project(study=study)
    data = rq.write_project(project)
    audit_record(actor=by, action=Action.EXPORT, obj=study,
                 summary=f"REFI-QDA project exported ({len(project.sources)} documents; {len(skipped)} orphaned "
                         "codings left out)")
    return data


def codebook_export(*, study: Study, by: User | None) -> bytes:
    data = rq.write_codebook(rq.Codebook(origin="commed", codes=_code_tree(study, {})))
    audit_record(actor=by, action=Action.EXPORT, obj=study, summary="REFI-QDA codebook exported")
    return data
