"""Re-anchoring on a real interview transcript under realistic corrections."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commed_core.anchoring import FUZZY_THRESHOLD, Anchor, reanchor

EXTERNAL = Path(__file__).resolve().parents[3] / ".." / "shared" / "external"
TRANSCRIPT = EXTERNAL / "transcripts" / "sheffield-orda" / "Ana.txt"


@pytest.fixture(scope="module")
def ana() -> str:
    if not TRANSCRIPT.is_file():
        pytest.fail(f"The real test files are missing: {TRANSCRIPT}")
    return TRANSCRIPT.read_text(encoding="utf-8")


def anchor_on(text: str, quote: str, occurrence: int = 0, id: str = "a") -> Anchor:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    return Anchor.from_text(id, text, start, start + len(quote))


def test_an_untouched_text_leaves_every_anchor_unchanged(ana: str) -> None:
    anchors = [anchor_on(ana, "co-production of knowledge"), anchor_on(ana, "mapping and diagrams", id="b")]
    results = reanchor(ana, ana, anchors)
    assert [(r.status, r.start, r.end) for r in results] == [("unchanged", a.start, a.end) for a in anchors]


def test_text_inserted_before_moves_the_anchor_onto_the_same_words(ana: str) -> None:
    anchor = anchor_on(ana, "mapping and diagrams")
    new = "Transcript checked by AB on 14 June.\n" + ana
    (result,) = reanchor(ana, new, [anchor])
    assert result.status == "moved"
    assert result.start == anchor.start + 37 and new[result.start : result.end] == anchor.quote


def test_a_typo_fixed_inside_the_quote_gives_a_fuzzy_anchor_on_the_corrected_words(ana: str) -> None:
    anchor = anchor_on(ana, "about the interviews and the worships")
    new = ana.replace("and the worships", "and the workshops")
    (result,) = reanchor(ana, new, [anchor])
    assert result.status == "fuzzy"
    assert result.start is not None and result.end is not None
    assert new[result.start : result.end] == "about the interviews and the workshops"
    assert FUZZY_THRESHOLD <= result.similarity < 1.0


def test_renaming_a_speaker_label_everywhere_keeps_quotes_inside_turns(ana: str) -> None:
    anchors = [
        anchor_on(ana, "co-production of knowledge"),
        anchor_on(ana, "what are your methods and what method you use", id="b"),
    ]
    new = ana.replace("Researcher 1:", "Interviewer (RS):")
    results = reanchor(ana, new, anchors)
    for anchor, result in zip(anchors, results, strict=True):
        assert result.status == "moved"
        assert result.start is not None and new[result.start : result.end] == anchor.quote
        # Each label before the quote grew by 4 characters.
        assert result.start - anchor.start == 4 * ana[: anchor.start].count("Researcher 1:")


def test_a_quote_in_a_deleted_paragraph_is_orphaned_and_the_others_survive(ana: str) -> None:
    lines = ana.splitlines(keepends=True)
    doomed = next(i for i, line in enumerate(lines) if "mapping and diagrams" in line)
    kept = anchor_on(ana, "co-production of knowledge", id="kept")
    lost = anchor_on(ana, "mapping and diagrams", id="lost")
    new = "".join(lines[:doomed] + lines[doomed + 1 :])
    results = {r.id: r for r in reanchor(ana, new, [kept, lost])}
    assert results["lost"].status == "orphaned" and results["lost"].start is None
    assert results["kept"].status == "unchanged"


def test_duplicate_quote_text_keeps_each_anchor_on_its_own_occurrence(ana: str) -> None:
    first = anchor_on(ana, "data collection", 0, id="first")
    second = anchor_on(ana, "data collection", 1, id="second")
    new = "[Transcript corrected]\n" + ana.replace("worships", "workshops")
    results = {r.id: r for r in reanchor(ana, new, [first, second])}
    expected = [m for m in range(len(new)) if new.startswith("data collection", m)]
    assert (results["first"].start, results["second"].start) == (expected[0], expected[1])


def test_a_deleted_quote_is_not_moved_to_a_duplicate_elsewhere(ana: str) -> None:
    second = anchor_on(ana, "data collection", 1, id="second")
    line_start = ana.rindex("\n", 0, second.start) + 1
    line_end = ana.index("\n", second.start) + 1
    new = ana[:line_start] + ana[line_end:]
    assert "data collection" in new  # the other occurrence is still there
    (result,) = reanchor(ana, new, [second])
    assert result.status == "orphaned"


def test_a_passage_moved_elsewhere_is_found_by_its_quote(ana: str) -> None:
    lines = ana.splitlines(keepends=True)
    i = next(i for i, line in enumerate(lines) if "co-production of knowledge" in line)
    anchor = anchor_on(ana, "co-production of knowledge")
    moved = lines[:i] + lines[i + 1 :]
    moved.insert(len(moved) - 3, lines[i])
    new = "".join(moved)
    (result,) = reanchor(ana, new, [anchor])
    assert result.status == "moved" and result.start == new.index("co-production of knowledge")


def test_a_rewritten_quote_is_orphaned_rather_than_matched_loosely(ana: str) -> None:
    anchor = anchor_on(ana, "mapping and diagrams")
    new = ana.replace("mapping and diagrams", "thematic coding in NVivo")
    (result,) = reanchor(ana, new, [anchor])
    assert result.status == "orphaned"


def test_anchor_from_text_rejects_a_span_outside_the_text() -> None:
    with pytest.raises(ValueError, match="outside"):
        Anchor.from_text("x", "short", 2, 9)


# ----------------------------------------------------------------------------------------------------
# Property: edits outside every span keep every quote
# ----------------------------------------------------------------------------------------------------

BASE = (
    "Researcher 1: And how did the placement go for you?\n"
    "Student: Honestly the first week was hard. The practice nurse was kind, but the patients "
    "did not know why a student was there. By the second week I was doing the blood pressure checks.\n"
    "Researcher 1: What made the difference?\n"
    "Student: The community partner explained the project to the patients. That was the turning point, "
    "and the blood pressure checks became a way to talk about diet.\n"
)
QUOTES = [
    ("the first week was hard", 0),
    ("practice nurse was kind", 0),
    ("blood pressure checks", 0),
    ("explained the project to the patients", 0),
    ("That was the turning point", 0),
    ("blood pressure checks", 1),  # the same words twice: each anchor must keep its own
]


def _span(quote: str, occurrence: int) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence + 1):
        start = BASE.index(quote, start + 1)
    return start, start + len(quote)


SPANS = [_span(q, k) for q, k in QUOTES]
ANCHORS = [Anchor.from_text(f"s{i}", BASE, s, e) for i, (s, e) in enumerate(SPANS)]


def _outside(position: int) -> bool:
    return all(not (s < position < e) for s, e in SPANS)


edit = st.tuples(
    st.sampled_from(["insert", "delete"]),
    st.integers(0, len(BASE)),
    st.integers(1, 25),
    st.text(alphabet="abcdefghij klmnop.,\n", min_size=1, max_size=25),
)


@settings(max_examples=60, deadline=None)
@given(edits=st.lists(edit, min_size=1, max_size=5))
def test_edits_outside_all_spans_keep_every_quote(edits: list[tuple[str, int, int, str]]) -> None:
    # Build new text by copying old pieces: deletions remove a gap between spans, insertions add text at a
    # point not inside any span. Edits are applied right to left on the old text so positions stay valid.
    text = BASE
    done: list[tuple[int, int]] = []
    for kind, position, size, inserted in sorted(edits, key=lambda e: -e[1]):
        if any(lo <= position <= hi for lo, hi in done):
            continue
        if kind == "insert" and _outside(position):
            text = text[:position] + inserted + text[position:]
            done.append((position, position))
        elif kind == "delete":
            end = min(len(BASE), position + size)
            if all(end <= s or position >= e for s, e in SPANS) and all(end < lo for lo, _ in done):
                text = text[:position] + text[end:]
                done.append((position, end))
    for anchor, result in zip(ANCHORS, reanchor(BASE, text, ANCHORS), strict=True):
        assert result.status in ("unchanged", "moved"), (anchor, result)
        assert result.start is not None
        assert text[result.start : result.end] == anchor.quote
    # Each duplicate stays on its own occurrence (the first before the second).
    results = reanchor(BASE, text, ANCHORS)
    assert results[2].start is not None and results[5].start is not None
    assert results[2].start < results[5].start
