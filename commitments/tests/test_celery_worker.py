"""A real Celery worker, started as a process, on the configured broker and the test database.

The broker is whatever settings.CELERY_BROKER_URL says: Redis in CI, kombu's filesystem transport
under VAR_DIR otherwise (the worker gets the same VAR_DIR, so both use one queue folder).
"""

import contextlib
import datetime
import email
import email.policy
import os
import re
import signal
import subprocess
import sys
import time
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from champions.tests.factories import ChampionFactory
from commitments import reminders
from commitments.models import Reminder, ReminderState
from commitments.tasks import deliver_reminder, sweep_reminders
from commitments.tests.factories import CommitmentFactory, CycleFactory
from config.celery import app

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


def commitment_due_in_seven_days(today):
    """A commitment whose 7-day reminder is due today; its cycle asks for nothing else today."""
    cycle = CycleFactory(
        year=today.year,
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=60),
        report_due_on=today + datetime.timedelta(days=90),
    )
    champion = ChampionFactory(focal_points=[UserFactory()])
    return CommitmentFactory(
        champion=champion, cycle=cycle, number=1, due_on=today + datetime.timedelta(days=7)
    )


@pytest.mark.django_db(transaction=True)  # the worker reads committed rows only
def test_it_sweeps_and_delivers_in_a_real_worker(tmp_path):
    # The real today: the worker has its own clock.
    commitment = commitment_due_in_seven_days(timezone.localdate())
    mail_dir = tmp_path / "mail"
    app.control.purge()  # messages left by an earlier run would be delivered against this database

    with running_worker(tmp_path) as worker:
        sweep_reminders.delay()

        def delivered():
            reminder = Reminder.objects.filter(commitment=commitment).first()
            return reminder and reminder.state == ReminderState.SENT and any(mail_dir.glob("*.log"))

        assert wait_for(delivered, worker), f"not delivered within {WAIT_SECONDS} s"

    reminder = Reminder.objects.get()
    assert (reminder.due_on, reminder.attempts) == (timezone.localdate(), 1)
    texts = "\n".join(email_texts(mail_dir))
    assert commitment.title in texts
    assert settings.SITE_URL + reverse("log_progress", args=[commitment.pk]) in texts
    assert "Commitment 1 is due in 7 days" in texts


@pytest.mark.skipif(not os.environ.get("MEASURE_WORKER"), reason="a measurement: set MEASURE_WORKER=1")
@pytest.mark.django_db(transaction=True)
def test_measure_how_many_reminders_one_worker_delivers_per_second(tmp_path):
    """Not a check: prints reminders/second for one solo worker writing emails to files.

    MEASURE_WORKER=1 .venv/bin/pytest -s -k measure commitments/tests/test_celery_worker.py

    Timed from queueing the first delivery to the last reminder marked sent, with the worker
    already consuming; each reminder has two recipients (champion and focal point).
    """
    count = int(os.environ.get("MEASURE_WORKER_REMINDERS", "200"))
    today = timezone.localdate()
    commitments = [commitment_due_in_seven_days(today) for _ in range(count)]
    # Planned as the sweep plans them, so only delivery is timed.
    ids = reminders.sweep()
    assert len(ids) == len(commitments)
    app.control.purge()

    with running_worker(tmp_path) as worker:
        log = tmp_path / "worker.log"
        assert wait_for(lambda: "ready." in log.read_text(errors="replace"), worker), "worker not ready"
        started = time.monotonic()
        for reminder_id in ids:
            deliver_reminder.delay(reminder_id)
        queued = time.monotonic()

        def all_sent():
            return Reminder.objects.filter(state=ReminderState.SENT).count() == count

        assert wait_for(all_sent, worker, seconds=600), "not all sent"
        finished = time.monotonic()

    elapsed = finished - started
    # The worker's own time per delivery, which the machine's other load disturbs less.
    task_seconds = sorted(
        float(seconds)
        for seconds in re.findall(r"deliver_reminder\[.*?\] succeeded in ([0-9.]+)s", log.read_text())
    )
    median = task_seconds[len(task_seconds) // 2]
    report = (
        f"\nMEASURE_WORKER broker={settings.CELERY_BROKER_URL.split(':')[0]} db={connection.vendor}: "
        f"{count} reminders in {elapsed:.2f} s = {count / elapsed:.1f} reminders/s "
        f"(queueing took {queued - started:.2f} s; median delivery task {median * 1000:.1f} ms)\n"
    )
    print(report)  # run with -s to see it
