"""Reading a zip from outside into memory, with limits checked before and during decompression.

A .qdpx is untrusted: its central directory may lie about sizes, its entries may overlap (the
"non-recursive" zip bomb of D. Fifield, 2019, https://www.bamsoftware.com/hacks/zipbomb/), its names
may try to escape a folder. Nothing is ever extracted to disk. The checks, in order:

1. the archive itself: at most ``max_archive_bytes``, a readable central directory;
2. every entry, before any is decompressed: count, safe name (no ``..``, absolute, backslash or
   drive-letter names, no NUL), no symlink (Unix mode in ``external_attr``), no encryption,
   declared size per entry and in total, compression ratio, and no two entries sharing bytes;
3. while reading a member: a running byte counter against the entry's cap and the archive's
   remaining budget, because the declared size is only a claim (zipfile also checks the CRC at the end).
"""

from __future__ import annotations

import io
import itertools
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass

from .model import RefiQdaError

_MiB = 1024 * 1024
_CHUNK = 64 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")
# Fixed part of a local file header (APPNOTE 4.3.7): the smallest space an entry can take before its data.
_LOCAL_HEADER = 30


@dataclass(frozen=True)
class ZipLimits:
    """Caps for one archive. The defaults fit a large interview study (hundreds of transcripts)."""

    max_archive_bytes: int = 512 * _MiB
    max_entries: int = 10_000
    max_total_bytes: int = 1024 * _MiB  # uncompressed, all members read
    max_entry_bytes: int = 256 * _MiB  # uncompressed, one member
    max_ratio: float = 200.0  # uncompressed / compressed, per entry
    ratio_floor_bytes: int = 1 * _MiB  # entries smaller than this are not ratio-checked (harmless)
    max_xml_attribute_chars: int = 1 * _MiB
    max_code_depth: int = 200


DEFAULT_LIMITS = ZipLimits()


def _check_name(name: str) -> None:
    if "\x00" in name:
        raise RefiQdaError(f"zip entry {name!r} has a NUL byte in its name; refused")
    if "\\" in name:
        raise RefiQdaError(f"zip entry {name!r} uses a backslash in its name (a path trick); refused")
    if name.startswith("/") or _DRIVE.match(name):
        raise RefiQdaError(f"zip entry {name!r} has an absolute name; refused")
    if any(part == ".." for part in name.split("/")):
        raise RefiQdaError(f"zip entry {name!r} climbs out of the archive with '..'; refused")


class SafeZip:
    """An opened archive whose directory passed the checks; members are read into memory only."""

    def __init__(self, data: bytes, limits: ZipLimits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        if not data:
            raise RefiQdaError("the file is empty (0 bytes), not a REFI-QDA .qdpx zip")
        if len(data) > limits.max_archive_bytes:
            raise RefiQdaError(
                f"the archive is {len(data)} bytes, over the limit of {limits.max_archive_bytes} bytes"
            )
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise RefiQdaError(f"not a readable zip archive (a .qdpx is a zip): {exc}") from exc
        if len(infos) > limits.max_entries:
            raise RefiQdaError(
                f"the archive has {len(infos)} entries, over the limit of {limits.max_entries}"
            )
        declared = 0
        seen: set[str] = set()
        for info in infos:
            name = info.filename
            _check_name(name)
            if stat.S_ISLNK(info.external_attr >> 16):
                raise RefiQdaError(f"zip entry {name!r} is a symbolic link; refused")
            if info.flag_bits & 0x1:
                raise RefiQdaError(f"zip entry {name!r} is encrypted; export the project without a password")
            key = name.lower()
            if key in seen:
                raise RefiQdaError(f"zip entry {name!r} appears twice (names compared case-insensitively)")
            seen.add(key)
            if info.file_size > limits.max_entry_bytes:
                raise RefiQdaError(
                    f"zip entry {name!r} declares {info.file_size} bytes uncompressed, over the limit of "
                    f"{limits.max_entry_bytes}"
                )
            if info.file_size >= limits.ratio_floor_bytes:
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > limits.max_ratio:
                    raise RefiQdaError(
                        f"zip entry {name!r} expands {ratio:.0f} times (limit {limits.max_ratio:.0f}): "
                        "a zip bomb; refused"
                    )
            declared += info.file_size
        if declared > limits.max_total_bytes:
            raise RefiQdaError(
                f"the archive declares {declared} bytes uncompressed in total, over the limit of "
                f"{limits.max_total_bytes}"
            )
        self._check_no_overlap(infos, len(data))
        self._by_lower = {info.filename.lower(): info for info in infos if not info.is_dir()}
        self._budget = limits.max_total_bytes

    @staticmethod
    def _check_no_overlap(infos: list[zipfile.ZipInfo], size: int) -> None:
        """Entries whose data overlap are the trick of the non-recursive zip bomb: refuse them.

        The smallest possible end of an entry is its header offset + the fixed local header + its
        name + its compressed size; if that passes the next entry's start, the two share bytes.
        """
        ordered = sorted(infos, key=lambda i: i.header_offset)
        for current, following in itertools.pairwise(ordered):
            # Characters never outnumber bytes: len(filename) keeps this a lower bound in any encoding.
            end = current.header_offset + _LOCAL_HEADER + len(current.filename) + current.compress_size
            if end > following.header_offset:
                raise RefiQdaError(
                    f"zip entries {current.filename!r} and {following.filename!r} overlap (share compressed "
                    "data): an overlapping-entry zip bomb; refused"
                )
        if ordered:
            last = ordered[-1]
            if last.header_offset + _LOCAL_HEADER + last.compress_size > size:
                raise RefiQdaError(
                    f"zip entry {last.filename!r} runs past the end of the archive (truncated)"
                )

    def names(self) -> list[str]:
        return [info.filename for info in self._by_lower.values()]

    def find(self, name: str) -> str | None:
        """The stored name of the entry called ``name``, compared case-insensitively."""
        info = self._by_lower.get(name.lower())
        return info.filename if info else None

    def read(self, name: str) -> bytes:
        """Decompress one member into memory, counting bytes as they come (headers may lie)."""
        info = self._by_lower.get(name.lower())
        if info is None:
            raise RefiQdaError(f"zip entry {name!r} does not exist")
        cap = min(self.limits.max_entry_bytes, self._budget)
        out = bytearray()
        try:
            with self._zip.open(info) as member:
                while True:
                    chunk = member.read(_CHUNK)
                    if not chunk:
                        break
                    out += chunk
                    if len(out) > cap:
                        raise RefiQdaError(
                            f"zip entry {info.filename!r} decompresses past its limit of {cap} bytes; refused"
                        )
        except RefiQdaError:
            raise
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise RefiQdaError(
                f"zip entry {info.filename!r} is corrupt or its header lies about its size: {exc}"
            ) from exc
        if len(out) != info.file_size:
            raise RefiQdaError(
                f"zip entry {info.filename!r} declared {info.file_size} bytes but holds {len(out)}"
            )
        self._budget -= len(out)
        return bytes(out)
