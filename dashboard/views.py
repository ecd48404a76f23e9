"""The office's dashboard: filters, headline figures, tables, breakdowns, ranking and trends, computed once
per data version and then served from the cache (dashboard/cache.py)."""

from operator import itemgetter

from django.conf import settings
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from accounts.decorators import office_required
from commitments.models import CycleMonth, Status, average_percent, women_share
from dashboard.cache import cached_page
from dashboard.forms import filtered
from dashboard.reporting import by_kind, summarize
from events.models import with_parity_shares
from reminders.models import Escalation

TABLE_ROWS = 10
# The dashboard's tables: which commitments (the CommitmentQuerySet method, the one definition of
# each) and in which order, TABLE_ROWS of them.
TABLES = {
    "overdue": ("overdue", ["due_on", "champion__full_name"]),
    "due_soon": ("due_within", ["due_on", "champion__full_name"]),
    "stale": ("stale", ["last_event_on", "due_on"]),
}
# What a row of those tables shows (dashboard/_commitment_row.html).
TABLE_FIELDS = [
    "champion__full_name",
    "champion__organization__acronym",
    "champion__organization__name",
    "cycle__is_closed",
    "number",
    "title",
    "status",
    "due_on",
    "last_event_on",
]
CHAMPIONS_PER_PAGE = 25


@transaction.non_atomic_requests  # Why: it only reads, and a snapshot older than the version read would be cached
@office_required
def dashboard(request):
    """The office's dashboard: rendered once per request and data version, then from the cache.

    X-Dashboard-Cache says which ("hit": from the cache, "miss": computed), for the load test and
    anyone measuring how often the office's views are computed.
    """
    page, hit = cached_page(request, _dashboard_page)
    response = render(request, "dashboard/dashboard.html", page)
    response["X-Dashboard-Cache"] = "hit" if hit else "miss"
    return response


def _dashboard_page(request):
    """The dashboard's title year and content, rendered: what the cache keeps."""
    form, filters, commitments = filtered(request)
    form.read_choices()
    today = timezone.localdate()
    cycle = filters.get("cycle")
    hubs = {hub.pk: hub.name for hub in form.hubs}
    ranking = _ranking_page(commitments, request.GET.get("page"), hubs)
    per_hub, per_organization, per_category = by_kind(commitments.breakdown_cube(today))
    breakdowns, status_by_hub = _breakdowns(per_hub, per_organization, per_category, form)
    if set(filters) == {"cycle"}:
        # A whole cycle: its months' totals, a dozen rows kept by the roll-ups (CycleMonth).
        monthly = list(CycleMonth.objects.filter(cycle=cycle).trend())
    else:
        monthly = list(commitments.per_month())
    # Escalated: overdue with no progress since the first notice (reminders/planning.py), the longest first.
    escalations = Escalation.objects.active().filter(commitment__in=commitments.order_by().values("pk"))
    escalated = escalations.listed(today, limit=TABLE_ROWS)
    context = {
        "form": form,
        "filters": filters,
        "query": form.query_string(filters),
        "escalated": escalated,
        "escalated_count": escalations.count() if len(escalated) == TABLE_ROWS else len(escalated),
        "cycle": cycle,
        "today": today,
        "figures": summarize(per_hub, champions=ranking.paginator.count),
        "pledges": commitments.pledge_figures(cycle) if cycle else [],
        **{table: _table(commitments, table, today) for table in TABLES},
        "ranking": ranking,
        "by_hub": breakdowns["hub"],
        "by_organization": breakdowns["organization"],
        "by_category": breakdowns["category"],
        "monthly": monthly,
        "status_by_hub": status_by_hub,
        "statuses": Status.choices,
        "chart_data": _chart_data(monthly, status_by_hub),
        "stale_days": settings.STALE_AFTER_DAYS,
        "due_soon_days": settings.DUE_SOON_DAYS,
    }
    return {
        "year": cycle.year if cycle else None,
        # Without the request: nothing of the member who asked may end up in the shared copy.
        "content": render_to_string("dashboard/_dashboard.html", context),
    }


def _table(commitments, table, today):
    """The first TABLE_ROWS of one of the dashboard's TABLES, with their champions and organizations.

    Why only(): a row shows these fields, and a commitment's other columns (its description) cost
    more to fetch.
    """
    which, ordering = TABLES[table]
    selected = getattr(commitments, which)(today=today)
    return list(
        selected.select_related("champion__organization", "cycle")
        .only(*TABLE_FIELDS)
        .order_by(*ordering)[:TABLE_ROWS]
    )


class _RankingRows:
    """The rows of one page of the ranking of `commitments`, read already, standing for the whole
    ranking (`total` rows) in a Paginator."""

    def __init__(self, commitments, start, rows, total):
        self.commitments, self.start, self.rows, self.total = commitments, start, rows, total

    def __len__(self):
        return self.total

    def __getitem__(self, window):
        if window.start == self.start:
            return self.rows
        # Another page (past the end: the last one).
        return self.commitments.champion_ranking(window.start, window.stop)


def _ranking_page(commitments, number, hubs):
    """A page of the champion ranking of `commitments`: its rows and the count of champions in one
    query, each row with its hub's name (from `hubs`), its average progress as a whole percentage
    and its commitments (`status_cells`).

    Each row carries the number of rows in all (see champion_ranking), so the Paginator needs no
    COUNT of its own; only a page past the end costs a second query.
    """
    try:
        # Why the bound: an OFFSET beyond the database's integers is an error, not an empty page.
        number = min(max(int(number), 1), 10**6)
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * CHAMPIONS_PER_PAGE
    rows = commitments.champion_ranking(start, start + CHAMPIONS_PER_PAGE)
    total = rows[0]["champions"] if rows else commitments.champion_count()
    page = Paginator(_RankingRows(commitments, start, rows, total), CHAMPIONS_PER_PAGE).get_page(number)
    cells = {}
    listed = (
        commitments.filter(champion__in=[row["champion"] for row in page])
        .only("champion", "number", "status", "title")
        .order_by("number")
    )
    for commitment in listed:
        cells.setdefault(commitment.champion_id, []).append(commitment)
    for row in page:
        row["hub_name"] = hubs.get(row["hub"], "")
        row["percent"] = average_percent(row["progress_total"], row["commitments"])
        row["status_cells"] = cells.get(row["champion"], [])
    return page


def _breakdowns(per_hub, per_organization, per_category, form):
    """Fold the cube's parts (see DashboardQuerySet.breakdown_cube and by_kind) into the rows of each
    breakdown table, and the status mix by hub for its chart, each sorted by name (commitments of no
    hub or no category in a row of their own, last). Rows are named from the filter form's choices."""
    hubs = {hub.pk: hub.name for hub in form.hubs}
    organizations = {organization.pk: organization.short_name for organization in form.organizations}
    categories = {category.pk: category.label for category in form.categories}
    breakdowns = {
        "hub": _breakdown(per_hub, "hub", hubs, gettext("No hub")),
        "category": _breakdown(per_category, "category", categories, gettext("No category")),
        "organization": _breakdown(per_organization, "organization", organizations, ""),
    }
    mix = {}
    for row in per_hub:
        counts = mix.setdefault(hubs.get(row["hub"], gettext("No hub")), dict.fromkeys(Status.values, 0))
        counts[row["status"]] += row["commitments"]
    status_by_hub = {hub: list(counts.values()) for hub, counts in sorted(mix.items())}
    return breakdowns, status_by_hub


def _breakdown(cube, field, names, none):
    """The rows of a breakdown table: the cube's rows added up per value of `field`, each with its
    name (`names` of the value; `none` for no value), commitments, average progress and overdue,
    sorted by name, the row of no value last."""
    totals = {}
    for row in cube:
        total = totals.setdefault(row[field], {"commitments": 0, "progress_total": 0, "overdue": 0})
        for count in total:
            total[count] += row[count]
    rows = [
        {
            "name": none if value is None else names.get(value, value),
            "is_none": value is None,
            "commitments": total["commitments"],
            "percent": average_percent(total["progress_total"], total["commitments"]),
            "overdue": total["overdue"],
        }
        for value, total in totals.items()
    ]
    return sorted(rows, key=itemgetter("is_none", "name"))


def _chart_data(monthly, status_by_hub):
    """The charts' numbers; each month's row gets its `label` and its panels' women's shares: of
    all, organiser-confirmed and self-reported (the months' roll-ups of that split)."""
    for row in monthly:
        row["label"] = date_format(row["month"], "YEAR_MONTH_FORMAT")
        with_parity_shares(row)
    return {
        "months": [row["label"] for row in monthly],
        "events": [row["events"] for row in monthly],
        "women_share": [women_share(row["panel_women"], row["panel_men"]) for row in monthly],
        "confirmed_share": [row["confirmed_share"] for row in monthly],
        "self_reported_share": [row["self_reported_share"] for row in monthly],
        "hubs": list(status_by_hub),
        "statuses": [str(label) for _value, label in Status.choices],
        "status_by_hub": list(status_by_hub.values()),
        "labels": {
            "events": gettext("Events"),
            "women_share": gettext("Women's share (%)"),
            "confirmed_share": gettext("Women's share, confirmed (%)"),
            "self_reported_share": gettext("Women's share, self-reported (%)"),
        },
    }
