"""Imports of the area lookups (see lookups.py). All or nothing: one bad row and nothing is saved, and every
problem is reported with the file, row and column. Existing entries for the same area are replaced."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from commed.accounts.models import User
from commed.audit.models import Action
from commed.audit.services import audit_record
from commed.lib.tabular import ImportFailed, Row, Table, TableError, read_table
from commed.outreach.lookups import postcode_normalise, postcode_valid
from commed.outreach.models import AreaQuintile, PostcodeIMD


@dataclass(frozen=True)
class ImportResult:
    rows: int
    summary: str


def _whole(table: Table, row: Row, column: str, low: int, high: int, errors: list[str],
           blank_ok: bool = False) -> int | None:
    raw = row.values.get(column, "").strip()
    if not raw and blank_ok:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        errors.append(f"{table.where(row, column)}: {raw!r} is not a whole number from {low} to {high}.")
        return None
    return value


def _read(data: bytes, filename: str, required: list[str], optional: list[str],
          aliases: dict[str, list[str]]) -> Table:
    try:
        return read_table(data, filename, required=required, optional=optional, aliases=aliases,
                          allow_blank=optional)
    except TableError as error:
        raise ImportFailed(error.errors) from None


@transaction.atomic
def wp_postcodes_import(*, actor: User | None, data: bytes, filename: str) -> ImportResult:
    """CSV/XLSX with columns postcode, imd_decile (1-10)."""
    table = _read(data, filename, ["postcode", "imd_decile"], [],
                  {"postcode": ["pcds", "pcd", "post code"], "imd_decile": ["imd decile", "decile", "imd"]})
    errors: list[str] = []
    entries: dict[str, int] = {}
    for row in table.rows:
        code = postcode_normalise(row.values["postcode"])
        if not postcode_valid(code):
            errors.append(f"{table.where(row, 'postcode')}: {row.values['postcode']!r} is not a full UK postcode.")
        decile = _whole(table, row, "imd_decile", 1, 10, errors)
        if decile is not None and postcode_valid(code):
            entries[code] = decile
    if errors:
        raise ImportFailed(errors)
    PostcodeIMD.objects.bulk_create(
        [PostcodeIMD(postcode=code, imd_decile=decile) for code, decile in entries.items()],
        update_conflicts=True, unique_fields=["postcode"], update_fields=["imd_decile"], batch_size=2000,
    )
    audit_record(actor=actor, action=Action.CREATE, object_type="outreach.PostcodeIMD",
                 summary=f"{len(entries)} postcode IMD deciles imported from {table.filename}")
    return ImportResult(rows=len(entries), summary=f"{len(entries)} postcodes imported from {table.filename}.")


@transaction.atomic
def polar4_import(*, actor: User | None, data: bytes, filename: str) -> ImportResult:
    """CSV/XLSX with columns area (postcode, sector or district), polar4_quintile, tundra_quintile (1-5, either
    may be blank but not both)."""
    table = _read(data, filename, ["area"], ["polar4_quintile", "tundra_quintile"],
                  {"area": ["postcode", "district", "sector"], "polar4_quintile": ["polar4", "polar4 quintile"],
                   "tundra_quintile": ["tundra", "tundra quintile"]})
    errors: list[str] = []
    if not table.has("polar4_quintile") and not table.has("tundra_quintile"):
        raise ImportFailed([f"{table.filename}: needs a polar4_quintile or a tundra_quintile column."])
    entries: dict[str, tuple[int | None, int | None]] = {}
    for row in table.rows:
        area = postcode_normalise(row.values["area"])
        if not area.isalnum() or len(area) > 8:
            errors.append(f"{table.where(row, 'area')}: {row.values['area']!r} is not a postcode, sector or "
                          "district.")
            continue
        polar4 = _whole(table, row, "polar4_quintile", 1, 5, errors, blank_ok=True)
        tundra = _whole(table, row, "tundra_quintile", 1, 5, errors, blank_ok=True)
        if polar4 is None and tundra is None and not row.values.get("polar4_quintile", "").strip() and \
                not row.values.get("tundra_quintile", "").strip():
            errors.append(f"{table.where(row)}: neither a POLAR4 nor a TUNDRA quintile is given.")
        entries[area] = (polar4, tundra)
    if errors:
        raise ImportFailed(errors)
    AreaQuintile.objects.bulk_create(
        [AreaQuintile(area=area, polar4_quintile=p, tundra_quintile=t) for area, (p, t) in entries.items()],
        update_conflicts=True, unique_fields=["area"], update_fields=["polar4_quintile", "tundra_quintile"],
        batch_size=2000,
    )
    audit_record(actor=actor, action=Action.CREATE, object_type="outreach.AreaQuintile",
                 summary=f"{len(entries)} area quintiles imported from {table.filename}")
    return ImportResult(rows=len(entries), summary=f"{len(entries)} areas imported from {table.filename}.")
