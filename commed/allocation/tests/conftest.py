import pytest

from commed.allocation.tests.world import build_allocation_world


@pytest.fixture(autouse=True)
def inline_runner(settings):
    # Runs are solved in the request itself, so a test sees the finished run without threads or waiting.
    settings.ALLOCATION_RUNNER = "inline"


@pytest.fixture
def world(personas):
    return build_allocation_world(personas)
