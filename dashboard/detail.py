"""The office's pages behind the dashboard: a champion, a commitment (with its audit trail), and the
commitments whose assessments differ."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.decorators import office_required
from champions.models import Champion
from commitments.forms import CommentForm
from commitments.models import (
    Commitment,
    Cycle,
    Handover,
    StatusDisagreement,
    TargetKind,
    compare_with_last_year,
)
from dashboard import audit
from dashboard.forms import filtered
from events.exports import stream_csv
from events.models import CheckIn, ProgressEvent
from reminders.models import Escalation
from reports.models import Assessment

EVENTS_PER_PAGE = 25
AUDIT_ROWS = 50
DIFFERENCES_PER_PAGE = 50


@office_required
def champion_detail(request, pk):
    champion = get_object_or_404(Champion.objects.select_related("organization", "hub", "user"), pk=pk)
    # The champion's cycles, and the one asked for (from the dashboard's filters) even when the
    # champion made no commitment in it: the page is of the year the office was looking at.
    year = request.GET.get("cycle", "")
    chosen = Q(year=int(year)) if year.isdigit() and len(year) <= 4 else Q(pk__in=[])
    cycles = list(
        Cycle.objects.filter(Q(commitments__champion=champion) | chosen).distinct().order_by("-year")
    )
    cycle = Cycle.objects.chosen(year, among=cycles)
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
        .with_organiser_answers()
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
    reported = {}
    indicators = [commitment for commitment in commitments if commitment.target_kind == TargetKind.INDICATOR]
    if indicators:
        for check_in in CheckIn.objects.filter(commitment__in=indicators).select_related("logged_by"):
            reported.setdefault(check_in.commitment_id, []).append(check_in)
    for commitment in commitments:
        commitment.differs = commitment.pk in differing
        commitment.escalated_on = escalated.get(commitment.pk)
        commitment.reported = reported.get(commitment.pk, [])
    return render(
        request,
        "dashboard/champion_detail.html",
        {
            "champion": champion,
            "cycle": cycle,
            "cycles": cycles,
            "query": f"cycle={cycle.year}" if cycle else "",
            "commitments": commitments,
            "indicators": indicators,
            "signatures": Commitment.objects.pledge_signatures([champion.pk], cycle) if cycle else [],
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
def status_checks(request):
    """Commitments whose self-set status disagrees with their measured progress (the commitments
    app's rule, CommitmentQuerySet.status_disagreeing), for the dashboard's filters: each with both,
    and how they disagree."""
    form, filters, commitments = filtered(request)
    form.read_choices()
    today = timezone.localdate()
    flagged = (
        commitments.status_disagreeing(today)
        .with_status_check(today)
        .select_related("champion__organization", "champion__hub", "cycle")
        .order_by("champion__full_name", "number")
    )
    page = Paginator(flagged, DIFFERENCES_PER_PAGE).get_page(request.GET.get("page"))
    for commitment in page:
        commitment.disagreement = StatusDisagreement(commitment.status_disagreement).label
    return render(
        request,
        "dashboard/status_checks.html",
        {
            "form": form,
            "filters": filters,
            "query": form.query_string(filters),
            "cycle": filters.get("cycle"),
            "today": today,
            "page": page,
        },
    )


@office_required
def commitment_detail(request, pk):
    """One commitment for the office: its text, progress, events (and an indicator's reported values),
    status history and the audit trail; for a returning champion, last year's commitment in the same
    category beside it, and whether the ambition rose (commitments.models.ambition)."""
    commitment = get_object_or_404(
        Commitment.objects.select_related(
            "champion__organization", "champion__hub", "cycle", "taken_over_from"
        ),
        pk=pk,
    )
    events = (
        commitment.events.select_related("logged_by")
        .with_organiser_answers()
        .order_by("-occurred_on", "-created_at")
    )
    is_indicator = commitment.target_kind == TargetKind.INDICATOR
    return render(
        request,
        "dashboard/commitment_detail.html",
        {
            "commitment": commitment,
            "check_ins": commitment.check_ins.select_related("logged_by") if is_indicator else [],
            "page": Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page")),
            "status_changes": commitment.status_changes.select_related("changed_by")[:20],
            "approval_changes": commitment.approval_changes.select_related("changed_by")[:20],
            "audit": audit.audit_trail(commitment, limit=AUDIT_ROWS)[:AUDIT_ROWS],
            "comments": commitment.comments.thread(),
            "comment_form": CommentForm(),
            "today": timezone.localdate(),
            "parity": commitment.events.panel_parity()
            if commitment.target_kind == TargetKind.PERCENTAGE
            else None,
            "last_year": compare_with_last_year([commitment], commitment.cycle).get(commitment.pk),
        },
    )


@office_required
def commitment_history_csv(request, pk):
    """The commitment's whole audit trail as CSV: a row per changed field, its values before and after."""
    commitment = get_object_or_404(Commitment.objects.select_related("cycle"), pk=pk)
    header = [
        _("when"),
        _("who"),
        _("email"),
        _("what"),
        _("change"),
        _("title"),
        _("field"),
        _("before"),
        _("after"),
    ]
    name = f"commitment-{commitment.cycle.year}-{commitment.pk}-history.csv"
    return stream_csv(name, [str(column) for column in header], audit.csv_rows(audit.audit_trail(commitment)))
