"""Student-optimal stable matching for SPA-S (Abraham, Irving & Manlove 2007).

Reference: D. J. Abraham, R. W. Irving, D. F. Manlove, "Two algorithms for the Student-Project Allocation
problem", *Journal of Discrete Algorithms* 5(1):73-90, 2007 -- algorithm SPA-student (section 3).

Partners play the lecturers: a partner ranks students (its ``preferences`` first, then every other
student in input order), each project's list is that order restricted to the students who ranked it.
Instead of deleting pairs from preference lists, each project and each partner keeps a *threshold*
(the partner rank of its worst student when it became full); a student skips every project whose
project or partner threshold they are worse than. Thresholds only ever tighten, so this is exactly the
deletion of "successors" in the paper, in O(proposals x log n) time.

Which rules stability can honour: locality (unacceptable pairs are removed from the lists) and locked
students (placed first, they use up capacity and can never be displaced). Minimum sizes, closure,
no-isolation, language cover, together and apart cannot be honoured without creating blocking pairs,
so they are *not* enforced: any breach is reported in ``Solution.warnings`` (and by :func:`check`).
With ``fallback_rank`` set, a student left unassigned is placed, after matching, in a project they did
not rank whose project *and* partner are both under capacity -- such a placement cannot create a
blocking pair (any pair it could affect would already have blocked before).
"""

from __future__ import annotations

import heapq
from collections import Counter

from .check import PartnerOrder
from .problem import Problem, Project

__all__ = ["spa_student"]


def spa_student(problem: Problem) -> tuple[dict[str, str], dict[str, str]]:
    """Return ``(assignment, unassigned reasons)`` of the student-optimal stable matching."""
    order = PartnerOrder(problem)
    locked = problem.rules.locked
    proj_partner = {p.id: p.partner for p in problem.projects}
    cap_p = {p.id: p.max for p in problem.projects}
    cap_c = {c.id: problem.partner_capacity(c.id) for c in problem.partners}
    assigned: dict[str, str] = {}
    for sid, pid in locked.items():
        assigned[sid] = pid
        cap_p[pid] -= 1
        cap_c[proj_partner[pid]] -= 1
    count_p: Counter[str] = Counter()
    count_c: Counter[str] = Counter()
    heap_p: dict[str, list[tuple[int, str]]] = {p.id: [] for p in problem.projects}
    heap_c: dict[str, list[tuple[int, str, str]]] = {c.id: [] for c in problem.partners}
    big = len(problem.students) + 1
    thr_p = dict.fromkeys(cap_p, big)
    thr_c = dict.fromkeys(cap_c, big)
    lists: dict[str, list[str]] = {}
    for s in problem.students:
        if s.id not in locked:
            lists[s.id] = [p for p in s.preferences if problem.locality_allows(s.id, p)]
    ptr = dict.fromkeys(lists, 0)
    free = [s.id for s in reversed(problem.students) if s.id in lists]  # pop() takes input order

    def worst_p(pid: str) -> tuple[int, str] | None:
        h = heap_p[pid]
        while h and assigned.get(h[0][1]) != pid:
            heapq.heappop(h)
        return (-h[0][0], h[0][1]) if h else None

    def worst_c(cid: str) -> tuple[int, str] | None:
        h = heap_c[cid]
        while h and assigned.get(h[0][1]) != h[0][2]:
            heapq.heappop(h)
        return (-h[0][0], h[0][1]) if h else None

    def unassign(sid: str) -> None:
        pid = assigned.pop(sid)
        count_p[pid] -= 1
        count_c[proj_partner[pid]] -= 1
        free.append(sid)

    while free:
        sid = free.pop()
        lst = lists[sid]
        i = ptr[sid]
        while i < len(lst):
            pid = lst[i]
            cid = proj_partner[pid]
            r = order.rank(cid, sid)
            if r <= thr_p[pid] and r <= thr_c[cid]:
                break
            i += 1
        ptr[sid] = i
        if i == len(lst):
            continue
        assigned[sid] = pid
        count_p[pid] += 1
        count_c[cid] += 1
        heapq.heappush(heap_p[pid], (-r, sid))
        heapq.heappush(heap_c[cid], (-r, sid, pid))
        if count_p[pid] > cap_p[pid]:
            w = worst_p(pid)
            if w is not None:  # always: pid holds at least the student just added
                unassign(w[1])
        elif count_c[cid] > cap_c[cid]:
            w = worst_c(cid)
            if w is not None:
                unassign(w[1])
        if count_p[pid] >= cap_p[pid]:
            w = worst_p(pid)
            thr_p[pid] = min(thr_p[pid], w[0] if w else -1)
        if count_c[cid] >= cap_c[cid]:
            w = worst_c(cid)
            thr_c[cid] = min(thr_c[cid], w[0] if w else -1)

    reasons: dict[str, str] = {}
    fb = problem.rules.fallback_rank
    # Projects where a fallback placement is safe: both the project and its partner under capacity.
    roomy = [
        p for p in problem.projects if count_p[p.id] < cap_p[p.id] and count_c[p.partner] < cap_c[p.partner]
    ]
    for s in problem.students:
        if s.id in assigned:
            continue
        best: Project | None = None
        if fb is not None:
            ok = [
                p
                for p in roomy
                if count_p[p.id] < cap_p[p.id]
                and count_c[p.partner] < cap_c[p.partner]
                and p.id not in s.preferences
                and problem.locality_allows(s.id, p.id)
            ]
            # Prefer a group that is open but still under its minimum, then input order.
            under = [p for p in ok if 0 < count_p[p.id] < p.min]
            pick = under or ok
            best = pick[0] if pick else None
        if best is not None:
            assigned[s.id] = best.id
            count_p[best.id] += 1
            count_c[best.partner] += 1
            continue
        reasons[s.id] = _reason(problem, s.id, lists[s.id], fb is not None)
    return assigned, reasons


def _reason(problem: Problem, sid: str, allowed: list[str], fallback: bool) -> str:
    s = problem.student(sid)
    if not s.preferences:
        why = "ranked no project"
    elif not allowed:
        why = f"none of their {len(s.preferences)} ranked projects is in their locality ({s.locality})"
    else:
        why = (
            f"each of their {len(allowed)} ranked projects ({', '.join(allowed)}) was full with students "
            "its partner ranks higher"
        )
    if fallback:
        return why + ", and no unranked project had room without creating a blocking pair"
    return why + " (fallback placement is off: rules.fallback_rank is not set)"
