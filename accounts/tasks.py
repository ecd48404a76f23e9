"""Celery tasks of the accounts: the password reset, and the sending of every accounts.Email."""

import logging
from urllib.parse import urlsplit

from celery import shared_task
from django.conf import settings
from django.db import transaction

from accounts import emails
from accounts.forms import LocalizedPasswordResetForm
from accounts.models import DeliveryState, Email

logger = logging.getLogger(__name__)

# Emails sent by one task of the hourly release, over one connection to the mail server.
EMAILS_PER_TASK = 20


@shared_task
def send_password_reset(email, request_id):
    """Make the reset emails of one request (PasswordResetForm): a link to each active account
    `email` names that has a usable password (none, silently, if there is no such account), in its
    reader's language, on SITE_URL; then queue their sending. Redelivered, it makes none twice: each
    is keyed by the request's id."""
    form = LocalizedPasswordResetForm({"email": email}, request_id=request_id)
    if not form.is_valid():
        return 0
    site = urlsplit(settings.SITE_URL)
    form.save(domain_override=site.netloc, use_https=site.scheme == "https")
    send_after_commit(form.emails)
    return len(form.emails)


@shared_task(bind=True, max_retries=None)
def send_emails(self, email_ids):
    """Send these emails, each once (emails.deliver). One that could not be sent is tried again,
    with those after it, after its back-off delay; those already sent are not sent again."""
    outcomes = emails.deliver(email_ids)
    if outcomes and outcomes[-1].retry_in is not None:
        # Why a countdown is fine: the longest delay (1 hour) is well inside the broker's visibility
        # timeout (2 hours), and the row, back to pending, is the real schedule (see the release).
        raise self.retry(countdown=outcomes[-1].retry_in)
    return [outcome.state for outcome in outcomes]


@shared_task
def release_abandoned_emails():
    """Hourly (beat): emails a dead worker left 'sending', and pending ones no task will send (the
    broker was down when they were made), are queued again."""
    released = Email.objects.release_abandoned()
    ids = sorted({*released, *Email.objects.left_waiting().values_list("pk", flat=True)})
    for start in range(0, len(ids), EMAILS_PER_TASK):
        _queue(ids[start : start + EMAILS_PER_TASK])
    return len(ids)


def send_after_commit(emails_made):
    """Queue the sending of these emails (emails.make) once the transaction that made them commits:
    a worker must see the rows. Those already sent or being sent are left alone. EMAILS_PER_TASK a
    task: inviting a whole network makes thousands at once."""
    ids = [email.pk for email in emails_made if email.state == DeliveryState.PENDING]
    for start in range(0, len(ids), EMAILS_PER_TASK):
        chunk = ids[start : start + EMAILS_PER_TASK]
        transaction.on_commit(lambda chunk=chunk: _queue(chunk))


def _queue(ids):
    """When the broker cannot be reached nothing is lost: the emails stay pending, and the hourly
    release queues them."""
    try:
        send_emails.delay(ids)
    except Exception:  # the broker's errors vary by transport; nothing is lost, so log and go on
        logger.exception("Could not queue the sending of emails %s; the hourly release will", ids)
