import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from accounts.lockout import client_address
from config.middleware import loggable_path

security_log = logging.getLogger("accounts.security")
SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
# How often a signed-in visitor's activity pushes the idle expiry on (saves the session).
ACTIVITY_SAVED_EVERY = 60


class SessionMaxAgeMiddleware:
    """A session ends SESSION_MAX_AGE seconds after signing in, however active it has been, and
    SESSION_COOKIE_AGE seconds after its last activity. A stolen session cookie is worth a working
    day at most.

    Activity pushes the idle expiry on by saving the session, at most once a minute: saved on every
    request (SESSION_SAVE_EVERY_REQUEST), each page would cost a write and its commit for nothing
    but the expiry. So the idle time runs out up to a minute early, never late.

    Comes after the message middleware, to say why the visitor must sign in again.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            signed_in_at = request.session.get(SIGNED_IN_AT)
            if signed_in_at is None:  # signed in before this rule: it counts from now
                request.session[SIGNED_IN_AT] = now
            elif now - signed_in_at > settings.SESSION_MAX_AGE:
                logout(request)
                messages.info(request, _("Your session has ended: please sign in again."))
                return redirect_to_login(request.get_full_path())
            if now - request.session.get(SEEN_AT, 0) >= ACTIVITY_SAVED_EVERY:
                request.session[SEEN_AT] = now  # modified: saved, with the expiry pushed on
        return self.get_response(request)


class PrivatePagesMiddleware:
    """Pages and downloads for a signed-in user are never kept by a shared cache, nor by the browser
    (its back-forward cache would show them after signing out)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated or getattr(request, "was_signed_in", False):
            patch_cache_control(response, private=True, no_store=True)
        return response


class UserLanguageMiddleware:
    """A signed-in user's language is the one they chose (in the header or preferences); until they
    choose, pages follow the browser (LocaleMiddleware, before this one, reads the language cookie
    and Accept-Language). The language of the first sign-in is kept on the account
    (accounts/signals.py), so that emails are in it until they choose (User.email_language).
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
                loggable_path(request),
                response.status_code,
                f"user {user.pk}" if user and user.is_authenticated else "an anonymous visitor",
                client_address(request),
            )
        return response
