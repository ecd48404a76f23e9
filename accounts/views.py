from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, login_required
from django.contrib.auth.forms import SetPasswordForm
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import throttle
from accounts.forms import PasswordChangeForm, PasswordResetForm, PreferencesForm
from accounts.lockout import client_address
from accounts.models import Invitation

# Links that name no invitation, per client and hour, before the client is refused any (nobody
# guesses a 256-bit token, but nobody gets to try at leisure either).
INVITATION_MISSES_PER_CLIENT = 20
# Where an invitation's token waits, in the session, while its person chooses a password.
INVITATION_SESSION_KEY = "_invitation_token"


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your preferences are saved."))
        return redirect("preferences")
    calendar_url = settings.SITE_URL + reverse("calendar_feed", args=[request.user.calendar_token])
    context = {
        "form": form,
        "calendar_url": calendar_url,
        # Apple Calendar and Outlook open a webcal: link as "subscribe to this calendar".
        "webcal_url": "webcal" + calendar_url[calendar_url.index(":") :],
    }
    return render(request, "accounts/preferences.html", context)


@login_required
@require_POST
def replace_calendar_token(request):
    """A new address for the user's calendar feed; the old one stops working at once."""
    request.user.replace_calendar_token()
    messages.success(
        request,
        _(
            "Your calendar feed has a new address: the old one no longer works. "
            "Subscribe to the new one in your calendar app."
        ),
    )
    return redirect(reverse("preferences") + "#calendar")


@login_not_required
@require_POST
def set_language(request):
    """Switch the interface language; remembered on the account of a signed-in user."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = redirect(next_url)
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated and request.user.language != language:
        request.user.language = language
        request.user.save(update_fields=["language"])
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's, except that wrong current passwords count as failed sign-ins: at the limit the
    account is locked and this session ends (django-axes answers with its lockout page)."""

    form_class = PasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form):
        if getattr(self.request, "axes_locked_out", False):
            logout(self.request)
        return super().form_invalid(form)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, with the form that queues the email and throttles (forms.PasswordResetForm)."""

    form_class = PasswordResetForm


@login_not_required
@never_cache
@require_safe
def accept_invitation(request, token):
    """An invitation's link. A link that names no invitation answers 404, one that no longer works
    410, each saying what to do (ask the office for a new invitation). One that works leads to the
    form that sets the password, at an address without the token (Django's password reset does the
    same): what is logged about that form's requests, the sign-in among them, cannot reveal it."""
    misses = f"invitation-misses:{client_address(request)}"
    if throttle.exceeded(misses, INVITATION_MISSES_PER_CLIENT):
        return _invitation_closed(request, "too_many", status=429)
    invitation = Invitation.objects.for_token(token)
    if invitation is None:
        throttle.allow(misses, INVITATION_MISSES_PER_CLIENT, 60 * 60)
        return _invitation_closed(request, "unknown", status=404)
    closed = invitation.closed_because()
    if closed:
        return _invitation_closed(request, closed, invitation)
    request.session[INVITATION_SESSION_KEY] = token
    return redirect("set_invited_password")


@login_not_required
@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def set_invited_password(request):
    """The invited person chooses their password, is signed in and lands on their home page; the
    invitation's link then stops working."""
    token = request.session.get(INVITATION_SESSION_KEY)
    invitation = Invitation.objects.for_token(token) if token else None
    if invitation is None:
        return _invitation_closed(request, "reopen", status=404)
    with transaction.atomic():
        if request.method == "POST":
            # Why the lock: the same link posted twice at once sets one password, not two.
            invitation = Invitation.objects.select_for_update().select_related("user").get(pk=invitation.pk)
        now = timezone.now()
        closed = invitation.closed_because(now)
        if closed:
            return _invitation_closed(request, closed, invitation)
        form = SetPasswordForm(invitation.user, request.POST or None)
        if request.method == "POST" and form.is_valid():
            user = form.save()
            invitation.accept(now)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session.pop(INVITATION_SESSION_KEY, None)
            # In the language their pages will be in from now on (UserLanguageMiddleware).
            with translation.override(user.language or translation.get_language()):
                messages.success(request, _("Welcome: your password is set and you are signed in."))
            return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "registration/invitation.html", {"form": form, "invitation": invitation})


def _invitation_closed(request, reason, invitation=None, status=410):
    """The page for a link that does not work, and why (Invitation.closed_because, or "unknown",
    "reopen", "too_many")."""
    context = {"closed": reason, "invitation": invitation}
    return render(request, "registration/invitation.html", context, status=status)
