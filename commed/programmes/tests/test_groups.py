"""Groups: by hand, from an allocation, and by `commed import groups FILE` (all or nothing, rows named)."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from commed.accounts.models import Role
from commed.lib.tabular import ImportFailed
from commed.programmes import services
from commed.programmes.imports import groups_import
from commed.programmes.models import Group, GroupMembership
from conftest import make_user


@pytest.fixture
def students(db):
    return [make_user(f"s{n}", Role.STUDENT) for n in range(4)]


def test_a_student_is_in_one_group_per_cohort(world, personas):
    with pytest.raises(ValidationError, match="already in Group A"):
        services.group_create(cohort=world.cohort, name="Group C", project=None, tutor=None,
                              members=[personas.student])


def test_a_tutor_must_be_a_tutor(world, personas, students):
    with pytest.raises(ValidationError, match="not a tutor"):
        services.group_create(cohort=world.cohort, name="Group C", project=None, tutor=students[0], members=[])


def test_an_allocation_becomes_groups_and_keeps_existing_tutors(world, personas, students):
    assignment = {students[0].pk: world.project_a.pk, students[1].pk: world.project_a.pk,
                  students[2].pk: world.project_b.pk, personas.student.pk: world.project_b.pk}
    groups = services.groups_publish_from_allocation(actor=personas.lead, cohort=world.cohort, assignment=assignment)
    assert [g.name for g in groups] == ["Group A", "Group B"]
    assert set(GroupMembership.objects.filter(group__name="Group A").values_list("student", flat=True)) == {
        students[0].pk, students[1].pk}
    assert Group.objects.get(name="Group B").tutor == world.tutor_b
    assert GroupMembership.objects.filter(student=personas.student).get().group.name == "Group B"


def test_an_allocation_naming_a_project_of_another_cohort_is_refused(world, personas, students):
    other = services.cohort_create(actor=personas.lead, programme=world.programme, academic_year="2026/27")
    with pytest.raises(ValidationError):
        services.groups_publish_from_allocation(actor=personas.lead, cohort=other,
                                                assignment={students[0].pk: world.project_a.pk})


def csv_bytes(*rows):
    return ("student e-mail,group,project,tutor\n" + "\n".join(",".join(r) for r in rows) + "\n").encode()


def test_the_import_places_students_and_creates_groups(world, personas, students):
    data = csv_bytes(
        (students[0].email, "Group C", "Diabetes in Bengali", personas.tutor.email),
        (students[1].email, "Group C", "", ""),
        (students[2].email, "Group A", "", ""),
    )
    result = groups_import(actor=None, cohort=world.cohort, data=data, filename="groups.csv")
    assert (result.groups_created, result.students_placed) == (1, 3)
    group_c = Group.objects.get(name="Group C")
    assert (group_c.project, group_c.tutor, group_c.memberships.count()) == (world.project_a, personas.tutor, 2)


def test_a_bad_import_names_every_bad_row_and_writes_nothing(world, personas, students):
    data = csv_bytes(
        (students[0].email, "Group C", "No such project", ""),
        ("nobody@example.org", "Group C", "", ""),
        (students[1].email, "Group D", "", personas.student.email),
        (students[0].email, "Group E", "", ""),
        (personas.student.email, "Group E", "", ""),
    )
    before = GroupMembership.objects.count()
    with pytest.raises(ImportFailed) as failure:
        groups_import(actor=None, cohort=world.cohort, data=data, filename="groups.csv")
    errors = "\n".join(failure.value.errors)
    assert "groups.csv, row 2, column C “project”: no project called 'No such project'" in errors
    assert "row 3" in errors and "nobody@example.org" in errors
    assert "row 4" in errors and "no tutor has the address" in errors
    assert "row 5" in errors and "also on row 2" in errors
    assert "row 6" in errors and "already in Group A" in errors
    assert GroupMembership.objects.count() == before
    assert not Group.objects.filter(name__in=["Group C", "Group D", "Group E"]).exists()


def test_the_import_command_reads_a_file_and_reports_errors_on_stderr(world, personas, students, tmp_path):
    good = tmp_path / "groups.csv"
    good.write_bytes(csv_bytes((students[0].email, "Group C", "", "")))
    out = io.StringIO()
    call_command("import_groups", str(good), "--cohort", "CAP 2025/26", stdout=out)
    assert "1 students placed" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(("nobody@example.org", "Group C", "", "")))
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_groups", str(bad), stderr=err)
    assert "bad.csv, row 2" in err.getvalue()


def test_the_import_refuses_a_file_that_is_not_a_table(world, personas):
    with pytest.raises(ImportFailed) as failure:
        groups_import(actor=None, cohort=world.cohort, data=b"PK\x03\x04junk", filename="groups.csv")
    assert "groups.csv" in failure.value.errors[0]


def test_the_import_page_shows_the_errors(world, personas, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(personas.lead)
    response = client.post(f"/programmes/cohorts/{world.cohort.pk}/groups/import/",
                           {"file": SimpleUploadedFile("g.csv", csv_bytes(("x@example.org", "G", "", "")))})
    assert response.status_code == 200
    assert "Nothing was imported" in response.content.decode()


def _xlsx(rows):
    from openpyxl import Workbook

    workbook = Workbook()
    for values in rows:
        workbook.active.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


HEADER = "student e-mail,group,project,tutor\n"
# (filename, content builder given the student and personas, fragments the error list must contain)
BAD_GROUP_FILES = {
    "empty file": ("g.csv", lambda s, p: b"", ["g.csv: the file is empty."]),
    "header only": ("g.csv", lambda s, p: HEADER.encode(), ["g.csv: the file has a header row but no rows"]),
    "missing group column": ("g.csv", lambda s, p: f"student e-mail,project\n{s.email},x\n".encode(),
                             ["g.csv, row 1: the required column “group name” is missing"]),
    "blank group": ("g.csv", lambda s, p: (HEADER + f"{s.email},,,\n").encode(),
                    ["g.csv, row 2, column B “group”: is empty"]),
    "formula: DDE in the group": ("g.csv", lambda s, p: (HEADER + f"{s.email},=cmd|' /C calc'!A0,,\n").encode(),
                                  ["g.csv, row 2, column B “group”", "would run as a formula"]),
    "formula: @ in the e-mail": ("g.csv", lambda s, p: (HEADER + "@SUM(1+1),G,,\n").encode(),
                                 ["g.csv, row 2, column A “student e-mail”", "would run as a formula"]),
    "xlsx cell with a formula": ("g.xlsx", lambda s, p: _xlsx([["student e-mail", "group"], [s.email, "=A1"]]),
                                 ["g.xlsx, row 2, column B: the cell holds a formula"]),
    "xlsm": ("g.xlsm", lambda s, p: _xlsx([["student e-mail", "group"], [s.email, "G"]]),
             ["g.xlsm: workbooks with macros (.xlsm) are not accepted"]),
    "binary": ("g.csv", lambda s, p: bytes(range(256)) * 20, ["g.csv: this is not a CSV file", "binary"]),
    "pdf": ("g.pdf", lambda s, p: b"%PDF-1.4", ["g.pdf: .pdf files cannot be imported"]),
    "neither utf-8 nor windows-1252": ("g.csv", lambda s, p: (HEADER + f"{s.email},Caf\x81,,\n").encode("latin-1"),
                                       ["g.csv: the text is neither UTF-8 nor Windows-1252"]),
    "NUL byte": ("g.csv", lambda s, p: (HEADER + f"{s.email},G\x00x,,\n").encode(),
                 ["g.csv, row 2, column B “group”: the value contains an invisible control character"]),
    "a student as tutor": ("g.csv", lambda s, p: (HEADER + f"{s.email},G,,{p.student.email}\n").encode(),
                           ["g.csv, row 2, column D “tutor”: no tutor has the address student@"]),
    "a lead as student": ("g.csv", lambda s, p: (HEADER + f"{p.lead.email},G,,\n").encode(),
                          ["g.csv, row 2, column A “student e-mail”: no student has the address lead@"]),
    "existing group given another project": (
        "g.csv", lambda s, p: (HEADER + f"{s.email},Group A,Football and mental health,\n").encode(),
        ["g.csv, row 2, column C “project”: Group A already works on Diabetes in Bengali"]),
    "one new group, two projects": (
        "g.csv", lambda s, p: (HEADER + f"{s.email},New,Diabetes in Bengali,\n"
                               f"{p.outsider.email},New,Football and mental health,\n").encode(),
        ["g.csv, row 3, column C “project”: New has another project on row 2"]),
}


@pytest.mark.parametrize("case", list(BAD_GROUP_FILES), ids=list(BAD_GROUP_FILES))
def test_a_malformed_or_hostile_group_file_is_refused_with_its_problems_named_and_nothing_is_written(
    world, personas, students, case
):
    filename, build, expected = BAD_GROUP_FILES[case]
    before = (Group.objects.count(), GroupMembership.objects.count())
    with pytest.raises(ImportFailed) as failure:
        groups_import(actor=personas.lead, cohort=world.cohort, data=build(students[0], personas), filename=filename)
    text = "\n".join(failure.value.errors)
    for part in expected:
        assert part in text
    assert all(error.startswith(filename) for error in failure.value.errors)
    assert (Group.objects.count(), GroupMembership.objects.count()) == before


def test_a_group_file_with_more_rows_than_allowed_is_refused(world, personas, students, settings):
    settings.IMPORT_MAX_ROWS = 2
    data = csv_bytes(*[(s.email, "Group C", "", "") for s in students[:3]])
    with pytest.raises(ImportFailed, match="more than 2 rows"):
        groups_import(actor=personas.lead, cohort=world.cohort, data=data, filename="g.csv")
    assert not Group.objects.filter(name="Group C").exists()


def test_the_commed_console_script_imports_groups(world, personas, students, tmp_path, capsys, monkeypatch):
    from django.db import connections

    from commed.cli import main

    # `commed X` closes the database connections at the end, as manage.py does; keep the test's own open.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    good = tmp_path / "groups.csv"
    good.write_bytes(csv_bytes((students[0].email, "Group C", "Diabetes in Bengali", personas.tutor.email)))
    assert main(["import", "groups", str(good), "--cohort", "CAP 2025/26"]) == 0
    assert "1 students placed; 1 new groups." in capsys.readouterr().out
    assert Group.objects.get(name="Group C").memberships.get().student == students[0]
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(("nobody@example.org", "Group D", "", "")))
    assert main(["import", "groups", str(bad), "--cohort", "CAP 2025/26"]) == 1
    err = capsys.readouterr().err
    assert "bad.csv, row 2, column A" in err and "nothing was imported" in err
    assert not Group.objects.filter(name="Group D").exists()
