"""Fixtures shared by the reminder tests."""

import smtplib

import pytest
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from commitments.tests.factories import commitment_due_in_seven_days
from config.celery import app

# Nothing listens on port 1: connecting is refused at once, as it is when Redis is down.
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


def _forget_broker_connections():
    # Why: Celery keeps a connection pool (and a producer pool on it) for the broker URL it saw
    # first; without dropping them, the next publish would still go to that broker.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def unreachable_broker(settings):
    """Tasks are published, not run eagerly, to a real broker URL that refuses connections."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_WRITE_URL = UNREACHABLE_BROKER
    _forget_broker_connections()
    yield
    _forget_broker_connections()


@pytest.fixture
def eager(settings):
    """Tasks run in this process when queued, as a worker would run them; their errors are raised here."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True


@pytest.fixture
def eager_retries(settings):
    """Tasks run in this process, and a retry runs at once instead of after its countdown.

    Why not propagating: Celery would raise the Retry itself here instead of running the retry;
    result.get() still raises a task's error.
    """
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = False


@pytest.fixture
def due_in_seven_days(db):
    """An open commitment whose 7-day reminder is due today (the real today: no time travel here)."""
    return commitment_due_in_seven_days(timezone.localdate(), focal_point_email="focal@example.org")


class FlakyBackend(EmailBackend):
    """An SMTP server that drops the connection for the first `failures` sends (the one thing mocked)."""

    failures = 0

    def send_messages(self, messages):
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def flaky_smtp(settings):
    settings.EMAIL_BACKEND = "reminders.tests.conftest.FlakyBackend"
    yield FlakyBackend
    FlakyBackend.failures = 0
