"""Settings come from the environment; these start a fresh interpreter with a chosen environment."""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
ENV_NAMES = ["DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "DEBUG", "EMAIL_URL", "EMAIL_BACKEND"]


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


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off(tmp_path):
    result = _run("print('started')", tmp_path, DEBUG="false")
    assert result.returncode == 1
    assert "started" not in result.stdout
    assert (
        result.stderr.strip() == "SECRET_KEY is not set: set SECRET_KEY in the environment when DEBUG is off."
    )


def test_it_starts_with_debug_off_and_a_secret_key(tmp_path):
    result = _run("print(settings.DEBUG)", tmp_path, DEBUG="false", SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_it_runs_on_embedded_defaults_with_nothing_set(tmp_path):
    code = (
        "print(settings.DATABASES['default']['ENGINE']);"
        "print(settings.DATABASES['default']['NAME']);"
        "print(settings.CELERY_BROKER_URL);"
        "print(settings.EMAIL_BACKEND);"
        "print(settings.DEBUG)"
    )
    result = _run(code, tmp_path)
    assert result.returncode == 0, result.stderr
    engine, name, broker, email, debug = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert name == str(tmp_path / "var" / "db.sqlite3")
    assert broker == "filesystem://"
    assert email == "django.core.mail.backends.filebased.EmailBackend"
    assert debug == "True"
    assert (tmp_path / "var" / "celery" / "queue").is_dir()


def test_it_reads_database_and_broker_from_the_environment(tmp_path):
    code = "print(settings.DATABASES['default']['ENGINE']); print(settings.CELERY_BROKER_URL)"
    result = _run(
        code,
        tmp_path,
        DATABASE_URL="postgres://u@127.0.0.1:5432/x",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/3",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "redis://127.0.0.1:6379/3"]
