"""Settings come from the environment; these start a fresh interpreter with a chosen environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
ENV_NAMES = [
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CACHE_URL",
    "SECRET_KEY",
    "DEBUG",
    "EMAIL_URL",
    "EMAIL_FILE_PATH",
]
# What production must name (settings.EMBEDDED_DEFAULTS), each a value that starts without a server.
PRODUCTION = {
    "SECRET_KEY": "x" * 50,
    "DATABASE_URL": "postgres://u@127.0.0.1:5432/x",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/3",
    "CACHE_URL": "redis://127.0.0.1:6379/4",
    "EMAIL_URL": "smtp+tls://sender:secret@smtp.example.org:587",
}


def _run(code, tmp_path, **env):
    clean = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    clean.update(VAR_DIR=str(tmp_path / "var"), DJANGO_SETTINGS_MODULE="config.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); from django.conf import settings; {code}"],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _refusal(result):
    """The last line of the traceback: the error the settings raised."""
    assert result.returncode != 0
    assert "started" not in result.stdout
    return result.stderr.strip().splitlines()[-1]


@pytest.mark.slow  # a subprocess
@pytest.mark.parametrize("name", PRODUCTION)
def test_it_refuses_to_start_in_production_without_each_service_and_names_it(tmp_path, name):
    # Production is the default: DEBUG off, so nothing falls back to SQLite, files or a folder broker.
    others = {key: value for key, value in PRODUCTION.items() if key != name}
    refusal = _refusal(_run("print('started')", tmp_path, **others))
    assert refusal.startswith(f"django.core.exceptions.ImproperlyConfigured: Not set: {name}. ")
    assert not any(f"{other}." in refusal or f"{other}," in refusal for other in others)


@pytest.mark.slow  # a subprocess
def test_it_names_everything_missing_at_once(tmp_path):
    refusal = _refusal(_run("print('started')", tmp_path, DEBUG="false"))
    assert "Not set: SECRET_KEY, DATABASE_URL, CELERY_BROKER_URL, CACHE_URL, EMAIL_URL." in refusal


@pytest.mark.slow  # a subprocess
def test_an_empty_value_is_not_set(tmp_path):
    refusal = _refusal(_run("print('started')", tmp_path, **{**PRODUCTION, "EMAIL_URL": ""}))
    assert "Not set: EMAIL_URL." in refusal


@pytest.mark.slow  # a subprocess
def test_production_starts_on_the_services_it_names(tmp_path):
    code = (
        "print(settings.DEBUG);"
        "print(settings.DATABASES['default']['ENGINE']);"
        "print(settings.CELERY_BROKER_URL);"
        "print(settings.CACHES['default']['BACKEND']);"
        "print(settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS);"
        "print('started')"
    )
    result = _run(code, tmp_path, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "False",
        "django.db.backends.postgresql",
        "redis://127.0.0.1:6379/3",
        "django.core.cache.backends.redis.RedisCache",
        "django.core.mail.backends.smtp.EmailBackend smtp.example.org 587 True",
        "started",
    ]


@pytest.mark.slow  # a subprocess
def test_production_may_name_the_file_backend_for_emails(tmp_path):
    # filemail:// writes each email to EMAIL_FILE_PATH (an absolute folder, not the URL's path).
    code = "print(settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH)"
    mail = tmp_path / "mail"
    result = _run(code, tmp_path, **{**PRODUCTION, "EMAIL_URL": "filemail://", "EMAIL_FILE_PATH": str(mail)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.core.mail.backends.filebased.EmailBackend", str(mail)]


@pytest.mark.slow  # a subprocess
def test_debug_is_off_unless_asked_for(tmp_path):
    result = _run("print(settings.DEBUG, settings.SESSION_COOKIE_SECURE)", tmp_path, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


@pytest.mark.slow  # a subprocess
def test_development_mode_runs_on_embedded_defaults_with_no_server_set(tmp_path):
    code = (
        "print(settings.DATABASES['default']['ENGINE']);"
        "print(settings.DATABASES['default']['NAME']);"
        "print(settings.CELERY_BROKER_URL);"
        "print(settings.CACHES['default']['BACKEND']);"
        "print(settings.CACHES['default']['LOCATION']);"
        "print(settings.EMAIL_BACKEND);"
        "print(settings.EMAIL_FILE_PATH);"
        "print(settings.SECRET_KEY.startswith('django-insecure-'));"
        "print(settings.DEBUG)"
    )
    result = _run(code, tmp_path, DEBUG="true")
    assert result.returncode == 0, result.stderr
    var = tmp_path / "var"
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        str(var / "db.sqlite3"),
        "filesystem://",
        "django.core.cache.backends.filebased.FileBasedCache",
        str(var / "cache"),
        "django.core.mail.backends.filebased.EmailBackend",
        str(var / "mail"),
        "True",
        "True",
    ]


@pytest.mark.slow  # a subprocess
def test_importing_the_settings_makes_no_folder(tmp_path):
    result = _run("print(settings.VAR_DIR)", tmp_path, DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "var").exists()


@pytest.mark.slow  # a subprocess
def test_the_processes_that_use_the_embedded_folders_make_them(tmp_path):
    result = _run("from config.folders import make_folders; make_folders()", tmp_path, DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "var" / "celery" / "queue").is_dir()
    assert (tmp_path / "var" / "celery" / "control").is_dir()
    # manage.py makes them before any command runs, so a first migrate finds its database's folder.
    clean = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    other = tmp_path / "other"
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env={**clean, "VAR_DIR": str(other), "DEBUG": "true"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (other / "db.sqlite3").is_file()


@pytest.mark.slow  # a subprocess
def test_development_mode_takes_the_services_the_environment_names(tmp_path):
    code = "print(settings.DATABASES['default']['ENGINE']); print(settings.CELERY_BROKER_URL)"
    result = _run(
        code,
        tmp_path,
        DEBUG="true",
        DATABASE_URL="postgres://u@127.0.0.1:5432/x",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/3",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "redis://127.0.0.1:6379/3"]


def test_tests_use_an_in_memory_cache_and_email_backend(settings):
    # Whatever the environment configures (Redis in CI): see conftest.py, real_cache for the tests
    # that need the configured cache.
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"


def test_every_scheduled_task_is_one_the_workers_know(settings):
    from config.celery import app

    app.loader.import_default_modules()  # what a worker imports: each app's tasks
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "accounts.tasks.release_abandoned_emails" in tasks
    assert tasks <= set(app.tasks)
