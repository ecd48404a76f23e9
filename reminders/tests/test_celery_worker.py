"""A real Celery worker, started as a process, on the configured broker and the test database.

The broker is whatever settings.CELERY_BROKER_URL says: Redis in CI, kombu's filesystem transport
under VAR_DIR otherwise (the worker gets the same VAR_DIR, so both use one queue folder).
"""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import DeliveryState, Email
from accounts.tasks import send_emails, send_password_reset
from accounts.tests.factories import UserFactory
from commitments.tests.factories import commitment_due_in_seven_days
from config.celery import app
from reminders.models import Message, Reminder
from reminders.tasks import sweep_reminders
from reminders.tests.workers import (
    WAIT_SECONDS,
    email_texts,
    emails_written,
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
            return reminder and reminder.state == DeliveryState.SENT and len(emails_written(mail_dir)) == 2

        assert wait_for(delivered, worker), f"not delivered within {WAIT_SECONDS} s"

    reminder = Reminder.objects.get()
    assert reminder.due_on == timezone.localdate()
    # One message to each person, each sent once.
    assert list(Message.objects.values_list("state", "attempts")) == [("sent", 1), ("sent", 1)]
    texts = "\n".join(email_texts(mail_dir))
    assert commitment.title in texts
    assert settings.SITE_URL + reverse("log_progress", args=[commitment.pk]) in texts
    assert "1 due soon" in texts


@pytest.mark.django_db(transaction=True)
def test_a_password_reset_is_made_and_sent_once_in_a_real_worker(tmp_path):
    user = UserFactory(email="fp@example.org")
    UserFactory(email="other@example.org")
    mail_dir = tmp_path / "mail"
    app.control.purge()

    def sent_to(address):
        return lambda: Email.objects.filter(address=address, state=DeliveryState.SENT).exists()

    with running_worker(tmp_path) as worker:
        send_password_reset.delay("fp@example.org", "request-1")
        send_password_reset.delay("fp@example.org", "request-1")  # as if redelivered
        assert wait_for(sent_to("fp@example.org"), worker), f"not sent within {WAIT_SECONDS} s"
        send_emails.delay([Email.objects.get().pk])  # its sending redelivered too
        # Queued after them: once it is sent, the one worker has run everything before it.
        send_password_reset.delay("other@example.org", "request-2")
        assert wait_for(sent_to("other@example.org"), worker), f"not sent within {WAIT_SECONDS} s"

    assert sorted(message["To"] for message in emails_written(mail_dir)) == [
        "fp@example.org",
        "other@example.org",
    ]
    email = Email.objects.get(user=user)
    assert (email.key, email.attempts, email.text_body) == (f"password-reset:request-1:{user.pk}", 1, "")
