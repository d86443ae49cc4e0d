"""A lower bound from the LP's duals, one partner at a time (a Lagrangian relaxation).

With the student rows (types, fallback groups) and the "unassigned" row priced at the LP's duals, what is
left of the model falls apart into one problem per partner: choose a group for each of its projects,
within the partner's capacity, every rule of the groups kept (size or closed, no isolation, languages),
each member costing its placement's cost less its student's dual. Those problems are small: within a
class of students (the same attribute values and languages) the cheapest members come first, so a group
is a count per class and its best members are read off sorted reduced costs; the partner's projects are
then a knapsack over their sizes. Any prices give a valid lower bound on every allocation's cost (the
separation cost: rank costs, unassigned students at their price); the LP's own duals give at least the LP
bound, since the LP's partner problems are the relaxations of these.

Why it matters: the LP's gap is almost all in the partners' capacity across their projects. Measured on
``generate_instance(1000, seed)`` (ninth session): the bound of the per-project decomposition equals the
LP's (1140.01 against 1139.61, optimum 1147), the per-partner decomposition's closes 62 to 100% of the gap
(1144.18; 939.0 against 936.67, the optimum). This function is one evaluation of the latter at the LP's
duals (0.03 s at 500 students): +0.9 and +1.6 over the LP bound at N = 1,000, seed 1; +0 to +6.6 over
seeds 2 to 8.

The groups that reach the bound (``PartnerSolution``) are integral for each partner, where the LP's are
fractional, so the decisions where an allocation differs from them are a neighbourhood the LP does not
show: on large parts the sub-MIPs after the first round free them (``mip._solve_part``).
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from .problem import Problem

if TYPE_CHECKING:
    from .mip import _Built

# Where enumerating one project's class-count vectors could take more steps than this (many attributes
# and a large maximum size), the bound is not computed (None).
MAX_STEPS = 200_000


@functools.lru_cache(maxsize=4096)
def _count_vectors(
    values: tuple[tuple[str | None, ...], ...],
    speaks: tuple[tuple[bool, ...], ...],
    caps: tuple[int, ...],
    lo: int,
    hi: int,
    required: tuple[int, ...],
) -> npt.NDArray[np.int64] | None:
    """Every vector of class counts (class c: at most ``caps[c]``) making an open group of ``lo..hi``
    members in which every attribute value present is held by at least two and every required language
    is spoken by enough; ``None`` when the enumeration could take more than ``MAX_STEPS`` steps (each depth
    of it has at most C(hi + classes, classes) partial vectors). Projects with the same classes and sizes
    share one enumeration (cached)."""
    n_classes = len(caps)
    if (n_classes + 1) * math.comb(hi + n_classes, n_classes) > MAX_STEPS:
        return None
    n_attrs = len(values[0]) if values else 0
    out: list[tuple[int, ...]] = []

    def keeps_rules(counts: tuple[int, ...]) -> bool:
        for a in range(n_attrs):
            held: dict[str, int] = defaultdict(int)
            for c in range(n_classes):
                v = values[c][a]
                if v is not None:
                    held[v] += counts[c]
            if any(k == 1 for k in held.values()):
                return False
        return all(
            sum(counts[c] for c in range(n_classes) if speaks[c][li]) >= k for li, k in enumerate(required)
        )

    def extend(prefix: tuple[int, ...], total: int) -> None:
        c = len(prefix)
        if c == n_classes:
            if lo <= total and keeps_rules(prefix):
                out.append(prefix)
            return
        for n in range(min(caps[c], hi - total) + 1):
            extend((*prefix, n), total + n)

    extend((), 0)
    return np.asarray(out, dtype=np.int64).reshape(-1, n_classes)


Held = frozenset[tuple[int, str]]  # a group's attribute values, as (attribute index, value)
_Choice = tuple[str, int, Held]  # a project, its group's size and the values it holds


@dataclass(frozen=True)
class PartnerSolution:
    """The Lagrangian bound at some prices and the groups that reach it: for each project, its size (0:
    closed) and the attribute values its group holds, as (attribute index, value). Each partner's groups
    keep every rule of the groups and the partner's capacity; the students' rows are what it relaxes (a
    student may be in two groups, or none). Its open/value decisions guide a sub-MIP (``mip._solve_part``)."""

    value: float
    size: dict[str, int]
    present: dict[str, Held]


def partner_bound(
    problem: Problem,
    b: _Built,
    cost: npt.NDArray[np.float64],
    row_duals: npt.NDArray[np.float64],
) -> PartnerSolution | None:
    """The Lagrangian bound at ``row_duals`` (duals of ``b.model``'s rows from an LP over ``cost``) and the
    groups that reach it, or ``None`` where it is not computed: special students (together, apart, locked:
    their pair rows tie projects of different partners) or a project with too many class-count vectors."""
    if b.sx_cols or b.su_cols:
        return None
    m = b.model
    rows: Mapping[object, int] = m.rows
    n_types = len(b.type_members)
    size = np.asarray([len(members) for members in b.type_members], dtype=np.float64)
    pi = np.asarray([row_duals[rows[("type", t)]] for t in range(n_types)], dtype=np.float64)
    sigma = {gi: float(row_duals[rows[("group", gi)]]) for gi in b.group_types}
    delta = max(float(row_duals[rows[("unassigned",)]]), 0.0)  # a ">= 0" row: a price >= 0 only
    bound = float(pi @ size)
    # the columns no partner owns: unassigned and "to the fallback group", each at its best extreme
    for j, t in b.u_cols:
        bound += min(0.0, float(cost[j]) - pi[t] - delta) * size[t]
    for t, j in b.f_cols.items():
        bound += min(0.0, float(cost[j]) - pi[t] - sigma[b.type_gi[t]]) * size[t]
    # per project: its members' reduced costs, by class, repeated for as many students as the column holds
    group_class = {gi: b.type_class[ts[0]] for gi, ts in b.group_types.items()}
    group_size = {gi: sum(len(b.type_members[t]) for t in ts) for gi, ts in b.group_types.items()}
    items: dict[str, list[tuple[float, int, int]]] = defaultdict(list)  # project -> (reduced cost, class, count)
    for j, t, pid, _rank in b.x_cols:
        items[pid].append((float(cost[j]) - pi[t], b.type_class[t], int(size[t])))
    for j, gi, pid in b.z_cols:
        items[pid].append((float(cost[j]) + sigma[gi], group_class[gi], group_size[gi]))
    by_partner: dict[str, list[int]] = defaultdict(list)
    for k, p in enumerate(problem.projects):
        by_partner[p.partner].append(k)
    sizes_of: dict[str, int] = {}
    present_of: dict[str, Held] = {}
    for cid, members in by_partner.items():
        capacity = problem.partner_capacity(cid)
        best_by_load: dict[int, tuple[float, tuple[_Choice, ...]]] = {0: (0.0, ())}  # load -> least value, choices
        for k in members:
            pid = problem.projects[k].id
            sizes = _best_by_size(problem, b, k, items[pid])
            if sizes is None:
                return None
            nxt: dict[int, tuple[float, tuple[_Choice, ...]]] = {}
            for load, (value, chosen) in best_by_load.items():
                for s, (v, held) in sizes.items():
                    if load + s <= capacity and (load + s not in nxt or value + v < nxt[load + s][0]):
                        nxt[load + s] = (value + v, (*chosen, (pid, s, held)))
            best_by_load = nxt
        if not best_by_load:  # no way to keep the rules (a project that may not close and cannot fill)
            return None
        value, chosen = min(best_by_load.values(), key=lambda entry: entry[0])
        bound += value
        for pid, s, held in chosen:
            sizes_of[pid] = s
            present_of[pid] = held
    return PartnerSolution(bound, sizes_of, present_of)


def _best_by_size(
    problem: Problem, b: _Built, k: int, items: list[tuple[float, int, int]]
) -> dict[int, tuple[float, Held]] | None:
    """For each size the project may have (0 when it may be empty), the least sum of reduced costs of a
    group of that size keeping the project's rules, and the attribute values (attribute index, value) that
    group holds; ``None`` when there are too many count vectors."""
    p = problem.projects[k]
    langs = sorted(lang for lang, n in p.requires_languages.items() if n > 0)
    # the project's classes: attribute values and which of its languages are spoken
    by_class: dict[tuple[tuple[str | None, ...], tuple[bool, ...]], list[float]] = defaultdict(list)
    for rc, c, count in items:
        values, spoken = b.class_keys[c]
        by_class[(values, tuple(lang in spoken for lang in langs))].extend([rc] * min(count, p.max))
    out: dict[int, tuple[float, Held]] = {}
    if p.may_close or p.min == 0:
        out[0] = (0.0, frozenset())
    if not by_class or p.max == 0:
        return out
    prefix = np.full((len(by_class), p.max + 1), np.inf)
    caps = []
    for i, cs in enumerate(by_class.values()):
        best = np.sort(np.asarray(cs, dtype=np.float64))[: p.max]
        prefix[i, 0] = 0.0
        prefix[i, 1 : len(best) + 1] = np.cumsum(best)
        caps.append(len(best))
    keys = list(by_class)
    vectors = _count_vectors(
        tuple(values for values, _ in keys),
        tuple(spoken for _, spoken in keys),
        tuple(caps),
        max(p.min, 1),
        p.max,
        tuple(p.requires_languages[lang] for lang in langs),
    )
    if vectors is None:
        return None
    if len(vectors):
        value = prefix[np.arange(len(keys))[None, :], vectors].sum(axis=1)
        totals = vectors.sum(axis=1)
        for s in np.unique(totals):  # sizes >= 1 (open groups)
            at = np.flatnonzero(totals == s)
            best_at = int(at[np.argmin(value[at])])
            v = float(value[best_at])
            if np.isfinite(v):
                held = frozenset(
                    (ai, val)
                    for i, (values, _spoken) in enumerate(keys)
                    if vectors[best_at, i] > 0
                    for ai, val in enumerate(values)
                    if val is not None
                )
                out[int(s)] = (v, held)
    return out
