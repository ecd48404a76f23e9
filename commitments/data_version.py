"""The version of the data the office's figures are read from: hubs, organizations, champions, their
pledges and signatures, cycles, commitments and their progress (events, through the roll-ups).

The version is a random token in the shared cache. Pages computed from that data (the dashboard,
see dashboard/cache.py) are kept under the version they were read at, so replacing it makes every
page read before unreachable.

Whatever changes that data calls changed(), once per write, where the write happens:
  - saves and deletes of hubs, organizations, champions, pledges, pledge signatures, cycles and
    commitments: receivers
    (CommitmentsConfig.ready), so admin, forms, imports and cascades are all seen;
  - every event write, and anything else that moves progress figures: rollups.recount();
  - bulk writes that send no signals (QuerySet.update(), bulk_create()): their callers;
  - migrate: a receiver, so a deploy never serves pages of the release before.
Writes to other tables (reminders, sessions) do not change the version: no figure reads them.

Why after the commit, not at the write: a page read while the version is V was read after V was
set, so after the commit of every write that replaced the version before it. Replaced at the
write, a page read between the write and its commit would be kept under the new version without
the write in it. A transaction that rolls back replaces nothing.
"""

import logging
import secrets

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction

logger = logging.getLogger(__name__)

VERSION_KEY = "figures:data-version"


def changed(using=DEFAULT_DB_ALIAS):
    """The office's figures changed: a new data version once the current transaction commits (at
    once outside a transaction)."""
    transaction.on_commit(new_version, using=using)


def new_version():
    """Give the data a new version now. A cache that fails is logged: pages then expire by age."""
    try:
        cache.set(VERSION_KEY, secrets.token_hex(8), timeout=None)
    except Exception:  # Why so broad: each cache backend fails with errors of its own.
        logger.warning("Could not store a new data version", exc_info=True)


def current():
    """The data version (a new one on first use, or after the cache was emptied)."""
    return cache.get_or_set(VERSION_KEY, lambda: secrets.token_hex(8), timeout=None)


def on_save_or_delete(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    """post_save, post_delete and post_migrate receiver."""
    changed(using=using)
