"""Whose words are in a text that several parties edited in turn (pure Python, no database).

Each version of a text is (party, text). Walking the history in order, the text is split into tokens (words,
runs of white space and single punctuation marks) and each version is compared with the one before using
difflib: tokens that survive keep the party of the version that introduced them; inserted or replaced tokens
belong to the party of the new version; deleted tokens are gone. The share of a party is the number of
characters of the final text attributed to it, divided by the length of the final text.

Tokens rather than single characters keep the diff fast on long sections and make attribution follow words,
as people read it: changing "cat" to "cats" gives the whole word to the later party.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


@dataclass(frozen=True)
class Attributed:
    """The final text as tokens, each with the party that introduced it."""

    tokens: tuple[str, ...]
    parties: tuple[str, ...]

    @property
    def text(self) -> str:
        return "".join(self.tokens)

    def characters(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for token, party in zip(self.tokens, self.parties, strict=True):
            counts[party] = counts.get(party, 0) + len(token)
        return counts


def attribute(history: Sequence[tuple[str, str]]) -> Attributed:
    """Attribute every token of the last text in `history` (a list of (party, text), oldest first)."""
    current: list[str] = []
    owners: list[str] = []
    for party, text in history:
        new = tokens(text)
        matcher = SequenceMatcher(None, current, new, autojunk=False)
        new_owners: list[str] = []
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                new_owners.extend(owners[i1:i2])
            elif tag in ("replace", "insert"):
                new_owners.extend([party] * (j2 - j1))
        current, owners = new, new_owners
    return Attributed(tokens=tuple(current), parties=tuple(owners))


def character_counts(histories: Iterable[Sequence[tuple[str, str]]]) -> dict[str, int]:
    """Characters per party over several independent texts (the sections of a plan)."""
    totals: dict[str, int] = {}
    for history in histories:
        for party, count in attribute(history).characters().items():
            totals[party] = totals.get(party, 0) + count
    return totals


def shares(counts: Mapping[str, int], parties: Iterable[str] = ()) -> dict[str, float]:
    """Fractions of the whole (0..1) per party; parties named in `parties` appear even with nothing."""
    total = sum(counts.values())
    result = {party: 0.0 for party in parties}
    for party, count in counts.items():
        result[party] = count / total if total else 0.0
    return result


def section_histories(
    versions: Sequence[tuple[str, Mapping[str, str]]], sections: Iterable[str]
) -> list[list[tuple[str, str]]]:
    """Turn plan versions [(party, {section: text})] into one history per section, skipping unchanged steps."""
    histories: list[list[tuple[str, str]]] = []
    for section in sections:
        history: list[tuple[str, str]] = []
        previous = ""
        for party, texts in versions:
            text = texts.get(section, "")
            if text != previous:
                history.append((party, text))
                previous = text
        histories.append(history)
    return histories
