"""Why not everyone can be placed: small sets of conflicting rules, in plain words.

Approach
--------
The rules are cut into *groups* -- ``(rule, subject)`` keys in the vocabulary of :class:`Violation`:
``max_size``/``min_size`` per project, ``languages`` per (project, language), ``no_isolation`` per
(project, attribute), ``partner_capacity`` per partner, ``same_locality``/``ranked_only``/``locked`` per
student, ``together``/``apart`` per pair or group. The question asked of a set of groups is: *can
every student be placed with only these rules on?* It is answered by a plain per-student binary model
(independent of the optimiser's aggregated model), solved by HiGHS for feasibility.

1. Cheap pre-checks propose candidate sets for the common patterns (together and apart; locked
   against locality, apart, together or a full project; a project that may not close but cannot get
   enough students or speakers; more students in a locality than its projects hold).
2. Each infeasible candidate -- and then the whole rule set, repeatedly -- is shrunk by a deletion
   filter (Chinneck & Dravnieks 1991) working on chunks: drop a chunk of groups, keep it dropped if
   the rest is still infeasible, otherwise split the chunk, down to single groups. The result is an
   irreducible set: it is infeasible and dropping any one member makes it feasible.
3. After each conflict one of its groups is relaxed and the search repeats, for up to ``limit``
   conflicts.

Problems with more than ``MAX_PAIRS`` (student, project) pairs skip the filter; the pre-check
candidates are then reported as found (each is a real conflict, but not proven irreducible).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable

from ._highs import INF, Model
from .problem import Problem
from .solution import Conflict

__all__ = ["all_groups", "explain_infeasible", "feasible_with"]

Group = tuple[str, str]
MAX_PAIRS = 400_000


def all_groups(problem: Problem) -> list[Group]:
    """Every rule group of the problem, in a fixed order."""
    r = problem.rules
    out: list[Group] = []
    for p in problem.projects:
        out.append(("max_size", p.id))
        if p.min > 1 or (p.min >= 1 and not p.may_close):
            out.append(("min_size", p.id))
        for lang in sorted(p.requires_languages):
            out.append(("languages", f"{p.id}/{lang}"))
        for attr in r.no_isolation:
            out.append(("no_isolation", f"{p.id}/{attr}"))
    for c in problem.partners:
        if c.capacity is not None:
            out.append(("partner_capacity", c.id))
    for s in problem.students:
        if r.same_locality and s.locality is not None:
            out.append(("same_locality", s.id))
        if r.fallback_rank is None:
            out.append(("ranked_only", s.id))
        if s.id in r.locked:
            out.append(("locked", s.id))
    out.extend(("together", "+".join(g)) for g in r.together)
    out.extend(("apart", f"{a}+{b}") for a, b in r.apart)
    return out


def feasible_with(problem: Problem, groups: Iterable[Group], time_limit: float = 10.0) -> bool | None:
    """Can every student be placed when only ``groups`` are enforced? None when undecided in time."""
    active = set(groups)
    r = problem.rules
    m = Model()
    x: dict[tuple[str, str], int] = {}
    by_p: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for s in problem.students:
        lock = r.locked.get(s.id) if ("locked", s.id) in active else None
        row = ("place", s.id)
        m.row(row, 1.0, 1.0)
        for p in problem.projects:
            if lock is not None and p.id != lock:
                continue
            if ("same_locality", s.id) in active and not problem.locality_allows(s.id, p.id):
                continue
            if ("ranked_only", s.id) in active and p.id not in s.preferences and p.id != r.locked.get(s.id):
                continue
            j = m.col(0.0, 0.0, 1.0, True, [(row, 1.0)])
            x[(s.id, p.id)] = j
            by_p[p.id].append((j, s.id))
    n = float(len(problem.students))
    by_c: dict[str, list[int]] = defaultdict(list)
    for p in problem.projects:
        cols = by_p[p.id]
        by_c[p.partner].extend(j for j, _ in cols)
        tot = [(j, 1.0) for j, _ in cols]
        if ("max_size", p.id) in active:
            m.add_row(tot, -INF, float(p.max))
        # nonempty = 1 iff the project has a student (language rules only bind an open project)
        nonempty = m.col(0.0, 0.0, 1.0, True)
        m.add_row([*tot, (nonempty, -n)], -INF, 0.0)
        m.add_row([*tot, (nonempty, -1.0)], 0.0, INF)

        if ("min_size", p.id) in active:
            if p.may_close:
                m.add_row([*tot, (nonempty, -float(p.min))], 0.0, INF)
            else:
                m.add_row(tot, float(p.min), INF)
        for lang, k in p.requires_languages.items():
            if ("languages", f"{p.id}/{lang}") in active:
                sp = [(j, 1.0) for j, sid in cols if lang in problem.student(sid).languages]
                m.add_row([*sp, (nonempty, -float(k))], 0.0, INF)
        for attr in r.no_isolation:
            if ("no_isolation", f"{p.id}/{attr}") not in active:
                continue
            vals: dict[str, list[int]] = defaultdict(list)
            for j, sid in cols:
                v = problem.student(sid).attributes.get(attr)
                if v is not None:
                    vals[v].append(j)
            for v in sorted(vals):
                y = m.col(0.0, 0.0, 1.0, True)
                js = [(j, 1.0) for j in vals[v]]
                m.add_row([*js, (y, -2.0)], 0.0, INF)
                m.add_row([*js, (y, -n)], -INF, 0.0)
    for c in problem.partners:
        if ("partner_capacity", c.id) in active and c.capacity is not None:
            m.add_row([(j, 1.0) for j in by_c[c.id]], -INF, float(c.capacity))
    for g in r.together:
        if ("together", "+".join(g)) not in active:
            continue
        for other in g[1:]:
            for p in problem.projects:
                a, b = x.get((g[0], p.id)), x.get((other, p.id))
                ent = [(j, cf) for j, cf in ((a, 1.0), (b, -1.0)) if j is not None]
                if ent:
                    m.add_row(ent, 0.0, 0.0)
    for sa, sb in r.apart:
        if ("apart", f"{sa}+{sb}") not in active:
            continue
        for p in problem.projects:
            a, b = x.get((sa, p.id)), x.get((sb, p.id))
            if a is not None and b is not None:
                m.add_row([(a, 1.0), (b, 1.0)], -INF, 1.0)
    res = m.solve(time_limit=time_limit)
    if res.status in ("optimal", "feasible"):
        return True
    if res.status == "infeasible":
        return False
    return None


def _filter(problem: Problem, groups: list[Group], deadline: float) -> list[Group] | None:
    """Chunked deletion filter: an irreducible infeasible subset of ``groups`` (None: out of time)."""
    keep: list[Group] = []
    pending: list[list[Group]] = [groups]
    while pending:
        chunk = pending.pop(0)
        if not chunk:
            continue
        rest = keep + [g for c in pending for g in c]
        left = deadline - time.perf_counter()
        if left <= 0:
            return None
        ok = feasible_with(problem, rest, time_limit=min(left, 20.0))
        if ok is False:
            continue  # the chunk is not needed
        if ok is None:
            return None
        if len(chunk) == 1:
            keep.append(chunk[0])
        else:
            half = len(chunk) // 2
            pending[:0] = [chunk[:half], chunk[half:]]
    return keep


def _prechecks(problem: Problem) -> list[tuple[str, list[Group]]]:
    r = problem.rules
    out: list[tuple[str, list[Group]]] = []
    tog_of: dict[str, tuple[str, ...]] = {}
    for g in r.together:
        for m in g:
            tog_of[m] = g
    for a, b in r.apart:
        tg = tog_of.get(a)
        if tg is not None and b in tg:
            out.append(
                (
                    f"students {a} and {b} must be together (rules.together) and apart (rules.apart)",
                    [("together", "+".join(tg)), ("apart", f"{a}+{b}")],
                )
            )
        la, lb = r.locked.get(a), r.locked.get(b)
        if la is not None and la == lb:
            out.append(
                (
                    f"students {a} and {b} must be apart but both are locked to {la}",
                    [("locked", a), ("locked", b), ("apart", f"{a}+{b}")],
                )
            )
    for g in r.together:
        locks = {m: r.locked[m] for m in g if m in r.locked}
        if len(set(locks.values())) > 1:
            items = list(locks.items())
            m1, p1 = items[0]
            m2, p2 = next((m, p) for m, p in items if p != p1)
            out.append(
                (
                    f"students {m1} and {m2} must be together but are locked to {p1} and {p2}",
                    [("locked", m1), ("locked", m2), ("together", "+".join(g))],
                )
            )
    locked_in: dict[str, list[str]] = defaultdict(list)
    for sid, pid in r.locked.items():
        locked_in[pid].append(sid)
        if not problem.locality_allows(sid, pid):
            out.append(
                (
                    f"locked {sid} -> {pid} but {pid} is in locality {problem.project(pid).locality} "
                    f"and {sid} in {problem.student(sid).locality}",
                    [("locked", sid), ("same_locality", sid)],
                )
            )
    for pid, sids in locked_in.items():
        p = problem.project(pid)
        if len(sids) > p.max:
            out.append(
                (
                    f"{len(sids)} students are locked to {pid} but it takes at most {p.max}",
                    [("max_size", pid), *(("locked", s) for s in sids)],
                )
            )
    fb = r.fallback_rank is not None
    for p in problem.projects:
        if p.may_close or p.min == 0:
            continue
        could = [
            s
            for s in problem.students
            if problem.locality_allows(s.id, p.id)
            and (fb or p.id in s.preferences)
            and r.locked.get(s.id, p.id) == p.id
        ]
        scope = "who ranked it" if not fb else "who may be placed there"
        rel: list[Group] = [("min_size", p.id)]
        could_ids = {s.id for s in could}
        for s in problem.students:
            if s.id not in could_ids:
                rel += [("same_locality", s.id), ("ranked_only", s.id), ("locked", s.id)]
        if len(could) < p.min:
            out.append(
                (
                    f"project {p.id} may not close and needs at least {p.min} students, but only "
                    f"{len(could)} student(s) {scope}",
                    rel,
                )
            )
        for lang, k in sorted(p.requires_languages.items()):
            speakers = [s for s in could if lang in s.languages]
            if len(speakers) < k:
                none = "none" if not speakers else f"only {len(speakers)}"
                out.append(
                    (
                        f"project {p.id} needs {k} {lang} speaker(s) but {none} of the {len(could)} students "
                        f"{scope} speaks {lang}",
                        [("languages", f"{p.id}/{lang}"), *rel],
                    )
                )
    if r.same_locality:
        by_loc: dict[str, list[str]] = defaultdict(list)
        for s in problem.students:
            if s.locality is not None:
                by_loc[s.locality].append(s.id)
        for loc, sids in sorted(by_loc.items()):
            reach = [p for p in problem.projects if p.locality in (None, loc)]
            room = sum(p.max for p in reach)
            if len(sids) > room:
                out.append(
                    (
                        f"{len(sids)} students live in {loc} (same_locality) but the {len(reach)} projects "
                        f"open to them hold at most {room}",
                        [("max_size", p.id) for p in reach] + [("same_locality", s) for s in sids],
                    )
                )
    total = sum(p.max for p in problem.projects)
    if len(problem.students) > total:
        out.append(
            (
                f"{len(problem.students)} students must be placed but all projects together hold "
                f"at most {total}",
                [("max_size", p.id) for p in problem.projects],
            )
        )
    return out


def _describe(problem: Problem, groups: list[Group]) -> str:
    words = []
    for rule, subject in groups:
        if rule == "max_size":
            words.append(f"project {subject} takes at most {problem.project(subject).max}")
        elif rule == "min_size":
            p = problem.project(subject)
            closing = "" if p.may_close else " (may not close)"
            words.append(f"project {subject} needs at least {p.min} students{closing}")
        elif rule == "languages":
            pid, lang = subject.split("/", 1)
            words.append(
                f"project {pid} needs {problem.project(pid).requires_languages[lang]} {lang} speaker(s)"
            )
        elif rule == "no_isolation":
            pid, attr = subject.split("/", 1)
            words.append(f"nobody may be the only one of their {attr} in {pid}")
        elif rule == "partner_capacity":
            words.append(f"partner {subject} takes at most {problem.partner(subject).capacity}")
        elif rule == "same_locality":
            words.append(f"{subject} stays in {problem.student(subject).locality}")
        elif rule == "ranked_only":
            ranked = ", ".join(problem.student(subject).preferences) or "none"
            words.append(f"{subject} only goes to a project they ranked ({ranked})")
        elif rule == "locked":
            words.append(f"{subject} is locked to {problem.rules.locked[subject]}")
        elif rule == "together":
            words.append(f"{subject.replace('+', ', ')} must be together")
        elif rule == "apart":
            words.append(f"{subject.replace('+', ' and ')} must be apart")
    n = len(problem.students)
    return f"with all {n} students placed, these rules cannot all hold: " + "; ".join(words)


def explain_infeasible(problem: Problem, *, time_limit: float = 30.0, limit: int = 5) -> list[Conflict]:
    """Conflicts explaining why not every student can be placed within the hard rules ([] if they can).

    Each conflict names its rules with numbers, in words, and (within ``MAX_PAIRS``) is irreducible:
    dropping any one of its groups makes it feasible. See the module docstring for the method.
    """
    deadline = time.perf_counter() + time_limit
    groups = all_groups(problem)
    small = len(problem.students) * len(problem.projects) <= MAX_PAIRS
    conflicts: list[Conflict] = []
    seen: set[tuple[Group, ...]] = set()
    relaxed: set[Group] = set()
    if small:
        ok = feasible_with(problem, groups, time_limit=max(deadline - time.perf_counter(), 1.0))
        if ok is True:
            return []
    known = set(groups)
    for message, cand in _prechecks(problem):
        cand = [g for g in dict.fromkeys(cand) if g in known and g not in relaxed]
        if small:
            if feasible_with(problem, cand, time_limit=max(deadline - time.perf_counter(), 1.0)) is not False:
                continue
            iis = _filter(problem, cand, deadline)
            if iis is None:
                iis = cand
            # The pre-check's words stay true when its core rules (it lists them first) survived the
            # filter; the supporting groups it may drop are "who else could go there" details.
            core = [g for g in cand[:2] if g[0] not in ("same_locality", "ranked_only", "locked")] or cand[:1]
            if not set(core) <= set(iis) or len(iis) > len(cand):
                message = _describe(problem, iis)
            cand = iis
        key = tuple(sorted(cand))
        if key in seen:
            continue
        seen.add(key)
        conflicts.append(Conflict(message, tuple(cand)))
        relaxed.add(cand[0])
        if len(conflicts) >= limit:
            return conflicts
    if not small:
        if not conflicts:
            conflicts.append(
                Conflict(
                    "the rules leave some students with no feasible project; the problem is too large for "
                    "the detailed search -- check capacities per locality, locked students, together/apart",
                    (),
                )
            )
        return conflicts
    while len(conflicts) < limit and time.perf_counter() < deadline:
        active = [g for g in groups if g not in relaxed]
        ok = feasible_with(problem, active, time_limit=max(deadline - time.perf_counter(), 1.0))
        if ok is not False:
            break
        iis = _filter(problem, active, deadline)
        if not iis:
            break
        key = tuple(sorted(iis))
        if key not in seen:
            seen.add(key)
            conflicts.append(Conflict(_describe(problem, iis), tuple(iis)))
        relaxed.add(iis[0])
    if not conflicts:
        conflicts.append(Conflict("no conflict could be isolated within the time limit", ()))
    return conflicts
