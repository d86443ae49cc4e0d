import pytest

from commed.reports.tests.world import YEAR, build_reports_world, enrich, fresh_draft


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def reflections(personas):
    return enrich(personas)


@pytest.fixture
def draft(personas, reflections):
    return fresh_draft(personas, reflections)


@pytest.fixture
def reports_world(personas):
    return build_reports_world(personas)


@pytest.fixture
def year():
    return YEAR
