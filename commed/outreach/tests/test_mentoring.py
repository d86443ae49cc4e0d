from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from commed.accounts.models import Role
from commed.outreach import matching, services
from commed.outreach.mentoring import mentor_problems
from commed.outreach.models import Mentor
from commed.outreach.selectors import matches_flagged
from commed.outreach.tests.world import cleared_mentor, make_programme, make_pupil, make_school
from conftest import make_user

TODAY = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)


def _mentor(name, **extra) -> Mentor:
    return cleared_mentor(make_user(name, Role.STUDENT), **extra)


@pytest.fixture
def setting(db, personas):
    with time_machine.travel(TODAY, tick=False):
        school = make_school()
        programme = make_programme()
        yield personas, school, programme


def test_a_mentor_whose_dbs_check_expired_cannot_be_matched(setting):
    personas, school, programme = setting
    with time_machine.travel(TODAY, tick=False):
        pupil = make_pupil(programme, school)
        mentor = _mentor("m1", dbs_issued_on=dt.date(2023, 3, 2))  # three years ago today: expired today
        with pytest.raises(ValidationError, match="DBS check expired on 02 Mar 2026"):
            services.match_create(actor=personas.coordinator, mentor=mentor, pupil=pupil)
        assert not pupil.mentor_matches.exists()


def test_the_update_service_keeps_a_dbs_check_current_while_it_is_checked(setting):
    with time_machine.travel(TODAY, tick=False):
        mentor = _mentor("m1", dbs_issued_on=dt.date(2021, 1, 10), dbs_update_service=True,
                         dbs_update_checked_on=dt.date(2025, 9, 1))
        assert mentor_problems(mentor, dt.date(2026, 3, 2)) == []
        assert "DBS check expired on 01 Sep 2026" in mentor_problems(mentor, dt.date(2026, 9, 1))


def test_a_basic_check_or_missing_training_is_not_enough(setting):
    with time_machine.travel(TODAY, tick=False):
        basic = _mentor("m1", dbs_enhanced=False)
        untrained = _mentor("m2", safeguarding_training_on=None)
        stale = _mentor("m3", safeguarding_training_on=dt.date(2024, 3, 1))
        day = dt.date(2026, 3, 2)
        assert mentor_problems(basic, day) == ["no enhanced DBS check on record"]
        assert mentor_problems(untrained, day) == ["no safeguarding training on record"]
        assert mentor_problems(stale, day) == ["safeguarding training expired on 01 Mar 2026"]


def test_existing_matches_are_flagged_once_the_check_expires(setting):
    personas, school, programme = setting
    with time_machine.travel(TODAY, tick=False):
        pupil = make_pupil(programme, school)
        mentor = _mentor("m1", dbs_issued_on=dt.date(2023, 6, 1))
        match = services.match_create(actor=personas.coordinator, mentor=mentor, pupil=pupil)
        assert matches_flagged() == []
    with time_machine.travel(dt.datetime(2026, 6, 2, 10, tzinfo=dt.UTC), tick=False):
        flagged = matches_flagged()
        assert [item.match for item in flagged] == [match]
        assert flagged[0].problems == ["DBS check expired on 01 Jun 2026"]
        services.match_end(actor=personas.coordinator, match=match, reason="DBS lapsed")
        assert matches_flagged() == []


def test_a_mentor_takes_no_more_pupils_than_their_capacity(setting):
    personas, school, programme = setting
    with time_machine.travel(TODAY, tick=False):
        mentor = _mentor("m1", capacity=1)
        services.match_create(actor=personas.coordinator, mentor=mentor, pupil=make_pupil(programme, school))
        with pytest.raises(ValidationError, match="already mentors 1"):
            services.match_create(actor=personas.coordinator, mentor=mentor,
                                  pupil=make_pupil(programme, school, first_name="Zara"))
        with pytest.raises(ValidationError, match="1 to 3"):
            _mentor("m2", capacity=4)


def test_only_cleared_mentors_with_places_enter_the_allocation_problem(setting):
    _, school, programme = setting
    with time_machine.travel(TODAY, tick=False):
        pupil = make_pupil(programme, school, interests="nursing", languages="bn")
        make_pupil(programme, school, first_name="Unconsented", consent=False)
        make_pupil(programme, school, first_name="Waiting", accept=False)
        good = _mentor("m1", interests="nursing, medicine", languages="en, bn", capacity=3, locality="")
        near = _mentor("m2", interests="medicine", locality="SE8")
        _mentor("m3", dbs_issued_on=dt.date(2022, 1, 1))  # expired: never in the problem
        problem = matching.problem_build(programme=programme)
    assert problem["students"] == [
        {"id": f"pupil-{pupil.pk}", "preferences": [f"mentor-{good.pk}", f"mentor-{near.pk}"]}]
    assert [p["id"] for p in problem["projects"]] == [f"mentor-{good.pk}", f"mentor-{near.pk}"]
    assert problem["projects"][0] == {"id": f"mentor-{good.pk}", "partner": f"partner-{good.pk}", "min": 0,
                                      "max": 3, "may_close": True}
    assert matching.fit_score(mentor=good, pupil=pupil) == 4  # one interest, one language other than English
    assert matching.fit_score(mentor=near, pupil=pupil) == 1  # same district as the school (SE8)


def test_the_engine_proposes_matches_that_the_coordinator_confirms(setting):
    personas, school, programme = setting
    with time_machine.travel(TODAY, tick=False):
        pupils = [make_pupil(programme, school, first_name=f"P{i}", interests=interest)
                  for i, interest in enumerate(["nursing", "medicine", "pharmacy"])]
        nurse = _mentor("m1", interests="nursing", capacity=1)
        doctor = _mentor("m2", interests="medicine", capacity=2)
        proposals = matching.mentor_match_propose(programme=programme)
        assert {(p.pupil.first_name, p.mentor.pk) for p in proposals} >= {("P0", nurse.pk), ("P1", doctor.pk)}
        assert len(proposals) == 3
        for proposal in proposals:
            services.match_create(actor=personas.coordinator, mentor=proposal.mentor, pupil=proposal.pupil)
        assert all(p.mentor_matches.filter(ended_at__isnull=True).count() == 1 for p in pupils)
        assert matching.mentor_match_propose(programme=programme) == []
