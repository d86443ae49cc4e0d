"""Allocation engine: place a cohort of students into community-partner projects.

Pure Python over HiGHS (``highspy``). See README.md in this folder for the JSON format, the rules, the
objectives and how the optimiser works.
"""

from __future__ import annotations

from .check import blocking_pairs, check, evaluate_move
from .generator import generate_instance
from .infeasible import explain_infeasible
from .problem import Partner, Problem, ProblemError, Project, Rules, Student, parse_problem, problem_to_dict
from .solution import Conflict, InfeasibleError, MoveResult, Solution, Violation
from .solver import solve

__all__ = [
    "Conflict",
    "InfeasibleError",
    "MoveResult",
    "Partner",
    "Problem",
    "ProblemError",
    "Project",
    "Rules",
    "Solution",
    "Student",
    "Violation",
    "blocking_pairs",
    "check",
    "evaluate_move",
    "explain_infeasible",
    "generate_instance",
    "parse_problem",
    "problem_to_dict",
    "solve",
]
