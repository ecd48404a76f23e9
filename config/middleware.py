import logging
import time

from config.logging import current_request, new_request_id, redact, request_id, user_id_of

logger = logging.getLogger("config.request")


class RequestIdMiddleware:
    """Gives each request an id and logs one line when it is answered (see config/logging.py).

    First in MIDDLEWARE, so its line covers every other middleware (HTTPS redirects, the sign-in
    lockout) and the id is there for every line they log. The id comes from nginx's X-Request-ID,
    so nginx's access log and ours share it, and goes back to the client in X-Request-ID.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        request.request_id = new_request_id(request.headers.get("X-Request-ID"))
        id_token, request_token = request_id.set(request.request_id), current_request.set(request)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            logger.info(
                "%s %s %s",
                request.method,
                loggable_path(request),
                response.status_code,
                extra={
                    "method": request.method,
                    "path": loggable_path(request),
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                    "bytes": None if response.streaming else len(response.content),
                    "user_id": user_id_of(request),
                },
            )
            return response
        finally:
            request_id.reset(id_token)
            current_request.reset(request_token)


def loggable_path(request):
    """The path without its query string, and without the secret a path may hold (a password reset
    link's token, a calendar feed's: config.logging.redact, which every log handler applies too)."""
    return redact(request.path)
