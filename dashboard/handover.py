"""The office hands a leaving champion's open commitments over to a successor, and may reverse it
within the cycle (commitments/models/handover.py does the moving)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.decorators import office_required
from accounts.models import DeliveryState
from champions.models import Champion
from commitments.models import Cycle, Handover
from dashboard.forms import HandoverForm
from reminders.models import Reminder


def hand_over(champion, successor, effective_on, cycle, user):
    """The whole handover, all or nothing: the move (Handover.objects.hand_over), and the leaving
    champion's pending reminders dropped, those about the moved commitments and, when they leave by
    the report's due date, about the report (the successor's come with the next reminder run)."""
    with transaction.atomic():
        handover = Handover.objects.hand_over(champion, successor, effective_on, cycle, user)
        pending = Reminder.objects.filter(state=DeliveryState.PENDING)
        pending.filter(commitment__in=handover.commitments.all()).delete()
        if effective_on <= cycle.report_due_on:
            pending.filter(champion=champion, cycle=cycle, commitment__isnull=True).delete()
    return handover


@office_required
@require_http_methods(["GET", "POST"])
def handover(request, pk):
    """The form, then a confirmation page (with the form's values in hidden fields), then the handover."""
    champion = get_object_or_404(Champion.objects.select_related("organization"), pk=pk)
    cycle = Cycle.objects.current()
    form = HandoverForm(request.POST or None, champion=champion, cycle=cycle)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if "confirm" not in request.POST:
            return render(
                request,
                "dashboard/handover_confirm.html",
                {"champion": champion, "cycle": cycle, "form": form, "moving": form.moving(), **data},
            )
        try:
            hand_over(champion, data["successor"], data["effective_on"], cycle, request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(champion)s handed over to %(successor)s on %(day)s.")
                % {
                    "champion": champion.full_name,
                    "successor": data["successor"].full_name,
                    "day": date_format(data["effective_on"], "j F Y"),
                },
            )
            return redirect("dashboard_champion", pk=champion.pk)
    return render(request, "dashboard/handover.html", {"champion": champion, "cycle": cycle, "form": form})


@office_required
@require_http_methods(["GET", "POST"])
def reverse_handover(request, pk):
    """Reverse a handover: a confirmation page, then the reversal (POST with `confirm`)."""
    handover = get_object_or_404(
        Handover.objects.select_related("from_champion", "to_champion", "cycle"), pk=pk
    )
    if request.method == "POST" and "confirm" in request.POST:
        try:
            handover.reverse(request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The handover is reversed."))
        return redirect("dashboard_champion", pk=handover.from_champion_id)
    return render(request, "dashboard/handover_reverse.html", {"handover": handover})
