import logging
import sys

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.http import HttpResponse, HttpResponseServerError
from django.template.loader import render_to_string
from django.views import defaults
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


@login_not_required
@never_cache
@transaction.non_atomic_requests
def healthz(request):
    """200 when the database answers a query, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def bad_request(request, exception):
    """The 400 handler: a too large upload is a 413 that says so; anything else Django's 400 page."""
    from events.uploads import UploadTooLarge

    if isinstance(exception, UploadTooLarge):
        return HttpResponse(
            render_to_string("413.html", {"limit": settings.EVIDENCE_MAX_BYTES}, request=request), status=413
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
