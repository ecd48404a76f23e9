"""Secrets in paths stay out of every log line, attacked as someone who reads the logs: a calendar
feed's token, a password reset link's, an invitation's, and one in a query string, through every
logger that names a path (our request line, django.request's "Not Found", the development server's
request lines, gunicorn's errors, a Celery task's)."""

import io
import json
import logging
import re
import runpy
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from config.logging import JsonFormatter, RedactSecretsFilter, redact

BASE_DIR = Path(__file__).resolve().parents[2]
SECRET = "Zq9SecretTokenValue_x-42"


def configured_handlers():
    """Every handler settings.LOGGING (and Django's defaults) set up in this process, on any logger;
    not pytest's capture handlers, nor the NullHandlers libraries add to write nothing."""
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    return [
        handler
        for logger in loggers
        if isinstance(logger, logging.Logger)
        for handler in logger.handlers
        if not type(handler).__module__.startswith("_pytest") and not isinstance(handler, logging.NullHandler)
    ]


@pytest.fixture
def written():
    """What the configured handlers write, whatever they are, as one text."""
    handlers = [handler for handler in configured_handlers() if isinstance(handler, logging.StreamHandler)]
    assert handlers, "settings.LOGGING configures a console handler"
    streams = [io.StringIO() for _ in handlers]
    old = [handler.setStream(stream) for handler, stream in zip(handlers, streams, strict=True)]
    yield lambda: "".join(stream.getvalue() for stream in streams)
    for handler, stream in zip(handlers, old, strict=True):
        handler.setStream(stream)


def test_every_handler_writes_through_the_secrets_filter():
    handlers = configured_handlers()
    assert handlers
    for handler in handlers:
        assert any(isinstance(f, RedactSecretsFilter) for f in handler.filters), handler


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        f"/calendar/{SECRET}.ics",  # a token that was replaced, or guessed: 404
        f"/calendar/{SECRET}.ics/more",  # no route at all: Django's "Not Found" names the path
        f"/accounts/reset/MQ/{SECRET}/",
        f"/accounts/reset/Mg/{SECRET}-{SECRET}/",
        f"/accounts/invitation/{SECRET}/",
        f"/dashboard/?token={SECRET}",
    ],
)
def test_a_request_for_a_secret_link_is_logged_without_its_secret(client, written, caplog, path):
    caplog.set_level(logging.INFO)
    client.get(path)

    lines = written()
    assert lines  # the request was logged...
    assert SECRET not in lines  # ...without its secret, by every handler
    assert "[token]" in lines or "?" in path  # (the request line leaves a query string out)
    assert caplog.records
    for record in caplog.records:  # the records themselves: a handler after ours gets them redacted
        assert SECRET not in logging.Formatter().format(record)


def test_a_calendar_feed_404_is_logged_as_not_found_without_its_token(client, db, written):
    logging.getLogger("django.request").warning(
        "Not Found: %s", f"/calendar/{SECRET}.ics", extra={"status_code": 404}
    )
    lines = written()
    assert "Not Found: /calendar/[token].ics" in lines and SECRET not in lines


def test_the_development_servers_request_lines_are_redacted(written):
    # What django.core.servers.basehttp.WSGIRequestHandler.log_message writes.
    logging.getLogger("django.server").info(
        '"%s" %s %s', f"GET /accounts/reset/MQ/{SECRET}/?next=/ HTTP/1.1", "302", "0"
    )
    lines = written()
    assert '"GET /accounts/reset/MQ/[token]/?next=/ HTTP/1.1" 302 0' in lines and SECRET not in lines


def test_a_workers_failure_naming_a_link_is_redacted_in_its_traceback_too(written):
    try:
        raise ValueError(f"could not send https://tracker.example/accounts/invitation/{SECRET}/")
    except ValueError:
        logging.getLogger("celery.app.trace").exception("Task %s failed", "accounts.tasks.send_email")
    lines = written()
    assert "ValueError: could not send https://tracker.example/accounts/invitation/[token]/" in lines
    assert SECRET not in lines


def test_gunicorns_own_lines_go_through_the_secrets_filter():
    config = runpy.run_path(str(BASE_DIR / "deploy" / "gunicorn.conf.py"))["logconfig_dict"]
    handlers = config["handlers"]
    for name, handler in handlers.items():
        assert "secrets" in handler.get("filters", []), name
    assert config["filters"]["secrets"]["()"] == "config.logging.RedactSecretsFilter"
    # gunicorn's sync worker: self.log.exception("Error handling request %s", req.uri)
    record = logging.makeLogRecord(
        {"name": "gunicorn.error", "msg": "Error handling request %s", "args": (f"/calendar/{SECRET}.ics",)}
    )
    RedactSecretsFilter().filter(record)
    line = JsonFormatter().format(record)
    assert json.loads(line)["message"] == "Error handling request /calendar/[token].ics"


def _routes(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def test_every_route_with_a_token_in_it_is_redacted():
    routes = [route for route in _routes(get_resolver().url_patterns) if "token>" in route]
    assert len(routes) >= 3  # the calendar feed, the reset link, the invitation
    for route in routes:
        path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SECRET if "token" in m[1] else "MQ", route)
        assert SECRET not in redact(path), route


def test_it_leaves_paths_without_a_secret_alone():
    for path in [
        "/accounts/reset/MQ/set-password/",
        "/accounts/invitation/set-password/",
        "/dashboard/commitments/import/",
        "/calendar/",
    ]:
        assert redact(path) == path
