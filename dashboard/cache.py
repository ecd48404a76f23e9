"""The dashboard's pages, kept in the cache until the data under them changes.

A dashboard page is a function of its query string, the day, the language and the data of the
champions, commitments and events apps. That data has a version: a random token in the cache,
replaced after every transaction that wrote to one of those apps' tables, whatever wrote it
(save(), update() and bulk_create(), admin, commands, raw SQL through Django: every statement is
seen, see watch_writes). A rendered page is kept under the version it was read at, so a change
makes every page read before it unreachable, and the office never sees a figure older than the
last change. migrate replaces the version too, so a deploy does not serve pages of the release
before it.

Why the new version comes after the commit, not with the write: a page read while the version is
V is read after V was set, so after the commit of every write that set a version before it; a
write that commits later sets a version of its own. Replaced at the write instead, a page read
between the write and its commit would be kept under the new version without the write in it.

For the same reason the dashboard view runs outside a transaction (non_atomic_requests): in one,
the reads could share a snapshot taken before the version was read (SQLite's starts at the first
read, the user's), and a page of older data would be kept under the newer version.

A connection holding uncommitted writes of its own neither reads nor keeps pages: it sees data
nobody else sees yet, which may still roll back. When the cache fails (Redis down), the page is
computed as if nothing were cached and a warning is logged: a slower page, never an error.
"""

import functools
import hashlib
import logging
import re
import secrets
from urllib.parse import urlencode

from django.apps import apps
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

WATCHED_APPS = ("champions", "commitments", "events")
VERSION_KEY = "dashboard:data-version"
# Why pages expire at all: a write made outside Django (psql) is not seen, nor is a change whose
# new version could not be stored because the cache was down. No page is kept longer than this.
PAGE_SECONDS = 10 * 60

_WRITE = re.compile(r'\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE)\s+(?:ONLY\s+)?"?(\w+)', re.IGNORECASE)


@functools.cache
def watched_tables():
    return frozenset(
        model._meta.db_table
        for label in WATCHED_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    )


def new_version():
    """Give the data a new version: every page kept so far becomes unreachable."""
    try:
        cache.set(VERSION_KEY, secrets.token_hex(8), timeout=None)
    except Exception:  # Why so broad: each cache backend fails with errors of its own.
        logger.warning("Could not store the dashboard's new data version", exc_info=True)


def has_uncommitted_writes(connection):
    """Whether the connection's transaction has written to a watched table (see watch_writes)."""
    return any(callback is new_version for _savepoints, callback, _robust in connection.run_on_commit)


def watch_writes(execute, sql, params, many, context):
    """A database execute wrapper: a write to a watched table gives the data a new version."""
    result = execute(sql, params, many, context)
    match = _WRITE.match(sql) if isinstance(sql, str) else None
    if match and (match[1].upper() == "TRUNCATE" or match[2] in watched_tables()):
        connection = context["connection"]
        if not connection.in_atomic_block:
            new_version()  # autocommit: the statement is committed already
        elif not has_uncommitted_writes(connection):
            # Dropped with the transaction (or the savepoint) if it rolls back.
            connection.on_commit(new_version)
    return result


def install(connection, **kwargs):
    """connection_created receiver: watch every connection's writes."""
    if watch_writes not in connection.execute_wrappers:
        # First: Django's execute_wrapper() pops the last wrapper when its block ends.
        connection.execute_wrappers.insert(0, watch_writes)


def schema_changed(**kwargs):
    """post_migrate receiver."""
    new_version()


def cached_page(request, compute):
    """compute(request) (a page: a dict of strings), or the copy kept for the same request and data."""
    if has_uncommitted_writes(connections[DEFAULT_DB_ALIAS]):
        return compute(request)
    try:
        key = _page_key(request, _version())
        page = cache.get(key)
    except Exception:
        logger.warning("The dashboard's cache failed; computing the page", exc_info=True)
        return compute(request)
    if page is None:
        page = compute(request)
        try:
            cache.set(key, page, PAGE_SECONDS)
        except Exception:
            logger.warning("Could not keep a dashboard page in the cache", exc_info=True)
    return page


def _version():
    # A new one on first use, or when the cache was emptied.
    return cache.get_or_set(VERSION_KEY, lambda: secrets.token_hex(8), timeout=None)


def _page_key(request, version):
    query = urlencode(sorted(request.GET.lists()), doseq=True)
    day = timezone.localdate().isoformat()
    fingerprint = "\n".join([version, day, get_language() or "", request.path, query])
    return "dashboard:page:" + hashlib.sha256(fingerprint.encode()).hexdigest()
