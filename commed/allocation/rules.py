"""The rules a lead sets for one allocation run, in database ids, and their JSON form stored with the run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OBJECTIVES = (
    ("rank_cost", "Fewest poor choices (rank cost: nobody gets a low choice needlessly)"),
    ("first_choice", "Most first choices while keeping nearly everyone in their top 3"),
    ("greedy", "Most first choices, then most second choices..."),
    ("generous", "Fewest students on their worst choice"),
    ("stable", "Stable matching with the partners' rankings (group rules are only reported, not enforced)"),
)
DEFAULT_TIME_LIMIT = 30.0


def objective_label(objective: str) -> str:
    """The objective in words, as the run form offers it."""
    return dict(OBJECTIVES).get(objective, objective)


@dataclass(frozen=True)
class RunRules:
    no_isolation: tuple[str, ...] = ()
    same_locality: bool = False
    partner_capacity: bool = True
    together: tuple[tuple[int, ...], ...] = ()  # student user ids
    apart: tuple[tuple[int, int], ...] = ()
    locked: dict[int, int] = field(default_factory=dict)  # student user id -> project id
    fallback_rank: int | None = None
    objective: str = "rank_cost"
    time_limit: float = DEFAULT_TIME_LIMIT
    rank_costs: tuple[int, ...] | None = None  # the lead's own cost of a 1st, 2nd ... choice (rank_cost only)

    def to_json(self) -> dict[str, Any]:
        return {
            "no_isolation": list(self.no_isolation),
            "same_locality": self.same_locality,
            "partner_capacity": self.partner_capacity,
            "together": [list(group) for group in self.together],
            "apart": [list(pair) for pair in self.apart],
            "locked": {str(student): project for student, project in sorted(self.locked.items())},
            "fallback_rank": self.fallback_rank,
            "objective": self.objective,
            "time_limit": self.time_limit,
            "rank_costs": list(self.rank_costs) if self.rank_costs is not None else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunRules:
        fallback = data.get("fallback_rank")
        costs = data.get("rank_costs")
        return cls(
            no_isolation=tuple(str(a) for a in data.get("no_isolation", ())),
            same_locality=bool(data.get("same_locality", False)),
            partner_capacity=bool(data.get("partner_capacity", True)),
            together=tuple(tuple(int(s) for s in group) for group in data.get("together", ())),
            apart=tuple((int(pair[0]), int(pair[1])) for pair in data.get("apart", ())),
            locked={int(s): int(p) for s, p in dict(data.get("locked", {})).items()},
            fallback_rank=int(fallback) if fallback is not None else None,
            objective=str(data.get("objective", "rank_cost")),
            time_limit=float(data.get("time_limit", DEFAULT_TIME_LIMIT)),
            rank_costs=tuple(int(c) for c in costs) if costs is not None else None,
        )


def student_key(pk: int) -> str:
    return f"u{pk}"


def project_key(pk: int) -> str:
    return f"p{pk}"


def key_pk(key: str) -> int:
    return int(key[1:])
