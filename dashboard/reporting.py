"""The dashboard's reporting over commitments: the breakdown cube, the headline figures, the ranking.

The rules these figures rest on (progress, overdue, due soon, stale) are the commitments app's, on
CommitmentQuerySet; this module only adds them up the way the office's pages show them, in the
database, so a page costs the same number of queries at any size.
"""

from django.db import models
from django.db.models import Count, F, Sum, Window
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

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
        return summarize(self.breakdown_cube(today), champions=self.values("champion").distinct().count())

    def breakdown_cube(self, today=None):
        """Every figure the dashboard sums, per hub, organization, category and status, in one scan.

        A few hundred rows at most (hubs x organizations x categories x statuses): folded in Python
        they give the headline figures (summarize) and every breakdown (by hub, by organization, by
        category, status mix by hub). Hubs and organizations come as ids: their names are a lookup.
        """
        today = today or timezone.localdate()
        return (
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

    def champion_ranking(self):
        """One row per champion: average progress of these commitments, best first.

        Each row also carries `champions`, how many rows there are in all (a window over the groups),
        so that a page of the ranking and the count of champions come from one query.
        """
        return (
            self.with_progress()
            .order_by()
            .values("champion")
            .annotate(
                # Why not Avg: on PostgreSQL AVG of integers adds up in numeric, twice as slow.
                average_progress=Cast(Sum("annotated_progress"), models.FloatField()) / Count("pk"),
                commitments=Count("pk"),
                champions=Window(Count("*")),
            )
            .order_by("-average_progress", "champion__full_name")
        )


def for_dashboard():
    """Every approved commitment (the only ones measured), as a DashboardQuerySet to filter and sum."""
    return DashboardQuerySet(Commitment).approved()


def summarize(cube, champions):
    """The headline figures: the rows of DashboardQuerySet.breakdown_cube added up.

    `champions` is how many champions those commitments belong to (a count the cube cannot add up:
    a champion's commitments fall in several of its rows).
    """
    figures = dict.fromkeys(CUBE_COUNTS, 0)
    by_status = dict.fromkeys(Status.values, 0)
    for row in cube:
        for name in CUBE_COUNTS:
            figures[name] += row[name]
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
