"""Speaker-turn detection in plain transcript text.

A turn starts at a line that begins (after optional spaces or tabs) with a speaker label in one of these
forms::

    [00:01:02] Name: ...      timestamp in brackets, then a label and a colon
    00:01:02 Name: ...        timestamp with hours (h:mm:ss), then a label and a colon
    Name (00:01:02): ...      label, timestamp in parentheses, colon
    [id1] ...  /  [ID1]: ...  label in brackets, with or without a colon
    2P14: ...  C01: ...  Researcher 1: ...  Interviewer: ...  Ana: ...   plain label and colon

A *label* is 1 to 4 words (40 characters at most) separated by single spaces; each word starts with a letter
or digit and may contain letters, digits, ``.``, ``'``, ``’`` and ``-`` (so ``Dr. O'Neil``, ``Mary-Jane``,
``2P14``). A colon after a label must be followed by white space or the end of the line, so times
(``at 10:30``, ``12-May-2023 - 10:36``) and URLs (``https://``) never start a turn; a comma, parenthesis or
ampersand stops a label, so a reference such as ``Kiger, M. & Varpio, L. (2020):`` does not either.

False positives, the rule (applied per document, labels compared case-insensitively):

- *Strong* labels are always accepted: timestamped forms, and participant codes (``2P14``, ``1P05``, ``C01``,
  ``ID1``: optional digits, 1-4 letters, digits).
- Every other label (plain ``Name:`` or bracketed ``[Name]``) is accepted when it starts at least two lines:
  a real speaker nearly always speaks more than once. A label seen only once is accepted only
  (a) in a short document (fewer than 20 non-blank lines, where a speaker may well speak once), or
  (b) when it is a numbered variant of an accepted label (``Researcher 2`` next to ``Researcher 1``).
  So a sentence such as ``The answer was simple: we left.`` that happens to start a line inside a long turn is
  not taken for a speaker.
- Words that introduce notes or metadata rather than speech (``Note``, ``NB``, ``Date``, ``Time``,
  ``Source``, ``Email`` ...) are never labels in plain form, however often they occur; bracketed
  transcription notes (``[laughter]``, ``[inaudible]``, ``[crosstalk]`` ...) never are either, and a bracketed
  label without a colon must look like a participant code (``[id1]``) unless it occurs at least twice.

Rejected candidates are reported as warnings by :func:`detect_turns_with_warnings`.

Text before the first accepted label (a title or header line) is a turn with ``speaker=None`` if it is not
blank. Each turn covers its label and runs to the last non-blank character before the next turn, so blank
separator lines are not part of any turn. A speaker's spelling is the first one met in the document
(``[id1]`` then ``[ID1]:`` are both ``id1``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import Turn

__all__ = [
    "NOT_SPEAKERS",
    "SHORT_DOCUMENT_LINES",
    "detect_turns",
    "detect_turns_with_warnings",
    "parse_clock_time",
]

_WORD = r"[^\W_][\w.'’\-]*"
_NAME = rf"(?P<name>{_WORD}(?: {_WORD}){{0,3}})"
_TIME = r"\d{1,2}(?::\d{1,2}){1,2}(?:[.,]\d{1,3})?"
_HMS = r"\d{1,2}:\d{1,2}:\d{1,2}(?:[.,]\d{1,3})?"
_END = r"(?=\s|$)"
_LEAD = r"[ \t]*"

_FORMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("timed", re.compile(rf"{_LEAD}\[(?P<ts>{_TIME})\]{_LEAD}{_NAME}[ \t]*:{_END}")),
    ("timed", re.compile(rf"{_LEAD}(?P<ts>{_HMS})[ \t]+{_NAME}[ \t]*:{_END}")),
    ("timed", re.compile(rf"{_LEAD}{_NAME}[ \t]*\((?P<ts>{_TIME})\)[ \t]*:{_END}")),
    ("bracket-colon", re.compile(rf"{_LEAD}\[{_NAME}\][ \t]*:{_END}")),
    ("bracket", re.compile(rf"{_LEAD}\[{_NAME}\]{_END}")),
    ("plain", re.compile(rf"{_LEAD}{_NAME}[ \t]*:{_END}")),
)

# Forms worth trying by the first character of the line (after spaces): a label line has its colon within
# the first 80 characters (a 40-character label, a timestamp, brackets and spaces).
_BRACKET_FORMS = (_FORMS[0], _FORMS[3], _FORMS[4])
_DIGIT_FORMS = (_FORMS[1], _FORMS[2], _FORMS[5])
_WORD_FORMS = (_FORMS[2], _FORMS[5])
_LABEL_ZONE = 80
_LETTER = re.compile(r"[^\W\d_]")

_CODE = re.compile(r"\d*[^\W\d_]{1,4}\d+", re.UNICODE)
_NUMBERED = re.compile(r"(.*?)[ ]?(\d+)")
_MAX_LABEL_CHARS = 40
SHORT_DOCUMENT_LINES = 20

# Line openers that introduce notes or metadata, not speech (compared case-insensitively).
NOT_SPEAKERS = frozenset(
    {
        "note",
        "notes",
        "nb",
        "n.b",
        "ps",
        "p.s",
        "edit",
        "update",
        "source",
        "sources",
        "re",
        "subject",
        "date",
        "time",
        "email",
        "e-mail",
        "tel",
        "phone",
        "url",
        "link",
        "website",
        "see",
        "example",
        "e.g",
        "i.e",
        "eg",
        "ie",
        "ref",
        "reference",
        "references",
        "warning",
        "tip",
        "step",
        "http",
        "https",
        "www",
        "fig",
        "figure",
        "table",
        "chapter",
        "section",
        "title",
        "author",
        "location",
        "venue",
        "duration",
        "length",
        "transcript",
        "transcriber",
        "keywords",
        "summary",
        "agenda",
        "file",
        "filename",
        "recording",
    }
)
# Bracketed transcription conventions that start lines but are not speakers.
_ANNOTATIONS = frozenset(
    {
        "laughter",
        "laughs",
        "laughing",
        "inaudible",
        "unclear",
        "crosstalk",
        "cross-talk",
        "pause",
        "silence",
        "music",
        "overlapping",
        "overlap",
        "redacted",
        "applause",
        "coughs",
        "cough",
        "sighs",
        "sigh",
        "noise",
        "background",
        "interruption",
        "interrupted",
        "break",
        "end",
        "start",
    }
)


@dataclass(slots=True)
class _Candidate:
    line_no: int
    start: int  # offset of the label's first character
    speaker: str
    key: str
    form: str
    time: float | None


def parse_clock_time(value: str) -> float:
    """Seconds in ``h:mm:ss``, ``mm:ss`` or either with a ``.`` or ``,`` fraction (``1:02:03.5`` -> 3723.5).

    Raises :class:`ValueError` when a field is not a number or minutes/seconds are 60 or more.
    """
    main, _, fraction = value.replace(",", ".").partition(".")
    parts = main.split(":")
    if not 2 <= len(parts) <= 3 or not all(p.isdigit() and p.isascii() for p in parts):
        raise ValueError(f"not a clock time: {value!r}")
    if fraction and not (fraction.isdigit() and fraction.isascii()):
        raise ValueError(f"not a clock time: {value!r}")
    numbers = [int(p) for p in parts]
    if any(n >= 60 for n in numbers[1:]):
        raise ValueError(f"minutes and seconds must be below 60: {value!r}")
    seconds = 0
    for n in numbers:
        seconds = seconds * 60 + n
    return seconds + (float("0." + fraction) if fraction else 0.0)


def _key(label: str) -> str:
    return " ".join(label.split()).casefold()


def _candidates(text: str) -> tuple[list[_Candidate], int]:
    found: list[_Candidate] = []
    offset = 0
    non_blank = 0
    for line_no, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            non_blank += 1
            head = line[:_LABEL_ZONE].lstrip(" \t")
            if not head.startswith("[") and ":" not in head:
                offset += len(line) + 1
                continue  # cheap filter: most lines of a transcript are speech, not labels
            forms = (
                _BRACKET_FORMS
                if head.startswith("[")
                else _DIGIT_FORMS
                if head[:1].isdigit()
                else _WORD_FORMS
            )
            for form, pattern in forms:
                m = pattern.match(line)
                if m is None:
                    continue
                name = " ".join(m.group("name").split())
                if len(name) > _MAX_LABEL_CHARS or _LETTER.search(name) is None:
                    continue
                time: float | None = None
                if "ts" in m.groupdict():
                    try:
                        time = parse_clock_time(m.group("ts"))
                    except ValueError:
                        continue
                lead = len(line) - len(line.lstrip(" \t"))
                found.append(_Candidate(line_no, offset + lead, name, _key(name), form, time))
                break
        offset += len(line) + 1
    return found, non_blank


def _accepted_keys(candidates: list[_Candidate], non_blank_lines: int) -> tuple[set[str], list[str]]:
    counts: dict[str, int] = {}
    for c in candidates:
        counts[c.key] = counts.get(c.key, 0) + 1
    accepted: set[str] = set()
    pending: list[str] = []
    reasons: dict[str, str] = {}
    for c in candidates:
        if c.key in accepted or c.key in reasons:
            continue
        if c.form == "timed" or _CODE.fullmatch(c.speaker):
            accepted.add(c.key)
        elif c.form == "plain" and c.key in NOT_SPEAKERS:
            reasons[c.key] = "it introduces a note or metadata, not speech"
        elif c.form.startswith("bracket") and c.key in _ANNOTATIONS:
            reasons[c.key] = "it is a transcription note"
        elif counts[c.key] >= 2 and (c.form != "bracket" or c.key not in _ANNOTATIONS):
            accepted.add(c.key)
        elif c.form == "bracket":
            reasons[c.key] = "a bracketed label without a colon must look like a participant code or recur"
        else:
            if c.key not in pending:
                pending.append(c.key)
    for key in pending:
        numbered = _NUMBERED.fullmatch(key)
        sibling = numbered is not None and any(
            (other := _NUMBERED.fullmatch(a)) is not None and other.group(1) == numbered.group(1)
            for a in accepted
        )
        if non_blank_lines < SHORT_DOCUMENT_LINES or sibling:
            accepted.add(key)
        else:
            reasons[key] = "it starts only one line in a long document (a sentence, not a speaker?)"
    warnings = []
    for c in candidates:
        if c.key in reasons:
            warnings.append(f"line {c.line_no}: {c.speaker!r} not taken as a speaker label: {reasons[c.key]}")
    return accepted, warnings


def _end_before(text: str, limit: int, start: int) -> int:
    """Offset just after the last non-blank character of ``text[start:limit]`` (or ``start`` if all blank)."""
    return start + len(text[start:limit].rstrip())


def detect_turns_with_warnings(text: str) -> tuple[list[Turn], list[str]]:
    """Like :func:`detect_turns`, also returning one warning per rejected label candidate."""
    candidates, non_blank = _candidates(text)
    accepted, warnings = _accepted_keys(candidates, non_blank)
    starts = [c for c in candidates if c.key in accepted]
    spelling: dict[str, str] = {}
    for c in starts:
        spelling.setdefault(c.key, c.speaker)
    turns: list[Turn] = []
    first = starts[0].start if starts else len(text)
    lead = len(text) - len(text.lstrip())
    if lead < first:
        header_end = _end_before(text, first, lead)
        if header_end > lead:
            turns.append(Turn(None, lead, header_end, None))
    for i, c in enumerate(starts):
        limit = starts[i + 1].start if i + 1 < len(starts) else len(text)
        turns.append(Turn(spelling[c.key], c.start, _end_before(text, limit, c.start), c.time))
    return turns, warnings


def detect_turns(text: str) -> list[Turn]:
    """Split ``text`` (``\\n`` line endings) into speaker turns; see the module docstring for the rules."""
    return detect_turns_with_warnings(text)[0]
