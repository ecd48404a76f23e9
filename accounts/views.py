from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.forms import PreferencesForm


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your preferences are saved.")
        return redirect("preferences")
    return render(request, "accounts/preferences.html", {"form": form})
