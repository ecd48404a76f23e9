from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, login_required
from django.shortcuts import redirect, render
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
    return render(request, "accounts/preferences.html", {"form": form})


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
