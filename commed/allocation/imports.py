"""Import students' preferences (and their locality and attributes) for one cohort from CSV or XLSX.

One row per student: e-mail, then their choices best first (project titles), optionally a locality and the
attributes the no-isolation rule looks at (gender, ethnicity, or `attributes` as "name=value; name=value").
All or nothing: the whole file is checked first, every problem named by file, row and column, and nothing is
written unless every row is good; then every student's preferences are replaced in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from commed.accounts.models import Role, User
from commed.allocation import selectors, services
from commed.allocation.models import PartnerRanking
from commed.audit.models import Action
from commed.audit.services import audit_record
from commed.lib.tabular import ImportFailed, Row, Table, TableError, read_table
from commed.partners.models import Organisation
from commed.programmes.models import Cohort, Locality, Project

CHOICES = [f"choice_{n}" for n in range(1, selectors.MAX_CHOICES + 1)]
ATTRIBUTE_COLUMNS = ["gender", "ethnicity"]
REQUIRED = ["student_email"]
OPTIONAL = [*CHOICES, "locality", *ATTRIBUTE_COLUMNS, "attributes"]
_SUFFIX = {1: "st", 2: "nd", 3: "rd"}
_ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]
ALIASES: dict[str, list[str]] = {
    "student_email": ["Student e-mail", "student email", "email", "e-mail", "student"],
    **{f"choice_{n}": [f"Choice {n}", f"{n}", f"preference {n}", f"{_ORDINALS[n - 1]} choice",
                       f"{n}{_SUFFIX.get(n, 'th')} choice", f"rank {n}"]
       for n in range(1, selectors.MAX_CHOICES + 1)},
    "locality": ["locality", "placement locality", "practice"],
    "gender": ["gender", "sex"],
    "ethnicity": ["ethnicity", "ethnic group"],
    "attributes": ["attributes", "other attributes"],
}


@dataclass(frozen=True)
class ImportResult:
    students: int
    preferences: int
    partners: int = 0  # for partners' rankings

    @property
    def summary(self) -> str:
        if self.partners:
            return f"Rankings of {self.students} students by {self.partners} partners imported."
        return f"Preferences of {self.students} students imported ({self.preferences} choices)."


@dataclass
class _Entry:
    student: User
    projects: list[Project]
    locality: Locality | None
    attributes: dict[str, str]


def _attributes(table: Table, row: Row, values: dict[str, str], errors: list[str]) -> dict[str, str]:
    out = {column: values[column] for column in ATTRIBUTE_COLUMNS if values.get(column)}
    for part in filter(None, (p.strip() for p in values.get("attributes", "").split(";"))):
        name, sep, value = part.partition("=")
        if not sep or not name.strip() or not value.strip():
            errors.append(f"{table.where(row, 'attributes')}: {part!r} is not of the form name=value")
            continue
        out[name.strip().lower()] = value.strip()
    return out


def preferences_import(*, actor: User | None, cohort: Cohort, data: bytes, filename: str) -> ImportResult:
    try:
        table = read_table(data, filename, required=REQUIRED, optional=OPTIONAL, aliases=ALIASES)
    except TableError as error:
        raise ImportFailed(list(error.errors)) from None
    if not any(table.has(c) for c in CHOICES):
        raise ImportFailed([f"{table.filename}, row 1: no choice columns; name them “choice 1”, “choice 2” ..."])
    errors: list[str] = []
    projects: dict[str, Project] = {}
    duplicates: set[str] = set()
    for option in selectors.cohort_options(cohort=cohort):
        key = option.title.strip().lower()
        if key in projects:
            duplicates.add(key)
        projects[key] = option
    localities = {loc.name.strip().lower(): loc for loc in cohort.localities.all()}
    emails = {row.values.get("student_email", "").strip().lower() for row in table.rows}
    users = {u.email.lower(): u for u in User.objects.filter(email__in=[e for e in emails if e])}
    seen: dict[int, int] = {}
    entries: list[_Entry] = []
    for row in table.rows:
        values = {key: str(value or "").strip() for key, value in row.values.items()}
        email = values.get("student_email", "").lower()
        student = users.get(email)
        if student is None or student.role != Role.STUDENT:
            errors.append(f"{table.where(row, 'student_email')}: no student has the address {email}")
            student = None
        elif student.pk in seen:
            errors.append(f"{table.where(row, 'student_email')}: {email} is also on row {seen[student.pk]}")
        else:
            seen[student.pk] = row.number
        chosen: list[Project] = []
        gap_at: str | None = None
        for column in CHOICES:
            title = values.get(column, "")
            if not title:
                gap_at = gap_at or column
                continue
            if gap_at is not None:
                errors.append(f"{table.where(row, column)}: there is a choice here but "
                              f"“{table.headings.get(gap_at, table.labels[gap_at])}” "
                              "is empty; list the choices without gaps")
                gap_at = None
            project = projects.get(title.lower())
            if project is None:
                errors.append(f"{table.where(row, column)}: no project called {title!r} is open for allocation "
                              f"in {cohort}")
            elif title.lower() in duplicates:
                errors.append(f"{table.where(row, column)}: several projects in {cohort} are called {title!r}; "
                              "rename one of them first")
            elif project in chosen:
                errors.append(f"{table.where(row, column)}: {title!r} is chosen twice")
            else:
                chosen.append(project)
        locality = None
        if values.get("locality"):
            locality = localities.get(values["locality"].lower())
            if locality is None:
                errors.append(f"{table.where(row, 'locality')}: {cohort} has no locality called "
                              f"{values['locality']!r}")
        attributes = _attributes(table, row, values, errors)
        if student is not None:
            entries.append(_Entry(student, chosen, locality, attributes))
    if errors:
        raise ImportFailed(errors)
    if selectors.published_run(cohort=cohort) is not None:
        raise ImportFailed([f"{table.filename}: the allocation of {cohort} has been published; "
                            "preferences can no longer change."])
    with transaction.atomic():
        for entry in entries:
            services.preferences_replace(actor=actor, cohort=cohort, student=entry.student, projects=entry.projects,
                                        audit=False)
            services.student_detail_set(actor=actor, cohort=cohort, student=entry.student, locality=entry.locality,
                                        attributes=entry.attributes, audit=False)
        audit_record(actor=actor, action=Action.CHANGE, obj=cohort,
                     summary=f"imported allocation preferences of {len(entries)} students from {table.filename}")
    return ImportResult(students=len(entries), preferences=sum(len(e.projects) for e in entries))


# Partners' rankings of students ------------------------------------------------------------------------------------

RANKING_REQUIRED = ["organisation", "student_email", "rank"]
RANKING_ALIASES: dict[str, list[str]] = {
    "organisation": ["Organisation", "organization", "partner"],
    "student_email": ["Student e-mail", "student email", "email", "e-mail", "student"],
    "rank": ["Rank", "position"],
}


def partner_rankings_import(*, actor: User | None, cohort: Cohort, data: bytes, filename: str) -> ImportResult:
    """Partners' rankings of students (organisation, student e-mail, rank; 1 = most preferred). Each organisation
    named in the file has its ranking in the cohort replaced; all or nothing, every problem named."""
    try:
        table = read_table(data, filename, required=RANKING_REQUIRED, aliases=RANKING_ALIASES)
    except TableError as error:
        raise ImportFailed(list(error.errors)) from None
    errors: list[str] = []
    organisations = {o.name.strip().lower(): o for p in selectors.cohort_options(cohort=cohort)
                     for o in p.organisations.all()}
    emails = {row.values.get("student_email", "").strip().lower() for row in table.rows}
    users = {u.email.lower(): u for u in User.objects.filter(email__in=[e for e in emails if e])}
    seen_students: dict[tuple[int, int], int] = {}
    seen_ranks: dict[tuple[int, int], int] = {}
    rows: list[tuple[Organisation, User, int]] = []
    for row in table.rows:
        values = {key: str(value or "").strip() for key, value in row.values.items()}
        organisation = organisations.get(values["organisation"].lower())
        if organisation is None:
            errors.append(f"{table.where(row, 'organisation')}: no partner called {values['organisation']!r} has a "
                          f"project open for allocation in {cohort}")
        email = values["student_email"].lower()
        student = users.get(email)
        if student is None or student.role != Role.STUDENT:
            errors.append(f"{table.where(row, 'student_email')}: no student has the address {email}")
            student = None
        rank = int(values["rank"]) if values["rank"].isdigit() else 0
        if rank < 1:
            errors.append(f"{table.where(row, 'rank')}: {values['rank']!r} is not a whole number from 1")
        if organisation is None or student is None or rank < 1:
            continue
        first = seen_students.setdefault((organisation.pk, student.pk), row.number)
        if first != row.number:
            errors.append(f"{table.where(row, 'student_email')}: {organisation.name} already ranks {email} on row "
                          f"{first}")
        first = seen_ranks.setdefault((organisation.pk, rank), row.number)
        if first != row.number:
            errors.append(f"{table.where(row, 'rank')}: {organisation.name} already has rank {rank} on row {first}")
        rows.append((organisation, student, rank))
    if errors:
        raise ImportFailed(errors)
    with transaction.atomic():
        named = {organisation.pk for organisation, _, _ in rows}
        PartnerRanking.objects.filter(cohort=cohort, organisation_id__in=named).delete()
        now = timezone.now()
        by_name = f"{actor or 'system'} (imported from {table.filename})"[:150]
        PartnerRanking.objects.bulk_create(
            PartnerRanking(cohort=cohort, organisation=organisation, student=student, rank=rank, ranked_at=now,
                           ranked_by=actor, ranked_by_name=by_name)
            for organisation, student, rank in rows
        )
        audit_record(actor=actor, action=Action.CHANGE, obj=cohort,
                     summary=f"imported {len(rows)} partner rankings of students for {len(named)} partners "
                             f"from {table.filename}")
    return ImportResult(students=len({student.pk for _, student, _ in rows}), preferences=len(rows),
                        partners=len(named))
