import logging
from urllib.parse import urlsplit

from celery import shared_task
from django.conf import settings

from accounts.forms import LocalizedPasswordResetForm

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(OSError,), retry_backoff=60, max_retries=3)
def send_password_reset(email):
    """Email a reset link to each active account `email` names that has a usable password (none,
    silently, if there is no such account), in its reader's language; links use SITE_URL."""
    form = LocalizedPasswordResetForm({"email": email})
    if not form.is_valid():
        return
    site = urlsplit(settings.SITE_URL)
    form.save(domain_override=site.netloc, use_https=site.scheme == "https")
