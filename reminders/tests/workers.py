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

from accounts.tests.smtp import WAIT_SECONDS

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


def stop(worker, sig=signal.SIGTERM):
    """Signal the worker's whole process group (it leads one), so nothing of it survives."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.pid, sig)
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


@contextlib.contextmanager
def running_worker(tmp_path, name="worker", smtp_port=None):
    """A worker process; its output goes to tmp_path/<name>.log, printed when the block ends (so
    pytest shows it whenever the test failed).

    Emails are written to tmp_path/"mail", or with `smtp_port` sent to an SMTP server on
    127.0.0.1 with a timeout longer than any test waits (a stalled send hangs until killed).
    """
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": worker_database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "VAR_DIR": str(settings.VAR_DIR),
        "SITE_URL": settings.SITE_URL,
        "TIME_ZONE": settings.TIME_ZONE,
        "PYTHONUNBUFFERED": "1",  # a killed worker's log is complete up to the kill
    }
    if smtp_port:
        env.update(EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}", EMAIL_TIMEOUT=str(WAIT_SECONDS))
    else:
        env.update(EMAIL_URL="filemail://", EMAIL_FILE_PATH=str(tmp_path / "mail"))
    log_path = tmp_path / f"{name}.log"
    command = [
        sys.executable,
        *("-m", "celery", "-A", "config", "worker", "--pool=solo", "--concurrency=1", "--loglevel=info"),
        # Alone on its broker: nothing to sync with, and a faster start.
        *("--without-mingle", "--without-gossip", "--without-heartbeat"),
        f"--hostname={name}-{os.getpid()}@%h",
    ]
    with open(log_path, "wb") as log:
        worker = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, to stop it whole
        )
    try:
        yield worker
    finally:
        if worker.poll() is None:
            stop(worker)
        print(f"--- {name} output ({' '.join(command)}), exit code {worker.returncode} ---")
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


def emails_written(mail_dir):
    """Every email the filebased backend wrote (a file per connection, which may hold several)."""
    return [
        email.message_from_bytes(raw, policy=email.policy.default)
        for path in sorted(mail_dir.glob("*.log"))
        for raw in path.read_bytes().split(SEPARATOR)
        if raw.strip()
    ]


def email_texts(mail_dir):
    """The subject and decoded text parts of every email the filebased backend wrote."""
    texts = []
    for message in emails_written(mail_dir):
        texts.append(message["Subject"])
        texts += [part.get_content() for part in message.walk() if part.get_content_maintype() == "text"]
    return texts
