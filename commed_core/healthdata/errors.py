"""The one error type the readers raise."""

from __future__ import annotations

__all__ = ["HealthDataError"]


class HealthDataError(ValueError):
    """A publisher's file could not be read as its layout says.

    ``filename``, ``row`` (1-based, counted as a spreadsheet shows rows: the header is row 1, so the first
    data row is row 2; a file without a header starts at row 1) and ``column`` (the column's name in the
    file's header, or ``"column N"`` for a file without one) say where. ``row``/``column`` are ``None`` when
    the problem is the file as a whole (empty file, unknown layout).
    """

    def __init__(
        self, message: str, *, filename: str, row: int | None = None, column: str | None = None
    ) -> None:
        self.filename = filename
        self.row = row
        self.column = column
        self.reason = message
        where = [filename]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message}")
