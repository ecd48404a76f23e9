"""Who is late: the champions who have not submitted their commitments for a cycle, and at year end
those who have not signed off their report, listed by name on the review page, with one action that
reminds them now (once a day at most each)."""

from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.decorators import office_required
from accounts.models import DeliveryState
from commitments.models import Cycle
from dashboard.forms import RemindForm
from reminders import delivery
from reminders.models import Reminder, ReminderKind
from reminders.tasks import queue_deliveries
from reports.models import champions_yet_to_report, report_window_open

# Champions listed by name in each list (the count says how many in all).
LISTED = 200


def _listed(champions, cycle, kind, today):
    """The first LISTED of `champions` by hub and name, each with `reminded_today`."""
    reminded = Reminder.objects.filter(champion=OuterRef("pk"), cycle=cycle, kind=kind, due_on=today)
    return list(
        champions.select_related("hub", "organization")
        .annotate(reminded_today=Exists(reminded))
        .order_by("hub__name", "full_name")[:LISTED]
    )


def late_context(cycle, today):
    """The review page's lists of who is late, and whether the office may remind them now."""
    context = {
        "late": today > cycle.commitments_due_on,
        "can_remind_commitments": cycle.is_open_for_commitments(today),
        "report_window_open": report_window_open(cycle, today),
    }
    if not cycle.is_closed:  # a past year kept as history: nothing in it is missing
        yet_to_submit = cycle.champions_yet_to_submit()
        context.update(
            yet_to_submit=_listed(yet_to_submit, cycle, ReminderKind.COMMITMENTS_DUE, today),
            yet_to_submit_count=yet_to_submit.count(),
        )
    if context["report_window_open"]:
        yet_to_report = champions_yet_to_report(cycle)
        context.update(
            yet_to_report=_listed(yet_to_report, cycle, ReminderKind.REPORT_DUE, today),
            yet_to_report_count=yet_to_report.count(),
        )
    return context


@office_required
@require_POST
def remind(request, year):
    """Remind one late champion, or every one listed, now: each at most once a day (remind_now)."""
    cycle = get_object_or_404(Cycle, year=year)
    today = timezone.localdate()
    form = RemindForm(request.POST, cycle=cycle, today=today)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    else:
        made, already = delivery.remind_now(form.cleaned_data["champions"], cycle, form.kind, today)
        queue_deliveries(delivery.group_now(made, today, at_once=True))
        nobody = Reminder.objects.filter(pk__in=made, state=DeliveryState.FAILED).count()
        sent = len(made) - nobody
        said = [
            ngettext(
                "Reminder sent to %(count)s champion and their focal points.",
                "Reminders sent to %(count)s champions and their focal points.",
                sent,
            )
            % {"count": sent}
        ]
        if already:
            said.append(
                ngettext(
                    "%(count)s skipped: already reminded today.",
                    "%(count)s skipped: already reminded today.",
                    already,
                )
                % {"count": already}
            )
        if nobody:
            said.append(
                ngettext(
                    "%(count)s not reminded: nobody on their side receives reminder emails.",
                    "%(count)s not reminded: nobody on their side receives reminder emails.",
                    nobody,
                )
                % {"count": nobody}
            )
        (messages.success if sent else messages.warning)(request, " ".join(said))
    return redirect(reverse("dashboard_review") + f"?cycle={cycle.year}#late-title")
