"""The optimising modes (rank_cost, first_choice, greedy, generous): an aggregated MILP solved by HiGHS.

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

The counts of a project need not even be integer when its rows split the classes in at most one way
(one no-isolation attribute, or one required language, not both): with the binaries fixed, the rows
type -> (p, class) -> (p, value) -> p -> partner form a laminar family, i.e. a network flow, integral
by itself. Only projects with two crossing splits (isolation and a language, or two attributes) keep
integer counts.

Strengthening. The aggregated rows alone give a weak LP (a lone student can "half-open" a project,
two students each half in a project make a minority of one): for every flow of at most k students
into p, ``x <= k * open_p`` and ``x <= k * y[p,v]`` (its class's value v) are valid. There is one per
flow, so they are added by a cutting-plane loop on the LP (``Model.separate``) only where the LP
breaks them -- about a fifth of them on the benchmark instances, with the same LP bound. Then the
*seat cuts* (``seat_cuts``): a value present in p takes two seats, so any max_p - 1 seats' worth of
students of other values plus ``y[p,v]`` is at most max_p - 1; they go into the LP only (its bound
and the rounding), not into the MIP; on parts of more than ``LARGE_PART_STUDENTS`` students the loop
gets a smaller share of the time (``SEPARATION_SHARE_LARGE``), for the sub-MIP's sake.

Integral objective. Every objective here (sums of integer rank costs, counts of students) is an integer at every
optimum (by the total unimodularity above), so HiGHS stops as soon as the incumbent is within
``INT_GAP`` (< 1) of the bound: that incumbent is optimal.

Independent parts (``_components``): students, projects and partners that share no edge (a ranked
or reachable project, a partner, a together/apart/lock rule) are solved separately, side by side on
threads (HiGHS releases the GIL); a lexicographic minimum of a sum over independent parts is the sum
of the parts' minima.

Heuristic start: a rule-respecting greedy allocation (``_greedy``) and a rounding of the LP
(``_round_lp``: open/values fixed from the LP, improved by ``_flip_search`` on large parts, the rest
re-solved), the better given to HiGHS as its first incumbent, and returned (polished) if HiGHS finds
nothing better within the time limit. Parts of up to ``PROOF_MODE_STUDENTS`` are solved with
``PROOF_OPTIONS``, from a start first improved by sub-MIPs over the decisions where it and the LP disagree
(``_rins``: HiGHS's proof is shorter from a better incumbent): one on parts of up to ``ROUNDS_STUDENTS``,
rounds of them on larger parts. On parts of more than ``LARGE_PART_STUDENTS``, where HiGHS does not get
past the full model's root in time, those rounds make the answer; a start that leaves students out goes
through them too, each student left out costing more than any placement of everyone, and a last sub-MIP
frees the decisions that could place the few still left out. Before a proof from a start that places
everyone, the separation LP's reduced costs fix or bound the flows no allocation at least as good as the
start can use (``_reduced_cost_bounds``). On large parts the bound reported is the partner bound
(``_partner_bound``: a Lagrangian relaxation, one problem per partner), from the LP's duals raised by a
subgradient ascent (``Ascent``), and the groups that reach it (each partner's, within its capacity and
every group rule) guide the sub-MIPs after the first round: over the decisions where the allocation and
those groups differ, at the best prices found so far, with more steps of the ascent after each round.
On parts of ``ROUNDS_STUDENTS`` to ``PROOF_MODE_STUDENTS`` (for the rank cost) the ascent runs after each
round too: a bound within 1 of the start ends the search; before the proof the bound's Lagrangian fixing
(``PartnerLagrangian.fixings``) fixes the open and value decisions no allocation better than the start
can change, in place of the reduced costs' bounds, and where the bound is tight a sub-MIP at its level may
find an allocation it proves optimal. Between the two, rounds of sub-MIPs free the decisions the bound would
change most cheaply (``_bound_round``: where the LP is sure and wrong, which the LP's rounds never free).

Non-ranked placement (``fallback_rank``) goes through one aggregated node per (locality, class): a
type sends ``f[t]`` students to its node, the node sends ``z[p,g]`` to any project of its locality,
at the fallback cost -- still a network, so still integral. Students in together/apart pairs and
locked students are *special*: their own binary columns, with explicit pair rows.

Lexicographic objectives are sequential solves: unassigned is minimised first (skipped when a solve
with everyone placed succeeds; otherwise, on parts HiGHS proves, one solve of ``weight * unassigned + rank
cost`` gives the fewest left out and the cheapest allocation leaving that many out); ``greedy`` then
lexicographically minimises the number of students at rank >= 2, >= 3, ..., which is the same as
maximising 1st choices, then 2nd, ...; ``generous`` does the same from the worst rank down (minimise
the count at the maximum rank, then at the next, ...), which minimises the maximum rank first. Each
stage fixes the previous optimum (or best count found) as a constraint, and gets an equal share of the
time left for the stages still to come, so that one hard count cannot leave the later stages without
time. A stage's objective is ``weight * count + rank cost`` (the weight above any allocation's rank
cost): the count alone is so degenerate that HiGHS's search wanders; it stops once the count is proven
minimal (``_count_stage_gap``).
"""

from __future__ import annotations

import math
import os
import queue
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from ._greedy import greedy_allocation
from ._highs import INF, Cut, Model, Result
from ._partner_bound import Ascent, Fixings, Forced, PartnerLagrangian, PartnerSolution
from .problem import COST_OBJECTIVES, Problem

__all__ = ["MipOutcome", "solve_mip"]

Progress = Callable[[str, float], None]
# A seat cut's candidates for one project value: (y column, open column or None, max - 1, the flows of
# students of other values into the project as (column, most students it carries)); see ``seat_cuts``.
SeatGroup = tuple[int, int | None, int, list[tuple[int, float]]]

# Every objective here (rank costs rank**2, counts of students) takes integer values at every
# optimum: once the class counts are integral, the rest is a totally unimodular network (see above).
# So a solution within 0.999 of the bound is optimal, and HiGHS may stop there (mip_abs_gap).
INT_GAP = 0.999
POLISH_SECONDS = 10.0  # the polish LP may run past the time limit by up to this
SEPARATION_SHARE = 0.5  # most of the time limit the cutting-plane LP loop may use
# The same on parts of more than LARGE_PART_STUDENTS students. N = 10,000, 30 s, seeds 1-3 twice each, with
# the partner bound's ascent: gap 0.10-0.29% at 0.1, 0.09-2.4% at 0.2 (the later stages' time is what varies).
SEPARATION_SHARE_LARGE = 0.1
# Most of what is left after it that the rounding's local search may use. On parts HiGHS then proves
# (1,500 students at N = 3,000) the search's seconds come out of the proof: at 0.4 the search took 4.6 s
# of the larger part's 19.8 s; at 0.05, seeds 1-3: 20.1 -> 17.6 s, and seeds 2 and 3 proven optimal in
# 26 s where 0.4 left 0.04% and 0.06% at 27 s (measured before the sub-MIP rounds ran there). Since the
# sub-MIP rounds run there, the search's local optimum matters less than its seconds: whole solve, N = 3,000,
# seeds 1-8, in all 104.7 s at 0.05 -> 89.9 s at 0.01 (92.7 s at 0, 90.6 s at 0.02), seed 2 proven where 0.05
# left 0.07%; with the partner bound's rounds (BOUND_FREE_FIRST) 89.3 -> 79.6 s.
SEARCH_SHARE = 0.01
SEARCH_SHARE_LARGE = 0.3  # the same on parts of more than LARGE_PART_STUDENTS students
LARGE_PART_STUDENTS = 3000
FIRST_TRY_SHARE = 0.3  # of the time left, for "everyone placed" when the start leaves someone out
# Proof mode. On a part of up to PROOF_MODE_STUDENTS students the start is good enough that HiGHS's
# root sub-MIP heuristics (RINS, RENS, root reduced-cost fixing) only delay the proof: measured on the
# benchmark instances they took 7.5 of the 9.5 s that N = 1,000 needed; with them off, and pseudo-costs
# trusted from the first branching instead of strong branching (pscost_minreliable 0), the same
# optimum is proven in ~2 s. On larger parts, from the rounding alone, the heuristics are what finds good
# allocations (at N = 3,000, 30 s: gap 0.22% with them, 2.9% without); from the start the sub-MIP rounds
# give (ROUNDS_STUDENTS) they only delay the proof again. Above LARGE_PART_STUDENTS HiGHS does not get
# past its root within the limit whatever its options: defaults there. bench/RESULTS.md.
PROOF_MODE_STUDENTS = 3000
# On parts of more than ROUNDS_STUDENTS (and up to PROOF_MODE_STUDENTS: the 1,500-student parts of N = 3,000)
# HiGHS's proof, with PROOF_OPTIONS, is shorter from a start first improved by the flip search and by rounds
# of sub-MIPs (as on large parts) than from the rounding with HiGHS's own root heuristics on: given the
# optimum as its start, the larger part of seed 1 is proven in 9.2 s with PROOF_OPTIONS and in 24 s with
# HiGHS's defaults. Whole solve, N = 3,000, 30 s, seeds 1-4: 24.1, 27.2 (gap 0.110%), 27.2 (0.120%),
# 15.9 s -> 16.0, 27.2 (0.060%), 27.2 (0.093%), 12.4 s (commed_core/allocation/README.md, item 12). Up to
# ROUNDS_STUDENTS one sub-MIP round is enough (a second one was slower there) and no flip search.
ROUNDS_STUDENTS = 1000
MAX_WORKERS = 4  # parts solved side by side (one HiGHS thread each)
RESUME_MIN_SECONDS_LARGE = 10.0  # the same for a part of more than LARGE_PART_STUDENTS students
RESUME_MIN_SECONDS = 3.0  # time left over by parts that finished early is given to the others if at least this
PROOF_OPTIONS: dict[str, float | int | bool | str] = {
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "mip_heuristic_run_root_reduced_cost": False,
    "mip_pscost_minreliable": 0,
    "mip_detect_symmetry": False,  # every student ranks differently: no symmetry worth the search
    # A good start lets HiGHS fix columns by reduced cost and restart its root (presolve, cuts) once or
    # twice, which costs more than it saves on these small models: N = 300, seeds 1-4, 1.93 -> 1.36,
    # 1.08 -> 0.90, 1.75 -> 0.77, 0.36 -> 0.30 s; neutral at 1,000 and 3,000 (bench/RESULTS.md).
    "mip_allow_restart": False,
}


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
    vubs: list[tuple[int, int, float]]  # candidate rows col <= cap * binary (see build)
    # to write an allocation as column values (a MIP start): student -> type, type -> class and
    # fallback group, (project, class) -> count column, project -> open column, (project, attribute
    # index, value) -> y column
    student_type: dict[str, int] = field(default_factory=dict)
    type_class: list[int] = field(default_factory=list)
    type_gi: dict[int, int] = field(default_factory=dict)
    count_col: dict[tuple[str, int], int] = field(default_factory=dict)
    open_of: dict[str, int] = field(default_factory=dict)
    y_of: dict[tuple[str, int, str], int] = field(default_factory=dict)
    class_keys: list[tuple[tuple[str | None, ...], tuple[str, ...]]] = field(default_factory=list)
    seat_groups: list[SeatGroup] = field(default_factory=list)  # one per project value (see ``seat_cuts``)


def _class_key(
    problem: Problem, sid: str, langs: list[str]
) -> tuple[tuple[str | None, ...], tuple[str, ...]]:
    s = problem.student(sid)
    return (
        tuple(s.attributes.get(a) for a in problem.rules.no_isolation),
        tuple(lang for lang in langs if lang in s.languages),
    )


def build(problem: Problem, fb_eff: int | None = None) -> _Built:
    """Build the aggregated model (documented in the module docstring). ``fb_eff`` overrides the rank
    charged for a non-ranked placement (a part of a problem charges what the whole problem would)."""
    rules = problem.rules
    fb = rules.fallback_rank
    if fb_eff is None:
        fb_eff = fb if fb is not None else problem.max_rank + 1
    langs = sorted({lang for p in problem.projects for lang in p.requires_languages})

    def _cost(rank: int) -> float:
        return float(rules.cost_of(rank))

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
    # inflow[p] = (column, class, most students it can carry) for every flow into p (strengthening rows)
    inflow: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
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
    type_gi: dict[int, int] = {}
    count_col: dict[tuple[str, int], int] = {}
    open_of: dict[str, int] = {}
    y_of: dict[tuple[str, int, str], int] = {}
    group_types: dict[int, list[int]] = defaultdict(list)
    for t, members in enumerate(type_members):
        size = float(len(members))
        row = ("type", t)
        m.row(row, size, size)
        c = type_class[t]
        for pid, rank in type_allowed[t]:
            j = m.col(_cost(rank), 0.0, size, False, [(row, 1.0), (("link", pid, c), 1.0)])
            x_cols.append((j, t, pid, rank))
            inflow[pid].append((j, c, len(members)))
            level_cols[rank].append(j)
            reach[pid][c] += len(members)
        if fb is not None:
            gkey = type_group[t]
            if gkey not in groups:
                groups[gkey] = len(groups)
            gi = groups[gkey]
            type_gi[t] = gi
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
            inflow[pid].append((j, c, gsize))
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
            inflow[pid].append((j, c, 1))
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
    vubs: list[tuple[int, int, float]] = []
    seat_groups: list[SeatGroup] = []
    for p in problem.projects:
        counts: dict[int, int] = {}
        # With at most one way of splitting p's classes (one no-isolation attribute, or one required
        # language), the rows on p's counts form a laminar family: once the binaries are fixed, the
        # flow through p is a network flow and integral without integer counts (see module docstring).
        exact_counts = len(rules.no_isolation) + len(p.requires_languages) > 1
        for c, k in sorted(reach[p.id].items()):
            if k <= 0:
                continue
            hi = float(min(p.max, k))
            j = m.col(0.0, 0.0, hi, exact_counts, [(("link", p.id, c), -1.0)])
            m.set_row_bounds(("link", p.id, c), 0.0, 0.0)
            counts[c] = j
            count_col[(p.id, c)] = j
            if exact_counts:
                int_cols.append(j)
        partner_rows[p.partner].extend(counts.values())
        total = [(j, 1.0) for j in counts.values()]
        can_be_empty = p.may_close or p.min == 0
        open_col: int | None = None
        if not can_be_empty:
            m.add_row(total, float(p.min), float(p.max))
        elif p.requires_languages or p.min > 1 or rules.no_isolation:
            open_col = m.col(0.0, 0.0, 1.0, True)
            open_of[p.id] = open_col
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
        value_y: dict[tuple[int, str], tuple[int, int]] = {}
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
                hi_v = min(p.max, potential)
                m.add_row([*vcols, (y, -2.0)], 0.0, INF)
                m.add_row([*vcols, (y, -float(hi_v))], -INF, 0.0)
                if open_col is not None:
                    m.add_row([(y, 1.0), (open_col, -1.0)], -INF, 0.0)  # a value present => open
                value_y[(ai, v)] = (y, hi_v)
                y_of[(p.id, ai, v)] = y
        # Disaggregated bounds (the "strong" facility-location form): a flow of at most k students into
        # p is <= k * open_p and <= k * y[p,v] for its class's value v. Implied by the aggregated rows
        # for integral points, but they cut the LP down to near the integer optimum: a lone student can
        # no longer half-open a project or half-justify an isolated minority. There is one per flow,
        # so they are candidates, added by ``_separate`` only where the LP breaks them.
        for j, c, k in inflow[p.id]:
            cap = float(min(k, p.max))
            strong = False
            for ai in range(len(rules.no_isolation)):
                v = class_keys[c][0][ai]
                yv = value_y.get((ai, v)) if v is not None else None
                if yv is not None and cap < yv[1]:
                    vubs.append((j, yv[0], cap))
                    strong = True
            if open_col is not None and not strong and cap < p.max:
                vubs.append((j, open_col, cap))
        for (ai, v), (y, _hi) in value_y.items():
            others = [
                (j, float(min(k, p.max))) for j, c, k in inflow[p.id] if class_keys[c][0][ai] != v
            ]
            if p.max >= 2 and others:
                seat_groups.append((y, open_col, p.max - 1, others))
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
        vubs,
        {sid: t for t, members in enumerate(type_members) for sid in members},
        type_class,
        type_gi,
        count_col,
        open_of,
        y_of,
        class_keys,
        seat_groups,
    )


def seat_cuts(groups: list[SeatGroup], v: npt.NDArray[np.float64]) -> list[Cut]:
    """Seat cuts the LP solution ``v`` breaks, as rows (entries, lower, upper).

    A value present in project p takes at least two of its ``max`` seats, so at most ``max - 2`` students
    of the other values fit beside it. For flows T of other values that can carry at most ``max - 1``
    students in all: ``sum_T x + y[p,v] <= (max - 1) * open_p`` (``max - 1`` if p cannot close). Valid:
    with y = 0 the flows carry at most max - 1; with y = 1 at most max - 2. The aggregated rows cannot
    say it (they bound the sum of all the other values, not of given students), and the LP's favourite
    fraction breaks it: a full project of students at 1 with two minority students half in it
    (y = 0.5, a count of 1). T is chosen greedily, largest LP flows first.

    Measured on the benchmark instances (seed 1, the larger part): the LP bound rises by half its distance
    to the optimum at N = 1,000 (1133.2 -> 1139.6; optimum 1147), by 0.13% at 3,000 and by 0.35% at
    10,000 (3 s of rounds at 5,000 students), where the better LP also guides the sub-MIP around the
    start (``_rins``) to smaller, better neighbourhoods: gap 1.62% -> 1.07%. There the loop has at most
    ``SEPARATION_SHARE_LARGE`` of the limit: on a machine at half speed the seat rounds then do not
    happen and the sub-MIP keeps its time (1.7% in two such runs; an earlier measurement, 8.9% and 13.7%,
    was of rounds that took the sub-MIP's time). The rows
    only go into the LP relaxation, for its bound and for the rounding: in the MIP, HiGHS finds them
    itself and they slowed its proof (N = 1,000, seeds 1-6, total wall time: 16.1 s with them in the
    MIP, 15.0 s with them in the LP only, 16.2 and 19.0 s in two runs without seat cuts)."""
    out: list[Cut] = []
    for y, open_col, seats, flows in groups:
        ranked = sorted((f for f in flows if v[f[0]] > 1e-9), key=lambda f: -v[f[0]])
        chosen: list[int] = []
        used = 0.0
        total = 0.0
        for j, k in ranked:
            if used + k <= seats:
                chosen.append(j)
                used += k
                total += v[j]
                if used >= seats:
                    break
        rhs = float(seats) * (v[open_col] if open_col is not None else 1.0)
        if total + v[y] - rhs <= 1e-6:
            continue
        entries = [(j, 1.0) for j in chosen] + [(y, 1.0)]
        if open_col is None:
            out.append((entries, -INF, float(seats)))
        else:
            out.append(([*entries, (open_col, -float(seats))], -INF, 0.0))
    return out


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


def _integral(values: npt.NDArray[np.float64]) -> bool:
    """Every value within 1e-6 of a whole number (a solution HiGHS returns as a basic point of a TU part)."""
    return bool(np.all(np.abs(values - np.round(values)) <= 1e-6))


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
    if vals is not None and _integral(vals):
        return vals
    saved = list(b.model.integer)
    b.model.integer = [1] * b.model.num_cols
    try:
        full = b.model.solve(cost=cost, lower=lo, upper=hi, integer=True, time_limit=time_limit)
    finally:
        b.model.integer = saved
    return full.values if full.values is not None else res.values


def _start_from(problem: Problem, b: _Built, assignment: dict[str, str]) -> npt.NDArray[np.float64] | None:
    """The model's column values for an allocation of ordinary students (``None`` if it cannot be
    written: a special student, or a placement the model has no column for)."""
    if len(b.student_type) != len(problem.students):
        return None
    v = np.zeros(b.model.num_cols)
    x_of = {(t, pid): j for j, t, pid, _r in b.x_cols}
    z_of = {(gi, pid): j for j, gi, pid in b.z_cols}
    u_of = {t: j for j, t in b.u_cols}
    rules = problem.rules
    present: set[tuple[str, int, str]] = set()
    for s in problem.students:
        t = b.student_type[s.id]
        pid = assignment.get(s.id)
        if pid is None:
            v[u_of[t]] += 1
            continue
        j = x_of.get((t, pid))
        if j is not None:
            v[j] += 1
        elif t in b.f_cols and (b.type_gi[t], pid) in z_of:
            v[b.f_cols[t]] += 1
            v[z_of[(b.type_gi[t], pid)]] += 1
        else:
            return None
        cj = b.count_col.get((pid, b.type_class[t]))
        if cj is None:
            return None
        v[cj] += 1
        if pid in b.open_of:
            v[b.open_of[pid]] = 1.0
        for ai, a in enumerate(rules.no_isolation):
            val = s.attributes.get(a)
            if val is not None:
                present.add((pid, ai, val))
    for k in present:
        if k in b.y_of:
            v[b.y_of[k]] = 1.0
    return v


def _round_lp(
    problem: Problem,
    b: _Built,
    lp: npt.NDArray[np.float64],
    cost: npt.NDArray[np.float64],
    time_limit: float,
    search_limit: float = 0.0,
    other: npt.NDArray[np.float64] | None = None,
) -> npt.NDArray[np.float64] | None:
    """LP rounding: decide from the LP solution which projects open and which attribute values each
    holds (a value with at least 1.5 students in the LP), improve that decision by ``_flip_search``
    for up to ``search_limit`` seconds, fix those binaries and solve what is left (a network flow,
    plus the few integer counts) with unassigned allowed at a dominating cost: as an LP, and as a MIP
    only when that LP leaves a count fractional."""
    t0 = time.perf_counter()
    m = b.model
    lo = np.asarray(m.lower, dtype=np.float64).copy()
    hi = np.asarray(m.upper, dtype=np.float64).copy()
    amount: dict[tuple[str, int, str], float] = defaultdict(float)
    total: dict[str, float] = defaultdict(float)
    for (pid, c), j in b.count_col.items():
        total[pid] += lp[j]
        for ai, val in enumerate(b.class_keys[c][0]):
            if val is not None:
                amount[(pid, ai, val)] += lp[j]
    values_of: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    for k in b.y_of:
        values_of[k[0]].append(k)
    is_open: dict[str, bool] = {}
    for p in problem.projects:
        if p.id not in b.open_of and not (p.may_close or p.min == 0):
            is_open[p.id] = True  # it cannot close
            continue
        is_open[p.id] = total[p.id] >= max(p.min, 1) - 0.5
        if values_of[p.id] and not any(amount[k] >= 1.5 for k in values_of[p.id]):
            is_open[p.id] = False
    state: dict[int, float] = {}
    for k, j in b.y_of.items():
        state[j] = 1.0 if is_open[k[0]] and amount[k] >= 1.5 else 0.0
    for pid, j in b.open_of.items():
        state[j] = 1.0 if is_open[pid] else 0.0
    if search_limit > 0.05:
        # The rounding can fix an impossible combination (an open project with too few students
        # allowed in, when no fallback can fill it); then the search starts from the other start's
        # decisions, which keep every rule. (Starting from those when both are possible ends worse.)
        starts = [state]
        if other is not None:
            starts.append({j: float(round(other[j])) for j in state})
        state, lp_values = _flip_search(b, amount, values_of, starts, lo, hi, cost, search_limit)
        integral = _with_integral_counts(b, lp_values)
        if integral is not None:
            return integral
    for j, v in state.items():
        lo[j] = hi[j] = v
    saved = m.row_lower[m.rows[("unassigned",)]], m.row_upper[m.rows[("unassigned",)]]
    m.set_row_bounds(("unassigned",), 0.0, INF)
    try:
        if search_limit <= 0.05:
            # No search: the same LP, once (0.07 s where the MIP takes 0.16 to 0.24 s on a 500-student
            # part); when it is infeasible, so is the MIP.
            lp_fixed = m.solve(cost=cost, lower=lo, upper=hi, integer=False, time_limit=time_limit)
            if lp_fixed.status == "infeasible":
                return None
            integral = _with_integral_counts(b, lp_fixed.values if lp_fixed.status == "optimal" else None)
            if integral is not None:
                return integral
        rest = max(time_limit - (time.perf_counter() - t0), 0.05)
        # A start, not the answer: within 0.1% will do (proving the last bit of a 5,000-student
        # rounding takes longer than finding it).
        res = m.solve(cost=cost, lower=lo, upper=hi, time_limit=rest, mip_gap=ROUNDING_GAP, abs_gap=INT_GAP)
    finally:
        m.set_row_bounds(("unassigned",), *saved)
    return res.values


def _with_integral_counts(
    b: _Built, lp_values: npt.NDArray[np.float64] | None
) -> npt.NDArray[np.float64] | None:
    """The LP solution with the rounding's binaries fixed, when its integer columns came out integral (as
    they mostly do: the counts left integer are few): then it is the rounding MIP's optimum, without the
    MIP's fresh presolve and root (seconds on a 5,000-student part, which a time limit can cut short
    before HiGHS has found a sensible incumbent). ``None`` when some count is fractional."""
    if lp_values is None:
        return None
    ints = np.asarray(b.int_cols, dtype=np.int64)
    if not _integral(lp_values[ints]):
        return None
    lp_values[ints] = np.round(lp_values[ints])
    return lp_values


ROUNDING_GAP = 1e-3
FLIP_MIN_AMOUNT = 0.3  # a value (or project) the LP gives fewer students than this is not tried


def _flip_search(
    b: _Built,
    amount: dict[tuple[str, int, str], float],
    values_of: dict[str, list[tuple[str, int, str]]],
    starts: list[dict[int, float]],
    lower: npt.NDArray[np.float64],
    upper: npt.NDArray[np.float64],
    cost: npt.NDArray[np.float64],
    time_limit: float,
) -> tuple[dict[int, float], npt.NDArray[np.float64] | None]:
    """Local search on the rounding's binaries (which projects open, which attribute values each may
    hold). With them fixed, the rest is an LP (a network flow but for a few counts), so a move is
    judged by re-solving one LP from the previous basis (``LpSession``, milliseconds). Moves, in
    order of the LP's support for them: let a value into a project (opening it if closed: the LP
    spread a minority over many projects, the rounding shut it out of most of them), forbid a value,
    close a project. First improvement, repeated passes until none improves or time is up. Measured
    at N = 10,000 (5,000 students a part): the rounding's 17.8% above the LP bound falls to about 3%.
    Returns the decisions and the LP's solution with them fixed (None if that LP was not solved)."""
    t0 = time.perf_counter()
    lo, hi = lower.copy(), upper.copy()
    session = b.model.lp_session(cost=cost, lower=lo, upper=hi)
    best: float | None = None
    state = starts[0]
    for candidate in starts:  # the first that can be kept (the rounding's ends better than greedy's)
        session.set_bounds(list(candidate.items()))
        best = session.run(time_limit - (time.perf_counter() - t0))
        if best is not None:
            state = candidate
            break
    if best is None:
        return starts[0], None
    session.set_bounds(list(state.items()))
    state = dict(state)

    def final() -> tuple[dict[int, float], npt.NDArray[np.float64] | None]:
        # the LP of the decisions kept (the last re-solve may have been of a move undone since): a
        # warm re-solve, milliseconds, even once the time limit is reached
        session.set_bounds(list(state.items()))
        solved = session.run(max(time_limit - (time.perf_counter() - t0), 1.0)) is not None
        return state, session.col_values() if solved else None

    def moves() -> list[list[tuple[int, float]]]:
        # Only moves the LP's reduced costs say could pay: letting a value in (raising its binary,
        # and the project's if closed) must lower the cost at the margin, forbidding one (lowering a
        # binary at 1) too. A filter, not a proof: each move is then judged by its LP.
        session.run(max(time_limit - (time.perf_counter() - t0), 0.01))
        d = session.col_duals()
        add: list[tuple[float, list[tuple[int, float]]]] = []
        drop: list[tuple[float, list[tuple[int, float]]]] = []
        for k, j in b.y_of.items():
            a = amount[k]
            pid = k[0]
            oj = b.open_of.get(pid)
            if state[j] == 0.0 and a >= FLIP_MIN_AMOUNT:
                if d[j] + (d[oj] if oj is not None and state[oj] == 0.0 else 0.0) >= -1e-9:
                    continue
                move = [(j, 1.0)]
                if oj is not None and state[oj] == 0.0:
                    move.append((oj, 1.0))
                    others = [o for o in values_of[pid] if o != k]
                    let_in = [o for o in others if amount[o] >= FLIP_MIN_AMOUNT]
                    if not let_in and others:
                        let_in = [max(others, key=lambda o: amount[o])]
                    move.extend((b.y_of[o], 1.0) for o in let_in if state[b.y_of[o]] == 0.0)
                add.append((-a, move))
            elif state[j] == 1.0 and a < 2.5 and d[j] > 1e-9:
                drop.append((a, [(j, 0.0)]))
        for pid, oj in b.open_of.items():
            if state[oj] == 1.0 and d[oj] + sum(d[b.y_of[k]] for k in values_of[pid] if state[b.y_of[k]]) > 1e-9:
                close = [(oj, 0.0)] + [(b.y_of[k], 0.0) for k in values_of[pid] if state[b.y_of[k]] == 1.0]
                drop.append((sum(amount[k] for k in values_of[pid]), close))
        add.sort(key=lambda t: t[0])
        drop.sort(key=lambda t: t[0])
        return [mv for _, mv in add] + [mv for _, mv in drop]

    improved = True
    while improved:
        improved = False
        for move in moves():
            left = time_limit - (time.perf_counter() - t0)
            if left <= 0.01:
                return final()
            if all(state[j] == v for j, v in move):
                continue  # an earlier move of this pass already made it
            session.set_bounds(move)
            value = session.run(left)
            if value is not None and value < best - 1e-6:
                best = value
                improved = True
                for j, v in move:
                    state[j] = v
            else:
                session.set_bounds([(j, state[j]) for j, _ in move])
    return final()


# a decision is left free when the start and the LP differ by at least this much (one round each, widening)
RINS_DIFFS = (0.5, 0.35, 0.2)
# On parts HiGHS proves (ROUNDS_STUDENTS to PROOF_MODE_STUDENTS), where the partner bound's rounds follow (see
# BOUND_FREE_FIRST), the last is left out: whole solve, N = 3,000, seeds 1-8, in all 83.3 s -> 71.3 s (74.4 s
# with 0.5 alone, seed 1 slower: 10.8 -> 13.2 s).
RINS_DIFFS_MID = (0.5, 0.35)
LEFT_OUT_FREED = 10  # at most this many students left out by the start: free their projects' decisions in the sub-MIP
REPAIR_SECONDS = 2.0  # kept back for that sub-MIP when the start leaves students out
REPAIR_MIN_SECONDS = 0.3
GUIDE_PATIENCE = 4  # guided rounds in a row (the first one included) that find nothing better end them
ASCENT_FIRST = 150  # steps of the partner bound's ascent before the rounds (1.5 to 3 s at 5,000 students)
ASCENT_STEPS = 50  # steps of the partner bound's ascent between guided rounds (0.5 s at 5,000 students)
ASCENT_MIN_SECONDS = 0.2  # the ascent's steps (0.01 to 0.02 s each) go on until this is left
# On a part HiGHS proves, of ROUNDS_STUDENTS to PROOF_MODE_STUDENTS (the two 1,500-student parts of N = 3,000):
# the ascent's steps before the proof, ASCENT_FIRST of them before the rounds and ASCENT_STEPS after each (2 to
# 4 ms a step there). N = 3,000, seeds 1-4, from the separation LP's duals: the eight parts' bounds end 0 to
# 4.7 below their optima after 400 steps (three within 1: proven without HiGHS's proof once the start is
# optimal), and no higher after 3,000 steps, nor after restarting the step's scale (seed 1's larger part:
# 3661.12, optimum 3665).
MID_ASCENT_STEPS = 400
RUNG_FIXED = 0.97  # the sub-MIP at the partner bound's level is tried where its fixing fixes this share of decisions
RUNG_SECONDS = 1.0  # and for at most this long
# Then rounds of sub-MIPs on the decisions the partner bound would change most cheaply (see _bound_round):
# the first frees this many, and a round that finds nothing better frees half as many again, up to the most.
# Whole solve, N = 3,000, seeds 1-8, with SEARCH_SHARE 0.01: in all 89.9 s without these rounds, 86.0 s up to
# 45 decisions, 79.6 s up to 30 (rounds of 45 take 1 to 2 s, mostly at an optimum the LP's rounds had found).
BOUND_FREE_FIRST = 20
BOUND_FREE_MOST = 30
BOUND_ROUND_SECONDS = 2.0  # the most one such round may take (one cut short ends them)
ASCENT_STALL = 0.01  # once the rounds find nothing, the ascent goes on while 50 steps raise the bound by this
SUB_MIP_SHARE = 0.5  # of the time left, the most one sub-MIP round may take on a large part (see _solve_part)
PLACE_SHARE = 0.2  # of the time left, for placing many students a large part's start leaves out (see _solve_part)
FULL_MIP_MIN_SECONDS = 2.0  # less than this left after the sub-MIP: not worth loading the full model
# Most of what is left that the sub-MIP before a proof (parts of up to ROUNDS_STUDENTS) may use; it
# takes 0.15 to 0.3 s on the 500-student parts of N = 1,000 (sixth session's machine, 2.5-5x slower than the fifth's).
# Seeds 1-16, both parts one after the other, twice each: 77.5 and 71.0 s in all without it, 67.7 and
# 67.7 s with it; the larger part of seed 1 2.8 -> 1.5 s (rounding 1258, sub-MIP 1153, optimum 1147).
PROOF_RINS_SHARE = 0.03


def _rins(
    b: _Built,
    start: npt.NDArray[np.float64],
    lp: npt.NDArray[np.float64],
    cost: npt.NDArray[np.float64],
    time_limit: float,
    mip_gap: float,
    diff: float,
    *,
    unless: set[int] | None = None,
    also: set[int] | None = None,
    options: Mapping[str, float | int | bool | str] | None = None,
) -> tuple[Result | None, set[int]]:
    """Relaxation-induced neighbourhood search (Danna, Rothberg & Le Pape 2005) around ``start``: the
    open/value decisions on which the start agrees with the LP are fixed, the others (a few dozen at
    5,000 students) are left to HiGHS. The sub-MIP is small enough to solve, often to its optimum,
    within seconds, and its answer keeps every rule of the full model. Measured at N = 10,000 (5,000
    students a part): the flip search's local optimum, 5.9% above the LP bound, falls to 1.5%.
    Returns the sub-MIP's result (None when there is nothing to free, or when the free columns would be
    ``unless``, the set an earlier round already solved) and the columns left free. Decisions in ``also``
    are left free whatever the LP says (those that could place a student the start leaves out)."""
    fixed: list[int] = []
    free: set[int] = set()
    for j in [*b.open_of.values(), *b.y_of.values()]:
        if abs(start[j] - lp[j]) < diff and (also is None or j not in also):
            fixed.append(j)
        else:
            free.add(j)
    if not free or free == unless:
        return None, free
    return _sub_mip(b, np.asarray(fixed, dtype=np.int64), start, cost, time_limit, mip_gap, options), free


def _sub_mip(
    b: _Built,
    fixed: npt.NDArray[np.int64],
    start: npt.NDArray[np.float64],
    cost: npt.NDArray[np.float64],
    time_limit: float,
    mip_gap: float,
    options: Mapping[str, float | int | bool | str] | None,
) -> Result:
    """The model with the columns ``fixed`` fixed as ``start`` has them, solved from ``start``."""
    m = b.model
    lo = np.asarray(m.lower, dtype=np.float64).copy()
    hi = np.asarray(m.upper, dtype=np.float64).copy()
    lo[fixed] = hi[fixed] = np.round(start[fixed])
    return m.solve(cost=cost, lower=lo, upper=hi, time_limit=time_limit, mip_gap=mip_gap, abs_gap=INT_GAP,
                   start=start, options=options)


def _bound_round(
    b: _Built,
    forced: Forced,
    start: npt.NDArray[np.float64],
    lp: npt.NDArray[np.float64],
    cost: npt.NDArray[np.float64],
    n_free: int,
    time_limit: float,
    options: Mapping[str, float | int | bool | str] | None,
) -> Result:
    """A sub-MIP around ``start`` on the ``n_free`` open/value decisions that the partner bound would change
    most cheaply (``Forced.against``: how much the bound rises with the decision forced away from the
    start's; 0 where the bound's own groups take the other way; ties: where the start and the LP differ
    most first), every other decision fixed as the start has it.

    The rounds around the LP (``_rins``) free what the LP is unsure of, and stop where the LP is sure and
    wrong: N = 3,000, seed 2, the larger part, they end at 3416 against the optimum 3376, and 12 of the 24
    decisions in which the two differ have the LP at 0 or 1 (or nearly). All 24 are among the 124 whose
    bound rises by less than 0.5 when forced away from the start, most at 0; in the solve, rounds of 20 and
    30 of them (BOUND_FREE_FIRST, BOUND_FREE_MOST) go 3416 -> 3392 -> 3379 in 1.3 s, and the proof from
    there (621 decisions fixed instead of 66) ends in 9 s where the part was cut at 27 s unproven."""
    decisions: list[tuple[str, tuple[int, str] | None, int]] = [(pid, None, j) for pid, j in b.open_of.items()]
    decisions += [(pid, (ai, val), j) for (pid, ai, val), j in b.y_of.items()]
    cols = np.asarray([j for _, _, j in decisions], dtype=np.int64)
    rise = np.asarray([forced.against(pid, value, bool(start[j] > 0.5)) for pid, value, j in decisions])
    order = np.lexsort((-np.abs(start[cols] - lp[cols]), np.round(rise, 6)))
    return _sub_mip(b, cols[order[n_free:]], start, cost, time_limit, 0.0, options)


# Reduced costs within HiGHS's dual feasibility tolerance (1e-7) count as zero.
RC_TOL = 1e-7


def _reduced_cost_bounds(
    m: Model, reduced: npt.NDArray[np.float64], slack: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], int]:
    """Reduced-cost fixing: the column bounds that every allocation costing at most ``slack`` above the
    bound of the LP whose reduced costs these are keeps. Returns the lower and upper bounds and how
    many of them changed.

    At an LP optimum with bound L and reduced costs d, every point of that LP costs at least
    L + sum_j d_j (x_j - x*_j), each term >= 0; every integral allocation is such a point (the
    separation LP's rows are valid for all of them). So a column at its lower bound 0 with d_j > 0 can
    rise to at most slack / d_j, and one at a finite upper bound u_j with d_j < 0 fall to no less than
    u_j - slack / -d_j. Every column of an allocation is a whole number (flows count students) and an
    allocation whose flows are not whole has one as cheap whose are (given the integers, the flows are
    a network: item 2 of the README), so the room is rounded down: where it is below 1 the column is
    fixed. Used before the proof with the start's cost as the slack: HiGHS then searches among
    allocations at least as good as the start, in a model with a third to two thirds of the flows
    gone (N = 1,000: 1,800 to 2,900 of 4,500 columns). HiGHS fixes by reduced cost too, but with its
    own root LP, weaker without the seat cuts (1133.2 against 1139.6 on the larger part of N = 1,000),
    and after presolve, so the model it presolves and cuts is the whole one."""
    lo = np.asarray(m.lower, dtype=np.float64).copy()
    hi = np.asarray(m.upper, dtype=np.float64).copy()
    at_lower = (reduced > RC_TOL) & (lo == 0.0)
    room = np.floor(slack / np.where(at_lower, reduced, 1.0) + 1e-9)
    rise = at_lower & (room < hi)
    hi[rise] = room[rise]
    at_upper = (reduced < -RC_TOL) & np.isfinite(hi)
    drop = np.floor(slack / np.where(at_upper, -reduced, 1.0) + 1e-9)
    fall = at_upper & (hi - drop > lo)
    lo[fall] = (hi - drop)[fall]
    return lo, hi, int(np.count_nonzero(rise)) + int(np.count_nonzero(fall))


def _fix_decisions(
    b: _Built,
    fixed: Fixings,
    start: npt.NDArray[np.float64] | None,
    lower: npt.NDArray[np.float64],
    upper: npt.NDArray[np.float64],
) -> int:
    """Fix (in ``lower`` and ``upper``) the open and value columns ``fixed`` decides, except where ``start``
    decides otherwise (then its cost is above the fixing's limit: the start is kept, and with it a way to
    its cost); returns how many were fixed. Before the proof the fixing's limit is the start's cost less
    ``INT_GAP``, so what it rules out costs at least the start's (costs are integral): the proof keeps
    every better allocation."""
    n = 0
    decided = [(b.open_of.get(pid), want) for pid, want in fixed.open.items()]
    decided += [(b.y_of.get(key), want) for key, want in fixed.present.items()]
    for j, want in decided:
        if j is None or (start is not None and (start[j] > 0.5) != want):
            continue
        lower[j] = upper[j] = 1.0 if want else 0.0
        n += 1
    return n


def _level_sub_mip(
    b: _Built,
    fixed: Fixings | None,
    cost: npt.NDArray[np.float64],
    level: int,
    time_limit: float,
    options: Mapping[str, float | int | bool | str] | None,
) -> tuple[Result, int] | None:
    """The sub-MIP at the partner bound's ``level`` (the least whole cost the bound allows), where ``fixed``
    (the bound's fixing for allocations costing at most ``level``) fixes at least RUNG_FIXED of the open and
    value decisions; stops at the first allocation at that level, which is then optimal. Returns its result
    and how many decisions it fixed, or ``None`` where it is not tried.

    Where the bound is tight but the start is not (N = 3,000, seed 3, the smaller part: bound 3353.9996,
    start 3363 after the rounds, optimum 3354), every decision is fixed for an allocation costing 3354 and
    the sub-MIP finds one in 0.3 s, where HiGHS's proof from the start took 5.45 s. Where fewer are fixed
    (84% on seed 2's smaller part) it is as slow as the proof (6 s), hence the threshold."""
    if fixed is None:
        return None
    m = b.model
    lower = np.asarray(m.lower, dtype=np.float64).copy()
    upper = np.asarray(m.upper, dtype=np.float64).copy()
    n = _fix_decisions(b, fixed, None, lower, upper)
    if n == 0 or n < RUNG_FIXED * (len(b.open_of) + len(b.y_of)):
        return None
    res = m.solve(
        cost=cost, lower=lower, upper=upper, time_limit=time_limit, mip_gap=0.0, abs_gap=INT_GAP,
        options={**(options or {}), "objective_target": level + 0.5},
    )
    return res, n


def _ascend(
    ascent: Ascent, steps: int, more: Callable[[], bool], stages: list[str], report: Callable[[str], None]
) -> float:
    """Up to ``steps`` steps of ``ascent``, while ``more()`` (time is left); the stage reported; the best bound."""
    t0 = time.perf_counter()
    for _ in range(steps):
        if not more():
            break
        ascent.step()
    stages.append(f"partner bound, {ascent.steps} steps of its ascent: {ascent.best.value:.2f} "
                  f"({time.perf_counter() - t0:.2f}s)")
    report(stages[-1])
    return ascent.best.value


def _decisions_of(b: _Built, groups: PartnerSolution) -> npt.NDArray[np.float64]:
    """The open and value columns set as ``groups`` has them (the other columns 0): a guide for ``_rins``,
    which frees the decisions where an allocation differs from it."""
    v = np.zeros(b.model.num_cols)
    for pid, j in b.open_of.items():
        v[j] = 1.0 if groups.size.get(pid, 0) > 0 else 0.0
    for (pid, ai, val), j in b.y_of.items():
        v[j] = 1.0 if (ai, val) in groups.present.get(pid, frozenset()) else 0.0
    return v


def _decisions_for_left_out(b: _Built, values: npt.NDArray[np.float64]) -> set[int]:
    """The open and value columns of every project a student left out by ``values`` may join (a ranked
    project of theirs; their fallback projects are not counted, they are open to nearly anyone)."""
    left_out = {t for j, t in b.u_cols if values[j] > 0.5}
    if not left_out:
        return set()
    projects = {pid for _j, t, pid, _r in b.x_cols if t in left_out}
    out = {j for pid, j in b.open_of.items() if pid in projects}
    out.update(j for (pid, _ai, _v), j in b.y_of.items() if pid in projects)
    return out


def _integral_value(value: float) -> float:
    """The integer bound behind a solution's ``value`` for an objective that is integral at every
    optimum (see ``INT_GAP``): the optimum is an integer <= value, so <= floor(value); equal to it
    once HiGHS has proven the solution within ``INT_GAP`` of the bound."""
    return float(math.floor(value + 1e-6))


def _components(problem: Problem) -> list[Problem]:
    """Split the problem into independent sub-problems (no student, project or partner in common and
    no rule linking them), in input order. Every objective is a sum over students, and a
    lexicographic minimum of a sum over independent parts is the sum of the parts' minima, so solving
    the parts separately gives the same optimum, faster (MIP effort grows faster than linearly)."""
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(a: tuple[str, str]) -> tuple[str, str]:
        root = a
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(a, a) != root:
            parent[a], a = root, parent[a]
        return root

    def union(a: tuple[str, str], b: tuple[str, str]) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[rb] = ra

    rules = problem.rules
    for p in problem.projects:
        union(("p", p.id), ("c", p.partner))
    for s in problem.students:
        for pid in s.preferences:  # every ranked project, even one the locality rule forbids
            union(("s", s.id), ("p", pid))
    if rules.fallback_rank is not None:
        if not rules.same_locality:  # anyone may go anywhere: one part
            return [problem]
        else:
            localities = {s.locality for s in problem.students if s.locality is not None}
            for p in problem.projects:
                for loc in [p.locality] if p.locality is not None else sorted(localities):
                    union(("p", p.id), ("L", loc))
            for s in problem.students:
                if s.locality is not None:
                    union(("s", s.id), ("L", s.locality))
                else:
                    for p in problem.projects:
                        union(("s", s.id), ("p", p.id))
    for sid, pid in rules.locked.items():
        union(("s", sid), ("p", pid))
    for group in rules.together:
        for other in group[1:]:
            union(("s", group[0]), ("s", other))
    for a, b in rules.apart:
        union(("s", a), ("s", b))
    order: dict[tuple[str, str], int] = {}
    members: list[tuple[list[str], list[str], list[str]]] = []

    def slot(node: tuple[str, str]) -> tuple[list[str], list[str], list[str]]:
        root = find(node)
        if root not in order:
            order[root] = len(members)
            members.append(([], [], []))
        return members[order[root]]

    for s in problem.students:
        slot(("s", s.id))[0].append(s.id)
    for p in problem.projects:
        slot(("p", p.id))[1].append(p.id)
    for c in problem.partners:
        slot(("c", c.id))[2].append(c.id)
    if len(members) == 1:
        return [problem]
    parts = []
    for sids, pids, cids in members:
        keep_s, keep_p = set(sids), set(pids)
        parts.append(
            Problem(
                students=tuple(problem.student(s) for s in sids),
                projects=tuple(problem.project(p) for p in pids),
                partners=tuple(problem.partner(c) for c in cids),
                rules=replace(
                    rules,
                    together=tuple(g for g in rules.together if g[0] in keep_s),
                    apart=tuple(pair for pair in rules.apart if pair[0] in keep_s),
                    locked={s: p for s, p in rules.locked.items() if p in keep_p},
                ),
            )
        )
    return parts


def solve_mip(
    problem: Problem,
    *,
    time_limit: float = 30.0,
    mip_gap: float = 0.0,
    progress: Progress | None = None,
    workers: int | None = None,
) -> MipOutcome:
    """Solve the rank_cost / first_choice / greedy / generous objective (unassigned first), see module docstring.

    Independent parts of the problem (e.g. localities linked only through their own partners) are
    solved side by side on up to ``workers`` threads (default: the machine's cores, at most
    ``MAX_WORKERS``; HiGHS releases the GIL while it runs, and each solve is single-threaded and
    seeded, so each part's result does not depend on the others), each with a share of the time
    limit in proportion to its size."""
    t0 = time.perf_counter()
    parts = _components(problem)
    if len(parts) == 1:
        return _solve_part(problem, time_limit=time_limit, mip_gap=mip_gap, progress=progress, fb_eff=None)
    fb_eff = problem.rules.fallback_rank or problem.max_rank + 1
    weights = [max(len(p.students), 1) * max(len(p.projects), 1) for p in parts]
    stages: list[str] = []
    results: dict[int, MipOutcome] = {}
    for part in parts:
        if not part.students and any(not (p.may_close or p.min == 0) for p in part.projects):
            return MipOutcome({}, [s.id for s in problem.students], False, float("inf"), 0, 0, True, stages)
    todo_parts = [i for i, part in enumerate(parts) if part.students]
    n_workers = max(1, min(workers or min(os.cpu_count() or 1, MAX_WORKERS), len(todo_parts)))
    total_weight = sum(weights[i] for i in todo_parts)

    # Each part's stages reach ``progress`` as they happen, relayed by this thread: the parts run on
    # worker threads, and a caller's callback may not be safe to call from them (the web app's writes the
    # run's row through this thread's database connection). The fraction is the parts' own fractions
    # weighted by their size (a finished part counts in full). Before, only each part's last stage was
    # reported, when it finished: at N = 10,000 (two parts) the bar stood at 0 for 28 s.
    events: queue.SimpleQueue[tuple[int, str | None, float]] = queue.SimpleQueue()

    def run(i: int) -> MipOutcome:
        # A part's share of the time: with n workers side by side, n times its share of the work
        # (never more than the time left when it starts).
        share = time_limit * min(1.0, n_workers * weights[i] / total_weight)
        budget = max(min(share, time_limit - (time.perf_counter() - t0)), 0.05)

        def part_progress(msg: str, fraction: float) -> None:
            events.put((i, msg, fraction))

        try:
            return _solve_part(
                parts[i], time_limit=budget, mip_gap=mip_gap, progress=part_progress if progress else None,
                fb_eff=fb_eff,
            )
        finally:
            events.put((i, None, 1.0))  # this part is done (or failed: its future says which)

    # Largest parts first, so that the small ones fill the gaps.
    order = sorted(todo_parts, key=lambda i: -weights[i])
    fractions = dict.fromkeys(todo_parts, 0.0)
    with ThreadPoolExecutor(max_workers=n_workers) as pool:
        futures = {i: pool.submit(run, i) for i in order}
        running = len(futures)
        while running:
            i, msg, fraction = events.get()
            fractions[i] = max(fractions[i], min(1.0, fraction))
            if msg is None:
                running -= 1
            if progress is not None:
                done = sum(weights[k] * f for k, f in fractions.items()) / total_weight
                progress(f"part {i + 1}/{len(parts)} ({len(parts[i].students)} students): {msg or 'finished'}", done)
        outcomes = {i: future.result() for i, future in futures.items()}
    for i in todo_parts:  # stages and results in input order, whatever order the parts finished in
        out = outcomes[i]
        stages.extend(f"part {i + 1}/{len(parts)} ({len(parts[i].students)} students): {st}" for st in out.stages)
        if out.infeasible:
            return MipOutcome({}, [s.id for s in problem.students], False, float("inf"), 0, 0, True, stages)
        results[i] = out
    # Time left over by parts that finished early goes to those that did not, resumed from their
    # best allocation (kept unless the new one is better).
    todo = [i for i, out in results.items() if not out.optimal]
    while todo and time_limit - (time.perf_counter() - t0) > RESUME_MIN_SECONDS:
        i = todo.pop(0)
        budget = (time_limit - (time.perf_counter() - t0)) * weights[i] / sum(weights[k] for k in [i, *todo])
        if len(parts[i].students) > LARGE_PART_STUDENTS and budget < RESUME_MIN_SECONDS_LARGE:
            continue  # it would rebuild its model and LP and end there, past the limit (HiGHS overruns it)
        old = results[i]

        def resumed_progress(msg: str, _fraction: float, i: int = i) -> None:
            if progress is not None:  # on this thread: the time used of the whole limit
                progress(f"part {i + 1}/{len(parts)}, resumed: {msg}",
                         min(1.0, (time.perf_counter() - t0) / max(time_limit, 1e-9)))

        out = _solve_part(
            parts[i], time_limit=budget, mip_gap=mip_gap, progress=resumed_progress if progress else None,
            fb_eff=fb_eff, prior=old,
        )
        stages.extend(f"part {i + 1}/{len(parts)}, resumed: {st}" for st in out.stages)
        if out.assignment and (len(out.unassigned), out.objective) <= (len(old.unassigned), old.objective):
            # a resume with little time may end before its LP bound (nan): the earlier bound still holds
            out.bound = _max_bound(out.bound, old.bound)
            if not math.isfinite(out.gap) and math.isfinite(out.bound) and not out.unassigned:
                out.gap = _relative_gap(out.objective, out.bound)
            results[i] = out
        elif problem.rules.objective in COST_OBJECTIVES and out.assignment:
            old.bound = _max_bound(old.bound, out.bound)  # a valid bound whichever allocation is kept
    assignment: dict[str, str] = {}
    optimal, gap, obj, bound = True, 0.0, 0.0, 0.0
    for out in results.values():
        assignment.update(out.assignment)
        optimal = optimal and out.optimal
        gap = max(gap, out.gap)
        obj += out.objective
        bound += out.bound
    if problem.rules.objective in COST_OBJECTIVES and math.isfinite(gap) and math.isfinite(bound):
        gap = 0.0 if optimal else _relative_gap(obj, bound)
    elif problem.rules.objective not in COST_OBJECTIVES:
        bound = float("nan")
    unassigned = [s.id for s in problem.students if s.id not in assignment]
    return MipOutcome(assignment, unassigned, optimal, gap, obj, bound, False, stages)


def _count_stage_gap(count: float, bound: float, weight: float) -> float:
    """The relative gap of a count stage's ``count`` (greedy, generous) from HiGHS's ``bound`` on
    weight * count + rank cost, every allocation's rank cost r being 0 <= r <= weight - 1: an allocation with
    count c has weight * c + r >= bound, so c >= (bound - weight + 1) / weight. (The stage's stop rule: once
    the incumbent, weight * count + its rank cost r >= rank_floor, is within rank_floor + INT_GAP of the
    bound, bound > weight * count - 1, and an allocation with count - 1 would need r > weight - 1.)"""
    if not math.isfinite(bound):
        return 1.0 if count > 0 else 0.0
    lowest = max(math.ceil((bound - weight + 1.0) / weight - 1e-9), 0)
    return max(count - lowest, 0.0) / max(count, 1.0)


def _relative_gap(objective: float, bound: float) -> float:
    """How far ``objective`` is above a lower ``bound``, relative to it (at least 1); inf without a bound."""
    return max(0.0, objective - bound) / max(abs(objective), 1.0) if math.isfinite(bound) else math.inf


def _max_bound(a: float, b: float) -> float:
    """The better of two lower bounds, either of which may be nan (not computed)."""
    if math.isnan(a):
        return b
    return a if math.isnan(b) else max(a, b)


def _solve_part(
    problem: Problem,
    *,
    time_limit: float,
    mip_gap: float,
    progress: Progress | None,
    fb_eff: int | None,
    prior: MipOutcome | None = None,
) -> MipOutcome:
    """One part; ``prior`` (an earlier outcome for it) competes with the heuristic starts."""
    t0 = time.perf_counter()
    # Keep back a little of the limit for the polish LP and reading off the allocation (0.6 to 0.8 s
    # at 5,000 students, more when parts run side by side, and HiGHS overruns its own limit by up to a second on
    # a large part), so that the part finishes within its limit.
    search_until = time_limit - min(0.1 * time_limit, 4.0)

    def left() -> float:
        return max(search_until - (time.perf_counter() - t0), 0.05)

    def report(msg: str) -> None:
        if progress is not None:
            progress(msg, min(1.0, (time.perf_counter() - t0) / max(time_limit, 1e-9)))

    b = build(problem, fb_eff=fb_eff)
    m = b.model
    opts = PROOF_OPTIONS if len(problem.students) <= PROOF_MODE_STUDENTS else None
    # On small parts HiGHS proves the optimum from the rounding improved by one sub-MIP (no search); on
    # parts of more than LARGE_PART_STUDENTS it does not get past its root within the limit, so the start
    # (improved by the flip search and rounds of sub-MIPs) is the answer and the search gets most of the
    # time; in between, the same rounds give HiGHS's proof a better start (see ROUNDS_STUDENTS).
    large = len(problem.students) > LARGE_PART_STUDENTS
    rounds = large or len(problem.students) > ROUNDS_STUDENTS
    search_share = SEARCH_SHARE_LARGE if large else SEARCH_SHARE
    report(f"model built: {m.num_cols} columns, {len(m.row_lower)} rows, {len(b.int_cols)} integer")
    n_cols = m.num_cols
    rank_cost = np.asarray(m.cost, dtype=np.float64)
    # More than any allocation's rank cost (costs are >= 0): a weight that makes one student fewer left out
    # (or at a count stage's ranks) outweigh all of the rank cost, which then only breaks ties.
    dominant = float(np.max(rank_cost, initial=0.0)) * len(problem.students) + 1.0
    u_idx = [j for j, _ in b.u_cols] + [j for j, _ in b.su_cols]
    unassigned_cost = np.zeros(n_cols)
    unassigned_cost[u_idx] = 1.0
    left_out_cost = rank_cost + unassigned_cost * dominant  # for sub-MIPs that may leave students out
    stages: list[str] = []
    optimal = True
    gaps: list[float] = []

    # Strengthen the formulation where it matters: add the disaggregated bounds the LP relaxation
    # breaks (an LP with unassigned students charged more than any placement; the rows are valid
    # whatever the objective), instead of all of them (one per flow: a much slower LP).
    sep_cost = rank_cost + unassigned_cost * (2.0 * problem.rules.cost_of(b.fallback_rank) + 1.0)
    separation = m.separate(
        b.vubs,
        cost=sep_cost,
        # On parts of more than LARGE_PART_STUDENTS a smaller share: the seat rounds (about 1 s each at
        # 5,000 students) would otherwise come out of the time the sub-MIPs need (see seat_cuts), and the
        # bound there is the partner bound's ascent's, which reaches the same value from the LP's duals
        # after 3 s as after 9 s (the per-partner problems keep the strengthening rows and the seat cuts).
        time_limit=(SEPARATION_SHARE_LARGE if large else SEPARATION_SHARE) * left(),
        extra=lambda v: seat_cuts(b.seat_groups, v),
        keep_extra=False,  # see seat_cuts
    )
    added, lp_bound, lp_values = separation.added, separation.bound, separation.values
    stages.append(f"LP relaxation with {len(added)} of {len(b.vubs)} strengthening rows: {lp_bound:.2f}")
    report(stages[-1])
    # A lower bound on the cost of every allocation (students left out at their separation price), so on
    # the rank cost of every allocation that places everyone: the LP's; on a part too large for HiGHS to
    # get past its root, the partner bound where it is higher (see _partner_bound): at the LP's duals
    # (N = 10,000, seed 1: 10988.2 -> 10998.0 and 11335.8 -> 11362.1), then at the ascent's (below).
    floor = lp_bound
    guide: npt.NDArray[np.float64] | None = None  # the partner bound's groups (at the ascent's prices) as decisions
    lagrangian: PartnerLagrangian | None = None
    by_partner: PartnerSolution | None = None
    objective = problem.rules.objective
    # (on a part HiGHS proves, for the rank cost only: there the bound may end the search early, see
    # MID_ASCENT_STEPS, and its fixing shortens the proof)
    with_bound = large or (rounds and objective in COST_OBJECTIVES)
    if with_bound and separation.row_duals is not None and math.isfinite(lp_bound):
        t_bound = time.perf_counter()
        lagrangian = PartnerLagrangian.of(problem, b, sep_cost)
        by_partner = None if lagrangian is None else lagrangian.at(separation.row_duals)
        if by_partner is not None and by_partner.value > floor:
            floor = by_partner.value
        stages.append(f"partner bound at the LP's duals: "
                      f"{'none' if by_partner is None else f'{by_partner.value:.2f}'} "
                      f"({time.perf_counter() - t_bound:.2f}s)")
        report(stages[-1])

    # A quick rule-respecting greedy allocation: the first incumbent, and the answer if HiGHS finds
    # nothing better in time.
    greedy = greedy_allocation(problem)
    start = _start_from(problem, b, greedy) if greedy is not None else None
    u_cols_idx = np.asarray(u_idx, dtype=np.int64)

    def key_of(v: npt.NDArray[np.float64]) -> tuple[float, float]:
        return (float(round(np.sum(v[u_cols_idx]))), float(np.dot(rank_cost, v)))

    def reached() -> bool:
        """The bound has reached the start, which places everyone: it is optimal (see INT_GAP)."""
        return start is not None and key_of(start)[0] == 0 and key_of(start)[1] - floor < INT_GAP

    if prior is not None and prior.assignment:
        earlier = _start_from(problem, b, prior.assignment)
        if earlier is not None and (start is None or key_of(earlier) < key_of(start)):
            start = earlier
    if lp_values is not None:
        search = search_share * left() if rounds else 0.0
        budget = left()
        rounding = search + min(max((budget - search) * 0.5, 0.15 * budget), 10.0)  # the rest: the proof
        rounded = _round_lp(problem, b, lp_values, sep_cost, rounding, search_limit=search, other=start)
        if rounded is not None and (start is None or key_of(rounded) < key_of(start)):
            start = rounded
    if start is not None:
        u0, c0 = key_of(start)
        stages.append(f"heuristic start: {u0:.0f} unassigned, rank cost {c0:.0f}")
        report(stages[-1])
    greedy_u = int(key_of(start)[0]) if start is not None else -1
    ascent: Ascent | None = None
    proven = False  # by the partner bound
    duals = separation.row_duals
    if lagrangian is not None and by_partner is not None and start is not None and duals is not None:
        # Better prices for the partner bound, from the LP's (see Ascent): most of what the ascent gains, it
        # gains in its first ASCENT_FIRST steps (N = 10,000, seeds 1-3: 33 to 61 of its 41 to 71 in 400), so
        # they come first (whatever the rounds below leave), and their groups guide the first guided round.
        ascent = Ascent(lagrangian, duals, by_partner, float(np.dot(sep_cost, start)))
        floor = max(floor, _ascend(ascent, ASCENT_FIRST, lambda: left() > ASCENT_MIN_SECONDS, stages, report))
        guide = _decisions_of(b, ascent.groups())
        proven = objective in COST_OBJECTIVES and reached()

    def greedy_result() -> Result | None:
        if start is None:
            return None
        obj = float(np.dot(rank_cost, start))
        bound = floor if greedy_u == 0 and math.isfinite(floor) else -INF
        m.set_row_bounds(("unassigned",), 0.0, float(greedy_u))
        return Result("feasible", start, obj, bound, _relative_gap(obj, bound), 0.0)

    # Stage 0: can everyone be placed? Try the real objective with "unassigned <= 0" first.
    first_cost = rank_cost
    m.set_row_bounds(("unassigned",), 0.0, 0.0)
    if rounds and start is not None and lp_values is not None and objective in COST_OBJECTIVES:
        # On a large part HiGHS does not get past the root within the limit; a sub-MIP around the start
        # (its own RINS) does much better with the time (see _rins). On a part it then proves, its proof is
        # shorter from the better start (see ROUNDS_STUDENTS).
        # Rounds: after a sub-MIP solved to its optimum, the next frees the decisions where the new
        # allocation and the LP disagree, by a smaller margin when the same ones would be freed again.
        # A start that leaves students out (no fallback, say) goes in too: then the sub-MIP may leave
        # students out, at a cost above any placement of everyone (unassigned first, as everywhere).
        sub_cost = first_cost
        if greedy_u > 0:
            sub_cost = left_out_cost
            m.set_row_bounds(("unassigned",), 0.0, INF)
        # and then a few seconds are kept for a last sub-MIP on what could place those still left out (if any)
        def reserve() -> float:
            return REPAIR_SECONDS if start is not None and key_of(start)[0] > 0 else 0.0  # (0 once all placed)
        if large and greedy_u > LEFT_OUT_FREED:
            # Many students left out (N = 10,000 without fallback: the rounding leaves about 110 of each
            # 5,000-student part out): HiGHS's own heuristics on the count of students left out alone place
            # most of them within seconds, where a sub-MIP around the start, with hundreds of decisions free,
            # could not finish in 10 s on a slow machine and placed none.
            t_sub = time.perf_counter()
            rep = m.solve(
                cost=unassigned_cost, time_limit=PLACE_SHARE * left(), mip_gap=0.0, abs_gap=INT_GAP, start=start,
                options=opts,
            )
            if rep.values is not None and key_of(rep.values) < key_of(start):
                start = rep.values
            stages.append(f"place those left out: {rep.status}, {key_of(start)[0]:.0f} unassigned, rank cost "
                          f"{key_of(start)[1]:.0f} ({time.perf_counter() - t_sub:.2f}s)")
            report(stages[-1])
        diffs = list(RINS_DIFFS if large else RINS_DIFFS_MID)
        freed: set[int] | None = None

        def sub_limit() -> float:
            # On a large part one hard neighbourhood may not take all the time (N = 10,000, seed 1: a first
            # round of 90 decisions ran 12.9 s to the end of the limit where others take 1 to 7 s), unless
            # students are left out: placing them comes first (without fallback, a round cut at 5 s placed
            # none of the 31 a part had left out, where one with all the time placed them all).
            capped = large and start is not None and key_of(start)[0] == 0
            return (SUB_MIP_SHARE if capped else 1.0) * (left() - reserve())

        while diffs and not proven and left() - reserve() > FULL_MIP_MIN_SECONDS:
            t_sub = time.perf_counter()
            # Students still left out after a round: free what could place them too (not for many: the
            # first round, of 100 left out at 5,000 students, would free 1,300 decisions and end nowhere).
            few_out = 0 < key_of(start)[0] <= LEFT_OUT_FREED
            also = _decisions_for_left_out(b, start) if few_out else None
            sub, now_free = _rins(
                b, start, lp_values, sub_cost, sub_limit(), mip_gap, diffs[0], unless=freed, also=also,
                options=opts,
            )
            if now_free == freed or not now_free:
                diffs.pop(0)
                continue
            freed = now_free
            values = sub.values if sub is not None else None
            better = values is not None and key_of(values) < key_of(start)
            if values is not None and better:
                start = values
            stages.append(f"sub-MIP on {len(now_free)} decisions where the start and the LP differ by "
                          f">= {diffs[0]}: {sub.status if sub is not None else 'none'}, "
                          f"{key_of(start)[0]:.0f} unassigned, rank cost {key_of(start)[1]:.0f} "
                          f"({time.perf_counter() - t_sub:.2f}s)")
            report(stages[-1])
            if sub is None or (sub.status != "optimal" and not (large and key_of(start)[0] == 0)):
                break  # (a round cut short by its own limit, see sub_limit: the rounds go on)
            if not better:
                diffs.pop(0)
            if not large and ascent is not None and objective in COST_OBJECTIVES:
                # A part HiGHS proves: after each round the ascent goes on, and once its bound reaches the
                # start, neither more rounds nor the proof are needed (see MID_ASCENT_STEPS).
                ascent.target = min(ascent.target, float(np.dot(sep_cost, start)))
                floor = max(floor, _ascend(ascent, ASCENT_STEPS, lambda: left() > ASCENT_MIN_SECONDS, stages, report))
                if reached():
                    proven = True
                    break
            if large and guide is not None and ascent is not None:
                # After the first round, the rest of the time goes to neighbourhoods the LP does not show, and
                # to the bound: the decisions where the allocation and the partner bound's groups differ (each
                # partner's groups, within its capacity and every group rule) at the best prices the ascent
                # has found, and ASCENT_STEPS more steps of it after each round. N = 10,000, seed 1, after the
                # first round, with the groups at the LP's prices: 11082 -> 11072 and 11495 -> 11466 (3 to 5.5 s
                # for about 300 decisions, solved to the sub-MIP's optimum) where the next two rounds around
                # the LP gave 11082 and 11483 in 8 to 9 s (bench/RESULTS.md). Once GUIDE_PATIENCE rounds in a
                # row find nothing better, the rest of the time is the ascent's while it gains (HiGHS would not
                # finish the root of a part this large).
                what = "the partner bound's groups at its ascent's best prices"
                idle = 0  # rounds in a row that found nothing better
                tried: set[bytes] = set()  # the guides and starts of the rounds so far
                while left() - reserve() > ASCENT_MIN_SECONDS:
                    key = guide.tobytes() + start.tobytes()
                    if idle < GUIDE_PATIENCE and key not in tried and left() - reserve() > FULL_MIP_MIN_SECONDS:
                        tried.add(key)
                        t_sub = time.perf_counter()
                        few_out = 0 < key_of(start)[0] <= LEFT_OUT_FREED
                        also = _decisions_for_left_out(b, start) if few_out else None
                        sub, now_free = _rins(
                            b, start, guide, sub_cost, sub_limit(), mip_gap, 0.5, also=also, options=opts
                        )
                        idle += 1
                        if sub is not None and sub.values is not None and key_of(sub.values) < key_of(start):
                            start, idle = sub.values, 0
                            ascent.target = min(ascent.target, float(np.dot(sep_cost, start)))
                        stages.append(f"sub-MIP on {len(now_free)} decisions where the start and {what} "
                                      f"differ: {sub.status if sub is not None else 'none'}, "
                                      f"{key_of(start)[0]:.0f} unassigned, rank cost {key_of(start)[1]:.0f} "
                                      f"({time.perf_counter() - t_sub:.2f}s)")
                        report(stages[-1])
                    before = ascent.best.value
                    floor = max(floor, _ascend(
                        ascent, ASCENT_STEPS, lambda: left() - reserve() > ASCENT_MIN_SECONDS, stages, report
                    ))
                    if reached():
                        proven = True
                        break
                    guide = _decisions_of(b, ascent.groups())
                    stalled = ascent.best.value - before < ASCENT_STALL
                    rounds_done = idle >= GUIDE_PATIENCE or guide.tobytes() + start.tobytes() in tried
                    if stalled and (rounds_done or left() - reserve() <= FULL_MIP_MIN_SECONDS):
                        break
                break
        out_now = int(key_of(start)[0])
        if 0 < out_now <= LEFT_OUT_FREED and left() > REPAIR_MIN_SECONDS:
            t_sub = time.perf_counter()
            also = _decisions_for_left_out(b, start)
            sub, now_free = _rins(b, start, lp_values, sub_cost, left(), mip_gap, math.inf, also=also, options=opts)
            if sub is not None and sub.values is not None and key_of(sub.values) < key_of(start):
                start = sub.values
            who = "the student" if out_now == 1 else f"the {out_now} students"
            stages.append(f"sub-MIP on the {len(now_free)} decisions that could place {who} "
                          f"left out: {sub.status if sub is not None else 'none'}, {key_of(start)[0]:.0f} "
                          f"unassigned, rank cost {key_of(start)[1]:.0f} ({time.perf_counter() - t_sub:.2f}s)")
            report(stages[-1])
        m.set_row_bounds(("unassigned",), 0.0, 0.0)
        greedy_u = int(key_of(start)[0])
        if not large and not proven and ascent is not None and greedy_u == 0:
            # before the proof: the rest of the ascent's steps (the fixing below is stronger at better prices)
            ascent.target = min(ascent.target, float(np.dot(sep_cost, start)))
            floor = max(floor, _ascend(
                ascent, MID_ASCENT_STEPS - ascent.steps, lambda: left() > ASCENT_MIN_SECONDS, stages, report
            ))
            proven = reached()
            if not proven and lagrangian is not None:
                t_sub = time.perf_counter()
                level = math.ceil(floor - 1e-6)  # no allocation costs less (costs are integers)
                at_level = _level_sub_mip(
                    b, lagrangian.fixings(ascent.best_duals, above=level), first_cost, level,
                    min(RUNG_SECONDS, 0.1 * left()), opts,
                )
                if at_level is not None:
                    sub, n_rung = at_level
                    if sub.values is not None and key_of(sub.values) < key_of(start):
                        start = sub.values
                    proven = reached()
                    stages.append(f"sub-MIP at the partner bound's level {level} ({n_rung} of "
                                  f"{len(b.open_of) + len(b.y_of)} decisions fixed): {sub.status}, rank cost "
                                  f"{key_of(start)[1]:.0f} ({time.perf_counter() - t_sub:.2f}s)")
                    report(stages[-1])
            n_free = BOUND_FREE_FIRST
            forced = lagrangian.forced(ascent.best_duals) if lagrangian is not None else None
            while forced is not None and not proven and n_free <= BOUND_FREE_MOST and left() > FULL_MIP_MIN_SECONDS:
                # The decisions the partner bound would change most cheaply, as many as n_free (see _bound_round):
                # after a better allocation the same number around it, after none half as many again.
                t_sub = time.perf_counter()
                sub = _bound_round(
                    b, forced, start, lp_values, first_cost, n_free, min(BOUND_ROUND_SECONDS, 0.2 * left()), opts
                )
                better = sub.values is not None and key_of(sub.values) < key_of(start)
                if better and sub.values is not None:
                    start = sub.values
                    proven = reached()
                stages.append(f"sub-MIP on the {n_free} decisions the partner bound would change most cheaply: "
                              f"{sub.status}, rank cost {key_of(start)[1]:.0f} ({time.perf_counter() - t_sub:.2f}s)")
                report(stages[-1])
                if not better:
                    if sub.status != "optimal":
                        break
                    n_free = n_free * 3 // 2
    proof_sub_mip = opts is not None and not rounds and objective in COST_OBJECTIVES
    few_out = 0 < greedy_u <= LEFT_OUT_FREED
    if proof_sub_mip and start is not None and lp_values is not None and (greedy_u == 0 or few_out):
        # A part HiGHS proves: its proof is shorter from a better incumbent, and the rounding's start is
        # several per cent above the optimum. One sub-MIP around it (tenths of a second) comes within a
        # few tenths of a per cent of it (see PROOF_RINS_SHARE). A start that leaves a few students out (no
        # fallback, say) goes in too, each student left out costing more than any placement of everyone,
        # with the decisions that could place them freed as well: HiGHS proves much faster from a start
        # that places everyone than with none (N = 1,000 without fallback, seed 1: 3.8 s).
        t_sub = time.perf_counter()
        sub_cost, also = first_cost, None
        if few_out:
            sub_cost = left_out_cost
            also = _decisions_for_left_out(b, start)
            m.set_row_bounds(("unassigned",), 0.0, INF)
        sub, now_free = _rins(
            b, start, lp_values, sub_cost, PROOF_RINS_SHARE * left(), mip_gap, RINS_DIFFS[0], also=also,
            options=opts,
        )
        m.set_row_bounds(("unassigned",), 0.0, 0.0)
        if sub is not None and sub.values is not None and key_of(sub.values) < key_of(start):
            start = sub.values
        if sub is not None:
            stages.append(f"sub-MIP on {len(now_free)} decisions where the start and the LP differ by "
                          f">= {RINS_DIFFS[0]}: {sub.status}, {key_of(start)[0]:.0f} unassigned, rank cost "
                          f"{key_of(start)[1]:.0f} ({time.perf_counter() - t_sub:.2f}s)")
            report(stages[-1])
        greedy_u = int(key_of(start)[0])
    skip_full = greedy_u == 0 and start is not None and ((large and left() < FULL_MIP_MIN_SECONDS) or proven)
    # For greedy/generous this first solve only supplies a start for the stages: a loose gap will do.
    first_gap = mip_gap if objective in COST_OBJECTIVES else max(mip_gap, 0.05)
    # When the start leaves students out, placing everyone may well be impossible, and on a large part
    # HiGHS cannot show that quickly: keep most of the time for minimising the unassigned instead.
    first_limit = left() if greedy_u <= 0 else FIRST_TRY_SHARE * left()
    kept = greedy_result() if skip_full else None  # greedy_u is 0 here: the row stays at "nobody unassigned"
    by_rank = True  # res is (or will be) HiGHS's result for the rank cost, not for another count
    lower = upper = None
    if (
        kept is None and opts is not None and greedy_u == 0 and start is not None
        and separation.reduced_costs is not None and objective in COST_OBJECTIVES and math.isfinite(lp_bound)
    ):
        # A part HiGHS proves, from a start that places everyone: only allocations at least as good as the
        # start are of interest. Where the partner bound's ascent ran (parts of ROUNDS_STUDENTS to
        # PROOF_MODE_STUDENTS), its Lagrangian fixing at the ascent's best prices rules most open and value
        # decisions out of them (see PartnerLagrangian.fixings): N = 3,000, seeds 1-4, the proof of each
        # part the ascent does not prove, from its optimum: 13.3, 20.5, 14.3, 5.9, 4.6 s with the reduced
        # costs' bounds below -> 6.1, 11.1, 6.0, 3.4, 1.8 s (with both: 6.7, 18.8, 6.7, 3.3, 2.3 s;
        # bench/RESULTS.md).
        fixed = None
        if lagrangian is not None and ascent is not None:
            fixed = lagrangian.fixings(ascent.best_duals, above=float(np.dot(sep_cost, start)) - INT_GAP)
        if fixed is not None:
            lower = np.asarray(m.lower, dtype=np.float64).copy()
            upper = np.asarray(m.upper, dtype=np.float64).copy()
            n_fixed = _fix_decisions(b, fixed, start, lower, upper)
            stages.append(f"partner bound's fixing against the start (bound {fixed.bound:.2f}): {n_fixed} of "
                          f"{len(b.open_of) + len(b.y_of)} open and value decisions fixed")
        else:
            # Otherwise the separation LP's reduced costs (an LP with the seat cuts, whose cost is the rank
            # cost wherever everyone is placed) rule most flows out. Whole solve, seeds 1-16, before and
            # after in alternation, twice: N = 300 6.23 and 5.98 s in all -> 5.13 and 4.97 s, nearly every
            # seed faster; N = 1,000 30.7 and 33.7 s -> 29.8 and 31.2 s (seeds 2, 8 and 13 much faster, 15
            # and 16 slower: HiGHS's tree takes another path).
            slack = float(np.dot(first_cost, start)) - lp_bound + 1e-6  # the start itself keeps every bound
            lower, upper, changed = _reduced_cost_bounds(m, separation.reduced_costs, slack)
            stages.append(f"reduced costs against the start (slack {slack:.2f}): {changed} column bounds tightened")
        report(stages[-1])
    if kept is not None:
        res = kept
    else:
        res = m.solve(
            cost=first_cost,
            lower=lower,
            upper=upper,
            time_limit=first_limit,
            mip_gap=first_gap,
            abs_gap=INT_GAP,
            start=start if greedy_u == 0 else None,
            options=opts,
        )
    stages.append(f"everyone placed: {res.status} ({res.seconds:.2f}s)")
    report(stages[-1])
    if kept is None and greedy_u > 0 and res.status == "feasible" and left() > RESUME_MIN_SECONDS:
        # The try had a share of the time only (placing everyone might have been impossible); it found an
        # allocation placing everyone, so the rest of the time goes on from it (N = 3,000 without
        # fallback: a start leaving 2 out, the part proven in 10 s more instead of ending 0.04% short).
        more = m.solve(
            cost=first_cost, time_limit=left(), mip_gap=first_gap, abs_gap=INT_GAP, start=res.values, options=opts
        )
        stages.append(f"everyone placed, continued: {more.status} ({more.seconds:.2f}s)")
        report(stages[-1])
        if more.values is not None and more.objective <= res.objective + 1e-9:
            bound = max(more.bound, res.bound)
            gap = 0.0 if more.status == "optimal" else _relative_gap(more.objective, bound)
            res = replace(more, bound=bound, gap=gap)
    if res.status in ("infeasible", "unknown"):
        m.set_row_bounds(("unassigned",), 0.0, INF)
        # On a part HiGHS proves: unassigned first, then the rank cost, in one solve (dominant * unassigned +
        # rank cost). The count alone is a degenerate objective (every placement costs nothing), and a second
        # solve had to find the cheapest allocation leaving that many out from scratch: N = 300 without
        # fallback, seed 1: 0.93 + 0.27 s -> 0.31 s; N = 1,000, seed 5: 0.28 + 1.27 s -> 1.26 s. On a larger
        # part, where the time limit cuts this solve short, HiGHS's heuristics place more students with the
        # count alone (N = 10,000 without fallback: 111 left out -> 21 in 2.3 s; with the rank cost as well,
        # none placed in 1.3 s).
        lexicographic = opts is not None
        r1 = m.solve(
            cost=unassigned_cost * dominant + first_cost if lexicographic else unassigned_cost,
            time_limit=left(), mip_gap=0.0, abs_gap=INT_GAP, start=start, options=opts,
        )
        what = "minimise unassigned, then the rank cost" if lexicographic else "minimise unassigned"
        stages.append(f"{what}: {r1.status} ({r1.seconds:.2f}s)")
        report(stages[-1])
        if r1.status == "infeasible":
            return MipOutcome({}, [s.id for s in problem.students], False, float("inf"), 0, 0, True, stages)
        fallback = greedy_result() if r1.status == "unknown" or r1.values is None else None
        if fallback is not None:
            stages.append(f"nothing better found in time: the heuristic start ({greedy_u} unassigned)")
            report(stages[-1])
            optimal, res = False, fallback
        elif r1.status == "unknown" or r1.values is None:
            return MipOutcome({}, [s.id for s in problem.students], False, float("inf"), 0, 0, False, stages)
        elif lexicographic and r1.status == "optimal":
            # the fewest students left out, and the cheapest allocation leaving that many out: every allocation
            # leaves at least best_u out, so those leaving best_u out cost at least the bound less dominant * best_u
            best_u = _integral_value(float(np.sum(r1.values[u_cols_idx])))
            m.set_row_bounds(("unassigned",), 0.0, best_u)
            obj = float(np.dot(first_cost, r1.values))
            res = replace(r1, objective=obj, bound=min(r1.bound - dominant * best_u, obj), gap=0.0)
        else:
            optimal = optimal and r1.status == "optimal"
            best_u = _integral_value(float(np.sum(r1.values[u_cols_idx])))
            m.set_row_bounds(("unassigned",), 0.0, best_u)
            res = m.solve(
                cost=first_cost, time_limit=left(), mip_gap=first_gap, abs_gap=INT_GAP, start=r1.values,
                options=opts,
            )
            stages.append(f"rank objective with {best_u:.0f} unassigned: {res.status} ({res.seconds:.2f}s)")
            report(stages[-1])
            if res.values is None and lexicographic:  # r1's bound mixes both counts: no bound on the rank cost
                res, by_rank = replace(r1, objective=float(np.dot(first_cost, r1.values)), bound=-INF, gap=INF), False
            elif res.values is None:
                res, by_rank = r1, False
    if objective in COST_OBJECTIVES:
        optimal = optimal and res.status == "optimal"
        gaps.append(res.gap)
    if objective in ("greedy", "generous") and res.values is not None:
        levels = sorted(b.level_cols)
        thresholds = levels[1:] if objective == "greedy" else list(reversed(levels[1:]))
        start = res.values
        # Each stage minimises weight * count + rank cost, the weight (dominant) above any allocation's rank
        # cost: the fewest students at rank >= k, and among those allocations the cheapest. A count
        # alone is a very degenerate objective (most columns cost nothing) and HiGHS's search wanders: at
        # N = 1,000 (seed 1) it did not find that nobody need be placed at the fallback rank in 5 s, and
        # generous ended 30 s later unproven; with the rank cost as tie-break each stage takes 0.1 to 1.2 s.
        # The count is proven minimal once the bound is within rank_floor + INT_GAP of the incumbent, where
        # rank_floor is a lower bound on the rank cost (see _count_stage_gap).
        rank_floor = max(res.bound, 0.0) if by_rank and math.isfinite(res.bound) else 0.0
        for done, k in enumerate(thresholds):
            cols = sorted({j for r, js in b.level_cols.items() if r >= k for j in js})
            stage_cost = rank_cost.copy()
            stage_cost[cols] += dominant
            # An equal share of what is left for each stage still to come (what one leaves over goes to the
            # next): one hard count (is there an allocation with nobody at rank >= 6?) must not take the
            # whole limit and leave the later stages, which make the allocation good, no time at all.
            share = left() / (len(thresholds) - done)
            r = m.solve(
                cost=stage_cost, time_limit=share, mip_gap=mip_gap, abs_gap=rank_floor + INT_GAP, start=start,
                options=opts,
            )
            stages.append(f"{objective}: minimise count at rank >= {k}: {r.status} ({r.seconds:.2f}s)")
            report(stages[-1])
            if r.values is None:
                optimal = False
                break
            best = _integral_value(float(np.sum(r.values[cols])))
            proven = r.status == "optimal" and mip_gap == 0  # then the stop rule proved the count minimal
            optimal = optimal and r.status == "optimal"
            gaps.append(0.0 if proven else _count_stage_gap(best, r.bound, dominant))
            m.add_row([(j, 1.0) for j in cols], -INF, best)
            start, res, by_rank = r.values, r, False
    if res.values is None:  # pragma: no cover - every path above leaves a solution here
        raise RuntimeError("no solution to read")
    if by_rank and res.status == "optimal" and _integral(res.values):
        # The rank cost's optimum, integral as it came (HiGHS's incumbents are mostly basic solutions):
        # nothing for the polish LP to do (0.07 s of a 500-student part's 1.2 s).
        values = np.round(res.values)
    else:
        # The polish is one LP (a network flow once the integers are fixed); it must finish even when the
        # search used up the time limit, or the flows read off the incumbent may be fractional; it also
        # gives a count stage's allocation (greedy, generous) its cheapest flows for the rank cost.
        values = _polish(b, res, rank_cost, max(left(), POLISH_SECONDS))
    assignment, unassigned = _extract(problem, b, values)
    obj = float(np.dot(rank_cost, values))
    bound = res.bound if objective in COST_OBJECTIVES else float("nan")
    gap = max(gaps) if gaps else 0.0
    if objective in COST_OBJECTIVES and not unassigned and math.isfinite(floor) and not floor <= bound:
        # Everyone is placed, so the optimum places everyone too, and the separation LP (which charged
        # unassigned students extra) bounds its cost, as does the partner bound: keep the best of the
        # bounds (HiGHS's is -inf when a stage cut short did not finish its root).
        bound = floor
        gap = 0.0 if optimal else _relative_gap(obj, bound)
    if objective in COST_OBJECTIVES and not unassigned and not optimal and obj - bound < INT_GAP:
        optimal, gap = True, 0.0  # the partner bound's ascent reached the allocation (see INT_GAP)
    return MipOutcome(assignment, unassigned, optimal, gap, obj, bound, False, stages)
