"""Decoding text bytes and normalising line endings.

Order of detection (first that applies wins):

1. byte-order mark: UTF-8, UTF-32 (checked before UTF-16, whose BOM is a prefix of UTF-32-LE's), UTF-16;
2. UTF-16 without a BOM, when NUL bytes fill most odd (LE) or even (BE) positions (checked before UTF-8,
   because ASCII text in UTF-16 is also valid, NUL-ridden, UTF-8);
3. strict UTF-8 (plain ASCII is reported as ``utf-8``);
4. legacy single-byte encodings through ``charset-normalizer`` restricted to cp1252, mac-roman and latin-1
   (the encodings Word and TextEdit write on Western machines); the least "chaotic" wins, ties going to
   cp1252. Latin-1 text without bytes 0x80-0x9F decodes identically in cp1252 and is then reported as
   ``cp1252``, as browsers do (WHATWG Encoding Standard maps the label latin-1 to windows-1252);
5. for inputs too short for statistics, cp1252 when it decodes without control characters (with a warning).

Anything else, or text with control characters other than tab, newline, carriage return and form feed,
is rejected as undecodable (a binary file renamed ``.txt`` is the usual cause).
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

from .model import ErrorReadingDocument

__all__ = ["decode_text", "normalise_newlines"]

_LEGACY = ("cp1252", "mac_roman", "latin_1")
_PREFERENCE = {name: rank for rank, name in enumerate(_LEGACY)}
# C0 and C1 control characters that never occur in a real transcript; tab, LF, CR and FF are allowed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_NEWLINES = re.compile(r"\r\n?")


def normalise_newlines(text: str) -> tuple[str, bool]:
    """Return ``text`` with CRLF and lone CR turned into LF and a leading BOM removed; and whether the input
    mixed two or more line-ending styles (worth a warning: the file was edited on different systems)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    crlf = text.count("\r\n")
    lone_cr = text.count("\r") - crlf
    lone_lf = text.count("\n") - crlf
    mixed = sum(1 for n in (crlf, lone_cr, lone_lf) if n) > 1
    return _NEWLINES.sub("\n", text), mixed


def _check_controls(text: str, filename: str, encoding: str) -> None:
    found = _CONTROL.search(text)
    if found is not None:
        line = text.count("\n", 0, found.start()) + 1
        raise ErrorReadingDocument(
            filename,
            f"undecodable bytes: control character U+{ord(found.group()):04X} after decoding as {encoding}; "
            "is this a binary file with a text extension?",
            line=line,
        )


def _bom(data: bytes) -> str | None:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    if len(data) < 4 or len(data) % 2:
        return None
    even_nuls = data[0::2].count(0)
    odd_nuls = data[1::2].count(0)
    half = len(data) // 2
    if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def decode_text(data: bytes, filename: str) -> tuple[str, str, list[str]]:
    """Decode ``data`` and normalise it: return ``(text, encoding, warnings)``.

    ``text`` has ``\\n`` line endings and no BOM. Raises :class:`ErrorReadingDocument` for empty or
    undecodable input.
    """
    if not data.strip():
        raise ErrorReadingDocument(filename, "the file is empty")
    warnings: list[str] = []
    encoding = _bom(data)
    text: str | None = None
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ErrorReadingDocument(
                filename,
                f"undecodable bytes: starts with a {encoding} byte-order mark but byte {exc.start} "
                f"is not valid {encoding}",
            ) from exc
    elif b"\x00" in data:
        # ASCII in UTF-16 is valid UTF-8 (full of NULs), so look for UTF-16 before trying UTF-8.
        guess = _utf16_without_bom(data)
        if guess is not None:
            try:
                text, encoding = data.decode(guess), guess
                warnings.append(f"no byte-order mark; decoded as {guess} from the pattern of zero bytes")
            except UnicodeDecodeError:
                text = None
    if text is None:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text = None
    if text is None:
        text, encoding = _decode_legacy(data, filename, warnings)
    if encoding is None:  # unreachable: every branch above sets it; this narrows the type for mypy
        raise ErrorReadingDocument(filename, "undecodable bytes")
    text, mixed = normalise_newlines(text)
    if mixed:
        warnings.append("mixed line endings (CRLF, CR and LF) were normalised to LF")
    _check_controls(text, filename, encoding)
    if not text.strip():
        raise ErrorReadingDocument(filename, "the file is empty (only white space)")
    return text, encoding, warnings


def _decode_legacy(data: bytes, filename: str, warnings: list[str]) -> tuple[str, str]:
    matches = list(charset_normalizer.from_bytes(data, cp_isolation=list(_LEGACY)))
    if matches:
        best_chaos = min(m.chaos for m in matches)
        # Within a hair of the best score, prefer the commoner encoding (cp1252, then mac-roman).
        close = [m for m in matches if m.chaos <= best_chaos + 0.01]
        chosen = min(close, key=lambda m: _PREFERENCE.get(m.encoding, len(_LEGACY)))
        encoding = chosen.encoding
        return data.decode(encoding), encoding
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ErrorReadingDocument(
            filename,
            f"undecodable bytes: not UTF-8, UTF-16 or a Western legacy encoding "
            f"(byte 0x{data[exc.start]:02X} at offset {exc.start}); save the file as UTF-8",
        ) from exc
    if _CONTROL.search(text):
        raise ErrorReadingDocument(
            filename,
            "undecodable bytes: not UTF-8, UTF-16 or a Western legacy encoding; is it a binary file?",
        )
    warnings.append("encoding guessed as cp1252 (too little text to detect it reliably)")
    return text, "cp1252"
