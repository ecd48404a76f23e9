"""The network's annual report: its figures, computed in the database.

Each figure is an aggregate over the cycle's approved commitments (the only ones measured), so the
report costs the same few queries whatever the size of the network. A commitment counts as
self-assessed, and as rated by the office, only once its champion's report is submitted: drafts
change until then.
"""

from collections import Counter
from operator import itemgetter

from django.db.models import (
    Count,
    F,
    FilteredRelation,
    Q,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from champions.models import Champion, Hub
from commitments.models import (
    PANEL_ROLLUPS,
    Category,
    Commitment,
    CommitmentMonth,
    CommitmentQuerySet,
    Status,
    share_percent,
    women_share,
)
from events.models import with_parity_shares
from reports import as_of as as_of_module
from reports.models import AssessmentQuerySet, Highlight, Level

# The panel roll-ups each row adds up: all panels, and their split between panels confirmed by
# their organisers and self-reported ones (ProgressEventQuerySet.panel_parity's, kept on each
# commitment), so the split of a row comes with its other figures, today's or as of a day.
PANEL_SUMS = PANEL_ROLLUPS
# Each level's count under both names, as the breakdown gives it: "self_complete", "office_limited"...
LEVEL_COUNTS = [f"{side}_{level}" for side in ("self", "office") for level in Level.values]
BREAKDOWN_COUNTS = ["commitments", "assessed", "rated", "differing", *LEVEL_COUNTS, *PANEL_SUMS]
REPORT_COUNTS = ["champions", "on_time", "late", "not_yet_due", "missing", "not_submitted"]
# What a report not submitted is called, by when the report is read (unsubmitted_state).
NOT_YET_DUE, MISSING, NOT_SUBMITTED = "not_yet_due", "missing", "not_submitted"


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

    def status_mix(self, cycle, as_of=None):
        """How many of these commitments are at each status: [(status, label, count)] in the
        statuses' order, those at none left out (one query). As of a day, the commitments approved
        then, at their status then (reports/as_of.py)."""
        if as_of:
            counts = as_of_module.status_counts(self, cycle, as_of_module.moment_after(as_of))
        else:
            counts = dict(self.order_by().values_list("status").annotate(count=Count("pk")))
        return [(status, label, counts[status]) for status, label in Status.choices if counts.get(status)]

    def overdue_then(self, cycle, as_of=None):
        """These commitments overdue (the one rule: CommitmentQuerySet.overdue), the soonest due
        first, with their champion and organisation. As of a day, those that were overdue that day
        as they stood then, each with its `status` then (two queries)."""
        if not as_of:
            overdue = self.overdue()
        else:
            then = as_of_module.overdue_statuses(self, cycle, as_of_module.moment_after(as_of), as_of)
            overdue = self.filter(pk__in=list(then))
        rows = list(
            overdue.select_related("champion__organization").order_by(
                "due_on", "champion__full_name", "number"
            )
        )
        if as_of:
            for commitment in rows:
                commitment.status = then[commitment.pk]
        return rows

    def champion_outcomes(self, cycle, as_of=None):
        """The champions of these commitments, by name, each with `outcomes`: their commitments in
        order, each with its outcome once the report is submitted (Assessment.outcome: the office's
        rating, else the self-assessment), else None. One query. As of a day, the commitments
        approved then, with their outcomes then (a second query: reports/as_of.py)."""
        if as_of:
            return self._champion_outcomes_then(cycle, as_of_module.moment_after(as_of))
        rows = (
            self.with_report()
            .annotate(report_submitted_at=F("report__submitted_at"))
            .select_related("champion__organization", "champion__hub", "assessment")
            .order_by("champion__full_name", "champion_id", "number")
        )
        champions = {}
        for commitment in rows:
            champion = champions.setdefault(commitment.champion_id, commitment.champion)
            assessment = getattr(commitment, "assessment", None)
            commitment.outcome = (
                assessment.get_outcome_display() if assessment and commitment.report_submitted_at else None
            )
            champion.__dict__.setdefault("outcomes", []).append(commitment)
        return list(champions.values())

    def _champion_outcomes_then(self, cycle, moment):
        then = as_of_module.NetworkThen(self, cycle, moment)
        outcomes = as_of_module.outcomes(then)
        rows = (
            self.filter(pk__in=then.approved)
            .select_related("champion__organization", "champion__hub")
            .order_by("champion__full_name", "champion_id", "number")
        )
        champions = {}
        for commitment in rows:
            champion = champions.setdefault(commitment.champion_id, commitment.champion)
            outcome = outcomes.get(commitment.pk)
            commitment.outcome = Level(outcome).label if outcome else None
            champion.__dict__.setdefault("outcomes", []).append(commitment)
        return list(champions.values())


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


def unsubmitted_state(cycle, day=None):
    """What a report not submitted is, read on `day` (today by default): the one rule.

    Not yet due until the cycle's report due date (included: reports are due *by* it); missing
    after it; in a closed cycle, a past year kept as history that asks nobody for a report any
    more, merely not submitted."""
    if cycle.is_closed:
        return NOT_SUBMITTED
    return NOT_YET_DUE if (day or timezone.localdate()) <= cycle.report_due_on else MISSING


def _report_shares(row, cycle, day=None):
    """The reports not submitted, and the share submitted. Not submitted is `not_yet_due` or
    `missing` by the day (unsubmitted_state); a closed cycle's stay in `not_submitted` only (and
    count in the share of all its champions)."""
    row["not_submitted"] = row["champions"] - row["on_time"] - row["late"]
    state = unsubmitted_state(cycle, day)
    row["not_yet_due"] = row["not_submitted"] if state == NOT_YET_DUE else 0
    row["missing"] = row["not_submitted"] if state == MISSING else 0
    row["submitted_share"] = share_percent(row["on_time"] + row["late"], row["champions"])
    return row


def network_figures(commitments, cycle, as_of=None):
    """Everything the network report shows for `commitments` (an AnnualReportQuerySet), in a few
    queries: the breakdowns, the report states, hub names, the monthly panels, the panel parity
    (organiser-confirmed apart from self-reported: ProgressEventQuerySet.panel_parity) and the
    highlights the office picked among them.

    As of a day (`as_of`, a date; None: today), the same figures as they stood at the end of that
    day, rebuilt from the history (reports/as_of.py): a few more queries, as many at any size. The
    day also decides what an unsubmitted report is called (unsubmitted_state)."""
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
                as_of,
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
    totals.update(_report_shares(dict(report_total), cycle, as_of))
    if moment is None:
        months = list(
            CommitmentMonth.objects.filter(commitment__in=commitments.order_by().values("pk")).totals()
        )
        highlights = list(Highlight.objects.shown_for(cycle, commitments))
    else:
        months = as_of_module.months(then)
        highlights = as_of_module.highlights(then)
    for month in months:
        month["women_share"] = women_share(month["panel_women"], month["panel_men"])
        with_parity_shares(month)
    return {
        "total": totals,
        "by_hub": sorted(hub_rows, key=itemgetter("name")),
        "by_category": sorted(category_rows, key=itemgetter("name")),
        "months": months,
        "unsubmitted": unsubmitted_state(cycle, as_of),
        "highlights": highlights,
    }
