"""Reads of the qualitative workspace, with its visibility rules.

Only researchers who are members of a study see anything of it (everyone else gets 404). The identity link and
the pseudonymisation log are for the study owner alone. A member coding blind sees only their own codings.
Matrices are single GROUP BY queries over the indexed codings; search goes through FTS5 (SQLite) or
`to_tsvector` (PostgreSQL) in `segments_search`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from itertools import chain, pairwise
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from commed.accounts.models import Role, User
from commed.health.models import Locality as HealthLocality
from commed.qualitative.models import (
    Code,
    CodeKind,
    Coder,
    Coding,
    Document,
    Memo,
    Participant,
    ParticipantValue,
    PseudonymisationLog,
    Study,
    StudyLocality,
    StudyMember,
    ThemeQuote,
    Turn,
    Variable,
)


def study_list_for_user(*, user: User) -> QuerySet[Study]:
    if user.role != Role.RESEARCHER:
        return Study.objects.none()
    return Study.objects.filter(members__user=user).select_related("owner").distinct()


def study_get_for_user(*, user: User, slug: str) -> Study:
    if user.role != Role.RESEARCHER:
        raise Http404
    study = Study.objects.filter(slug=slug, members__user=user).select_related("owner").first()
    if study is None:
        raise Http404
    return study


def study_get_for_owner(*, user: User, slug: str) -> Study:
    study = study_get_for_user(user=user, slug=slug)
    if study.owner_id != user.pk:
        raise Http404
    return study


def study_localities(*, study: Study) -> QuerySet[HealthLocality]:
    """The health localities the study is linked to."""
    ids = StudyLocality.objects.filter(study=study).values("locality_id")
    return HealthLocality.objects.filter(pk__in=ids).order_by("name")


def member_get(*, study: Study, user: User) -> StudyMember:
    member = StudyMember.objects.filter(study=study, user=user).first()
    if member is None:
        raise Http404
    return member


def study_members(*, study: Study) -> QuerySet[StudyMember]:
    return study.members.select_related("user").order_by("user__last_name", "user__first_name")


def codes_blind(*, study: Study, user: User) -> bool:
    return StudyMember.objects.filter(study=study, user=user, blind=True).exists()


def codings_visible(*, study: Study, user: User) -> QuerySet[Coding]:
    """Codings the user may see: all of them, or only their own when they code blind."""
    qs = Coding.objects.filter(study=study)
    if codes_blind(study=study, user=user):
        qs = qs.filter(coder__user=user)
    return qs


def member_not_blind(*, study: Study, user: User) -> StudyMember:
    """The member, for pages that show every coder's codings (agreement, themes table, project export): a
    member who codes blind gets 404 there, as they must not see the others' work."""
    member = member_get(study=study, user=user)
    if member.blind:
        raise Http404
    return member


def document_get(*, study: Study, pk: int) -> Document:
    document = Document.objects.filter(study=study, pk=pk).first()
    if document is None:
        raise Http404
    return document


def code_get(*, study: Study, pk: int) -> Code:
    code = Code.objects.filter(study=study, pk=pk).select_related("parent").first()
    if code is None:
        raise Http404
    return code


def turn_get(*, study: Study, pk: int) -> Turn:
    turn = Turn.objects.filter(study=study, pk=pk).select_related("document").first()
    if turn is None:
        raise Http404
    return turn


def coding_get(*, study: Study, user: User, pk: int) -> Coding:
    coding = codings_visible(study=study, user=user).filter(pk=pk).select_related("document", "coder", "code").first()
    if coding is None:
        raise Http404
    return coding


def participant_get(*, study: Study, pk: int) -> Participant:
    participant = Participant.objects.filter(study=study, pk=pk).first()
    if participant is None:
        raise Http404
    return participant


def document_list(*, study: Study, user: User | None = None) -> list[dict[str, Any]]:
    """The documents with their numbers of codings and of codings to review (the user's own when blind)."""
    mine = Q(codings__coder__user=user) if user is not None and codes_blind(study=study, user=user) else Q()
    rows = (
        Document.objects.filter(study=study)
        .annotate(n_codings=Count("codings", filter=mine, distinct=True), n_orphans=Count(
            "codings", filter=mine & Q(codings__status="orphaned"), distinct=True))
        .select_related("participant")
        .order_by("name")
    )
    return [{"document": d, "codings": d.n_codings, "orphans": d.n_orphans} for d in rows]


def pseudonymisation_log_for_owner(*, study: Study, user: User, document: Document) -> PseudonymisationLog | None:
    """The replacement log (real names): the study owner only; None for everyone else."""
    if study.owner_id != user.pk:
        return None
    return PseudonymisationLog.objects.filter(document=document).first()


def participant_register(*, study: Study, user: User) -> dict[str, Any]:
    """The register with attributes; the real names only for the owner."""
    variables = list(Variable.objects.filter(study=study).order_by("name"))
    participants = list(Participant.objects.filter(study=study).prefetch_related("values"))
    identities: dict[int, str] = {}
    if study.owner_id == user.pk:
        from commed.qualitative.models import ParticipantIdentity

        identities = dict(
            ParticipantIdentity.objects.filter(participant__study=study).values_list("participant_id", "real_name")
        )
    rows = []
    for participant in participants:
        values = {v.variable_id: v.value for v in participant.values.all()}
        rows.append({
            "participant": participant,
            "values": [values.get(v.pk, "") for v in variables],
            "real_name": identities.get(participant.pk),
        })
    return {"variables": variables, "rows": rows}


# --- the codebook as a tree ----------------------------------------------------------------------------------


@dataclass
class CodeNode:
    code: Code
    depth: int
    count: int


def codebook_tree(*, study: Study, user: User | None = None, counts: bool = True) -> list[CodeNode]:
    """Depth-first list of the codebook with the number of (visible) codings of each code."""
    codes = list(Code.objects.filter(study=study).order_by("position", "name"))
    numbers: dict[int, int] = {}
    if counts:
        qs = codings_visible(study=study, user=user) if user is not None else Coding.objects.filter(study=study)
        numbers = dict(qs.values_list("code_id").annotate(n=Count("id")).values_list("code_id", "n"))
    children: dict[int | None, list[Code]] = defaultdict(list)
    for code in codes:
        children[code.parent_id].append(code)
    out: list[CodeNode] = []
    stack: list[tuple[Code, int]] = [(c, 0) for c in reversed(children[None])]
    while stack:
        code, depth = stack.pop()
        out.append(CodeNode(code, depth, numbers.get(code.pk, 0)))
        stack.extend((c, depth + 1) for c in reversed(children[code.pk]))
    return out


def codable_codes(*, study: Study) -> QuerySet[Code]:
    return Code.objects.filter(study=study, is_codable=True).order_by("theme_id", "position", "name")


# --- the document page ---------------------------------------------------------------------------------------


@dataclass
class Piece:
    text: str
    start: int
    codes: list[Code]


def document_turns(*, document: Document) -> QuerySet[Turn]:
    return document.turns.select_related("participant").order_by("index")


def document_codings(*, document: Document, user: User) -> QuerySet[Coding]:
    return (
        codings_visible(study=document.study, user=user)
        .filter(document=document)
        .select_related("code", "coder", "participant")
        .order_by("start", "end")
    )


def segments_of_code(*, study: Study, user: User, code: Code, include_children: bool = True) -> QuerySet[Coding]:
    """Every segment coded with `code` (and its descendants): with speaker, document and coder."""
    qs = codings_visible(study=study, user=user)
    if include_children:
        ids = [code.pk, *_descendant_ids(code)]
        qs = qs.filter(code_id__in=ids)
    else:
        qs = qs.filter(code=code)
    return qs.select_related("document", "coder", "participant", "code", "turn").order_by("document__name", "start")


def _descendant_ids(code: Code) -> list[int]:
    ids: list[int] = []
    frontier = [code.pk]
    while frontier:
        frontier = list(Code.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids


def orphaned_codings(*, study: Study, user: User) -> QuerySet[Coding]:
    return (
        codings_visible(study=study, user=user)
        .exclude(status="ok")
        .select_related("document", "code", "coder")
        .order_by("document__name", "start")
    )


def memos_for(
    *, study: Study, user: User | None = None, document: Document | None = None, code: Code | None = None
) -> QuerySet[Memo]:
    """Memos of the study (on a document or a code, with the memos on their segments). With `user`, memos on
    segments the user may not see (another coder's, when they code blind) are left out."""
    qs = Memo.objects.filter(study=study).select_related("author", "coding")
    if user is not None and codes_blind(study=study, user=user):
        qs = qs.filter(Q(coding__isnull=True) | Q(coding__coder__user=user))
    if document is not None:
        qs = qs.filter(Q(document=document) | Q(coding__document=document))
    if code is not None:
        qs = qs.filter(Q(code=code) | Q(coding__code=code))
    return qs


# --- matrices and counts: one GROUP BY each ------------------------------------------------------------------


@dataclass
class Matrix:
    rows: list[Code]
    columns: list[str]
    cells: list[list[int]]
    caption: str


def _codes_in_order(study: Study) -> list[Code]:
    return [node.code for node in codebook_tree(study=study, counts=False)]


def matrix_code_by_attribute(*, study: Study, user: User, variable: Variable) -> Matrix:
    """Codings per code and value of a participant attribute (a single aggregate over indexed codings)."""
    # One GROUP BY over the covering index (study, code, participant); the attribute of each of the (few)
    # participants is then looked up, which is cheaper than joining every coding to the values table.
    counts = (
        codings_visible(study=study, user=user)
        .filter(participant__isnull=False)
        .values_list("code_id", "participant_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    value_of = dict(ParticipantValue.objects.filter(variable=variable).values_list("participant_id", "value"))
    table: dict[tuple[int, str], int] = defaultdict(int)
    values: set[str] = set()
    for code_id, participant_id, n in counts:
        value = value_of.get(participant_id)
        if value is not None:
            table[(code_id, value)] += n
            values.add(value)
    columns = sorted(values)
    codes = _codes_in_order(study)
    return Matrix(codes, columns, [[table.get((c.pk, v), 0) for v in columns] for c in codes],
                  f"Codings by code and {variable.name}")


def cooccurrence_pairs(*, study: Study, user: User, overlap: bool = False) -> dict[tuple[int, int], int]:
    """How often two codes are applied in the same speaker turn (or, with `overlap`, to overlapping text).

    The count is of pairs of codings with different codes in one turn (`(a, b)` with `a < b`), as the SQL
    self-join `coding a JOIN coding b ON a.turn = b.turn AND a.code < b.code` gives. It is computed from one
    indexed scan of (turn, code[, start, end]) with numpy instead: codings sorted by turn are paired with the
    one `d` places further on while any pair is still in the same turn (turns hold few codings), which is
    several times cheaper than the join on SQLite. A blind coder's pairs are among their own codings only.
    """
    columns = 'turn_id, code_id, start, "end"' if overlap else "turn_id, code_id"
    sql = f"SELECT {columns} FROM qualitative_coding WHERE study_id = %s AND turn_id IS NOT NULL"  # noqa: S608
    params: list[Any] = [study.pk]
    if codes_blind(study=study, user=user):
        sql += " AND coder_id IN (SELECT id FROM qualitative_coder WHERE study_id = %s AND user_id = %s)"
        params += [study.pk, user.pk]
    sql += " ORDER BY turn_id"  # the (study, turn, code) index gives this order without a sort
    width_of_row = 4 if overlap else 2
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if len(rows) < 2:
        return {}
    table = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=len(rows) * width_of_row)
    table = table.reshape(len(rows), width_of_row)
    turn, code = table[:, 0], table[:, 1]
    keys: list[npt.NDArray[np.int64]] = []
    width = int(code.max()) + 1
    distance = 1
    while distance < len(table):
        first = np.flatnonzero(turn[distance:] == turn[:-distance])
        if first.size == 0:
            break
        second = first + distance
        a, b = code[first], code[second]
        keep = a != b
        if overlap:
            starts, ends = table[:, 2], table[:, 3]
            keep &= (starts[second] < ends[first]) & (starts[first] < ends[second])
        keys.append(np.minimum(a, b)[keep] * width + np.maximum(a, b)[keep])
        distance += 1
    if not keys:
        return {}
    found, counts = np.unique(np.concatenate(keys), return_counts=True)
    return {(int(k // width), int(k % width)): int(n) for k, n in zip(found, counts, strict=True)}


def matrix_cooccurrence(*, study: Study, user: User, overlap: bool = False) -> Matrix:
    pairs = cooccurrence_pairs(study=study, user=user, overlap=overlap)
    used = sorted({c for pair in pairs for c in pair})
    codes = [c for c in _codes_in_order(study) if c.pk in set(used)]
    ids = [c.pk for c in codes]

    def cell(a: int, b: int) -> int:
        return pairs.get((min(a, b), max(a, b)), 0) if a != b else 0

    return Matrix(codes, [c.name for c in codes], [[cell(a, b) for b in ids] for a in ids],
                  "Codes applied in the same speaker turn" + (" to overlapping text" if overlap else ""))


def counts_by_document(*, study: Study, user: User) -> list[dict[str, Any]]:
    return [
        dict(row)
        for row in codings_visible(study=study, user=user)
        .values("document_id", "document__name")
        .annotate(codings=Count("id"), codes=Count("code", distinct=True), coders=Count("coder", distinct=True))
        .order_by("document__name")
    ]


def counts_by_speaker(*, study: Study, user: User) -> list[dict[str, Any]]:
    return [
        dict(row)
        for row in codings_visible(study=study, user=user)
        .values("participant__code")
        .annotate(codings=Count("id"), codes=Count("code", distinct=True), documents=Count("document", distinct=True))
        .order_by("participant__code")
    ]


# --- full-text search ----------------------------------------------------------------------------------------


@dataclass
class Hit:
    turn_id: int
    document_id: int
    document_name: str
    speaker: str
    start: int
    snippet_before: str
    snippet_match: str
    snippet_after: str


_WORD = re.compile(r"\w+", re.UNICODE)
KWIC = 60


def _fts_query(query: str) -> str:
    """A safe FTS5 query: each word quoted (no operators from the user), all words required."""
    words = _WORD.findall(query)
    return " ".join(f'"{w}"' for w in words)


def _kwic(text: str, words: list[str]) -> tuple[str, str, str, int]:
    lowered = text.lower()
    best = -1
    for word in words:
        match = re.search(r"(?<!\w)" + re.escape(word.lower()), lowered)
        if match and (best < 0 or match.start() < best):
            best = match.start()
            length = len(match.group(0))
    if best < 0:
        return "", text[: KWIC * 2], "", 0
    end = best + length
    while end < len(text) and (text[end].isalnum() or text[end] == "_"):
        end += 1
    before = text[max(0, best - KWIC) : best]
    after = text[end : end + KWIC]
    return ("…" if best > KWIC else "") + before, text[best:end], after + ("…" if end + KWIC < len(text) else ""), best


def segments_search(*, study: Study, query: str, limit: int = 100) -> list[Hit]:
    """Turns matching every word of `query`, with keyword-in-context snippets."""
    words = _WORD.findall(query)
    if not words:
        return []
    if connection.vendor == "sqlite":
        sql = (
            "SELECT t.id, t.document_id, d.name, t.speaker, t.start, t.text FROM qualitative_turn_fts f "
            "JOIN qualitative_turn t ON t.id = f.rowid JOIN qualitative_document d ON d.id = t.document_id "
            "WHERE qualitative_turn_fts MATCH %s AND t.study_id = %s ORDER BY d.name, t.start LIMIT %s"
        )
        params: list[Any] = [_fts_query(query), study.pk, limit]
    elif connection.vendor == "postgresql":
        sql = (
            "SELECT t.id, t.document_id, d.name, t.speaker, t.start, t.text FROM qualitative_turn t "
            "JOIN qualitative_document d ON d.id = t.document_id "
            "WHERE to_tsvector('english', t.text) @@ plainto_tsquery('english', %s) AND t.study_id = %s "
            "ORDER BY d.name, t.start LIMIT %s"
        )
        params = [query, study.pk, limit]
    else:  # pragma: no cover - other databases: a plain scan
        qs = Turn.objects.filter(study=study)
        for word in words:
            qs = qs.filter(text__icontains=word)
        rows = qs.select_related("document").order_by("document__name", "start")[:limit]
        return [_hit(t.pk, t.document_id, t.document.name, t.speaker, t.start, t.text, words) for t in rows]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [_hit(t, d, n, s or "", st, tx, words) for t, d, n, s, st, tx in cursor.fetchall()]


def _hit(turn_id: int, document_id: int, name: str, speaker: str, start: int, text: str, words: list[str]) -> Hit:
    before, match, after, _ = _kwic(text, words)
    return Hit(turn_id, document_id, name, speaker, start, before, match, after)


# --- themes table --------------------------------------------------------------------------------------------


@dataclass
class QuoteRow:
    text: str
    speaker: str


@dataclass
class ConceptRow:
    name: str
    description: str
    quotes: list[QuoteRow]


@dataclass
class ThemeRow:
    name: str
    documents: int
    speakers: int
    concepts: list[ConceptRow]


def themes_table(*, study: Study) -> list[ThemeRow]:
    """Themes (row groups), their concepts with descriptions and chosen quotes; counts of documents and speakers."""
    themes = list(Code.objects.filter(study=study, parent__isnull=True).order_by("position", "name"))
    counts = {
        row["code__theme_id"]: row
        for row in Coding.objects.filter(study=study)
        .values("code__theme_id")
        .annotate(documents=Count("document", distinct=True), speakers=Count("participant", distinct=True))
        .order_by()
    }
    concepts: dict[int, list[Code]] = defaultdict(list)
    for code in Code.objects.filter(study=study, parent__in=themes).order_by("position", "name"):
        concepts[code.parent_id or 0].append(code)
    quotes: dict[int, list[QuoteRow]] = defaultdict(list)
    for tq in ThemeQuote.objects.filter(code__study=study).select_related("coding__participant", "coding__turn"):
        coding = tq.coding
        speaker = coding.participant.code if coding.participant else (coding.turn.speaker if coding.turn else "")
        label = coding.turn.speaker if coding.turn is not None and coding.turn.start == coding.start else ""
        quotes[tq.code_id].append(QuoteRow(_clean_quote(coding.quote, label), speaker))
    rows = []
    for theme in themes:
        count: dict[str, Any] = dict(counts.get(theme.pk, {}))
        concept_rows = [
            ConceptRow(c.name, c.definition, quotes.get(c.pk, [])) for c in concepts.get(theme.pk, [])
        ]
        if quotes.get(theme.pk):
            concept_rows.insert(0, ConceptRow("", theme.definition, quotes[theme.pk]))
        rows.append(ThemeRow(theme.name, count.get("documents", 0), count.get("speakers", 0), concept_rows))
    return rows


# --- themes on locality profiles -----------------------------------------------------------------------------


@dataclass
class LocalityTheme:
    name: str
    documents: int  # documents with a coding of the theme or of a code under it
    speakers: int  # distinct participants those codings are attributed to


@dataclass
class LocalityStudyThemes:
    title: str
    themes: list[LocalityTheme]


def locality_themes(*, locality: HealthLocality) -> list[LocalityStudyThemes]:
    """The top-level themes of every study linked to the locality whose owner shares its themes, with counts.

    Aggregates only: theme names and counts of documents and distinct speakers over every coder's codings of the
    theme and its descendant codes; no quote, participant code, coder or identity. Three queries for any number of
    studies. Shown to every signed-in user on the locality profile, so nothing else of the study leaves here.
    """
    studies = list(
        Study.objects.filter(share_themes=True, locality_links__locality_id=locality.pk).order_by("title", "pk")
    )
    if not studies:
        return []
    ids = [study.pk for study in studies]
    themes: dict[int, list[Code]] = defaultdict(list)
    for theme in Code.objects.filter(study__in=ids, parent__isnull=True).order_by("position", "name", "pk"):
        themes[theme.study_id].append(theme)
    counts = {
        row["code__theme_id"]: (row["documents"], row["speakers"])
        for row in Coding.objects.filter(study__in=ids)
        .values("code__theme_id")
        .annotate(documents=Count("document", distinct=True), speakers=Count("participant", distinct=True))
        .order_by()
    }
    return [
        LocalityStudyThemes(
            title=study.title,
            themes=[LocalityTheme(t.name, *counts.get(t.pk, (0, 0))) for t in themes.get(study.pk, [])],
        )
        for study in studies
    ]


def _clean_quote(text: str, label: str) -> str:
    """The quote without the speaker label it starts with when a whole turn was coded, on one line."""
    text = text.strip()
    if label:
        text = re.sub(r"^\[?" + re.escape(label) + r"\]?\s*:?\s*", "", text, count=1)
    return " ".join(text.split())


def theme_kind_codes(*, study: Study) -> QuerySet[Code]:
    return Code.objects.filter(study=study, kind__in=[CodeKind.THEME, CodeKind.CONCEPT]).order_by("theme_id",
                                                                                                 "position")


def coders_of(*, study: Study) -> QuerySet[Coder]:
    return Coder.objects.filter(study=study).order_by("name")


def document_pieces(*, document: Document, codings: list[Coding], turns: list[Turn]) -> list[Piece]:
    """The text cut at every coding boundary and turn start; each piece knows the codes that cover it."""
    text = document.text
    cuts = {0, len(text)}
    for coding in codings:
        if coding.status != "orphaned" and coding.end <= len(text):
            cuts.update((coding.start, coding.end))
    cuts.update(t.start for t in turns if t.start <= len(text))
    points = sorted(cuts)
    pieces = []
    for a, b in pairwise(points):
        covering = [c.code for c in codings if c.status != "orphaned" and c.start <= a and c.end >= b]
        pieces.append(Piece(text[a:b], a, covering))
    return pieces


# Home page ----------------------------------------------------------------------------------------------------------


def studies_with_uncoded_documents(*, user: User) -> QuerySet[Study]:
    """The studies the user codes in that have documents they have not coded yet, with that number (`uncoded`)."""
    coded = Coding.objects.filter(document=OuterRef("pk"), coder__user=user)
    uncoded = (Document.objects.filter(study=OuterRef("pk")).filter(~Exists(coded)).order_by()
               .values("study").annotate(n=Count("pk")).values("n"))
    coding_in = StudyMember.objects.filter(user=user, can_code=True).values("study")
    return (study_list_for_user(user=user).filter(pk__in=coding_in).annotate(uncoded=Subquery(uncoded))
            .filter(uncoded__gt=0).order_by("title", "pk"))
