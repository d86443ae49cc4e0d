"""Independent checking of allocations: hard rules, statistics, blocking pairs, hand moves.

Nothing here uses the solver's model: every rule is re-read from the :class:`Problem` and checked on the
plain ``student -> project`` mapping, so a bug in the model cannot hide itself.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping

from .problem import Problem, Rules
from .solution import MoveResult, Solution, Violation

__all__ = [
    "MoveContext",
    "blocking_pairs",
    "check",
    "compute_stats",
    "evaluate_move",
    "members_by_project",
    "rank_cost",
]


def rank_cost(problem: Problem, sid: str, pid: str | None) -> float:
    """The cost objectives' term (``Rules.cost_of`` of the effective rank: rank^2 unless ``rank_costs`` or
    first_choice say otherwise), an unranked project at ``fallback_rank`` (or one past the longest list).
    Unassigned costs nothing here (unassigned is minimised first, separately)."""
    if pid is None:
        return 0.0
    return float(problem.rules.cost_of(effective_rank(problem, sid, pid)))


def effective_rank(problem: Problem, sid: str, pid: str) -> int:
    """The rank a placement counts as: its position, capped at ``fallback_rank`` when that is set (any
    project is then reachable at that cost, so a lower-ranked one cannot cost more); a non-ranked
    project counts as ``fallback_rank`` (or one past the longest list, for a locked student)."""
    r = problem.rank(sid, pid)
    fb = problem.rules.fallback_rank
    if r is not None:
        return r if fb is None else min(r, fb)
    return fb or problem.max_rank + 1


def members_by_project(problem: Problem, assignment: Mapping[str, str]) -> dict[str, list[str]]:
    """Members of each project, in student input order (deterministic)."""
    out: dict[str, list[str]] = {p.id: [] for p in problem.projects}
    for s in problem.students:
        pid = assignment.get(s.id)
        if pid is not None and pid in out:
            out[pid].append(s.id)
    return out


def _project_violations(problem: Problem, pid: str, members: list[str]) -> list[Violation]:
    p = problem.project(pid)
    out: list[Violation] = []
    n = len(members)
    if n > p.max:
        out.append(Violation("max_size", pid, f"project {pid} has {n} students, more than its max {p.max}"))
    if n < p.min and (n > 0 or not p.may_close):
        how = "" if p.may_close else " (it may not close)"
        out.append(
            Violation("min_size", pid, f"project {pid} has {n} students, fewer than its min {p.min}{how}")
        )
    if n > 0:
        for lang, k in sorted(p.requires_languages.items()):
            have = sum(1 for m in members if lang in problem.student(m).languages)
            if have < k:
                out.append(
                    Violation(
                        "languages",
                        f"{pid}/{lang}",
                        f"project {pid} needs {k} speaker(s) of {lang}, has {have}",
                    )
                )
        for attr in problem.rules.no_isolation:
            counts = Counter(problem.student(m).attributes.get(attr) for m in members)
            for value, c in sorted(counts.items(), key=lambda kv: str(kv[0])):
                if value is not None and c == 1:
                    who = next(m for m in members if problem.student(m).attributes.get(attr) == value)
                    out.append(
                        Violation(
                            "no_isolation",
                            f"{pid}/{attr}",
                            f"student {who} is the only one with {attr}={value} in project {pid}",
                        )
                    )
    return out


def _partner_violations(problem: Problem, cid: str, load: int) -> list[Violation]:
    cap = problem.partner(cid).capacity
    if cap is not None and load > cap:
        return [Violation("partner_capacity", cid, f"partner {cid} has {load} students, capacity {cap}")]
    return []


def _student_violations(problem: Problem, sid: str, pid: str | None) -> list[Violation]:
    out: list[Violation] = []
    locked = problem.rules.locked.get(sid)
    if locked is not None and pid != locked:
        out.append(
            Violation("locked", sid, f"student {sid} is locked to {locked} but is in {pid or 'no project'}")
        )
    if pid is None:
        return out
    if not problem.locality_allows(sid, pid):
        out.append(
            Violation(
                "same_locality",
                sid,
                f"student {sid} ({problem.student(sid).locality}) is in project {pid} "
                f"({problem.project(pid).locality})",
            )
        )
    if problem.rank(sid, pid) is None and problem.rules.fallback_rank is None and locked != pid:
        out.append(Violation("ranked_only", sid, f"student {sid} is in {pid}, which they did not rank"))
    return out


def _pair_violations(
    problem: Problem, assignment: Mapping[str, str], only: set[str] | None
) -> list[Violation]:
    out: list[Violation] = []
    for group in problem.rules.together:
        if only is not None and not only.intersection(group):
            continue
        places = {assignment.get(m) for m in group}
        if len(places) > 1:
            where = ", ".join(f"{m} in {assignment.get(m) or 'none'}" for m in group)
            out.append(Violation("together", "+".join(group), f"students must be together: {where}"))
    for a, b in problem.rules.apart:
        if only is not None and a not in only and b not in only:
            continue
        pa = assignment.get(a)
        if pa is not None and pa == assignment.get(b):
            out.append(
                Violation("apart", f"{a}+{b}", f"students {a} and {b} must be apart but are both in {pa}")
            )
    return out


def check(problem: Problem, solution: Solution | Mapping[str, str]) -> list[Violation]:
    """Every broken hard rule of an allocation (a :class:`Solution` or a plain student -> project map).

    Checks: known ids; project max and min (min only when open, or always when it may not close);
    partner capacity; language cover; no isolation; same locality; together; apart; locked; placement
    in a non-ranked project without ``fallback_rank``. Unassigned students are not a violation here
    (they are reported by the solver with a reason).
    """
    assignment = solution.assignment if isinstance(solution, Solution) else solution
    out: list[Violation] = []
    for sid, pid in sorted(assignment.items()):
        if sid not in problem.student_index:
            out.append(Violation("unknown_id", sid, f"unknown student {sid}"))
        elif pid not in problem.project_index:
            out.append(Violation("unknown_id", sid, f"student {sid} is in unknown project {pid}"))
    known = {s: p for s, p in assignment.items() if s in problem.student_index and p in problem.project_index}
    members = members_by_project(problem, known)
    load: Counter[str] = Counter()
    for p in problem.projects:
        out.extend(_project_violations(problem, p.id, members[p.id]))
        load[p.partner] += len(members[p.id])
    for c in problem.partners:
        out.extend(_partner_violations(problem, c.id, load[c.id]))
    for s in problem.students:
        out.extend(_student_violations(problem, s.id, known.get(s.id)))
    out.extend(_pair_violations(problem, known, None))
    return out


def compute_stats(
    problem: Problem, assignment: Mapping[str, str]
) -> tuple[list[int], dict[str, float | int]]:
    """The profile (1st, 2nd, ... choice counts, then non-ranked) and the quality statistics."""
    longest = max((len(s.preferences) for s in problem.students), default=0)
    profile = [0] * (longest + 1)
    ranks: list[int] = []
    cost = 0.0
    for s in problem.students:
        pid = assignment.get(s.id)
        if pid is None:
            continue
        r = problem.rank(s.id, pid)
        profile[r - 1 if r is not None else longest] += 1
        ranks.append(effective_rank(problem, s.id, pid))
        cost += rank_cost(problem, s.id, pid)
    n = len(problem.students)
    members = members_by_project(problem, assignment)
    undersized = isolated = uncovered = 0
    for p in problem.projects:
        m = members[p.id]
        if 0 < len(m) < p.min or (not m and not p.may_close and p.min > 0):
            undersized += 1
        if m:
            for lang, k in p.requires_languages.items():
                if sum(1 for x in m if lang in problem.student(x).languages) < k:
                    uncovered += 1
            for attr in problem.rules.no_isolation:
                counts = Counter(problem.student(x).attributes.get(attr) for x in m)
                isolated += sum(1 for v, c in counts.items() if v is not None and c == 1)
    stats: dict[str, float | int] = {
        "students": n,
        "assigned": len(ranks),
        "unassigned": n - len(ranks),
        "average_rank": round(sum(ranks) / len(ranks), 4) if ranks else 0.0,
        "pct_first": round(100.0 * profile[0] / n, 3) if n and longest else 0.0,
        "pct_top3": round(100.0 * sum(profile[: min(3, longest)]) / n, 3) if n else 0.0,
        "non_ranked": profile[-1],
        "undersized_groups": undersized,
        "isolated_students": isolated,
        "uncovered_languages": uncovered,
        "closed_projects": sum(1 for p in problem.projects if not members[p.id]),
        "rank_cost": cost,
    }
    return profile, stats


# ------------------------------------------------------------------------------------------ stability


class PartnerOrder:
    """Each partner's order over all students: its own list first, then everyone else in input order.

    Kept implicit (a rank is computed on demand), so it costs O(total list length), not partners x students.
    """

    def __init__(self, problem: Problem) -> None:
        self._index = problem.student_index
        self._explicit = {c.id: {sid: i for i, sid in enumerate(c.preferences)} for c in problem.partners}

    def rank(self, cid: str, sid: str) -> int:
        explicit = self._explicit[cid]
        r = explicit.get(sid)
        return r if r is not None else len(explicit) + self._index[sid]


def blocking_pairs(problem: Problem, solution: Solution | Mapping[str, str]) -> list[tuple[str, str]]:
    """Blocking pairs in the SPA-S sense (Abraham, Irving & Manlove 2007, section 2).

    ``(s, p)`` blocks when ``s`` ranks ``p`` (and locality allows it), ``s`` is unassigned or prefers ``p``
    to their project, and either (a) ``p`` and its partner ``c`` are both under capacity; (b) ``p`` is
    under capacity, ``c`` is full, and ``s`` is already with ``c`` or ``c`` prefers ``s`` to its worst
    student; or (c) ``p`` is full and ``c`` prefers ``s`` to the worst student in ``p``. Locked students
    occupy capacity but can never be displaced, so they never count as "worst", nor block.
    """
    assignment = solution.assignment if isinstance(solution, Solution) else solution
    order = PartnerOrder(problem)
    locked = problem.rules.locked
    members = members_by_project(problem, assignment)
    p_count = {pid: len(m) for pid, m in members.items()}
    c_count: Counter[str] = Counter()
    worst_p: dict[str, int] = {}
    worst_c: dict[str, int] = defaultdict(lambda: -1)
    for p in problem.projects:
        c_count[p.partner] += p_count[p.id]
        free = [order.rank(p.partner, m) for m in members[p.id] if m not in locked]
        worst_p[p.id] = max(free, default=-1)
        worst_c[p.partner] = max(worst_c[p.partner], worst_p[p.id])
    out: list[tuple[str, str]] = []
    for s in problem.students:
        if s.id in locked:
            continue
        cur = assignment.get(s.id)
        cur_rank = problem.rank(s.id, cur) if cur is not None else None
        if cur is not None and cur_rank is None:
            cur_rank = len(s.preferences) + 1  # placed by fallback: every ranked project is better
        limit = len(s.preferences) if cur_rank is None else cur_rank - 1
        for pid in s.preferences[:limit]:
            if not problem.locality_allows(s.id, pid):
                continue
            p = problem.project(pid)
            cid = p.partner
            cap_c = problem.partner_capacity(cid)
            me = order.rank(cid, s.id)
            p_under = p_count[pid] < p.max
            c_under = c_count[cid] < cap_c
            if p_under and c_under:
                out.append((s.id, pid))
            elif p_under:
                with_c = cur is not None and problem.project(cur).partner == cid
                if with_c or me < worst_c[cid]:
                    out.append((s.id, pid))
            elif me < worst_p[pid]:
                out.append((s.id, pid))
    return out


# ------------------------------------------------------------------------------------------ hand moves


class MoveContext:
    """Precomputed members and partner loads of an allocation, so that many hand moves (and the
    solver's explanations) are each evaluated in time proportional to the groups involved."""

    def __init__(self, problem: Problem, assignment: Mapping[str, str]) -> None:
        self.problem = problem
        self.assignment = dict(assignment)
        self.members = members_by_project(problem, self.assignment)
        self.load: Counter[str] = Counter()
        for p in problem.projects:
            self.load[p.partner] += len(self.members[p.id])
        self.pairs: dict[str, list[int]] = defaultdict(list)
        for i, group in enumerate(problem.rules.together):
            for m in group:
                self.pairs[m].append(i)
        self.apart: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for a, b in problem.rules.apart:
            self.apart[a].append((a, b))
            self.apart[b].append((a, b))

    def _violations(self, student: str, old: str | None, new: str | None, moved: bool) -> list[Violation]:
        pb = self.problem
        out: list[Violation] = []
        touched = [p for p in dict.fromkeys((old, new)) if p is not None]
        load = Counter({c: self.load[c] for c in {pb.project(p).partner for p in touched}})
        for p in touched:
            m = list(self.members[p])
            if moved and p == old and old != new:
                m.remove(student)
                load[pb.project(p).partner] -= 1
            if moved and p == new and old != new:
                m.append(student)
                load[pb.project(p).partner] += 1
            out.extend(_project_violations(pb, p, m))
        for c in sorted(load):
            out.extend(_partner_violations(pb, c, load[c]))
        where = new if moved else old
        out.extend(_student_violations(pb, student, where))
        view = _Override(self.assignment, student, where)
        groups = [pb.rules.together[i] for i in self.pairs.get(student, [])]
        sub = Problem((), (), (), Rules(together=tuple(groups), apart=tuple(self.apart.get(student, []))))
        out.extend(_pair_violations(sub, view, None))
        return out

    def move(self, student: str, project: str | None) -> MoveResult:
        pb = self.problem
        if student not in pb.student_index:
            raise ValueError(f"unknown student {student!r}")
        if project is not None and project not in pb.project_index:
            raise ValueError(f"unknown project {project!r}")
        old = self.assignment.get(student)
        before = {(v.rule, v.subject) for v in self._violations(student, old, project, moved=False)}
        after = self._violations(student, old, project, moved=True)
        return MoveResult(
            student=student,
            from_project=old,
            to_project=project,
            violations=after,
            new_violations=[v for v in after if (v.rule, v.subject) not in before],
            cost_delta=rank_cost(pb, student, project) - rank_cost(pb, student, old),
            rank_before=None if old is None else effective_rank(pb, student, old),
            rank_after=None if project is None else effective_rank(pb, student, project),
        )


class _Override(Mapping[str, str]):
    """``base`` with one student's project replaced (None: unassigned), without copying it."""

    def __init__(self, base: Mapping[str, str], student: str, project: str | None) -> None:
        self.base, self.student, self.project = base, student, project

    def __getitem__(self, key: str) -> str:
        if key == self.student:
            if self.project is None:
                raise KeyError(key)
            return self.project
        return self.base[key]

    def __iter__(self) -> Iterator[str]:
        keys = [k for k in self.base if k != self.student]
        if self.project is not None:
            keys.append(self.student)
        return iter(keys)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def evaluate_move(
    problem: Problem, solution: Solution | Mapping[str, str], student: str, project: str | None
) -> MoveResult:
    """Violations and rank-cost change if ``student`` is moved to ``project`` (None: unassign).

    Only rules touching the move are reported (the two projects, their partners, the student's own
    rules and pairs); ``new_violations`` are those the move creates.
    """
    assignment = solution.assignment if isinstance(solution, Solution) else solution
    return MoveContext(problem, assignment).move(student, project)
