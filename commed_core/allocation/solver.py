"""``solve``: dispatch to the stable matcher or the MILP, then report (stats, reasons, explanations)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping

from .check import MoveContext, check, compute_stats, effective_rank, members_by_project
from .mip import solve_mip
from .problem import Problem
from .solution import InfeasibleError, Solution
from .stable import spa_student

__all__ = ["solve"]

Progress = Callable[[str, float], None]


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def solve(
    problem: Problem,
    *,
    time_limit: float = 30.0,
    mip_gap: float = 0.0,
    progress: Progress | None = None,
) -> Solution:
    """Allocate students to projects with the objective in ``problem.rules.objective``.

    Optimising modes minimise the number of unassigned students first, then the objective; the result
    is deterministic for a given input (fixed order, seed 0, one thread) unless the time limit stops
    the search early (then ``optimal`` is False and ``gap`` says how far the bound is). ``stable``
    returns the student-optimal stable matching; rules it cannot honour appear in ``warnings``.
    Raises :class:`InfeasibleError` (with conflicts from :func:`explain_infeasible`) when the hard
    rules cannot be met by any allocation.
    """
    t0 = time.perf_counter()
    objective = problem.rules.objective
    warnings: list[str] = []
    if objective == "stable":
        assignment, reasons = spa_student(problem)
        optimal, gap, obj, bound = True, 0.0, math.nan, math.nan
        warnings = [f"{v.rule}: {v.message}" for v in check(problem, assignment)]
    else:
        out = solve_mip(problem, time_limit=time_limit, mip_gap=mip_gap, progress=progress)
        if out.infeasible:
            from .infeasible import explain_infeasible

            raise InfeasibleError(explain_infeasible(problem, time_limit=max(5.0, time_limit / 2)))
        if not out.assignment and out.unassigned and not out.optimal:
            warnings.append("no allocation found within the time limit; increase time_limit")
        assignment = out.assignment
        placed = members_by_project(problem, assignment)
        reasons = {sid: _unassigned_reason(problem, sid, assignment, placed) for sid in out.unassigned}
        optimal, gap, obj, bound = out.optimal, out.gap, out.objective, out.bound
    profile, stats = compute_stats(problem, assignment)
    explanations = explain_choices(problem, assignment, reasons, optimal, stable=objective == "stable")
    members = members_by_project(problem, assignment)
    closed = [p.id for p in problem.projects if not members[p.id]]
    full_stats: dict[str, object] = dict(stats)
    full_stats["objective_value"] = None if math.isnan(obj) else obj
    full_stats["bound"] = None if math.isnan(bound) or math.isinf(bound) else bound
    full_stats["time_seconds"] = round(time.perf_counter() - t0, 4)
    return Solution(
        assignment=dict(sorted(assignment.items(), key=lambda kv: problem.student_index[kv[0]])),
        unassigned=reasons,
        closed=closed,
        profile=profile,
        stats=full_stats,
        optimal=optimal,
        gap=0.0 if optimal else (gap if math.isfinite(gap) else 1.0),
        explanations=explanations,
        warnings=warnings,
        objective=objective,
    )


def _unassigned_reason(
    problem: Problem, sid: str, assignment: Mapping[str, str], members: Mapping[str, list[str]] | None = None
) -> str:
    s = problem.student(sid)
    allowed = [p for p in s.preferences if problem.locality_allows(sid, p)]
    blocked: list[str] = []
    for g in problem.rules.together:
        if sid in g:
            blocked.append(f"must be together with {', '.join(m for m in g if m != sid)}")
    for a, b in problem.rules.apart:
        if sid in (a, b):
            blocked.append(f"must be apart from {b if sid == a else a}")
    if not s.preferences:
        why = "ranked no project"
    elif not allowed:
        why = f"none of their {len(s.preferences)} ranked projects is in their locality ({s.locality})"
    else:
        if members is None:
            members = members_by_project(problem, assignment)
        parts = []
        for p in allowed:
            proj = problem.project(p)
            n = len(members[p])
            parts.append(f"{p} ({'closed' if n == 0 else f'{n}/{proj.max}'})")
        why = "no ranked project could take them without breaking a rule: " + ", ".join(parts)
    if blocked:
        why += "; they " + " and ".join(blocked)
    if problem.rules.fallback_rank is None:
        why += " (placement in unranked projects is off: rules.fallback_rank is not set)"
    else:
        why += "; no other project in their locality had room within the rules"
    return why


def explain_choices(
    problem: Problem,
    assignment: Mapping[str, str],
    unassigned: Mapping[str, str],
    optimal: bool,
    *,
    stable: bool = False,
) -> dict[str, str]:
    """For each student not on their 1st choice: why not each better-ranked project, in words."""
    ctx = MoveContext(problem, assignment)
    out: dict[str, str] = {}
    for s in problem.students:
        cur = assignment.get(s.id)
        if cur is None:
            if s.id in unassigned:
                out[s.id] = "unassigned: " + unassigned[s.id]
            continue
        r = effective_rank(problem, s.id, cur)
        rr = problem.rank(s.id, cur)
        if rr == 1:
            continue
        limit = (rr - 1) if rr is not None else len(s.preferences)
        if problem.rules.locked.get(s.id) == cur:
            out[s.id] = f"locked to {cur} (rules.locked)"
            continue
        parts = []
        for i, q in enumerate(s.preferences[:limit]):
            parts.append(
                f"{_ordinal(i + 1)} choice {q}: {_why_not(problem, ctx, s.id, q, i + 1, optimal, stable)}"
            )
        head = (
            f"on their {_ordinal(rr)} choice"
            if rr is not None
            else f"placed in unranked {cur} (fallback rank {r})"
        )
        out[s.id] = head + "; " + "; ".join(parts) if parts else head
    return out


def _why_not(
    problem: Problem, ctx: MoveContext, sid: str, q: str, rank_q: int, optimal: bool, stable: bool
) -> str:
    proj = problem.project(q)
    if not problem.locality_allows(sid, q):
        return (
            f"it is in locality {proj.locality}, they are in {problem.student(sid).locality} "
            "(rule same_locality)"
        )
    members = ctx.members[q]
    if not members:
        return f"it closed (opening it needs at least {max(proj.min, 1)} students that fit its rules)"
    if stable:
        if len(members) >= proj.max:
            return f"full ({len(members)}/{proj.max}) with students partner {proj.partner} ranks higher"
        return f"partner {proj.partner} is full with students it ranks higher"
    if len(members) >= proj.max:
        higher = all(
            (problem.rank(m, q) or 10**6) <= rank_q or problem.rules.locked.get(m) == q for m in members
        )
        if higher:
            return f"full ({len(members)}/{proj.max}) with students who ranked it as high or higher"
        return (
            f"full ({len(members)}/{proj.max}); giving them a place there would push someone else to a "
            "worse choice overall or break a rule"
        )
    cap = problem.partner(proj.partner).capacity
    if cap is not None and ctx.load[proj.partner] >= cap:
        return f"its partner {proj.partner} is at capacity ({cap})"
    move = ctx.move(sid, q)
    if move.new_violations:
        rules = ", ".join(dict.fromkeys(v.rule for v in move.new_violations))
        return f"moving there would break {rules}: " + "; ".join(v.message for v in move.new_violations[:2])
    if optimal:
        return "moving there alone breaks no rule but would make the overall allocation worse"
    return "not found before the time limit (the solution is not proven optimal)"
