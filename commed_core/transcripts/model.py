"""Data types shared by every reader: :class:`Document`, :class:`Turn` and :class:`ErrorReadingDocument`."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Document", "ErrorReadingDocument", "Turn"]


class ErrorReadingDocument(ValueError):
    """A document could not be read. The message always names the file, and the line or cue where relevant.

    It subclasses :class:`ValueError` so callers that already catch bad input keep working.
    """

    def __init__(
        self, filename: str, problem: str, *, line: int | None = None, cue: str | None = None
    ) -> None:
        where = filename or "(unnamed file)"
        if line is not None:
            where += f", line {line}"
        if cue is not None:
            where += f", cue {cue}"
        super().__init__(f"{where}: {problem}")
        self.filename = filename
        self.problem = problem
        self.line = line
        self.cue = cue


@dataclass(frozen=True, slots=True)
class Turn:
    """One speaker turn: ``text[start:end]`` of its document (code points, ``end`` exclusive).

    The span starts at the speaker label (``"Ana: ..."`` starts at ``A``) and ends after the last
    non-blank character of the turn, so it never includes the newline or blank lines that separate turns.
    ``speaker`` is ``None`` for text before the first label (a header) or for unlabelled subtitle cues.
    ``time`` is the start time in seconds when the source gives one (subtitle cues, ``[00:01:02] Name:``).
    """

    speaker: str | None
    start: int
    end: int
    time: float | None = None


@dataclass(slots=True)
class Document:
    """A document read from bytes.

    ``text`` has ``\\n`` line endings only and no byte-order mark, so offsets (turns, codings) count code
    points of exactly this string, as REFI-QDA plain-text selections do. ``encoding`` is the text encoding
    that was detected (``None`` for DOCX, ODT and PDF, whose text comes from the container). ``warnings``
    lists recoverable oddities a researcher should know about (encoding guessed, extension contradicted by the
    content, a rejected speaker label, a skipped subtitle block ...).
    """

    name: str
    text: str
    turns: list[Turn] = field(default_factory=list)
    source_format: str = "text"
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)
