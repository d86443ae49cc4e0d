"""Allocation benchmark (issue 4, "Figures"): commed against the `matching` package and direct HiGHS.

Run (from the repository root): ``.venv/bin/python bench/allocation.py`` -- N = 300, 1,000, 3,000 and
10,000 in one run (``--quick``: 300 and 1,000; ``--sizes 300,3000`` for others). Instances come from
``generate_instance(N, seed=1)`` (documented in commed_core/allocation/README.md, "Benchmark instances").

Per size it reports, for each method: wall and CPU time, average rank, % first choice, % top 3,
unassigned, undersized groups, isolated students, uncovered languages, rule violations found by the
independent ``check`` and the optimality gap; then the ratios to the baselines measured in the same run,
and at the end which of the issue's targets are met. The baselines:

- ``matching`` 1.4's ``StudentAllocation`` (student-optimal stable matching, SPA-S): it has no min
  sizes, isolation, languages or fallback placement, so its undersized/isolated/uncovered counts are
  what a stable-matching library leaves behind. Needs a raised recursion limit from N = 1,000.
- Direct HiGHS (``bench/_naive.py``): the textbook model of the same problem, one binary per
  (student, project) pair with every rule, given to HiGHS with commed's settings (one thread, seed 0,
  gap 0) and ``--naive-time-limit`` seconds. With the instances' ``fallback_rank`` (any project of the
  locality at rank 6) that is students x projects-in-locality binaries, 450,000 at N = 3,000 and
  5 million at N = 10,000, which cannot be built here; so it runs on the real instance up to
  ``--naive-fallback-max`` students, and at every size on the same instance with ``fallback_rank``
  off (ranked projects only), where commed solves the identical model too ("fallback off" rows): that
  pair is the like-for-like time ratio.

Times: the machine has 2 cores shared with other people's jobs, so wall time depends on the load
(printed); CPU time of this process (HiGHS runs single-threaded in it) is the steadier figure.
"""

from __future__ import annotations

import argparse
import functools
import math
import os
import sys
import time
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _naive import solve_naive

from commed_core.allocation import generate_instance, parse_problem, solve
from commed_core.allocation.check import PartnerOrder, check, compute_stats
from commed_core.allocation.mip import solve_mip
from commed_core.allocation.problem import Problem
from commed_core.allocation.stable import spa_student


def row(
    name: str, problem: Problem, assignment: dict[str, str], wall: float, cpu: float, gap: float | None
) -> dict[str, Any]:
    _, st = compute_stats(problem, assignment)
    return {
        "method": name,
        "wall": wall,
        "cpu": cpu,
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


def run_commed(problem: Problem, name: str, time_limit: float) -> tuple[dict[str, Any], Any]:
    c0 = time.process_time()
    sol = solve(problem, time_limit=time_limit)
    cpu = time.process_time() - c0
    return row(name, problem, sol.assignment, float(sol.stats["time_seconds"]), cpu, sol.gap), sol


def first_choice_frontier(problem: Problem, time_limit: float) -> dict[str, Any]:
    """An upper bound on the share of 1st choices any allocation can give while >= 99% of the students
    are in their top 3 (among allocations leaving no more students unassigned than necessary, which is
    what every optimising mode returns). Lagrangian bound: for any lam >= 0 and any such allocation,
    first = N - notfirst <= N - (notfirst + lam * (outside_top3 - budget)) when outside_top3 <= budget,
    so first <= N - min(notfirst + lam * outside) + lam * budget, and any lower bound on that minimum
    (the MIP's proven bound) gives a valid upper bound. The minimum is a rank_cost solve with costs
    0, 1, 1, 1 + lam, ... (set on the rules directly: the parser rejects equal costs, which a lead
    should not use). A huge lam shows whether 99% in the top 3 is possible at all."""
    n = len(problem.students)
    budget = n // 100
    best: dict[str, Any] = {"ub": float("inf"), "lam": None, "seconds": 0.0}
    for lam in (1, 2, 3, n + 1):
        costs = (0, 1, 1, *([1 + lam] * max(problem.max_rank + 1, problem.rules.fallback_rank or 0)))
        p2 = replace(problem, rules=replace(problem.rules, objective="rank_cost", rank_costs=costs))
        t0 = time.perf_counter()
        out = solve_mip(p2, time_limit=time_limit)
        best["seconds"] += time.perf_counter() - t0
        ub = n - (out.bound - lam * budget)
        if ub < best["ub"]:
            best.update(ub=ub, lam=lam, optimal=out.optimal)
        if lam == n + 1:
            # placed students outside their top 3 >= (bound - N) / lam (the 2nd/3rd choices cost at most N)
            outside = max(0, math.ceil((out.bound - n) / lam - 1e-9))
            best["top3_pct"] = 100.0 * (n - outside) / n
    best["pct"] = 100.0 * max(best["ub"], 0.0) / n
    return best


def run_matching(problem: Problem) -> tuple[dict[str, str], float, float]:
    from matching.games import StudentAllocation

    sys.setrecursionlimit(100_000)
    order = PartnerOrder(problem)
    t0, c0 = time.perf_counter(), time.process_time()
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
    return out, time.perf_counter() - t0, time.process_time() - c0


def fmt_gap(gap: float | None) -> str:
    if gap is None:
        return "-"
    return "inf" if math.isinf(gap) else f"{100 * gap:.3f}%"


def fmt(r: dict[str, Any]) -> str:
    return (
        f"| {r['method']} | {r['wall']:.2f} | {r['cpu']:.2f} | {r['avg_rank']:.3f} | {r['pct_first']:.1f} "
        f"| {r['pct_top3']:.1f} | {r['unassigned']} | {r['undersized']} | {r['isolated']} "
        f"| {r['uncovered']} | {r['violations']} | {fmt_gap(r['gap'])} |"
    )


def ratio(a: float, b: float) -> str:
    return f"{a / b:.3f}x" if b > 0 else "n/a"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="N = 300 and 1,000 only")
    ap.add_argument("--sizes", default="", help="comma-separated N (overrides --quick)")
    ap.add_argument("--time-limit", type=float, default=30.0, help="commed's time limit (s)")
    ap.add_argument("--naive-time-limit", type=float, default=60.0, help="direct HiGHS time limit (s)")
    ap.add_argument("--naive-fallback-max", type=int, default=3000, help="largest N for direct HiGHS with fallback")
    ap.add_argument("--frontier-max", type=int, default=3000, help="largest N for the 1st-choice/top-3 bound")
    ap.add_argument("--frontier-time-limit", type=float, default=60.0, help="time limit of each bound solve (s)")
    args = ap.parse_args()
    sizes = [300, 1000] if args.quick else [300, 1000, 3000, 10000]
    if args.sizes:
        sizes = [int(x) for x in args.sizes.split(",")]
    print(
        f"commed time limit {args.time_limit:.0f} s, direct HiGHS time limit {args.naive_time_limit:.0f} s; "
        f"load average at start {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
        flush=True,
    )
    summary: dict[int, dict[str, Any]] = {}
    for n in sizes:
        data = generate_instance(n, seed=1)
        problem = parse_problem(data)
        rows = []
        rank_row, rank_sol = run_commed(problem, "commed rank_cost", args.time_limit)
        rows.append(rank_row)
        pf = parse_problem({**data, "rules": {**data["rules"], "objective": "first_choice"}})
        first_row, first_sol = run_commed(pf, "commed first_choice", args.time_limit)
        rows.append(first_row)
        if n <= 1000:
            for mode in ("greedy", "generous"):
                p2 = parse_problem({**data, "rules": {**data["rules"], "objective": mode}})
                rows.append(run_commed(p2, f"commed {mode}", args.time_limit)[0])
        ps = parse_problem({**data, "rules": {**data["rules"], "objective": "stable"}})
        t0, c0 = time.perf_counter(), time.process_time()
        spa, _ = spa_student(ps)
        stable_row = row(
            "commed stable (matching only)", ps, spa, time.perf_counter() - t0, time.process_time() - c0, None
        )
        rows.append(stable_row)
        stable_full, _ = run_commed(ps, "commed stable (full solve + report)", args.time_limit)
        stable_full["gap"] = None
        rows.append(stable_full)
        m_assign, m_wall, m_cpu = run_matching(ps)
        match_row = row("baseline: matching StudentAllocation", ps, m_assign, m_wall, m_cpu, None)
        rows.append(match_row)
        naive_row = None
        if n <= args.naive_fallback_max:
            a, wall, cpu, gap, _ = solve_naive(problem, args.naive_time_limit)
            naive_row = row("baseline: direct HiGHS (binary per pair)", problem, a, wall, cpu, gap)
            rows.append(naive_row)
        p_off = parse_problem({**data, "rules": {**data["rules"], "fallback_rank": None}})
        off_row, _ = run_commed(p_off, "commed rank_cost, fallback off", args.time_limit)
        rows.append(off_row)
        a, wall, cpu, gap, _ = solve_naive(p_off, args.naive_time_limit)
        naive_off = row("baseline: direct HiGHS, fallback off", p_off, a, wall, cpu, gap)
        rows.append(naive_off)
        print(
            f"\n### N = {n} ({len(problem.projects)} projects, {len(problem.partners)} partners; "
            f"load average {os.getloadavg()[0]:.1f})\n"
        )
        print(
            "| method | wall (s) | CPU (s) | avg rank | % 1st | % top 3 | unassigned | undersized | isolated | "
            "uncovered | violations | gap |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            print(fmt(r))
        ranked = {s: p for s, p in spa.items() if ps.rank(s, p) is not None}
        same = "identical on ranked placements" if ranked == m_assign else "DIFFERENT"
        print("\nRatios (commed / baseline, same run):\n")
        if naive_row is not None:
            print(
                f"- rank_cost / direct HiGHS: wall {ratio(rank_row['wall'], naive_row['wall'])}, "
                f"CPU {ratio(rank_row['cpu'], naive_row['cpu'])}, avg rank "
                f"{ratio(rank_row['avg_rank'], naive_row['avg_rank'])}, gap {fmt_gap(rank_row['gap'])} vs "
                f"{fmt_gap(naive_row['gap'])}, unassigned {rank_row['unassigned']} vs {naive_row['unassigned']}"
            )
        print(
            f"- first_choice / rank_cost: % 1st {ratio(first_row['pct_first'], rank_row['pct_first'])}, "
            f"% top 3 {ratio(first_row['pct_top3'], rank_row['pct_top3'])}, wall "
            f"{ratio(first_row['wall'], rank_row['wall'])}, optimal {first_sol.optimal}"
        )
        print(
            f"- fallback off, identical model: wall {ratio(off_row['wall'], naive_off['wall'])}, "
            f"CPU {ratio(off_row['cpu'], naive_off['cpu'])}, avg rank "
            f"{ratio(off_row['avg_rank'], naive_off['avg_rank'])}, gap {fmt_gap(off_row['gap'])} vs "
            f"{fmt_gap(naive_off['gap'])}, unassigned {off_row['unassigned']} vs {naive_off['unassigned']}"
        )
        print(
            f"- rank_cost / matching: % 1st {ratio(rank_row['pct_first'], match_row['pct_first'])}, "
            f"% top 3 {ratio(rank_row['pct_top3'], match_row['pct_top3'])}, avg rank "
            f"{ratio(rank_row['avg_rank'], match_row['avg_rank'])}, wall {ratio(rank_row['wall'], match_row['wall'])}"
        )
        print(
            f"- stable / matching: wall {ratio(stable_row['wall'], match_row['wall'])} (matching only), "
            f"{ratio(stable_full['wall'], match_row['wall'])} (full solve with report); matchings {same}",
            flush=True,
        )
        frontier = first_choice_frontier(problem, args.frontier_time_limit) if n <= args.frontier_max else None
        if frontier is not None:
            if frontier["top3_pct"] < 99.0:
                what = f"none: at most {frontier['top3_pct']:.2f}% can be in their top 3"
            else:
                what = f"<= {frontier['pct']:.2f}% (lam = {frontier['lam']})"
            print(
                f"- most 1st choices possible with >= 99% in their top 3, every rule kept (Lagrangian bound, "
                f"{frontier['seconds']:.0f} s): {what}",
                flush=True,
            )
        summary[n] = {
            "rank": rank_row, "optimal": rank_sol.optimal, "stable": stable_row, "full": stable_full,
            "first": first_row, "first_optimal": first_sol.optimal, "frontier": frontier,
        }
    print("\n### Targets (commed rank_cost unless stated; wall time)\n")

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    for n, want in ((1000, 1.0), (3000, 5.0)):
        if n in summary:
            s = summary[n]
            ok = s["optimal"] and s["rank"]["wall"] < want and s["rank"]["violations"] == 0
            print(
                f"- proven optimal at {n:,} in under {want:.0f} s: {verdict(ok)} (optimal={s['optimal']}, "
                f"{s['rank']['wall']:.2f} s wall, {s['rank']['cpu']:.2f} s CPU, gap {fmt_gap(s['rank']['gap'])})"
            )
    if 10000 in summary:
        s = summary[10000]
        ok = s["rank"]["gap"] < 0.005 and s["rank"]["wall"] <= 30.5 and s["rank"]["violations"] == 0
        print(
            f"- gap under 0.5% at 10,000 within 30 s: {verdict(ok)} (gap {fmt_gap(s['rank']['gap'])}, "
            f"{s['rank']['wall']:.2f} s)"
        )
    for n, s in summary.items():
        ok2 = all(
            r["isolated"] == 0 and r["undersized"] == 0 and r["uncovered"] == 0 and r["violations"] == 0
            for r in (s["rank"], s["first"])
        )
        parts = []
        for key in ("rank", "first"):
            r = s[key]
            ok1 = r["pct_first"] >= 75.0 and r["pct_top3"] >= 99.0
            parts.append(f"{r['method'][7:]} {verdict(ok1)} ({r['pct_first']:.1f}%, {r['pct_top3']:.1f}%)")
        f = s["frontier"]
        if f is not None and f["top3_pct"] < 99.0:
            parts.append(f"UNREACHABLE on this instance: at most {f['top3_pct']:.2f}% can be in their top 3")
        elif f is not None:
            reach = "UNREACHABLE on this instance" if f["pct"] < 75.0 else "reachable as far as the bound shows"
            parts.append(f"bound on 1st choices with >= 99% top 3: {f['pct']:.2f}%: {reach}")
        print(
            f"- N = {n:,}: >= 75% first and >= 99% top 3: {'; '.join(parts)}; "
            f"0 isolated/undersized/uncovered, no violation: {verdict(ok2)}"
        )
    if 10000 in summary:
        s = summary[10000]
        print(
            f"- stable mode at 10,000 under 1 s: matching only {verdict(s['stable']['wall'] < 1.0)} "
            f"({s['stable']['wall']:.2f} s); full solve with report {verdict(s['full']['wall'] < 1.0)} "
            f"({s['full']['wall']:.2f} s)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
