"""Shared test helpers: the external test material (never copied into the repository)."""

from __future__ import annotations

from pathlib import Path

import pytest

EXTERNAL = Path(__file__).resolve().parents[3] / ".." / "shared" / "external" / "transcripts"


@pytest.fixture(scope="session")
def external() -> Path:
    # Fail, not skip: these files are part of the test suite's contract (see ../shared/external/INDEX.md).
    assert EXTERNAL.is_dir(), f"external test material missing: {EXTERNAL}"
    return EXTERNAL
