"""The README's quick start, the `dev` script behind it, CI and the `commed` console script."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

from commed.cli import main
from commed.partners.models import Contact, Organisation

ROOT = Path(__file__).resolve().parents[3]


def quick_start_blocks() -> list[list[str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [[line for line in block.splitlines() if line.strip()]
            for block in re.findall(r"^```[^\n]*\n(.*?)^```", section, flags=re.MULTILINE | re.DOTALL)]


def test_the_quick_start_is_one_code_block_of_two_commands_that_the_dev_script_knows():
    blocks = quick_start_blocks()
    assert blocks == [["./dev demo", "./dev test"]]
    dev = (ROOT / "dev").read_text(encoding="utf-8")
    assert os.access(ROOT / "dev", os.X_OK)
    demo = dev.split("  demo)", 1)[1].split(";;", 1)[0]
    test = dev.split("  test)", 1)[1].split(";;", 1)[0]
    assert "pip install" in demo and "commed demo" in demo
    assert "'.[test]'" in test and "pytest" in test


def test_ci_runs_the_readmes_test_command_then_the_suite_on_postgresql():
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert os.access(ROOT / ".ci" / "run", os.X_OK)
    assert "./dev test" in run
    after = run.split("./dev test", 1)[1]
    assert re.search(r'DATABASE_URL="?postgres://[^"\s]*@127\.0\.0\.1:5432/\S+"? .*-m pytest', after)
    assert "pg_ctlcluster" in run  # starts PostgreSQL when it is not running


def test_ci_fails_at_once_without_the_shared_external_files(tmp_path):
    checkout = tmp_path / "commed"
    (checkout / ".ci").mkdir(parents=True)
    shutil.copy(ROOT / ".ci" / "run", checkout / ".ci" / "run")
    # A `dev` that would record being run: CI must stop before it.
    (checkout / "dev").write_text("#!/bin/sh\ntouch ran\n")
    (checkout / "dev").chmod(0o755)
    bash = shutil.which("bash") or "/bin/bash"
    result = subprocess.run([bash, str(checkout / ".ci" / "run")],  # noqa: S603 (our own CI script)
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode != 0
    assert "shared/external" in result.stderr
    assert not (checkout / "ran").exists()


def test_the_licence_is_apache_2():
    assert "Apache License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert 'license = "Apache-2.0"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def keep_the_test_connection(monkeypatch):
    """`commed X` ends like `manage.py X`, closing the database connections; inside a test transaction on
    PostgreSQL that would close the test's own connection."""
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)


def test_the_console_script_runs_the_partner_import_and_django_commands(personas, tmp_path, capsys, monkeypatch):
    keep_the_test_connection(monkeypatch)
    data = tmp_path / "partners.csv"
    data.write_text("Organisation name,Kind,Contact name,Contact e-mail\n"
                    "Charlie Food Bank,community,Cara Lewis,cara@charlie.example.org\n", encoding="utf-8")
    assert main(["import", "partners", str(data)]) == 0
    assert Contact.objects.filter(organisation__name="Charlie Food Bank", email="cara@charlie.example.org").exists()
    capsys.readouterr()
    bad = tmp_path / "bad.csv"
    bad.write_text("Organisation name,Kind\n=cmd|' /C calc'!A0,community\n", encoding="utf-8")
    assert main(["import", "partners", str(bad)]) != 0
    assert "bad.csv, row 2, column A" in capsys.readouterr().err
    assert Organisation.objects.count() == 3
    assert main(["import"]) == 2
    assert main(["--help"]) == 0
    assert "commed import" in capsys.readouterr().out
    assert main(["check"]) == 0


def test_serve_hands_the_wsgi_application_to_waitress_on_the_address_given(monkeypatch):
    import waitress
    from django.core.management import call_command

    served: dict[str, object] = {}
    monkeypatch.setattr(waitress, "serve", lambda app, **kwargs: served.update(app=app, **kwargs))
    out = io.StringIO()
    call_command("serve", port=8123, stdout=out)
    from commed.wsgi import application

    assert served["app"] is application
    assert (served["host"], served["port"]) == ("127.0.0.1", 8123)
    assert "http://127.0.0.1:8123/" in out.getvalue()


def test_the_demo_serves_on_port_8000_unless_told_not_to(db, monkeypatch):
    from django.core.management import call_command

    import commed.core.management.commands.demo as demo_command

    calls: list[tuple[str, dict[str, object]]] = []
    real = call_command

    def spy(name: str, *args: object, **kwargs: object) -> None:
        if name == "serve":
            calls.append((name, kwargs))
            return
        real(name, *args, **kwargs)

    monkeypatch.setattr(demo_command, "call_command", spy)
    monkeypatch.setattr(demo_command, "demo_seed", lambda: False)  # the data itself is tested in test_demo.py
    call_command("demo", stdout=io.StringIO())
    assert calls == [("serve", {"host": "127.0.0.1", "port": 8000})]
    calls.clear()
    call_command("demo", no_serve=True, stdout=io.StringIO())
    assert calls == []
