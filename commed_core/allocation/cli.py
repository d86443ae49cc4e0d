"""``allocate PROBLEM.json --out RESULT.json [--time-limit S]``: the command-line front end."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .problem import ProblemError, parse_problem
from .solution import InfeasibleError
from .solver import solve

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Exit codes: 0 solved, 2 invalid input (messages on stderr), 3 the hard rules conflict."""
    ap = argparse.ArgumentParser(prog="allocate", description="Allocate students to community projects.")
    ap.add_argument("problem", type=Path, help="problem JSON (format: commed_core/allocation/README.md)")
    ap.add_argument("--out", type=Path, required=True, help="where to write the result JSON")
    ap.add_argument("--time-limit", type=float, default=30.0, help="seconds for the optimiser (default 30)")
    args = ap.parse_args(argv)
    try:
        data = json.loads(args.problem.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        print(f"error: cannot read {args.problem}: {exc}", file=sys.stderr)
        return 2
    try:
        problem = parse_problem(data)
    except ProblemError as exc:
        for msg in exc.errors:
            print(f"error: {msg}", file=sys.stderr)
        return 2
    try:
        solution = solve(problem, time_limit=args.time_limit)
    except InfeasibleError as exc:
        for c in exc.conflicts:
            print(f"conflict: {c.message}", file=sys.stderr)
        return 3
    args.out.write_text(solution.to_json(indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
