"""The dashboard's reporting over commitments: the breakdown cube, the headline figures, the ranking.

The rules these figures rest on (progress, overdue, due soon, stale) are the commitments app's, on
CommitmentQuerySet; this module only adds them up the way the office's pages show them, in the
database, so a page costs the same number of queries at any size.
"""

import functools
from operator import itemgetter

from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import Count, F, Sum
from django.db.models.functions import Cast, Coalesce
from django.dispatch import receiver
from django.utils import timezone

from champions.models import Champion
from commitments.models import Commitment, CommitmentQuerySet, Status, share_percent, women_share

# The roll-ups the dashboard sums over commitments (see DashboardQuerySet.breakdown_cube).
CUBE_SUMS = [
    "events_in_cycle",
    "panels_logged",
    "panels_balanced",
    "panels_single_sex",
    "panel_women",
    "panel_men",
]
# The counts breakdown_cube gives each of its rows, which summarize adds up.
CUBE_COUNTS = ["commitments", "progress_total", "overdue", "due_soon", "stale", *CUBE_SUMS]


class DashboardQuerySet(CommitmentQuerySet):
    """Commitments, with the sums the office's pages report."""

    def summary(self, today=None):
        """The headline figures of these commitments (see summarize)."""
        per_category, _per_organization = by_kind(fetch(*self.breakdown_cube(today), using=self.db))
        return summarize(per_category, champions=self.champion_count())

    def champion_count(self):
        """How many champions these commitments belong to."""
        return self.values("champion").distinct().count()

    def breakdown_cube(self, today=None):
        """The SQL and parameters of every figure the dashboard sums, in one scan: per category,
        status and hub, and per organization.

        Each row has `category`, `status`, `hub` (an id) and `organization` (an id), and the counts
        of CUBE_COUNTS. On PostgreSQL the rows come in two kinds (GROUPING SETS): per category, status
        and hub, with `organization` None; and per organization, with the other three None. Where
        GROUPING SETS are missing (SQLite), each row is per category, status, hub and organization at
        once and stands for both kinds: added up, the figures are the same (see by_kind).

        Why two kinds, not every combination of the four: the rows are folded in Python into the
        headline figures (summarize) and every breakdown (by hub, by category, by organization,
        status mix by hub), and every combination is about the categories times statuses times hubs
        times organizations (628 rows for the benchmark's 16 organizations, growing with each), where
        the two kinds are their sum (267). The database's work is the same.
        """
        today = today or timezone.localdate()
        cube = (
            self.with_progress()
            .order_by()
            .values(
                "category", "status", hub=F("champion__hub_id"), organization=F("champion__organization_id")
            )
            .annotate(
                commitments=Count("pk"),
                progress_total=Coalesce(Sum("annotated_progress"), 0),
                overdue=Count("pk", filter=self.overdue_condition(today)),
                due_soon=Count("pk", filter=self.due_within_condition(today=today)),
                stale=Count("pk", filter=self.stale_condition(today)),
                **{name: Coalesce(Sum(name), 0) for name in CUBE_SUMS},
            )
        )
        sql, params = cube.query.sql_with_params()
        if connections[self.db].vendor != "postgresql":
            return sql, params
        # The ORM groups by the four values (by position); the same statement, grouped two ways.
        head, grouped, tail = sql.rpartition(" GROUP BY 1, 2, 3, 4")
        if not grouped or tail:
            raise ValueError(f"Unexpected grouping in the breakdown cube's SQL: {sql}")
        return f"{head} GROUP BY GROUPING SETS ((1, 2, 3), (4))", params

    def champion_ranking(self, start, stop):
        """The SQL and parameters of rows start to stop of the champion ranking: one row per
        champion, the average progress of these commitments, best first (then by name).

        Each row carries the champion's id, `full_name` and `hub` (an id), and `champions`, how many
        rows there are in all (a window over the groups), so that a page of the ranking and the count
        of champions come from one query.

        Why SQL around the ORM's: the commitments are added up per champion first and only the
        champions' rows are joined to their names (a third less work for the database than joining
        every commitment to its champion and grouping by name), which the ORM cannot say.
        """
        per_champion = (
            self.with_progress()
            .order_by()
            .values(ranked_champion=F("champion"))
            .annotate(
                progress_total=Sum("annotated_progress"),
                # Why not Avg: on PostgreSQL AVG of integers adds up in numeric, twice as slow.
                average_progress=Cast(Sum("annotated_progress"), models.FloatField()) / Count("pk"),
                commitments=Count("pk"),
            )
        )
        sql, params = per_champion.query.sql_with_params()
        champion = connections[self.db].ops.quote_name(Champion._meta.db_table)
        return (
            f"SELECT ranked.ranked_champion AS champion, {champion}.full_name AS full_name, "
            f"{champion}.hub_id AS hub, ranked.progress_total AS progress_total, "
            "ranked.average_progress AS average_progress, "
            "ranked.commitments AS commitments, COUNT(*) OVER () AS champions "
            f"FROM ({sql}) AS ranked INNER JOIN {champion} ON {champion}.id = ranked.ranked_champion "
            f"ORDER BY ranked.average_progress DESC, {champion}.full_name ASC LIMIT %s OFFSET %s",
            (*params, stop - start, start),
        )


def for_dashboard():
    """Every approved commitment (the only ones measured), as a DashboardQuerySet to filter and sum."""
    return DashboardQuerySet(Commitment).approved()


def fetch(sql, params, using=DEFAULT_DB_ALIAS):
    """The rows of a query as dicts, read as the database gives them.

    Why: Django passes every value of every row through a converter (int() of each count, for one),
    about a third of the time a computed dashboard spends on its few hundred rows of sums. Only for
    rows of counts, sums, ids and text, which the database gives as Python needs them.
    """
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@functools.lru_cache(maxsize=512)
def compiled(query, *args):
    """The SQL and parameters of query(*args) (a QuerySet, or SQL and parameters already), compiled
    once per process for the same arguments.

    Why: the ORM spends about 1 ms of Python building and compiling a query (3 ms the cube), more than
    the database spends answering most of the dashboard's, and a query is the same SQL for every
    request with the same filters, day and page. `query` is a module-level function of hashable
    arguments (the filters as DashboardFilterForm.lookups gives them); its SQL depends on nothing
    else but settings (STALE_AFTER_DAYS), so nothing kept goes stale while they stay as they are.
    """
    statement = query(*args)
    return statement.query.sql_with_params() if isinstance(statement, models.QuerySet) else statement


@receiver(setting_changed)
def _forget_compiled(**kwargs):
    """A test that changes settings gets its SQL compiled anew (see compiled)."""
    compiled.cache_clear()


def breakdown_cube_of(lookups, today):
    """The breakdown cube of the commitments the dashboard's filters (`lookups`) select."""
    return for_dashboard().filter(**dict(lookups)).breakdown_cube(today)


def champion_ranking_of(lookups, start, stop):
    """Rows start to stop of the champion ranking of the commitments the filters select."""
    return for_dashboard().filter(**dict(lookups)).champion_ranking(start, stop)


def by_kind(cube):
    """The rows of a breakdown cube (see DashboardQuerySet.breakdown_cube) per category, status and
    hub, and those per organization: (per_category, per_organization)."""
    return (
        [row for row in cube if row["category"] is not None],
        [row for row in cube if row["organization"] is not None],
    )


def summarize(cube, champions):
    """The headline figures: the breakdown cube's rows per category, status and hub (the first of
    by_kind) added up.

    `champions` is how many champions those commitments belong to (a count the cube cannot add up:
    a champion's commitments fall in several of its rows).
    """
    # Why whole columns summed: a few hundred rows times eleven counts, added one by one, take longer.
    columns = zip(*map(itemgetter(*CUBE_COUNTS), cube), strict=True)
    figures = (
        dict(zip(CUBE_COUNTS, map(sum, columns), strict=True)) if cube else dict.fromkeys(CUBE_COUNTS, 0)
    )
    by_status = dict.fromkeys(Status.values, 0)
    for row in cube:
        by_status[row["status"]] += row["commitments"]
    total = figures["commitments"]
    figures.update(
        champions=champions,
        events=figures["events_in_cycle"],
        panels=figures["panels_logged"],
        status_shares=[
            (status, label, by_status[status], share_percent(by_status[status], total))
            for status, label in Status.choices
        ],
        share_panels_balanced=share_percent(figures["panels_balanced"], figures["panels_logged"]),
        share_panels_single_sex=share_percent(figures["panels_single_sex"], figures["panels_logged"]),
        women_share=women_share(figures["panel_women"], figures["panel_men"]),
    )
    return figures
