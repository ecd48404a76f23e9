"""/healthz for load balancers: the database, the cache and the broker, each within a short timeout."""

import time
from unittest import mock

import pytest
from django.db import OperationalError

from config import views


@pytest.mark.django_db
def test_it_answers_200_when_the_database_the_cache_and_the_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


def failing(*args, **kwargs):
    raise OperationalError("down")


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["database", "cache", "broker"])
def test_it_answers_503_naming_what_failed(client, name, caplog):
    with mock.patch.dict(views.HEALTH_CHECKS, {name: failing}):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content.decode() == f"{name} unavailable\n"
    assert f"Health check: {name} unavailable: OperationalError: down" in caplog.text


@pytest.mark.django_db
def test_it_names_each_that_failed(client):
    with mock.patch.dict(views.HEALTH_CHECKS, {"database": failing, "broker": failing}):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content.decode() == "database unavailable\nbroker unavailable\n"


@pytest.mark.django_db
def test_a_check_that_hangs_fails_after_the_timeout(client, settings):
    settings.HEALTHZ_TIMEOUT = 0.3
    with mock.patch.dict(views.HEALTH_CHECKS, {"cache": lambda: time.sleep(3)}):
        started = time.monotonic()
        response = client.get("/healthz")
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.content.decode() == "cache unavailable\n"
    assert elapsed < 1.5


@pytest.mark.django_db
def test_the_checks_run_at_once_not_one_after_the_other(client, settings):
    settings.HEALTHZ_TIMEOUT = 1.5
    slow = {name: (lambda: time.sleep(0.5)) for name in views.HEALTH_CHECKS}
    with mock.patch.dict(views.HEALTH_CHECKS, slow):
        started = time.monotonic()
        response = client.get("/healthz")
        elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert elapsed < 1.2


@pytest.mark.django_db
def test_the_database_check_fails_when_the_database_does_not_answer(settings):
    unreachable = {**settings.DATABASES["default"], "HOST": "127.0.0.1", "PORT": "1"}
    if unreachable["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("a database server that does not answer: PostgreSQL only")
    with (
        mock.patch.dict(views.connections.settings, {"default": unreachable}),
        pytest.raises(OperationalError),
    ):
        views.check_database()


def test_the_broker_check_fails_when_the_broker_does_not_answer():
    from config.celery import app

    connect = app.connection_for_write
    with mock.patch.object(app, "connection_for_write", lambda: connect("redis://127.0.0.1:1/0")):
        started = time.monotonic()
        with pytest.raises(Exception):  # noqa: B017 - kombu's errors vary by transport
            views.check_broker()
    assert time.monotonic() - started < 5


def test_the_cache_check_fails_when_the_cache_does_not_answer(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with pytest.raises(Exception):  # noqa: B017 - each cache backend fails with errors of its own
        views.check_cache()


def test_the_shallow_probe_asks_nothing(client):
    # No django_db mark: a query, even to read a session, would fail this test.
    with mock.patch.dict(views.HEALTH_CHECKS, {name: failing for name in views.HEALTH_CHECKS}):
        response = client.get("/healthz?shallow=1")
    assert response.status_code == 200
    assert response.content == b"ok\n"
