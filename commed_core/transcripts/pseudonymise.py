"""Pseudonymisation: replacing participants' names by their codes, and other names by ``[redacted]``.

Matching rules:

- whole words only: a name matches where it is neither preceded nor followed by a letter, digit or
  underscore, so ``Ana`` is found in ``Ana's``, ``(Ana)`` and ``Ana-led`` but not in ``banana`` or
  ``Anastasia`` (a hyphen separates words: list ``Jean-Luc`` too if ``Jean`` is listed, longest wins);
  a possessive keeps its ending (``Ana's`` -> ``[C01]'s``);
- case-insensitive (``ANA``, ``ana``); white space inside a multi-word name matches any run of white space
  (a name broken across lines); a straight apostrophe in a name also matches a curly one and vice versa;
- longest name first: at each position the longest listed name wins, so ``Anna`` is not replaced as ``Ann``
  followed by ``a``, and ``Ana Silva`` is replaced as one name, not ``[C01] Silva``;
- first names are matched when the register lists them; :func:`expand_first_names` adds the first word of
  each multi-word name when it belongs to one person only.

In running text the code goes in brackets (``[C01]``) so a reader sees it was replaced; a code already
written in brackets is not bracketed twice. In labels (speaker names, document names) the code is used as
is: speaker ``Ana`` becomes ``C01``.

The log (:class:`Replacement`) gives positions in the ORIGINAL text and is meant to be stored apart from
the pseudonymised text (it contains the real names). Applying the log to the original text, from the end,
reproduces the new text exactly; :func:`remap_span` and :func:`remap_turns` move offsets from the original
text to the new one.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from .model import Document, Turn

__all__ = [
    "PseudonymisationResult",
    "Replacement",
    "apply_log",
    "expand_first_names",
    "pseudonymise",
    "pseudonymise_document",
    "remap_offset",
    "remap_offsets",
    "remap_span",
    "remap_turns",
]

_APOSTROPHES = "'’"


@dataclass(frozen=True, slots=True)
class Replacement:
    """``original[start:end]`` (the name as written) was replaced by ``replacement`` (e.g. ``[C01]``)."""

    original: str
    replacement: str
    start: int
    end: int


@dataclass(slots=True)
class PseudonymisationResult:
    """The new text, the log of replacements (original positions) and the turns moved to the new text
    (``None`` when no turns were given)."""

    text: str
    log: list[Replacement]
    turns: list[Turn] | None = None


def _normal(name: str) -> str:
    return " ".join(name.replace("’", "'").split()).casefold()


def _name_pattern(name: str) -> str:
    words = []
    for word in name.split():
        words.append("".join(f"[{_APOSTROPHES}]" if ch in _APOSTROPHES else re.escape(ch) for ch in word))
    return r"\s+".join(words)


class _Matcher:
    def __init__(
        self,
        replacements: Mapping[str, str],
        extra_names: Iterable[str | tuple[str, str]],
        redaction_label: str,
    ) -> None:
        labels: dict[str, str] = {}
        spelled: dict[str, str] = {}

        def add(name: str, label: str) -> None:
            if not name.strip():
                raise ValueError("a name to replace is empty")
            if not label.strip():
                raise ValueError(f"the replacement for {name!r} is empty")
            key = _normal(name)
            if key in labels and labels[key] != label:
                raise ValueError(f"{name!r} is given two replacements: {labels[key]!r} and {label!r}")
            labels[key] = label
            spelled.setdefault(key, name.strip())

        for name, code in replacements.items():
            add(name, code)
        for extra in extra_names:
            if isinstance(extra, str):
                add(extra, redaction_label)
            else:
                add(extra[0], extra[1])
        self.labels = labels
        # Longest first: the regex alternation tries alternatives in order at each position.
        ordered = sorted(spelled.values(), key=lambda n: (-len(_normal(n)), _normal(n)))
        self.pattern: re.Pattern[str] | None = None
        if ordered:
            alternatives = "|".join(_name_pattern(n) for n in ordered)
            self.pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
        self._cache: dict[str, str] = {}
        self._each = [(re.compile(_name_pattern(n), re.IGNORECASE), labels[_normal(n)]) for n in ordered]

    def label_for(self, matched: str) -> str:
        label = self._cache.get(matched)
        if label is not None:
            return label
        label = self.labels.get(_normal(matched))
        if label is not None:
            self._cache[matched] = label
            return label
        # Case folding and the regex engine's case-insensitivity differ for a few letters (e.g. dotted I).
        for pattern, candidate in self._each:
            if pattern.fullmatch(matched):
                return candidate
        raise AssertionError(f"matched {matched!r} is not a listed name")  # pragma: no cover

    def run(self, text: str, bracket: bool) -> tuple[str, list[Replacement]]:
        if self.pattern is None:
            return text, []
        log: list[Replacement] = []
        parts: list[str] = []
        last = 0
        for m in self.pattern.finditer(text):
            label = self.label_for(m.group())
            new = f"[{label}]" if bracket and not (label.startswith("[") and label.endswith("]")) else label
            log.append(Replacement(m.group(), new, m.start(), m.end()))
            parts.append(text[last : m.start()])
            parts.append(new)
            last = m.end()
        parts.append(text[last:])
        return "".join(parts), log


def expand_first_names(register: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``register`` (real name -> code) plus the first name of each multi-word name, when that first
    name belongs to one code only and is not already listed (``{"Ana Silva": "C01"}`` gains ``"Ana": "C01"``;
    two Anas with different codes gain nothing, as replacing ``Ana`` would then be a guess)."""
    out = dict(register)
    listed = {_normal(n) for n in register}
    owners: dict[str, set[str]] = {}
    spelling: dict[str, str] = {}
    for name, code in register.items():
        words = name.split()
        if len(words) > 1:
            key = _normal(words[0])
            owners.setdefault(key, set()).add(code)
            spelling.setdefault(key, words[0])
    for key, codes in owners.items():
        if len(codes) == 1 and key not in listed:
            out[spelling[key]] = next(iter(codes))
    return out


def _shifts(log: Sequence[Replacement]) -> tuple[list[Replacement], list[int], list[int]]:
    ordered = sorted(log, key=lambda r: r.start)
    starts = [r.start for r in ordered]
    cumulative = [0]
    for r in ordered:
        cumulative.append(cumulative[-1] + len(r.replacement) - (r.end - r.start))
    return ordered, starts, cumulative


def _remap(pos: int, side: str, ordered: list[Replacement], starts: list[int], cumulative: list[int]) -> int:
    # Replacements starting before pos (strictly): all of them shift pos, unless pos is inside the last one.
    i = bisect.bisect_left(starts, pos)
    if i and pos < ordered[i - 1].end:
        inside = ordered[i - 1]
        new_start = inside.start + cumulative[i - 1]
        return new_start if side == "start" else new_start + len(inside.replacement)
    return pos + cumulative[i]


def remap_offset(pos: int, log: Sequence[Replacement], *, side: str = "start") -> int:
    """Move an offset of the original text to the pseudonymised text. An offset strictly inside a replaced
    name moves to the start of its replacement (``side="start"``) or to its end (``side="end"``)."""
    if side not in ("start", "end"):
        raise ValueError("side must be 'start' or 'end'")
    return _remap(pos, side, *_shifts(log))


def remap_offsets(offsets: Iterable[int], log: Sequence[Replacement], *, side: str = "start") -> list[int]:
    """:func:`remap_offset` for many offsets at once (the log is sorted once)."""
    if side not in ("start", "end"):
        raise ValueError("side must be 'start' or 'end'")
    shifts = _shifts(log)
    return [_remap(pos, side, *shifts) for pos in offsets]


def remap_span(start: int, end: int, log: Sequence[Replacement]) -> tuple[int, int]:
    """Move a ``[start, end)`` span of the original text to the pseudonymised text; a span that cuts a
    replaced name grows to cover the whole replacement."""
    shifts = _shifts(log)
    return _remap(start, "start", *shifts), _remap(end, "end", *shifts)


def remap_turns(turns: Sequence[Turn], log: Sequence[Replacement]) -> list[Turn]:
    """The turns with their offsets moved to the pseudonymised text (speakers unchanged)."""
    shifts = _shifts(log)
    return [
        replace(t, start=_remap(t.start, "start", *shifts), end=_remap(t.end, "end", *shifts)) for t in turns
    ]


def apply_log(original: str, log: Sequence[Replacement]) -> str:
    """Rebuild the pseudonymised text from the original and the log (used to check a stored log)."""
    parts: list[str] = []
    last = 0
    for r in sorted(log, key=lambda r: r.start):
        if r.start < last or original[r.start : r.end] != r.original:
            raise ValueError(f"the log does not fit this text at {r.start}-{r.end}")
        parts.append(original[last : r.start])
        parts.append(r.replacement)
        last = r.end
    parts.append(original[last:])
    return "".join(parts)


def _label(matcher: _Matcher, label: str | None) -> str | None:
    return None if label is None else matcher.run(label, bracket=False)[0]


def pseudonymise(
    text: str,
    replacements: Mapping[str, str],
    *,
    extra_names: Iterable[str | tuple[str, str]] = (),
    redaction_label: str = "redacted",
    turns: Sequence[Turn] | None = None,
) -> PseudonymisationResult:
    """Replace names in ``text``; see the module docstring for the matching rules.

    ``replacements`` maps real names to codes (the participant register:
    ``{"Ana Silva": "C01", "Ana": "C01"}``).
    ``extra_names`` are other names to hide: a bare name becomes ``[redaction_label]`` (``[redacted]``), a
    ``(name, label)`` pair becomes ``[label]``. When ``turns`` are given they are returned moved to the new
    text, with their speaker labels pseudonymised too. Raises :class:`ValueError` for an empty name or label
    and for a name given two different replacements (case-insensitively).
    """
    matcher = _Matcher(replacements, extra_names, redaction_label)
    new_text, log = matcher.run(text, bracket=True)
    new_turns = None
    if turns is not None:
        new_turns = [replace(t, speaker=_label(matcher, t.speaker)) for t in remap_turns(turns, log)]
    return PseudonymisationResult(new_text, log, new_turns)


def pseudonymise_document(
    document: Document,
    replacements: Mapping[str, str],
    *,
    extra_names: Iterable[str | tuple[str, str]] = (),
    redaction_label: str = "redacted",
) -> tuple[Document, list[Replacement]]:
    """A pseudonymised copy of ``document`` (text, turns, speakers, name and warnings) and the log for its text.

    Warnings are pseudonymised too: a rejected speaker label quoted in one may be a real name.
    """
    matcher = _Matcher(replacements, extra_names, redaction_label)
    new_text, log = matcher.run(document.text, bracket=True)
    turns = [replace(t, speaker=_label(matcher, t.speaker)) for t in remap_turns(document.turns, log)]
    name = _label(matcher, document.name) or document.name
    warnings = [matcher.run(warning, bracket=True)[0] for warning in document.warnings]
    return (
        Document(name, new_text, turns, document.source_format, document.encoding, warnings),
        log,
    )
