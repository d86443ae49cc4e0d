"""`commed import groups FILE`: students into groups, all or nothing, with every bad row named."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from commed.accounts.models import Role, User
from commed.lib.tabular import ImportFailed, TableError, read_table
from commed.programmes import services
from commed.programmes.models import Cohort, Group, GroupMembership, Project

REQUIRED = ["student_email", "group"]
OPTIONAL = ["project", "tutor"]
ALIASES = {
    "student_email": ["student e-mail", "student email", "email", "e-mail", "student"],
    "group": ["group name", "group"],
    "project": ["project title", "project"],
    "tutor": ["tutor e-mail", "tutor email", "tutor"],
}


@dataclass(frozen=True)
class ImportResult:
    groups_created: int
    students_placed: int

    @property
    def summary(self) -> str:
        return f"{self.students_placed} students placed; {self.groups_created} new groups."


@dataclass
class _GroupPlan:
    name: str
    project: Project | None
    tutor: User | None
    members: list[User]
    first_row: int


def groups_import(*, actor: User | None, cohort: Cohort, data: bytes, filename: str) -> ImportResult:
    """Validate every row first; write nothing unless all rows are good."""
    try:
        table = read_table(data, filename, required=REQUIRED, optional=OPTIONAL, aliases=ALIASES)
    except TableError as error:
        raise ImportFailed(list(error.errors)) from None
    errors: list[str] = []
    projects = {p.title.strip().lower(): p for p in cohort.projects.all()}
    existing = {g.name.strip().lower(): g for g in cohort.groups.select_related("project", "tutor")}
    emails = {str(row.values.get(key, "")).strip().lower() for row in table.rows for key in ("student_email", "tutor")}
    users = {u.email.lower(): u for u in User.objects.filter(email__in=[e for e in emails if e])}
    placed = {m.student_id: m.group.name for m in GroupMembership.objects.filter(group__cohort=cohort)
              .select_related("group")}
    plans: dict[str, _GroupPlan] = {}
    seen_students: dict[int, int] = {}

    def bad(row: int, column: str, message: str) -> None:
        errors.append(f"{table.where(row, column)}: {message}")

    for row in table.rows:
        values = {key: str(value or "").strip() for key, value in row.values.items()}
        email, group_name = values.get("student_email", "").lower(), values.get("group", "")
        project_title, tutor_email = values.get("project", ""), values.get("tutor", "").lower()
        student = users.get(email)
        if not email:
            bad(row.number, "student_email", "missing")
        elif student is None or student.role != Role.STUDENT:
            bad(row.number, "student_email", f"no student has the address {email}")
        if not group_name:
            bad(row.number, "group", "missing")
        project = None
        if project_title:
            project = projects.get(project_title.lower())
            if project is None:
                bad(row.number, "project", f"no project called {project_title!r} in {cohort}")
        tutor = None
        if tutor_email:
            tutor = users.get(tutor_email)
            if tutor is None or tutor.role not in (Role.TUTOR, Role.LEAD):
                bad(row.number, "tutor", f"no tutor has the address {tutor_email}")
                tutor = None
        if student is not None and student.role == Role.STUDENT:
            if student.pk in seen_students:
                bad(row.number, "student_email", f"{email} is also on row {seen_students[student.pk]}")
            elif student.pk in placed:
                bad(row.number, "student_email", f"{email} is already in {placed[student.pk]}")
            seen_students.setdefault(student.pk, row.number)
        if not group_name:
            continue
        key = group_name.lower()
        plan = plans.get(key)
        if plan is None:
            plan = plans[key] = _GroupPlan(name=group_name, project=project, tutor=tutor, members=[],
                                           first_row=row.number)
        else:
            if project is not None and plan.project is not None and project != plan.project:
                bad(row.number, "project", f"{group_name} has another project on row {plan.first_row}")
            if tutor is not None and plan.tutor is not None and tutor != plan.tutor:
                bad(row.number, "tutor", f"{group_name} has another tutor on row {plan.first_row}")
            plan.project = plan.project or project
            plan.tutor = plan.tutor or tutor
        current = existing.get(key)
        if current is not None and project is not None and current.project_id not in (None, project.pk):
            bad(row.number, "project", f"{current.name} already works on {current.project}")
        if student is not None and student.role == Role.STUDENT:
            plan.members.append(student)
    if not table.rows:
        errors.append(f"{filename}: no rows to import")
    if errors:
        raise ImportFailed(errors)
    created = placed_count = 0
    try:
        with transaction.atomic():
            for key, plan in plans.items():
                group: Group | None = existing.get(key)
                if group is None:
                    group = services.group_create(cohort=cohort, name=plan.name, project=plan.project,
                                                  tutor=plan.tutor, members=[], actor=actor)
                    created += 1
                else:
                    changed = []
                    if plan.project is not None and group.project_id is None:
                        group.project = plan.project
                        changed.append("project")
                    if plan.tutor is not None and group.tutor_id != plan.tutor.pk:
                        group.tutor = plan.tutor
                        changed.append("tutor")
                    if changed:
                        group.save(update_fields=changed)
                for student in plan.members:
                    services.group_member_add(actor=actor, group=group, student=student)
                    placed_count += 1
    except ValidationError as error:
        raise ImportFailed([f"{filename}: {message}" for message in error.messages]) from None
    return ImportResult(groups_created=created, students_placed=placed_count)
