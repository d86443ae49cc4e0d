"""The naive baseline: one binary per (student, project) pair with every rule, solved by HiGHS."""

from __future__ import annotations

import time
from collections import defaultdict

from commed_core.allocation._highs import INF, Model
from commed_core.allocation.problem import Problem


def solve_naive(problem: Problem, time_limit: float) -> tuple[dict[str, str], float, float, bool]:
    """Return (assignment, seconds, gap, optimal). Unassigned costs 1000 (dominates any rank cost)."""
    t0 = time.perf_counter()
    m = Model()
    cols: list[tuple[int, str, str]] = []
    by_project: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for s in problem.students:
        row = ("s", s.id)
        m.row(row, 1.0, 1.0)
        options = []
        # Ranked pairs only (one binary each): non-ranked fallback columns for every student would
        # need students x projects binaries (5 million at N=10,000), beyond any naive model.
        for i, pid in enumerate(s.preferences):
            if problem.locality_allows(s.id, pid):
                options.append((pid, i + 1))
        for pid, r in options:
            j = m.col(float(r * r), 0.0, 1.0, True, [(row, 1.0)])
            cols.append((j, s.id, pid))
            by_project[pid].append((j, s.id))
        m.col(1000.0, 0.0, 1.0, True, [(row, 1.0)])  # unassigned
    part: dict[str, list[int]] = defaultdict(list)
    for p in problem.projects:
        xs = by_project[p.id]
        part[p.partner].extend(j for j, _ in xs)
        op = m.col(0.0, 0.0 if p.may_close else 1.0, 1.0, True)
        m.add_row([*((j, 1.0) for j, _ in xs), (op, -float(p.max))], -INF, 0.0)
        m.add_row([*((j, 1.0) for j, _ in xs), (op, -float(max(p.min, 1)))], 0.0, INF)
        for lang, k in p.requires_languages.items():
            sp = [(j, 1.0) for j, s in xs if lang in problem.student(s).languages]
            m.add_row([*sp, (op, -float(k))], 0.0, INF)
        for attr in problem.rules.no_isolation:
            vals: dict[str, list[int]] = defaultdict(list)
            for j, s in xs:
                v = problem.student(s).attributes.get(attr)
                if v is not None:
                    vals[v].append(j)
            for js in vals.values():
                y = m.col(0.0, 0.0, 1.0, True)
                m.add_row([*((j, 1.0) for j in js), (y, -2.0)], 0.0, INF)
                m.add_row([*((j, 1.0) for j in js), (y, -float(p.max))], -INF, 0.0)
    for c in problem.partners:
        if c.capacity is not None and part[c.id]:
            m.add_row([(j, 1.0) for j in part[c.id]], -INF, float(c.capacity))
    col_of = {(s, p): j for j, s, p in cols}
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
    for sid, pid in problem.rules.locked.items():
        j = col_of.get((sid, pid))
        if j is not None:
            m.lower[j] = 1.0
    res = m.solve(time_limit=time_limit, mip_gap=0.0)
    assignment: dict[str, str] = {}
    if res.values is not None:
        for j, s, p in cols:
            if res.values[j] > 0.5:
                assignment[s] = p
    return assignment, time.perf_counter() - t0, res.gap, res.status == "optimal"
