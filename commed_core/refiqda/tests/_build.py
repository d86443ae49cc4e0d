"""Helpers that build .qdpx archives and project.qde documents in memory for the tests."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Mapping
from pathlib import Path

EXTERNAL = Path(__file__).resolve().parents[3] / ".." / "shared" / "external"
SCHEMAS = EXTERNAL / "schemas"
NS = "urn:QDA-XML:project:1.0"
USER = "11111111-1111-4111-8111-111111111111"
CODE = "22222222-2222-4222-8222-222222222222"
SOURCE = "33333333-3333-4333-8333-333333333333"
SEL = "44444444-4444-4444-8444-444444444444"
CODING = "55555555-5555-4555-8555-555555555555"
TEXT = "Speaker 1: we walked to the clinic.\nSpeaker 2: it was closed."


def external() -> Path:
    # Fail, never skip: the interop tests are the point of this package.
    assert EXTERNAL.is_dir(), f"the real test files are missing: {EXTERNAL}"
    return EXTERNAL


def qdpx(entries: Mapping[str, bytes | str], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, payload in entries.items():
            archive.writestr(name, payload.encode() if isinstance(payload, str) else payload)
    return buffer.getvalue()


def selection(
    start: object = 0, end: object = 9, *, code: str = CODE, user: str = USER, guid: str = SEL
) -> str:
    return (
        f'<PlainTextSelection guid="{guid}" name="s" startPosition="{start}" endPosition="{end}">'
        f'<Coding guid="{CODING}" creatingUser="{user}"><CodeRef targetGUID="{code}"/></Coding>'
        "</PlainTextSelection>"
    )


def project_xml(
    *,
    codes: str | None = None,
    sources: str | None = None,
    extra: str = "",
    head: str = f'<Project xmlns="{NS}" name="p" origin="test">',
    tail: str = "</Project>",
    users: str = f'<Users><User guid="{USER}" name="ana"/></Users>',
) -> str:
    if codes is None:
        codes = f'<Code guid="{CODE}" name="access" isCodable="true" color="#AA0000"/>'
    if sources is None:
        sources = f'<TextSource guid="{SOURCE}" name="t1" plainTextPath="internal://{SOURCE}.txt">{selection()}</TextSource>'
    return (
        f"{head}{users}<CodeBook><Codes>{codes}</Codes></CodeBook><Sources>{sources}</Sources>{extra}{tail}"
    )


def simple_qdpx(qde: str | bytes | None = None, text: bytes | str = TEXT, **kwargs: str) -> bytes:
    return qdpx(
        {"project.qde": qde if qde is not None else project_xml(**kwargs), f"sources/{SOURCE}.txt": text}
    )


def patch_central(data: bytes, index: int, offset: int, fmt: str, value: int) -> bytes:
    """Overwrite a field of the index-th central-directory header (APPNOTE 4.3.12)."""
    position = -1
    for _ in range(index + 1):
        position = data.index(b"PK\x01\x02", position + 1)
    out = bytearray(data)
    struct.pack_into(fmt, out, position + offset, value)
    return bytes(out)


def patch_local(data: bytes, index: int, offset: int, fmt: str, value: int) -> bytes:
    """Overwrite a field of the index-th local file header (APPNOTE 4.3.7)."""
    position = -1
    for _ in range(index + 1):
        position = data.index(b"PK\x03\x04", position + 1)
    out = bytearray(data)
    struct.pack_into(fmt, out, position + offset, value)
    return bytes(out)
