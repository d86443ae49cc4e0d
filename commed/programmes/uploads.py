"""Checks on uploaded output files: an allow-list of types, checked by extension AND by content, and a size cap."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

DEFAULT_MAX_BYTES = 25 * 1024 * 1024


def max_upload_bytes() -> int:
    return int(getattr(settings, "PROGRAMMES_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def _zip_with(prefix: str) -> Callable[[bytes, UploadedFile[bytes]], bool]:
    def check(head: bytes, upload: UploadedFile[bytes]) -> bool:
        if not head.startswith(b"PK\x03\x04"):
            return False
        upload.seek(0)
        try:
            with zipfile.ZipFile(io.BytesIO(upload.read())) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            return False
        finally:
            upload.seek(0)
        return "[Content_Types].xml" in names and any(name.startswith(prefix) for name in names)

    return check


def _is_mp3(head: bytes, upload: UploadedFile[bytes]) -> bool:
    return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)


def _is_text(head: bytes, upload: UploadedFile[bytes]) -> bool:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@dataclass(frozen=True)
class FileType:
    content_type: str
    check: Callable[[bytes, UploadedFile[bytes]], bool]


ALLOWED: dict[str, FileType] = {
    "pdf": FileType("application/pdf", lambda head, _: head.startswith(b"%PDF-")),
    "docx": FileType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", _zip_with("word/")
    ),
    "pptx": FileType(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation", _zip_with("ppt/")
    ),
    "xlsx": FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _zip_with("xl/")),
    "png": FileType("image/png", lambda head, _: head.startswith(b"\x89PNG\r\n\x1a\n")),
    "jpg": FileType("image/jpeg", lambda head, _: head.startswith(b"\xff\xd8\xff")),
    "jpeg": FileType("image/jpeg", lambda head, _: head.startswith(b"\xff\xd8\xff")),
    "mp4": FileType("video/mp4", lambda head, _: head[4:8] == b"ftyp"),
    "mp3": FileType("audio/mpeg", _is_mp3),
    "txt": FileType("text/plain", _is_text),
}


def allowed_extensions_label() -> str:
    return ", ".join(sorted({ext for ext in ALLOWED if ext != "jpeg"}))


def upload_check(upload: UploadedFile[bytes]) -> FileType:
    """Return the file's type, or raise ValidationError naming the file and what is wrong with it."""
    name = upload.name or "the file"
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    limit = max_upload_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            f"{name} is {upload.size / 1024 / 1024:.1f} MB; files may be at most {limit / 1024 / 1024:.0f} MB."
        )
    if not upload.size:
        raise ValidationError(f"{name} is empty.")
    file_type = ALLOWED.get(extension)
    if file_type is None:
        raise ValidationError(
            f"{name}: files of this type cannot be uploaded. Allowed: {allowed_extensions_label()}."
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not file_type.check(head, upload):
        raise ValidationError(f"{name} does not contain what its name says (.{extension}); it was refused.")
    return file_type
