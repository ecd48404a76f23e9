import logging
import math
import sys
import threading
import time
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.exceptions import BadRequest
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections, transaction
from django.db.utils import load_backend
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseServerError
from django.template.loader import render_to_string
from django.views import defaults
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


@login_not_required
@never_cache
@transaction.non_atomic_requests
def healthz(request):
    """For load balancers: 200 "ok" when the database, the cache and the broker each answer within
    HEALTHZ_TIMEOUT seconds; else 503 with a line for each that did not ("cache unavailable").

    With ?shallow=1 it answers "ok" without asking any of them: a liveness probe, which says the
    process serves requests and costs nothing (it reads no session either).
    """
    if request.GET.get("shallow"):
        return HttpResponse("ok\n", content_type="text/plain")
    failed = [name for name, error in run_health_checks().items() if error]
    if failed:
        body = "".join(f"{name} unavailable\n" for name in failed)
        return HttpResponse(body, status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def check_database():
    # A connection of the check's own, with a connect timeout: the request's could be in use or hang.
    settings_dict = connections.settings[DEFAULT_DB_ALIAS]
    if settings_dict["ENGINE"] == "django.db.backends.postgresql":
        timeout = max(1, math.ceil(settings.HEALTHZ_TIMEOUT))
        settings_dict = {**settings_dict, "OPTIONS": {**settings_dict["OPTIONS"], "connect_timeout": timeout}}
    connection = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, DEFAULT_DB_ALIAS)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()


def check_cache():
    cache = caches.create_connection(DEFAULT_CACHE_ALIAS)
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=30)
    if cache.get(key) != "ok":
        raise RuntimeError("the cache did not give back what was just stored")
    cache.delete(key)


def check_broker():
    from config.celery import app

    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, timeout=settings.HEALTHZ_TIMEOUT)


HEALTH_CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}


def run_health_checks():
    """{name: None, or why it failed}, each check in a thread of its own, all at once, none waited
    for longer than HEALTHZ_TIMEOUT (a hung check's thread is left to finish on its own)."""
    outcomes = {}

    def run(name, check):
        try:
            check()
        except Exception as error:  # Why so broad: each backend fails with errors of its own.
            outcomes[name] = f"{type(error).__name__}: {error}"
        else:
            outcomes[name] = None

    threads = {
        name: threading.Thread(target=run, args=(name, check), name=f"healthz-{name}", daemon=True)
        for name, check in HEALTH_CHECKS.items()
    }
    deadline = time.monotonic() + settings.HEALTHZ_TIMEOUT
    for thread in threads.values():
        thread.start()
    for thread in threads.values():
        thread.join(max(0, deadline - time.monotonic()))
    results = {}
    for name in HEALTH_CHECKS:
        results[name] = outcomes.get(name, f"no answer within {settings.HEALTHZ_TIMEOUT:g} s")
        if results[name]:
            logger.warning("Health check: %s unavailable: %s", name, results[name])
    return results


def bad_request(request, exception):
    """The 400 handler: a too large upload is a 413 that says so; a choice a view refused with a
    reason for the reader (BadRequest with a message: a report's `as_of` day) says it; anything else
    Django's 400 page."""
    from events.uploads import UploadTooLarge

    if isinstance(exception, UploadTooLarge):
        return HttpResponse(
            render_to_string("413.html", {"limit": settings.EVIDENCE_MAX_BYTES}, request=request), status=413
        )
    if type(exception) is BadRequest and exception.args:
        return HttpResponseBadRequest(
            render_to_string("400_reason.html", {"message": exception.args[0]}, request=request)
        )
    return defaults.bad_request(request, exception)


def server_error(request):
    """The 500 handler: a database that does not answer is a 503 (try again), not a crash page.

    Rendered without context processors: they would ask the database who is signed in.
    """
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        logger.error("Database unavailable: %s", error)
        return HttpResponse(render_to_string("503.html"), status=503, headers={"Retry-After": "30"})
    return HttpResponseServerError(render_to_string("500.html"))
