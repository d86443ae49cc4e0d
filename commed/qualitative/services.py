"""Writes to the qualitative workspace. Every change of personal data goes through the audit trail.

Documents are read by `commed_core.transcripts` and pseudonymised on import: names in the participant register
(and names the researcher lists) are replaced by the code in [brackets]; the log of replacements is stored in
`PseudonymisationLog`, apart from the text. Codings keep their quote and context so `document_correct` can
re-anchor them with `commed_core.anchoring`; a coding that cannot be re-anchored is flagged, never moved.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from commed.accounts.models import Role, User
from commed.audit.models import Action
from commed.audit.services import audit_record, model_changes
from commed.health.models import Locality as HealthLocality
from commed.qualitative.models import (
    AnchorStatus,
    Code,
    CodeKind,
    Coder,
    Coding,
    Document,
    Memo,
    Participant,
    ParticipantIdentity,
    ParticipantValue,
    PseudonymisationLog,
    Study,
    StudyLocality,
    StudyMember,
    ThemeQuote,
    Turn,
    Variable,
)
from commed_core.anchoring import Anchor, reanchor
from commed_core.transcripts import (
    Document as CoreDocument,
)
from commed_core.transcripts import (
    Turn as CoreTurn,
)
from commed_core.transcripts import (
    detect_turns,
    expand_first_names,
    pseudonymise_document,
    read_attribute_table,
    read_document,
    read_survey_attributes,
    read_survey_csv,
)

CONTEXT = 30
COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
RESERVED_SLUGS = frozenset({"new"})
KINDS_BY_DEPTH = (CodeKind.THEME, CodeKind.CONCEPT, CodeKind.CODE)


class ImportFailed(ValueError):
    """A file that could not be imported; the message names the file (and row, field or element)."""


# --- studies and members -------------------------------------------------------------------------------------


def _require_owner(study: Study, by: User) -> None:
    if study.owner_id != by.pk:
        raise ValidationError("Only the study owner may do this.")


@transaction.atomic
def study_create(*, owner: User, title: str, slug: str = "", description: str = "") -> Study:
    if owner.role != Role.RESEARCHER:
        raise ValidationError("Only researchers may own a study.")
    slug = slugify(slug or title)[:80]
    if not slug:
        raise ValidationError({"slug": "Give the study a short name of letters and digits."})
    if slug in RESERVED_SLUGS or Study.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": f"A study called {slug!r} exists already."})
    now = timezone.now()
    study = Study(title=title.strip(), slug=slug, description=description, owner=owner, created_at=now)
    study.full_clean()
    study.save()
    StudyMember.objects.create(study=study, user=owner, can_code=True, added_at=now)
    coder_for_user(study=study, user=owner)
    audit_record(actor=owner, action=Action.CREATE, obj=study)
    return study


@transaction.atomic
def study_member_set(*, study: Study, by: User, user: User, can_code: bool = True, blind: bool = False) -> StudyMember:
    """Add a researcher to the study (or change what they may do). Only the owner chooses who codes."""
    _require_owner(study, by)
    if user.role != Role.RESEARCHER:
        raise ValidationError({"user": "Only researchers can be members of a study."})
    member, created = StudyMember.objects.get_or_create(
        study=study, user=user, defaults={"can_code": can_code, "blind": blind, "added_at": timezone.now()}
    )
    if not created:
        before = {"can_code": member.can_code, "blind": member.blind}
        member.can_code, member.blind = can_code, blind
        member.save(update_fields=["can_code", "blind"])
        audit_record(actor=by, action=Action.CHANGE, obj=member,
                     changes=model_changes(before, {"can_code": can_code, "blind": blind}))
    else:
        audit_record(actor=by, action=Action.CREATE, obj=member)
    if can_code:
        coder_for_user(study=study, user=user)
    return member


@transaction.atomic
def study_member_remove(*, study: Study, by: User, user: User) -> None:
    _require_owner(study, by)
    if user.pk == study.owner_id:
        raise ValidationError("The owner cannot leave their own study.")
    member = StudyMember.objects.filter(study=study, user=user).first()
    if member is not None:
        audit_record(actor=by, action=Action.DELETE, obj=member)
        member.delete()


@transaction.atomic
def study_set_localities(
    *, actor: User, study: Study, localities: Iterable[HealthLocality], share_themes: bool
) -> Study:
    """Link the study to health localities and choose whether their profiles show its themes (owner only)."""
    _require_owner(study, actor)
    study = Study.objects.select_for_update().get(pk=study.pk)
    before_ids = sorted(StudyLocality.objects.filter(study=study).values_list("locality_id", flat=True))
    after_ids = sorted({locality.pk for locality in localities})
    StudyLocality.objects.filter(study=study).exclude(locality_id__in=after_ids).delete()
    StudyLocality.objects.bulk_create(
        [StudyLocality(study=study, locality_id=pk) for pk in after_ids if pk not in before_ids]
    )
    changes = model_changes({"localities": before_ids, "share_themes": study.share_themes},
                            {"localities": after_ids, "share_themes": share_themes})
    if study.share_themes != share_themes:
        study.share_themes = share_themes
        study.save(update_fields=["share_themes"])
    if changes:
        audit_record(actor=actor, action=Action.CHANGE, obj=study, changes=changes,
                     summary="linked localities and theme sharing")
    return study


def coder_for_user(*, study: Study, user: User) -> Coder:
    coder = Coder.objects.filter(study=study, user=user).first()
    if coder is None:
        coder = Coder.objects.create(study=study, user=user, name=str(user)[:200])
    return coder


def _coder_may_code(study: Study, user: User) -> Coder:
    if not StudyMember.objects.filter(study=study, user=user, can_code=True).exists():
        raise ValidationError("You have not been chosen to code in this study.")
    return coder_for_user(study=study, user=user)


# --- participant register ------------------------------------------------------------------------------------


def _variable(study: Study, name: str) -> Variable:
    variable, _ = Variable.objects.get_or_create(study=study, name=name.strip()[:120])
    return variable


def _set_values(participant: Participant, attributes: dict[str, str]) -> None:
    for name, raw in attributes.items():
        if not name.strip():
            continue
        variable = _variable(participant.study, name)
        value = (raw or "").strip()
        if value:
            ParticipantValue.objects.update_or_create(participant=participant, variable=variable,
                                                      defaults={"value": value[:500]})
        else:
            ParticipantValue.objects.filter(participant=participant, variable=variable).delete()


@transaction.atomic
def participant_create(
    *,
    study: Study,
    by: User | None,
    code: str,
    attributes: dict[str, str] | None = None,
    real_name: str = "",
    other_names: str = "",
) -> Participant:
    code = code.strip()
    if not code or not re.fullmatch(r"[\w.\-]{1,40}", code):
        raise ValidationError({"code": f"{code!r} is not a usable participant code (letters, digits, . - _)."})
    if Participant.objects.filter(study=study, code__iexact=code).exists():
        raise ValidationError({"code": f"The register already has {code}."})
    participant = Participant.objects.create(study=study, code=code, created_at=timezone.now())
    _set_values(participant, attributes or {})
    if real_name.strip():
        if by is not None and by.pk != study.owner_id:
            raise ValidationError("Only the study owner may record who a participant is.")
        ParticipantIdentity.objects.create(participant=participant, real_name=real_name.strip(),
                                           other_names=other_names.strip())
    audit_record(actor=by, action=Action.CREATE, obj=participant)
    return participant


@transaction.atomic
def participant_update(*, participant: Participant, by: User, attributes: dict[str, str]) -> Participant:
    before = {v.variable.name: v.value for v in participant.values.select_related("variable")}
    _set_values(participant, attributes)
    audit_record(actor=by, action=Action.CHANGE, obj=participant, changes=model_changes(before, attributes))
    return participant


@transaction.atomic
def participant_identity_set(
    *, participant: Participant, by: User, real_name: str, other_names: str = "", contact: str = ""
) -> ParticipantIdentity:
    """Record who is behind a code. Owner only; the audit keeps that it changed, never the name."""
    _require_owner(participant.study, by)
    identity, _ = ParticipantIdentity.objects.update_or_create(
        participant=participant,
        defaults={"real_name": real_name.strip(), "other_names": other_names.strip(), "contact": contact.strip()},
    )
    audit_record(actor=by, action=Action.CHANGE, obj=participant, summary="identity link changed")
    return identity


@transaction.atomic
def participants_import_table(
    *,
    study: Study,
    by: User | None,
    data: bytes,
    filename: str,
    code_column: str | None = None,
    name_column: str | None = None,
    code_prefix: str = "P",
) -> list[Participant]:
    """Participants from an attribute table (facesheet XLSX or CSV): one per row, other columns as variables.

    The code is taken from `code_column` (or a column named code/case/participant), else generated
    (`P01`, `P02` ...). `name_column` holds the real name or the name used in the transcripts: it goes into the
    identity link held apart (never into a variable), so transcripts can be pseudonymised with it.
    """
    try:
        rows = read_attribute_table(data, filename)
    except ValueError as exc:
        raise ImportFailed(str(exc)) from exc
    if not rows:
        raise ImportFailed(f"{filename}: the table has no rows")
    columns = list(rows[0])
    if code_column is None:
        code_column = next((c for c in columns if c.strip().lower() in ("code", "case", "participant")), None)
    for wanted in (code_column, name_column):
        if wanted is not None and wanted not in columns:
            raise ImportFailed(f"{filename}: there is no column {wanted!r} (columns: {', '.join(columns)})")
    existing = Participant.objects.filter(study=study).count()
    made: list[Participant] = []
    for number, row in enumerate(rows, start=2):
        code = (row.get(code_column) or "").strip() if code_column else f"{code_prefix}{existing + len(made) + 1:02d}"
        if not code:
            raise ImportFailed(f"{filename}, row {number}, column {code_column}: no participant code")
        attributes = {k: v for k, v in row.items() if k not in (code_column, name_column)}
        real = (row.get(name_column) or "").strip() if name_column else ""
        try:
            made.append(participant_create(study=study, by=by, code=code, attributes=attributes, real_name=real))
        except ValidationError as exc:
            raise ImportFailed(f"{filename}, row {number}: {' '.join(exc.messages)}") from exc
    return made


# --- documents -----------------------------------------------------------------------------------------------


def register_replacements(*, study: Study) -> dict[str, str]:
    """Real name (and other names, and unambiguous first names) -> participant code, from the identity links."""
    names: dict[str, str] = {}
    for identity in ParticipantIdentity.objects.filter(participant__study=study).select_related("participant"):
        code = identity.participant.code
        for name in [identity.real_name, *identity.other_names.split(",")]:
            if name.strip():
                names[name.strip()] = code
    return expand_first_names(names) if names else {}


def _paragraph_turns(text: str) -> list[CoreTurn]:
    turns = []
    for match in re.finditer(r"\S(?:.*\S)?", text):
        turns.append(CoreTurn(None, match.start(), match.end()))
    return turns or [CoreTurn(None, 0, len(text))]


def _save_turns(document: Document, turns: Sequence[CoreTurn], by_label: dict[str, Participant]) -> None:
    text = document.text
    if not turns:
        turns = _paragraph_turns(text)
    Turn.objects.bulk_create(
        [
            Turn(
                study_id=document.study_id,
                document=document,
                index=i,
                speaker=(t.speaker or "")[:120],
                participant=by_label.get((t.speaker or "").strip().lower()),
                start=t.start,
                end=t.end,
                time=t.time,
                text=text[t.start : t.end],
            )
            for i, t in enumerate(turns)
        ],
        batch_size=500,
    )


def _participants_by_label(study: Study) -> dict[str, Participant]:
    return {p.code.lower(): p for p in Participant.objects.filter(study=study)}


@dataclass
class ImportResult:
    documents: list[Document] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    replacements: int = 0


def _read(data: bytes, filename: str, survey_mode: str) -> list[CoreDocument]:
    if filename.lower().endswith(".csv"):
        mode: Any = "question" if survey_mode == "question" else "respondent"
        return read_survey_csv(data, filename, mode=mode)
    return [read_document(data, filename)]


def _import_one(
    *,
    study: Study,
    by: User | None,
    core: CoreDocument,
    replacements: dict[str, str],
    extra_names: Sequence[str | tuple[str, str]],
    by_label: dict[str, Participant],
    pseudonymise: bool,
    now: Any,
    guid: str | None = None,
) -> tuple[Document, int]:
    log: list[Any] = []
    if pseudonymise and (replacements or extra_names):
        core, log = pseudonymise_document(core, replacements, extra_names=list(extra_names))
    if not core.text.strip():
        raise ImportFailed(f"{core.name}: the document has no text")
    document = Document(
        study=study, name=core.name[:300], text=core.text, source_format=core.source_format,
        encoding=core.encoding or "", warnings=list(core.warnings), imported_at=now, imported_by=by,
        updated_at=now,
    )
    if guid:
        document.guid = guid
    document.save()
    if pseudonymise:
        PseudonymisationLog.objects.create(
            document=document,
            created_at=now,
            entries=[{"original": r.original, "replacement": r.replacement, "start": r.start, "end": r.end}
                     for r in log],
        )
    _save_turns(document, core.turns, by_label)
    speakers = {t.participant_id for t in document.turns.all() if t.participant_id}
    if len(speakers) == 1:
        document.participant_id = speakers.pop()
        document.save(update_fields=["participant"])
    audit_record(actor=by, action=Action.CREATE, obj=document,
                 summary=f"imported from {core.name} ({core.source_format}), {len(log)} names replaced")
    return document, len(log)


def _extra_names(names: Iterable[str]) -> list[str | tuple[str, str]]:
    """The researcher's list: `Name` (replaced by [redacted]) or `Name=CODE` (replaced by [CODE])."""
    out: list[str | tuple[str, str]] = []
    for entry in names:
        name, _, label = entry.partition("=")
        if name.strip():
            out.append((name.strip(), label.strip()) if label.strip() else name.strip())
    return out


@transaction.atomic
def documents_import(
    *,
    study: Study,
    by: User | None,
    files: Iterable[tuple[str, bytes]],
    extra_names: Sequence[str] = (),
    pseudonymise: bool = True,
    survey_mode: str = "respondent",
) -> ImportResult:
    """Import files (txt, docx, odt, pdf, vtt, srt, csv) all or nothing. Bad files raise ImportFailed naming them.

    `extra_names` are names to remove besides the register's: `Name` becomes [redacted], `Name=CODE` [CODE].
    """
    if by is not None:
        _coder_or_member(study, by)
    replacements = register_replacements(study=study)
    by_label = _participants_by_label(study)
    extra = _extra_names(extra_names)
    result = ImportResult()
    now = timezone.now()
    for filename, data in files:
        try:
            cores = _read(data, filename, survey_mode)
        except ValueError as exc:
            raise ImportFailed(str(exc) if filename in str(exc) else f"{filename}: {exc}") from exc
        if filename.lower().endswith(".csv"):
            result.warnings += _survey_respondents(study=study, by=by, data=data, filename=filename)
            by_label = _participants_by_label(study)
        for core in cores:
            try:
                document, count = _import_one(study=study, by=by, core=core, replacements=replacements,
                                              extra_names=extra, by_label=by_label, pseudonymise=pseudonymise,
                                              now=now)
            except ValueError as exc:
                raise ImportFailed(str(exc) if filename in str(exc) else f"{filename}: {exc}") from exc
            result.documents.append(document)
            result.replacements += count
            result.warnings.extend(f"{filename}: {w}" for w in document.warnings)  # pseudonymised
    return result


def _survey_respondents(*, study: Study, by: User | None, data: bytes, filename: str) -> list[str]:
    """The respondents of a survey CSV join the register with its other columns as attributes.

    A respondent already in the register gets only the attributes it has no value for. Columns that identify a
    person (name, e-mail, phone ...) are never kept; ids that cannot be participant codes are left out.
    """
    try:
        attributes, skipped = read_survey_attributes(data, filename)
    except ValueError as exc:
        raise ImportFailed(str(exc) if filename in str(exc) else f"{filename}: {exc}") from exc
    notes = [f"{filename}: column {c!r} identifies people and was not kept" for c in skipped]
    existing = {p.code.lower(): p for p in Participant.objects.filter(study=study)}
    added, unusable = 0, []
    for respondent, values in attributes.items():
        participant = existing.get(respondent.lower())
        if participant is None:
            if not re.fullmatch(r"[\w.\-]{1,40}", respondent):
                unusable.append(respondent)
                continue
            participant = participant_create(study=study, by=by, code=respondent, attributes=values)
            existing[respondent.lower()] = participant
            added += 1
            continue
        have = set(participant.values.values_list("variable__name", flat=True))
        missing = {k: v for k, v in values.items() if k.strip()[:120] not in have}
        if missing:
            _set_values(participant, missing)
            audit_record(actor=by, action=Action.CHANGE, obj=participant,
                         summary=f"attributes {', '.join(sorted(missing))} from {filename}")
    if added:
        notes.append(f"{filename}: {added} respondents added to the participant register with their attributes")
    if unusable:
        notes.append(f"{filename}: respondent ids {', '.join(map(repr, unusable[:5]))} cannot be participant codes;"
                     " not added to the register")
    return notes


def _coder_or_member(study: Study, by: User) -> None:
    if not StudyMember.objects.filter(study=study, user=by).exists():
        raise ValidationError("You are not a member of this study.")


@transaction.atomic
def turn_correct(*, turn: Turn, by: User, participant: Participant | None, speaker: str | None = None) -> Turn:
    """Link a speaker turn to a participant by hand (and relabel it); its codings follow."""
    _coder_or_member(turn.document.study, by)
    if participant is not None and participant.study_id != turn.study_id:
        raise ValidationError({"participant": "That participant is not in this study."})
    before = {"participant": turn.participant_id, "speaker": turn.speaker}
    turn.participant = participant
    if speaker is not None:
        turn.speaker = speaker.strip()[:120]
    turn.save(update_fields=["participant", "speaker"])
    fallback = turn.document.participant_id
    Coding.objects.filter(turn=turn).update(participant_id=participant.pk if participant else fallback)
    audit_record(actor=by, action=Action.CHANGE, obj=turn,
                 changes=model_changes(before, {"participant": turn.participant_id, "speaker": turn.speaker}))
    return turn


# --- codebook ------------------------------------------------------------------------------------------------


def _clean_colour(colour: str) -> str:
    colour = (colour or "").strip()
    if colour and not COLOUR.match(colour):
        raise ValidationError({"colour": "Give a colour as #RRGGBB."})
    return colour.upper()


CODE_FIELDS = ("name", "definition", "inclusion", "exclusion", "examples", "colour", "kind")


@transaction.atomic
def code_create(
    *,
    study: Study,
    by: User | None,
    name: str,
    parent: Code | None = None,
    kind: str = "",
    definition: str = "",
    inclusion: str = "",
    exclusion: str = "",
    examples: str = "",
    colour: str = "",
    guid: str = "",
    is_codable: bool = True,
) -> Code:
    if parent is not None and parent.study_id != study.pk:
        raise ValidationError({"parent": "The parent is in another study."})
    depth = _depth(parent) + 1 if parent is not None else 0
    position = (Code.objects.filter(study=study, parent=parent).aggregate(m=Max("position"))["m"] or 0) + 1
    code = Code(
        study=study, parent=parent, kind=kind or KINDS_BY_DEPTH[min(depth, 2)], name=name.strip()[:200],
        definition=definition, inclusion=inclusion, exclusion=exclusion, examples=examples,
        colour=_clean_colour(colour), position=position, is_codable=is_codable,
    )
    if guid:
        code.guid = guid
    if not code.name:
        raise ValidationError({"name": "Give the code a name."})
    code.save()
    code.theme_id = parent.theme_id or parent.pk if parent is not None else code.pk
    code.save(update_fields=["theme"])
    audit_record(actor=by, action=Action.CREATE, obj=code)
    return code


def _depth(code: Code) -> int:
    depth, node = 0, code
    while node.parent_id is not None:
        depth += 1
        node = Code.objects.only("parent_id").get(pk=node.parent_id)
    return depth


@transaction.atomic
def code_update(*, code: Code, by: User, **fields: Any) -> Code:
    unknown = set(fields) - set(CODE_FIELDS)
    if unknown:
        raise TypeError(f"unknown code fields: {sorted(unknown)}")
    if "colour" in fields:
        fields["colour"] = _clean_colour(fields["colour"])
    before = {f: getattr(code, f) for f in fields}
    for name, value in fields.items():
        setattr(code, name, value)
    code.save()
    audit_record(actor=by, action=Action.CHANGE, obj=code, changes=model_changes(before, fields))
    return code


# --- coding --------------------------------------------------------------------------------------------------


def _turn_at(document: Document, offset: int) -> Turn | None:
    return (
        Turn.objects.filter(document=document, start__lte=offset).order_by("-start").first()
    )


@transaction.atomic
def coding_create(
    *, document: Document, code: Code, by: User, start: int, end: int, coder: Coder | None = None
) -> Coding:
    """Apply `code` to `document.text[start:end]` (code points, end exclusive)."""
    if code.study_id != document.study_id:
        raise ValidationError({"code": "That code belongs to another study."})
    coder = coder or _coder_may_code(document.study, by)
    text = document.text
    if not (0 <= start < end <= len(text)):
        raise ValidationError(f"The selection {start}-{end} is outside the document (length {len(text)}).")
    turn = _turn_at(document, start)
    coding = Coding.objects.create(
        study_id=document.study_id, document=document, code=code, coder=coder, start=start, end=end,
        quote=text[start:end], before=text[max(0, start - CONTEXT) : start], after=text[end : end + CONTEXT],
        turn=turn, participant_id=(turn.participant_id if turn and turn.participant_id else document.participant_id),
        created_at=timezone.now(),
    )
    audit_record(actor=by, action=Action.CREATE, obj=coding)
    return coding


def coding_create_for_turn(*, turn: Turn, code: Code, by: User) -> Coding:
    """Code a whole speaker turn."""
    return coding_create(document=turn.document, code=code, by=by, start=turn.start, end=turn.end)


@transaction.atomic
def coding_delete(*, coding: Coding, by: User) -> None:
    if coding.coder.user_id != by.pk and coding.study_id and coding.document.study.owner_id != by.pk:
        raise ValidationError("You may remove only your own codings.")
    audit_record(actor=by, action=Action.DELETE, obj=coding)
    coding.delete()


@transaction.atomic
def coding_place(*, coding: Coding, by: User, start: int, end: int) -> Coding:
    """Place a flagged (orphaned or fuzzy) coding by hand on the right words; it is then anchored again."""
    if coding.coder.user_id != by.pk and coding.document.study.owner_id != by.pk:
        raise ValidationError("You may move only your own codings.")
    text = coding.document.text
    if not (0 <= start < end <= len(text)):
        raise ValidationError(f"The selection {start}-{end} is outside the document (length {len(text)}).")
    before = {"start": coding.start, "end": coding.end, "status": coding.status}
    _anchor_fields(coding, text, start, end)
    coding.status = AnchorStatus.OK
    coding.save()
    audit_record(actor=by, action=Action.CHANGE, obj=coding,
                 changes=model_changes(before, {"start": start, "end": end, "status": coding.status}))
    return coding


def _anchor_fields(coding: Coding, text: str, start: int, end: int) -> None:
    coding.start, coding.end = start, end
    coding.quote = text[start:end]
    coding.before = text[max(0, start - CONTEXT) : start]
    coding.after = text[end : end + CONTEXT]


@dataclass
class CorrectionResult:
    unchanged: int = 0
    moved: int = 0
    fuzzy: int = 0
    orphaned: list[int] = field(default_factory=list)


@transaction.atomic
def document_correct(*, document: Document, by: User, new_text: str) -> CorrectionResult:
    """Replace the text of a transcript and re-anchor its codings; those that cannot be are flagged orphaned.

    Turns are detected again on the new text; each keeps its participant link through its speaker label.
    An orphaned coding keeps its old offsets and quote (shown as "could not be re-anchored") until a coder
    places it by hand or removes it: it is never moved silently.
    """
    _coder_or_member(document.study, by)
    new_text = new_text.replace("\r\n", "\n").replace("\r", "\n")
    if not new_text.strip():
        raise ValidationError({"text": "The corrected text is empty."})
    old_text = document.text
    result = CorrectionResult()
    codings = list(document.codings.filter(status__in=[AnchorStatus.OK, AnchorStatus.FUZZY]))
    anchors = [Anchor(str(c.pk), c.start, c.end, c.quote, c.before, c.after) for c in codings]
    outcomes = {r.id: r for r in reanchor(old_text, new_text, anchors)} if anchors else {}
    old_turn_participants = {
        (t.speaker or "").lower(): t.participant_id for t in document.turns.all() if t.participant_id
    }
    document.text = new_text
    document.version += 1
    document.updated_at = timezone.now()
    document.save(update_fields=["text", "version", "updated_at"])
    document.turns.all().delete()
    by_label = _participants_by_label(document.study)
    turns = detect_turns(new_text)
    _save_turns(document, turns, by_label)
    if old_turn_participants:
        for turn in document.turns.filter(participant__isnull=True):
            pid = old_turn_participants.get(turn.speaker.lower())
            if pid:
                turn.participant_id = pid
                turn.save(update_fields=["participant"])
    turn_rows = list(document.turns.order_by("start"))
    for coding in codings:
        outcome = outcomes[str(coding.pk)]
        if outcome.status == "orphaned" or outcome.start is None or outcome.end is None:
            coding.status = AnchorStatus.ORPHANED
            coding.turn = None
            result.orphaned.append(coding.pk)
        else:
            if outcome.status == "unchanged":
                result.unchanged += 1
            elif outcome.status == "moved":
                result.moved += 1
            else:
                result.fuzzy += 1
            _anchor_fields(coding, new_text, outcome.start, outcome.end)
            coding.status = AnchorStatus.FUZZY if outcome.status == "fuzzy" else AnchorStatus.OK
            found = next((t for t in reversed(turn_rows) if t.start <= outcome.start), None)
            coding.turn = found
            coding.participant_id = (found.participant_id if found is not None and found.participant_id
                                     else document.participant_id)
        coding.save()
    audit_record(
        actor=by, action=Action.CHANGE, obj=document,
        summary=(f"transcript corrected (version {document.version}): {result.unchanged} codings unchanged, "
                 f"{result.moved} moved, {result.fuzzy} approximate, {len(result.orphaned)} orphaned"),
    )
    return result


# --- memos and quotes ----------------------------------------------------------------------------------------


@transaction.atomic
def memo_create(
    *,
    study: Study,
    by: User | None,
    text: str,
    title: str = "",
    document: Document | None = None,
    code: Code | None = None,
    coding: Coding | None = None,
    guid: str = "",
) -> Memo:
    if by is not None:
        _coder_or_member(study, by)
    if not text.strip():
        raise ValidationError({"text": "Write something in the memo."})
    for target in (document, code, coding):
        if target is not None and getattr(target, "study_id", None) != study.pk:
            raise ValidationError("The memo's subject is in another study.")
    memo = Memo(study=study, author=by, title=title.strip()[:200], text=text, document=document, code=code,
                coding=coding, created_at=timezone.now())
    if guid:
        memo.guid = guid
    memo.save()
    audit_record(actor=by, action=Action.CREATE, obj=memo)
    return memo


@transaction.atomic
def theme_quote_add(*, code: Code, coding: Coding, by: User) -> ThemeQuote:
    if coding.study_id != code.study_id:
        raise ValidationError("That segment is in another study.")
    _coder_or_member(code.study, by)
    position = (ThemeQuote.objects.filter(code=code).aggregate(m=Max("position"))["m"] or 0) + 1
    quote, _ = ThemeQuote.objects.get_or_create(code=code, coding=coding, defaults={"position": position})
    audit_record(actor=by, action=Action.CREATE, obj=code, summary=f"quote {coding.pk} chosen for the themes table")
    return quote


@transaction.atomic
def theme_quote_remove(*, code: Code, coding: Coding, by: User) -> None:
    _coder_or_member(code.study, by)
    ThemeQuote.objects.filter(code=code, coding=coding).delete()
    audit_record(actor=by, action=Action.DELETE, obj=code, summary=f"quote {coding.pk} removed from the table")
