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
