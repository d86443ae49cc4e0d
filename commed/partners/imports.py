"""Import organisations and contacts from a CSV or XLSX file: all or nothing.

One row per contact, or per organisation without contacts; several rows may name the same organisation.
Rules (also shown to people on the import page and in `commed import partners --help`):
- An organisation is found by name, ignoring case and extra spaces. A new one is created (its kind is then
  required); an existing one is updated with the organisation fields the file gives: a blank cell, or a column
  the file does not have, leaves the field as it is. A list (populations, focus areas, languages) that is given
  replaces the organisation's list. Two rows of one organisation that give different values for a field are an
  error naming both rows.
- A contact is found within its organisation by e-mail (ignoring case), or, without an e-mail, by name. A new
  one is added; an existing one gets the contact fields the file gives. Contacts not in the file are left alone
  (an import never deletes).
- The same organisation and contact twice in a file is an error naming both rows.
- Nothing that would not change is written, so importing an export again changes nothing.
Everything is checked first and every problem reported (file, row, column); only a clean file is written, in one
transaction, through the partner services, so every creation and change is in the audit trail.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from commed.accounts.models import User
from commed.lib.tabular import ImportFailed, Row, Table, TableError, read_table
from commed.partners import services
from commed.partners.models import Contact, Language, Organisation, OrganisationKind

# canonical name, heading written by the export, other headings people use
COLUMNS: list[tuple[str, str, tuple[str, ...]]] = [
    ("name", "Organisation name", ("organisation", "organization name", "organization", "org name", "partner")),
    ("kind", "Kind", ("type", "organisation kind", "organisation type", "kind of organisation")),
    ("description", "Description", ()),
    ("populations", "Populations", ("population", "populations served", "communities")),
    ("focus_areas", "Focus areas", ("focus area", "focus", "health topics")),
    ("languages", "Languages", ("language", "languages spoken")),
    ("areas_served", "Areas served", ("area served", "areas", "area")),
    ("address", "Address", ()),
    ("postcode", "Postcode", ("post code", "postal code", "zip")),
    ("website", "Website", ("web site", "web", "url", "web address")),
    ("charity_number", "Charity number", ("charity no", "registered charity number", "charity")),
    ("safeguarding_policy_date", "Safeguarding policy date",
     ("safeguarding policy", "safeguarding date", "safeguarding policy reviewed")),
    ("capacity_per_year", "Capacity per year", ("capacity", "students per year", "places per year")),
    ("contact_name", "Contact name", ("contact", "contact person")),
    ("contact_email", "Contact e-mail", ("contact email", "email", "e-mail", "email address")),
    ("contact_phone", "Contact phone", ("phone", "telephone", "contact telephone", "phone number")),
    ("contact_job_title", "Contact job title", ("job title",)),
    ("contact_role", "Contact role", ("role", "role in the partnership")),
    ("contact_is_primary", "Main contact", ("primary contact", "primary", "is main contact")),
]
HEADINGS = {key: heading for key, heading, _ in COLUMNS}
ALIASES = {key: [heading, *others] for key, heading, others in COLUMNS}
ORGANISATION_COLUMNS = ("kind", "description", "populations", "focus_areas", "languages", "areas_served", "address",
                        "postcode", "website", "charity_number", "safeguarding_policy_date", "capacity_per_year")
LIST_COLUMNS = ("populations", "focus_areas", "languages")
CONTACT_COLUMNS = ("contact_name", "contact_email", "contact_phone", "contact_job_title", "contact_role",
                   "contact_is_primary")
MAX_LENGTHS = {"name": 200, "areas_served": 500, "address": 300, "postcode": 10, "website": 200,
               "charity_number": 20, "contact_name": 150, "contact_email": 254, "contact_phone": 40,
               "contact_job_title": 150, "contact_role": 100}
TRUE = {"yes", "y", "true", "1", "x", "main", "primary"}
FALSE = {"no", "n", "false", "0", ""}
MAX_CAPACITY = 100_000
MAX_ERRORS = 200


@dataclass(frozen=True)
class ImportResult:
    summary: str
    organisations_created: int = 0
    organisations_updated: int = 0
    contacts_created: int = 0
    contacts_updated: int = 0
    notes: tuple[str, ...] = ()


@dataclass
class _OrganisationPlan:
    key: str
    name: str
    first_row: Row
    kind_given: bool = False
    fields: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, Row] = field(default_factory=dict)  # which row gave each field
    contacts: list[tuple[Row, dict[str, Any]]] = field(default_factory=list)


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _split(value: str) -> list[str]:
    return [" ".join(part.split()) for part in re.split(r"[;,]", value) if part.strip()]


def _parse_date(value: str) -> dt.date | None:
    value = value.strip()
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?", value)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", value)
        if not match:
            return None
        day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


class _Checker:
    def __init__(self, table: Table) -> None:
        self.table = table
        self.errors: list[str] = list(table.errors)
        self.count = table.error_count

    def error(self, row: Row, column: str | None, message: str) -> None:
        self.count += 1
        if self.count <= MAX_ERRORS:
            self.errors.append(f"{self.table.where(row, column)}: {message}")

    def organisation_fields(self, row: Row) -> dict[str, Any]:
        """The organisation fields this row gives (non-blank cells only), cleaned; problems are recorded."""
        values, out = row.values, {}
        for column in ORGANISATION_COLUMNS:
            raw = values.get(column, "")
            if not raw or column in row.bad:
                continue
            cleaned = self._clean(row, column, raw)
            if cleaned is not None:
                out[column] = cleaned
        return out

    def _too_long(self, row: Row, column: str, value: str) -> bool:
        limit = MAX_LENGTHS.get(column)
        if limit is not None and len(value) > limit:
            self.error(row, column, f"is {len(value)} characters long; the most is {limit}.")
            return True
        return False

    def _clean(self, row: Row, column: str, raw: str) -> Any:
        if column == "kind":
            kind = services.organisation_kind_from_label(raw)
            if kind is None:
                accepted = "; ".join(f"{code} ({label})" for code, label in OrganisationKind.choices)
                self.error(row, column, f"“{raw[:60]}” is not a kind of organisation. Use one of: {accepted}.")
            return kind
        if column in LIST_COLUMNS:
            items = _split(raw)
            limit = 80 if column == "languages" else 120
            for item in items:
                if len(item) > limit:
                    self.error(row, column, f"“{item[:40]}…” is longer than {limit} characters; separate the "
                               "items with ; or ,.")
                    return None
            return sorted(set(items), key=str.casefold)
        if column == "website":
            url = raw if "://" in raw else f"https://{raw}"
            try:
                URLValidator(schemes=["http", "https"])(url)
            except ValidationError:
                self.error(row, column, f"“{raw[:80]}” is not a web address.")
                return None
            return None if self._too_long(row, column, url) else url
        if column == "postcode":
            postcode = " ".join(raw.upper().split())
            return None if self._too_long(row, column, postcode) else postcode
        if column == "safeguarding_policy_date":
            date = _parse_date(raw)
            if date is None:
                self.error(row, column, f"“{raw[:40]}” is not a date; write it as 2025-09-30 or 30/09/2025.")
            elif date > timezone.localdate():
                self.error(row, column, f"{date:%d/%m/%Y} is in the future.")
                return None
            return date
        if column == "capacity_per_year":
            try:
                capacity = int(raw.replace(",", "").strip())
            except ValueError:
                self.error(row, column, f"“{raw[:40]}” is not a whole number of students.")
                return None
            if capacity < 0:
                self.error(row, column, f"{capacity} is negative; give 0 or more students a year.")
                return None
            if capacity > MAX_CAPACITY:
                self.error(row, column, f"{capacity:,} students a year is more than {MAX_CAPACITY:,}.")
                return None
            return capacity
        return None if self._too_long(row, column, raw) else raw

    def contact_fields(self, row: Row) -> dict[str, Any] | None:
        values = row.values
        if not any(values.get(column) or column in row.bad for column in CONTACT_COLUMNS):
            return None
        out: dict[str, Any] = {}
        name = values.get("contact_name", "")
        if "contact_name" in row.bad:
            pass
        elif not name:
            self.error(row, "contact_name" if self.table.has("contact_name") else None,
                       "the row has contact details but no contact name.")
        elif not self._too_long(row, "contact_name", name):
            out["name"] = name
        email = values.get("contact_email", "")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                self.error(row, "contact_email", f"“{email[:80]}” is not an e-mail address.")
            else:
                if not self._too_long(row, "contact_email", email):
                    out["email"] = email
        for column, target in (("contact_phone", "phone"), ("contact_job_title", "job_title"),
                               ("contact_role", "role")):
            value = values.get(column, "")
            if value and not self._too_long(row, column, value):
                out[target] = value
        primary = values.get("contact_is_primary", "").strip().lower()
        if primary in TRUE:
            out["is_primary"] = True
        elif primary and primary in FALSE:
            out["is_primary"] = False
        elif primary:
            self.error(row, "contact_is_primary", f"“{primary[:20]}” is not yes or no.")
        return out


def _plan(table: Table) -> tuple[dict[str, _OrganisationPlan], list[str], int]:
    checker = _Checker(table)
    plans: dict[str, _OrganisationPlan] = {}
    seen_rows: dict[tuple[Any, ...], Row] = {}
    seen_contacts: dict[tuple[str, str], Row] = {}
    for row in table.rows:
        if "name" in row.bad:
            checker.organisation_fields(row)  # still report the row's other problems
            checker.contact_fields(row)
            continue
        name = " ".join(row.values["name"].split())
        if len(name) > MAX_LENGTHS["name"]:
            checker.error(row, "name", f"is {len(name)} characters long; the most is {MAX_LENGTHS['name']}.")
            continue
        key = _key(name)
        identical = (key, *(row.values[c] for c in table.columns if c != "name"))
        if identical in seen_rows:
            checker.error(row, None, f"repeats row {seen_rows[identical].number} exactly; remove one of them.")
            continue
        seen_rows[identical] = row
        plan = plans.setdefault(key, _OrganisationPlan(key=key, name=name, first_row=row))
        plan.kind_given = plan.kind_given or bool(row.values["kind"]) or "kind" in row.bad
        for column, value in checker.organisation_fields(row).items():
            if column in plan.fields and not _same(plan.fields[column], value):
                earlier = plan.sources[column]
                checker.error(row, column, f"differs from row {earlier.number} for the same organisation "
                              f"(“{_show(plan.fields[column])}” there, “{_show(value)}” here).")
            else:
                plan.fields.setdefault(column, value)
                plan.sources.setdefault(column, row)
        contact = checker.contact_fields(row)
        if contact is not None:
            identity = contact.get("email", "").casefold() or "name:" + _key(contact.get("name", ""))
            if "contact_email" in row.bad or "contact_name" in row.bad:
                continue
            if (key, identity) in seen_contacts:
                earlier = seen_contacts[(key, identity)]
                column = "contact_email" if contact.get("email") else "contact_name"
                checker.error(row, column, f"row {earlier.number} already has this contact of {name}; a contact "
                              "can appear only once.")
            else:
                seen_contacts[(key, identity)] = row
                plan.contacts.append((row, contact))
    return plans, checker.errors, checker.count


def _row_number(message: str) -> int:
    match = re.search(r", row (\d+)", message)
    return int(match.group(1)) if match else 0


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return {v.casefold() for v in a} == {v.casefold() for v in b}
    return bool(a == b)


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(value)
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    return str(value)[:60]


def _changed_fields(organisation: Organisation, fields: dict[str, Any], languages: dict[str, int]) -> dict[str, Any]:
    """The given fields whose values differ from the organisation's; `languages` maps codes and names to ids."""
    changed: dict[str, Any] = {}
    for column, value in fields.items():
        if column in ("populations", "focus_areas"):
            current = {term.name.casefold() for term in getattr(organisation, column).all()}
            if current != {v.casefold() for v in value}:
                changed[column] = value
        elif column == "languages":
            current_ids = {language.pk for language in organisation.languages.all()}
            wanted_ids = {languages.get(v.casefold(), -1) for v in value}
            if current_ids != wanted_ids:
                changed[column] = value
        elif getattr(organisation, column) != value:
            changed[column] = value
    return changed


def _find_contact(organisation: Organisation, contact: dict[str, Any]) -> Contact | None:
    contacts = list(organisation.contacts.all())
    if contact.get("email"):
        return next((c for c in contacts if c.email.casefold() == contact["email"].casefold()), None)
    name = _key(contact.get("name", ""))
    return next((c for c in contacts if not c.email and _key(c.name) == name), None)


def partners_import(*, actor: User | None, data: bytes, filename: str, dry_run: bool = False) -> ImportResult:
    """Check the whole file, then write it in one transaction; raise ImportFailed listing every problem."""
    try:
        table = read_table(data, filename, required=["name"], optional=[key for key, _, _ in COLUMNS[1:]],
                           aliases=ALIASES, defer_cell_errors=True)
    except TableError as error:
        raise ImportFailed(error.errors) from error
    plans, errors, count = _plan(table)
    ids = {_key(name): pk for pk, name in Organisation.objects.values_list("pk", "name")}
    existing = {
        _key(org.name): org
        for org in Organisation.objects.filter(pk__in=[ids[key] for key in plans if key in ids])
        .prefetch_related("populations", "focus_areas", "languages", "contacts")
    }
    for key, plan in plans.items():
        if key not in existing and not plan.kind_given:
            where = table.where(plan.first_row, "kind" if table.has("kind") else None)
            errors.append(f"{where}: {plan.name} is a new organisation, so its kind is needed "
                          f"({', '.join(OrganisationKind.values)}).")
            count += 1
    if errors:
        errors.sort(key=_row_number)
        if count > len(errors):
            errors.append(f"{table.filename}: … and {count - len(errors)} more problems.")
        raise ImportFailed(errors)

    languages: dict[str, int] = {}
    known = list(Language.objects.values_list("pk", "code", "name"))
    for pk, _code, name in known:
        languages.setdefault(name.casefold(), pk)
    for pk, code, _name in known:
        languages[code.casefold()] = pk  # a code wins over a name, as in services.language_terms
    created = updated = contacts_created = contacts_updated = 0
    row: Row | None = None
    try:
        with transaction.atomic():
            for key, plan in plans.items():
                row = plan.first_row
                organisation = existing.get(key)
                if organisation is None:
                    created += 1
                    organisation = services.organisation_create(actor=actor, name=plan.name, **plan.fields)
                else:
                    changes = _changed_fields(organisation, plan.fields, languages)
                    if changes:
                        updated += 1
                        services.organisation_update(actor=actor, organisation=organisation, **changes)
                for contact_row, contact in plan.contacts:
                    row = contact_row
                    current = _find_contact(organisation, contact)
                    if current is None:
                        contacts_created += 1
                        services.contact_create(actor=actor, organisation=organisation, **contact)
                    else:
                        differing = {k: v for k, v in contact.items()
                                     if getattr(current, k) != v and not (k == "email" and current.email.casefold()
                                                                          == v.casefold())}
                        if differing:
                            contacts_updated += 1
                            services.contact_update(actor=actor, contact=current, **differing)
            if dry_run:
                transaction.set_rollback(True)
    except (ValidationError, IntegrityError) as error:
        messages = error.messages if isinstance(error, ValidationError) else [str(error)]
        raise ImportFailed([f"{table.where(row)}: {message} Nothing was imported." for message in messages]) from error
    verb = "Would create" if dry_run else "Created"
    summary = (f"{table.filename}: {verb} {created} organisation{'s' * (created != 1)}, "
               f"{'would update' if dry_run else 'updated'} {updated}, left {len(plans) - created - updated} "
               f"unchanged; {'would add' if dry_run else 'added'} {contacts_created} contact"
               f"{'s' * (contacts_created != 1)} and {'would update' if dry_run else 'updated'} {contacts_updated}.")
    notes = list(table.notes)
    if table.ignored_columns:
        notes.append(f"{table.filename}: columns not imported: {', '.join(table.ignored_columns)}.")
    if notes:
        summary += " " + " ".join(notes)
    return ImportResult(
        summary=summary,
        organisations_created=created,
        organisations_updated=updated,
        contacts_created=contacts_created,
        contacts_updated=contacts_updated,
        notes=tuple(notes),
    )
