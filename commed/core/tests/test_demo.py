from __future__ import annotations

import datetime as dt

from django.core.management import call_command

from commed.accounts.models import Role, User
from commed.audit.models import AuditEvent
from commed.core.demo import demo_logins, demo_seed
from commed.partners.models import Agreement, LedgerEntry, Organisation, OrganisationKind, Partnership, Stage


def test_the_demo_has_a_realistic_school(db):
    assert demo_seed() is True
    assert 35 <= Organisation.objects.count() <= 45
    assert set(Organisation.objects.values_list("kind", flat=True)) == set(OrganisationKind.values)
    assert User.objects.filter(role=Role.STUDENT).count() >= 300
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert set(Partnership.objects.values_list("stage", flat=True)) == set(Stage.values)
    today = dt.date.today()
    assert Agreement.objects.filter(ends_on__gte=today, ends_on__lte=today + dt.timedelta(days=60)).exists()
    assert LedgerEntry.objects.exists()
    for _, username in demo_logins():
        assert User.objects.get(username=username).check_password("commed-demo-2026")


def test_the_demo_is_the_same_every_run(db):
    demo_seed()
    first = list(Organisation.objects.order_by("name").values_list("name", "capacity_per_year"))
    contacts = list(User.objects.order_by("username").values_list("username", "first_name", "last_name"))
    call_command("flush", interactive=False, verbosity=0)
    assert demo_seed() is True
    assert list(Organisation.objects.order_by("name").values_list("name", "capacity_per_year")) == first
    assert list(User.objects.order_by("username").values_list("username", "first_name", "last_name")) == contacts


def test_loading_the_demo_twice_changes_nothing(db):
    demo_seed()
    events = AuditEvent.objects.count()
    assert demo_seed() is False
    assert AuditEvent.objects.count() == events
