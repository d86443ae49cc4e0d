from __future__ import annotations

import datetime as dt

import time_machine
from django.core.management import call_command

from commed.audit.models import Action, AuditEvent
from commed.outreach import retention, services
from commed.outreach.models import Concern, ConsentPurpose, MentoringSession, Pupil, PupilStatus, RetentionRun
from commed.outreach.tests.world import make_programme, make_pupil, make_school


def at(year, month, day):
    return time_machine.travel(dt.datetime(year, month, day, 12, tzinfo=dt.UTC), tick=False)


def _two_pupils():
    programme = make_programme(starts_on=dt.date(2025, 9, 1), ends_on=dt.date(2026, 6, 30))
    school = make_school()
    tracked = make_pupil(programme, school, first_name="Tracked")
    untracked = make_pupil(programme, school, first_name="Untracked", email="u@pupil.example.org")
    services.consent_withdraw(actor=None, pupil=untracked, purpose=ConsentPurpose.DATA_LINKAGE)
    return tracked, untracked


def test_contact_details_go_three_years_after_the_last_activity_unless_tracking_consent(personas):
    with at(2026, 1, 15):
        tracked, untracked = _two_pupils()
    with at(2029, 1, 14):
        retention.apply()
        untracked.refresh_from_db()
        assert untracked.email == "u@pupil.example.org"  # one day early: nothing yet
    with at(2029, 1, 15):
        lines = retention.apply()
    untracked.refresh_from_db()
    tracked.refresh_from_db()
    assert (untracked.email, untracked.phone, untracked.home_postcode, untracked.guardian_name) == ("", "", "", "")
    assert untracked.imd_decile == tracked.imd_decile  # derived area measures stay
    assert tracked.email == "amina@pupil.example.org"
    assert "outreach: contact details of 1 pupils deleted" in lines
    # With consent to tracking: kept until four years after the programme ended.
    with at(2030, 6, 29):
        retention.apply()
        tracked.refresh_from_db()
        assert tracked.email
    with at(2030, 6, 30):
        retention.apply()
        tracked.refresh_from_db()
        assert tracked.email == "" and tracked.contact_deleted_at is not None
    assert AuditEvent.objects.filter(action=Action.RETENTION, object_type="outreach.Pupil").count() == 2


def test_a_later_activity_postpones_the_deletion(personas):
    with at(2026, 1, 15):
        _, untracked = _two_pupils()
    with at(2027, 5, 1):
        activity = services.activity_create(actor=personas.coordinator, programme=untracked.programme,
                                            kind="event", title="Open day", on=dt.date(2027, 5, 1), capacity=5)
        registration = services.registration_add(actor=personas.coordinator, activity=activity, pupil=untracked)
        services.attendance_set(actor=personas.coordinator, registration=registration, attended=True)
    with at(2029, 6, 1):
        retention.apply()
        untracked.refresh_from_db()
        assert untracked.email
    with at(2030, 5, 1):
        retention.apply()
        untracked.refresh_from_db()
        assert untracked.email == ""


def test_applicants_not_taken_up_are_deleted_after_a_year_unless_kept_as_comparators(personas):
    with at(2026, 1, 15):
        programme = make_programme(starts_on=dt.date(2025, 9, 1), ends_on=dt.date(2026, 6, 30))
        school = make_school()
        comparator = make_pupil(programme, school, first_name="Comparator", accept=False)
        services.pupil_decide(actor=personas.coordinator, pupil=comparator, status=PupilStatus.DECLINED)
        gone = make_pupil(programme, school, first_name="Gone", accept=False, consent=False)
        services.pupil_decide(actor=personas.coordinator, pupil=gone, status=PupilStatus.DECLINED)
    with at(2027, 1, 15):
        retention.apply()
    assert set(Pupil.objects.values_list("first_name", flat=True)) == {"Comparator"}


def test_session_notes_and_closed_concerns_follow_their_own_rules(personas):
    with at(2026, 1, 15):
        from commed.outreach.tests.world import world

        w = world(personas)
        session = services.session_log(actor=personas.student, match=w.match_a, held_on=dt.date(2026, 1, 14),
                                       minutes=40, notes="Talked about personal statements")
        services.concern_close(actor=personas.coordinator, concern=w.concern, outcome="Spoke to the school")
    with at(2028, 1, 13):
        retention.apply()
        session.refresh_from_db()
        assert session.notes
    with at(2028, 1, 14):
        retention.apply()
        session.refresh_from_db()
        assert session.notes == "" and session.minutes == 40
        assert Concern.objects.filter(pk=w.concern.pk).exists()
    birthday_25 = w.pupil_a.date_of_birth.replace(year=w.pupil_a.date_of_birth.year + 25)
    with at(birthday_25.year, birthday_25.month, birthday_25.day):
        retention.apply()
    assert not Concern.objects.filter(pk=w.concern.pk).exists()
    assert MentoringSession.objects.filter(pk=session.pk).exists()


def test_the_daily_command_logs_each_rule(personas, capsys):
    call_command("outreach_retention")
    out = capsys.readouterr().out
    assert "outreach: contact details of 0 pupils deleted" in out
    assert "outreach: 0 closed safeguarding concerns deleted" in out
    assert RetentionRun.objects.get().lines == out.strip().splitlines()
