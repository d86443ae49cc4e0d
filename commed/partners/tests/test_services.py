"""Partner services and the reads built on them: stages, agreements, interactions, ledger, health, timeline."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from commed.audit.models import Action, AuditEvent
from commed.partners import selectors, services
from commed.partners.models import Stage, StageChange

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def partnership(personas):
    return personas.org_a.partnerships.get()


@time_machine.travel(NOW, tick=False)
def test_a_stage_change_records_who_when_and_why_and_is_audited(personas, partnership):
    change = services.partnership_set_stage(actor=personas.lead, partnership=partnership, stage=Stage.ACTIVE,
                                            reason="  First cohort placed  ")
    partnership.refresh_from_db()
    assert (change.from_stage, change.to_stage, change.by, change.at, change.reason) == (
        Stage.EXPLORING, Stage.ACTIVE, personas.lead, NOW, "First cohort placed")
    assert partnership.stage == Stage.ACTIVE
    assert partnership.started_on == dt.date(2026, 3, 2)
    event = AuditEvent.objects.filter(object_type="partners.Partnership", action=Action.CHANGE).get()
    assert event.changes == {"stage": [Stage.EXPLORING, Stage.ACTIVE]}


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_stage_change_needs_a_reason(personas, partnership, reason):
    with pytest.raises(ValidationError) as caught:
        services.partnership_set_stage(actor=personas.lead, partnership=partnership, stage=Stage.AGREED,
                                       reason=reason)
    assert caught.value.message_dict == {"reason": ["Say why the stage changes."]}
    assert StageChange.objects.filter(partnership=partnership).count() == 1


def test_a_stage_change_to_the_same_or_an_unknown_stage_is_refused(personas, partnership):
    with pytest.raises(ValidationError, match="already exploring"):
        services.partnership_set_stage(actor=personas.lead, partnership=partnership, stage=Stage.EXPLORING,
                                       reason="x")
    with pytest.raises(ValidationError, match="Unknown stage"):
        services.partnership_set_stage(actor=personas.lead, partnership=partnership, stage="dormant", reason="x")


def test_an_agreement_cannot_end_before_it_starts(personas, partnership):
    with pytest.raises(ValidationError) as caught:
        services.agreement_create(actor=personas.lead, partnership=partnership, kind="dsa", title="DSA",
                                  starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2025, 12, 31))
    assert caught.value.message_dict == {"ends_on": ["The agreement cannot end before it starts."]}
    assert partnership.agreements.count() == 1


def test_agreements_expiring_within_sixty_days_are_listed_soonest_first(personas, partnership):
    for title, ends in (("Soon", dt.date(2026, 3, 20)), ("Edge", dt.date(2026, 5, 1)),
                        ("Later", dt.date(2026, 5, 2)), ("Past", dt.date(2026, 3, 1))):
        services.agreement_create(actor=personas.lead, partnership=partnership, kind="placement", title=title,
                                  starts_on=dt.date(2025, 1, 1), ends_on=ends)
    with time_machine.travel(NOW, tick=False):
        expiring = selectors.agreements_expiring(user=personas.lead)
        assert [a.title for a in expiring] == ["Soon", "Edge"]
    with time_machine.travel(dt.datetime(2027, 7, 15, 12, tzinfo=dt.UTC), tick=False):
        assert [a.partnership.organisation for a in selectors.agreements_expiring(user=personas.lead)] == [
            personas.org_a, personas.org_b]
        # Partners see only their own organisation's agreements.
        assert [a.partnership.organisation for a in selectors.agreements_expiring(user=personas.partner_b)] == [
            personas.org_b]


@time_machine.travel(NOW, tick=False)
def test_an_interaction_in_the_future_is_refused_and_today_is_accepted(personas):
    with pytest.raises(ValidationError) as caught:
        services.interaction_log(actor=personas.tutor, organisation=personas.org_a, kind="call",
                                 occurred_on=dt.date(2026, 3, 3), summary="Tomorrow")
    assert caught.value.message_dict == {"occurred_on": ["An interaction cannot be logged in the future."]}
    interaction = services.interaction_log(actor=personas.tutor, organisation=personas.org_a, kind="call",
                                           occurred_on=dt.date(2026, 3, 2), summary=" Today ")
    assert (interaction.summary, interaction.recorded_by) == ("Today", personas.tutor)


def test_an_interaction_cannot_name_another_organisations_partnership(personas):
    with pytest.raises(ValidationError, match="another organisation"):
        services.interaction_log(actor=personas.lead, organisation=personas.org_a, kind="note",
                                 occurred_on=dt.date(2025, 1, 1), summary="x",
                                 partnership=personas.org_b.partnerships.get())


def test_a_ledger_quantity_must_be_positive_and_have_a_unit(personas, partnership):
    common = dict(actor=personas.lead, partnership=partnership, direction="to_community", kind="time",
                  description="Health talks", occurred_on=dt.date(2026, 1, 1))
    with pytest.raises(ValidationError, match="cannot be negative"):
        services.ledger_entry_add(**common, quantity=Decimal(-1), unit="hours")
    with pytest.raises(ValidationError, match="Give the unit"):
        services.ledger_entry_add(**common, quantity=Decimal(3))


@time_machine.travel(NOW, tick=False)
def test_the_health_summary_gives_last_contact_agreement_status_and_ledger_balance(personas, partnership):
    empty = selectors.organisation_health(organisation=personas.org_a)
    assert (empty.last_contact, empty.agreement_status, empty.balance.label) == (
        None, "Current", "Nothing recorded yet")
    services.interaction_log(actor=personas.lead, organisation=personas.org_a, kind="visit",
                             occurred_on=dt.date(2026, 2, 20), summary="Visit")
    add = dict(actor=personas.lead, partnership=partnership, description="x", occurred_on=dt.date(2026, 1, 1))
    services.ledger_entry_add(**add, direction="to_community", kind="time", quantity=Decimal(10), unit="Hours")
    services.ledger_entry_add(**add, direction="to_community", kind="time", quantity=Decimal(5), unit="hours")
    services.ledger_entry_add(**add, direction="to_community", kind="outputs")
    health = selectors.organisation_health(organisation=personas.org_a)
    assert (health.last_contact, health.days_since_contact) == (dt.date(2026, 2, 20), 10)
    assert health.balance.label == "One-way: nothing recorded flowing from the community"
    assert health.balance.quantities == {("to_community", "hours"): Decimal(15)}
    services.ledger_entry_add(**add, direction="to_students", kind="expertise")
    assert selectors.organisation_health(organisation=personas.org_a).balance.label == "Uneven"
    services.ledger_entry_add(**add, direction="to_school", kind="venue")
    assert selectors.organisation_health(organisation=personas.org_a).balance.label == "Balanced"


def test_the_agreement_status_moves_from_current_to_expires_soon_to_expired(personas):
    org = personas.org_a
    assert selectors.organisation_health(organisation=org, today=dt.date(2027, 1, 1)).agreement_status == "Current"
    soon = selectors.organisation_health(organisation=org, today=dt.date(2027, 7, 15))
    assert (soon.agreement_status, soon.next_agreement_end) == ("Expires soon", dt.date(2027, 8, 31))
    assert selectors.organisation_health(organisation=org, today=dt.date(2027, 9, 1)).agreement_status == "Expired"
    assert selectors.organisation_health(organisation=personas.org_b.__class__.objects.create(
        name="Nobody", kind="other", created_at=NOW, updated_at=NOW)).agreement_status == "No agreement"


def test_the_timeline_is_newest_first_and_within_a_day_lists_stage_changes_last(personas, partnership):
    opened = selectors.organisation_timeline(organisation=personas.org_a)
    assert [(item.kind, item.detail) for item in opened] == [("stage", "Partnership opened"),
                                                            ("agreement", "Until 31 Aug 2027")]
    with time_machine.travel(dt.datetime(2026, 2, 1, 12, tzinfo=dt.UTC), tick=False):
        services.partnership_set_stage(actor=personas.lead, partnership=partnership, stage=Stage.AGREED,
                                       reason="Signed")
        services.interaction_log(actor=personas.lead, organisation=personas.org_a, kind="meeting",
                                 occurred_on=dt.date(2026, 2, 1), summary="Planning meeting")
        services.ledger_entry_add(actor=personas.lead, partnership=partnership, direction="to_students",
                                  kind="time", description="Supervision", occurred_on=dt.date(2026, 1, 15))
        services.partnership_set_stage(actor=personas.lead, partnership=partnership, stage=Stage.ACTIVE,
                                       reason="Started", at=dt.datetime(2026, 1, 20, 9, tzinfo=dt.UTC))
    timeline = selectors.organisation_timeline(organisation=personas.org_a)
    assert [(item.on, item.kind) for item in timeline[1:]] == [
        (dt.date(2026, 2, 1), "meeting"),
        (dt.date(2026, 2, 1), "stage"),
        (dt.date(2026, 1, 20), "stage"),
        (dt.date(2026, 1, 15), "ledger"),
        (dt.date(2025, 9, 1), "agreement"),
    ]
    assert timeline[0].detail == "Partnership opened"
    assert timeline[2].title == "CAP: Exploring → Agreed"
    assert timeline[2].by == str(personas.lead)
    assert timeline[4].title == "To students: time"


def test_contact_changes_and_deletions_are_audited_with_what_changed(personas):
    contact = personas.org_a.contacts.get()
    services.contact_update(actor=personas.lead, contact=contact, phone="020 7946 0000", name="Partner A")
    change = AuditEvent.objects.filter(object_type="partners.Contact", action=Action.CHANGE).get()
    assert change.changes == {"phone": ["", "020 7946 0000"]}
    services.contact_delete(actor=personas.lead, contact=contact)
    deletion = AuditEvent.objects.filter(object_type="partners.Contact", action=Action.DELETE).get()
    assert deletion.object_label == "Partner A (Alpha Health Forum)"
    assert not personas.org_a.contacts.exists()


def test_organisation_services_refuse_unknown_fields_and_invalid_values(personas):
    with pytest.raises(TypeError, match="unknown organisation fields"):
        services.organisation_create(actor=personas.lead, name="X", kind="other", colour="blue")
    with pytest.raises(ValidationError):
        services.organisation_create(actor=personas.lead, name="X", kind="spaceship")


@pytest.mark.parametrize(
    ("typed", "kind"),
    [("School", "school"), ("gp_practice", "gp_practice"), ("GP", "gp_practice"), (" charity ", "community"),
     ("Council", "local_authority"), ("spaceship", None)],
)
def test_a_kind_is_accepted_by_code_label_or_common_name(typed, kind):
    assert services.organisation_kind_from_label(typed) == kind
