"""Logs: one JSON object per line, each carrying its request's id (into the tasks it queues too)."""

import io
import json
import logging
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from celery import shared_task

from config import celery as celery_signals
from config.logging import JsonFormatter, RequestContextFilter, TextFormatter, current_task, request_id
from config.tests.helpers import production_env

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def log_lines():
    """What the production handler writes (settings.LOGGING's filter and JSON formatter), as dicts."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


def request_lines(lines):
    return [line for line in lines if line["logger"] == "config.request"]


def test_a_record_is_one_line_of_json_with_its_extra_fields():
    record = logging.makeLogRecord(
        {"name": "x", "levelname": "WARNING", "msg": "two\nlines %s", "args": ("é",), "status": 503}
    )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "two\nlines é"
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "x"
    assert entry["status"] == 503
    assert entry["time"].endswith("+00:00")


def test_an_exception_is_in_the_same_line():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("x").makeRecord("x", logging.ERROR, "f", 1, "failed", (), sys.exc_info())
    entry = json.loads(JsonFormatter().format(record))
    assert "ValueError: boom" in entry["exception"]


def test_each_request_is_logged_once_with_its_id_path_status_duration_and_user(client, cast, log_lines):
    client.force_login(cast.champion_user)
    response = client.get(f"/commitments/{cast.commitment.pk}/?page=1")
    assert response.status_code == 200
    [line] = request_lines(log_lines())
    assert line["path"] == f"/commitments/{cast.commitment.pk}/"  # no query string
    assert line["method"] == "GET"
    assert line["status"] == 200
    assert line["duration_ms"] > 0
    assert line["user_id"] == cast.champion_user.pk
    assert line["request_id"] == response["X-Request-ID"]
    assert len(line["request_id"]) == 32


def test_it_keeps_the_id_nginx_gave_the_request(client, db, log_lines):
    response = client.get("/accounts/login/", headers={"X-Request-ID": "5f0c1e2d3b4a59687f6e5d4c3b2a1908"})
    assert response["X-Request-ID"] == "5f0c1e2d3b4a59687f6e5d4c3b2a1908"
    [line] = request_lines(log_lines())
    assert line["request_id"] == "5f0c1e2d3b4a59687f6e5d4c3b2a1908"
    assert "user_id" not in line  # nobody signed in


def test_it_makes_a_new_id_for_one_that_is_not_a_plain_token(client, db):
    response = client.get("/accounts/login/", headers={"X-Request-ID": "a\nforged log line"})
    assert response["X-Request-ID"] != "a\nforged log line"
    assert len(response["X-Request-ID"]) == 32


def test_every_line_logged_during_a_request_carries_its_id_and_user(client, cast, log_lines):
    client.force_login(cast.champion_user)
    response = client.get(f"/commitments/{cast.other_commitment.pk}/")  # refused: logged as a probe
    assert response.status_code == 404
    lines = log_lines()
    [refusal] = [line for line in lines if line["logger"] == "accounts.security"]
    assert refusal["request_id"] == response["X-Request-ID"]
    assert refusal["user_id"] == cast.champion_user.pk
    assert refusal["request_id"] == request_lines(lines)[0]["request_id"]


def test_a_password_reset_link_is_logged_without_its_token(client, db, log_lines):
    client.get("/accounts/reset/MQ/set-a-secret-token-here/")
    [line] = request_lines(log_lines())
    assert "set-a-secret-token-here" not in json.dumps(line)
    assert line["path"] == "/accounts/reset/MQ/[token]/"


def test_the_health_probe_is_logged_without_asking_who_is_signed_in(client, log_lines):
    # No django_db mark: reading the session to find the user id would fail this test.
    client.get("/healthz?shallow=1")
    [line] = request_lines(log_lines())
    assert line["status"] == 200


def test_a_task_queued_during_a_request_carries_the_request_id():
    headers = {}
    token = request_id.set("0123456789abcdef")
    try:
        celery_signals.carry_request_id(headers=headers)
    finally:
        request_id.reset(token)
    assert headers == {"request_id": "0123456789abcdef"}
    untouched = {}
    celery_signals.carry_request_id(headers=untouched)  # queued outside any request (beat)
    assert untouched == {}


def test_a_task_logs_with_the_id_of_the_request_that_queued_it(log_lines):
    # What a worker does with a message carrying the header (Celery puts headers on task.request).
    task = SimpleNamespace(
        name="reminders.tasks.sweep_reminders", request=SimpleNamespace(request_id="feedc0de42")
    )
    celery_signals.adopt_request_id(task_id="t-1", task=task)
    logging.getLogger("reminders.delivery").info("sending")
    celery_signals.forget_request_id(task=task)
    logging.getLogger("reminders.delivery").info("after")
    during, after = log_lines()
    assert during["request_id"] == "feedc0de42"
    assert during["task_id"] == "t-1"
    assert during["task_name"] == "reminders.tasks.sweep_reminders"
    assert "request_id" not in after and "task_id" not in after
    assert request_id.get() is None and current_task.get() is None


@shared_task
def _log_something():
    logging.getLogger("reminders.delivery").info("from the task")


def test_a_task_run_eagerly_keeps_its_callers_request_id(settings, log_lines):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    token = request_id.set("abcdef0123456789")
    try:
        _log_something.delay()
        logging.getLogger("x").info("the request goes on")
    finally:
        request_id.reset(token)
    in_task, after = [line for line in log_lines() if line["logger"] != "celery.app.trace"]
    assert in_task["message"] == "from the task"
    assert in_task["request_id"] == "abcdef0123456789"
    assert after["request_id"] == "abcdef0123456789"


def test_development_lines_are_plain_text_with_the_request_id():
    record = logging.makeLogRecord(
        {"name": "x", "levelname": "INFO", "msg": "hello", "request_id": "abc12345"}
    )
    assert TextFormatter().format(record) == "INFO x: hello [request abc12345]"


@pytest.mark.slow  # a subprocess
def test_production_logs_json_lines(tmp_path):
    env = production_env(tmp_path)
    code = (
        "import django, logging; django.setup(); logging.getLogger('dashboard.cache').warning('cache down')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    [line] = result.stderr.splitlines()
    entry = json.loads(line)
    assert entry["message"] == "cache down"
    assert entry["logger"] == "dashboard.cache"
    assert entry["level"] == "WARNING"
