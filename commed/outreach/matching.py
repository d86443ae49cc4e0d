"""Mentor matching through the allocation engine (commed_core.allocation).

The problem handed to the engine: students = pupils waiting for a mentor, each ranking every cleared mentor by
fit; projects = mentors (min 0, max = the places they have left, may close); partners = one per mentor with the
same capacity. Fit: 2 points per shared interest, 2 per shared language other than English, 1 when the mentor's
postcode district is the school's. Only mentors whose DBS check and safeguarding training are current today enter
the problem, so the engine can never propose an uncleared mentor. The proposals are only proposals: a coordinator
confirms each one, and `services.match_create` checks the rule again at that moment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from commed.outreach.lookups import postcode_district
from commed.outreach.mentoring import mentor_cleared
from commed.outreach.models import Mentor, MentorMatch, OutreachProgramme, Pupil
from commed.outreach.selectors import pupils_available


def _terms(value: str) -> set[str]:
    return {part.strip().lower() for part in value.replace(";", ",").split(",") if part.strip()}


def fit_score(*, mentor: Mentor, pupil: Pupil) -> int:
    interests = len(_terms(mentor.interests) & _terms(pupil.interests))
    languages = len((_terms(mentor.languages) & _terms(pupil.languages)) - {"en"})
    locality = postcode_district(pupil.school.postcode) or pupil.school.postcode.strip().upper()
    same_place = bool(mentor.locality) and mentor.locality.strip().upper() == locality
    return 2 * interests + 2 * languages + (1 if same_place else 0)


def _mentor_id(mentor: Mentor) -> str:
    return f"mentor-{mentor.pk}"


def _pupil_id(pupil: Pupil) -> str:
    return f"pupil-{pupil.pk}"


def problem_build(*, programme: OutreachProgramme, today: dt.date | None = None) -> dict[str, Any]:
    """The allocation problem (the engine's JSON format) for the pupils of `programme` still without a mentor."""
    today = today or timezone.localdate()
    mentors = [
        mentor
        for mentor in Mentor.objects.filter(active=True).select_related("user").annotate(
            taken=Count("matches", filter=Q(matches__ended_at__isnull=True))
        ).order_by("pk")
        if mentor_cleared(mentor, today) and mentor.capacity - mentor.taken > 0
    ]
    pupils = list(
        pupils_available(programme=programme)
        .exclude(Exists(MentorMatch.objects.filter(pupil=OuterRef("pk"), ended_at__isnull=True)))
        .order_by("pk")
    )
    students = []
    for pupil in pupils:
        ranked = sorted(mentors, key=lambda m: (-fit_score(mentor=m, pupil=pupil), m.pk))
        students.append({"id": _pupil_id(pupil), "preferences": [_mentor_id(m) for m in ranked]})
    left = {m.pk: m.capacity - m.taken for m in mentors}
    return {
        "students": [s for s in students if s["preferences"]],
        "projects": [
            {"id": _mentor_id(m), "partner": f"partner-{m.pk}", "min": 0, "max": left[m.pk], "may_close": True}
            for m in mentors
        ],
        "partners": [{"id": f"partner-{m.pk}", "capacity": left[m.pk]} for m in mentors],
    }


def allocate(problem: dict[str, Any]) -> dict[str, str]:
    """The one line of wiring to the engine: student id -> project id."""
    from commed_core.allocation import parse_problem, solve

    return dict(solve(parse_problem(problem), time_limit=10.0).assignment)


@dataclass(frozen=True)
class Proposal:
    pupil: Pupil
    mentor: Mentor
    score: int


def mentor_match_propose(*, programme: OutreachProgramme, today: dt.date | None = None) -> list[Proposal]:
    """Proposed matches for a coordinator to confirm (nothing is saved)."""
    problem = problem_build(programme=programme, today=today)
    if not problem["students"] or not problem["projects"]:
        return []
    assignment = allocate(problem)
    pupils = {_pupil_id(p): p for p in Pupil.objects.filter(
        pk__in=[int(s["id"].split("-")[1]) for s in problem["students"]]).select_related("school")}
    mentors = {_mentor_id(m): m for m in Mentor.objects.filter(
        pk__in=[int(p["id"].split("-")[1]) for p in problem["projects"]]).select_related("user")}
    proposals = [
        Proposal(pupil=pupils[sid], mentor=mentors[pid], score=fit_score(mentor=mentors[pid], pupil=pupils[sid]))
        for sid, pid in sorted(assignment.items(), key=lambda item: int(item[0].split("-")[1]))
    ]
    return proposals
