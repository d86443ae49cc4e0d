"""The naive baseline: one binary per (student, project) pair with every rule, solved by HiGHS directly."""

from __future__ import annotations

import os
import time
from collections import defaultdict

from commed_core.allocation._highs import INF, Model
from commed_core.allocation.problem import Problem

UNASSIGNED_COST = 1000.0  # dominates any rank cost change a placement can cause on these instances


def solve_naive(problem: Problem, time_limit: float) -> tuple[dict[str, str], float, float, float, bool]:
    """Return (assignment, wall seconds, CPU seconds, gap, optimal).

    The textbook model of the same problem: a binary x[s,p] for every pair the rules allow (ranked
    projects of the student's locality, plus, when ``rules.fallback_rank`` is set, every other project
    of the locality at the fallback cost), cost rank**2, unassigned at ``UNASSIGNED_COST``, and every
    hard rule written on the binaries (min/max with an open binary, partner capacity, language cover,
    no isolation with a binary per (project, value), together, apart, locked). HiGHS with the same
    settings as commed (one thread, seed 0, relative gap 0).
    """
    t0, c0 = time.perf_counter(), time.process_time()
    m = Model()
    fb = problem.rules.fallback_rank
    cols: list[tuple[int, str, str]] = []
    by_project: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for s in problem.students:
        row = ("s", s.id)
        m.row(row, 1.0, 1.0)
        options = []
        lock = problem.rules.locked.get(s.id)
        for p in problem.projects:
            if lock is not None and p.id != lock:
                continue
            if not problem.locality_allows(s.id, p.id):
                continue
            r = problem.rank(s.id, p.id)
            if r is None and fb is None and lock is None:
                continue
            eff = (r if fb is None else min(r, fb)) if r is not None else (fb or problem.max_rank + 1)
            options.append((p.id, eff))
        for pid, r in options:
            j = m.col(float(r * r), 0.0, 1.0, True, [(row, 1.0)])
            cols.append((j, s.id, pid))
            by_project[pid].append((j, s.id))
        m.col(UNASSIGNED_COST, 0.0, 0.0 if lock is not None else 1.0, True, [(row, 1.0)])
    part: dict[str, list[int]] = defaultdict(list)
    for p in problem.projects:
        xs = by_project[p.id]
        part[p.partner].extend(j for j, _ in xs)
        op = m.col(0.0, 0.0 if p.may_close else 1.0, 1.0, True)
        m.add_row([*((j, 1.0) for j, _ in xs), (op, -float(p.max))], -INF, 0.0)
        m.add_row([*((j, 1.0) for j, _ in xs), (op, -float(max(p.min, 1)))], 0.0, INF)
        for lang, k in p.requires_languages.items():
            sp = [(j, 1.0) for j, sid in xs if lang in problem.student(sid).languages]
            m.add_row([*sp, (op, -float(k))], 0.0, INF)
        for attr in problem.rules.no_isolation:
            vals: dict[str, list[int]] = defaultdict(list)
            for j, sid in xs:
                v = problem.student(sid).attributes.get(attr)
                if v is not None:
                    vals[v].append(j)
            for js in vals.values():
                y = m.col(0.0, 0.0, 1.0, True)
                m.add_row([*((j, 1.0) for j in js), (y, -2.0)], 0.0, INF)
                m.add_row([*((j, 1.0) for j in js), (y, -float(p.max))], -INF, 0.0)
    for c in problem.partners:
        if c.capacity is not None and part[c.id]:
            m.add_row([(j, 1.0) for j in part[c.id]], -INF, float(c.capacity))
    col_of = {(sid, pid): j for j, sid, pid in cols}
    for g in problem.rules.together:
        for other in g[1:]:
            for p in problem.projects:
                a, b = col_of.get((g[0], p.id)), col_of.get((other, p.id))
                ent = [(j, c) for j, c in ((a, 1.0), (b, -1.0)) if j is not None]
                if ent:
                    m.add_row(ent, 0.0, 0.0)
    for sa, sb in problem.rules.apart:
        for p in problem.projects:
            a, b = col_of.get((sa, p.id)), col_of.get((sb, p.id))
            if a is not None and b is not None:
                m.add_row([(a, 1.0), (b, 1.0)], -INF, 1.0)
    left = max(time_limit - (time.perf_counter() - t0), 1.0)
    # Every core, as commed (which solves independent parts side by side) gets them too.
    res = m.solve(time_limit=left, mip_gap=0.0, options={"threads": os.cpu_count() or 1})
    assignment: dict[str, str] = {}
    if res.values is not None:
        for j, sid, pid in cols:
            if res.values[j] > 0.5:
                assignment[sid] = pid
    return assignment, time.perf_counter() - t0, time.process_time() - c0, res.gap, res.status == "optimal"
