"""Importing the publishers' files: streamed through ``commed_core.healthdata`` readers, written with
``bulk_create`` in batches (bounded memory), all inside one transaction.

A bad row anywhere (a reader error, or an area code that matches nothing already loaded) rolls the whole
import back and raises :class:`HealthImportError`, whose message names the file, the row and the column.
No query is made per row: reference codes (known LSOAs, known practices) are loaded into sets once.
"""

from __future__ import annotations

import io
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import connection, models, transaction
from django.db.models import Count
from django.utils import timezone

from commed.accounts.models import User
from commed.audit.models import Action
from commed.audit.services import audit_record
from commed.health.models import (
    DataRelease,
    GpPractice,
    Indicator,
    IndicatorSummary,
    IndicatorValue,
    LsoaDeprivation,
    LsoaPopulation,
    LsoaSupplementary,
    LsoaWard,
    Postcode,
    PracticeGeography,
    QofGroup,
    QofPrevalence,
    RegisteredPatients,
    ReleaseKind,
    WardName,
)
from commed_core.healthdata import LAYOUTS, HealthDataError
from commed_core.healthdata.readers import read_records
from commed_core.indicators import normalise_polarity

BATCH_SIZE = 5_000
ENGLAND = "E92000001"
NATIONAL_LADS = 300  # a file naming at least this many local authorities covers the country

# Which layouts each `commed import KIND` accepts, and the kind of data each layout brings.
COMMAND_LAYOUTS: dict[str, dict[str, str]] = {
    "imd": {
        "iod2019_file1": ReleaseKind.IMD,
        "iod2019_file2": ReleaseKind.IMD,
        "iod2019_file7": ReleaseKind.IMD,
        "lewisham_imd2019": ReleaseKind.IMD,
        "iod2019_file6": ReleaseKind.POPULATION,
        "iod2019_file3": ReleaseKind.SUPPLEMENTARY,
    },
    "postcodes": {
        "ons_pcd_oa_lsoa_msoa_lad": ReleaseKind.POSTCODES,
        "lewisham_postcode": ReleaseKind.POSTCODES,
        "ons_lsoa_ward_lad": ReleaseKind.LSOA_WARDS,
        "lewisham_lsoa_ward": ReleaseKind.LSOA_WARDS,
        "lewisham_ward_names": ReleaseKind.WARD_NAMES,
    },
    "fingertips": {"fingertips_26": ReleaseKind.FINGERTIPS, "fingertips_27": ReleaseKind.FINGERTIPS},
    "gp_practices": {
        "epraccur": ReleaseKind.GP_PRACTICES,
        "gp_reg_pat_prac_all": ReleaseKind.GP_PATIENTS,
        "qof_prevalence": ReleaseKind.QOF_PREVALENCE,
        "qof_mapping_indicators": ReleaseKind.QOF_INDICATORS,
        "qof_mapping_geographies": ReleaseKind.QOF_GEOGRAPHIES,
    },
}
DEFAULT_LABELS = {
    ReleaseKind.IMD: "English Indices of Deprivation 2019",
    ReleaseKind.POPULATION: "IoD2019 population denominators (mid-2015)",
    ReleaseKind.SUPPLEMENTARY: "IoD2019 IDACI and IDAOPI",
    ReleaseKind.POSTCODES: "ONS postcode lookup",
    ReleaseKind.LSOA_WARDS: "LSOA to ward lookup",
    ReleaseKind.WARD_NAMES: "Ward names",
    ReleaseKind.FINGERTIPS: "OHID Fingertips export",
    ReleaseKind.GP_PRACTICES: "NHS ODS epraccur",
    ReleaseKind.GP_PATIENTS: "NHS Digital patients registered at a GP practice",
    ReleaseKind.QOF_PREVALENCE: "NHS Digital QOF prevalence",
    ReleaseKind.QOF_INDICATORS: "NHS Digital QOF indicator mapping",
    ReleaseKind.QOF_GEOGRAPHIES: "NHS Digital QOF NHS geographies",
}
_COMPARISON_WORDS = {"better", "worse", "higher", "lower"}
# Kinds whose duplicate rows are found by the database after writing, not by the reader: the reader keeps every
# key it has seen in a set, about 350 MB for the 2.7 million postcodes of England. (model, key field)
CHECKED_IN_DATABASE: dict[str, tuple[type[models.Model], str]] = {ReleaseKind.POSTCODES: (Postcode, "postcode")}


class HealthImportError(Exception):
    """An import failed and nothing was saved. ``filename``/``row``/``column`` say where."""

    def __init__(self, message: str, *, filename: str, row: int | None = None, column: str | None = None):
        self.filename, self.row, self.column = filename, row, column
        super().__init__(message)

    @classmethod
    def from_reader(cls, error: HealthDataError) -> HealthImportError:
        return cls(str(error), filename=error.filename, row=error.row, column=error.column)


@dataclass
class ImportResult:
    release: DataRelease
    superseded: list[DataRelease]

    @property
    def summary(self) -> str:
        release = self.release
        replaced = f"; replaces {len(self.superseded)} earlier release(s) as the current one" if self.superseded else ""
        return (
            f"{release.source_file}: {release.row_count:,} rows imported as {release.get_kind_display()} "
            f"({release.layout}, scope {release.scope}), release {release.release_label!r}{replaced}."
        )


@dataclass
class _Load:
    """State of one import: the release, the batch being filled, what the scope will be."""

    release: DataRelease
    filename: str
    records: Iterator[Any]
    batch_size: int
    rows: int = 0
    lads: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    extra_scope: str = ""

    def row_number(self) -> int | None:
        """The spreadsheet row of the record just read (header = row 1), read from the core reader's
        generator (its records carry no row number)."""
        frame = getattr(self.records, "gi_frame", None)
        number = frame.f_locals.get("number") if frame is not None else None
        return number if isinstance(number, int) else None

    def fail(self, message: str, column: str) -> HealthImportError:
        return HealthImportError(
            f"{self.filename}, row {self.row_number()}, column {column!r}: {message}",
            filename=self.filename,
            row=self.row_number(),
            column=column,
        )

    def write(self, model: type[models.Model], make: Callable[[Any], dict[str, Any]]) -> None:
        """Stream the records into ``model``'s table, ``batch_size`` rows per ``executemany``.

        This is ``bulk_create`` without building a model instance per row (a third of the time on 2.7
        million postcodes): the column list comes from the model, values are prepared by each field's
        ``get_db_prep_save`` where the backend needs it (JSON, dates).
        """
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        names = [f.attname for f in fields]
        prepared = [
            f for f in fields if isinstance(f, (models.JSONField, models.DateField, models.DateTimeField))
        ]
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(f.column or f.attname) for f in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        # Only identifiers are put into the string, each taken from the model's own metadata and quoted by the
        # backend; every value travels as a bound parameter.
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
        release_id = self.release.pk
        batch: list[tuple[Any, ...]] = []
        with connection.cursor() as cursor:
            for record in self.records:
                row = make(record)
                row["release_id"] = release_id
                for f in prepared:
                    row[f.attname] = f.get_db_prep_save(row[f.attname], connection)
                batch.append(tuple(row[name] for name in names))
                if len(batch) >= self.batch_size:
                    cursor.executemany(sql, batch)
                    self.rows += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                self.rows += len(batch)


def _current_values(model: type[models.Model], kind: str, column: str) -> set[str]:
    releases = DataRelease.objects.filter(kind=kind, is_current=True).values("id")
    return set(model.objects.filter(release__in=releases).values_list(column, flat=True).iterator())  # type: ignore[attr-defined]


def known_lsoas() -> set[str]:
    """English LSOA codes of the current IMD releases (empty when none is loaded)."""
    return _current_values(LsoaDeprivation, ReleaseKind.IMD, "lsoa_code")


def known_practices() -> set[str]:
    return _current_values(GpPractice, ReleaseKind.GP_PRACTICES, "code")


def _lsoa_checker(load: _Load, column: str) -> Callable[[str | None], None]:
    lsoas = known_lsoas()
    if not lsoas:
        load.notes.append("LSOA codes were not checked: no IMD data was loaded.")

    def check(code: str | None) -> None:
        if lsoas and code is not None and code.startswith("E01") and code not in lsoas:
            raise load.fail(f"LSOA code {code!r} matches no LSOA of the loaded IMD data", column)

    return check


def _practice_checker(load: _Load, column: str) -> Callable[[str], None]:
    practices = known_practices()
    if not practices:
        load.notes.append("Practice codes were not checked: no epraccur file was loaded.")

    def check(code: str) -> None:
        if practices and code not in practices:
            raise load.fail(f"practice code {code!r} matches no practice of the loaded epraccur file", column)

    return check


# --- one loader per layout family ---------------------------------------------------------------------------

_LSOA_COLUMN = "LSOA code (2011)"


def _load_imd(load: _Load) -> None:

    def make(r: Any) -> dict[str, Any]:
        load.lads.add(r.lad_code)
        return dict(
            lsoa_code=r.lsoa_code,
            lsoa_name=r.lsoa_name,
            lad_code=r.lad_code,
            lad_name=r.lad_name,
            imd_rank=r.imd_rank,
            imd_decile=r.imd_decile,
            imd_score=r.imd_score,
            ward_code=r.ward_code or "",
            domains={name: [d.rank, d.decile, d.score] for name, d in r.domains.items()},
        )

    load.write(LsoaDeprivation, make)


def _load_population(load: _Load) -> None:
    check = _lsoa_checker(load, _LSOA_COLUMN)

    def make(r: Any) -> dict[str, Any]:
        check(r.lsoa_code)
        load.lads.add(r.lad_code)
        return dict(
            lsoa_code=r.lsoa_code,
            total=r.total,
            children_0_15=r.children_0_15,
            aged_16_59=r.aged_16_59,
            aged_60_plus=r.aged_60_plus,
            working_age=r.working_age_18_59_64,
        )

    load.write(LsoaPopulation, make)


def _load_supplementary(load: _Load) -> None:
    check = _lsoa_checker(load, _LSOA_COLUMN)

    def make(r: Any) -> dict[str, Any]:
        check(r.lsoa_code)
        load.lads.add(r.lad_code)
        return dict(
            lsoa_code=r.lsoa_code,
            idaci_score=r.idaci_score,
            idaci_decile=r.idaci_decile,
            idaopi_score=r.idaopi_score,
            idaopi_decile=r.idaopi_decile,
        )

    load.write(LsoaSupplementary, make)


def _load_postcodes(load: _Load) -> None:
    column = "LSOA11CD" if load.release.layout == "lewisham_postcode" else "lsoa11cd"
    check = _lsoa_checker(load, column)
    lads = load.lads

    def make(r: Any) -> dict[str, Any]:
        check(r.lsoa_code)
        if r.lad_code:
            lads.add(r.lad_code)
        return dict(postcode=r.postcode, lsoa_code=r.lsoa_code or "", terminated=r.terminated)

    load.write(Postcode, make)


def _load_lsoa_wards(load: _Load) -> None:
    check = _lsoa_checker(load, "LSOA11CD")

    def make(r: Any) -> dict[str, Any]:
        check(r.lsoa_code)
        if r.lad_code:
            load.lads.add(r.lad_code)
        return dict(
            lsoa_code=r.lsoa_code,
            ward_code=r.ward_code,
            ward_name=r.ward_name or "",
            lad_code=r.lad_code or "",
            lad_name=r.lad_name or "",
        )

    load.write(LsoaWard, make)


def _load_ward_names(load: _Load) -> None:
    load.write(WardName, lambda r: dict(ward_code=r.ward_code, ward_name=r.ward_name))


def _load_fingertips(load: _Load) -> None:
    check_lsoa = _lsoa_checker(load, "Area Code")
    practices = known_practices()
    indicators: dict[int, str] = {}

    def make(r: Any) -> dict[str, Any]:
        code = r.area_code
        check_lsoa(code)
        if practices and r.area_type.startswith("GP") and code not in practices:
            raise load.fail(f"GP practice code {code!r} matches no practice of the loaded epraccur file", "Area Code")
        indicators.setdefault(r.indicator_id, r.indicator_name)
        return dict(
            indicator_id=r.indicator_id,
            indicator_name=r.indicator_name[:300],
            area_code=code,
            area_name=r.area_name[:150],
            area_type=r.area_type[:80],
            parent_code=r.parent_code or "",
            sex=r.sex,
            age=r.age,
            category_type=r.category_type or "",
            category=r.category or "",
            period=r.period,
            period_sortable=r.period_sortable,
            value=r.value,
            value_note=(r.value_note or "")[:200],
            lower_ci95=r.lower_ci95,
            upper_ci95=r.upper_ci95,
            count=r.count,
            denominator=r.denominator,
            compared_to_england=r.compared_to_england or "",
            recent_trend=r.recent_trend or "",
        )

    load.write(IndicatorValue, make)
    load.extra_scope = "indicators " + ",".join(str(i) for i in sorted(indicators))
    load.indicators = indicators  # type: ignore[attr-defined]


def _load_practices(load: _Load) -> None:

    def make(r: Any) -> dict[str, Any]:
        return dict(
            code=r.code,
            name=r.name[:150],
            postcode=r.postcode or "",
            status=r.status_code,
            commissioner=(r.commissioner or "")[:6],
            prescribing_setting=r.prescribing_setting,
            open_date=r.open_date,
            close_date=r.close_date,
        )

    load.write(GpPractice, make)


def _load_patients(load: _Load) -> None:
    check = _practice_checker(load, "CODE")

    def make(r: Any) -> dict[str, Any]:
        check(r.practice_code)
        return dict(
            practice_code=r.practice_code,
            extract_date=r.extract_date,
            postcode=r.postcode or "",
            sex=r.sex,
            age=r.age,
            patients=r.patients,
        )

    load.write(RegisteredPatients, make)


def _load_qof_prevalence(load: _Load) -> None:
    check = _practice_checker(load, "PRACTICE_CODE")

    def make(r: Any) -> dict[str, Any]:
        check(r.practice_code)
        return dict(
            practice_code=r.practice_code,
            group_code=r.group_code,
            register=r.register,
            patient_list_type=r.patient_list_type,
            list_size=r.list_size,
        )

    load.write(QofPrevalence, make)


def _load_qof_groups(load: _Load) -> None:
    load.write(
        QofGroup,
        lambda r: dict(
            indicator_code=r.indicator_code,
            group_code=r.group_code,
            group_description=r.group_description,
            domain_code=r.domain_code,
            domain_description=r.domain_description,
            patient_list_type=r.patient_list_type,
        ),
    )


def _load_geographies(load: _Load) -> None:
    check = _practice_checker(load, "PRACTICE_CODE")

    def make(r: Any) -> dict[str, Any]:
        check(r.practice_code)
        return dict(
            practice_code=r.practice_code,
            practice_name=r.practice_name[:150],
            pcn_code=r.pcn_code or "",
            pcn_name=(r.pcn_name or "")[:200],
            ccg_code=r.ccg_ons_code,
            ccg_name=r.ccg_name[:200],
            region_name=r.region_name[:100],
        )

    load.write(PracticeGeography, make)


_LOADERS: dict[str, Callable[[_Load], None]] = {
    ReleaseKind.IMD: _load_imd,
    ReleaseKind.POPULATION: _load_population,
    ReleaseKind.SUPPLEMENTARY: _load_supplementary,
    ReleaseKind.POSTCODES: _load_postcodes,
    ReleaseKind.LSOA_WARDS: _load_lsoa_wards,
    ReleaseKind.WARD_NAMES: _load_ward_names,
    ReleaseKind.FINGERTIPS: _load_fingertips,
    ReleaseKind.GP_PRACTICES: _load_practices,
    ReleaseKind.GP_PATIENTS: _load_patients,
    ReleaseKind.QOF_PREVALENCE: _load_qof_prevalence,
    ReleaseKind.QOF_INDICATORS: _load_qof_groups,
    ReleaseKind.QOF_GEOGRAPHIES: _load_geographies,
}


# --- after the rows: scope, Fingertips summaries and polarity ------------------------------------------------


def _scope(load: _Load) -> str:
    if load.extra_scope:
        return load.extra_scope
    if len(load.lads) >= NATIONAL_LADS:
        return "national"
    if not load.lads:
        national = load.release.kind.startswith(("gp_", "qof_"))  # these files cover all of England
        return "national" if national else load.release.layout
    codes = sorted(load.lads)
    shown = ", ".join(codes[:4])
    return shown if len(codes) <= 4 else f"{len(codes)} local authorities ({shown} ...)"


def quantile(sorted_values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (Excel's PERCENTILE.INC, numpy's default)."""
    if not sorted_values:
        raise ValueError("no values")
    position = (len(sorted_values) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def indicator_summaries_build(release: DataRelease) -> dict[tuple[int, str, str, str], float]:
    """Write an IndicatorSummary for every (indicator, sex, age, period, area type) of the release's main
    rows; returns England's values keyed by (indicator, sex, age, period)."""
    rows = (
        IndicatorValue.objects.filter(release=release, category_type="", value__isnull=False)
        .order_by("indicator_id", "sex", "age", "period_sortable", "period", "area_type")
        .values_list("indicator_id", "sex", "age", "period", "period_sortable", "area_type", "area_code", "value")
        .iterator(chunk_size=BATCH_SIZE)
    )
    england: dict[tuple[int, str, str, str], float] = {}
    groups: dict[tuple[int, str, str, str, int, str], list[float]] = defaultdict(list)
    for indicator_id, sex, age, period, sortable, area_type, area_code, value in rows:
        if value is None:  # excluded by the query; narrows the type
            continue
        if area_code == ENGLAND:
            england.setdefault((indicator_id, sex, age, period), value)
            continue
        groups[(indicator_id, sex, age, period, sortable, area_type)].append(value)
    summaries = []
    for (indicator_id, sex, age, period, sortable, area_type), values in groups.items():
        values.sort()
        summaries.append(
            IndicatorSummary(
                release=release,
                indicator_id=indicator_id,
                sex=sex,
                age=age,
                period=period,
                period_sortable=sortable,
                area_type=area_type,
                areas=len(values),
                minimum=values[0],
                q25=quantile(values, 0.25),
                median=quantile(values, 0.5),
                q75=quantile(values, 0.75),
                maximum=values[-1],
                england=england.get((indicator_id, sex, age, period)),
            )
        )
    IndicatorSummary.objects.bulk_create(summaries, batch_size=BATCH_SIZE)
    return england


def infer_polarity(votes: Counter[str]) -> str:
    """Fingertips polarity from the export's own comparisons: "higher is better" and "lower is better" votes
    (a value above England called Better is a vote for high-is-good), and BOB words."""
    if votes["bob"] and not (votes["high"] or votes["low"]):
        return "BOB - Blue orange blue"
    if votes["high"] > votes["low"]:
        return "RAG - High is good"
    if votes["low"] > votes["high"]:
        return "RAG - Low is good"
    return "Not applicable"


def _indicators(
    release: DataRelease,
    names: dict[int, str],
    england: dict[tuple[int, str, str, str], float],
    polarities: dict[int, str],
    domains: dict[int, str] | None = None,
) -> None:
    votes: dict[int, Counter[str]] = defaultdict(Counter)
    rows = (
        IndicatorValue.objects.filter(
            release=release, value__isnull=False, compared_to_england__iregex=r"^(better|worse|higher|lower)"
        )
        .values_list("indicator_id", "sex", "age", "period", "value", "compared_to_england")
        .iterator(chunk_size=BATCH_SIZE)
    )
    for indicator_id, sex, age, period, value, word in rows:
        benchmark = england.get((indicator_id, sex, age, period))
        word = word.split()[0].lower()
        if word in ("higher", "lower"):
            votes[indicator_id]["bob"] += 1
        elif benchmark is not None and value is not None and value != benchmark and word in _COMPARISON_WORDS:
            above = value > benchmark
            votes[indicator_id]["high" if above == (word == "better") else "low"] += 1
    for indicator_id, name in names.items():
        if indicator_id in polarities:
            polarity, source = polarities[indicator_id], "set at import"
        else:
            polarity = infer_polarity(votes[indicator_id])
            source = (
                "inferred from the export's comparisons with England"
                if polarity != "Not applicable"
                else "the export makes no comparisons: not applicable"
            )
        defaults = {"name": name, "polarity": polarity, "polarity_source": source}
        if domains and indicator_id in domains:
            defaults["domain"] = domains[indicator_id]
        Indicator.objects.update_or_create(indicator_id=indicator_id, defaults=defaults)


# --- the entry point -------------------------------------------------------------------------------------------


def parse_polarities(values: Iterable[str], filename: str = "--polarity") -> dict[int, str]:
    """``["93356=RAG - Low is good"]`` -> ``{93356: "RAG - Low is good"}``."""
    result = {}
    for item in values:
        key, _, polarity = item.partition("=")
        try:
            result[int(key)] = normalise_polarity(polarity)
        except ValueError as error:
            raise HealthImportError(f"{item!r}: {error}", filename=filename) from None
    return result


def parse_domains(values: Iterable[str], filename: str = "--domain") -> dict[int, str]:
    """``["93356=Health protection"]`` -> ``{93356: "Health protection"}``."""
    result = {}
    for item in values:
        key, _, domain = item.partition("=")
        if not key.strip().isdigit() or not domain.strip():
            raise HealthImportError(f"{item!r}: write an indicator's domain as ID=DOMAIN", filename=filename)
        result[int(key)] = domain.strip()[:120]
    return result


def health_import(
    *,
    command: str,
    fileobj: IO[bytes],
    filename: str,
    actor: User | None,
    release_label: str = "",
    polarities: dict[int, str] | None = None,
    domains: dict[int, str] | None = None,
    batch_size: int = BATCH_SIZE,
    is_demo: bool = False,
) -> ImportResult:
    """Import one publisher's file for ``commed import COMMAND`` (imd, postcodes, fingertips, gp_practices).

    The layout is detected from the header; a file of another command's kind is refused with the command to
    use. All or nothing: any error raises :class:`HealthImportError` and the database is as before.
    """
    accepted = COMMAND_LAYOUTS[command]
    try:
        text, layout, records = _open(fileobj, filename)
        database_checks = accepted.get(layout) in CHECKED_IN_DATABASE and fileobj.seekable()
        if database_checks:
            del records  # never started: nothing to close
            text.detach()  # else closing the text stream (when it is collected) closes the caller's file
            fileobj.seek(0)
            text, layout, records = _open(fileobj, filename, layout, check_duplicates=False)
    except HealthDataError as error:
        raise HealthImportError.from_reader(error) from None
    if layout not in accepted:
        other = next((c for c, layouts in COMMAND_LAYOUTS.items() if layout in layouts), None)
        hint = f"; import it with `commed import {other.replace('_', '-')}`" if other else ""
        raise HealthImportError(
            f"{filename}, row 1: this is a {layout} file, which `commed import {command.replace('_', '-')}` "
            f"does not take (it takes {', '.join(accepted)}){hint}",
            filename=filename,
            row=1,
        )
    kind = accepted[layout]
    now = timezone.now()
    try:
        with transaction.atomic():
            release = DataRelease.objects.create(
                kind=kind,
                layout=layout,
                scope="",
                source_file=filename[:255],
                release_label=(release_label or DEFAULT_LABELS[ReleaseKind(kind)])[:120],
                imported_at=now,
                imported_by=actor,
                is_demo=is_demo,
            )
            load = _Load(release=release, filename=filename, records=records, batch_size=batch_size)
            _LOADERS[kind](load)
            if database_checks:
                _refuse_duplicates(release, fileobj, filename, layout)
            if kind == ReleaseKind.FINGERTIPS:
                england = indicator_summaries_build(release)
                _indicators(release, load.indicators, england, polarities or {}, domains)  # type: ignore[attr-defined]
            release.scope = _scope(load)[:200]
            release.row_count = load.rows
            release.notes = " ".join(load.notes)
            superseded = list(
                DataRelease.objects.filter(kind=kind, scope=release.scope, is_current=True).exclude(pk=release.pk)
            )
            if kind == ReleaseKind.FINGERTIPS:
                superseded += _overlapping_fingertips(release)
            DataRelease.objects.filter(pk__in=[r.pk for r in superseded]).update(
                is_current=False, superseded_at=now, superseded_by=release
            )
            release.is_current = True
            release.save()
            audit_record(
                actor=actor,
                action=Action.CREATE,
                obj=release,
                summary=f"Imported {load.rows} rows of {layout} from {filename}",
            )
    except HealthDataError as error:
        raise HealthImportError.from_reader(error) from None
    return ImportResult(release=release, superseded=superseded)


def _overlapping_fingertips(release: DataRelease) -> list[DataRelease]:
    """Current Fingertips releases sharing an indicator with ``release`` (other scopes)."""
    mine = set(release.scope.removeprefix("indicators ").split(","))
    found = []
    for other in DataRelease.objects.filter(kind=ReleaseKind.FINGERTIPS, is_current=True).exclude(
        pk=release.pk
    ).exclude(scope=release.scope):
        if mine & set(other.scope.removeprefix("indicators ").split(",")):
            found.append(other)
    return found


def _open(
    fileobj: IO[bytes], filename: str, layout: str | None = None, *, check_duplicates: bool = True
) -> tuple[io.TextIOWrapper, str, Iterator[Any]]:
    """``open_reader``, keeping hold of the text stream so that the file can be read again."""
    text = io.TextIOWrapper(fileobj, encoding="utf-8-sig", errors="surrogateescape", newline="")
    name, records = read_records(text, filename, layout, check_duplicates=check_duplicates)
    return text, name, records


def _refuse_duplicates(release: DataRelease, fileobj: IO[bytes], filename: str, layout: str) -> None:
    """After writing: one GROUP BY finds a key written twice; only then is the file read again (streaming, one
    key kept) for the row of its second occurrence, so the message names the row as the reader's would."""
    model, field_name = CHECKED_IN_DATABASE[release.kind]
    repeated = list(
        model.objects.filter(release=release)  # type: ignore[attr-defined]
        .values(field_name)
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by()
        .values_list(field_name, flat=True)[:1]
    )
    if not repeated:
        return
    duplicate = repeated[0]
    fileobj.seek(0)
    _, _, records = _open(fileobj, filename, layout, check_duplicates=False)
    seen, row = 0, None
    for record in records:
        if getattr(record, field_name) == duplicate:
            seen += 1
            if seen == 2:
                frame = getattr(records, "gi_frame", None)
                row = frame.f_locals.get("number") if frame is not None else None
                break
    raise HealthImportError(
        f"{filename}, row {row}, column {LAYOUTS[layout].key_column!r}: duplicate row: {duplicate!r} appears in an "
        "earlier row",
        filename=filename,
        row=row,
        column=LAYOUTS[layout].key_column,
    )
