from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from commed.audit.models import Action, AuditEvent
from commed.outreach import exports, services
from commed.outreach.models import ConsentPurpose, PupilStatus
from commed.outreach.selectors import surveys_due
from commed.outreach.tests.world import consent_all, make_programme, make_pupil, make_school, world


def _export_refs(personas, programme, kind="participants"):
    data = exports.outreach_export(actor=personas.coordinator, programme=programme, kind=kind)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    return {row["pupil_ref"] for row in rows}


def test_under_sixteen_on_the_day_needs_a_parent_or_guardian_too(personas):
    with time_machine.travel(dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC), tick=False):
        programme = make_programme()
        pupil = make_pupil(programme, make_school(), consent=False, date_of_birth=dt.date(2010, 3, 1))
        consent_all(pupil, purposes=[ConsentPurpose.PARTICIPATION])
        assert services.guardian_consent_needed(pupil=pupil, on=dt.date(2026, 2, 28))
        assert not services.consent_current(pupil=pupil, purpose=ConsentPurpose.PARTICIPATION)
        # On the sixteenth birthday the pupil's own consent is enough.
        assert services.consent_current(pupil=pupil, purpose=ConsentPurpose.PARTICIPATION, on=dt.date(2026, 3, 1))
        services.consent_record(actor=personas.coordinator, pupil=pupil, purpose=ConsentPurpose.PARTICIPATION,
                                given_by="guardian", given_by_name="Parent", given_on=dt.date(2026, 1, 9))
        assert services.consent_current(pupil=pupil, purpose=ConsentPurpose.PARTICIPATION)


def test_a_programme_may_require_guardian_consent_at_any_age(personas):
    programme = make_programme(guardian_consent_required=True)
    pupil = make_pupil(programme, make_school(), age=17, consent=False)
    consent_all(pupil, purposes=[ConsentPurpose.FOLLOW_UP])
    assert not services.consent_current(pupil=pupil, purpose=ConsentPurpose.FOLLOW_UP)
    with pytest.raises(ValidationError, match="not consented"):
        services.survey_send(actor=personas.coordinator, pupil=pupil, point="6m")


def test_the_query_form_of_consent_agrees_with_the_per_pupil_check(personas):
    from commed.outreach.models import Pupil

    programme = make_programme()
    school = make_school()
    young = make_pupil(programme, school, age=14, consent=False, first_name="Young")
    consent_all(young, purposes=[ConsentPurpose.DATA_LINKAGE])
    older = make_pupil(programme, school, age=17, consent=False, first_name="Older")
    consent_all(older, purposes=[ConsentPurpose.DATA_LINKAGE])
    both = make_pupil(programme, school, age=14, consent=False, first_name="Both")
    consent_all(both, purposes=[ConsentPurpose.DATA_LINKAGE], guardian=True)
    found = set(Pupil.objects.filter(services.pupils_with_consent(ConsentPurpose.DATA_LINKAGE)))
    assert found == {older, both}
    assert found == {p for p in (young, older, both)
                     if services.consent_current(pupil=p, purpose=ConsentPurpose.DATA_LINKAGE)}


def test_withdrawing_follow_up_consent_stops_all_contact_at_once(personas, client):
    w = world(personas)
    pupil = w.pupil_a
    issued = services.survey_send(actor=personas.coordinator, pupil=pupil, point="6m")
    assert len(mail.outbox) == 1
    services.consent_withdraw(actor=personas.coordinator, pupil=pupil, purpose=ConsentPurpose.FOLLOW_UP,
                              note="Pupil asked by e-mail")
    # The link already sent no longer opens ...
    assert client.get(issued.path).status_code == 410
    # ... no new survey can be sent ...
    with pytest.raises(ValidationError):
        services.survey_send(actor=personas.coordinator, pupil=pupil, point="1y")
    # ... and the daily job skips the pupil when surveys fall due.
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=3 * 365 + 200)):
        due_pupils = {p for p, _ in surveys_due(today=dt.date.today() + dt.timedelta(days=3 * 365 + 200))}
        assert pupil not in due_pupils
        assert w.pupil_b in due_pupils
        mail.outbox.clear()
        services.surveys_send_due(today=dt.date.today() + dt.timedelta(days=3 * 365 + 200))
    assert {m.to[0] for m in mail.outbox} == {w.pupil_b.email}


def test_withdrawing_consent_removes_the_pupil_from_every_export(personas):
    w = world(personas)
    assert _export_refs(personas, w.programme) == {f"OUT-{w.pupil_a.pk}", f"OUT-{w.pupil_b.pk}"}
    services.consent_withdraw(actor=personas.coordinator, pupil=w.pupil_a, purpose=ConsentPurpose.DATA_LINKAGE)
    assert _export_refs(personas, w.programme) == {f"OUT-{w.pupil_b.pk}"}
    assert _export_refs(personas, w.programme, "attendance") == set()  # pupil_a's attendance went with them
    services.consent_withdraw(actor=personas.coordinator, pupil=w.pupil_b, purpose=ConsentPurpose.PARTICIPATION)
    assert _export_refs(personas, w.programme) == set()


def test_withdrawing_consent_to_take_part_ends_mentoring(personas):
    w = world(personas)
    services.consent_withdraw(actor=personas.coordinator, pupil=w.pupil_a, purpose=ConsentPurpose.PARTICIPATION)
    w.match_a.refresh_from_db()
    w.pupil_a.refresh_from_db()
    assert w.match_a.ended_at is not None
    assert w.pupil_a.status == PupilStatus.LEFT
    with pytest.raises(ValidationError, match="take part"):
        services.match_create(actor=personas.coordinator, mentor=w.mentor, pupil=w.pupil_a)


def test_every_export_of_pupil_data_is_audited_and_names_no_one(personas):
    w = world(personas)
    client = personas.client("coordinator")
    response = client.get(reverse("outreach:export", kwargs={"pk": w.programme.pk, "kind": "participants"}))
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "Amina" not in text and "amina@pupil.example.org" not in text
    assert text.splitlines()[0].startswith("pupil_ref,programme,cohort,school")
    event = AuditEvent.objects.filter(action=Action.EXPORT, object_type="outreach.OutreachProgramme").get()
    assert event.actor == personas.coordinator
    assert "2 rows" in event.summary


def test_an_export_neutralises_a_formula_in_a_school_name(personas):
    w = world(personas)
    w.school.name = "=HYPERLINK(\"http://evil\")"
    w.school.save()
    text = exports.outreach_export(actor=personas.coordinator, programme=w.programme,
                                   kind="participants").decode("utf-8-sig")
    assert "'=HYPERLINK" in text


def test_withdrawing_consent_to_photographs_shows_on_the_register_at_once(personas):
    w = world(personas)
    client = personas.client("coordinator")
    register = reverse("outreach:register", kwargs={"pk": w.activity.pk})
    assert "No photographs" not in client.get(register).content.decode()
    services.consent_withdraw(actor=personas.coordinator, pupil=w.pupil_a, purpose=ConsentPurpose.PHOTOGRAPHS)
    assert "No photographs" in client.get(register).content.decode()
    detail = client.get(reverse("outreach:activity_detail", kwargs={"pk": w.activity.pk})).content.decode()
    assert "<strong>No photographs</strong>" in detail
    # The button swapped in by htmx after a tap says it too.
    toggled = client.post(reverse("outreach:attendance_toggle", kwargs={"pk": w.registration.pk}),
                          HTTP_HX_REQUEST="true").content.decode()
    assert "Present" in toggled and "No photographs" in toggled
