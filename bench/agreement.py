"""Benchmark: commed's Krippendorff's alpha and character-level report vs the `krippendorff` package.

Run: .venv/bin/python bench/agreement.py [--quick]

1. alpha (nominal, interval) over 100,000 units x 3 coders, ~5% missing, values 1..5: commed vs
   `krippendorff.alpha` (the baseline) on the same numpy array; commed also from Python lists with None.
2. agreement_report at character unit on 1,000 documents of ~45,000 characters (~8,000 words) with 100,000
   codings by 3 coders over 50 codes (seeded). Baseline: naive per-character 0/1 arrays + the package, one
   call per code. The baseline cannot hold all 45 million characters x 50 codes at once (the package builds
   units x values x values float arrays), so it runs on the first documents only and is compared with
   commed on the same documents; the full-size commed time is reported too, with the baseline extrapolated
   linearly.

Ratios are commed time / baseline time (below 1 = commed faster). Median of several runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import krippendorff
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from commed_core.agreement import CodingSpan, DocumentInfo, agreement_report, krippendorff_alpha


def median_time(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def bench_alpha(runs: int) -> None:
    rng = np.random.default_rng(20240601)
    data = rng.integers(1, 6, size=(3, 100_000)).astype(float)
    # Coders mostly agree with a per-unit "true" value so alpha is not ~0.
    truth = rng.integers(1, 6, size=100_000).astype(float)
    agree = rng.random(data.shape) < 0.7
    data[agree] = np.broadcast_to(truth, data.shape)[agree]
    data[rng.random(data.shape) < 0.05] = np.nan
    as_lists = [[None if np.isnan(v) else int(v) for v in row] for row in data]
    print("Krippendorff's alpha, 100,000 units x 3 coders, 5% missing")
    for level in ("nominal", "interval"):
        t_pkg, a_pkg = median_time(
            lambda level=level: krippendorff.alpha(reliability_data=data, level_of_measurement=level), runs
        )
        t_arr, a_arr = median_time(lambda level=level: krippendorff_alpha(data, level), runs)
        t_list, a_list = median_time(lambda level=level: krippendorff_alpha(as_lists, level), runs)
        assert abs(a_arr - a_pkg) < 1e-9 and abs(a_list - a_pkg) < 1e-9, (a_arr, a_list, a_pkg)
        print(
            f"  {level:8s} alpha={a_pkg:.6f}  package {t_pkg * 1000:7.1f} ms | commed (ndarray) "
            f"{t_arr * 1000:7.1f} ms ratio {t_arr / t_pkg:.3f} | commed (lists with None) "
            f"{t_list * 1000:7.1f} ms ratio {t_list / t_pkg:.3f}"
        )


def make_project(
    n_docs: int, n_codes: int, n_coders: int, n_passages: int, seed: int
) -> tuple[list[DocumentInfo], list[CodingSpan]]:
    """Documents of ~45k characters; passages coded by each coder with prob. 0.95 and jittered bounds."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(40_000, 50_000, size=n_docs)
    docs = [DocumentInfo(f"doc{i}", int(n)) for i, n in enumerate(lengths)]
    coders = [f"coder{k}" for k in range(n_coders)]
    p_doc = rng.integers(0, n_docs, size=n_passages)
    p_code = rng.integers(0, n_codes, size=n_passages)
    p_len = rng.integers(50, 1500, size=n_passages)
    p_start = (rng.random(n_passages) * (lengths[p_doc] - p_len)).astype(np.int64)
    codings: list[CodingSpan] = []
    for k, coder in enumerate(coders):
        take = rng.random(n_passages) < 0.95
        jitter = rng.integers(-20, 21, size=(2, n_passages))
        starts = np.clip(p_start + jitter[0], 0, None)
        ends = np.minimum(np.maximum(p_start + p_len + jitter[1], starts + 1), lengths[p_doc])
        # A few codes the coder applies differently (a source of disagreement).
        code = np.where(rng.random(n_passages) < 0.05, (p_code + k + 1) % n_codes, p_code)
        codings.extend(
            CodingSpan(f"doc{d}", coder, f"code{c}", int(s), int(e))
            for d, c, s, e in zip(p_doc[take], code[take], starts[take], ends[take], strict=True)
        )
    return docs, codings


def naive_baseline(
    docs: list[DocumentInfo], codings: list[CodingSpan], codes: list[str], coders: list[str]
) -> None:
    """Per-character arrays for each code, then the package's alpha and numpy percent agreement."""
    offsets = {d.id: o for d, o in zip(docs, np.cumsum([0] + [d.length for d in docs[:-1]]), strict=True)}
    total = sum(d.length for d in docs)
    code_pos = {c: i for i, c in enumerate(codes)}
    coder_pos = {c: i for i, c in enumerate(coders)}
    arrays = np.zeros((len(codes), len(coders), total), dtype=np.int8)
    for span in codings:
        if span.document in offsets:
            o = int(offsets[span.document])
            arrays[code_pos[span.code], coder_pos[span.coder], o + span.start : o + span.end] = 1
    for c in range(len(codes)):
        rows = arrays[c].astype(float)
        if len(np.unique(rows)) > 1:
            krippendorff.alpha(reliability_data=rows, level_of_measurement="nominal")
        _ = [(rows[i] == rows[j]).mean() for i in range(len(coders)) for j in range(i + 1, len(coders))]


def bench_report(quick: bool, runs: int) -> None:
    n_docs = 200 if quick else 1000
    n_passages = 7_000 if quick else 35_000  # x 3 coders x 0.95 ~ 100,000 codings at full size
    docs, codings = make_project(n_docs, 50, 3, n_passages, seed=7)
    coders = ["coder0", "coder1", "coder2"]
    codes = [f"code{c}" for c in range(50)]
    chars = sum(d.length for d in docs)
    print(
        f"\nagreement_report, character unit: {n_docs} documents, {chars:,} characters, "
        f"{len(codings):,} codings,"
    )
    print("  3 coders, 50 codes")
    t_full, report = median_time(lambda: agreement_report(docs, codings, "character", coders=coders), runs)
    print(
        f"  commed, all documents: {t_full:.3f} s (overall alpha {report.overall.krippendorff_alpha:.4f}, "
        f"percent {report.overall.percent_agreement:.4f})"
    )
    subset_docs = docs[: 3 if quick else 10]
    ids = {d.id for d in subset_docs}
    subset = [c for c in codings if c.document in ids]
    t_sub, _ = median_time(
        lambda: agreement_report(subset_docs, subset, "character", coders=coders, codes=codes), runs
    )
    t_base, _ = median_time(lambda: naive_baseline(subset_docs, subset, codes, coders), max(1, runs // 2))
    print(
        f"  first {len(subset_docs)} documents: commed {t_sub:.3f} s | baseline (naive expansion + package, "
        f"per code only, no pooled figure) {t_base:.3f} s | ratio {t_sub / t_base:.4f}"
    )
    estimate = t_base * n_docs / len(subset_docs)
    print(
        f"  baseline extrapolated to {n_docs} documents: ~{estimate:.0f} s "
        f"(and ~{chars * 50 * 3 / 1e9:.1f} GB of int8 arrays) | "
        f"ratio commed / extrapolated {t_full / estimate:.5f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer runs and a smaller report project")
    args = parser.parse_args()
    runs = 3 if args.quick else 7
    print(f"commed agreement benchmark ({'quick' if args.quick else 'full'}), median of {runs} runs\n")
    bench_alpha(runs)
    bench_report(args.quick, 3 if args.quick else 5)


if __name__ == "__main__":
    main()
