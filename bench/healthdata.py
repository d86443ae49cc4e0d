"""Benchmark of the streaming health-data readers against a bare ``csv.reader`` pass over the same file.

Run: ``.venv/bin/python bench/healthdata.py [--quick]``

Two inputs:
1. IoD2019 File 1, the real file (32,844 LSOAs) from ``../shared/external/health``;
2. a generated postcode lookup of 2.7 million rows (270,000 with ``--quick``) in the real Lewisham/ONS
   layout (header and cell shapes copied from ``lewisham_postcode_oa11_lsoa11_msoa11_wd22.csv``), seeded,
   written to a temporary directory and deleted afterwards.

For each: rows per second (best of 2 timed passes, tracemalloc off) and peak traced memory (one pass with
tracemalloc on), each as a ratio to the baseline: ``csv.reader`` over the same ``TextIOWrapper`` counting
rows.
The reader is measured with duplicate detection on (the default: keeps a set of keys) and off (constant
memory).
"""

from __future__ import annotations

import argparse
import csv
import functools
import io
import random
import string
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from commed_core.healthdata import open_reader  # noqa: E402

HEALTH = ROOT.parent / "shared" / "external" / "health"
FILE1 = HEALTH / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv"
LEWISHAM = HEALTH / "lewisham_postcode_oa11_lsoa11_msoa11_wd22.csv"


def baseline(path: Path) -> int:
    with open(path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        return sum(1 for _ in csv.reader(text)) - 1


def reader(path: Path, check_duplicates: bool) -> int:
    with open(path, "rb") as raw:
        _, records = open_reader(raw, path.name, check_duplicates=check_duplicates)
        return sum(1 for _ in records)


def timed(fn: Callable[[], int], repeats: int) -> tuple[int, float]:
    best = float("inf")
    rows = 0
    for _ in range(repeats):
        start = time.perf_counter()
        rows = fn()
        best = min(best, time.perf_counter() - start)
    return rows, best


def peak(fn: Callable[[], int]) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def generate_postcodes(path: Path, rows: int, seed: int) -> None:
    """Unique postcodes in the Lewisham layout: outward = area (2 letters) + district (1-99), inward = digit
    + 2 letters; 41% terminated with a spreadsheet-style "yyyymm.0" date, as in the real file."""
    with open(LEWISHAM, newline="", encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle))
    rng = random.Random(seed)
    letters = string.ascii_uppercase
    unit_letters = "ABDEFGHJLNPQRSTUWXYZ"
    inward = [f"{d}{a}{b}" for d in range(10) for a in unit_letters for b in unit_letters]
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        n = 0
        for area in (a + b for a in letters for b in letters):
            for district in range(1, 100):
                outward = f"{area}{district}"
                for code in inward:
                    if n == rows:
                        return
                    pcds = f"{outward} {code}"
                    pcd7 = f"{outward:<4}{code}" if len(outward) < 4 else f"{outward}{code}"
                    pcd8 = f"{outward:<4} {code}"
                    ended = ""
                    if rng.random() < 0.41:
                        ended = f"{rng.randint(1990, 2021)}{rng.randint(1, 12):02d}.0"
                    oa, lsoa, msoa = (rng.randint(0, 999_999) for _ in range(3))
                    started = f"{rng.randint(1980, 2020)}{rng.randint(1, 12):02d}"
                    ward = f"E05{rng.randint(13714, 13732):06d}"
                    writer.writerow([pcd7, pcd8, pcds, started, ended, rng.randint(0, 1), f"E00{oa:06d}",
                                     f"E01{lsoa:06d}", f"E02{msoa:06d}", "E09000023", ward])
                    n += 1


def measure(label: str, path: Path, repeats: int) -> list[str]:
    base_rows, base_time = timed(lambda: baseline(path), repeats)
    base_peak = peak(lambda: baseline(path))
    lines = [f"### {label}: {base_rows:,} data rows, {path.stat().st_size / 1e6:.1f} MB",
             "",
             "| pass | rows/s | ratio to baseline | peak traced memory | ratio to baseline |",
             "|---|---:|---:|---:|---:|",
             f"| baseline `csv.reader` | {base_rows / base_time:,.0f} | 1.00 | {base_peak / 1e6:.2f} MB "
             "| 1.0 |"]
    for dup in (True, False):
        run = functools.partial(reader, path, dup)
        rows, seconds = timed(run, repeats)
        assert rows == base_rows, (rows, base_rows)
        mem = peak(run)
        name = "`open_reader`, duplicates checked" if dup else "`open_reader`, check_duplicates=False"
        speed = (rows / seconds) / (base_rows / base_time)
        lines.append(f"| {name} | {rows / seconds:,.0f} | {speed:.2f} | {mem / 1e6:.2f} MB "
                     f"| {mem / base_peak:.1f} |")
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="270,000 generated postcodes, 1 timed pass")
    args = parser.parse_args()
    repeats = 1 if args.quick else 2
    rows = 270_000 if args.quick else 2_700_000
    print(f"Python {sys.version.split()[0]}; best of {repeats} timed passes; peak memory from tracemalloc.\n")
    for line in measure("IoD2019 File 1 (real)", FILE1, repeats):
        print(line)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "postcodes.csv"
        generate_postcodes(path, rows, seed=2019)
        for line in measure("Generated postcode lookup, Lewisham/ONS layout (seed 2019)", path, repeats):
            print(line)


if __name__ == "__main__":
    main()
