import pytest
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import Role
from tests.factories import MakerFactory, UserFactory, api_key_for

pytest_plugins = ["tests.worker", "tests.world", "tests.stripe_local", "tests.s3_local", "tests.octoprint_local"]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Every test gets its own storage folder: files from one test never leak into another.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Rate-limit counters live in the cache and are keyed by user id, which a rolled-back test may reuse.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _english_after_each_test():
    # LocaleMiddleware activates the request's language for the thread and never switches back: a test that
    # asks for a German page would leave the next test in this worker reading German.
    yield
    translation.activate("en")


@pytest.fixture
def api():
    return APIClient()


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        key = getattr(user, "api_key", None) or api_key_for(user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def customer(db):
    return UserFactory(username="carol", role=Role.CUSTOMER)


@pytest.fixture
def other_customer(db):
    return UserFactory(username="oscar", role=Role.CUSTOMER)


@pytest.fixture
def staff(db):
    return UserFactory(username="sam", role=Role.STAFF, is_staff=True)


@pytest.fixture
def maker_user(db):
    user = UserFactory(username="mia", role=Role.MAKER)
    maker = MakerFactory(name="Mia's Prints", slug="mias-prints")
    maker.members.add(user)
    return user


@pytest.fixture
def other_maker_user(db):
    user = UserFactory(username="max", role=Role.MAKER)
    maker = MakerFactory(name="Max Fab", slug="max-fab", city="Hamburg", latitude=53.55, longitude=9.99)
    maker.members.add(user)
    return user


def pytest_sessionfinish(session, exitstatus):
    """Remove this run's folder (SQLite test database, broker messages, media) when the run ends."""
    import os
    import shutil

    from django.conf import settings

    # Under xdist the workers inherit the controller's PLATFORM_TEST_RUN_ID and so share its folder: the first
    # worker to finish would delete it under the others (their SQLite databases: "unable to open database
    # file"). The controller removes it once every worker has ended.
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return

    folder = getattr(settings, "TEST_RUN_DIR", None)
    if folder is not None and "test" in str(folder):
        shutil.rmtree(folder, ignore_errors=True)
