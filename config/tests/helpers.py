"""Test helpers shared across the apps: a moment of the clock, racing database connections, and the
environment of a production start.

Plain functions rather than fixtures: tests call them with a day or with jobs, inside the test,
and app helpers build on them (reminders/tests/helpers.py runs a day of reminders at eight).
"""

import datetime
import os
import secrets
import threading

import time_machine
from django.db import connections


def at_eight(day):
    """The clock stopped at 08:00 UTC on `day`, the default hour of the reminders' sweep (REMINDER_TIME)."""
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(8), tzinfo=datetime.UTC), tick=False
    )


def race(*jobs):
    """Run each job in a thread of its own (a database connection each, as workers have); returns
    the errors they raised."""
    errors = []

    def run(job):
        try:
            job()
        except Exception as error:  # surfaced by the caller
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=[job]) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


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
