"""The dashboard's reporting over commitments: the breakdown cube, the headline figures, the ranking.

The rules these figures rest on (progress, overdue, due soon, stale) are the commitments app's, on
CommitmentQuerySet; this module only adds them up the way the office's pages show them, in the
database, so a page costs the same number of queries at any size.
"""

from django.db import connections, models
from django.db.models import Case, Count, F, Sum, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from champions.models import Champion
from commitments.models import (
    PANEL_ROLLUPS,
    Commitment,
    CommitmentQuerySet,
    PanelFigures,
    Status,
    share_percent,
    women_share,
)

# The roll-ups the breakdown cube adds up, as they are named on a commitment.
CUBE_ROLLUPS = [
    "events_in_cycle",
    "panels_logged",
    "panels_balanced",
    "panels_single_sex",
    "panel_women",
    "panel_men",
    # The panels split: organiser-confirmed apart from self-reported (ProgressEventQuerySet.panel_parity).
    "confirmed_panels",
    "confirmed_women",
    "confirmed_men",
    "self_reported_women",
    "self_reported_men",
]
# The counts each row of the breakdown cube has (see DashboardQuerySet.breakdown_cube).
CUBE_COUNTS = [
    "commitments",
    "progress_total",
    "overdue",
    "due_soon",
    "stale",
    "status_disagrees",
    *CUBE_ROLLUPS,
]


class DashboardQuerySet(CommitmentQuerySet):
    """Commitments, with the sums the office's pages report."""

    def summary(self, today=None):
        """The headline figures of these commitments (see summarize)."""
        per_hub, _per_organization, _per_category = by_kind(self.breakdown_cube(today))
        return summarize(per_hub, champions=self.champion_count())

    def champion_count(self):
        """How many champions these commitments belong to."""
        return self.values("champion").distinct().count()

    def commitment_figures(self, today=None):
        """One row per commitment, of what the breakdown cube groups by and adds up: its `id`,
        `status`, `hub` and `organization` (ids), its `progress`, whether it is `overdue`, `due_soon`,
        `stale` and whether its status disagrees with its measured progress (`status_disagrees`)
        (1 or 0, the CommitmentQuerySet's conditions) and its roll-ups (CUBE_ROLLUPS)."""
        today = today or timezone.localdate()
        return self.order_by().values(
            "id",
            "status",
            "progress",
            *CUBE_ROLLUPS,
            hub=F("champion__hub_id"),
            organization=F("champion__organization_id"),
            overdue=_one_where(self.overdue_condition(today)),
            due_soon=_one_where(self.due_within_condition(today=today)),
            stale=_one_where(self.stale_condition(today)),
            status_disagrees=_one_where(self.status_disagrees_condition(today)),
        )

    def breakdown_cube(self, today=None):
        """Every figure the dashboard adds up, in one statement: rows of CUBE_COUNTS in three parts,
        each row's `part` saying which:

        - "hub": per status and hub (`status`, `hub`): the headline figures, the breakdown by hub
          and the status mix add these up; each commitment is in one of them;
        - "organization": per organization (`organization`);
        - "category": per category (`category`, None for commitments of none): a commitment of
          several categories is in each of their rows, so only this part counts it more than once.

        Why SQL of our own around the ORM's query (commitment_figures): the commitments' figures are
        worked out once (a common table expression) and added up three ways, where the ORM would
        compute them again for each way; and a commitment joins its categories only for the part
        that groups by them, so no total counts a commitment twice.
        """
        figures, params = self.commitment_figures(today).query.sql_with_params()
        links = connections[self.db].ops.quote_name(Commitment.categories.through._meta.db_table)
        sums = "COUNT(*) AS commitments, SUM(progress) AS progress_total, SUM(overdue) AS overdue, " + (
            "SUM(due_soon) AS due_soon, SUM(stale) AS stale, SUM(status_disagrees) AS status_disagrees"
            + "".join(f", SUM({name}) AS {name}" for name in CUBE_ROLLUPS)
        )
        return rows_as_dicts(
            f"WITH commitment AS ({figures}) "
            # (Typed NULLs: a union's first branch sets its columns' types.)
            f"SELECT 'hub' AS part, status, hub, CAST(NULL AS BIGINT) AS organization, "
            f"CAST(NULL AS BIGINT) AS category, {sums} "
            "FROM commitment GROUP BY status, hub "
            f"UNION ALL SELECT 'organization', NULL, NULL, organization, NULL, {sums} "
            "FROM commitment GROUP BY organization "
            f"UNION ALL SELECT 'category', NULL, NULL, NULL, link.category_id, {sums} "
            f"FROM commitment LEFT JOIN {links} AS link ON link.commitment_id = commitment.id "
            "GROUP BY link.category_id",
            params,
            using=self.db,
        )

    def champion_ranking(self, start, stop):
        """Rows start to stop of the champion ranking: one row per champion, the average progress of
        these commitments, best first (then by name).

        Each row has the champion's id (`champion`), `full_name` and `hub` (an id), the
        `progress_total` of its `commitments` and their `average_progress`, and `champions`, how
        many rows there are in all (a window over the groups), so that a page of the ranking and the
        count of champions come from one query.

        Why SQL around the ORM's: the commitments are added up per champion first and only the
        champions' rows are joined to their names (a third less work for the database than joining
        every commitment to its champion and grouping by name), which the ORM cannot say.
        """
        per_champion = (
            self.order_by()
            .values(ranked_champion=F("champion"))
            .annotate(
                progress_total=Sum("progress"),
                commitments=Count("pk"),
                # Why not Avg: on PostgreSQL AVG of integers adds up in numeric, twice as slow.
                average_progress=Cast(Sum("progress"), models.FloatField()) / Count("pk"),
            )
        )
        ranked, params = per_champion.query.sql_with_params()
        champion = connections[self.db].ops.quote_name(Champion._meta.db_table)
        return rows_as_dicts(
            f"SELECT ranked.ranked_champion AS champion, {champion}.full_name AS full_name, "
            f"{champion}.hub_id AS hub, ranked.progress_total AS progress_total, "
            "ranked.commitments AS commitments, ranked.average_progress AS average_progress, "
            f"COUNT(*) OVER () AS champions FROM ({ranked}) AS ranked "
            f"INNER JOIN {champion} ON {champion}.id = ranked.ranked_champion "
            f"ORDER BY ranked.average_progress DESC, {champion}.full_name ASC LIMIT %s OFFSET %s",
            (*params, stop - start, start),
            using=self.db,
        )


def for_dashboard():
    """Every approved commitment (the only ones measured), as a DashboardQuerySet to filter and sum."""
    return DashboardQuerySet(Commitment).approved()


def _one_where(condition):
    """1 for a commitment that meets `condition`, else 0: a count the breakdown cube adds up."""
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=models.IntegerField())


def rows_as_dicts(sql, params, using):
    """The rows of a statement of our own (around the ORM's query), as dicts by column name."""
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def by_kind(cube):
    """The rows of a breakdown cube (see DashboardQuerySet.breakdown_cube) per status and hub, per
    organization and per category: (per_hub, per_organization, per_category)."""
    parts = {"hub": [], "organization": [], "category": []}
    for row in cube:
        parts[row["part"]].append(row)
    return parts["hub"], parts["organization"], parts["category"]


def summarize(cube, champions):
    """The headline figures: the breakdown cube's rows per status and hub (the first of by_kind)
    added up.

    `champions` is how many champions those commitments belong to (a count the cube cannot add up:
    a champion's commitments fall in several of its rows).
    """
    figures = {name: sum(row[name] for row in cube) for name in CUBE_COUNTS}
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
        # Organiser-confirmed panels apart from self-reported ones, from the cube's sums of the
        # commitments' roll-ups of that split: no query of its own.
        parity=PanelFigures(**{name: figures[name] for name in PANEL_ROLLUPS}),
    )
    return figures
