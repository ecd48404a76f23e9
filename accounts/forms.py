import hashlib
import unicodedata
import uuid

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts import emails, throttle
from accounts.lockout import client_address
from accounts.models import User


class PreferencesForm(forms.ModelForm):
    """A person's preferences; office members also choose whether to hear of submissions at once."""

    class Meta:
        model = User
        fields = ["full_name", "reminder_emails", "reminder_frequency", "language", "notify_at_once"]
        widgets = {"reminder_frequency": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("Your browser's language")), *settings.LANGUAGES]
        if not self.instance.is_office_member:
            del self.fields["notify_at_once"]


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Asks for a reset link without saying, by content or by time, whether the address has an account.

    The request only queues the work (tasks.send_password_reset looks the address up and makes the
    emails), so it costs the same with or without an account. Requests are throttled per address and
    per client: a flood sends a handful of emails, and the page says the same as for any other
    request. Each request has an id: its task, however often delivered, makes each email once.
    """

    def save(self, request=None, **kwargs):
        email = self.cleaned_data["email"]
        hour = 60 * 60
        address = hashlib.sha256(unicodedata.normalize("NFKC", email).casefold().encode()).hexdigest()
        # Both counted, whichever is over its limit.
        by_address = throttle.allow(f"reset-address:{address}", settings.PASSWORD_RESETS_PER_ADDRESS, hour)
        by_client = throttle.allow(
            f"reset-client:{client_address(request)}", settings.PASSWORD_RESETS_PER_CLIENT, hour
        )
        if by_address and by_client:
            from accounts.tasks import send_password_reset

            request_id = uuid.uuid4().hex
            transaction.on_commit(lambda: send_password_reset.delay(email, request_id))


class LocalizedPasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset email, in the reader's language, made as an accounts.Email keyed by the request
    and the reader (used by tasks.send_password_reset); `emails` holds those made."""

    def __init__(self, *args, request_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.request_id = request_id
        self.emails = []

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        user = context["user"]
        with translation.override(user.email_language):
            subject = emails.subject_line(render_to_string(subject_template_name, context))
            text = render_to_string(email_template_name, context)
            html = render_to_string(html_email_template_name, context) if html_email_template_name else ""
        key = f"password-reset:{self.request_id}:{user.pk}"
        self.emails.append(emails.make(key, user, subject, text, html))


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """A wrong current password counts as a failed sign-in for the account (django-axes), so a
    stolen session cannot guess it without limit: at the limit the session ends (views.py)."""

    def __init__(self, user, *args, request=None, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self):
        try:
            return super().clean_old_password()
        except forms.ValidationError:
            user_login_failed.send(
                sender=__name__, credentials={"username": self.user.get_username()}, request=self.request
            )
            raise
