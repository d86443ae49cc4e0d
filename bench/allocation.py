"""Allocation benchmark: commed's modes against the `matching` package and a naive HiGHS model.

Run: ``.venv/bin/python bench/allocation.py [--quick]`` (quick: N = 300 and 1,000 only).
Instances come from ``generate_instance(N, seed=1)`` (see commed_core/allocation/README.md).
"""

from __future__ import annotations

import argparse
import functools
import math
import sys
import time
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _naive import solve_naive

from commed_core.allocation import generate_instance, parse_problem, solve
from commed_core.allocation.check import PartnerOrder, check, compute_stats
from commed_core.allocation.problem import Problem
from commed_core.allocation.stable import spa_student


def row(
    name: str, problem: Problem, assignment: dict[str, str], seconds: float, gap: float
) -> dict[str, Any]:
    _, st = compute_stats(problem, assignment)
    return {
        "method": name,
        "time_s": seconds,
        "avg_rank": st["average_rank"],
        "pct_first": st["pct_first"],
        "pct_top3": st["pct_top3"],
        "unassigned": st["unassigned"],
        "undersized": st["undersized_groups"],
        "isolated": st["isolated_students"],
        "uncovered": st["uncovered_languages"],
        "violations": len(check(problem, assignment)),
        "gap": gap,
    }


def run_matching(problem: Problem) -> tuple[dict[str, str], float]:
    from matching.games import StudentAllocation

    sys.setrecursionlimit(100_000)
    order = PartnerOrder(problem)
    t0 = time.perf_counter()
    student_prefs = {s.id: list(s.preferences) for s in problem.students}
    sup = {}
    for c in problem.partners:
        mine = {p.id for p in problem.projects if p.partner == c.id}
        ranked = [s.id for s in problem.students if mine.intersection(s.preferences)]
        sup[c.id] = sorted(ranked, key=functools.partial(order.rank, c.id))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        game = StudentAllocation.create_from_dictionaries(
            student_prefs,
            sup,
            {p.id: p.partner for p in problem.projects},
            {p.id: p.max for p in problem.projects},
            {c.id: problem.partner_capacity(c.id) for c in problem.partners},
        )
        matched = game.solve(optimal="student")
    out = {s.name: p.name for p, students in matched.items() for s in students}
    return out, time.perf_counter() - t0


def fmt(r: dict[str, Any]) -> str:
    gap = "-" if r["gap"] is None else ("inf" if math.isinf(r["gap"]) else f"{100 * r['gap']:.3f}%")
    return (
        f"| {r['method']} | {r['time_s']:.2f} | {r['avg_rank']:.3f} | {r['pct_first']:.1f} "
        f"| {r['pct_top3']:.1f} | {r['unassigned']} | {r['undersized']} | {r['isolated']} "
        f"| {r['uncovered']} | {r['violations']} | {gap} |"
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--naive-time-limit", type=float, default=60.0)
    args = ap.parse_args()
    sizes = [300, 1000] if args.quick else [300, 1000, 3000, 10000]
    for n in sizes:
        data = generate_instance(n, seed=1)
        rows = []
        problem = parse_problem(data)
        sol = solve(problem, time_limit=args.time_limit)
        rank_row = row("commed rank_cost", problem, sol.assignment, sol.stats["time_seconds"], sol.gap)
        rows.append(rank_row)
        if n <= 1000:
            for mode in ("greedy", "generous"):
                data["rules"]["objective"] = mode
                p2 = parse_problem(data)
                s2 = solve(p2, time_limit=args.time_limit)
                rows.append(row(f"commed {mode}", p2, s2.assignment, s2.stats["time_seconds"], s2.gap))
        data["rules"]["objective"] = "stable"
        ps = parse_problem(data)
        t0 = time.perf_counter()
        spa, _ = spa_student(ps)
        t_spa = time.perf_counter() - t0
        s3 = solve(ps)
        stable_row = row("commed stable (matching only)", ps, spa, t_spa, None)
        rows.append(stable_row)
        rows.append(
            row("commed stable (full solve + report)", ps, s3.assignment, s3.stats["time_seconds"], None)
        )
        m_assign, m_time = run_matching(ps)
        match_row = row("baseline: matching StudentAllocation", ps, m_assign, m_time, None)
        rows.append(match_row)
        naive_assign, naive_time, naive_gap, _ = solve_naive(problem, args.naive_time_limit)
        naive_row = row(
            "baseline: naive HiGHS (binary per ranked pair)", problem, naive_assign, naive_time, naive_gap
        )
        rows.append(naive_row)
        print(f"\n### N = {n} ({len(problem.projects)} projects, {len(problem.partners)} partners)\n")
        print(
            "| method | time (s) | avg rank | % 1st | % top 3 | unassigned | undersized | isolated | "
            "uncovered | violations | gap |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            print(fmt(r))
        # commed also places leftover students in non-ranked projects (fallback_rank); compare the rest.
        ranked = {s: p for s, p in spa.items() if ps.rank(s, p) is not None}
        same = "identical on ranked placements" if ranked == m_assign else "DIFFERENT"
        print(
            "\nratios: commed rank_cost / naive HiGHS: "
            f"time {rank_row['time_s'] / naive_row['time_s']:.2f}x, "
            f"avg rank {rank_row['avg_rank'] / max(naive_row['avg_rank'], 1e-9):.3f}x, "
            f"unassigned {rank_row['unassigned']} vs {naive_row['unassigned']}, "
            f"violations {rank_row['violations']} vs {naive_row['violations']}"
        )
        print(
            f"ratios: commed stable / matching: time {stable_row['time_s'] / match_row['time_s']:.3f}x "
            f"(matchings {same}); commed rank_cost / matching: avg rank "
            f"{rank_row['avg_rank'] / max(match_row['avg_rank'], 1e-9):.3f}x, % 1st "
            f"{rank_row['pct_first'] / max(match_row['pct_first'], 1e-9):.3f}x",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
