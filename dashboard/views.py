"""The office's dashboard: filters, headline figures, tables, breakdowns, ranking and trends, computed once
per data version and then served from the cache (dashboard/cache.py)."""

from operator import itemgetter

from django.conf import settings
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from accounts.decorators import office_required
from commitments.models import (
    Category,
    Commitment,
    CycleMonth,
    Status,
    average_percent,
    women_share,
)
from config.links import link_to
from dashboard.cache import cached_page
from dashboard.forms import filtered
from dashboard.reporting import (
    breakdown_cube_of,
    by_kind,
    champion_ranking_of,
    compiled,
    fetch,
    for_dashboard,
    summarize,
)
from events.exports import choice_labels
from reminders.models import Escalation

TABLE_ROWS = 10
# The dashboard's tables: which commitments (the CommitmentQuerySet method, the one definition of
# each) and in which order, TABLE_ROWS of them.
TABLES = {
    "overdue": ("overdue", ["due_on", "champion__full_name"]),
    "due_soon": ("due_within", ["due_on", "champion__full_name"]),
    "stale": ("stale", ["last_event_on", "due_on"]),
}
# What a row of those tables shows of the commitment; its champion's name and organization come
# annotated (see _table_query).
TABLE_FIELDS = ["champion", "number", "title", "status", "due_on", "last_event_on"]
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
    form.load_choices()
    today = timezone.localdate()
    cycle = filters.get("cycle")
    # The queries below are compiled once per process for the same filters, day and page (compiled).
    lookups = form.lookups(filters)
    champion_link = link_to("dashboard_champion", f"?cycle={cycle.year}" if cycle else "")
    commitment_link = link_to("dashboard_commitment")
    ranking = _ranking_page(commitments, lookups, request.GET.get("page"), form.hubs)
    cells = _status_cells(lookups, tuple(row["champion"] for row in ranking))
    for row in ranking:
        row["cells"] = cells.get(row["champion"], [])
        row["link"] = champion_link(row["champion"])
    per_category, per_organization = by_kind(fetch(*compiled(breakdown_cube_of, lookups, today)))
    breakdowns, status_by_hub = _breakdowns(per_category, per_organization, form)
    if set(filters) == {"cycle"}:
        # A whole cycle: its months' totals, a dozen rows kept by the roll-ups (CycleMonth).
        monthly = list(CycleMonth.objects.filter(cycle=cycle).trend())
    else:
        monthly = list(commitments.per_month())
    # Escalated: overdue with no progress since the first notice (reminders/planning.py), the longest first.
    escalated = _escalated_rows(lookups, today, champion_link, commitment_link)
    escalations = _escalations(lookups)
    context = {
        "form": form,
        "filters": filters,
        "query": form.query_string(filters),
        "escalated": escalated,
        "escalated_count": escalations.count() if len(escalated) == TABLE_ROWS else len(escalated),
        "cycle": cycle,
        "today": today,
        "figures": summarize(per_category, champions=ranking.paginator.count),
        **{table: _table_rows(lookups, today, table, champion_link, commitment_link) for table in TABLES},
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


def _table_query(lookups, today, table):
    """The commitments of one of the dashboard's TABLES, of those the filters (`lookups`) select.

    Why only() and the names annotated: a row shows these (its cycle is the page's), and every
    column, or a champion and an organization object for each row, costs more to fetch and to build.
    """
    which, ordering = TABLES[table]
    commitments = (
        for_dashboard()
        .filter(**dict(lookups))
        .only(*TABLE_FIELDS)
        .annotate(
            champion_name=F("champion__full_name"),
            organization_acronym=F("champion__organization__acronym"),
        )
    )
    return getattr(commitments, which)(today=today).order_by(*ordering)[:TABLE_ROWS]


def _table_rows(lookups, today, table, champion_link, commitment_link):
    """The rows of one of the dashboard's TABLES, each with the links to its page and its champion's."""
    rows = list(Commitment.objects.raw(*compiled(_table_query, lookups, today, table)))
    for commitment in rows:
        commitment.link = commitment_link(commitment.pk)
        commitment.champion_link = champion_link(commitment.champion_id)
    return rows


def _escalations(lookups):
    """The active escalations of the commitments the filters select (`lookups`)."""
    commitments = for_dashboard().filter(**dict(lookups)).values("pk")
    return Escalation.objects.active().filter(commitment__in=commitments)


def _escalated_query(lookups):
    """The first TABLE_ROWS of _escalations(lookups), the longest escalated first, with what a row
    of the escalated table shows."""
    return (
        _escalations(lookups)
        .longest_first()
        .values(
            "escalated_on",
            escalated_commitment=F("commitment_id"),
            champion=F("commitment__champion_id"),
            champion_name=F("commitment__champion__full_name"),
            number=F("commitment__number"),
            title=F("commitment__title"),
            status=F("commitment__status"),
            due_on=F("commitment__due_on"),
        )[:TABLE_ROWS]
    )


def _escalated_rows(lookups, today, champion_link, commitment_link):
    """The rows of the escalated table, each with its commitment (for its due date), `days` since it
    was escalated and the links to the commitment's page and its champion's.

    Why its SQL compiled once (see compiled) and read as rows: the ORM builds and compiles the query
    with its joins in about 2 ms, every request, though it rarely finds a row.
    """
    # The dates as Python's (fetch gives them as the database does: text on SQLite).
    to_date = Escalation._meta.get_field("escalated_on").to_python
    rows = fetch(*compiled(_escalated_query, lookups))
    for row in rows:
        row["commitment"] = Commitment(
            pk=row["escalated_commitment"],
            number=row["number"],
            title=row["title"],
            status=row["status"],
            due_on=to_date(row["due_on"]),
        )
        row["days"] = (today - to_date(row["escalated_on"])).days
        row["champion_link"] = champion_link(row["champion"])
        row["link"] = commitment_link(row["escalated_commitment"])
    return rows


class _FetchedRows:
    """The rows of one page of the ranking of `commitments`, fetched already, standing for the whole
    ranking in a Paginator."""

    def __init__(self, commitments, start, rows, total):
        self.commitments, self.start, self.rows, self.total = commitments, start, rows, total

    def __len__(self):
        return self.total

    def __getitem__(self, window):
        if window.start == self.start:
            return self.rows
        # Another page (past the end: the last one).
        return fetch(*self.commitments.champion_ranking(window.start, window.stop))


def _ranking_page(commitments, lookups, number, hubs):
    """A page of the champion ranking of `commitments` (filtered by `lookups`): its rows and the
    count of champions in one query.

    Each row carries the number of rows in all (see champion_ranking), so the Paginator needs no
    COUNT of its own; only a page past the end costs a second query. Hub names come from `hubs`
    (the filter form's, by id).
    """
    try:
        # Why the bound: an OFFSET beyond the database's integers is an error, not an empty page.
        number = min(max(int(number), 1), 10**6)
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * CHAMPIONS_PER_PAGE
    rows = fetch(*compiled(champion_ranking_of, lookups, start, start + CHAMPIONS_PER_PAGE))
    total = rows[0]["champions"] if rows else commitments.champion_count()
    page = Paginator(_FetchedRows(commitments, start, rows, total), CHAMPIONS_PER_PAGE).get_page(number)
    for row in page:
        row["hub_name"] = hubs[row["hub"]].name
        row["percent"] = average_percent(row["progress_total"], row["commitments"])
    return page


def _status_cells(lookups, champions):
    """Each of `champions`' commitments (of those the filters select) in number order, as the
    ranking's row of cells."""
    cells = {}
    if not champions:  # Why: no SQL for "in nothing" (the ORM compiles none)
        return cells
    for row in fetch(*compiled(_status_cells_query, lookups, champions)):
        cells.setdefault(row["champion"], []).append((row["number"], row["status"], row["title"]))
    return cells


def _status_cells_query(lookups, champions):
    return (
        for_dashboard()
        .filter(**dict(lookups), champion__in=champions)
        .order_by("number")
        .values("number", "status", "title", "champion")
    )


def _breakdowns(per_category, per_organization, form):
    """Fold the cube's two kinds of rows (see DashboardQuerySet.breakdown_cube and by_kind) into the
    rows of each breakdown table, sorted by name, and the status mix by hub for its chart."""
    categories = choice_labels(Category.choices)
    names = {
        "hub": lambda pk: form.hubs[pk].name,
        "organization": lambda pk: form.organizations[pk].acronym,
        "category": lambda value: categories.get(value, value),
    }
    tables = {field: {} for field in names}
    mix, statuses = {}, Status.values
    for field, rows in (
        ("hub", per_category),
        ("category", per_category),
        ("organization", per_organization),
    ):
        table = tables[field]
        for row in rows:
            total = table.get(row[field])
            if total is None:
                total = table[row[field]] = {"commitments": 0, "progress": 0, "overdue": 0}
            total["commitments"] += row["commitments"]
            total["progress"] += row["progress_total"]
            total["overdue"] += row["overdue"]
    for row in per_category:
        counts = mix.get(row["hub"])
        if counts is None:
            counts = mix[row["hub"]] = dict.fromkeys(statuses, 0)
        counts[row["status"]] += row["commitments"]
    breakdowns = {}
    for field, rows in tables.items():
        for key, total in rows.items():
            total["name"] = names[field](key)
            total["percent"] = average_percent(total.pop("progress"), total["commitments"])
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
