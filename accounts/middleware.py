import logging

from django.utils import translation

security_log = logging.getLogger("accounts.security")


class UserLanguageMiddleware:
    """A signed-in user's language is the one on their account (chosen in the header or preferences).

    Comes after LocaleMiddleware (which reads the cookie or the browser's languages for visitors)
    and AuthenticationMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class RefusedAccessLogMiddleware:
    """Log who was refused what (403, 404), to follow probing of other champions' pages.

    Logs the user's id and the path; never the session key, a cookie or a form's content.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in (403, 404):
            user = getattr(request, "user", None)
            security_log.warning(
                "Refused %s %s (%s) to %s from %s",
                request.method,
                request.path,
                response.status_code,
                f"user {user.pk}" if user and user.is_authenticated else "an anonymous visitor",
                request.META.get("REMOTE_ADDR", "?"),
            )
        return response
