"""QualCoder's plain-text codebook: one code a line, categories before it joined by ``>>``, a tab, a memo.

::

    code1<TAB>A memo for code 1
    cat1>>code2
    cat3>>cat2>>code4<TAB>another memo

It is read into the same :class:`~.model.Codebook` as a ``.qdc``, so it imports and exports like one:
categories are codes with ``is_codable=False`` (as QualCoder marks them in REFI-QDA), the memo is the code's
description. GUIDs are uuid5 of the code's path, so the same file gives the same GUIDs (a second import into
one study is refused as a duplicate). Blank lines are skipped; a line with an empty name is an error naming
the line; a code listed twice is merged and reported.
"""

from __future__ import annotations

import uuid

from .model import Code, Codebook, ImportReport, RefiQdaError

__all__ = ["read_codebook_text"]

_NAMESPACE = uuid.UUID("6f1c2a55-8a3e-4d0b-9d1e-2f6b1c0e7a11")
MAX_LINES = 20_000
MAX_NAME = 500


def _decode(data: bytes, filename: str, report: ImportReport) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.deviations.append(f"{filename}: not UTF-8; read as Windows-1252")
        return data.decode("cp1252", errors="replace")


def read_codebook_text(data: bytes, filename: str) -> Codebook:
    """The codebook of a QualCoder plain-text codebook file; see the module docstring."""
    if not data.strip():
        raise RefiQdaError(f"{filename}: the file is empty")
    if b"\0" in data[:4096]:
        raise RefiQdaError(f"{filename}: not a text file (it contains zero bytes)")
    report = ImportReport()
    text = _decode(data, filename, report)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if len(lines) > MAX_LINES:
        raise RefiQdaError(f"{filename}: {len(lines)} lines, over the limit of {MAX_LINES}")
    roots: list[Code] = []
    nodes: dict[tuple[str, ...], Code] = {}
    listed: set[tuple[str, ...]] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        path_text, _, memo = line.partition("\t")
        path = tuple(part.strip() for part in path_text.split(">>"))
        if any(not part for part in path):
            raise RefiQdaError(f"{filename}, line {number}: an empty category or code name in {line.strip()!r}")
        if any(len(part) > MAX_NAME for part in path):
            raise RefiQdaError(f"{filename}, line {number}: a name longer than {MAX_NAME} characters")
        for depth in range(1, len(path) + 1):
            key = path[:depth]
            if key not in nodes:
                node = Code(guid=str(uuid.uuid5(_NAMESPACE, "\x1f".join(key))), name=key[-1], is_codable=False)
                nodes[key] = node
                (nodes[key[:-1]].children if depth > 1 else roots).append(node)
        code = nodes[path]
        if path in listed:
            report.deviations.append(f"{filename}, line {number}: {' >> '.join(path)!r} is listed again: merged")
        listed.add(path)
        code.is_codable = True
        memo = memo.strip()
        if memo:
            code.description = f"{code.description}\n\n{memo}" if code.description else memo
    if not roots:
        raise RefiQdaError(f"{filename}: no codes found")
    return Codebook(origin="QualCoder plain-text codebook", codes=roots, report=report)
