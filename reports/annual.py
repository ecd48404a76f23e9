"""The network's annual report: its figures, computed in the database.

Each figure is an aggregate over the cycle's approved commitments (the only ones measured), so the
report costs the same few queries whatever the size of the network. A commitment counts as
self-assessed, and as rated by the office, only once its champion's report is submitted: drafts
change until then.
"""

from collections import Counter
from operator import itemgetter

from django.db.models import (
    Case,
    Count,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Length, RowNumber
from django.utils.translation import gettext_lazy as _

from champions.models import Champion, Hub
from commitments.models import (
    PANEL_ROLLUPS,
    Category,
    Commitment,
    CommitmentMonth,
    CommitmentQuerySet,
    share_percent,
    women_share,
)
from events.models import with_parity_shares
from reports import as_of as as_of_module
from reports.models import Assessment, AssessmentQuerySet, Level

# Narratives the report quotes per category: the best-rated first, then the fullest.
NARRATIVES_PER_CATEGORY = 2
# The panel roll-ups each row adds up: all panels, and their split between panels confirmed by
# their organisers and self-reported ones (ProgressEventQuerySet.panel_parity's, kept on each
# commitment), so the split of a row comes with its other figures, today's or as of a day.
PANEL_SUMS = PANEL_ROLLUPS
# Each level's count under both names, as the breakdown gives it: "self_complete", "office_limited"...
LEVEL_COUNTS = [f"{side}_{level}" for side in ("self", "office") for level in Level.values]
BREAKDOWN_COUNTS = ["commitments", "assessed", "rated", "differing", *LEVEL_COUNTS, *PANEL_SUMS]
REPORT_COUNTS = ["champions", "on_time", "late", "missing", "not_submitted"]


def level_rank(field):
    """A level as its place on the scale (complete highest), 0 where there is none."""
    return Case(
        *[When(**{field: level}, then=Value(rank)) for rank, level in enumerate(Level.values, start=1)],
        default=Value(0),
        output_field=IntegerField(),
    )


class AnnualReportQuerySet(CommitmentQuerySet):
    """Commitments, with the sums the network's annual report shows."""

    def with_report(self):
        """Join each commitment to its champion's report on its cycle (one at most): `report`."""
        return self.annotate(
            report=FilteredRelation("champion__reports", condition=Q(champion__reports__cycle=F("cycle")))
        )

    def level_breakdown(self, by="hub"):
        """Per hub (by="hub", each commitment once) or per category (by="category", a commitment in
        each of its categories, None for none): commitments made, assessed in a submitted report and
        rated by the office, each level's count on both sides, open differences, and the panel
        roll-ups (PANEL_SUMS: with the split between organiser-confirmed and self-reported panels,
        sums of columns in the same statement)."""
        submitted = Q(report__submitted_at__isnull=False, assessment__isnull=False)
        counts = {
            "commitments": Count("pk"),
            **AssessmentQuerySet.level_counts(via="assessment__", submitted=submitted),
        }
        return (
            self.with_report()
            .order_by()
            .values(**{by: F("champion__hub_id") if by == "hub" else F("categories")})
            .annotate(**counts, **{name: Coalesce(Sum(name), 0) for name in PANEL_SUMS})
        )

    def report_states(self, cycle):
        """Per hub: the champions with these commitments, and how many of them submitted their report
        on time or late (the rest did not: see _report_shares). Alumni who left by the report's due
        date (a handover) are not asked for it: they are not counted."""
        submitted = Q(report__submitted_at__isnull=False)
        return (
            Champion.objects.filter(pk__in=self.order_by().values("champion"))
            .in_office_on(cycle.report_due_on)
            .annotate(report=FilteredRelation("reports", condition=Q(reports__cycle=cycle)))
            .order_by()
            .values("hub")
            .annotate(
                champions=Count("pk"),
                on_time=Count("pk", filter=submitted & Q(report__late=False)),
                late=Count("pk", filter=submitted & Q(report__late=True)),
            )
        )

    def narratives(self, per_category=NARRATIVES_PER_CATEGORY):
        """A selection of narratives from submitted reports: in each category (a commitment's first,
        in the categories' order), those the office rated highest (then the champion), the fullest
        first; none the two disagree on."""
        return ranked_narratives(
            Assessment.objects.filter(commitment__in=self.order_by().values("pk")).filter(
                commitment__champion__reports__cycle=F("commitment__cycle"),
                commitment__champion__reports__submitted_at__isnull=False,
            ),
            per_category,
        )


def ranked_narratives(assessments, per_category=NARRATIVES_PER_CATEGORY):
    """AnnualReportQuerySet.narratives, chosen from `assessments` (today's of submitted reports, or
    their history rows as they stood on a day: reports/as_of.py)."""
    links = Commitment.categories.through.objects.filter(commitment=OuterRef("commitment")).order_by(
        "category__order", "category__label_en"
    )
    first_category = Subquery(links.values("category")[:1])
    ranked = (
        assessments.exclude(narrative="")
        .exclude(AssessmentQuerySet.differing_condition())
        .annotate(first_category=first_category, category_order=Subquery(links.values("category__order")[:1]))
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=[F("first_category")],
                order_by=[
                    level_rank("office_level").desc(),
                    level_rank("level").desc(),
                    Length("narrative").desc(),
                    F("commitment").asc(),
                ],
            )
        )
        .filter(place__lte=per_category)
    )
    return ranked.select_related("commitment__champion__organization").order_by(
        "category_order", "first_category", "place"
    )


def for_annual_report(cycle):
    """The cycle's approved commitments, as an AnnualReportQuerySet to filter and sum."""
    return AnnualReportQuerySet(Commitment).approved().filter(cycle=cycle)


def _shares(row):
    """The shares a breakdown row shows, from its counts: levels reached, women speakers, balanced
    panels, and women's share on panels confirmed by their organisers apart from self-reported
    ones (with_parity_shares, the same women_share as every page's split)."""
    for side, whole in (("self", row["assessed"]), ("office", row["rated"])):
        complete = row[f"{side}_complete"]
        row[f"{side}_complete_share"] = share_percent(complete, whole)
        row[f"{side}_achieved_share"] = share_percent(complete + row[f"{side}_substantial"], whole)
        row[f"{side}_levels"] = [row[f"{side}_{level}"] for level in Level.values]
    row["women_share"] = women_share(row["panel_women"], row["panel_men"])
    row["balanced_share"] = share_percent(row["panels_balanced"], row["panels_logged"])
    row["self_reported_panels"] = row["panels_logged"] - row["confirmed_panels"]
    return with_parity_shares(row)


def _report_shares(row, cycle):
    """The reports not submitted, and the share submitted. Not submitted is missing, except in a
    closed cycle: a past year kept as history asks nobody for a report any more, so none is missing
    (its unsubmitted reports stay in `not_submitted`, and in the share of all its champions)."""
    row["not_submitted"] = row["champions"] - row["on_time"] - row["late"]
    row["missing"] = 0 if cycle.is_closed else row["not_submitted"]
    row["submitted_share"] = share_percent(row["on_time"] + row["late"], row["champions"])
    return row


def network_figures(commitments, cycle, as_of=None):
    """Everything the network report shows for `commitments` (an AnnualReportQuerySet), in five
    queries: the breakdown, the report states, hub names, the monthly panels, the narratives.

    As of a day (`as_of`, a date; None: today), the same figures as they stood at the end of that
    day, rebuilt from the history (reports/as_of.py): a few more queries, as many at any size."""
    moment = as_of_module.moment_after(as_of) if as_of else None
    then = as_of_module.NetworkThen(commitments, cycle, moment) if moment else None
    categories = {category.pk: category for category in Category.objects.all()}
    hubs = dict(Hub.objects.values_list("pk", "name"))
    by_hub, by_category, total = {}, {}, Counter(dict.fromkeys(BREAKDOWN_COUNTS, 0))

    def breakdown(by):
        if moment is None:
            return commitments.level_breakdown(by=by)
        return as_of_module.level_breakdown(then, by)

    for row in breakdown("hub"):
        by_hub.setdefault(row["hub"], Counter()).update({name: row.get(name, 0) for name in BREAKDOWN_COUNTS})
        total.update({name: row.get(name, 0) for name in BREAKDOWN_COUNTS})
    for row in breakdown("category"):
        by_category.setdefault(row["category"], Counter()).update(
            {name: row.get(name, 0) for name in BREAKDOWN_COUNTS}
        )
    states = commitments.report_states(cycle) if moment is None else as_of_module.report_states(then)
    reports = {row["hub"]: row for row in states}
    report_total = Counter(dict.fromkeys(REPORT_COUNTS, 0))
    for row in reports.values():
        report_total.update({name: row[name] for name in ("champions", "on_time", "late")})

    hub_rows = []
    for pk, counts in by_hub.items():
        row = _shares({**counts, "name": hubs.get(pk, _("No hub"))})
        row.update(
            _report_shares(
                {name: reports.get(pk, {}).get(name, 0) for name in ("champions", "on_time", "late")},
                cycle,
            )
        )
        hub_rows.append(row)
    category_rows = [
        _shares(
            {
                **counts,
                "name": categories[key].label if key in categories else _("No category"),
                "key": categories[key].slug if key in categories else "",
            }
        )
        for key, counts in by_category.items()
    ]
    totals = _shares({**total, "name": _("All")})
    totals.update(_report_shares(dict(report_total), cycle))
    if moment is None:
        months = list(
            CommitmentMonth.objects.filter(commitment__in=commitments.order_by().values("pk")).totals()
        )
        narratives = list(commitments.narratives())
    else:
        months = as_of_module.months(then)
        narratives = list(ranked_narratives(as_of_module.submitted_assessments(then)))
    for month in months:
        month["women_share"] = women_share(month["panel_women"], month["panel_men"])
        with_parity_shares(month)
    for assessment in narratives:
        category = categories.get(assessment.first_category)
        assessment.category_label = category.label if category else ""
    return {
        "total": totals,
        "by_hub": sorted(hub_rows, key=itemgetter("name")),
        "by_category": sorted(category_rows, key=itemgetter("name")),
        "months": months,
        "narratives": narratives,
        "narratives_per_category": NARRATIVES_PER_CATEGORY,
    }
