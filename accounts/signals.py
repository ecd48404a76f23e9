import logging

from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

logger = logging.getLogger("accounts.security")


@receiver(user_login_failed)
def log_failed_sign_in(sender, credentials, request=None, **kwargs):
    """Log who tried and from where; never the password (Django has already masked it)."""
    address = request.META.get("REMOTE_ADDR", "?") if request else "?"
    logger.warning("Failed sign-in for %r from %s", credentials.get("username", ""), address)
