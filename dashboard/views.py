from operator import itemgetter

from django.conf import settings
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.decorators import office_required
from champions.models import Champion
from commitments.models import (
    DUE_SOON_DAYS,
    ROLLUP_FIELDS,
    Category,
    Commitment,
    CommitmentMonth,
    Cycle,
    Status,
    women_share,
)
from dashboard.cache import cached_page
from dashboard.forms import DashboardFilterForm
from dashboard.reporting import for_dashboard, summarize
from events.exports import EXPORT_CHUNK_ROWS, choice_labels, stream_csv, xlsx_response
from events.models import ProgressEvent
from reports.models import Assessment

from reminders.models import Escalation
TABLE_ROWS = 10
CHAMPIONS_PER_PAGE = 25
EVENTS_PER_PAGE = 25
AUDIT_ROWS = 50
DIFFERENCES_PER_PAGE = 50
AUDIT_ACTIONS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


def _filtered(request):
    """The filter form, the valid filters (cycle defaults to the current one) and their commitments."""
    form = DashboardFilterForm(request.GET)
    filters = form.filters()
    if "cycle" not in filters:
        current = Cycle.objects.current()
        if current:
            filters["cycle"] = current
    commitments = form.apply(for_dashboard(), filters)
    return form, filters, commitments


@transaction.non_atomic_requests  # Why: it only reads, and a snapshot older than the version read would be cached
@office_required
def dashboard(request):
    """The office's dashboard: rendered once per request and data version, then from the cache."""
    return render(request, "dashboard/dashboard.html", cached_page(request, _dashboard_page))


def _dashboard_page(request):
    """The dashboard's title year and content, rendered: what the cache keeps."""
    form, filters, commitments = _filtered(request)
    form.load_choices()
    today = timezone.localdate()
    cycle = filters.get("cycle")
    listed = commitments.select_related("champion", "champion__organization", "cycle")
    ranking = _ranking_page(commitments.champion_ranking(), request.GET.get("page"))
    cells = _status_cells(commitments, [row["champion"] for row in ranking])
    for row in ranking:
        row["cells"] = cells.get(row["champion"].pk, [])
    cube = list(commitments.breakdown_cube(today))
    breakdowns, status_by_hub = _breakdowns(cube, form)
    if set(filters) == {"cycle"}:
        # A whole cycle: its months are read by cycle, without joining its commitments.
        monthly = list(CommitmentMonth.objects.filter(cycle=cycle).totals())
    else:
        monthly = list(commitments.per_month())
    context = {
        "form": form,
        "filters": filters,
        "query": form.query_string(filters),
        "cycle": cycle,
        "today": today,
        "figures": summarize(cube, champions=ranking.paginator.count),
        "overdue": listed.overdue(today).order_by("due_on", "champion__full_name")[:TABLE_ROWS],
        "due_soon": listed.due_within(today=today).order_by("due_on", "champion__full_name")[:TABLE_ROWS],
        "stale": listed.stale(today).order_by("last_event_on", "due_on")[:TABLE_ROWS],
        "ranking": ranking,
        "by_hub": breakdowns["hub"],
        "by_organization": breakdowns["organization"],
        "by_category": breakdowns["category"],
        "monthly": monthly,
        "status_by_hub": status_by_hub,
        "statuses": Status.choices,
        "chart_data": _chart_data(monthly, status_by_hub),
        "stale_days": settings.STALE_AFTER_DAYS,
        "due_soon_days": DUE_SOON_DAYS,
    }
    return {
        "year": cycle.year if cycle else None,
        # Without the request: nothing of the member who asked may end up in the shared copy.
        "content": render_to_string("dashboard/_dashboard.html", context),
    }


class _FetchedRows:
    """The rows of one page, fetched already, standing for the whole list in a Paginator."""

    def __init__(self, queryset, start, rows, total):
        self.queryset, self.start, self.rows, self.total = queryset, start, rows, total

    def __len__(self):
        return self.total

    def __getitem__(self, window):
        if window.start == self.start:
            return self.rows
        return list(self.queryset[window])  # another page (past the end: the last one)


def _ranking_page(ranking, number):
    """A page of the champion ranking: its rows and the count of champions in one query.

    Each row carries the number of rows in all (see champion_ranking), so the Paginator needs no
    COUNT of its own; only a page past the end costs a second query.
    """
    try:
        # Why the bound: an OFFSET beyond the database's integers is an error, not an empty page.
        number = min(max(int(number), 1), 10**6)
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * CHAMPIONS_PER_PAGE
    rows = list(ranking[start : start + CHAMPIONS_PER_PAGE])
    total = rows[0]["champions"] if rows else ranking.count()
    page = Paginator(_FetchedRows(ranking, start, rows, total), CHAMPIONS_PER_PAGE).get_page(number)
    champions = Champion.objects.select_related("hub").in_bulk([row["champion"] for row in page])
    for row in page:
        row["champion"] = champions[row["champion"]]
        row["percent"] = _whole(row["average_progress"])
    return page


def _whole(percent):
    """A percentage rounded half up to a whole number, as the tables show it."""
    return int(percent + 0.5)


def _status_cells(commitments, champions):
    """Each champion's commitments (of these) in number order, as the ranking's row of cells."""
    cells = {}
    for number, status, title, champion_id in (
        commitments.filter(champion__in=champions)
        .order_by("number")
        .values_list("number", "status", "title", "champion")
    ):
        cells.setdefault(champion_id, []).append((number, status, title))
    return cells


def _breakdowns(cube, form):
    """Fold the cube (see DashboardQuerySet.breakdown_cube) into the rows of each breakdown table,
    sorted by name, and the status mix by hub for its chart."""
    categories = choice_labels(Category.choices)
    names = {
        "hub": lambda pk: form.hubs[pk].name,
        "organization": lambda pk: form.organizations[pk].acronym,
        "category": lambda value: categories.get(value, value),
    }
    tables = {field: {} for field in names}
    mix, statuses = {}, Status.values
    for row in cube:
        for field in names:
            total = tables[field].get(row[field])
            if total is None:
                total = tables[field][row[field]] = {"commitments": 0, "progress": 0, "overdue": 0}
            total["commitments"] += row["commitments"]
            total["progress"] += row["progress_total"]
            total["overdue"] += row["overdue"]
        counts = mix.get(row["hub"])
        if counts is None:
            counts = mix[row["hub"]] = dict.fromkeys(statuses, 0)
        counts[row["status"]] += row["commitments"]
    breakdowns = {}
    for field, rows in tables.items():
        for key, total in rows.items():
            total["name"] = names[field](key)
            total["average_progress"] = total.pop("progress") / total["commitments"]
            total["percent"] = _whole(total["average_progress"])
        breakdowns[field] = sorted(rows.values(), key=itemgetter("name"))
    status_by_hub = {names["hub"](hub): [counts[s] for s in statuses] for hub, counts in mix.items()}
    return breakdowns, dict(sorted(status_by_hub.items()))


def _chart_data(monthly, status_by_hub):
    for row in monthly:
        row["label"] = date_format(row["month"], "M Y")
    return {
        "months": [row["label"] for row in monthly],
        "events": [row["events"] for row in monthly],
        "women_share": [women_share(row["panel_women"], row["panel_men"]) for row in monthly],
        "hubs": list(status_by_hub),
        "statuses": [str(label) for _value, label in Status.choices],
        "status_by_hub": list(status_by_hub.values()),
        "labels": {"events": gettext("Events"), "women_share": gettext("Women's share (%)")},
    }


@office_required
def champion_detail(request, pk):
    champion = get_object_or_404(Champion.objects.select_related("organization", "hub", "user"), pk=pk)
    cycles = list(Cycle.objects.filter(commitments__champion=champion).distinct().order_by("-year"))
    cycle = Cycle.objects.chosen(request.GET.get("cycle", ""), among=cycles)
    commitments = list(
        champion.commitments.approved().filter(cycle=cycle).select_related("cycle").order_by("number")
    )
    events = (
        ProgressEvent.objects.filter(commitment__in=commitments)
        .select_related("commitment", "logged_by")
        .order_by("-occurred_on", "-created_at")
    )
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
        },
    differing = set(Assessment.objects.differing().filter(commitment__in=commitments).values_list("commitment", flat=True))
    escalated = dict(
        Escalation.objects.active().filter(commitment__in=commitments).values_list("commitment", "escalated_on")
    )
    for commitment in commitments:
        commitment.differs = commitment.pk in differing
        commitment.escalated_on = escalated.get(commitment.pk)
    )


@office_required
def differences(request):
    """Commitments flagged "assessment differs" (the office's rating two steps or more from the
    champion's, not yet resolved), for the dashboard's filters."""
    form, filters, commitments = _filtered(request)
    form.load_choices()
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
    """One commitment for the office: progress, events, status history and the audit trail."""
    commitment = get_object_or_404(
        Commitment.objects.select_related("champion__organization", "champion__hub", "cycle"), pk=pk
    )
    events = commitment.events.select_related("logged_by").order_by("-occurred_on", "-created_at")
    records = [
        *commitment.history.select_related("history_user").order_by("-history_date")[:AUDIT_ROWS],
        *ProgressEvent.history.filter(commitment_id=commitment.pk)
        .select_related("history_user")
        .order_by("-history_date")[:AUDIT_ROWS],
    ]
    return render(
        request,
        "dashboard/commitment_detail.html",
        {
            "commitment": commitment,
            "page": Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page")),
            "status_changes": commitment.status_changes.select_related("changed_by")[:20],
            "audit": _audit_trail(records)[:AUDIT_ROWS],
            "today": timezone.localdate(),
        },
    )


def _audit_trail(records):
    """Historical records, newest first, each with the fields it changed from the one before it.

    The diff is taken in memory against the previous record of the same object, when it is in
    the window (asking each record for its predecessor would cost a query per row).
    """
            "approval_changes": commitment.approval_changes.select_related("changed_by")[:20],
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
                "title": record.title,
                "fields": fields,
            }
        )
    return trail[::-1]


@office_required
def export_csv(request):
    """The filtered commitments as CSV, streamed row by row."""
    return stream_csv("commitments.csv", *_export(request))


@office_required
def export_xlsx(request):
    """The filtered commitments as XLSX: the CSV's filters and columns, with no separator to get wrong."""
    return xlsx_response("commitments.xlsx", *_export(request))


EXPORT_HEADER = [
    "champion",
    "organization",
    "hub",
    "cycle",
    "number",
    "title",
    "category",
    "target",
    "progress %",
    "status",
    "due date",
    "overdue",
    "last event date",
    "event count",
]


def _export(request):
    """The export's header and rows (a generator) for the dashboard's filters in the query string."""
    form, filters, commitments = _filtered(request)
    today = timezone.localdate()
    rows = (
        commitments.select_related("champion__organization", "champion__hub", "cycle")
        # Why only(): building each row's five model instances is most of an export's time, and
        # it grows with the fields loaded. These are the columns below and what they are made of.
        .only(
            "number",
            "title",
            "category",
            "target_kind",
            "target_value",
            "counts_kind",
            "unit",
            "status",
            "due_on",
            *ROLLUP_FIELDS,
            "cycle__year",
            "champion__full_name",
            "champion__organization__acronym",
            "champion__hub__name",
        )
        .order_by("champion__full_name", "number")
        .iterator(chunk_size=EXPORT_CHUNK_ROWS)
    )
    categories, statuses = choice_labels(Category.choices), choice_labels(Status.choices)
    return EXPORT_HEADER, (
        [
            c.champion.full_name,
            c.champion.organization.acronym,
            c.champion.hub.name,
            c.cycle.year,
            c.number,
            c.title,
            categories.get(c.category, c.category),
            c.target_label,
            c.progress_percent,
            statuses.get(c.status, c.status),
            c.due_on.isoformat(),
            "yes" if c.is_overdue(today) else "no",
            c.last_event_on.isoformat() if c.last_event_on else "",
            c.events_in_cycle,
        ]
        for c in rows
    )
