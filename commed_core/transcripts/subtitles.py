"""WebVTT and SRT readers (Zoom and Microsoft Teams transcripts).

Parsing, after line endings are normalised:

- blocks are separated by blank lines. In WebVTT the first block is the ``WEBVTT`` header (a file without it
  is read with a warning); ``NOTE``, ``STYLE`` and ``REGION`` blocks are skipped (W3C WebVTT, sections 4.1 and
  6.1). A block without a ``-->`` timing line is skipped with a warning;
- a cue is an optional identifier line, a timing line ``start --> end [settings]`` and text lines. Times are
  ``[hh:]mm:ss.ttt``; a comma works as the decimal separator as in SRT, and 1-3 fraction digits are accepted.
  A malformed time raises :class:`ErrorReadingDocument` naming the cue (identifier or number) and line;
  settings (``align:start`` ...) are ignored;
- speaker: a voice tag ``<v Ana Silva>`` or ``<v.loud Ana>`` (Teams); otherwise a leading ``Name:`` in the cue
  text (Zoom) when it passes the same label shape as :mod:`.turns` (at most 4 words, 40 characters). One cue
  with several voice tags gives several segments. Other tags (``<b>``, ``<i>``, ``<c.x>``, ``<00:00:01.000>``,
  ``<font>`` ...) are removed and character references (``&amp;``) decoded;
- consecutive segments of the same speaker merge into one turn, their texts joined by a space (line breaks
  inside a cue are display wrapping). Each turn is one line ``Speaker: text`` of the document, with the start
  time of its first cue. Cues with no speaker are not merged: each is its own line and turn (speaker None).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from .model import Document, ErrorReadingDocument, Turn
from .turns import NOT_SPEAKERS, SHORT_DOCUMENT_LINES, parse_clock_time

__all__ = ["read_subtitles"]

_TIMESTAMP = re.compile(r"(?:\d+:)?\d{1,2}:\d{1,2}[.,]\d{1,3}")
_TIMING = re.compile(r"^\s*(?P<start>\S+)\s+-->\s+(?P<end>\S+)(?:\s+.*)?$")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:\s+(?P<name>[^>]*))?>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z0-9._:-]*(?:\s[^>]*)?>|<\d[\d:.]*>")
_ZOOM_LABEL = re.compile(r"^(?P<name>[^\W_][\w.'’\- ]{0,39}?)\s*:\s+(?P<rest>.*)$", re.DOTALL)
_SKIPPED_BLOCKS = ("NOTE", "STYLE", "REGION")


@dataclass(slots=True)
class _Segment:
    speaker: str | None
    text: str
    time: float
    unlabelled: str | None = None  # the whole cue text when the speaker came from a Zoom-style "Name:" prefix


def _time(value: str, filename: str, cue: str, line: int) -> float:
    if not _TIMESTAMP.fullmatch(value):
        raise ErrorReadingDocument(
            filename, f"malformed timestamp {value!r} (expected [hh:]mm:ss.ttt or ss,ttt)", line=line, cue=cue
        )
    try:
        return parse_clock_time(value)
    except ValueError as exc:
        raise ErrorReadingDocument(
            filename, f"malformed timestamp {value!r}: {exc}", line=line, cue=cue
        ) from exc


def _clean(text: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", text)).split())


def _segments(payload: str, time: float) -> list[_Segment]:
    voices = list(_VOICE.finditer(payload))
    if not voices:
        text = _clean(payload)
        m = _ZOOM_LABEL.match(text)
        if m is not None and len(m.group("name").split()) <= 4:
            return [_Segment(" ".join(m.group("name").split()), m.group("rest").strip(), time, text)]
        return [_Segment(None, text, time)] if text else []
    segments: list[_Segment] = []
    before = _clean(payload[: voices[0].start()])
    if before:
        segments.append(_Segment(None, before, time))
    for i, voice in enumerate(voices):
        stop = voices[i + 1].start() if i + 1 < len(voices) else len(payload)
        name = " ".join((voice.group("name") or "").split()) or None
        text = _clean(payload[voice.end() : stop])
        if text:
            segments.append(_Segment(name, text, time))
    return segments


def read_subtitles(text: str, filename: str, source_format: str) -> Document:
    """Read WebVTT (``source_format="vtt"``) or SRT (``"srt"``) text with ``\\n`` line endings."""
    warnings: list[str] = []
    lines = text.split("\n")
    blocks: list[tuple[int, list[str]]] = []  # (1-based line number of the block's first line, lines)
    current: list[str] = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not current:
                blocks.append((number, current))
            current.append(line)
        elif current:
            current = []
    if source_format == "vtt":
        if blocks and re.match(r"WEBVTT(?:[ \t]|$)", blocks[0][1][0]):
            blocks = blocks[1:]
        else:
            warnings.append("no WEBVTT header on the first line; read anyway")
    segments: list[_Segment] = []
    cue_number = 0
    for first_line, block in blocks:
        head = block[0].strip()
        if head.split(" ", 1)[0].split("\t", 1)[0] in _SKIPPED_BLOCKS and "-->" not in head:
            continue
        timing_index = next((i for i, line in enumerate(block[:2]) if "-->" in line), None)
        if timing_index is None:
            warnings.append(f"line {first_line}: block without a '-->' timing line skipped: {head[:40]!r}")
            continue
        cue_number += 1
        cue = f"{cue_number}" + (f" ({block[0].strip()!r})" if timing_index == 1 else "")
        timing_line = first_line + timing_index
        m = _TIMING.match(block[timing_index])
        if m is None:
            raise ErrorReadingDocument(
                filename, f"malformed timing line {block[timing_index].strip()!r}", line=timing_line, cue=cue
            )
        start = _time(m.group("start"), filename, cue, timing_line)
        end = _time(m.group("end"), filename, cue, timing_line)
        if end < start:
            warnings.append(f"cue {cue}: ends ({m.group('end')}) before it starts ({m.group('start')})")
        segments.extend(_segments("\n".join(block[timing_index + 1 :]), start))
    if not segments:
        raise ErrorReadingDocument(filename, f"no cues with text found in this {source_format.upper()} file")
    _drop_doubtful_zoom_labels(segments, cue_number, warnings)
    return _assemble(segments, filename, source_format, warnings)


def _drop_doubtful_zoom_labels(segments: list[_Segment], cues: int, warnings: list[str]) -> None:
    """Apply the false-positive rule of :mod:`.turns` to ``Name:`` prefixes found in cue text: a note word is
    never a speaker, and a prefix seen in one cue only, among 20 or more cues, is taken as text."""
    counts: dict[str, int] = {}
    for seg in segments:
        if seg.unlabelled is not None and seg.speaker is not None:
            counts[seg.speaker.casefold()] = counts.get(seg.speaker.casefold(), 0) + 1
    for seg in segments:
        if seg.unlabelled is None or seg.speaker is None:
            continue
        key = seg.speaker.casefold()
        if key in NOT_SPEAKERS or (counts[key] == 1 and cues >= SHORT_DOCUMENT_LINES):
            warnings.append(f"{seg.speaker!r} at {seg.time:.3f} s not taken as a speaker label")
            seg.speaker, seg.text, seg.unlabelled = None, seg.unlabelled, None


def _assemble(segments: list[_Segment], filename: str, source_format: str, warnings: list[str]) -> Document:
    merged: list[_Segment] = []
    for seg in segments:
        if merged and seg.speaker is not None and merged[-1].speaker == seg.speaker:
            merged[-1].text += " " + seg.text
        else:
            merged.append(_Segment(seg.speaker, seg.text, seg.time))
    parts: list[str] = []
    turns: list[Turn] = []
    offset = 0
    for seg in merged:
        line = seg.text if seg.speaker is None else f"{seg.speaker}: {seg.text}"
        turns.append(Turn(seg.speaker, offset, offset + len(line), seg.time))
        parts.append(line)
        offset += len(line) + 1
    return Document(
        name=filename,
        text="\n".join(parts),
        turns=turns,
        source_format=source_format,
        encoding=None,
        warnings=warnings,
    )
