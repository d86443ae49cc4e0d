"""A fast rule-respecting greedy allocation: a starting point for the MILP, and the answer when the
MILP finds nothing within the time limit (large cohorts on a loaded machine).

1. Rank by rank (1st choices of everyone, then 2nd, ...), place a student where the project and its
   partner have room.
2. Repair every project that breaks a rule: top it up from the students still unplaced (minimum size,
   a language speaker, a second member with an isolated attribute value), else take out an isolated
   member, else close it (its members go back to the pool).
3. Place the pool: each student where joining keeps every rule (a value already present, room in the
   project and partner), best effective rank first, non-ranked projects of the locality last when
   ``fallback_rank`` is set; then two students of the same class together; then open closed
   projects with enough pool students to form a valid group.

Every result is re-checked by :func:`check`; the function returns ``None`` rather than an allocation
that breaks a rule. Problems with together/apart/locked rules are left to the MILP (``None``).
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict

from .check import check, effective_rank
from .problem import Problem, Project

__all__ = ["greedy_allocation"]


def greedy_allocation(problem: Problem) -> dict[str, str] | None:
    rules = problem.rules
    if rules.together or rules.apart or rules.locked or rules.objective == "stable":
        return None
    fb = rules.fallback_rank
    attrs = rules.no_isolation
    students = {s.id: s for s in problem.students}
    projects = {p.id: p for p in problem.projects}
    cap_c = {c.id: problem.partner_capacity(c.id) for c in problem.partners}
    members: dict[str, list[str]] = {p.id: [] for p in problem.projects}
    load: Counter[str] = Counter()
    where: dict[str, str] = {}
    by_loc: dict[str | None, list[Project]] = defaultdict(list)
    for p in problem.projects:
        by_loc[p.locality].append(p)

    def key(sid: str) -> tuple[str | None, ...]:
        return tuple(students[sid].attributes.get(a) for a in attrs)

    def room(p: Project, k: int = 1) -> bool:
        return len(members[p.id]) + k <= p.max and load[p.partner] + k <= cap_c[p.partner]

    unplaced: dict[str, None] = dict.fromkeys(students)

    def put(sid: str, p: Project) -> None:
        members[p.id].append(sid)
        load[p.partner] += 1
        where[sid] = p.id
        del unplaced[sid]

    def take(sid: str) -> None:
        pid = where.pop(sid)
        members[pid].remove(sid)
        load[projects[pid].partner] -= 1
        unplaced[sid] = None

    def allowed(sid: str, p: Project) -> bool:
        if not problem.locality_allows(sid, p.id):
            return False
        return fb is not None or p.id in students[sid].preferences

    def broken(p: Project) -> str | None:
        m = members[p.id]
        if not m:
            return None
        if len(m) < p.min:
            return "min"
        for lang, k in p.requires_languages.items():
            if sum(1 for x in m if lang in students[x].languages) < k:
                return "lang:" + lang
        for ai, a in enumerate(attrs):
            counts = Counter(students[x].attributes.get(a) for x in m)
            for v, c in counts.items():
                if v is not None and c == 1:
                    return f"iso:{ai}"
        return None

    def pool() -> list[str]:
        return sorted(unplaced, key=problem.student_index.__getitem__)

    # 1. rank by rank
    longest = max((len(s.preferences) for s in problem.students), default=0)
    for r in range(longest):
        for st in problem.students:
            if st.id in where or r >= len(st.preferences):
                continue
            p = projects[st.preferences[r]]
            if problem.locality_allows(st.id, p.id) and room(p):
                put(st.id, p)

    def prefer(sid: str, p: Project) -> tuple[int, int]:
        r = problem.rank(sid, p.id)
        return (0 if r is not None else 1, problem.student_index[sid])

    # 2. repair
    for _ in range(3):
        changed = False
        for p in problem.projects:
            for _guard in range(2 * p.max + 4):
                why = broken(p)
                if why is None:
                    break
                changed = True
                m = members[p.id]
                cands = sorted((s for s in pool() if allowed(s, p)), key=functools.partial(prefer, p=p))
                if why == "min":
                    # pairs of the same class first, so that no value is left alone
                    need = p.min - len(m)
                    present = Counter(key(x) for x in m)
                    pick = [s for s in cands if present[key(s)] >= 1][:need]
                    if len(pick) < need:
                        same: dict[tuple[str | None, ...], list[str]] = defaultdict(list)
                        for s in cands:
                            if s not in pick:
                                same[key(s)].append(s)
                        for grp in same.values():
                            while len(grp) >= 2 and len(pick) < need:
                                pick += grp[:2]
                                grp = grp[2:]
                    if len(pick) >= need and room(p, len(pick)):
                        for s in pick:
                            put(s, p)
                        continue
                elif why.startswith("lang:"):
                    lang = why[5:]
                    speakers = [s for s in cands if lang in students[s].languages]
                    present = Counter(key(x) for x in m)
                    speakers.sort(key=lambda sid: present[key(sid)] == 0)
                    if speakers and room(p):
                        put(speakers[0], p)
                        continue
                    drop = [x for x in m if lang not in students[x].languages and present[key(x)] != 2]
                    if speakers and drop:
                        take(drop[-1])
                        put(speakers[0], p)
                        continue
                else:
                    ai = int(why[4:])
                    counts = Counter(students[x].attributes.get(attrs[ai]) for x in m)
                    lone = [x for x in m if counts[students[x].attributes.get(attrs[ai])] == 1]
                    v = students[lone[0]].attributes.get(attrs[ai])
                    mates = [s for s in cands if students[s].attributes.get(attrs[ai]) == v]
                    if mates and room(p):
                        put(mates[0], p)
                        continue
                    if len(m) - 1 >= p.min:
                        take(lone[0])
                        continue
                for x in list(m):  # cannot repair: close
                    take(x)
                break
        if not changed:
            break

    # 3. place the pool where joining keeps every rule
    def options(sid: str) -> list[Project]:
        s = students[sid]
        ranked = [projects[q] for q in s.preferences if problem.locality_allows(sid, q)]
        if fb is None:
            return ranked
        rest = [p for p in by_loc[s.locality] if p.id not in s.preferences] if rules.same_locality else []
        if not rules.same_locality or s.locality is None:
            rest = [p for p in problem.projects if p.id not in s.preferences]
        elif None in by_loc:
            rest += [p for p in by_loc[None] if p.id not in s.preferences]
        out = sorted(ranked, key=lambda p: effective_rank(problem, sid, p.id)) + rest
        return out

    def joins(sids: list[str], p: Project) -> bool:
        m = members[p.id]
        if not m or not room(p, len(sids)):
            return False
        for ai, a in enumerate(attrs):
            counts = Counter(students[x].attributes.get(a) for x in m)
            add = Counter(key(s)[ai] for s in sids)
            for v, k in add.items():
                if v is not None and counts[v] + k == 1:
                    return False
        return True

    for sid in pool():
        for p in options(sid):
            if joins([sid], p):
                put(sid, p)
                break
    pairs: dict[tuple[str | None, tuple[str, ...], str], list[str]] = defaultdict(list)
    for sid in pool():
        pairs[(students[sid].locality, tuple(sorted(students[sid].languages)), str(key(sid)))].append(sid)
    for grp in pairs.values():
        while len(grp) >= 2:
            a, b = grp[0], grp[1]
            target = next((p for p in options(a) if allowed(b, p) and joins([a, b], p)), None)
            if target is None:
                break
            put(a, target)
            put(b, target)
            grp = grp[2:]
    # open closed projects from the pool
    for p in problem.projects:
        if members[p.id]:
            continue
        cands = sorted((s for s in pool() if allowed(s, p)), key=functools.partial(prefer, p=p))
        if len(cands) < max(p.min, 1):
            continue
        groups: dict[tuple[str | None, ...], list[str]] = defaultdict(list)
        for s in cands:
            groups[key(s)].append(s)
        chosen: list[str] = []
        for grp in sorted(groups.values(), key=len, reverse=True):
            take_n = min(len(grp), p.max - len(chosen))
            if take_n >= 2 or not attrs:
                chosen += grp[:take_n]
        if len(chosen) > p.max:
            chosen = chosen[: p.max]
        if len(chosen) < max(p.min, 1) or load[p.partner] + len(chosen) > cap_c[p.partner]:
            continue
        for s in chosen:
            put(s, p)
        if broken(p) is not None:
            for s in chosen:
                take(s)
    # the repair rounds may stop before every project is fixed: close what is still broken (closing
    # breaks no other project), then place its members where joining keeps every rule
    for p in problem.projects:
        if broken(p) is not None:
            for x in list(members[p.id]):
                take(x)
    for sid in pool():
        for p in options(sid):
            if joins([sid], p):
                put(sid, p)
                break
    if check(problem, where):
        return None
    return where
