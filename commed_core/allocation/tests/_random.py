"""Random tiny problems for the property tests (seeded, so hypothesis can shrink the seed), and the
separation LP with the seat cuts as ``_solve_part`` runs it."""

from __future__ import annotations

import itertools
import random
from typing import Any

import numpy as np
import numpy.typing as npt

from commed_core.allocation import Problem, check, mip
from commed_core.allocation._highs import Separation
from commed_core.allocation.check import effective_rank


def seat_cut_separation(
    problem: Problem, *, fb_eff: int | None = None, left_out: float = 100.0
) -> tuple[Any, npt.NDArray[np.float64], Separation]:
    """``problem``'s model, the separation cost (students left out at ``left_out``) and the separated LP
    with the seat cuts (not kept in the model), as in ``_solve_part``."""
    b = mip.build(problem, fb_eff=fb_eff)
    cost = np.asarray(b.model.cost, dtype=np.float64).copy()
    cost[[j for j, _ in b.u_cols] + [j for j, _ in b.su_cols]] = left_out
    sep = b.model.separate(
        b.vubs, cost=cost, time_limit=30, extra=lambda v: mip.seat_cuts(b.seat_groups, v), keep_extra=False
    )
    return b, cost, sep


def tiny_problem(seed: int, objective: str = "rank_cost", *, rich: bool = True) -> dict[str, Any]:
    rng = random.Random(seed)
    n_s, n_p = rng.randint(2, 6), rng.randint(1, 3)
    projects = [f"p{i}" for i in range(1, n_p + 1)]
    two_partners = n_p > 1 and rng.random() < 0.5
    students = []
    for i in range(1, n_s + 1):
        k = rng.randint(0 if rich else 1, n_p)
        students.append(
            {
                "id": f"s{i}",
                "preferences": rng.sample(projects, k),
                "locality": rng.choice(["north", "south", None]) if rich else None,
                "languages": ["so"] if rng.random() < 0.4 else ["en"],
                "attributes": {"gender": rng.choice("FM")},
            }
        )
    projs = []
    for j, pid in enumerate(projects):
        lo = rng.randint(0, 2) if rich else 0
        hi = rng.randint(max(lo, 1), 4)
        projs.append(
            {
                "id": pid,
                "partner": "c2" if two_partners and j == n_p - 1 else "c1",
                "min": lo,
                "max": hi,
                "locality": rng.choice(["north", "south", None]) if rich else None,
                "requires": {"languages": {"so": 1}} if rich and rng.random() < 0.3 else {},
                "may_close": rng.random() < 0.7 if rich else True,
            }
        )
    partners = [
        {
            "id": "c1",
            "capacity": rng.randint(2, 8),
            "preferences": rng.sample([s["id"] for s in students], n_s),
        }
    ]
    if two_partners:
        partners.append({"id": "c2", "capacity": None, "preferences": []})
    ids = [s["id"] for s in students]
    rules: dict[str, Any] = {"objective": objective}
    if rich:
        rules["no_isolation"] = ["gender"] if rng.random() < 0.5 else []
        rules["same_locality"] = rng.random() < 0.5
        rules["fallback_rank"] = rng.choice([None, None, 2, 4])
        if rng.random() < 0.3:
            rules["together"] = [rng.sample(ids, 2)]
        if rng.random() < 0.3:
            rules["apart"] = [rng.sample(ids, 2)]
        if rng.random() < 0.2:
            rules["locked"] = {rng.choice(ids): rng.choice(projects)}
    else:
        rules["fallback_rank"] = None
    if objective == "rank_cost" and rng.random() < 0.4:  # drawn last: the rest of the problem is as before
        costs = [rng.randint(0, 3)]
        for _ in range(rng.randint(0, 3)):
            costs.append(costs[-1] + rng.randint(1, 6))
        rules["rank_costs"] = costs
    return {"students": students, "projects": projs, "partners": partners, "rules": rules}


def all_assignments(problem: Problem, *, everyone: bool = False) -> list[dict[str, str]]:
    """Every student -> project map (unassigned allowed unless ``everyone``)."""
    options: list[str | None] = [p.id for p in problem.projects]
    if not everyone:
        options.append(None)
    ids = [s.id for s in problem.students]
    out = []
    for combo in itertools.product(options, repeat=len(ids)):
        out.append({s: p for s, p in zip(ids, combo, strict=True) if p is not None})
    return out


def lexkey(problem: Problem, assignment: dict[str, str], objective: str) -> tuple[float, ...]:
    """The solver's lexicographic objective: unassigned first, then the mode's criterion."""
    unassigned = len(problem.students) - len(assignment)
    ranks = [effective_rank(problem, s, p) for s, p in assignment.items()]
    locked = problem.rules.locked
    free_ranks = [effective_rank(problem, s, p) for s, p in assignment.items() if s not in locked]
    levels = range(2, max([problem.max_rank + 1, *ranks, 1]) + 1)
    at_least = [sum(1 for r in free_ranks if r >= k) for k in levels]
    if objective in ("rank_cost", "first_choice"):
        return (unassigned, sum(problem.rules.cost_of(r) for r in ranks))
    if objective == "greedy":
        return (unassigned, *at_least)
    return (unassigned, *reversed(at_least))


def brute_force_best(problem: Problem, objective: str) -> tuple[float, ...] | None:
    best = None
    for a in all_assignments(problem):
        if check(problem, a):
            continue
        k = lexkey(problem, a, objective)
        if best is None or k < best:
            best = k
    return best
