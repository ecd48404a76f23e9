"""Logs as one JSON object per line, each line carrying the request (or task) it belongs to.

config.middleware.RequestIdMiddleware gives every request an id (the one nginx made, passed in
X-Request-ID, or a new one), keeps it and the request here while the request is answered, and logs
one line per request (path, status, duration, user id). config/celery.py carries the id into the
Celery tasks a request queues, and sets it here while such a task runs, so a task's lines carry the
id of the request that queued it. RequestContextFilter adds both to every record; JsonFormatter
writes a record, and whatever it was given in `extra=`, as one line of JSON.

This module imports nothing from Django's settings: gunicorn's own configuration uses it too.
"""

import datetime
import json
import logging
import re
import uuid
from contextvars import ContextVar

# The id of the request being answered, or of the request that queued the task being run.
request_id = ContextVar("request_id", default=None)
# The request being answered (for the user id), and the task being run (id and name).
current_request = ContextVar("current_request", default=None)
current_task = ContextVar("current_task", default=None)

# Why a pattern: an id from outside goes into every log line; only a short, plain token may.
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")

# Secrets that travel in paths, each a pattern whose `secret` group is replaced by "[token]": a
# log is read by more people than the links are sent to. A calendar feed's token is the whole of
# its access control; a password reset link's and an invitation's open an account (Django's
# "set-password" step holds no secret). nginx's log leaves the same out (deploy/nginx/).
SECRETS_IN_PATHS = [
    re.compile(r"/calendar/(?P<secret>[^/\s?#\"']+)\.ics"),
    re.compile(r"/accounts/reset/[^/\s?#\"']+/(?!set-password/)(?P<secret>[^/\s?#\"']+)"),
    re.compile(r"/accounts/invitation/(?!set-password/)(?P<secret>[^/\s?#\"']+)"),
    # A secret in a query string, whatever the path (a signed or single-use link).
    re.compile(r"[?&](?:token|key|signature|sig|password)=(?P<secret>[^&\s#\"']+)", re.IGNORECASE),
]
REDACTED = "[token]"


def redact(text):
    """`text` without the secrets paths may carry (SECRETS_IN_PATHS)."""
    if not isinstance(text, str):
        return text
    for pattern in SECRETS_IN_PATHS:
        text = pattern.sub(_redacted, text)
    return text


def _redacted(match):
    start, end = match.span("secret")
    return match.group(0)[: start - match.start()] + REDACTED + match.group(0)[end - match.start() :]


# What every LogRecord has; anything else on a record came from `extra=` and is written out.
RECORD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
# Extras some libraries add that are objects, not data (django.request adds the request itself).
NOT_WRITTEN = {"request", "server_time"}


def new_request_id(incoming=None):
    """The id a request is known by: the proxy's when it is a plain token, else a new one."""
    if incoming and REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def user_id_of(request):
    """The signed-in user's id, if the request already knows who it is: never a query to find out
    (a health probe, or a page answered while the database is down, must not make one)."""
    if request is None:
        return None
    user = getattr(request, "__dict__", {}).get("user")  # set lazily by AuthenticationMiddleware
    if user is None:
        return None
    # A SimpleLazyObject not yet evaluated keeps the sentinel `empty` in _wrapped; leave it so.
    wrapped = user.__dict__.get("_wrapped", user)
    return getattr(wrapped, "pk", None) if getattr(wrapped, "is_authenticated", False) is True else None


class RequestContextFilter(logging.Filter):
    """Adds request_id and user_id (and, in a worker, task_id and task_name) to every record."""

    def filter(self, record):
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id.get()
        if getattr(record, "user_id", None) is None:
            record.user_id = user_id_of(current_request.get())
        task = current_task.get()
        if task and getattr(record, "task_id", None) is None:
            record.task_id, record.task_name = task
        return True


class RedactSecretsFilter(logging.Filter):
    """Takes the secrets paths carry (SECRETS_IN_PATHS) out of a record: its message, the extras it
    was given (a path) and its exception's text. On every handler (settings.LOGGING, gunicorn's
    deploy/gunicorn.conf.py), so no line written anywhere holds one: Django's "Not Found: <path>",
    the development server's request lines, gunicorn's "Error handling request <path>", Celery's.

    The record itself is changed, so a handler after this one gets it without the secret too.
    """

    def filter(self, record):
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        for name, value in list(vars(record).items()):
            if name not in RECORD_ATTRIBUTES and isinstance(value, str):
                setattr(record, name, redact(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, then every extra field set."""

    def format(self, record):
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in vars(record).items():
            if name in RECORD_ATTRIBUTES or name in NOT_WRITTEN or name.startswith("_") or value is None:
                continue
            entry[name] = value
        if record.exc_text or record.exc_info:
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """Development's plain lines: level, logger, message, and the request id when there is one."""

    def __init__(self):
        super().__init__("%(levelname)s %(name)s: %(message)s")

    def format(self, record):
        line = super().format(record)
        rid = getattr(record, "request_id", None)
        return f"{line} [request {rid}]" if rid else line
