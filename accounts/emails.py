"""Emails rendered from three templates each: subject, plain text and HTML, in the readers' language."""

from itertools import groupby

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def _language(user):
    return user.email_language


def build_emails(name, context, recipients):
    """The email `name` (templates/emails/<name>-subject.txt, -body.txt, -body.html), one message
    per language, each addressed to all the recipients who read that language."""
    messages = []
    for language, group in groupby(sorted(recipients, key=_language), key=_language):
        readers = list(group)
        with translation.override(language):
            full = {"recipients": readers, "site_url": settings.SITE_URL, **context}
            subject = " ".join(render_to_string(f"emails/{name}-subject.txt", full).split())
            text = render_to_string(f"emails/{name}-body.txt", full)
            html = render_to_string(f"emails/{name}-body.html", full)
        message = EmailMultiAlternatives(subject, text, to=[reader.email for reader in readers])
        message.attach_alternative(html, "text/html")
        messages.append(message)
    return messages
