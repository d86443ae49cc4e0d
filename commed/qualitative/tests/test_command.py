"""The `qda` command's subcommands and their error messages."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from commed.qualitative.models import Document, Study
from commed.qualitative.tests.factories import researcher, small_study

pytestmark = pytest.mark.django_db


def test_import_docs_imports_and_pseudonymises_listed_names(tmp_path: Path) -> None:
    small = small_study(researcher("cmd_r"), "cmd")
    path = tmp_path / "fg2.txt"
    path.write_text("2P14: Maria met Sunita at the forum.\nC01: Yes.\n", encoding="cp1252")
    out = io.StringIO()
    call_command("qda", "import-docs", "cmd", str(path), "--names", "Sunita", stdout=out)
    assert "1 documents imported into cmd; 2 names replaced" in out.getvalue()
    document = Document.objects.get(study=small.study, name="fg2.txt")
    assert document.text.startswith("2P14: [2P14] met [redacted] at the forum.")


def test_import_docs_stops_at_a_bad_file_naming_it_and_saves_nothing(tmp_path: Path) -> None:
    small_study(researcher("cmd_r"), "cmd")
    good, bad = tmp_path / "good.txt", tmp_path / "bad.odt"
    good.write_text("A: fine\n")
    bad.write_bytes(b"PK\x03\x04garbage")
    before = Document.objects.count()
    with pytest.raises(CommandError, match=r"bad\.odt.*nothing was saved"):
        call_command("qda", "import-docs", "cmd", str(good), str(bad), stdout=io.StringIO())
    assert Document.objects.count() == before


def test_unknown_studies_files_and_formats_get_clear_messages(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no study called 'nope'"):
        call_command("qda", "agreement", "nope", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no such file"):
        call_command("qda", "import-qdpx", str(tmp_path / "missing.qdpx"), "--study", "x", stdout=io.StringIO())
    with pytest.raises(CommandError, match="give --owner"):
        (tmp_path / "p.qdpx").write_bytes(b"x")
        call_command("qda", "import-qdpx", str(tmp_path / "p.qdpx"), "--study", "x", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("qda", "themes-table", "x", "--format", "pdf", "--out", "x.pdf", stdout=io.StringIO())


def test_a_broken_qdpx_is_refused_through_the_command_and_the_new_study_is_not_left_half_built(
        tmp_path: Path) -> None:
    researcher("cmd_r")
    bad = tmp_path / "broken.qdpx"
    bad.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    with pytest.raises(CommandError, match=r"broken\.qdpx"):
        call_command("qda", "import-qdpx", str(bad), "--study", "fresh", "--owner", "cmd_r", stdout=io.StringIO())
    assert Document.objects.count() == 0
    assert not Study.objects.filter(slug="fresh").exists()


def test_import_docs_replaces_a_listed_name_by_the_code_given_for_it(tmp_path: Path) -> None:
    small = small_study(researcher("cmd_r"), "cmd")
    path = tmp_path / "fg3.txt"
    path.write_text("C01: Sunita Rao and Tom came.\n1P05: Tom did.\n", encoding="utf-8")
    call_command("qda", "import-docs", "cmd", str(path), "--names", "Sunita Rao=P99, Tom", stdout=io.StringIO())
    document = Document.objects.get(study=small.study, name="fg3.txt")
    assert document.text == "C01: [P99] and [redacted] came.\n1P05: [redacted] did.\n"
    entries = document.pseudonymisation_log.entries
    assert [(e["original"], e["replacement"]) for e in entries] == [
        ("Sunita Rao", "[P99]"), ("Tom", "[redacted]"), ("Tom", "[redacted]")]


def test_export_qdpx_and_themes_table_and_agreement_write_what_they_say(tmp_path: Path) -> None:
    from commed_core.refiqda import read_project, validate_qdpx

    small = small_study(researcher("cmd_r"), "cmd")
    out = io.StringIO()
    call_command("qda", "export-qdpx", "cmd", str(tmp_path / "cmd.qdpx"), stdout=out)
    data = (tmp_path / "cmd.qdpx").read_bytes()
    assert validate_qdpx(data) == [] and f"{len(data)} bytes" in out.getvalue()
    project = read_project(data)
    assert [s.guid for s in project.sources] == [small.document.guid]
    assert project.sources[0].selections[0].codings[0].guid == small.coding.guid
    for unit in ("character", "turn", "document"):
        out = io.StringIO()
        call_command("qda", "agreement", "cmd", "--unit", unit, "--json", stdout=out)
        assert f'"unit": "{unit}"' in out.getvalue()
    with pytest.raises(CommandError):
        call_command("qda", "agreement", "cmd", "--unit", "paragraph", stdout=io.StringIO())


def test_the_commands_run_as_commed_qda_from_the_console_script(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connections

    from commed.cli import main

    # `commed X` closes the database connections at the end, as manage.py does; keep the test's own open.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    small_study(researcher("cmd_r"), "cmd")
    assert main(["qda", "agreement", "cmd", "--unit", "document", "--json"]) == 0
    assert '"unit": "document"' in capsys.readouterr().out
    assert main(["qda", "agreement", "nope"]) != 0
    assert "no study called 'nope'" in capsys.readouterr().err
