"""The allocation problem: typed dataclasses and the validating JSON parser.

The JSON format is documented in ``README.md`` next to this file. :func:`parse_problem` checks the whole
input and reports *every* error it finds at once (:class:`ProblemError.errors`), each naming the item.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

__all__ = [
    "COST_OBJECTIVES",
    "FIRST_CHOICE_COSTS",
    "OBJECTIVES",
    "Objective",
    "Partner",
    "Problem",
    "ProblemError",
    "Project",
    "Rules",
    "Student",
    "parse_problem",
    "problem_to_dict",
]

Objective = Literal["rank_cost", "first_choice", "greedy", "generous", "stable"]
OBJECTIVES: tuple[str, ...] = ("rank_cost", "first_choice", "greedy", "generous", "stable")
# The objectives that minimise a sum of per-rank costs (after unassigned), with the costs of ``Rules.cost_of``.
COST_OBJECTIVES: tuple[str, ...] = ("rank_cost", "first_choice")
# first_choice: a 1st choice costs nothing, a 2nd 5, a 3rd 6, a 4th 15, a 5th 20, then +5 a rank. The step
# from 1st to 2nd (5) is worth five 2nd-to-3rd steps, so first choices count most; leaving the top 3 (+9) is
# dearer still, so nobody drops out of their top 3 to give someone else a first choice unless it gives
# two of them theirs. On the benchmark instances: 76.0% 1st / 99.7% top 3 at N = 1,000 (rank**2: 71.0% /
# 99.7%), see bench/RESULTS.md. Not convex, on purpose: no convex cost reaches that share of first choices.
FIRST_CHOICE_COSTS: tuple[int, ...] = (0, 5, 6, 15, 20, 25)
MAX_RANK_COSTS = 100


class ProblemError(ValueError):
    """Invalid problem input; ``errors`` lists every problem found, each naming the offending item."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors: list[str] = list(errors)
        super().__init__("invalid allocation problem:\n" + "\n".join(f"- {e}" for e in self.errors))


@dataclass(frozen=True)
class Student:
    id: str
    preferences: tuple[str, ...]
    locality: str | None = None
    languages: frozenset[str] = frozenset()
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Project:
    id: str
    partner: str
    min: int
    max: int
    locality: str | None = None
    requires_languages: Mapping[str, int] = field(default_factory=dict)
    may_close: bool = False


@dataclass(frozen=True)
class Partner:
    id: str
    capacity: int | None = None  # None: no cap beyond the sum of its projects' maxima
    preferences: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rules:
    no_isolation: tuple[str, ...] = ()
    same_locality: bool = False
    together: tuple[tuple[str, ...], ...] = ()
    apart: tuple[tuple[str, str], ...] = ()
    locked: Mapping[str, str] = field(default_factory=dict)
    fallback_rank: int | None = None
    objective: Objective = "rank_cost"
    rank_costs: tuple[int, ...] | None = None  # rank_cost only; None: rank**2

    def cost_of(self, rank: int) -> int:
        """The cost of a placement at ``rank`` (1 = first choice) under a cost objective: ``rank_costs``
        when given (past its end, each further rank adds its last step, at least 1), the first_choice
        costs for that objective, else rank**2. Always an integer, strictly increasing in the rank."""
        costs = FIRST_CHOICE_COSTS if self.objective == "first_choice" else self.rank_costs
        if costs is None:
            return rank * rank
        if rank <= len(costs):
            return costs[rank - 1]
        step = max(costs[-1] - costs[-2], 1) if len(costs) >= 2 else 1
        return costs[-1] + step * (rank - len(costs))


@dataclass(frozen=True)
class Problem:
    """A validated problem. Lists keep input order, which fixes every tie-break (determinism)."""

    students: tuple[Student, ...]
    projects: tuple[Project, ...]
    partners: tuple[Partner, ...]
    rules: Rules = field(default_factory=Rules)

    student_index: dict[str, int] = field(init=False, repr=False, compare=False)
    project_index: dict[str, int] = field(init=False, repr=False, compare=False)
    partner_index: dict[str, int] = field(init=False, repr=False, compare=False)
    _partner_caps: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "student_index", {s.id: i for i, s in enumerate(self.students)})
        object.__setattr__(self, "project_index", {p.id: i for i, p in enumerate(self.projects)})
        object.__setattr__(self, "partner_index", {c.id: i for i, c in enumerate(self.partners)})
        totals: dict[str, int] = {}
        for p in self.projects:
            totals[p.partner] = totals.get(p.partner, 0) + p.max
        caps = {
            c.id: totals.get(c.id, 0) if c.capacity is None else min(c.capacity, totals.get(c.id, 0))
            for c in self.partners
        }
        object.__setattr__(self, "_partner_caps", caps)

    def student(self, sid: str) -> Student:
        return self.students[self.student_index[sid]]

    def project(self, pid: str) -> Project:
        return self.projects[self.project_index[pid]]

    def partner(self, cid: str) -> Partner:
        return self.partners[self.partner_index[cid]]

    def rank(self, sid: str, pid: str) -> int | None:
        """1-based position of ``pid`` in the student's list, or None when not ranked."""
        prefs = self.student(sid).preferences
        return prefs.index(pid) + 1 if pid in prefs else None

    def locality_allows(self, sid: str, pid: str) -> bool:
        """The same-locality rule: only binds when it is on and both sides have a locality."""
        if not self.rules.same_locality:
            return True
        a = self.students[self.student_index[sid]].locality
        b = self.projects[self.project_index[pid]].locality
        return a is None or b is None or a == b

    def partner_capacity(self, cid: str) -> int:
        """Effective capacity: the partner's cap, or the sum of its projects' maxima when lower."""
        return self._partner_caps[cid]

    @property
    def max_rank(self) -> int:
        """Number of rank levels: longest preference list, or the fallback rank when larger."""
        longest = max((len(s.preferences) for s in self.students), default=0)
        return max(longest, self.rules.fallback_rank or 0, 1)


# ---------------------------------------------------------------------------------------------- parsing


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


class _Parser:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def err(self, msg: str) -> None:
        self.errors.append(msg)

    def str_list(self, v: object, where: str) -> list[str]:
        if not isinstance(v, list | tuple):
            self.err(f"{where} must be a list of strings, got {type(v).__name__}")
            return []
        out = []
        for i, x in enumerate(v):
            if isinstance(x, str) and x:
                out.append(x)
            else:
                self.err(f"{where}[{i}] must be a non-empty string, got {x!r}")
        return out

    def ident(self, item: Mapping[str, Any], kind: str, i: int) -> str | None:
        v = item.get("id")
        if not isinstance(v, str) or not v:
            self.err(f"{kind} #{i + 1} has no valid 'id' (non-empty string), got {v!r}")
            return None
        return v

    def opt_str(self, v: object, where: str) -> str | None:
        if v is None or (isinstance(v, str) and v):
            return v
        self.err(f"{where} must be a non-empty string or null, got {v!r}")
        return None

    def nonneg_int(self, v: object, where: str, default: int | None = None) -> int:
        if v is None and default is not None:
            return default
        if not _is_int(v):
            self.err(f"{where} must be an integer, got {v!r}")
            return default or 0
        iv = cast(int, v)
        if iv < 0:
            self.err(f"{where} must not be negative, got {iv}")
            return 0
        return iv


def parse_problem(data: Mapping[str, Any]) -> Problem:
    """Validate ``data`` (the JSON format of README.md) and build a :class:`Problem`.

    Raises :class:`ProblemError` listing every error: unknown ids, duplicate ids, negative capacities,
    ``min > max``, a bad objective, wrong types. Unknown keys are rejected at the top level and in
    ``rules`` (a typo there would silently drop a rule); extra keys on students/projects/partners
    (e.g. a display name) are ignored.
    """
    ps = _Parser()
    if not isinstance(data, Mapping):
        raise ProblemError([f"the problem must be a JSON object, got {type(data).__name__}"])
    for key in data:
        if key not in ("students", "projects", "partners", "rules"):
            ps.err(f"unknown top-level key {key!r}")

    def entries(key: str) -> list[Mapping[str, Any]]:
        raw = data.get(key, [])
        if not isinstance(raw, list):
            ps.err(f"'{key}' must be a list, got {type(raw).__name__}")
            return []
        good = []
        for i, x in enumerate(raw):
            if isinstance(x, Mapping):
                good.append(x)
            else:
                ps.err(f"{key}[{i}] must be an object, got {type(x).__name__}")
        return good

    raw_students, raw_projects, raw_partners = entries("students"), entries("projects"), entries("partners")

    def ids(items: list[Mapping[str, Any]], kind: str) -> set[str]:
        seen: set[str] = set()
        for i, it in enumerate(items):
            v = ps.ident(it, kind, i)
            if v is None:
                continue
            if v in seen:
                ps.err(f"duplicate {kind} id {v!r}")
            seen.add(v)
        return seen

    student_ids = ids(raw_students, "student")
    project_ids = ids(raw_projects, "project")
    partner_ids = ids(raw_partners, "partner")

    partners: list[Partner] = []
    for i, it in enumerate(raw_partners):
        cid = it.get("id")
        if not isinstance(cid, str) or not cid:
            continue
        cap_raw = it.get("capacity")
        cap = None if cap_raw is None else ps.nonneg_int(cap_raw, f"partner {cid!r} capacity")
        prefs = ps.str_list(it.get("preferences", []), f"partner {cid!r} preferences")
        for ranked_sid in prefs:
            if ranked_sid not in student_ids:
                ps.err(f"partner {cid!r} ranks unknown student {ranked_sid!r}")
        if len(set(prefs)) != len(prefs):
            ps.err(f"partner {cid!r} ranks a student twice")
        partners.append(Partner(cid, cap, tuple(prefs)))
        del i

    projects: list[Project] = []
    for it in raw_projects:
        pid = it.get("id")
        if not isinstance(pid, str) or not pid:
            continue
        where = f"project {pid!r}"
        partner = it.get("partner")
        if not isinstance(partner, str) or partner not in partner_ids:
            ps.err(f"{where} names unknown partner {partner!r}")
        lo = ps.nonneg_int(it.get("min", 0), f"{where} min", default=0)
        hi = ps.nonneg_int(it.get("max"), f"{where} max")
        if lo > hi:
            ps.err(f"{where} has min {lo} greater than max {hi}")
        loc = ps.opt_str(it.get("locality"), f"{where} locality")
        requires = it.get("requires", {}) or {}
        langs: dict[str, int] = {}
        if not isinstance(requires, Mapping):
            ps.err(f"{where} 'requires' must be an object")
        else:
            for k in requires:
                if k != "languages":
                    ps.err(f"{where} has unknown requirement {k!r} (only 'languages')")
            lr = requires.get("languages", {}) or {}
            if not isinstance(lr, Mapping):
                ps.err(f"{where} requires.languages must map language -> number of speakers")
            else:
                for lang, k in lr.items():
                    n = ps.nonneg_int(k, f"{where} requires.languages[{lang!r}]")
                    if n > hi:
                        ps.err(f"{where} requires {n} speakers of {lang!r} but its max is {hi}")
                    if n:
                        langs[str(lang)] = n
        may_close = it.get("may_close", False)
        if not isinstance(may_close, bool):
            ps.err(f"{where} may_close must be true or false, got {may_close!r}")
            may_close = False
        projects.append(
            Project(pid, partner if isinstance(partner, str) else "", lo, hi, loc, langs, may_close)
        )

    students: list[Student] = []
    for it in raw_students:
        sid = it.get("id")
        if not isinstance(sid, str) or not sid:
            continue
        where = f"student {sid!r}"
        prefs = ps.str_list(it.get("preferences", []), f"{where} preferences")
        for ranked in prefs:
            if ranked not in project_ids:
                ps.err(f"{where} ranks project {ranked!r}, which does not exist")
        if len(set(prefs)) != len(prefs):
            ps.err(f"{where} ranks the same project twice")
        loc = ps.opt_str(it.get("locality"), f"{where} locality")
        langs_l = ps.str_list(it.get("languages", []), f"{where} languages")
        attrs_raw = it.get("attributes", {}) or {}
        attrs: dict[str, str] = {}
        if not isinstance(attrs_raw, Mapping):
            ps.err(f"{where} attributes must be an object")
        else:
            for k, v in attrs_raw.items():
                if v is None:
                    continue
                if not isinstance(v, str | int) or isinstance(v, bool):
                    ps.err(f"{where} attribute {k!r} must be a string, got {v!r}")
                    continue
                attrs[str(k)] = str(v)
        students.append(Student(sid, tuple(prefs), loc, frozenset(langs_l), attrs))

    rules = _parse_rules(ps, data.get("rules", {}) or {}, student_ids, project_ids)
    if ps.errors:
        raise ProblemError(ps.errors)
    return Problem(tuple(students), tuple(projects), tuple(partners), rules)


def _parse_rules(ps: _Parser, raw: object, student_ids: set[str], project_ids: set[str]) -> Rules:
    if not isinstance(raw, Mapping):
        ps.err("'rules' must be an object")
        return Rules()
    known = (
        "no_isolation", "same_locality", "together", "apart", "locked", "fallback_rank", "objective", "rank_costs",
    )
    for key in raw:
        if key not in known:
            ps.err(f"unknown rule {key!r} (known: {', '.join(known)})")
    no_iso = ps.str_list(raw.get("no_isolation", []), "rules.no_isolation")
    same_loc = raw.get("same_locality", False)
    if not isinstance(same_loc, bool):
        ps.err(f"rules.same_locality must be true or false, got {same_loc!r}")
        same_loc = False

    def groups(key: str, pairs_only: bool) -> list[tuple[str, ...]]:
        v = raw.get(key, [])
        if not isinstance(v, list):
            ps.err(f"rules.{key} must be a list of lists of student ids")
            return []
        out = []
        for i, g in enumerate(v):
            members = ps.str_list(g, f"rules.{key}[{i}]")
            if len(members) < 2 or (pairs_only and len(members) != 2):
                need = "exactly 2" if pairs_only else "at least 2"
                ps.err(f"rules.{key}[{i}] must name {need} students, got {members}")
                continue
            if len(set(members)) != len(members):
                ps.err(f"rules.{key}[{i}] names a student twice: {members}")
                continue
            bad = [m for m in members if m not in student_ids]
            for m in bad:
                ps.err(f"rules.{key}[{i}] names unknown student {m!r}")
            if not bad:
                out.append(tuple(members))
        return out

    together = groups("together", pairs_only=False)
    apart = [(a, b) for a, b in groups("apart", pairs_only=True)]
    locked_raw = raw.get("locked", {}) or {}
    locked: dict[str, str] = {}
    if not isinstance(locked_raw, Mapping):
        ps.err("rules.locked must map student id -> project id")
    else:
        for sid, pid in locked_raw.items():
            if sid not in student_ids:
                ps.err(f"rules.locked names unknown student {sid!r}")
            elif not isinstance(pid, str) or pid not in project_ids:
                ps.err(f"rules.locked: student {sid!r} is locked to unknown project {pid!r}")
            else:
                locked[sid] = pid
    fb = raw.get("fallback_rank")
    if fb is not None and (not _is_int(fb) or cast(int, fb) < 1):
        ps.err(f"rules.fallback_rank must be a positive integer or null, got {fb!r}")
        fb = None
    objective = raw.get("objective", "rank_cost")
    if objective not in OBJECTIVES:
        ps.err(f"rules.objective must be one of {', '.join(OBJECTIVES)}, got {objective!r}")
        objective = "rank_cost"
    rank_costs = _parse_rank_costs(ps, raw.get("rank_costs"), str(objective))
    return Rules(
        tuple(no_iso),
        same_loc,
        tuple(together),
        tuple(apart),
        locked,
        cast(int | None, fb),
        cast(Objective, objective),
        rank_costs,
    )


def _parse_rank_costs(ps: _Parser, raw: object, objective: str) -> tuple[int, ...] | None:
    if raw is None:
        return None
    if objective != "rank_cost":
        ps.err(f"rules.rank_costs applies to the rank_cost objective only, not {objective!r}")
        return None
    if not isinstance(raw, list) or not raw or len(raw) > MAX_RANK_COSTS:
        ps.err(f"rules.rank_costs must be a list of 1 to {MAX_RANK_COSTS} whole numbers, got {raw!r}")
        return None
    costs: list[int] = []
    for i, v in enumerate(raw):
        if not _is_int(v) or cast(int, v) < 0:
            ps.err(f"rules.rank_costs[{i}] (the cost of choice {i + 1}) must be a whole number >= 0, got {v!r}")
            return None
        if costs and cast(int, v) <= costs[-1]:
            ps.err(
                f"rules.rank_costs[{i}] (choice {i + 1}) must cost more than choice {i} ({costs[-1]}), got {v!r}: "
                "otherwise a student could be given a lower choice for nothing"
            )
            return None
        costs.append(cast(int, v))
    return tuple(costs)


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    """The JSON form of ``problem`` (inverse of :func:`parse_problem`)."""
    r = problem.rules
    return {
        "students": [
            {
                "id": s.id,
                "preferences": list(s.preferences),
                "locality": s.locality,
                "languages": sorted(s.languages),
                "attributes": dict(s.attributes),
            }
            for s in problem.students
        ],
        "projects": [
            {
                "id": p.id,
                "partner": p.partner,
                "min": p.min,
                "max": p.max,
                "locality": p.locality,
                "requires": {"languages": dict(p.requires_languages)},
                "may_close": p.may_close,
            }
            for p in problem.projects
        ],
        "partners": [
            {"id": c.id, "capacity": c.capacity, "preferences": list(c.preferences)} for c in problem.partners
        ],
        "rules": {
            "no_isolation": list(r.no_isolation),
            "same_locality": r.same_locality,
            "together": [list(g) for g in r.together],
            "apart": [list(g) for g in r.apart],
            "locked": dict(r.locked),
            "fallback_rank": r.fallback_rank,
            "objective": r.objective,
            **({"rank_costs": list(r.rank_costs)} if r.rank_costs is not None else {}),
        },
    }
