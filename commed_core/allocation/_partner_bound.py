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
(1144.18; 939.0 against 936.67, the optimum). ``PartnerLagrangian.at`` is one evaluation of the latter
(0.007 s at 5,000 students); at the LP's duals it gives +0.9 and +1.6 over the LP bound at N = 1,000,
seed 1, +0 to +6.6 over seeds 2 to 8, and ``Ascent`` raises it from there (N = 10,000: +40 to +70 a
part in 400 steps).

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
# Where the enumerated class-count vectors of all projects together would hold more entries than this
# (an index array of vectors x classes is kept for every price), the bound is not computed (None).
MAX_ENTRIES = 20_000_000
# Lagrangian fixing fixes a decision where the bound with it forced the other way exceeds its limit by more
# than this (the bound's rounding error at an allocation's cost was 4e-15 on a tiny problem).
FIX_TOL = 1e-6
# The volume algorithm's settings (``Ascent``): the most weight a new subgradient gets in the average,
# the first step's scale, and the steps in a row without a better bound after which the scale shrinks.
WEIGHT = 0.1
SCALE = 0.1
MISSES = 5


@dataclass(frozen=True)
class PartnerSolution:
    """The Lagrangian bound at some prices and the groups that reach it: for each project, its size (0:
    closed) and the attribute values its group holds, as (attribute index, value). Each partner's groups
    keep every rule of the groups and the partner's capacity; the students' rows are what it relaxes (a
    student may be in two groups, or none). Its open/value decisions guide a sub-MIP (``mip._solve_part``).
    ``slack`` is, for each of the model's rows, its right-hand side less what these groups (and the
    columns no partner owns) put in it: a subgradient of the bound at these prices (0 on the rows not
    relaxed), the direction in which ``Ascent`` moves the prices."""

    value: float
    size: dict[str, int]
    present: dict[str, Held]
    slack: npt.NDArray[np.float64]


class PartnerLagrangian:
    """The per-partner Lagrangian relaxation of one part's model (see the module docstring), prepared once
    and evaluated at many prices (``at``): 0.1 s at 5,000 students when it was written as one pass per
    project, 0.01 to 0.02 s like this, where every project's classes are sorted at once and every class-count
    vector of every project is valued at once.

    Each project's candidate members are "seats": a column carrying up to ``count`` students is
    repeated min(count, max) times. Seats are kept by segment (a project's class), sorted within it by
    reduced cost at each price, so a group of n members of a class costs a difference of two prefix
    sums. A project's enumerated class-count vectors are rows of indices into those prefix sums; the
    partners' knapsacks over their projects' sizes run side by side, one array row per partner."""

    def __init__(self, problem: Problem, b: _Built, cost: npt.NDArray[np.float64]) -> None:
        """Use ``of``: it returns ``None`` where the bound is not computed."""
        m = b.model
        rows: Mapping[object, int] = m.rows
        n_types = len(b.type_members)
        self.size = np.asarray([len(members) for members in b.type_members], dtype=np.float64)
        self.type_rows = np.asarray([rows[("type", t)] for t in range(n_types)], dtype=np.int64)
        gis = sorted(b.group_types)
        g_at = {gi: i for i, gi in enumerate(gis)}
        self.group_rows = np.asarray([rows[("group", gi)] for gi in gis], dtype=np.int64)
        self.unassigned_row = rows[("unassigned",)]
        # columns no partner owns: unassigned (type row, unassigned row) and "to the fallback group" (type
        # row, group row)
        self.u_cost = np.asarray([cost[j] for j, _ in b.u_cols], dtype=np.float64)
        self.u_type = np.asarray([t for _, t in b.u_cols], dtype=np.int64)
        self.f_cost = np.asarray([cost[j] for j in b.f_cols.values()], dtype=np.float64)
        self.f_type = np.asarray(list(b.f_cols), dtype=np.int64)
        self.f_group = np.asarray([g_at[b.type_gi[t]] for t in b.f_cols], dtype=np.int64)
        # a seat's owner indexes the prices [type rows..., group rows...]; a fallback group's column has -1 in
        # its group row, so its owner's price is minus that row's dual
        self.n_types, self.n_groups = n_types, len(gis)
        group_size = {gi: sum(len(b.type_members[t]) for t in ts) for gi, ts in b.group_types.items()}
        group_class = {gi: b.type_class[ts[0]] for gi, ts in b.group_types.items()}
        items: dict[str, list[tuple[float, int, int, int]]] = defaultdict(list)  # (cost, owner, count, class)
        for j, t, pid, _rank in b.x_cols:
            items[pid].append((float(cost[j]), t, len(b.type_members[t]), b.type_class[t]))
        for j, gi, pid in b.z_cols:
            items[pid].append((float(cost[j]), n_types + g_at[gi], group_size[gi], group_class[gi]))
        seat_cost: list[float] = []
        seat_owner: list[int] = []
        seat_seg: list[int] = []
        n_segments = 0
        self.projects = list(problem.projects)
        n_projects = len(self.projects)
        # per project: its segments' class keys (attribute values) and its vectors' rows
        self.seg_values: list[list[tuple[str | None, ...]]] = []
        seg_first: list[list[int]] = []  # per project: each segment's first seat
        vector_rows: list[npt.NDArray[np.int64]] = []  # per project: vectors as counts per segment
        self.max_size = max((p.max for p in self.projects), default=0)
        self.closable = np.asarray([p.may_close or p.min == 0 for p in self.projects], dtype=bool)
        for p in self.projects:
            langs = sorted(lang for lang, n in p.requires_languages.items() if n > 0)
            by_class: dict[tuple[tuple[str | None, ...], tuple[bool, ...]], list[tuple[float, int, int]]] = (
                defaultdict(list)
            )
            for c0, owner, count, c in items.get(p.id, []):
                values, spoken = b.class_keys[c]
                by_class[(values, tuple(lang in spoken for lang in langs))].append((c0, owner, min(count, p.max)))
            keys = list(by_class)
            firsts: list[int] = []
            caps: list[int] = []
            for key in keys:
                firsts.append(len(seat_cost))
                n = 0
                for c0, owner, count in by_class[key]:
                    seat_cost.extend([c0] * count)
                    seat_owner.extend([owner] * count)
                    seat_seg.extend([n_segments] * count)
                    n += count
                caps.append(min(n, p.max))
                n_segments += 1
            self.seg_values.append([values for values, _ in keys])
            seg_first.append(firsts)
            if not keys or p.max == 0:
                vector_rows.append(np.zeros((0, 0), dtype=np.int64))
                continue
            vectors = _count_vectors(
                tuple(values for values, _ in keys),
                tuple(spoken for _, spoken in keys),
                tuple(caps),
                max(p.min, 1),
                p.max,
                tuple(p.requires_languages[lang] for lang in langs),
            )
            if vectors is None:
                raise _TooMany
            vector_rows.append(vectors)
        self.seat_cost = np.asarray(seat_cost, dtype=np.float64)
        self.seat_owner = np.asarray(seat_owner, dtype=np.int64)
        self.seat_seg = np.asarray(seat_seg, dtype=np.int64)
        width = max((v.shape[1] for v in vector_rows), default=0)
        n_vectors = sum(len(v) for v in vector_rows)
        if n_vectors * max(width, 1) > MAX_ENTRIES:
            raise _TooMany
        # index[r, i]: position in the padded prefix sums (1 + seat position) just past vector r's members of
        # its project's segment i; base[r]: the same at each segment's start (position 0 pads: adds 0)
        index = np.zeros((n_vectors, max(width, 1)), dtype=np.int64)
        base = np.zeros((n_vectors, max(width, 1)), dtype=np.int64)
        owner_project = np.zeros(n_vectors, dtype=np.int64)
        totals = np.zeros(n_vectors, dtype=np.int64)
        self.counts = np.zeros((n_vectors, max(width, 1)), dtype=np.int64)
        at = 0
        for k, vectors in enumerate(vector_rows):
            n, w = vectors.shape
            if n == 0:
                continue
            firsts_k = np.asarray(seg_first[k], dtype=np.int64)
            index[at : at + n, :w] = firsts_k[None, :] + vectors
            base[at : at + n, :w] = firsts_k[None, :]
            self.counts[at : at + n, :w] = vectors
            owner_project[at : at + n] = k
            totals[at : at + n] = vectors.sum(axis=1)
            at += n
        # vectors in order of (project, size): one segment of the order per project and size
        order = np.lexsort((totals, owner_project))
        self.index, self.base = index[order], base[order]
        self.counts = self.counts[order]
        self.vector_project = owner_project[order]
        keyed = owner_project[order] * (self.max_size + 1) + totals[order]
        first = np.flatnonzero(np.r_[True, keyed[1:] != keyed[:-1]]) if n_vectors else np.zeros(0, dtype=np.int64)
        self.slot_start = first
        slot_end = np.r_[first[1:], n_vectors].astype(np.int64)
        self.slot_project = owner_project[order][first]
        self.slot_size = totals[order][first]
        self.slot_index = np.full((n_projects, self.max_size + 1), -1, dtype=np.int64)  # (project, size) -> slot
        self.slot_index[self.slot_project, self.slot_size] = np.arange(len(first))
        self.slot_of_row = np.repeat(np.arange(len(first)), slot_end - self.slot_start)
        # the partners' projects
        by_partner: dict[str, list[int]] = defaultdict(list)
        for k, p in enumerate(self.projects):
            by_partner[p.partner].append(k)
        # batches of partners with the same number of projects (one partner with many projects would
        # otherwise make every partner's table as deep and as wide as its own)
        by_depth: dict[int, list[str]] = defaultdict(list)
        for cid, ks in by_partner.items():
            by_depth[len(ks)].append(cid)
        self.batches: list[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]] = [
            (
                np.asarray([by_partner[cid] for cid in cids], dtype=np.int64).reshape(len(cids), depth),
                np.asarray([problem.partner_capacity(cid) for cid in cids], dtype=np.int64),
            )
            for depth, cids in sorted(by_depth.items())
        ]
        self.n_projects = n_projects

    @classmethod
    def of(cls, problem: Problem, b: _Built, cost: npt.NDArray[np.float64]) -> PartnerLagrangian | None:
        """The relaxation of ``b.model`` with column costs ``cost``, or ``None`` where it is not computed:
        special students (together, apart, locked: their pair rows tie projects of different partners) or
        too many class-count vectors."""
        if b.sx_cols or b.su_cols:
            return None
        try:
            return cls(problem, b, cost)
        except _TooMany:
            return None

    def first_least(
        self, value: npt.NDArray[np.float64], least: npt.NDArray[np.float64]
    ) -> npt.NDArray[np.int64]:
        """For each (project, size) slot, the first of its vectors whose ``value`` is the slot's ``least``."""
        if not len(value):
            return np.zeros(0, dtype=np.int64)
        at = np.flatnonzero(value == least[self.slot_of_row])
        return at[np.searchsorted(at, self.slot_start)]

    def _priced(self, row_duals: npt.NDArray[np.float64]) -> _Priced:
        """What every use of the prices ``row_duals`` starts from (see ``_Priced``)."""
        pi = np.asarray(row_duals[self.type_rows], dtype=np.float64)
        sigma = np.asarray(row_duals[self.group_rows], dtype=np.float64)
        delta = max(float(row_duals[self.unassigned_row]), 0.0)  # a ">= 0" row: a price >= 0 only
        bound = float(pi @ self.size)
        used = np.zeros(self.n_types)  # students of each type the solution places (or leaves out)
        act = np.zeros(self.n_groups)  # each fallback group row's activity: its types' flows less its columns'
        rc = self.u_cost - pi[self.u_type] - delta
        on = rc < 0
        bound += float(rc[on] @ self.size[self.u_type[on]])
        np.add.at(used, self.u_type[on], self.size[self.u_type[on]])
        rc = self.f_cost - pi[self.f_type] - sigma[self.f_group]
        on = rc < 0
        bound += float(rc[on] @ self.size[self.f_type[on]])
        np.add.at(used, self.f_type[on], self.size[self.f_type[on]])
        np.add.at(act, self.f_group[on], self.size[self.f_type[on]])
        # seats sorted by reduced cost within their segment, and the prefix sums (padded with a 0 in front)
        price = np.concatenate([pi, -sigma])
        seat_rc = self.seat_cost - price[self.seat_owner]
        seats = np.lexsort((seat_rc, self.seat_seg))
        prefix = np.concatenate([[0.0], np.cumsum(seat_rc[seats])])
        value = prefix[self.index].sum(axis=1) - prefix[self.base].sum(axis=1)
        # least value of each project and size (inf where a size has no vector; size 0 where it may close)
        sizes = self.max_size + 1
        best = np.full((self.n_projects, sizes), np.inf)
        best[:, 0] = np.where(self.closable, 0.0, np.inf)
        least = np.minimum.reduceat(value, self.slot_start) if len(value) else value
        best[self.slot_project, self.slot_size] = least
        return _Priced(bound, used, act, seats, value, least, best)

    def at(self, row_duals: npt.NDArray[np.float64], *, groups: bool = True) -> PartnerSolution | None:
        """The bound at ``row_duals`` (prices of the model's rows; only the students' rows and the
        "unassigned" row count) and the groups that reach it (their ``size`` and ``present`` left empty
        unless ``groups``: the ascent's steps need only the value and the slack); ``None`` where some partner
        cannot keep its rules at all (a project that may not close and cannot fill)."""
        priced = self._priced(row_duals)
        bound, used, act, seats = priced.bound, priced.used, priced.act, priced.seats
        value, least, best = priced.value, priced.least, priced.best
        size_of = np.zeros(self.n_projects, dtype=np.int64)
        totals = self._totals(best, size_of)
        if totals is None:
            return None
        bound += sum(float(total.sum()) for total in totals)
        # each open project's cheapest vector of its size (the first, where several cost the same)
        open_k = np.flatnonzero(size_of > 0)
        picked = self.first_least(value, least)[self.slot_index[open_k, size_of[open_k]]]
        sizes_out: dict[str, int] = {}
        present: dict[str, Held] = {}
        if groups:
            row_of = dict(zip(open_k.tolist(), picked.tolist(), strict=True))
            for k, p in enumerate(self.projects):
                sizes_out[p.id] = int(size_of[k])
                r = row_of.get(k)
                present[p.id] = frozenset() if r is None else frozenset(
                    (ai, val)
                    for seg, values in enumerate(self.seg_values[k])
                    if self.counts[r, seg] > 0
                    for ai, val in enumerate(values)
                    if val is not None
                )
        # the members the groups take: the first counts[r, i] seats of each of their segments
        if len(picked):
            firsts = self.base[picked].ravel()
            counts = self.counts[picked].ravel()
            firsts, counts = firsts[counts > 0], counts[counts > 0]
            offsets = np.repeat(firsts - np.cumsum(np.r_[0, counts[:-1]]), counts) + np.arange(int(counts.sum()))
            owners = self.seat_owner[seats[offsets]]
            taken = np.bincount(owners, minlength=self.n_types + self.n_groups).astype(np.float64)
            used += taken[: self.n_types]
            act -= taken[self.n_types :]
        slack = np.zeros(len(row_duals))
        slack[self.type_rows] = self.size - used
        slack[self.group_rows] = -act
        return PartnerSolution(bound, sizes_out, present, slack)


    def _totals(
        self, best: npt.NDArray[np.float64], size_of: npt.NDArray[np.int64]
    ) -> list[npt.NDArray[np.float64]] | None:
        """The partners' knapsacks over ``best`` (see ``_Priced``), side by side within each batch of partners
        with as many projects: each batch's least totals, each project's size written into ``size_of``;
        ``None`` where some partner has no choice that keeps the rules."""
        totals = []
        for projects, capacity in self.batches:
            total = _knapsacks(best, projects, capacity, size_of)
            if not np.all(np.isfinite(total)):
                return None
            totals.append(total)
        return totals

    @functools.cached_property
    def _holders(self) -> dict[tuple[int, str], tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]]:
        """For each attribute value (attribute index, value): which class-count vectors' groups hold it, and
        which projects have such a vector (for ``fixings``; the same at every price)."""
        width = self.counts.shape[1]
        segments: dict[tuple[int, str], npt.NDArray[np.bool_]] = {}  # (project, segment) holding the value
        for k, seg_values in enumerate(self.seg_values):
            for seg, values in enumerate(seg_values[:width]):  # (a project of max 0 has no vectors)
                for ai, val in enumerate(values):
                    if val is not None:
                        if (ai, val) not in segments:
                            segments[(ai, val)] = np.zeros((self.n_projects, width), dtype=bool)
                        segments[(ai, val)][k, seg] = True
        taken = self.counts > 0
        out: dict[tuple[int, str], tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]] = {}
        for key, segs in segments.items():
            holds: npt.NDArray[np.bool_] = np.asarray((taken & segs[self.vector_project]).any(axis=1), dtype=bool)
            has = np.zeros(self.n_projects, dtype=bool)
            has[self.vector_project[holds]] = True
            out[key] = (holds, has)
        return out

    def forced(self, row_duals: npt.NDArray[np.float64]) -> Forced | None:
        """For each project's open and value decisions, the bound at ``row_duals`` with the decision forced
        either way (``None`` where the bound is not computed at these prices).

        Forcing one project's decision (open or closed; an attribute value present in its group or not)
        changes only its partner's problem: the bound with the decision forced is the bound less that
        partner's least total plus its least total with the decision forced, and every allocation taking
        that decision costs at least this (it is the same relaxation with one more rule). One pass forces a
        decision for every partner at once: forcing it at the same position among every partner's projects
        changes each partner's knapsack separately."""
        priced = self._priced(row_duals)
        value, best = priced.value, priced.best
        sizes = self.max_size + 1
        totals = self._totals(best, np.zeros(self.n_projects, dtype=np.int64))
        if totals is None:
            return None
        bound = priced.bound + sum(float(total.sum()) for total in totals)

        def forced(alternative: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
            """Each project's bound with its row of ``best`` replaced by its row of ``alternative``."""
            out = np.full(self.n_projects, np.inf)
            for (projects, capacity), total in zip(self.batches, totals, strict=True):
                for d in range(projects.shape[1]):
                    trial = best.copy()
                    trial[projects[:, d]] = alternative[projects[:, d]]
                    got = _knapsacks(trial, projects, capacity, np.zeros(self.n_projects, dtype=np.int64))
                    out[projects[:, d]] = bound - total + got
            return out

        closed = np.full((self.n_projects, sizes), np.inf)
        closed[:, 0] = best[:, 0]
        opened = best.copy()
        opened[:, 0] = np.inf
        lacking: dict[tuple[int, str], npt.NDArray[np.float64]] = {}
        holding: dict[tuple[int, str], npt.NDArray[np.float64]] = {}
        for key, (holds, _has) in self._holders.items():
            with_it = np.full((self.n_projects, sizes), np.inf)
            without = np.full((self.n_projects, sizes), np.inf)
            without[:, 0] = best[:, 0]
            if len(value):
                with_it[self.slot_project, self.slot_size] = np.minimum.reduceat(
                    np.where(holds, value, np.inf), self.slot_start
                )
                without[self.slot_project, self.slot_size] = np.minimum.reduceat(
                    np.where(holds, np.inf, value), self.slot_start
                )
            lacking[key], holding[key] = forced(without), forced(with_it)
        return Forced(
            bound,
            {p.id: k for k, p in enumerate(self.projects)},
            forced(closed),
            forced(opened),
            lacking,
            holding,
            {key: has for key, (_holds, has) in self._holders.items()},
        )

    def fixings(self, row_duals: npt.NDArray[np.float64], *, above: float) -> Fixings | None:
        """Lagrangian fixing at ``row_duals``: the open and value decisions that every allocation costing at
        most ``above`` takes (``None`` where the bound is not computed at these prices). Where the bound
        with a decision forced one way (``forced``) is above ``above`` by more than ``FIX_TOL`` (the bound is
        a sum of floating-point prices, and an allocation costing exactly ``above`` keeps its decisions),
        the other way is fixed."""
        f = self.forced(row_duals)
        if f is None:
            return None
        above += FIX_TOL
        must_open = f.closed > above
        must_close = f.opened > above
        open_fixed = {
            p.id: bool(must_open[k]) for k, p in enumerate(self.projects) if must_open[k] != must_close[k]
        }
        value_fixed: dict[tuple[str, int, str], bool] = {}
        for (ai, val), has in f.has.items():
            must_hold = f.lacking[(ai, val)] > above
            must_lack = f.holding[(ai, val)] > above
            for k in np.flatnonzero(has & (must_hold != must_lack)).tolist():
                value_fixed[(self.projects[k].id, ai, val)] = bool(must_hold[k])
        return Fixings(f.bound, open_fixed, value_fixed)


@dataclass(frozen=True)
class Forced:
    """The bound with each open and value decision forced either way (``PartnerLagrangian.forced``): the
    bound at the prices; each project's index (``at``); per project the bound with it closed and with it
    open; per attribute value (attribute index, value) and project the bound with the value lacking from
    its group and with it held (inf where no group of the project can hold it), and which projects have a
    group holding it (``has``)."""

    bound: float
    at: dict[str, int]
    closed: npt.NDArray[np.float64]
    opened: npt.NDArray[np.float64]
    lacking: dict[tuple[int, str], npt.NDArray[np.float64]]
    holding: dict[tuple[int, str], npt.NDArray[np.float64]]
    has: dict[tuple[int, str], npt.NDArray[np.bool_]]

    def against(self, pid: str, value: tuple[int, str] | None, now: bool) -> float:
        """How much the bound rises when project ``pid``'s decision (open, or holding ``value``) is forced
        away from ``now``: 0 where the bound's own groups take the other way; inf where it cannot be."""
        k = self.at[pid]
        if value is None:
            other = self.closed[k] if now else self.opened[k]
        elif value not in self.lacking:
            return 0.0 if now else math.inf  # (no group of any project holds it)
        else:
            other = self.lacking[value][k] if now else self.holding[value][k]
        return float(other) - self.bound


@dataclass(frozen=True)
class _Priced:
    """The per-partner problems at some prices before the knapsacks: the bound's part from the columns no
    partner owns, what those columns put in the students' and fallback groups' rows (``used``, ``act``), the
    seats in order of reduced cost within their segment, every class-count vector's ``value`` (the cost of
    its cheapest members), its slot's least (``least``), and ``best[k, s]``: project k's least at size s
    (inf where it cannot have that size; 0 at size 0 where it may close)."""

    bound: float
    used: npt.NDArray[np.float64]
    act: npt.NDArray[np.float64]
    seats: npt.NDArray[np.int64]
    value: npt.NDArray[np.float64]
    least: npt.NDArray[np.float64]
    best: npt.NDArray[np.float64]


@dataclass(frozen=True)
class Fixings:
    """Lagrangian fixing's result (``PartnerLagrangian.fixings``): the bound at the prices, each project whose
    open decision is fixed (True: open) and each (project, attribute index, value) whose presence in the
    project's group is fixed (True: present)."""

    bound: float
    open: dict[str, bool]
    present: dict[tuple[str, int, str], bool]


def _knapsacks(
    best: npt.NDArray[np.float64],
    projects: npt.NDArray[np.int64],
    capacity: npt.NDArray[np.int64],
    size_of: npt.NDArray[np.int64],
) -> npt.NDArray[np.float64]:
    """Partners' knapsacks side by side: partner i has projects ``projects[i]`` and ``capacity[i]``; a project
    k of size s costs ``best[k, s]`` (inf where it cannot have that size). Writes each project's size in
    the cheapest choice into ``size_of`` and returns each partner's least total (inf: no choice keeps the
    rules)."""
    n_partners, depth = projects.shape
    top = int(capacity.max(initial=0))
    sizes = best.shape[1]
    cheapest = np.full((n_partners, top + 1), np.inf)  # cheapest[i, load] after each of the projects
    cheapest[:, 0] = 0.0
    took = np.zeros((depth, n_partners, top + 1), dtype=np.int64)  # the size the last project got
    for d in range(depth):
        row = best[projects[:, d]]
        nxt = np.full_like(cheapest, np.inf)
        for s in range(min(sizes, top + 1)):
            cand = np.full_like(cheapest, np.inf)
            cand[:, s:] = cheapest[:, : top + 1 - s] + row[:, s : s + 1]
            better = cand < nxt
            nxt[better] = cand[better]
            took[d][better] = s
        cheapest = nxt
    cheapest[np.arange(top + 1)[None, :] > capacity[:, None]] = np.inf
    load = np.argmin(cheapest, axis=1)
    total: npt.NDArray[np.float64] = cheapest[np.arange(n_partners), load]
    for d in range(depth - 1, -1, -1):  # read the sizes off, last project first
        s_d = took[d][np.arange(n_partners), load]
        size_of[projects[:, d]] = s_d
        load = load - s_d
    return total


class _TooMany(Exception):
    """Too many class-count vectors to enumerate or to keep."""


def partner_bound(
    problem: Problem,
    b: _Built,
    cost: npt.NDArray[np.float64],
    row_duals: npt.NDArray[np.float64],
) -> PartnerSolution | None:
    """The Lagrangian bound at ``row_duals`` (duals of ``b.model``'s rows from an LP over ``cost``) and the
    groups that reach it, or ``None`` where it is not computed (see ``PartnerLagrangian.of`` and ``at``)."""
    lagrangian = PartnerLagrangian.of(problem, b, cost)
    return None if lagrangian is None else lagrangian.at(row_duals)


class Ascent:
    """Better prices for the bound: the volume algorithm (Barahona and Anbil, 2000), a subgradient method
    that steps from the best prices so far along an average of the subgradients seen
    (``PartnerSolution.slack``), each new one weighted so as to make the average as short as possible (at
    most ``WEIGHT``): the average tends to the shortest subgradient near the best prices, an ascent
    direction where a single subgradient at these heavily tied prices (the LP's duals) often is not. The
    step is Polyak's, towards ``target`` (an allocation's cost: no bound passes it), scaled up after a
    step that found a better bound along the average and down after ``MISSES`` in a row that found none.
    Every price gives a valid bound: the best is kept. Deterministic (no randomness).

    Measured on ``generate_instance(10000, seed)``, seeds 1-3, from the separation LP's duals, 0.01 s a
    step: the six 5,000-student parts' bounds rise by 20 to 52 in 50 steps, 33 to 61 in 100, 41 to 71 in
    400; with a fixed weight of 0.1 two of the six rose by nothing in 400 (bench/RESULTS.md)."""

    def __init__(
        self,
        lagrangian: PartnerLagrangian,
        duals: npt.NDArray[np.float64],
        start: PartnerSolution,
        target: float,
    ) -> None:
        self.lagrangian = lagrangian
        self.best, self.best_duals = start, np.asarray(duals, dtype=np.float64).copy()
        self.direction = start.slack.copy()
        self.target = target
        self.scale = SCALE
        self.misses = 0  # steps in a row that found no better bound
        self.steps = 0

    def groups(self) -> PartnerSolution:
        """The best bound's solution with its groups (the steps keep only its value and slack)."""
        found = self.lagrangian.at(self.best_duals)
        return self.best if found is None else found

    def step(self) -> bool:
        """One evaluation; True when it found a better bound."""
        self.steps += 1
        room = self.target - self.best.value
        norm = float(self.direction @ self.direction)
        if room <= 0 or norm <= 0:
            return False
        duals = self.best_duals + self.scale * room / norm * self.direction
        found = self.lagrangian.at(duals, groups=False)
        if found is None:
            return False
        g, d = found.slack, self.direction
        apart = d - g
        spread = float(apart @ apart)
        weight = WEIGHT if spread <= 0 else min(max(float(d @ apart) / spread, WEIGHT / 10), WEIGHT)
        self.direction = weight * g + (1.0 - weight) * d
        if found.value > self.best.value:
            if float(d @ g) >= 0:
                self.scale = min(self.scale * 1.1, 2.0)
            self.best, self.best_duals = found, duals
            self.misses = 0
            return True
        self.misses += 1
        if self.misses >= MISSES:
            self.scale *= 0.66
            self.misses = 0
        return False
