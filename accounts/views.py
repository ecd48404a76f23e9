from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import PasswordChangeForm, PasswordResetForm, PreferencesForm


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
