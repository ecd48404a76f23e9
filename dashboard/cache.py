"""The dashboard's pages, kept in the cache until the data under them changes.

A dashboard page is a function of its query string, the day, the language and the data the
office's figures are read from. That data has a version (commitments/data_version.py), replaced
once each write to it commits, by the code that writes it. A rendered page is kept under the
version it was read at, so a change makes every page read before it unreachable, and the office
never sees a figure older than the last change.

The dashboard view runs outside a transaction (non_atomic_requests): in one, its reads could share
a snapshot taken before the version was read, and a page of older data would be kept under the
newer version. For the same reason a page computed inside a transaction (a test's, or a caller's)
is not kept. When the cache fails (Redis down), the page is computed as if nothing were cached and
a warning is logged: a slower page, never an error.
"""

import hashlib
import logging
from urllib.parse import urlencode

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from django.utils.translation import get_language

from commitments import data_version

logger = logging.getLogger(__name__)

# Why pages expire at all: a write made outside Django (psql) is not seen, nor is a change whose
# new version could not be stored because the cache was down. No page is kept longer than this.
PAGE_SECONDS = 10 * 60


def cached_page(request, compute):
    """(page, hit): compute(request) (a page: a dict of strings), or the copy kept for the same
    request and data, and whether it was that copy (True) or computed (False)."""
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return compute(request), False
    try:
        key = _page_key(request, data_version.current())
        page = cache.get(key)
    except Exception:  # Why so broad: each cache backend fails with errors of its own.
        logger.warning("The dashboard's cache failed; computing the page", exc_info=True)
        return compute(request), False
    if page is not None:
        return page, True
    page = compute(request)
    try:
        cache.set(key, page, PAGE_SECONDS)
    except Exception:
        logger.warning("Could not keep a dashboard page in the cache", exc_info=True)
    return page, False


def _page_key(request, version):
    query = urlencode(sorted(request.GET.lists()), doseq=True)
    day = timezone.localdate().isoformat()
    fingerprint = "\n".join([version, day, get_language() or "", request.path, query])
    return "dashboard:page:" + hashlib.sha256(fingerprint.encode()).hexdigest()
