"""Benchmark: the qualitative workspace at the issue's size, on SQLite.

Run: .venv/bin/python bench/qualitative.py [--scale 0.1] [--keep DIR]   (full size: ~15-30 minutes)

Generates (seeded) one study of 1,000 transcripts of ~8,000 words (80 speaker turns of ~100 words; 200
participants with Role, Sector and Focus group), imported through `services.documents_import` (reader,
pseudonymisation with the register's names, turns, FTS index by trigger), then 100,000 codings by 3 coders over
40 codes (bulk-inserted as a REFI-QDA import does). Reports:

- import time (documents through the real service, in batches of 50 files, each atomic), as a ratio to the
  floor of storing the same files (decode, one turn per line, bulk INSERT with the FTS trigger);
- code-by-attribute matrix, co-occurrence matrix and full-text search (KWIC), each timed through the selector
  and as a ratio to the bare SQL it needs (the GROUP BY aggregate, or the FTS5 MATCH query), median of 7 runs;
  the co-occurrence selector pairs codings with numpy over one scan instead of the self-join, so it is also
  given as a ratio to that bare scan;
- Krippendorff's alpha over 100,000 units x 3 coders taken from the study's codings (unit = a speaker turn x
  a code, in document order; value 1 if the coder applied the code in the turn, 0 if not, missing if the coder
  coded nothing in that document), at the four levels: `commed_core.agreement.krippendorff_alpha` (from
  Python lists with None, as the API takes them, and from a numpy array) against `krippendorff.alpha` (the
  baseline, numpy array with NaN) on the same data; each alpha is checked equal to the package's within 1e-9.

The codings are generated as passages coded independently by the 3 coders (each coder codes a passage with
probability 0.95, boundaries jittered by up to 15 characters, 10% with another code), so agreement is neither
perfect nor random.

`--scale 0.1` gives 100 transcripts and 10,000 codings. The database is a fresh file in a temporary directory.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _median(fn: Callable[[], Any], runs: int = 7) -> float:
    fn()  # warm the cache
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--keep", help="keep the database in this directory")
    args = parser.parse_args()
    data_dir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="commed-bench-qual-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["COMMED_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commed.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    try:
        run(args.scale, connection)
    finally:
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)


def run(scale: float, connection: Any) -> None:
    from django.utils import timezone

    from commed.accounts.models import Role, User
    from commed.qualitative import selectors, services
    from commed.qualitative.models import Coding, Turn

    rng = random.Random(20260901)
    n_docs = max(1, round(1000 * scale))
    n_codings = max(1, round(100_000 * scale))
    words = [f"w{i}" for i in range(5000)] + ["partnership", "reciprocity", "budget", "trust", "students",
                                               "community", "power", "money", "school", "volunteers"]
    weights = [1 / (i + 1) for i in range(len(words))]
    owner = User.objects.create(username="bench_owner", email="b@x.invalid", role=Role.RESEARCHER)
    coders = [owner] + [User.objects.create(username=f"bench_{i}", email=f"b{i}@x.invalid", role=Role.RESEARCHER)
                        for i in (2, 3)]
    study = services.study_create(owner=owner, title="Bench", slug="bench")
    for user in coders[1:]:
        services.study_member_set(study=study, by=owner, user=user, can_code=True)
    participants = []
    for i in range(200):
        participants.append(services.participant_create(
            study=study, by=owner, code=f"{1 + i % 3}P{i:03d}", real_name=f"Person{i} Surname{i}",
            attributes={"Role": f"role {i % 5}", "Sector": f"sector {i % 4}", "Focus group": f"FG{i % 50:02d}"}))
    codes = []
    for t in range(4):
        theme = services.code_create(study=study, by=owner, name=f"Theme {t}")
        for c in range(9):
            codes.append(services.code_create(study=study, by=owner, name=f"Concept {t}.{c}", parent=theme))
    codes = codes[:40] if len(codes) >= 40 else codes

    def transcript(d: int) -> bytes:
        lines = []
        speakers = rng.sample(participants, 8)
        for turn in range(80):
            label = "Facilitator" if turn % 10 == 0 else speakers[turn % 8].code
            body = " ".join(rng.choices(words, weights, k=100))
            if turn == 5:
                body += f" Person{speakers[0].code[-3:].lstrip('0') or '0'} said so."
            lines.append(f"{label}: {body}")
        return ("\n".join(lines) + "\n").encode()

    print(f"Generating {n_docs} transcripts of ~8,000 words ...", flush=True)
    files = [(f"t{d:04d}.txt", transcript(d)) for d in range(n_docs)]
    total_words = sum(len(data.split()) for _, data in files)
    t0 = time.perf_counter()
    for i in range(0, len(files), 50):
        services.documents_import(study=study, by=owner, files=files[i : i + 50])
    import_seconds = time.perf_counter() - t0
    floor_seconds = _import_floor(owner, files)
    print(f"import: {n_docs} documents, {total_words:,} words in {import_seconds:.1f} s "
          f"({import_seconds / n_docs * 1000:.0f} ms per document); floor (decode, split lines, bulk INSERT of "
          f"the documents and one turn per line, FTS trigger included): {floor_seconds:.1f} s; "
          f"ratio {import_seconds / floor_seconds:.2f}", flush=True)

    turns = list(Turn.objects.filter(study=study).values_list("id", "document_id", "start", "end",
                                                              "participant_id"))
    coder_rows = [services.coder_for_user(study=study, user=u) for u in coders]
    now = timezone.now()
    rows: list[Coding] = []
    t0 = time.perf_counter()
    while len(rows) < n_codings:  # passages, each coded independently by the coders
        turn_id, doc_id, start, end, participant_id = rng.choice(turns)
        a = rng.randrange(start, max(start + 1, end - 40))
        b = min(end, a + rng.randrange(20, 400))
        code = rng.choice(codes)
        for coder in coder_rows:
            if len(rows) == n_codings or rng.random() >= 0.95:
                continue
            ja = max(start, min(a + rng.randint(-15, 15), end - 1))
            jb = max(ja + 1, min(b + rng.randint(-15, 15), end))
            rows.append(Coding(study=study, document_id=doc_id, code=code if rng.random() >= 0.1 else
                               rng.choice(codes), coder=coder, start=ja, end=jb, quote="", turn_id=turn_id,
                               participant_id=participant_id, created_at=now))
    Coding.objects.bulk_create(rows, batch_size=5000)
    print(f"codings: {n_codings:,} by 3 coders bulk-inserted in {time.perf_counter() - t0:.1f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    variable = study.variables.get(name="Focus group")
    attribute_sql = (
        "SELECT c.code_id, v.value, COUNT(*) FROM qualitative_coding c JOIN qualitative_participantvalue v "
        "ON v.participant_id = c.participant_id WHERE c.study_id = %s AND v.variable_id = %s GROUP BY 1, 2"
    )
    cooc_sql = (
        "SELECT a.code_id, b.code_id, COUNT(*) FROM qualitative_coding a JOIN qualitative_coding b "
        "ON b.study_id = a.study_id AND b.turn_id = a.turn_id AND a.code_id < b.code_id "
        "WHERE a.study_id = %s AND a.turn_id IS NOT NULL "
        "GROUP BY 1, 2"
    )

    def raw(sql: str, params: list[Any]) -> Callable[[], Any]:
        def go() -> Any:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        return go

    results: list[tuple[str, float, float]] = []
    results.append((
        "code-by-attribute matrix (Focus group, 50 values)",
        _median(lambda: selectors.matrix_code_by_attribute(study=study, user=owner, variable=variable)),
        _median(raw(attribute_sql, [study.pk, variable.pk])),
    ))
    cooc = _median(lambda: selectors.matrix_cooccurrence(study=study, user=owner))
    results.append(("co-occurrence matrix (same turn), floor: the SQL self-join aggregate", cooc,
                    _median(raw(cooc_sql, [study.pk]))))
    scan_sql = "SELECT turn_id, code_id FROM qualitative_coding WHERE study_id = %s AND turn_id IS NOT NULL"
    results.append(("co-occurrence matrix (same turn), floor: the bare scan it reads", cooc,
                    _median(raw(scan_sql, [study.pk]))))
    for query in ("w3 w7", "partnership", "w4000"):
        fts_sql = (
            "SELECT t.id, t.document_id, d.name, t.speaker, t.start, t.text FROM qualitative_turn_fts f "
            "JOIN qualitative_turn t ON t.id = f.rowid JOIN qualitative_document d ON d.id = t.document_id "
            "WHERE qualitative_turn_fts MATCH %s AND t.study_id = %s ORDER BY d.name, t.start LIMIT 100"
        )
        match = " ".join(f'"{w}"' for w in query.split())
        hits = len(selectors.segments_search(study=study, query=query))
        results.append((
            f"search {query!r} ({hits} hits shown, KWIC)",
            _median(lambda q=query: selectors.segments_search(study=study, query=q)),  # type: ignore[misc]
            _median(raw(fts_sql, [match, study.pk])),
        ))
    print()
    print("| measure | selector (ms) | bare SQL floor (ms) | ratio |")
    print("|---|---:|---:|---:|")
    for name, ours, floor in results:
        print(f"| {name} | {ours * 1000:.1f} | {floor * 1000:.1f} | {ours / floor:.2f} |")
    bench_alpha(study, [c.pk for c in coder_rows], [c.pk for c in codes], n_units=max(1, round(100_000 * scale)))


def _import_floor(owner: Any, files: list[tuple[str, bytes]]) -> float:
    """The bare storage an import needs, in a throwaway study: decode, one Turn per line, bulk INSERTs."""
    from django.db import transaction
    from django.utils import timezone

    from commed.qualitative import services
    from commed.qualitative.models import Document, Turn

    study = services.study_create(owner=owner, title="Floor", slug="bench-floor")
    now = timezone.now()
    t0 = time.perf_counter()
    for i in range(0, len(files), 50):
        with transaction.atomic():
            batch = files[i : i + 50]
            documents = Document.objects.bulk_create([
                Document(study=study, name=name, text=data.decode("utf-8"), imported_at=now, updated_at=now)
                for name, data in batch])
            turns = []
            for document in documents:
                offset = 0
                for index, line in enumerate(document.text.split("\n")):
                    if line:
                        turns.append(Turn(study=study, document=document, index=index, start=offset,
                                          end=offset + len(line), text=line))
                    offset += len(line) + 1
            Turn.objects.bulk_create(turns, batch_size=500)
    seconds = time.perf_counter() - t0
    study.delete()
    return seconds


def bench_alpha(study: Any, coder_ids: list[int], code_ids: list[int], n_units: int) -> None:
    """Alpha over turn x code units of the study against the `krippendorff` package on the same data."""
    import krippendorff
    import numpy as np

    from commed.qualitative.models import Coding, Turn
    from commed_core.agreement import krippendorff_alpha

    n_turns = -(-n_units // len(code_ids))
    turns = list(Turn.objects.filter(study=study).order_by("document__name", "index")
                 .values_list("id", "document_id")[:n_turns])
    turn_ids = [t for t, _ in turns]
    coded: set[tuple[int, int, int]] = set()
    documents_of: dict[int, set[int]] = {c: set() for c in coder_ids}
    for turn_id, code_id, coder_id in Coding.objects.filter(study=study, turn_id__in=turn_ids).values_list(
            "turn_id", "code_id", "coder_id").iterator():
        coded.add((coder_id, turn_id, code_id))
    for coder_id, document_id in Coding.objects.filter(study=study).values_list("coder_id",
                                                                                "document_id").distinct():
        documents_of[coder_id].add(document_id)
    units = [(t, d, k) for t, d in turns for k in code_ids][:n_units]
    data: list[list[int | None]] = [
        [(1 if (c, t, k) in coded else 0) if d in documents_of[c] else None for t, d, k in units]
        for c in coder_ids
    ]
    array = np.array([[np.nan if v is None else v for v in row] for row in data], dtype=float)
    missing = sum(v is None for row in data for v in row)
    print()
    print(f"Krippendorff's alpha over {len(units):,} units (turn x code) x {len(coder_ids)} coders from the "
          f"study, {sum(v == 1 for row in data for v in row):,} values 1, {missing:,} missing; median of 7 runs")
    print()
    print("| level | alpha | package (baseline, ms) | commed, lists with None (ms) | ratio | "
          "commed, numpy array (ms) | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for level in ("nominal", "ordinal", "interval", "ratio"):
        package = float(krippendorff.alpha(reliability_data=array, level_of_measurement=level))
        ours_lists, ours_array = krippendorff_alpha(data, level), krippendorff_alpha(array, level)
        assert abs(ours_lists - package) < 1e-9 and abs(ours_array - package) < 1e-9, (level, ours_lists, package)
        t_pkg = _median(lambda lv=level: krippendorff.alpha(reliability_data=array,  # type: ignore[misc]
                                                              level_of_measurement=lv))
        t_lists = _median(lambda lv=level: krippendorff_alpha(data, lv))  # type: ignore[misc]
        t_array = _median(lambda lv=level: krippendorff_alpha(array, lv))  # type: ignore[misc]
        print(f"| {level} | {package:.4f} | {t_pkg * 1000:.1f} | {t_lists * 1000:.1f} | {t_lists / t_pkg:.2f} | "
              f"{t_array * 1000:.1f} | {t_array / t_pkg:.2f} |")


if __name__ == "__main__":
    main()
