"""A real Celery worker, started as a process, on the configured broker and the test database.

The broker is whatever settings.CELERY_BROKER_URL says: Redis in CI, kombu's filesystem transport
under VAR_DIR otherwise (the worker gets the same VAR_DIR, so both use one queue folder).
"""

import os
import re
import time

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from commitments.tests.factories import commitment_due_in_seven_days
from config.celery import app
from reminders import delivery
from reminders.models import Reminder, ReminderState
from reminders.tasks import deliver_reminder, sweep_reminders
from reminders.tests.workers import (
    WAIT_SECONDS,
    email_texts,
    running_worker,
    wait_for,
)

pytestmark = pytest.mark.worker  # each starts a real Celery worker process


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
    ids = delivery.sweep()
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
