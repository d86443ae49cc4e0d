"""The optimising modes (rank_cost, greedy, generous): an aggregated MILP solved by HiGHS.

Formulation (see README.md, "How the optimiser works")
------------------------------------------------------
Students are grouped into *types* (same allowed ranked projects with the same ranks, same class, same
fallback group); a type's assignment to a project is a continuous flow ``x[t,p] <= |t|``. Only per-project
*class counts* are integer: a class is the tuple (values of the no-isolation attributes, required
languages spoken), and ``n[p,c] = sum of the flows of class c into p``. Every side rule (min/max,
closure, partner capacity, language cover, no isolation) is a linear condition on these counts:

- ``lo_p * open_p <= sum_c n[p,c] <= max_p * open_p`` (``open_p`` binary when the project may be empty);
- ``sum_{c speaks L} n[p,c] >= k * open_p``;
- for each value v of a no-isolation attribute: ``2 y[p,v] <= n_v(p) <= max_p y[p,v]``, ``y`` binary;
- partner capacity on the sum of its projects' counts.

Once the counts are integral, what is left is one transportation problem per class (students of that
class -> projects with the given counts), whose constraint matrix is totally unimodular: a basic
optimal solution of the LP with the counts fixed is integral, with the same cost. So after the MIP we
fix the integers and re-solve the LP by simplex to read off an integral assignment. This keeps the
integer variables at (projects x classes) instead of (students x projects), removes the symmetry
between interchangeable students, and lets HiGHS branch on what actually matters.

Non-ranked placement (``fallback_rank``) goes through one aggregated node per (locality, class): a
type sends ``f[t]`` students to its node, the node sends ``z[p,g]`` to any project of its locality,
at the fallback cost -- still a network, so still integral. Students in together/apart pairs and
locked students are *special*: their own binary columns, with explicit pair rows.

Lexicographic objectives are sequential solves: unassigned is minimised first (skipped when a solve
with everyone placed succeeds); ``greedy`` then lexicographically minimises the number of students at
rank >= 2, >= 3, ..., which is the same as maximising 1st choices, then 2nd, ...; ``generous`` does the
same from the worst rank down (minimise the count at the maximum rank, then at the next, ...), which
minimises the maximum rank first. Each stage fixes the previous optimum as a constraint.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from ._highs import INF, Model, Result
from .problem import Problem

__all__ = ["MipOutcome", "solve_mip"]

Progress = Callable[[str, float], None]


@dataclass
class MipOutcome:
    assignment: dict[str, str]
    unassigned: list[str]
    optimal: bool
    gap: float
    objective: float
    bound: float
    infeasible: bool = False
    stages: list[str] = field(default_factory=list)


@dataclass
class _Built:
    model: Model
    type_members: list[list[str]]
    x_cols: list[tuple[int, int, str, int]]  # col, type, project, effective rank
    f_cols: dict[int, int]  # type -> col
    u_cols: list[tuple[int, int]]  # col, type
    group_types: dict[int, list[int]]  # group -> types
    z_cols: list[tuple[int, int, str]]  # col, group, project
    sx_cols: list[tuple[int, str, str, int]]  # col, student, project, effective rank
    su_cols: list[tuple[int, str]]  # col, student
    int_cols: list[int]
    fallback_rank: int
    level_cols: dict[int, list[int]]  # effective rank -> columns placing one student at it


def _class_key(
    problem: Problem, sid: str, langs: list[str]
) -> tuple[tuple[str | None, ...], tuple[str, ...]]:
    s = problem.student(sid)
    return (
        tuple(s.attributes.get(a) for a in problem.rules.no_isolation),
        tuple(lang for lang in langs if lang in s.languages),
    )


def _cost(rank: int) -> float:
    return float(rank * rank)


def build(problem: Problem) -> _Built:
    """Build the aggregated model (documented in the module docstring)."""
    rules = problem.rules
    fb = rules.fallback_rank
    fb_eff = fb if fb is not None else problem.max_rank + 1
    langs = sorted({lang for p in problem.projects for lang in p.requires_languages})
    special: set[str] = set(rules.locked)
    for grp in rules.together:
        special.update(grp)
    for a, b in rules.apart:
        special.update((a, b))

    m = Model()
    classes: dict[tuple[tuple[str | None, ...], tuple[str, ...]], int] = {}
    class_keys: list[tuple[tuple[str | None, ...], tuple[str, ...]]] = []

    def cls(sid: str) -> int:
        k = _class_key(problem, sid, langs)
        if k not in classes:
            classes[k] = len(class_keys)
            class_keys.append(k)
        return classes[k]

    # reach[p][c] = how many students of class c could end up in p (bounds the count variable)
    reach: dict[str, dict[int, int]] = {p.id: defaultdict(int) for p in problem.projects}
    level_cols: dict[int, list[int]] = defaultdict(list)

    def loc_key(sid: str) -> str | None:
        return problem.student(sid).locality if rules.same_locality else None

    def loc_projects(key: str | None) -> list[str]:
        if key is None:
            return [p.id for p in problem.projects]
        return [p.id for p in problem.projects if p.locality is None or p.locality == key]

    # --- ordinary students, aggregated into types
    types: dict[tuple[object, ...], int] = {}
    type_members: list[list[str]] = []
    type_allowed: list[list[tuple[str, int]]] = []
    type_class: list[int] = []
    type_group: list[tuple[str | None, int]] = []
    for s in problem.students:
        if s.id in special:
            continue
        allowed = [
            (p, i + 1 if fb is None else min(i + 1, fb))
            for i, p in enumerate(s.preferences)
            if problem.locality_allows(s.id, p)
        ]
        c = cls(s.id)
        gk = (loc_key(s.id), c)
        key = (tuple(allowed), c, gk)
        t = types.get(key)
        if t is None:
            t = types[key] = len(type_members)
            type_members.append([])
            type_allowed.append(allowed)
            type_class.append(c)
            type_group.append(gk)
        type_members[t].append(s.id)

    x_cols: list[tuple[int, int, str, int]] = []
    f_cols: dict[int, int] = {}
    u_cols: list[tuple[int, int]] = []
    groups: dict[tuple[str | None, int], int] = {}
    group_types: dict[int, list[int]] = defaultdict(list)
    for t, members in enumerate(type_members):
        size = float(len(members))
        row = ("type", t)
        m.row(row, size, size)
        c = type_class[t]
        for pid, rank in type_allowed[t]:
            j = m.col(_cost(rank), 0.0, size, False, [(row, 1.0), (("link", pid, c), 1.0)])
            x_cols.append((j, t, pid, rank))
            level_cols[rank].append(j)
            reach[pid][c] += len(members)
        if fb is not None:
            gkey = type_group[t]
            if gkey not in groups:
                groups[gkey] = len(groups)
            gi = groups[gkey]
            f_cols[t] = m.col(0.0, 0.0, size, False, [(row, 1.0), (("group", gi), 1.0)])
            group_types[gi].append(t)
        u_cols.append((m.col(0.0, 0.0, size, False, [(row, 1.0), (("unassigned",), 1.0)]), t))

    z_cols: list[tuple[int, int, str]] = []
    for (lk, c), gi in groups.items():
        m.set_row_bounds(("group", gi), 0.0, 0.0)
        gsize = sum(len(type_members[t]) for t in group_types[gi])
        for pid in loc_projects(lk):
            j = m.col(
                _cost(fb_eff), 0.0, float(gsize), False, [(("group", gi), -1.0), (("link", pid, c), 1.0)]
            )
            z_cols.append((j, gi, pid))
            level_cols[fb_eff].append(j)
            reach[pid][c] += gsize
    # --- special students: one binary per allowed project
    sx_cols: list[tuple[int, str, str, int]] = []
    su_cols: list[tuple[int, str]] = []
    scol: dict[tuple[str, str], int] = {}
    ucol: dict[str, int] = {}
    int_cols: list[int] = []
    for s in problem.students:
        if s.id not in special:
            continue
        srow = ("student", s.id)
        m.row(srow, 1.0, 1.0)
        c = cls(s.id)
        lock = rules.locked.get(s.id)
        options: list[tuple[str, int]] = []
        for p in problem.projects:
            if lock is not None and p.id != lock:
                continue
            if not problem.locality_allows(s.id, p.id):
                continue
            r = problem.rank(s.id, p.id)
            if r is None and fb is None and lock is None:
                continue
            options.append((p.id, fb_eff if r is None else (r if fb is None else min(r, fb))))
        for pid, rank in options:
            j = m.col(_cost(rank), 0.0, 1.0, True, [(srow, 1.0), (("link", pid, c), 1.0)])
            sx_cols.append((j, s.id, pid, rank))
            scol[(s.id, pid)] = j
            int_cols.append(j)
            reach[pid][c] += 1
            if lock is None:
                level_cols[rank].append(j)
        hi_u = 0.0 if lock is not None else 1.0
        ucol[s.id] = m.col(0.0, 0.0, hi_u, True, [(srow, 1.0), (("unassigned",), 1.0)])
        su_cols.append((ucol[s.id], s.id))
        int_cols.append(ucol[s.id])
    for group in rules.together:
        first = group[0]
        for other in group[1:]:
            for p in problem.projects:
                ja, jb = scol.get((first, p.id)), scol.get((other, p.id))
                pair = [(j, coef) for j, coef in ((ja, 1.0), (jb, -1.0)) if j is not None]
                if pair:
                    m.add_row(pair, 0.0, 0.0)
            m.add_row([(ucol[first], 1.0), (ucol[other], -1.0)], 0.0, 0.0)
    for sa, sb in rules.apart:
        for p in problem.projects:
            ja, jb = scol.get((sa, p.id)), scol.get((sb, p.id))
            if ja is not None and jb is not None:
                m.add_row([(ja, 1.0), (jb, 1.0)], -INF, 1.0)
    m.row(("unassigned",), 0.0, INF)

    # --- per project: class counts and the side rules on them
    partner_rows: dict[str, list[int]] = defaultdict(list)
    for p in problem.projects:
        counts: dict[int, int] = {}
        for c, k in sorted(reach[p.id].items()):
            if k <= 0:
                continue
            hi = float(min(p.max, k))
            j = m.col(0.0, 0.0, hi, True, [(("link", p.id, c), -1.0)])
            m.set_row_bounds(("link", p.id, c), 0.0, 0.0)
            counts[c] = j
            int_cols.append(j)
        partner_rows[p.partner].extend(counts.values())
        total = [(j, 1.0) for j in counts.values()]
        can_be_empty = p.may_close or p.min == 0
        open_col: int | None = None
        if not can_be_empty:
            m.add_row(total, float(p.min), float(p.max))
        elif p.requires_languages or p.min > 1 or rules.no_isolation:
            open_col = m.col(0.0, 0.0, 1.0, True)
            int_cols.append(open_col)
            m.add_row([*total, (open_col, -float(p.max))], -INF, 0.0)
            m.add_row([*total, (open_col, -float(max(p.min, 1)))], 0.0, INF)
        else:
            m.add_row(total, 0.0, float(p.max))
        for lang, k in sorted(p.requires_languages.items()):
            speakers = [(j, 1.0) for c, j in counts.items() if lang in class_keys[c][1]]
            if open_col is None:
                m.add_row(speakers, float(k), INF)
            else:
                m.add_row([*speakers, (open_col, -float(k))], 0.0, INF)
        for ai, _attr in enumerate(rules.no_isolation):
            by_value: dict[str, list[int]] = defaultdict(list)
            for c, j in counts.items():
                v = class_keys[c][0][ai]
                if v is not None:
                    by_value[v].append(j)
            for v in sorted(by_value):
                vcols = [(j, 1.0) for j in by_value[v]]
                potential = sum(reach[p.id][c] for c in counts if class_keys[c][0][ai] == v)
                if potential < 2:
                    m.add_row(vcols, 0.0, 0.0)
                    continue
                y = m.col(0.0, 0.0, 1.0, True)
                int_cols.append(y)
                m.add_row([*vcols, (y, -2.0)], 0.0, INF)
                m.add_row([*vcols, (y, -float(min(p.max, potential)))], -INF, 0.0)
    for cpart in problem.partners:
        cols = partner_rows.get(cpart.id, [])
        if cpart.capacity is not None and cols:
            m.add_row([(j, 1.0) for j in cols], -INF, float(cpart.capacity))
    return _Built(
        m,
        type_members,
        x_cols,
        f_cols,
        u_cols,
        dict(group_types),
        z_cols,
        sx_cols,
        su_cols,
        int_cols,
        fb_eff,
        dict(level_cols),
    )


def _extract(problem: Problem, b: _Built, v: npt.NDArray[np.float64]) -> tuple[dict[str, str], list[str]]:
    """Read an integral assignment off the (polished) column values, in input order."""
    assignment: dict[str, str] = {}
    queue = {t: list(members) for t, members in enumerate(b.type_members)}
    pos = dict.fromkeys(queue, 0)
    for j, t, pid, _r in b.x_cols:
        k = round(v[j])
        for sid in queue[t][pos[t] : pos[t] + k]:
            assignment[sid] = pid
        pos[t] += k
    pool: dict[int, list[str]] = defaultdict(list)
    for t, j in b.f_cols.items():
        k = round(v[j])
        for gi, ts in b.group_types.items():
            if t in ts:
                pool[gi].extend(queue[t][pos[t] : pos[t] + k])
        pos[t] += k
    gpos: dict[int, int] = defaultdict(int)
    for j, gi, pid in b.z_cols:
        k = round(v[j])
        for sid in pool[gi][gpos[gi] : gpos[gi] + k]:
            assignment[sid] = pid
        gpos[gi] += k
    for j, sid, pid, _r in b.sx_cols:
        if v[j] > 0.5:
            assignment[sid] = pid
    unassigned = [s.id for s in problem.students if s.id not in assignment]
    return assignment, unassigned


def _polish(
    b: _Built, res: Result, cost: npt.NDArray[np.float64], time_limit: float
) -> npt.NDArray[np.float64]:
    """Fix the integer columns and re-solve the (totally unimodular) rest by simplex: a basic solution
    is integral. Falls back to a MIP with every column integer if numerics leave a fraction."""
    if res.values is None:
        raise RuntimeError("polish called without a solution")
    lo = np.asarray(b.model.lower, dtype=np.float64).copy()
    hi = np.asarray(b.model.upper, dtype=np.float64).copy()
    ints = np.asarray(b.int_cols, dtype=np.int64)
    fixed = np.round(res.values[ints])
    lo[ints] = fixed
    hi[ints] = fixed
    lp = b.model.solve(cost=cost, lower=lo, upper=hi, integer=False, time_limit=time_limit)
    vals = lp.values
    if vals is not None and np.all(np.abs(vals - np.round(vals)) < 1e-6):
        return vals
    saved = list(b.model.integer)
    b.model.integer = [1] * b.model.num_cols
    try:
        full = b.model.solve(cost=cost, lower=lo, upper=hi, integer=True, time_limit=time_limit)
    finally:
        b.model.integer = saved
    return full.values if full.values is not None else res.values


def solve_mip(
    problem: Problem,
    *,
    time_limit: float = 30.0,
    mip_gap: float = 0.0,
    progress: Progress | None = None,
) -> MipOutcome:
    """Solve the rank_cost / greedy / generous objective (unassigned first), see module docstring."""
    t0 = time.perf_counter()

    def left() -> float:
        return max(time_limit - (time.perf_counter() - t0), 0.05)

    def report(msg: str) -> None:
        if progress is not None:
            progress(msg, min(1.0, (time.perf_counter() - t0) / max(time_limit, 1e-9)))

    b = build(problem)
    m = b.model
    report(f"model built: {m.num_cols} columns, {len(m.row_lower)} rows, {len(b.int_cols)} integer")
    n_cols = m.num_cols
    rank_cost = np.asarray(m.cost, dtype=np.float64)
    u_idx = [j for j, _ in b.u_cols] + [j for j, _ in b.su_cols]
    unassigned_cost = np.zeros(n_cols)
    unassigned_cost[u_idx] = 1.0
    stages: list[str] = []
    optimal = True
    gaps: list[float] = []

    # Stage 0: can everyone be placed? Try the real objective with "unassigned <= 0" first.
    objective = problem.rules.objective
    first_cost = rank_cost
    m.set_row_bounds(("unassigned",), 0.0, 0.0)
    # For greedy/generous this first solve only supplies a start for the stages: a loose gap will do.
    first_gap = mip_gap if objective == "rank_cost" else max(mip_gap, 0.05)
    res = m.solve(cost=first_cost, time_limit=left(), mip_gap=first_gap)
    stages.append(f"everyone placed: {res.status} ({res.seconds:.2f}s)")
    report(stages[-1])
    if res.status in ("infeasible", "unknown"):
        m.set_row_bounds(("unassigned",), 0.0, INF)
        r1 = m.solve(cost=unassigned_cost, time_limit=left(), mip_gap=0.0)
        stages.append(f"minimise unassigned: {r1.status} ({r1.seconds:.2f}s)")
        report(stages[-1])
        if r1.status == "infeasible":
            return MipOutcome({}, [s.id for s in problem.students], False, float("inf"), 0, 0, True, stages)
        if r1.status == "unknown" or r1.values is None:
            return MipOutcome({}, [s.id for s in problem.students], False, float("inf"), 0, 0, False, stages)
        optimal = optimal and r1.status == "optimal"
        best_u = float(round(r1.objective))
        m.set_row_bounds(("unassigned",), 0.0, best_u)
        res = m.solve(cost=first_cost, time_limit=left(), mip_gap=first_gap, start=r1.values)
        stages.append(f"rank objective with {best_u:.0f} unassigned: {res.status} ({res.seconds:.2f}s)")
        report(stages[-1])
        if res.values is None:
            res = r1
    if objective == "rank_cost":
        optimal = optimal and res.status == "optimal"
        gaps.append(res.gap)
    final_cost = rank_cost
    if objective in ("greedy", "generous") and res.values is not None:
        levels = sorted(b.level_cols)
        thresholds = levels[1:] if objective == "greedy" else list(reversed(levels[1:]))
        start = res.values
        for k in thresholds:
            cols = sorted({j for r, js in b.level_cols.items() if r >= k for j in js})
            stage_cost = np.zeros(n_cols)
            stage_cost[cols] = 1.0
            r = m.solve(cost=stage_cost, time_limit=left(), mip_gap=mip_gap, start=start)
            stages.append(f"{objective}: minimise count at rank >= {k}: {r.status} ({r.seconds:.2f}s)")
            report(stages[-1])
            if r.values is None:
                optimal = False
                break
            optimal = optimal and r.status == "optimal"
            gaps.append(r.gap)
            best = float(np.round(np.sum(r.values[cols])))
            m.add_row([(j, 1.0) for j in cols], -INF, best)
            start, res = r.values, r
        final_cost = rank_cost
    if res.values is None:  # pragma: no cover - every path above leaves a solution here
        raise RuntimeError("no solution to read")
    values = _polish(b, res, final_cost, left())
    assignment, unassigned = _extract(problem, b, values)
    obj = float(np.dot(rank_cost, values))
    bound = res.bound if objective == "rank_cost" else float("nan")
    return MipOutcome(assignment, unassigned, optimal, max(gaps) if gaps else 0.0, obj, bound, False, stages)
