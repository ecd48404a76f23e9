"""The office's pages behind the dashboard: a champion, a commitment (with its audit trail), and the
commitments whose assessments differ."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.decorators import office_required
from champions.models import Champion
from commitments.models import Commitment, Cycle, Handover, TargetKind, plain_number
from dashboard.forms import filtered
from events.models import CheckIn, ProgressEvent
from reminders.models import Escalation
from reports.models import Assessment

EVENTS_PER_PAGE = 25
AUDIT_ROWS = 50
DIFFERENCES_PER_PAGE = 50
AUDIT_ACTIONS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


@office_required
def champion_detail(request, pk):
    champion = get_object_or_404(Champion.objects.select_related("organization", "hub", "user"), pk=pk)
    cycles = list(Cycle.objects.filter(commitments__champion=champion).distinct().order_by("-year"))
    cycle = Cycle.objects.chosen(request.GET.get("cycle", ""), among=cycles)
    commitments = list(
        champion.commitments.approved()
        .filter(cycle=cycle)
        .select_related("cycle", "taken_over_from")
        .prefetch_related("categories")
        .order_by("number")
    )
    events = (
        ProgressEvent.objects.filter(commitment__in=commitments)
        .select_related("commitment", "logged_by")
        .order_by("-occurred_on", "-created_at")
    )
    differing = set(
        Assessment.objects.differing().filter(commitment__in=commitments).values_list("commitment", flat=True)
    )
    escalated = dict(
        Escalation.objects.active()
        .filter(commitment__in=commitments)
        .values_list("commitment", "escalated_on")
    )
    for commitment in commitments:
        commitment.differs = commitment.pk in differing
        commitment.escalated_on = escalated.get(commitment.pk)
    return render(
        request,
        "dashboard/champion_detail.html",
        {
            "champion": champion,
            "cycle": cycle,
            "cycles": cycles,
            "query": f"cycle={cycle.year}" if cycle else "",
            "commitments": commitments,
            "focal_points": champion.focal_points.all(),
            "page": Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page")),
            "reminders": champion.reminders.select_related("commitment").order_by("-due_on")[:50],
            "today": timezone.localdate(),
            "handovers": Handover.objects.filter(Q(from_champion=champion) | Q(to_champion=champion))
            .select_related("from_champion", "to_champion", "cycle")
            .order_by("-created_at"),
        },
    )


@office_required
def differences(request):
    """Commitments flagged "assessment differs" (the office's rating two steps or more from the
    champion's, not yet resolved), for the dashboard's filters."""
    form, filters, commitments = filtered(request)
    form.read_choices()
    flagged = (
        Assessment.objects.differing()
        .filter(commitment__in=commitments.order_by().values("pk"))
        .select_related(
            "commitment__champion__organization", "commitment__champion__hub", "commitment__cycle"
        )
        .order_by("commitment__champion__full_name", "commitment__number")
    )
    query = form.query_string(filters)
    return render(
        request,
        "dashboard/differences.html",
        {
            "form": form,
            "filters": filters,
            "query": query,
            "cycle": filters.get("cycle"),
            "page": Paginator(flagged, DIFFERENCES_PER_PAGE).get_page(request.GET.get("page")),
        },
    )


@office_required
def commitment_detail(request, pk):
    """One commitment for the office: its text, progress, events (and an indicator's reported values),
    status history and the audit trail."""
    commitment = get_object_or_404(
        Commitment.objects.select_related(
            "champion__organization", "champion__hub", "cycle", "taken_over_from"
        ),
        pk=pk,
    )
    events = commitment.events.select_related("logged_by").order_by("-occurred_on", "-created_at")
    is_indicator = commitment.target_kind == TargetKind.INDICATOR
    records = [
        *commitment.history.select_related("history_user").order_by("-history_date")[:AUDIT_ROWS],
        *ProgressEvent.history.filter(commitment_id=commitment.pk)
        .select_related("history_user")
        .order_by("-history_date")[:AUDIT_ROWS],
        *(
            CheckIn.history.filter(commitment_id=commitment.pk)
            .select_related("history_user")
            .order_by("-history_date")[:AUDIT_ROWS]
            if is_indicator
            else []
        ),
    ]
    return render(
        request,
        "dashboard/commitment_detail.html",
        {
            "commitment": commitment,
            "check_ins": commitment.check_ins.select_related("logged_by") if is_indicator else [],
            "page": Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page")),
            "status_changes": commitment.status_changes.select_related("changed_by")[:20],
            "approval_changes": commitment.approval_changes.select_related("changed_by")[:20],
            "audit": _audit_trail(records)[:AUDIT_ROWS],
            "today": timezone.localdate(),
        },
    )


def _audit_trail(records):
    """Historical records, newest first, each with the fields it changed from the one before it.

    The diff is taken in memory against the previous record of the same object, when it is in
    the window (asking each record for its predecessor would cost a query per row).
    """
    records = sorted(records, key=lambda record: record.history_date)
    previous, trail = {}, []
    for record in records:
        key = (type(record), record.id)
        before = previous.get(key)
        fields = []
        if record.history_type == "~" and before is not None:
            fields = [
                record.instance_type._meta.get_field(change.field).verbose_name
                for change in record.diff_against(before).changes
            ]
        previous[key] = record
        trail.append(
            {
                "when": record.history_date,
                "who": record.history_user,
                "what": record.instance_type._meta.verbose_name,
                "action": AUDIT_ACTIONS[record.history_type],
                "title": _audit_title(record),
                "fields": fields,
            }
        )
    return trail[::-1]


def _audit_title(record):
    """What a record is about: its title, or, for a check-in, which has none, its value and day."""
    if hasattr(record, "title"):
        return record.title
    return f"{plain_number(record.value)} ({date_format(record.measured_on, 'j M Y')})"
