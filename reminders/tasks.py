"""Celery tasks of the reminders: the daily sweep, the deliveries, the weekly digest, the hourly release."""

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction

from reminders import delivery

logger = logging.getLogger(__name__)

# Messages delivered by one task, over one connection to the mail server. Why 20: a task then takes
# about half a second, and a morning's messages still spread over every worker's threads.
MESSAGES_PER_TASK = 20


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


@shared_task
def deliver_messages(message_ids):
    """Send several people's messages over one connection (queue_deliveries). A message that could not
    be sent is retried on its own (deliver_message) after its back-off delay; the messages after it
    are queued again together after the same delay. Returns what became of each message tried."""
    outcomes = delivery.deliver_batch(message_ids)
    for message_id, outcome in zip(message_ids, outcomes, strict=False):
        if outcome.retry_in is not None:
            _queue(deliver_message, message_id, countdown=outcome.retry_in)
    rest = message_ids[len(outcomes) :]
    if rest:
        delay = next((o.retry_in for o in outcomes if o.retry_in), settings.REMINDER_RETRY_DELAYS[0])
        _queue(deliver_messages, rest, countdown=delay)
    return [outcome.state for outcome in outcomes]


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


def _queue(task, argument, **options):
    """Queue a task; True if the broker took it. When it cannot be reached nothing is lost: the
    messages stay pending and the next sweep (or hourly release) queues them."""
    try:
        task.apply_async((argument,), **options)
    except Exception:  # the broker's errors vary by transport; nothing is lost, so log and go on
        logger.exception("Could not queue the delivery of reminder emails %s; the next sweep will", argument)
        return False
    return True


def queue_deliveries(ids, then=None):
    """Queue the messages' deliveries, MESSAGES_PER_TASK to a task, once the transaction commits (a
    worker must see the rows).

    `then(queued)` is called afterwards, with False if the broker could not be reached.
    """

    def queue():
        queued = True
        for start in range(0, len(ids), MESSAGES_PER_TASK):
            queued = _queue(deliver_messages, ids[start : start + MESSAGES_PER_TASK])
            if not queued:
                break
        if then:
            then(queued)

    if ids:
        transaction.on_commit(queue)
