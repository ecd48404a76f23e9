"""The email to a panel's organiser: a link to confirm or correct its speakers, in the champion's
language, made once (accounts.Email) in the transaction that logs the panel and sent after it
commits."""

from django.conf import settings
from django.urls import reverse

from accounts import emails
from accounts.tasks import send_after_commit
from events.models import PanelConfirmation


def ask_organiser(event, organiser_email):
    """Ask `organiser_email` to confirm `event` (a panel): a new PanelConfirmation and its email.

    The organiser has no account: the email goes to the address, in the language the champion reads
    emails in. Keyed by the confirmation, so it is made, and sent, once."""
    confirmation, token = PanelConfirmation.ask(event, organiser_email)
    champion = event.commitment.champion
    language = champion.user.email_language if champion.user else settings.LANGUAGE_CODE
    context = {
        "event": event,
        "champion": champion,
        "confirm_url": settings.SITE_URL + reverse("confirm_panel", args=[token]),
        "expires_at": confirmation.expires_at,
    }
    email = emails.make(
        f"panel-confirmation:{confirmation.pk}",
        None,
        address=organiser_email,
        **emails.render("panel-confirmation", context, None, language=language),
    )
    send_after_commit([email])
    return confirmation
