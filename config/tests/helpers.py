"""Helpers shared by the config tests that start the app in a process of its own."""

import os
import secrets


def production_env(tmp_path, **extra):
    """The environment of a production start (DEBUG off), and nothing else from the test run's.

    Production names every service (settings.EMBEDDED_DEFAULTS): here the embedded ones, named
    explicitly, so the app starts with no server; `extra` replaces any of them.
    """
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CELERY_BROKER_URL": "filesystem://",
        "CACHE_URL": f"filecache://{tmp_path / 'cache'}",
        "EMAIL_URL": "filemail://",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "VAR_DIR": str(tmp_path / "var"),
        **extra,
    }
