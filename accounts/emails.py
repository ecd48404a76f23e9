"""Emails: rendered from three templates each (subject, plain text, HTML) in the readers' language,
and sent exactly once.

Sending is healthchecks' way: a row is claimed (DeliveryQuerySet.claim) before anything is sent, and
what became of it is recorded after (send). One email to one person is an Email row, made once
(make) and sent by accounts.tasks.send_emails; reminders and the office's digest have rows of their
own (reminders.models) and share send().
"""

import contextlib
import logging
import re
import smtplib
from dataclasses import dataclass
from itertools import groupby

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import DeliveryState, Email

logger = logging.getLogger(__name__)

SEND_ERRORS = (smtplib.SMTPException, OSError)


def _language(user):
    return user.email_language


def subject_line(rendered):
    """A rendered subject as one line with nothing around it: line breaks and runs of spaces become
    one space, and leading and trailing blanks go. Non-breaking spaces inside stay (French puts a
    narrow one before a colon)."""
    return re.sub(r"[ \t\r\n]+", " ", rendered).strip()


def _render(name, context, readers):
    full = {"recipients": readers, "site_url": settings.SITE_URL, **context}
    return {
        "subject": subject_line(render_to_string(f"emails/{name}-subject.txt", full)),
        "text_body": render_to_string(f"emails/{name}-body.txt", full),
        "html_body": render_to_string(f"emails/{name}-body.html", full),
    }


def build_emails(name, context, recipients):
    """The email `name` (templates/emails/<name>-subject.txt, -body.txt, -body.html), one message
    per language, each addressed to all the recipients who read that language."""
    messages = []
    for language, group in groupby(sorted(recipients, key=_language), key=_language):
        readers = list(group)
        with translation.override(language):
            parts = _render(name, context, readers)
        message = EmailMultiAlternatives(
            parts["subject"], parts["text_body"], to=[reader.email for reader in readers]
        )
        message.attach_alternative(parts["html_body"], "text/html")
        messages.append(message)
    return messages


def render(name, context, user):
    """The email `name` to one reader, in their language: its subject, text_body and html_body."""
    with translation.override(user.email_language):
        return _render(name, context, [user])


def make(key, user, subject, text_body, html_body=""):
    """The email `key` names (what it is about, and for whom), to `user`: made the first time, found
    by its key after, so that deciding it twice (a redelivered task, a second click) sends it once.

    Make it in the transaction that decides it; accounts.tasks.send_after_commit sends it."""
    email, _created = Email.objects.get_or_create(
        key=key,
        defaults={
            "user": user,
            "address": user.email,
            "subject": subject,
            "text_body": text_body,
            "html_body": html_body,
        },
    )
    return email


def make_each(key, name, context, readers):
    """The email `name` to each of `readers`, rendered in their language, made once each (keyed by
    `key` and the reader: see make); returns those made, for accounts.tasks.send_after_commit."""
    return [make(f"{key}:{user.pk}", user, **render(name, context, user)) for user in readers]


@dataclass
class Outcome:
    state: str
    retry_in: int | None = None


def send(row, messages, connection=None):
    """Send a claimed row's messages, then record the outcome: sent; or, after a failure, pending
    again with the delay before its next try (settings.REMINDER_RETRY_DELAYS), or failed for good
    after the last.

    With `connection` (an open email backend, shared by a batch) the messages go over it; after a
    failure it is closed, so that the next send opens a fresh one. Without, over one of their own.
    """
    rows = type(row).objects
    try:
        if connection is None:
            with get_connection() as own:
                own.send_messages(messages)
        else:
            # Opened here, it stays open for the batch's next sends (send_messages closes only a
            # connection it opened itself).
            connection.open()
            connection.send_messages(messages)
    except SEND_ERRORS as error:
        if connection is not None:
            with contextlib.suppress(*SEND_ERRORS):
                connection.close()  # a server that failed once may have dropped the conversation
        attempt = rows.values_list("attempts", flat=True).get(pk=row.pk)
        delays = settings.REMINDER_RETRY_DELAYS
        last_error = f"{type(error).__name__}: {error}"[:2000]
        if attempt > len(delays):
            rows.filter(pk=row.pk).update(
                state=DeliveryState.FAILED, last_error=last_error, **row.cleared_when_done()
            )
            logger.error("Giving up on %s after %s tries: %s", row, attempt, last_error)
            return Outcome(DeliveryState.FAILED)
        rows.filter(pk=row.pk).update(state=DeliveryState.PENDING, last_error=last_error)
        logger.warning(
            "Sending %s failed (try %s), retrying in %ss: %s", row, attempt, delays[attempt - 1], last_error
        )
        return Outcome(DeliveryState.PENDING, retry_in=delays[attempt - 1])
    rows.filter(pk=row.pk, state=DeliveryState.SENDING).update(
        state=DeliveryState.SENT, sent_at=timezone.now(), last_error="", **row.cleared_when_done()
    )
    return Outcome(DeliveryState.SENT)


def deliver(email_ids):
    """Send each of these emails this caller claims, over one connection, each recorded on its own;
    returns the outcome of each tried, in order.

    Each is its own SMTP transaction and row: a server that accepts one and then drops the
    connection leaves that one sent and the next pending, so the retry sends only what did not go.
    It stops at the first to be tried again: a server that failed once likely fails the next too (a
    hung one would hold the task EMAIL_TIMEOUT an email); the caller tries them again after the delay.
    """
    outcomes = []
    connection = get_connection()
    try:
        for pk in email_ids:
            if not Email.objects.claim(pk):
                outcomes.append(Outcome("not claimed"))  # sent, given up on, or another worker's
                continue
            email = Email.objects.get(pk=pk)
            outcomes.append(send(email, [email.message()], connection))
            if outcomes[-1].retry_in is not None:
                break
    finally:
        with contextlib.suppress(*SEND_ERRORS):
            connection.close()
    return outcomes
