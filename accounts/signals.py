import logging
import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import translation

from accounts.lockout import client_address
from accounts.middleware import SIGNED_IN_AT

logger = logging.getLogger("accounts.security")


@receiver(user_login_failed)
def log_failed_sign_in(sender, credentials, request=None, **kwargs):
    """Log who tried and from where; never the password (Django has already masked it)."""
    address = client_address(request) if request else "?"
    logger.warning("Failed sign-in for %r from %s", credentials.get("username", ""), address)


@receiver(user_logged_in)
def start_the_session_clock(sender, request, user, **kwargs):
    """The session's absolute age counts from here (see SessionMaxAgeMiddleware)."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = int(time.time())


@receiver(user_logged_in)
def remember_the_language_of_the_first_sign_in(sender, request, user, **kwargs):
    """Until the person chooses a language, emails follow the one the site was shown in when they
    first signed in; signing in later from another browser (a colleague's, a hotel's) changes
    nothing behind their back."""
    shown = translation.get_language() if request is not None else None
    if shown in dict(settings.LANGUAGES) and not user.first_sign_in_language:
        user.first_sign_in_language = shown
        # Why update() with the condition: no history row for it (it is not the person's own
        # choice), and two first sign-ins at once keep one language, the first written.
        type(user).objects.filter(pk=user.pk, first_sign_in_language="").update(first_sign_in_language=shown)


@receiver(user_logged_out)
def keep_the_response_private(sender, request, user, **kwargs):
    """The response that signs out still carries the signed-in page's privacy (no-store)."""
    if request is not None:
        request.was_signed_in = True


@receiver(user_logged_in)
def keep_the_language_chosen_before_signing_in(sender, request, user, **kwargs):
    """A language picked on the sign-in page (our cookie) becomes the account's language."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) if request else None
    if chosen in dict(settings.LANGUAGES) and chosen != user.language:
        user.language = chosen
        user.save(update_fields=["language"])
