"""Benchmark of the REFI-QDA reader and writer (commed_core.refiqda).

Baseline, measured in the same run on the same archive: the floor any importer pays, i.e. opening the
zip with the standard library, decompressing every member and parsing project.qde with defusedxml.
Figures are printed as ratios against it (1.0 would mean our checks, mapping and model cost nothing).

    .venv/bin/python bench/refiqda.py [--quick]
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path

import defusedxml.ElementTree as safe_et

# Runnable from a checkout without installing the package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from commed_core.refiqda import (
    Code,
    Coding,
    Project,
    Selection,
    TextSource,
    User,
    read_project,
    write_project,
)


def guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def synthetic(sources: int, chars: int, selections: int, rng: random.Random) -> Project:
    user = User(guid(rng), "bench")
    codes = [Code(guid(rng), f"code {i}", True, "#336699") for i in range(100)]
    words = ["clinic", "bus", "community", "nurse", "waiting", "🚌", "café", "school", "walk", "time"]
    out = []
    for s in range(sources):
        text = " ".join(rng.choice(words) for _ in range(chars // 6))[:chars]
        sels = []
        for _ in range(selections):
            start = rng.randrange(0, len(text) - 200)
            sels.append(
                Selection(
                    guid(rng),
                    start,
                    start + rng.randrange(10, 200),
                    codings=[Coding(guid(rng), rng.choice(codes).guid, user.guid)],
                )
            )
        out.append(TextSource(guid(rng), f"interview {s}", text, selections=sels))
    return Project("bench", users=[user], codes=codes, sources=out)


def baseline(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            payload = archive.read(name)
            if name == "project.qde":
                safe_et.fromstring(payload)


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    sources, chars, selections, repeat = (5, 20_000, 100, 3) if args.quick else (50, 40_000, 200, 5)
    project = synthetic(sources, chars, selections, random.Random(7))
    data = write_project(project)
    base = best(lambda: baseline(data), repeat)
    read = best(lambda: read_project(data), repeat)
    write = best(lambda: write_project(project), repeat)
    print(f"project: {sources} sources x {chars} chars, {sources * selections} selections, {len(data)} bytes")
    print(f"baseline (zipfile + defusedxml parse): {base * 1000:.1f} ms")
    print(f"read_project:  {read / base:.2f} x baseline")
    print(f"write_project: {write / base:.2f} x baseline")
    print(
        f"(absolute, for orientation only: read {read * 1000:.1f} ms, write {write * 1000:.1f} ms; "
        f"best of {repeat} runs)"
    )


if __name__ == "__main__":
    main()
