from __future__ import annotations

import datetime as dt
import io

from django.core.management import call_command
from django.db.models import Count

from commed.accounts.models import Role, StudentProfile, User
from commed.audit.models import AuditEvent
from commed.core.demo import demo_logins, demo_seed
from commed.partners.models import (
    Agreement,
    Interaction,
    LedgerEntry,
    Organisation,
    OrganisationKind,
    Partnership,
    Stage,
)
from commed.programmes.models import CheckInResponse, Cohort, Output, PartnerFeedback, Project, Reflection


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
    # 300 students over two academic years.
    years = dict(StudentProfile.objects.values_list("academic_year").annotate(n=Count("id")))
    assert sorted(years.values()) == [150, 150]
    # Several partnerships at every stage, and more than one agreement near expiry.
    per_stage = dict(Partnership.objects.values_list("stage").annotate(n=Count("id")))
    assert min(per_stage.values()) >= 3
    assert Agreement.objects.filter(ends_on__gte=today, ends_on__lte=today + dt.timedelta(days=60)).count() >= 3
    assert LedgerEntry.objects.values("direction").distinct().count() == 3


def test_the_demo_has_projects_over_two_years_with_plans_feedback_and_a_shared_project_for_the_logins(db):
    demo_seed()
    assert Cohort.objects.values("academic_year").distinct().count() == 2
    # The demo partner's organisation has a project in each year: its history spans both.
    partner = User.objects.get(username="partner")
    organisation = Organisation.objects.get(contacts__user=partner)
    assert Project.objects.filter(organisations=organisation).values("cohort__academic_year").distinct().count() == 2
    # The demo student, tutor and partner meet in one current project whose plan awaits signatures.
    shared = Project.objects.get(organisations=organisation, groups__memberships__student__username="student",
                                 groups__tutor__username="tutor")
    assert shared.plan.current_version is not None and not shared.plan.is_agreed
    # Past projects are complete, with partner feedback through signed links, entered in the ledger and
    # timeline, and both sides' check-ins to compare.
    assert PartnerFeedback.objects.filter(via_link__isnull=False).count() >= 5
    assert set(CheckInResponse.objects.values_list("side", flat=True)) == {"partner", "school"}
    assert LedgerEntry.objects.filter(description__startswith="Feedback on the students").exists()
    assert Interaction.objects.filter(summary__contains="gave feedback").exists()
    stages = set(Project.objects.values_list("stage", flat=True))
    assert {"planning", "complete"} <= stages
    assert Output.objects.exists() and Reflection.objects.exists()


def test_the_demo_is_the_same_every_run(transactional_db):
    # Transactional: PostgreSQL cannot TRUNCATE (flush) inside the transaction a plain `db` test runs in.
    demo_seed()
    first = list(Organisation.objects.order_by("name").values_list("name", "capacity_per_year"))
    contacts = list(User.objects.order_by("username").values_list("username", "first_name", "last_name"))
    call_command("flush", interactive=False, verbosity=0)
    assert demo_seed() is True
    assert list(Organisation.objects.order_by("name").values_list("name", "capacity_per_year")) == first
    assert list(User.objects.order_by("username").values_list("username", "first_name", "last_name")) == contacts


def test_the_demo_command_loads_once_and_prints_one_login_per_role(db):
    out = io.StringIO()
    call_command("demo", no_serve=True, stdout=out)
    printed = out.getvalue()
    assert "Demo data loaded." in printed
    assert "password for all: commed-demo-2026" in printed
    logins = demo_logins()
    assert sorted(role for role, _ in logins) == sorted(Role.labels)
    for role, username in logins:
        assert f"{role:<22} {username}" in printed
        assert User.objects.get(username=username).role == Role(
            next(value for value, label in Role.choices if label == role))
    events = AuditEvent.objects.count()
    again = io.StringIO()
    call_command("demo", no_serve=True, stdout=again)
    assert "Demo data already present" in again.getvalue()
    assert demo_seed() is False
    assert AuditEvent.objects.count() == events
