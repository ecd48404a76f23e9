"""A real Celery worker killed in the middle of sending a reminder; the reminder goes out once after restart.

Nothing is mocked inside the workers: they send through an SMTP server this test runs on 127.0.0.1,
which first stalls after its greeting (so the first worker hangs mid-send and is killed there), then
behaves and keeps every message it is given.
"""

import ast
import datetime
import email
import email.policy
import re
import signal

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import DeliveryState
from accounts.tests.smtp import running_smtp_server
from commitments.tests.factories import commitment_due_in_seven_days
from config.celery import app
from reminders.models import Message, Reminder
from reminders.tasks import sweep_reminders
from reminders.tests.workers import WAIT_SECONDS, running_worker, stop, wait_for

pytestmark = pytest.mark.worker  # each starts a real Celery worker process

ON_REDIS = settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://"))


def task_ids_received(log_path, task):
    return re.findall(rf"tasks\.{task}\[([^\]]+)\] received", log_path.read_text(errors="replace"))


def task_results(log_path, task):
    """(task id, what it returned) for each run of `task` the worker's log says finished, in order."""
    text = log_path.read_text(errors="replace")
    found = re.findall(rf"tasks\.{task}\[([^\]]+)\] succeeded in [0-9.]+s: (.*)", text)
    return [(task_id, ast.literal_eval(result)) for task_id, result in found]


def redeliver_unacknowledged():
    """What Redis does once the visibility timeout has passed: unacknowledged tasks are queued again."""
    with app.connection_for_write(transport_options={"visibility_timeout": 0}) as connection:
        connection.default_channel.qos.restore_visible(num=100)


@pytest.mark.django_db(transaction=True)  # the workers read committed rows only
def test_it_sends_once_after_a_worker_is_killed_while_sending(tmp_path):
    # The real today: the workers have their own clock.
    commitment = commitment_due_in_seven_days(timezone.localdate())
    commitment.champion.focal_points.clear()  # one person: one message
    app.control.purge()  # messages left by an earlier run would be delivered against this database

    with running_smtp_server(stalling=True) as smtp:
        with running_worker(tmp_path, "first", smtp.port) as first:
            sweep_reminders.delay()

            def claimed_and_stalled():
                claimed = Message.objects.filter(state=DeliveryState.SENDING)
                return claimed.exists() and smtp.stalled.is_set()

            assert wait_for(claimed_and_stalled, first), f"not stalled mid-send within {WAIT_SECONDS} s"
            stop(first, signal.SIGKILL)

        (killed_task,) = task_ids_received(tmp_path / "first.log", "deliver_messages")

        reminder = Reminder.objects.get()
        sending = Message.objects.get()
        assert (sending.state, sending.attempts, sending.sent_at) == (DeliveryState.SENDING, 1, None)
        assert (reminder.state, reminder.sent_at) == (DeliveryState.PENDING, None)
        assert smtp.messages == []

        smtp.behaving.set()
        # What the passage of time does: the dead worker's claim is now older than the timeout.
        abandoned_at = timezone.now() - datetime.timedelta(seconds=settings.REMINDER_SENDING_TIMEOUT + 60)
        Message.objects.filter(pk=sending.pk).update(claimed_at=abandoned_at)
        if ON_REDIS:
            # The killed worker never acknowledged its delivery (acks_late): Redis gives it out
            # again, which the claim must turn away. The filesystem transport has nothing to redeliver.
            redeliver_unacknowledged()

        with running_worker(tmp_path, "second", smtp.port) as second:
            log = tmp_path / "second.log"
            sweep_reminders.delay()

            def delivered():
                outcomes = task_results(log, "deliver_messages")
                return (
                    len(outcomes) == (2 if ON_REDIS else 1)
                    and Reminder.objects.filter(pk=reminder.pk, state=DeliveryState.SENT).exists()
                )

            assert wait_for(delivered, second), f"not delivered within {WAIT_SECONDS} s"

            further = sweep_reminders.delay()

            def further_swept():
                return any(task_id == further.id for task_id, _ in task_results(log, "sweep_reminders"))

            assert wait_for(further_swept, second), f"the further sweep did not run within {WAIT_SECONDS} s"

        outcomes = dict(task_results(log, "deliver_messages"))
        assert (killed_task in outcomes) == ON_REDIS  # the killed worker's delivery, given out again
        assert sorted(outcomes.values()) == ([["not claimed"], ["sent"]] if ON_REDIS else [["sent"]])
        assert [result for _, result in task_results(log, "sweep_reminders")] == [1, 0]

    reminder.refresh_from_db()
    assert (reminder.state, reminder.last_error) == (DeliveryState.SENT, "")
    assert reminder.sent_at is not None
    sending.refresh_from_db()
    assert (sending.state, sending.attempts) == (DeliveryState.SENT, 2)
    assert len(smtp.messages) == 1
    message = email.message_from_bytes(smtp.messages[0], policy=email.policy.default)
    assert message["Subject"] == "1 due soon"
    recipients = {address.addr_spec for address in message["To"].addresses}
    assert recipients == {commitment.champion.user.email}  # the one person (the focal point was cleared)
