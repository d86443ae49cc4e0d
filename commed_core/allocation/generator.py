"""The benchmark instance generator (documented in README.md, "Benchmark instances")."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["LOCALITIES", "generate_instance"]

LOCALITIES = ("north", "south", "east", "west")


def generate_instance(n: int, seed: int) -> dict[str, Any]:
    """A random problem in the JSON format, deterministic in ``(n, seed)``.

    - ``n`` students, ``P = max(n // 5, 2)`` projects with ``max`` uniform in 4..8, ``min`` 3 and
      ``may_close`` true; projects are dealt round-robin to 4 localities (north, south, east, west).
    - Partners own 2 projects each (the last may own 1), capacity uniform in 0.85..1.0 of the sum of
      their projects' maxima (rounded down, at least the largest project's min).
    - Each student lives in a locality (uniform) and ranks 5 distinct projects of that locality drawn
      with a linear popularity skew: project weights fall linearly from 5 to 1 along the project list,
      so the most popular project is 5x as likely as the least.
    - 15% of students have ``background = "minority"`` (others ``"majority"``); ``no_isolation`` is on
      for ``background``. 20% of students speak Somali (``"so"``, everyone speaks ``"en"``); 10% of
      projects require 1 Somali speaker.
    - Partners rank the students who ranked one of their projects, in random order.
    - Rules: ``same_locality`` on, ``fallback_rank`` 6, objective ``rank_cost``.
    """
    rng = np.random.default_rng(seed)
    n_proj = max(n // 5, 2)
    maxima = rng.integers(4, 9, size=n_proj)
    localities = [LOCALITIES[i % len(LOCALITIES)] for i in range(n_proj)]
    needs_somali = set(rng.choice(n_proj, size=max(1, round(0.10 * n_proj)), replace=False).tolist())
    weights = 5.0 - 4.0 * np.arange(n_proj) / max(n_proj - 1, 1)
    by_loc = {loc: np.array([i for i in range(n_proj) if localities[i] == loc]) for loc in LOCALITIES}
    projects: list[dict[str, Any]] = []
    partners: list[dict[str, Any]] = []
    for c in range((n_proj + 1) // 2):
        owned = list(range(2 * c, min(2 * c + 2, n_proj)))
        total = int(maxima[owned].sum())
        cap = max(int(total * rng.uniform(0.85, 1.0)), 3)
        partners.append({"id": f"c{c + 1}", "capacity": cap, "preferences": []})
        for i in owned:
            projects.append(
                {
                    "id": f"p{i + 1}",
                    "partner": f"c{c + 1}",
                    "min": 3,
                    "max": int(maxima[i]),
                    "locality": localities[i],
                    "requires": {"languages": {"so": 1}} if i in needs_somali else {"languages": {}},
                    "may_close": True,
                }
            )
    students: list[dict[str, Any]] = []
    ranked_by: dict[int, list[str]] = {c: [] for c in range(len(partners))}
    minority = rng.random(n) < 0.15
    somali = rng.random(n) < 0.20
    homes = rng.integers(0, len(LOCALITIES), size=n)
    for s in range(n):
        loc = LOCALITIES[int(homes[s])]
        pool = by_loc[loc]
        if pool.size == 0:
            pool = np.arange(n_proj)
        w = weights[pool] / weights[pool].sum()
        k = min(5, pool.size)
        picks = rng.choice(pool, size=k, replace=False, p=w)
        sid = f"s{s + 1}"
        students.append(
            {
                "id": sid,
                "preferences": [f"p{int(i) + 1}" for i in picks],
                "locality": loc,
                "languages": ["en", "so"] if somali[s] else ["en"],
                "attributes": {"background": "minority" if minority[s] else "majority"},
            }
        )
        for c in sorted({int(i) // 2 for i in picks}):
            ranked_by[c].append(sid)
    for c, sids in ranked_by.items():
        order = rng.permutation(len(sids))
        partners[c]["preferences"] = [sids[i] for i in order]
    return {
        "students": students,
        "projects": projects,
        "partners": partners,
        "rules": {
            "no_isolation": ["background"],
            "same_locality": True,
            "together": [],
            "apart": [],
            "locked": {},
            "fallback_rank": 6,
            "objective": "rank_cost",
        },
    }
