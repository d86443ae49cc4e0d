"""Benchmark of `commed import` into the database and of a locality profile (issue 8, "Core and figures").

Run (from the repository root): ``.venv/bin/python bench/health_import.py`` (``--quick``: 270,000 generated
postcodes instead of 2.7 million; ``--skip-postcodes``: File 1 and the profile only; ``--repeats N`` timed
import passes, default 2).

It uses a fresh SQLite database in a temporary directory (migrated at the start, deleted at the end), so it never
touches ``var/``. Three measurements, each printed with the ratio to a baseline measured in the same run:

1. ``commed import imd`` of the real IoD2019 File 1 (32,844 LSOAs): rows/s and peak traced memory of
   ``health_import`` (reader, validation, batched INSERTs, one transaction, the release bookkeeping).
   Baseline: a bare ``csv.reader`` pass over the same file that also INSERTs the same number of rows with
   ``executemany`` into a one-column scratch table (the floor for "read the file and write the rows").
2. ``commed import postcodes`` of a generated 2.7-million-row lookup in the real Lewisham/ONS layout
   (``bench/healthdata.py``'s generator, seed 2019): same figures, same kind of baseline.
3. ``selectors.locality_profile`` of a locality of 200 LSOAs with 300 Fingertips indicators for its local
   authority (3 periods each, so trends are computed; 150 other areas, so the spine chart has a spread):
   best of 20 calls, against the issue's 100 ms target. Baseline: one query reading the same
   ``IndicatorValue`` rows (``values_list``), i.e. the database work the profile cannot avoid.

Timing passes run with tracemalloc off; peak memory comes from a separate pass with tracemalloc on (it then
counts the Python objects the import keeps, e.g. the duplicate-detection set, not SQLite's page cache).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

HEALTH = ROOT.parent / "shared" / "external" / "health"
FILE1 = HEALTH / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv"


def setup_django(tmp: Path) -> None:
    os.environ["COMMED_DATA_DIR"] = str(tmp)
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commed.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # Import everything the measured code imports (scipy, through commed_core.indicators, takes seconds), so
    # no timed pass pays for it.
    import commed.health.imports
    import commed.health.selectors  # noqa: F401


def baseline_import(path: Path) -> int:
    """Read with csv.reader and executemany the rows into a scratch table, in one transaction."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_scratch (cell TEXT)")
    rows = 0
    with transaction.atomic(), connection.cursor() as cursor, open(path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        records = csv.reader(text)
        next(records)
        batch: list[tuple[str]] = []
        for record in records:
            batch.append((record[0],))
            if len(batch) == 5_000:
                cursor.executemany("INSERT INTO bench_scratch (cell) VALUES (%s)", batch)
                rows += len(batch)
                batch = []
        if batch:
            cursor.executemany("INSERT INTO bench_scratch (cell) VALUES (%s)", batch)
            rows += len(batch)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM bench_scratch")
    return rows


def commed_import(command: str, path: Path) -> int:
    from commed.health.imports import health_import

    with open(path, "rb") as handle:
        result = health_import(command=command, fileobj=handle, filename=path.name, actor=None)
    return result.release.row_count


def forget(command: str) -> None:
    """Delete the releases an import pass made, so each pass starts from the same database."""
    from commed.health.models import DataRelease

    for release in DataRelease.objects.all():
        release.delete()


def timed(fn: Callable[[], int], repeats: int, after: Callable[[], None]) -> tuple[int, float]:
    best, rows = float("inf"), 0
    for _ in range(repeats):
        start = time.perf_counter()
        rows = fn()
        best = min(best, time.perf_counter() - start)
        after()
    return rows, best


def peak(fn: Callable[[], int], after: Callable[[], None]) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        after()


def measure_import(label: str, command: str, path: Path, repeats: int) -> list[str]:
    nothing: Callable[[], None] = lambda: None  # noqa: E731
    base_rows, base_time = timed(lambda: baseline_import(path), repeats, nothing)
    base_peak = peak(lambda: baseline_import(path), nothing)
    rows, seconds = timed(lambda: commed_import(command, path), repeats, lambda: forget(command))
    mem = peak(lambda: commed_import(command, path), lambda: forget(command))
    assert rows == base_rows, (rows, base_rows)
    return [
        f"### {label}: {rows:,} rows, {path.stat().st_size / 1e6:.1f} MB",
        "",
        "| pass | seconds | rows/s | ratio to baseline | peak traced memory | ratio to baseline |",
        "|---|---:|---:|---:|---:|---:|",
        f"| baseline: `csv.reader` + `executemany` of one column | {base_time:.2f} | {base_rows / base_time:,.0f} "
        f"| 1.00 | {base_peak / 1e6:.2f} MB | 1.0 |",
        f"| `commed import {command}` (`health_import`) | {seconds:.2f} | {rows / seconds:,.0f} "
        f"| {(rows / seconds) / (base_rows / base_time):.2f} | {mem / 1e6:.2f} MB | {mem / base_peak:.1f} |",
        "",
    ]


def profile_world(tmp: Path, lsoas: int = 200, indicators: int = 300, other_areas: int = 150) -> Any:
    """200 LSOAs (File 1 and File 6 layouts) in one LAD; a Fingertips export of 300 indicators x 3 periods for
    England, that LAD and 150 other areas."""
    from commed.health import services
    from commed.health.tests.files import FINGERTIPS_HEADER, csv_bytes, file1, file6, load

    rng = random.Random(2019)
    codes = [f"E01{3189 + i:06d}" for i in range(lsoas)]
    load("imd", file1([(code, 1 + i % 10) for i, code in enumerate(codes)]), "File_1_bench.csv")
    load("imd", file6([(code, rng.randint(1000, 3000)) for code in codes]), "File_6_bench.csv")
    areas = [("E92000001", "England", "England", ""), ("E09000023", "Lewisham", "County & UA", "E92000001")]
    areas += [(f"E06{i:06d}", f"Area {i}", "County & UA", "E92000001") for i in range(1, other_areas + 1)]
    rows = []
    for indicator in range(90_000, 90_000 + indicators):
        for year in (2019, 2020, 2021):
            for code, name, area_type, parent in areas:
                value = rng.uniform(10, 90)
                rows.append((indicator, f"Indicator {indicator}", parent, "", code, name, area_type, "Persons",
                             "All ages", "", "", year, f"{value:.3f}", f"{value - 2:.3f}", f"{value + 2:.3f}", "",
                             "", "", "", "", "", "Similar" if code != "E92000001" else "", "", f"{year}0000",
                             "", ""))
    path = tmp / "fingertips_bench.csv"
    path.write_bytes(csv_bytes(FINGERTIPS_HEADER, rows))
    polarities = {i: "RAG - Low is good" for i in range(90_000, 90_000 + indicators)}
    with open(path, "rb") as handle:
        from commed.health.imports import health_import

        health_import(command="fingertips", fileobj=handle, filename=path.name, actor=None, polarities=polarities)
    return services.locality_create(actor=None, name="Bench locality", kind="lsoas", codes=codes)


def measure_profile(tmp: Path, repeats: int = 20) -> list[str]:
    from commed.health import selectors
    from commed.health.models import DataRelease, IndicatorValue, ReleaseKind

    locality = profile_world(tmp)
    releases = list(DataRelease.objects.filter(kind=ReleaseKind.FINGERTIPS, is_current=True))
    areas = selectors.locality_areas(locality=locality)

    def baseline() -> int:
        return len(list(IndicatorValue.objects.filter(release__in=releases, area_code__in=areas.codes)
                        .values_list("indicator_id", "area_code", "period", "value", "lower_ci95", "upper_ci95")))

    def profile() -> int:
        return len(selectors.locality_profile(locality=locality).indicators)

    def best(fn: Callable[[], int]) -> tuple[int, float, float]:
        fn()  # warm the caches once
        times, cpu, n = [], [], 0
        for _ in range(repeats):
            start, start_cpu = time.perf_counter(), time.process_time()
            n = fn()
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        return n, min(times), min(cpu)

    base_rows, base_time, base_cpu = best(baseline)
    shown, seconds, cpu = best(profile)
    lsoas = len(selectors.locality_profile(locality=locality).lsoas)
    verdict = f"wall {'met' if seconds < 0.1 else 'NOT met'}, CPU {'met' if cpu < 0.1 else 'NOT met'}"
    return [
        f"### Locality profile: {lsoas} LSOAs, {shown} indicator rows ({base_rows:,} values read), best of {repeats}",
        "",
        "| pass | wall ms | ratio to baseline | CPU ms | ratio to baseline |",
        "|---|---:|---:|---:|---:|",
        f"| baseline: one `values_list` query of the same IndicatorValue rows | {base_time * 1000:.1f} | 1.0 "
        f"| {base_cpu * 1000:.1f} | 1.0 |",
        f"| `selectors.locality_profile` | {seconds * 1000:.1f} | {seconds / base_time:.1f} | {cpu * 1000:.1f} "
        f"| {cpu / base_cpu:.1f} |",
        "",
        f"Target: under 100 ms: {verdict}. Load average now {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} CPUs.",
        "",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="270,000 generated postcodes, 1 timed pass")
    parser.add_argument("--skip-postcodes", action="store_true", help="File 1 and the profile only")
    parser.add_argument("--repeats", type=int, default=0, help="timed import passes (default 2; 1 with --quick)")
    args = parser.parse_args()
    repeats = args.repeats or (1 if args.quick else 2)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        setup_django(tmp)
        load = os.getloadavg()
        print(f"Python {sys.version.split()[0]}; SQLite; best of {repeats} timed import passes; "
              f"load average {load[0]:.1f}.\n")
        for line in measure_import("IoD2019 File 1 (real), `commed import imd`", "imd", FILE1, repeats):
            print(line, flush=True)
        if not args.skip_postcodes:
            from healthdata import generate_postcodes

            rows = 270_000 if args.quick else 2_700_000
            path = tmp / "postcodes.csv"
            generate_postcodes(path, rows, seed=2019)
            for line in measure_import("Generated postcode lookup (seed 2019), `commed import postcodes`",
                                       "postcodes", path, repeats):
                print(line, flush=True)
            path.unlink()
        for line in measure_profile(tmp):
            print(line, flush=True)


if __name__ == "__main__":
    main()
