import pytest

from commed.programmes.tests.world import build_world


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(personas):
    return build_world(personas)
