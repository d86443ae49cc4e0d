"""Result types: :class:`Solution`, :class:`Violation`, :class:`Conflict`, :class:`MoveResult`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Conflict", "InfeasibleError", "MoveResult", "Solution", "Violation"]


@dataclass(frozen=True, order=True)
class Violation:
    """A broken hard rule. ``rule`` is a rule key (see README), ``subject`` the project/student/pair."""

    rule: str
    subject: str
    message: str


@dataclass(frozen=True)
class Conflict:
    """A set of rules that cannot all hold; dropping any one of ``groups`` removes this conflict.

    ``groups`` are ``(rule, subject)`` keys in the same vocabulary as :class:`Violation`, plus
    ``("placement", student)`` for "this student must be placed".
    """

    message: str
    groups: tuple[tuple[str, str], ...]


class InfeasibleError(ValueError):
    """The hard rules cannot be met at all; ``conflicts`` explains why (never just "infeasible")."""

    def __init__(self, conflicts: list[Conflict]) -> None:
        self.conflicts = conflicts
        super().__init__(
            "the hard rules cannot all be met:\n" + "\n".join(f"- {c.message}" for c in conflicts)
        )


@dataclass(frozen=True)
class MoveResult:
    """What happens if a lead moves one student by hand (see :func:`evaluate_move`)."""

    student: str
    from_project: str | None
    to_project: str | None
    violations: list[Violation]  # broken rules touching the move, after it
    new_violations: list[Violation]  # of which these were not broken before
    cost_delta: float  # change of the rank cost (rank^2; unranked at fallback_rank); negative = better
    rank_before: int | None
    rank_after: int | None


@dataclass
class Solution:
    """An allocation. ``profile[i]`` counts students on their (i+1)-th choice; ``profile[-1]`` counts
    students placed in a project they did not rank (fallback); unassigned students are in ``unassigned``."""

    assignment: dict[str, str]
    unassigned: dict[str, str]
    closed: list[str]
    profile: list[int]
    stats: dict[str, Any]
    optimal: bool
    gap: float
    explanations: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    objective: str = "rank_cost"

    def to_dict(self, *, timing: bool = True) -> dict[str, Any]:
        stats = dict(self.stats)
        if not timing:
            stats.pop("time_seconds", None)
        return {
            "objective": self.objective,
            "assignment": dict(self.assignment),
            "unassigned": dict(self.unassigned),
            "closed": list(self.closed),
            "profile": list(self.profile),
            "stats": stats,
            "optimal": self.optimal,
            "gap": self.gap,
            "explanations": dict(self.explanations),
            "warnings": list(self.warnings),
        }

    def to_json(self, *, timing: bool = True, indent: int | None = None) -> str:
        """JSON text; with ``timing=False`` the wall-clock time is left out, so two solves of the same
        input give identical text."""
        return json.dumps(self.to_dict(timing=timing), indent=indent, ensure_ascii=False)
