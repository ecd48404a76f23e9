import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

# Shared test helpers that assert get the detailed failure messages test modules get.
pytest.register_assert_rewrite("commitments.tests.helpers")


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path):
    """Uploaded evidence and emails written to a folder go to a temporary folder per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request in French leaves French active in the
    test's thread (LocaleMiddleware activates a request's language; nothing switches it back)."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def admin_user(db):
    from accounts.tests.factories import AdminFactory

    return AdminFactory(email="admin@example.org")


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Drive Debian's Chromium: Playwright cannot download a browser on these machines."""
    if not os.path.exists(CHROMIUM):
        message = f"browser tests need {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER_TESTS"):
            pytest.fail(message)
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


class Cast:
    """The people of an access test: a champion, their focal point, and those who may not look."""

    def __init__(self):
        from accounts.tests.factories import OfficeMemberFactory, UserFactory
        from champions.tests.factories import ChampionFactory
        from commitments.tests.factories import CommitmentFactory, CycleFactory

        today = timezone.localdate()
        self.cycle = CycleFactory(year=today.year)
        self.focal_point = UserFactory(email="focal@example.org", full_name="Fiona Focal")
        self.champion = ChampionFactory(full_name="Chidi Champion", focal_points=[self.focal_point])
        self.champion_user = self.champion.user
        self.commitment = CommitmentFactory(champion=self.champion, cycle=self.cycle, number=1)
        self.other_champion = ChampionFactory(full_name="Olga Other")
        self.other_commitment = CommitmentFactory(champion=self.other_champion, cycle=self.cycle, number=1)
        self.other_focal_point = UserFactory(email="other.focal@example.org")
        self.other_champion.focal_points.add(self.other_focal_point)
        self.office_member = OfficeMemberFactory(email="office@example.org")


@pytest.fixture
def cast(db):
    return Cast()


# The cache the environment configures (Redis in CI), for the tests that need it (real_cache).
CONFIGURED_CACHES = settings.CACHES
IN_MEMORY_CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}
}


@pytest.fixture(autouse=True)
def _in_memory_cache(settings):
    """Tests use a cache in this process's memory, emptied for each test: nothing kept by an earlier
    test (a dashboard page, a lockout) reaches the next. Email goes to django.core.mail.outbox."""
    settings.CACHES = IN_MEMORY_CACHES
    cache.clear()


@pytest.fixture
def real_cache(settings):
    """The cache the environment configures (Redis in CI), for tests about the shared cache itself."""
    settings.CACHES = CONFIGURED_CACHES
    cache.clear()


def pytest_collection_modifyitems(items):
    """Browser tests (those using Playwright's page) are marked `browser`, and browser and worker tests
    `slow`, so that `-m "not slow"` runs the fast inner loop (`make test` runs everything)."""
    for item in items:
        if "page" in item.fixturenames and not item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.browser)
        if item.get_closest_marker("browser") or item.get_closest_marker("worker"):
            item.add_marker(pytest.mark.slow)


def pytest_configure(config):
    """The folders the embedded defaults use (this run's SQLite database, static files)."""
    from config.folders import make_folders

    make_folders()
