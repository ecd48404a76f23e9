"""Helpers for tests that start a real Celery worker process on the test database and broker."""

import contextlib
import email
import email.policy
import os
import signal
import subprocess
import sys
import time
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

WAIT_SECONDS = 60
SEPARATOR = b"\n" + b"-" * 79 + b"\n"  # between messages in a file of Django's filebased backend


def worker_database_url():
    """The test database, as a DATABASE_URL the worker's settings read."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    if connection.vendor == "postgresql":
        password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
        port = f":{db['PORT']}" if db["PORT"] else ""
        host = db["HOST"] or "localhost"
        return f"postgres://{quote(db['USER'] or '', safe='')}{password}@{host}{port}/{quote(db['NAME'])}"
    pytest.skip(f"no DATABASE_URL for {connection.vendor} here")


@contextlib.contextmanager
def running_worker(tmp_path):
    """A worker process writing emails to tmp_path/"mail"; its output goes to tmp_path/"worker.log".

    The log is printed when the block ends, so pytest shows it whenever the test failed.
    """
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": worker_database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "VAR_DIR": str(settings.VAR_DIR),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "SITE_URL": settings.SITE_URL,
        "TIME_ZONE": settings.TIME_ZONE,
    }
    env.pop("EMAIL_URL", None)  # it would take precedence over EMAIL_BACKEND
    log_path = tmp_path / "worker.log"
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--pool=solo",
        "--concurrency=1",
        "--loglevel=info",
        # Alone on its broker: nothing to sync with, and a faster start.
        "--without-mingle",
        "--without-gossip",
        "--without-heartbeat",
        f"--hostname=test-{os.getpid()}@%h",
    ]
    with open(log_path, "wb") as log:
        worker = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        yield worker
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        print(f"--- worker output ({' '.join(command)}), exit code {worker.returncode} ---")
        print(log_path.read_text(errors="replace"))


def wait_for(condition, worker, seconds=WAIT_SECONDS):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        if worker.poll() is not None:
            pytest.fail(f"the worker stopped (exit code {worker.returncode}); see its output below")
        time.sleep(0.5)
    return False


def email_texts(mail_dir):
    """The subject and decoded text parts of every email the filebased backend wrote."""
    texts = []
    for path in sorted(mail_dir.glob("*.log")):
        for raw in path.read_bytes().split(SEPARATOR):
            if raw.strip():
                message = email.message_from_bytes(raw, policy=email.policy.default)
                texts.append(message["Subject"])
                texts += [
                    part.get_content() for part in message.walk() if part.get_content_maintype() == "text"
                ]
    return texts
