"""The audit trail: every create, change, delete and export of personal data, readable by administrators only."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from commed.audit.models import Action, AuditEvent
from commed.audit.services import audit_record
from commed.partners import services as partner_services


def events(action: str, object_type: str) -> int:
    return AuditEvent.objects.filter(action=action, object_type=object_type).count()


def test_creating_changing_deleting_and_exporting_personal_data_is_each_recorded_with_who(personas):
    lead = personas.lead
    contact = partner_services.contact_create(actor=lead, organisation=personas.org_a, name="Cara Lewis",
                                              email="cara@alpha.example.org")
    partner_services.contact_update(actor=lead, contact=contact, phone="020 7946 0001")
    partner_services.interaction_log(actor=personas.tutor, organisation=personas.org_a, kind="call",
                                     occurred_on=dt.date(2025, 10, 1), summary="Called Cara about dates")
    contact_id = str(contact.pk)
    partner_services.contact_delete(actor=lead, contact=contact)
    client = personas.client("lead")
    assert client.get("/partners/export.csv").status_code == 200
    trail = AuditEvent.objects.filter(object_type="partners.Contact", object_id=contact_id)
    assert list(trail.order_by("id").values_list("action", "actor")) == [
        (Action.CREATE, lead.pk), (Action.CHANGE, lead.pk), (Action.DELETE, lead.pk)]
    assert trail.get(action=Action.CHANGE).changes == {"phone": ["", "020 7946 0001"]}
    assert events(Action.CREATE, "partners.Interaction") == 1
    export = AuditEvent.objects.get(action=Action.EXPORT)
    assert export.actor == lead and "csv" in export.summary.lower()


def test_project_work_with_personal_data_is_recorded_too(personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    from commed.programmes.tests.world import build_world

    world = build_world(personas)  # plans, memberships, reflections, outputs through the services
    assert events(Action.CREATE, "programmes.GroupMembership") == 2
    assert events(Action.CREATE, "programmes.Reflection") == 2
    assert events(Action.CREATE, "programmes.PlanVersion") == 2
    from commed.programmes import services

    services.reflection_set_consent(reflection=world.reflection_a, by=personas.student, level="private")
    change = AuditEvent.objects.get(action=Action.CHANGE, object_type="programmes.Reflection")
    assert change.changes == {"consent": ["partner", "private"]}
    output = services.output_create(actor=personas.student, project=world.project_a, kind="leaflet", title="L",
                                    files=[SimpleUploadedFile("l.txt", b"A leaflet")])
    assert events(Action.CREATE, "programmes.OutputFile") == 1
    assert AuditEvent.objects.filter(object_type="programmes.Output", object_id=str(output.pk)).exists()


def test_only_administrators_read_the_trail(personas):
    for name in ("lead", "tutor", "student", "coordinator", "researcher", "partner_a", "outsider"):
        assert personas.client(name).get("/audit/").status_code == 404, name
    assert personas.client("anonymous").get("/audit/").status_code == 302
    page = personas.client("admin").get("/audit/")
    assert page.status_code == 200
    assert "Alpha Health Forum" in page.content.decode()


def test_the_trail_is_newest_first_and_filters_by_action_record_and_who(personas):
    with time_machine.travel(dt.datetime(2030, 1, 2, 9, tzinfo=dt.UTC), tick=False):
        audit_record(actor=personas.coordinator, action=Action.EXPORT, object_type="partners.Organisation",
                     summary="csv export")
    client = personas.client("admin")
    newest = client.get("/audit/").context["page"][0]
    assert (newest.action, newest.actor) == (Action.EXPORT, personas.coordinator)
    only = client.get("/audit/", {"action": "export"}).context["page"]
    assert [e.summary for e in only] == ["csv export"]
    by_type = client.get("/audit/", {"object_type": "contact"}).context["page"]
    assert {e.object_type for e in by_type} == {"partners.Contact"}
    by_who = client.get("/audit/", {"actor": "coordinator"}).context["page"]
    assert [e.summary for e in by_who] == ["csv export"]


@pytest.mark.parametrize("filters", [{"action": "create"}, {"actor": "lead"}])
def test_the_pages_of_a_filtered_trail_keep_the_filter(personas, filters):
    for n in range(105):
        audit_record(actor=personas.lead, action=Action.CREATE, object_type="test.Thing", object_id=str(n))
    page = personas.client("admin").get("/audit/", filters)
    html = page.content.decode()
    key, value = next(iter(filters.items()))
    assert f"{key}={value}" in html and "page=2" in html
