"""Celery tasks of the reminders.

For this release the tasks also answer to the names they had in the commitments app
(commitments.tasks.*): a task queued in Redis by the release before, or sent by its beat during a
deploy, still runs (README: "Upgrading"). Remove the aliases with the next release.
"""

import logging

from celery import shared_task
from django.db import transaction

from reminders import delivery

logger = logging.getLogger(__name__)


@shared_task
def sweep_reminders():
    """Daily (beat): plan the reminders due today and queue their deliveries."""
    ids = delivery.sweep()
    queue_deliveries(ids)
    return len(ids)


@shared_task
def release_abandoned_reminders():
    """Hourly (beat): reminders a dead worker left 'sending' go back to pending and are queued again."""
    ids = delivery.release_abandoned()
    queue_deliveries(ids)
    return len(ids)


@shared_task(bind=True, max_retries=None)
def deliver_message(self, message_id):
    """Send one person's message of reminders, once. A failed send is retried after a back-off delay."""
    return _retried(self, delivery.deliver(message_id))


@shared_task(bind=True, max_retries=None)
def send_office_digest(self):
    """Weekly (beat, Mondays): the office's digest of overdue, due-soon and stale commitments."""
    return _retried(self, delivery.send_digest())


def _retried(task, outcome):
    if outcome.retry_in is not None:
        # Why a countdown is fine here: the longest delay (1 hour) is well inside the broker's
        # visibility timeout (2 hours), and the row, back to pending, is the real schedule.
        raise task.retry(countdown=outcome.retry_in)
    return outcome.state


def queue_deliveries(ids, then=None):
    """Queue each message's delivery once the transaction commits (a worker must see the rows).

    `then(queued)` is called afterwards, with False if the broker could not be reached. Nothing is
    lost when it cannot: the reminders stay pending and the next sweep queues them.
    """

    def queue():
        queued = True
        for message_id in ids:
            try:
                deliver_message.delay(message_id)
            except Exception:  # the broker's errors vary by transport; nothing is lost, so log and stop
                logger.exception("Could not queue reminder email %s; the next sweep will", message_id)
                queued = False
                break
        if then:
            then(queued)

    if ids:
        transaction.on_commit(queue)


# The names of release 2026.11 (see the module's docstring).
@shared_task(name="commitments.tasks.sweep_reminders")
def _sweep_reminders_by_old_name():
    return sweep_reminders()


@shared_task(name="commitments.tasks.release_abandoned_reminders")
def _release_abandoned_reminders_by_old_name():
    return release_abandoned_reminders()


@shared_task(name="commitments.tasks.deliver_reminder", bind=True, max_retries=None)
def _deliver_reminder_by_old_name(self, reminder_id):
    # Queued with a reminder's id (one task per reminder): delivered in its people's messages.
    return _retried(self, delivery.deliver_reminder(reminder_id))


@shared_task(name="commitments.tasks.send_office_digest", bind=True, max_retries=None)
def _send_office_digest_by_old_name(self):
    return _retried(self, delivery.send_digest())
