import os

import pytest


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path):
    """Uploaded evidence and emails written to a folder go to a temporary folder per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"


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
