"""Emails rendered from three templates each: subject, plain text and HTML, in the recipient's language."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def build_email(name, context, recipient):
    """The email `name` (templates/emails/<name>-subject.txt, -body.txt, -body.html) for one person."""
    language = getattr(recipient, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {"recipient": recipient, "site_url": settings.SITE_URL, **context}
        subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
        text = render_to_string(f"emails/{name}-body.txt", context)
        html = render_to_string(f"emails/{name}-body.html", context)
    message = EmailMultiAlternatives(subject, text, to=[recipient.email])
    message.attach_alternative(html, "text/html")
    return message
