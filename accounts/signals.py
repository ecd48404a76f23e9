import logging

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

logger = logging.getLogger("accounts.security")


@receiver(user_login_failed)
def log_failed_sign_in(sender, credentials, request=None, **kwargs):
    """Log who tried and from where; never the password (Django has already masked it)."""
    address = request.META.get("REMOTE_ADDR", "?") if request else "?"
    logger.warning("Failed sign-in for %r from %s", credentials.get("username", ""), address)


@receiver(user_logged_in)
def keep_the_language_chosen_before_signing_in(sender, request, user, **kwargs):
    """A language picked on the sign-in page (our cookie) becomes the account's language."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) if request else None
    if chosen in dict(settings.LANGUAGES) and chosen != user.language:
        user.language = chosen
        user.save(update_fields=["language"])
