from celery import shared_task

from commitments import reminders


@shared_task
def sweep_reminders():
    """Daily (beat): plan the reminders due today and queue their deliveries."""
    ids = reminders.sweep(queue=deliver_reminder.delay)
    return len(ids)


@shared_task
def release_abandoned_reminders():
    """Hourly (beat): reminders a dead worker left 'sending' go back to pending and are queued again."""
    ids = reminders.release_abandoned()
    if ids:
        reminders.queue_deliveries(deliver_reminder.delay, ids)
    return len(ids)


@shared_task(bind=True, max_retries=None)
def deliver_reminder(self, reminder_id):
    """Send one reminder, once. A failed send is retried after a back-off delay (see settings)."""
    outcome = reminders.deliver(reminder_id)
    if outcome.retry_in is not None:
        # Why a countdown is fine here: the longest delay (1 hour) is well inside the broker's
        # visibility timeout (2 hours), and the row, back to pending, is the real schedule.
        raise self.retry(countdown=outcome.retry_in)
    return outcome.state


@shared_task(bind=True, max_retries=None)
def send_office_digest(self):
    """Weekly (beat, Mondays): the office's digest of overdue, due-soon and stale commitments."""
    outcome = reminders.send_digest()
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.state
