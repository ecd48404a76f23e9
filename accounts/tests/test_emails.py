"""Emails to one person each (accounts.Email) are sent exactly once, against a real SMTP server."""

import datetime

import pytest
from django.utils import timezone

from accounts import emails
from accounts.models import DeliveryState, Email
from accounts.tasks import release_abandoned_emails, send_emails, send_password_reset
from accounts.tests.factories import UserFactory
from accounts.tests.smtp import sending_to_smtp_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager_retries(settings):
    """Tasks run in this process, and a retry runs at once instead of after its countdown."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = False


@pytest.fixture
def two_emails():
    return [
        emails.make(f"notice:1:{user.pk}", user, "A notice", "Read this.", "<p>Read this.</p>")
        for user in (UserFactory(email="ada@example.org"), UserFactory(email="bo@example.org"))
    ]


def _states():
    return list(Email.objects.order_by("pk").values_list("state", "attempts"))


def test_it_makes_an_email_once_per_key(two_emails):
    again = emails.make(two_emails[0].key, two_emails[1].user, "Another subject", "Other text.")
    assert again == two_emails[0]
    assert (again.address, again.subject) == ("ada@example.org", "A notice")
    assert Email.objects.count() == 2


def test_when_the_server_hangs_up_after_a_message_each_person_still_gets_one(
    two_emails, eager_retries, settings
):
    ids = [email.pk for email in two_emails]
    # The server accepts the first email, then drops the connection: the second fails on it and is
    # retried (at once here) on a new connection. The first, accepted, is not sent again.
    with sending_to_smtp_server(settings, hanging_up=True) as smtp:
        send_emails.delay(ids)
        assert (smtp.addressees(), smtp.conversations) == (["ada@example.org", "bo@example.org"], 2)
        assert _states() == [("sent", 1), ("sent", 2)]

        assert send_emails.delay(ids).get() == ["not claimed", "not claimed"]  # redelivered
        assert len(smtp.messages) == 2

    first = smtp.received()[0]
    assert (first["Subject"], first["To"]) == ("A notice", "ada@example.org")
    assert first.get_body(("plain",)).get_content().strip() == "Read this."
    assert first.get_body(("html",)).get_content().strip() == "<p>Read this.</p>"


def test_a_sent_email_keeps_its_subject_but_not_its_bodies(two_emails, settings):
    with sending_to_smtp_server(settings):
        emails.deliver([two_emails[0].pk])
    email = Email.objects.get(pk=two_emails[0].pk)
    assert (email.state, email.subject, email.text_body, email.html_body) == ("sent", "A notice", "", "")
    assert email.sent_at is not None
    assert Email.objects.get(pk=two_emails[1].pk).text_body == "Read this."  # not sent yet


def test_it_retries_with_growing_delays_then_gives_up_and_keeps_no_body(two_emails, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens: refused at once
    outcomes = [emails.deliver([two_emails[0].pk, two_emails[1].pk]) for _ in range(5)]
    # Each time it stops at the first: the second is never tried against a server that is down.
    assert [[outcome.retry_in for outcome in tried] for tried in outcomes] == [
        [60],
        [300],
        [1800],
        [3600],
        [None, 60],  # given up on the first, the second is tried
    ]
    email = Email.objects.get(pk=two_emails[0].pk)
    assert (email.state, email.attempts, email.text_body) == (DeliveryState.FAILED, 5, "")
    assert "ConnectionRefusedError" in email.last_error


def test_the_hourly_release_sends_what_no_task_will(two_emails, eager_retries, settings):
    ids = [email.pk for email in two_emails]
    assert Email.objects.claim(ids[0])  # a worker claimed it, then died
    assert release_abandoned_emails() == 0  # too recent: it may be sending, the second's task on its way
    twenty_minutes_ago = timezone.now() - datetime.timedelta(minutes=20)
    Email.objects.filter(pk=ids[0]).update(claimed_at=twenty_minutes_ago)
    # Made twenty minutes ago and never tried: its task was never queued (the broker was down).
    Email.objects.filter(pk=ids[1]).update(created_at=twenty_minutes_ago)
    emails.make("notice:2", two_emails[0].user, "Another notice", "Read this too.")

    with sending_to_smtp_server(settings) as smtp:
        assert release_abandoned_emails() == 2

    assert smtp.addressees() == ["ada@example.org", "bo@example.org"]
    assert _states() == [("sent", 2), ("sent", 1), ("pending", 0)]  # the third, made just now: left alone


def test_a_password_reset_goes_once_however_often_its_task_runs(
    eager_retries, settings, django_capture_on_commit_callbacks
):
    user = UserFactory(email="fp@example.org", language="fr")
    with sending_to_smtp_server(settings, hanging_up=True) as smtp:
        for _ in range(2):  # the task, and the same task redelivered (a worker died after it ran)
            with django_capture_on_commit_callbacks(execute=True):
                send_password_reset.delay("FP@example.org", "request-1")

    (message,) = smtp.received()
    assert message["To"] == "fp@example.org"
    assert "mot de passe" in message["Subject"].lower()
    assert f"{settings.SITE_URL}/accounts/reset/" in message.get_body(("plain",)).get_content()
    email = Email.objects.get()
    assert email.key == f"password-reset:request-1:{user.pk}"
    # Sent: the link is not kept.
    assert (email.state, email.text_body) == (DeliveryState.SENT, "")
    assert not Email.objects.filter(text_body__contains="/accounts/reset/").exists()
