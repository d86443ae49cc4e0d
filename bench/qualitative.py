"""Benchmark: the qualitative workspace at the issue's size, on SQLite.

Run: .venv/bin/python bench/qualitative.py [--scale 0.1] [--keep DIR]

Generates (seeded) one study of 1,000 transcripts of ~8,000 words (80 speaker turns of ~100 words; 200
participants with Role, Sector and Focus group), imported through `services.documents_import` (reader,
pseudonymisation with the register's names, turns, FTS index by trigger), then 100,000 codings by 3 coders over
40 codes (bulk-inserted as a REFI-QDA import does). Reports:

- import time (documents through the real service, in batches of 50 files, each atomic);
- code-by-attribute matrix, co-occurrence matrix and full-text search (KWIC), each timed through the selector
  and as a ratio to the bare SQL it needs (the GROUP BY aggregate, or the FTS5 MATCH query), median of 7 runs.

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
    print(f"import: {n_docs} documents, {total_words:,} words in {import_seconds:.1f} s "
          f"({import_seconds / n_docs * 1000:.0f} ms per document)", flush=True)

    turns = list(Turn.objects.filter(study=study).values_list("id", "document_id", "start", "end",
                                                              "participant_id"))
    coder_rows = [services.coder_for_user(study=study, user=u) for u in coders]
    now = timezone.now()
    rows = []
    t0 = time.perf_counter()
    for k in range(n_codings):
        turn_id, doc_id, start, end, participant_id = rng.choice(turns)
        a = rng.randrange(start, max(start + 1, end - 40))
        b = min(end, a + rng.randrange(20, 400))
        rows.append(Coding(study=study, document_id=doc_id, code=rng.choice(codes), coder=coder_rows[k % 3],
                           start=a, end=b, quote="", turn_id=turn_id, participant_id=participant_id,
                           created_at=now))
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
    results.append((
        "co-occurrence matrix (same turn)",
        _median(lambda: selectors.matrix_cooccurrence(study=study, user=owner)),
        _median(raw(cooc_sql, [study.pk])),
    ))
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


if __name__ == "__main__":
    main()
