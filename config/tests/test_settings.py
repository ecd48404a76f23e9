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
    "EMAIL_BACKEND",
]


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


@pytest.mark.slow  # a subprocess
def test_it_refuses_to_start_without_a_secret_key_with_nothing_set(tmp_path):
    # Production is the default: DEBUG off, so a real secret key is required.
    result = _run("print('started')", tmp_path)
    assert result.returncode == 1
    assert "started" not in result.stdout
    assert (
        result.stderr.strip() == "SECRET_KEY is not set: set SECRET_KEY in the environment when DEBUG is off."
    )


@pytest.mark.slow  # a subprocess
def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off(tmp_path):
    result = _run("print('started')", tmp_path, DEBUG="false")
    assert result.returncode == 1
    assert "started" not in result.stdout


@pytest.mark.slow  # a subprocess
def test_debug_is_off_unless_asked_for(tmp_path):
    result = _run("print(settings.DEBUG, settings.SESSION_COOKIE_SECURE)", tmp_path, SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


@pytest.mark.slow  # a subprocess
def test_development_mode_runs_on_embedded_defaults_with_no_server_set(tmp_path):
    code = (
        "print(settings.DATABASES['default']['ENGINE']);"
        "print(settings.DATABASES['default']['NAME']);"
        "print(settings.CELERY_BROKER_URL);"
        "print(settings.EMAIL_BACKEND);"
        "print(settings.DEBUG)"
    )
    result = _run(code, tmp_path, DEBUG="true")
    assert result.returncode == 0, result.stderr
    engine, name, broker, email, debug = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert name == str(tmp_path / "var" / "db.sqlite3")
    assert broker == "filesystem://"
    assert email == "django.core.mail.backends.filebased.EmailBackend"
    assert debug == "True"


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
def test_it_reads_database_and_broker_from_the_environment(tmp_path):
    code = "print(settings.DATABASES['default']['ENGINE']); print(settings.CELERY_BROKER_URL)"
    result = _run(
        code,
        tmp_path,
        SECRET_KEY="x" * 50,
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
