from __future__ import annotations

import datetime as dt

import time_machine
from django.core.management import call_command
from django.test import override_settings

from commed.audit.models import AuditEvent
from commed.partners import services
from commed.partners.models import Contact, Interaction


@override_settings(PARTNERSHIP_RETENTION_DAYS=365)
def test_contacts_and_notes_go_a_year_after_the_partnership_ended(personas):
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False):
        partnership = personas.org_b.partnerships.get()
        services.interaction_log(actor=personas.lead, organisation=personas.org_b, kind="call",
                                 occurred_on=start.date() - dt.timedelta(days=1), summary="Spoke to Partner B at home")
        services.partnership_set_stage(actor=personas.lead, partnership=partnership, stage="ended",
                                       reason="Funding ended")
    with time_machine.travel(start + dt.timedelta(days=300), tick=False):
        call_command("retention", verbosity=0)
        assert Contact.objects.filter(organisation=personas.org_b).exists()
    with time_machine.travel(start + dt.timedelta(days=400), tick=False):
        call_command("retention", verbosity=0)
    assert not Contact.objects.filter(organisation=personas.org_b).exists()
    assert not Interaction.objects.filter(organisation=personas.org_b).exists()
    # The other organisation's partnership is still open: nothing of it goes.
    assert Contact.objects.filter(organisation=personas.org_a).exists()
    assert AuditEvent.objects.filter(action="retention", object_id=str(personas.org_b.pk)).exists()


@override_settings(AUDIT_RETENTION_DAYS=30)
def test_old_audit_events_are_purged_and_the_purge_is_recorded(personas):
    with time_machine.travel(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), tick=False):
        services.contact_update(actor=personas.lead, contact=personas.org_a.contacts.get(), phone="020 1")
    old = AuditEvent.objects.filter(at__lt=dt.datetime(2026, 1, 2, tzinfo=dt.UTC)).count()
    assert old > 0
    with time_machine.travel(dt.datetime(2026, 3, 1, tzinfo=dt.UTC), tick=False):
        call_command("retention", verbosity=0)
    assert not AuditEvent.objects.filter(at__lt=dt.datetime(2026, 1, 2, tzinfo=dt.UTC)).exists()
    assert AuditEvent.objects.filter(action="retention").exists()
