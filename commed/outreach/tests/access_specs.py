"""Pupil records: the outreach coordinator only among the personas (the safeguarding lead is a per-user flag that
no persona holds: see test_access.py). Mentor pages: the `student` persona, who is made a mentor in the world;
`outsider` (a student who is not a mentor) gets 404 like everyone else."""

from __future__ import annotations

from typing import Any

from commed.lib.access_specs import UrlSpec
from commed.outreach.tests.world import world

COORD = frozenset({"coordinator"})
MENTOR = frozenset({"student"})


def programme(p: Any, name: str) -> dict[str, Any]:
    return {"pk": world(p).programme.pk}


def pupil(p: Any, name: str) -> dict[str, Any]:
    return {"pk": world(p).pupil_a.pk}


def other_pupil(p: Any, name: str) -> dict[str, Any]:
    return {"pk": world(p).pupil_b.pk}


def built(p: Any, name: str) -> dict[str, Any]:
    world(p)
    return {}


SPECS = [
    UrlSpec("outreach:dashboard", allowed=COORD, own=built),
    UrlSpec("outreach:programme_create", allowed=COORD),
    UrlSpec("outreach:programme_detail", allowed=COORD, own=programme),
    UrlSpec("outreach:programme_rules", allowed=COORD, own=programme),
    UrlSpec("outreach:referral_link", allowed=COORD, own=programme),
    UrlSpec("outreach:pupil_create", allowed=COORD, own=programme),
    UrlSpec("outreach:activity_create", allowed=COORD, own=programme),
    UrlSpec("outreach:placement_create", allowed=COORD, own=programme),
    UrlSpec("outreach:matching", allowed=COORD, own=programme),
    UrlSpec("outreach:export_list", allowed=COORD, own=programme),
    UrlSpec("outreach:export", allowed=COORD, own=lambda p, n: {**programme(p, n), "kind": "participants"}),
    UrlSpec("outreach:apply", allowed=frozenset(), own=programme, public=True),
    UrlSpec("outreach:pupil_detail", allowed=COORD, own=pupil),
    UrlSpec("outreach:pupil_decide", allowed=COORD, own=pupil, method="post", data=lambda p: {"status": "accepted"},
            ok_status=(302,)),
    UrlSpec("outreach:consent_record", allowed=COORD, own=pupil),
    UrlSpec("outreach:consent_withdraw", allowed=COORD, own=pupil, method="post",
            data=lambda p: {"purpose": "photographs"}, ok_status=(302,)),
    UrlSpec("outreach:certificate", allowed=COORD, own=pupil),
    UrlSpec("outreach:survey_send", allowed=COORD, own=pupil, method="post", data=lambda p: {"point": "6m"},
            ok_status=(302,)),
    # A mentor may raise a concern about their own mentee only; coordinators about any pupil.
    UrlSpec("outreach:concern_raise", allowed=COORD | MENTOR, own=pupil, foreign=other_pupil, sees_all=COORD),
    UrlSpec("outreach:activity_detail", allowed=COORD, own=lambda p, n: {"pk": world(p).activity.pk}),
    UrlSpec("outreach:register", allowed=COORD, own=lambda p, n: {"pk": world(p).activity.pk}),
    UrlSpec("outreach:attendance_toggle", allowed=COORD, own=lambda p, n: {"pk": world(p).registration.pk},
            method="post", ok_status=(302,)),
    UrlSpec("outreach:placement_detail", allowed=COORD, own=lambda p, n: {"pk": world(p).placement.pk}),
    UrlSpec("outreach:mentor_list", allowed=COORD, own=built),
    UrlSpec("outreach:mentor_create", allowed=COORD),
    UrlSpec("outreach:mentor_edit", allowed=COORD, own=lambda p, n: {"pk": world(p).mentor.pk}),
    UrlSpec("outreach:match_end", allowed=COORD, own=lambda p, n: {"pk": world(p).match_b.pk}, method="post",
            ok_status=(302,)),
    UrlSpec("outreach:my_mentees", allowed=MENTOR, own=built),
    UrlSpec("outreach:session_log", allowed=MENTOR, own=lambda p, n: {"pk": world(p).match_a.pk},
            foreign=lambda p, n: {"pk": world(p).match_b.pk}),
    # Only designated safeguarding leads, and no persona is one.
    UrlSpec("outreach:concern_list", allowed=frozenset(), own=built),
    UrlSpec("outreach:concern_detail", allowed=frozenset(), own=lambda p, n: {"pk": world(p).concern.pk}),
]
