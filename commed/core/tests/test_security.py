from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.test import Client

REPO = Path(__file__).resolve().parents[3]


def test_pages_send_the_security_headers(personas):
    client = Client()
    client.force_login(personas.lead)
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "same-origin"


def test_the_deploy_check_passes_with_production_settings(tmp_path):
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment never does.
    inherited = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "COMMED_ENV": "production",
        "SECRET_KEY": "a-production-secret-key-that-is-long-and-random-enough-0123456789abcdef",
        "ALLOWED_HOSTS": "commed.example.org",
        "COMMED_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO, env=env, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {**os.environ, "COMMED_ENV": "production", "COMMED_DATA_DIR": str(tmp_path)}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=REPO, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
