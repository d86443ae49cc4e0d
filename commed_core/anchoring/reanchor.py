"""Keep codings on the right words when a transcript is corrected after coding.

A coding is stored as an :class:`Anchor`: its ``[start, end)`` offsets (code points, end exclusive), the
quoted text and some context before and after it. After the transcript changes from ``old_text`` to
``new_text``, :func:`reanchor` finds each anchor's new offsets in four steps, stopping at the first success:

1. **Diff mapping** ("unchanged" / "moved"). ``old_text`` and ``new_text`` are diffed with
   :class:`difflib.SequenceMatcher` (lines first, then words, then characters inside changed lines, so that a
   45,000-character transcript diffs quickly). The opcodes map old offsets to new ones; when the mapped span
   still reads exactly the quote, the anchor is "unchanged" (same offsets) or "moved" (text around it
   changed).
2. **Exact search** ("moved"). Otherwise every occurrence of the quote in ``new_text`` is a candidate. Each
   is scored by how well the text around it matches the stored context (``SequenceMatcher.ratio`` of
   ``before + after`` against the candidate's surroundings); the best candidate scoring at least
   :data:`CONTEXT_THRESHOLD` wins, ties going to the one nearest the diff-mapped position. A quote of at
   least :data:`UNIQUE_QUOTE_MIN` characters that occurs exactly once in both texts is accepted whatever its
   context (the passage was moved wholesale).
3. **Fuzzy match** ("fuzzy"). If the quote itself was edited, the diff-mapped span (and its tightening to
   the characters that align with the quote) is accepted when its similarity to the quote,
   ``SequenceMatcher.ratio``, is at least :data:`FUZZY_THRESHOLD`.
4. Otherwise the anchor is **"orphaned"**: it has no new offsets and must be reviewed by a person. An anchor
   is never moved silently to text that fails these tests (e.g. a duplicate of a deleted quote elsewhere).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

__all__ = [
    "CONTEXT_CHARS",
    "CONTEXT_THRESHOLD",
    "FUZZY_THRESHOLD",
    "UNIQUE_QUOTE_MIN",
    "Anchor",
    "AnchorResult",
    "AnchorStatus",
    "reanchor",
]

#: Characters of context stored on each side of a quote by :meth:`Anchor.from_text`.
CONTEXT_CHARS = 30
#: Minimum ``SequenceMatcher.ratio`` between an edited quote and its new text for a "fuzzy" re-anchoring.
FUZZY_THRESHOLD = 0.8
#: Minimum context similarity for an exact occurrence of the quote found away from the mapped position.
#: Unrelated English surroundings of 60 characters typically score 0.2-0.45.
CONTEXT_THRESHOLD = 0.6
#: A quote at least this long that occurs exactly once in the old and the new text is taken to be the same.
UNIQUE_QUOTE_MIN = 12
#: Exact occurrences examined per anchor (the nearest to the mapped position), to bound very short quotes.
_MAX_CANDIDATES = 200
# Changed blocks larger than these (tokens on both sides multiplied) are not refined further: the
# SequenceMatcher cost grows with that product and such blocks are rewrites, not corrections.
_MAX_WORD_PRODUCT = 4_000_000
_MAX_CHAR_PRODUCT = 1_000_000

AnchorStatus = Literal["unchanged", "moved", "fuzzy", "orphaned"]

_WORDS = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Anchor:
    """Where a coding sat in the old text: offsets, the quoted text and its surroundings."""

    id: str
    start: int
    end: int
    quote: str
    before: str = ""
    after: str = ""

    @classmethod
    def from_text(cls, id: str, text: str, start: int, end: int, context: int = CONTEXT_CHARS) -> Anchor:
        """The anchor of ``text[start:end]`` with ``context`` characters on each side."""
        if not 0 <= start <= end <= len(text):
            raise ValueError(f"span [{start}, {end}) outside a text of length {len(text)}")
        return cls(
            id, start, end, text[start:end], text[max(0, start - context) : start], text[end : end + context]
        )


@dataclass(frozen=True)
class AnchorResult:
    """The anchor's place in the new text; ``start``/``end`` are None when ``status`` is "orphaned".

    ``similarity`` is 1.0 for exact matches, the quote similarity for "fuzzy" and 0.0 for "orphaned".
    """

    id: str
    status: AnchorStatus
    start: int | None
    end: int | None
    similarity: float


# ----------------------------------------------------------------------------------------------------
# Character-level diff
# ----------------------------------------------------------------------------------------------------

Opcode = tuple[str, int, int, int, int]


def _token_opcodes(a: Sequence[str], b: Sequence[str]) -> list[Opcode]:
    # autojunk would treat frequent tokens (spaces, "the", letters) as junk and break alignment in prose.
    return list(SequenceMatcher(None, a, b, autojunk=False).get_opcodes())


def _offsets(tokens: Sequence[str], base: int) -> list[int]:
    out = [base]
    for token in tokens:
        out.append(out[-1] + len(token))
    return out


def _refine(old: str, new: str, i0: int, j0: int, level: int) -> list[Opcode]:
    """Opcodes (in absolute character offsets) for a changed block, refined lines -> words -> characters."""
    if not old or not new:
        tag = "insert" if not old else "delete"
        return [(tag, i0, i0 + len(old), j0, j0 + len(new))]
    if level == 0:
        a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
        limit = None
    elif level == 1:
        a, b = _WORDS.findall(old), _WORDS.findall(new)
        limit = _MAX_WORD_PRODUCT
    else:
        a, b = list(old), list(new)
        limit = _MAX_CHAR_PRODUCT
    if limit is not None and len(a) * len(b) > limit:
        return [("replace", i0, i0 + len(old), j0, j0 + len(new))]
    oa, ob = _offsets(a, i0), _offsets(b, j0)
    out: list[Opcode] = []
    for tag, a1, a2, b1, b2 in _token_opcodes(a, b):
        span = (tag, oa[a1], oa[a2], ob[b1], ob[b2])
        if tag != "replace" or level == 2:
            out.append(span)
        elif level == 0 and a2 - a1 == b2 - b1:
            # Line-for-line edits (a typo fixed, a speaker label renamed on every line): refine pairwise so
            # each word-level diff stays small.
            for k in range(a2 - a1):
                out.extend(_refine(a[a1 + k], b[b1 + k], oa[a1 + k], ob[b1 + k], 1))
        else:
            out.extend(
                _refine(
                    old[oa[a1] - i0 : oa[a2] - i0], new[ob[b1] - j0 : ob[b2] - j0], oa[a1], ob[b1], level + 1
                )
            )
    return out


class _OffsetMap:
    """Maps old offsets to new ones through the diff opcodes."""

    def __init__(self, old: str, new: str) -> None:
        ops = [op for op in _refine(old, new, 0, 0, 0) if op[2] > op[1]]  # inserts cover no old offset
        self._tags = [op[0] for op in ops]
        self._i1 = [op[1] for op in ops]
        self._i2 = [op[2] for op in ops]
        self._j1 = [op[3] for op in ops]
        self._j2 = [op[4] for op in ops]
        self._new_length = len(new)

    def start(self, position: int) -> int:
        """New offset of a span start: text inserted just before it stays outside the span."""
        k = bisect_right(self._i1, position) - 1
        if k < 0 or position >= self._i2[k]:
            return self._new_length if position > 0 else 0
        if self._tags[k] == "equal":
            return self._j1[k] + position - self._i1[k]
        return self._j1[k]

    def end(self, position: int) -> int:
        """New offset of a span end (exclusive): text inserted just after it stays outside the span."""
        if position <= 0:
            return 0
        k = bisect_left(self._i2, position)
        if k >= len(self._i2):
            return self._new_length
        if self._tags[k] == "equal":
            return self._j1[k] + position - self._i1[k]
        return self._j2[k]


# ----------------------------------------------------------------------------------------------------
# Re-anchoring
# ----------------------------------------------------------------------------------------------------


def _occurrences(text: str, quote: str) -> list[int]:
    found: list[int] = []
    position = text.find(quote)
    while position >= 0:
        found.append(position)
        position = text.find(quote, position + 1)
    return found


def _context_score(anchor: Anchor, text: str, start: int, end: int) -> float:
    if not anchor.before and not anchor.after:
        return 1.0
    before = text[max(0, start - len(anchor.before)) : start]
    after = text[end : end + len(anchor.after)]
    # The separator keeps a match from spanning the quote's two sides.
    stored = anchor.before + "\x00" + anchor.after
    return SequenceMatcher(None, stored, before + "\x00" + after, autojunk=False).ratio()


def _similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _exact(anchor: Anchor, old_text: str, new_text: str, mapped: int) -> tuple[int, float] | None:
    quote = anchor.quote
    found = _occurrences(new_text, quote)
    if not found:
        return None
    if len(found) == 1 and len(quote) >= UNIQUE_QUOTE_MIN and len(_occurrences(old_text, quote)) <= 1:
        return found[0], 1.0
    found.sort(key=lambda p: abs(p - mapped))
    best: tuple[float, int, int] | None = None  # (-score, distance, position)
    for position in found[:_MAX_CANDIDATES]:
        score = _context_score(anchor, new_text, position, position + len(quote))
        if score >= CONTEXT_THRESHOLD:
            key = (-score, abs(position - mapped), position)
            if best is None or key < best:
                best = key
    return (best[2], -best[0]) if best is not None else None


def _fuzzy(
    anchor: Anchor, new_text: str, mapped_start: int, mapped_end: int
) -> tuple[int, int, float] | None:
    if mapped_end <= mapped_start:
        return None  # the quoted text was deleted: nothing to compare
    candidates = {(mapped_start, mapped_end)}
    blocks = [
        b
        for b in SequenceMatcher(
            None, anchor.quote, new_text[mapped_start:mapped_end], autojunk=False
        ).get_matching_blocks()
        if b.size
    ]
    if blocks:
        # Tighten to the characters that align with the quote (drop words added at the edges).
        candidates.add((mapped_start + blocks[0].b, mapped_start + blocks[-1].b + blocks[-1].size))
    scored = [(_similarity(anchor.quote, new_text[s:e]), s, e) for s, e in candidates]
    score, start, end = max(scored, key=lambda t: (t[0], -(t[2] - t[1])))
    return (start, end, score) if score >= FUZZY_THRESHOLD else None


def _one(anchor: Anchor, old_text: str, new_text: str, offsets: _OffsetMap) -> AnchorResult:
    mapped_start = offsets.start(anchor.start)
    mapped_end = max(mapped_start, offsets.end(anchor.end))
    intact_in_old = old_text[anchor.start : anchor.end] == anchor.quote
    if intact_in_old and new_text[mapped_start:mapped_end] == anchor.quote:
        same = (mapped_start, mapped_end) == (anchor.start, anchor.end)
        return AnchorResult(anchor.id, "unchanged" if same else "moved", mapped_start, mapped_end, 1.0)
    if anchor.quote:
        exact = _exact(anchor, old_text, new_text, mapped_start)
        if exact is not None:
            position, _ = exact
            status: AnchorStatus = "unchanged" if position == anchor.start and intact_in_old else "moved"
            return AnchorResult(anchor.id, status, position, position + len(anchor.quote), 1.0)
        fuzzy = _fuzzy(anchor, new_text, mapped_start, mapped_end) if intact_in_old else None
        if fuzzy is not None:
            return AnchorResult(anchor.id, "fuzzy", fuzzy[0], fuzzy[1], fuzzy[2])
    return AnchorResult(anchor.id, "orphaned", None, None, 0.0)


def reanchor(old_text: str, new_text: str, anchors: Sequence[Anchor]) -> list[AnchorResult]:
    """New offsets of ``anchors`` (made on ``old_text``) in ``new_text``, one result per anchor, in order.

    See the module docstring for the algorithm and thresholds. An anchor whose ``quote`` does not match
    ``old_text[start:end]`` (a stale anchor) skips the diff and fuzzy steps: only an exact, context-backed
    occurrence re-anchors it. Empty anchors (``start == end``) follow the diff mapping only.
    """
    offsets = _OffsetMap(old_text, new_text)
    return [_one(anchor, old_text, new_text, offsets) for anchor in anchors]
