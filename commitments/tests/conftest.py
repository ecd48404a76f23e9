"""Fixtures shared by the reminder tests."""

import pytest

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
