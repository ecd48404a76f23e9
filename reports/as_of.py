"""Reports as they stood on a day: the state of things at the end of that day, rebuilt from history.

Any report (the network's page, PDF, CSV and Excel table; a hub's; a champion's) takes `as_of`, a
day, and shows what it would have shown at the end of that day in the product's time zone
(settings.TIME_ZONE): `moment_after(day)` is the first instant after it, and everything dated
before that instant counts.

Where the past comes from: the history the product keeps already (django-simple-history). Each
save of a commitment, progress event, check-in, assessment or report writes a row of its
historical table holding the whole object as it was after the change ('+' made, '~' changed, '-'
deleted, with the state it had), dated `history_date`. So an object's state at a moment is its
latest history row dated before the moment, and it did not exist then if it has none or that row
records its deletion (`standing`). That answers, without any new bookkeeping:

- an event edited after the day (women and men counted anew): its row before the edit holds the
  counts of the day; an event deleted since: its rows before the deletion still stand; an event
  logged since: no row before the moment, absent;
- a commitment's approval, status, target and kind of event counted, as they were;
- an assessment's levels, the office's rating and whether it differed, as they were;
- a report submitted then (and late or not), or reopened since: `submitted_at` on its row then.

Why not Report.signed_off (a champion's report as signed): it is one moment per report, the
sign-off, not any day; and it is not kept in the history (excluded there). Why not the roll-ups
stored on commitments (progress, panel sums and their split between organiser-confirmed and
self-reported panels) and their monthly rows (CommitmentMonth): they are today's figures only; as
of a day they are counted again from the events standing then, by the same rules as the roll-ups'
recount (commitments/rollups.py: events in the cycle, panels not declined, balanced when at least
half are women, confirmed when the organiser had answered by then: organiser_answers); a test
holds the report as of today equal to today's.

How, in the database and at any size: "latest row per object before the moment" is written as
NOT EXISTS a later row of the same object before the moment (ties on the date broken by the
history id): one correlated anti-join that PostgreSQL and SQLite both run (no DISTINCT ON, no
window), used as a subquery inside the same aggregates the report makes of today's figures, so a
report as of a day costs a fixed number of statements, a few more than today's.

What is read as it is today, not as it was: who the champions are (their hub and organization,
and whether they had left by the report's due date), the commitments' categories and texts, the
pledges signed (signed by the cycle's end: PledgeSignature.signed_by), and whether a report was
reviewed (its date is kept on the report, not in its history). The set of commitments is today's
commitments of the cycle, as many of them as were approved on the day: a commitment deleted since
is not shown. A commitment handed over since (commitments/models/handover.py) counts in the report
of its champion then, but in the hub of its champion today; a champion's own report as of a day
lists the commitments that are theirs today.

Rows written in bulk (bulk_create) get no history, so no row before any past day: a report as of a
past day would not show them. The demo seed writes the first history row of what it inserts in
bulk (demo/history.py), and bench/reports.py of its reports and assessments.
"""

import copy
import datetime
import zoneinfo
from functools import cached_property

from django.conf import settings
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Subquery, Sum, Window
from django.db.models.functions import Coalesce, RowNumber, TruncMonth

from commitments.models import ROLLUP_FIELDS, Approval, Commitment, EventKind, PanelFigures
from commitments.models.months import MONTH_PARITY
from events.models import CheckIn, PanelConfirmation, ProgressEvent
from reports.models import KEY_EVENTS, Assessment, AssessmentQuerySet, Highlight, Report

# What a champion's report as of a day reads of each commitment as it was: what its measured
# progress and status are worked out from (its texts are today's).
COMMITMENT_FIELDS_THEN = [
    "approval",
    "status",
    "target_kind",
    "target_value",
    "baseline",
    "unit",
    "counts_kind",
    "due_on",
]


def moment_after(day):
    """The first instant after `day` ends in the product's time zone: a report as of `day` stands on
    everything dated before it."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)


def standing(model, moment):
    """The rows of `model`'s history that stood at `moment`: for each object, its latest history row
    dated before `moment`, unless that row records its deletion (see the module's docstring)."""
    history = model.history.model._default_manager
    later = history.filter(id=OuterRef("id"), history_date__lt=moment).filter(
        Q(history_date__gt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__gt=OuterRef("history_id"))
    )
    return history.filter(history_date__lt=moment).exclude(Exists(later)).exclude(history_type="-").order_by()


def commitments_then(commitments, cycle, moment, reported=False):
    """The history rows of `commitments` (today's, of `cycle`) as they stood at `moment`, those
    approved then; with `reported`, only those whose champion then (before a handover, the one who
    handed over) had submitted their report on the cycle then."""
    rows = standing(Commitment, moment).filter(
        id__in=commitments.order_by().values("pk"), cycle=cycle.pk, approval=Approval.APPROVED
    )
    if reported:
        rows = rows.filter(Exists(submitted_reports(cycle, moment).filter(champion=OuterRef("champion"))))
    return rows


def approved_then(commitments, cycle, moment, reported=False):
    """The ids (as a subquery) of commitments_then."""
    return commitments_then(commitments, cycle, moment, reported).values("id")


def submitted_reports(cycle, moment):
    """The reports on `cycle` submitted at `moment` (history rows: their `late` as it was)."""
    return standing(Report, moment).filter(cycle=cycle.pk, submitted_at__isnull=False)


def events_in_cycle(commitment_ids, cycle, moment):
    """The progress events standing at `moment` on these commitments, within `cycle`'s dates: what
    the roll-ups count (commitments/rollups.py)."""
    return standing(ProgressEvent, moment).filter(
        commitment__in=commitment_ids, occurred_on__gte=cycle.starts_on, occurred_on__lte=cycle.ends_on
    )


class NetworkThen:
    """The network report's commitments (today's of `cycle`, filtered as the report is) as they
    stood at `moment`: the subqueries every figure of the report as of a day starts from, each
    built once for all of them (network_figures). Why: building nested subqueries in the ORM costs
    more than running them at small sizes, and each figure built them anew (the commitments
    approved then six times, their events three times); built once, the same SQL costs about a
    fifth less Python."""

    def __init__(self, commitments, cycle, moment):
        self.commitments, self.cycle, self.moment = commitments, cycle, moment

    @cached_property
    def rows(self):
        """The history rows of the commitments approved then (commitments_then)."""
        return commitments_then(self.commitments, self.cycle, self.moment)

    @cached_property
    def approved(self):
        """The ids of the commitments approved then."""
        return self.rows.values("id")

    @cached_property
    def reported(self):
        """The ids of those whose champion then had submitted their report then."""
        return approved_then(self.commitments, self.cycle, self.moment, reported=True)

    @cached_property
    def events(self):
        """The progress events standing then on the commitments approved then, in the cycle."""
        return events_in_cycle(self.approved, self.cycle, self.moment)


def panels_condition():
    """A panel the roll-ups count: not one the champion declined to speak on (rollups.recount)."""
    return Q(kind=EventKind.PANEL) & ~Q(panel_outcome="declined")


def organiser_answers(moment):
    """The organiser's answer to the panel a progress event's history row is of (the outer row),
    given before `moment`: what moved the panel into the organiser-confirmed figures then.

    Why PanelConfirmation as it is today, though it keeps no history: an answer is given once,
    through a single-use link, and is never changed after (PanelConfirmation.answer writes it only
    on a link not used yet; the admin can read or delete answers, not change them). So an answer
    given by the moment (`used_at` before it: "dated before that instant counts", as for every
    history row) is what stood then, with the organiser's figures as given, and one given since had
    not been given then: the panel was self-reported then, with the figures logged then. At most one
    answer per panel (a constraint): one row or none.

    What it cannot tell: an answer deleted since is gone from the past too. Deleted in the admin
    (to withdraw it), the panel counts as self-reported on every day, as in today's report; deleted
    with its event, the event's rows before its deletion still stand, self-reported. Knowing the
    answers then would need a history of them, which nothing else reads."""
    return PanelConfirmation.objects.answered().filter(event=OuterRef("id"), used_at__lt=moment)


def parity_split(moment, panel=None):
    """The sums of ProgressEventQuerySet.panel_parity's split over progress events' history rows as
    they stood at `moment`, the same rule with the answers given by then (organiser_answers): a
    panel answered by its organiser counts with the organiser's figures, any other with the figures
    logged. `panel`: the condition of a counted panel, where the rows are not all counted panels."""
    answers = organiser_answers(moment)
    answered = Q(Exists(answers))
    confirmed = answered if panel is None else panel & answered
    self_reported = ~answered if panel is None else panel & ~answered
    return {
        "confirmed_panels": Count("pk", filter=confirmed),
        "confirmed_women": Coalesce(Sum(Subquery(answers.values("women_count")), filter=confirmed), 0),
        "confirmed_men": Coalesce(Sum(Subquery(answers.values("men_count")), filter=confirmed), 0),
        "self_reported_women": Coalesce(Sum("women_count", filter=self_reported), 0),
        "self_reported_men": Coalesce(Sum("men_count", filter=self_reported), 0),
    }


def panel_sums(events, group, moment):
    """The panel figures of `events` (history rows standing at `moment`) per value of `group` (a path
    from the event): the roll-ups' panel sums (rollups.recount), and their split between panels
    confirmed by their organisers by then and self-reported ones (parity_split), added up: the
    fields of PanelFigures."""
    panels = events.filter(panels_condition()).order_by()
    sums = {
        "panels_logged": Count("pk"),
        "panels_balanced": Count("pk", filter=Q(women_count__gte=F("men_count"))),
        "panels_single_sex": Count("pk", filter=Q(women_count=0) | Q(men_count=0)),
        "panel_women": Coalesce(Sum("women_count"), 0),
        "panel_men": Coalesce(Sum("men_count"), 0),
        **parity_split(moment),
    }
    return {row.pop("key"): row for row in panels.values(key=F(group)).annotate(**sums)}


def level_breakdown(then, by):
    """AnnualReportQuerySet.level_breakdown as it stood then (`then`: NetworkThen): the same rows (a
    dict per hub or category, under `by`), from three aggregates: commitments approved then,
    assessments of reports submitted then, and panels standing then."""
    group = {"hub": "champion__hub_id", "category": "categories"}[by]
    rows = {}
    made = then.commitments.filter(pk__in=then.approved).order_by().values(key=F(group))
    for row in made.annotate(made=Count("pk")):
        rows[row["key"]] = {by: row["key"], "commitments": row["made"]}
    assessments = (
        standing(Assessment, then.moment)
        .filter(commitment__in=then.reported)
        .values(key=F(f"commitment__{group}"))
        .annotate(**AssessmentQuerySet.level_counts())
    )
    for row in assessments:
        rows.setdefault(row["key"], {by: row["key"]}).update(row)
    panels = panel_sums(then.events, f"commitment__{group}", then.moment)
    for key, sums in panels.items():
        rows.setdefault(key, {by: key}).update(sums)
    for row in rows.values():
        row.pop("key", None)
    return list(rows.values())


def report_states(then):
    """AnnualReportQuerySet.report_states as it stood then (`then`: NetworkThen): per hub, the
    champions with commitments approved then (in office on the report's due date), and how many had
    submitted their report then, on time or late."""
    from champions.models import Champion

    submitted = submitted_reports(then.cycle, then.moment).filter(champion=OuterRef("pk"))
    return (
        Champion.objects.filter(pk__in=then.rows.values("champion"))
        .in_office_on(then.cycle.report_due_on)
        .order_by()
        .values("hub")
        .annotate(
            champions=Count("pk"),
            on_time=Count("pk", filter=Q(Exists(submitted.filter(late=False)))),
            late=Count("pk", filter=Q(Exists(submitted.filter(late=True)))),
        )
    )


def months(then):
    """CommitmentMonth totals as they stood then (`then`: NetworkThen): events and panel speakers
    per month of the cycle, all and split (MONTH_PARITY: parity_split), earliest first (the monthly
    roll-ups count the same: rollups._recount_months)."""
    panel = panels_condition()
    split = parity_split(then.moment, panel)
    return list(
        then.events.values(month=TruncMonth("occurred_on"))
        .annotate(
            events=Count("pk"),
            panel_women=Coalesce(Sum("women_count", filter=panel), 0),
            panel_men=Coalesce(Sum("men_count", filter=panel), 0),
            **{name: split[name] for name in MONTH_PARITY},
        )
        .order_by("month")
    )


def submitted_assessments(then):
    """The assessments standing then (`then`: NetworkThen) of commitments approved then whose
    champion then had submitted their report then: the narratives a report as of
    that day can tell (highlights)."""
    return standing(Assessment, then.moment).filter(commitment__in=then.reported)


def highlights(then):
    """The highlights the office picked (Highlight, today's picks in their order) as a report as of
    that day tells them: those whose report was submitted then (even if reopened since), each with
    its narrative as it stood then. The picks themselves are the office's editing of the report,
    not a figure: today's choice and order apply to any day (two queries)."""
    picked = Highlight.objects.picked(then.cycle).filter(assessment__commitment__in=then.approved)
    narratives = dict(
        submitted_assessments(then).filter(id__in=picked.values("assessment")).values_list("id", "narrative")
    )
    shown = []
    for highlight in picked:
        if highlight.assessment_id in narratives:
            highlight.assessment.narrative = narratives[highlight.assessment_id]
            shown.append(highlight)
    return shown


def status_counts(commitments, cycle, moment):
    """{status: how many} of the commitments approved at `moment`, at their status then."""
    return dict(
        commitments_then(commitments, cycle, moment).values_list("status").annotate(count=Count("id"))
    )


def overdue_statuses(commitments, cycle, moment, day):
    """{commitment id: its status then} of the commitments approved at `moment` that were overdue
    on `day` as they stood then: the one rule (CommitmentQuerySet.overdue_condition) on their
    history rows, which carry the same fields."""
    return dict(
        commitments_then(commitments, cycle, moment)
        .filter(Commitment.objects.overdue_condition(day))
        .values_list("id", "status")
    )


def outcomes(then):
    """{commitment id: its outcome then} (Assessment.outcome: the office's rating, else the
    self-assessment) of the commitments whose report was submitted then (`then`: NetworkThen)."""
    return {
        commitment: office_level or level
        for commitment, level, office_level in submitted_assessments(then).values_list(
            "commitment", "level", "office_level"
        )
        if office_level or level
    }


def pledge_panels(cycle, moment):
    """For CommitmentQuerySet.pledge_figures: {pledge id: PanelFigures} of the signers' panels in the
    cycle as they stood at `moment` (every commitment approved then: toward_pledges)."""

    def panels(signatures):
        approved = approved_then(Commitment.objects.toward_pledges(cycle), cycle, moment)
        events = events_in_cycle(approved, cycle, moment).filter(
            commitment__champion__pledge_signatures__in=signatures
        )
        sums = panel_sums(events, "commitment__champion__pledge_signatures__pledge", moment)
        return {pledge: PanelFigures(**figures) for pledge, figures in sums.items()}

    return panels


def report_then(report, moment):
    """A copy of `report` (never saved) as it stood at `moment`: submitted then or not (when, by
    whom, late or not), reviewed then or not, and `shown_then`, what it showed: (commitments,
    signatures) as Report.shown gives them, each commitment with its `report_assessment` then.

    A report submitted then and not reopened since showed what it keeps as signed off
    (Report.shown): that, with the assessments as they stood (the office may have rated them
    since). Any other is rebuilt from the history (champion_report)."""
    then = copy.copy(report)
    submitted = submitted_reports(report.cycle, moment).filter(champion=report.champion_id).first()
    then.submitted_at = submitted.submitted_at if submitted else None
    then.submitted_by_id = submitted.submitted_by_id if submitted else None
    then.late = submitted.late if submitted else False
    same_sign_off = submitted is not None and report.submitted_at == submitted.submitted_at
    if not same_sign_off:
        then._state.fields_cache.pop("submitted_by", None)
    # Reviewed is kept on the report, not in its history: reviewed then if reviewed before the
    # moment, and the review was of the submission that stood then.
    reviewed = same_sign_off and report.reviewed_at is not None and report.reviewed_at < moment
    then.reviewed_at = report.reviewed_at if reviewed else None
    then.reviewed_by_id = report.reviewed_by_id if reviewed else None
    if same_sign_off and report.signed_off is not None:
        commitments, signatures = report.shown()
        assessments = {
            row.commitment_id: row
            for row in standing(Assessment, moment).filter(commitment__in=[c.pk for c in commitments])
        }
        for commitment in commitments:
            commitment.report_assessment = assessments.get(commitment.pk)
        then.shown_then = commitments, signatures
    else:
        then.shown_then = champion_report(report, moment)
    return then


def champion_report(report, moment):
    """A champion's report rebuilt as it stood at `moment`: (commitments, signatures), as
    Report.shown gives them, with each commitment's `report_assessment` then (or None).

    Each commitment approved then has its status, target and kind of event counted as they were,
    its roll-ups counted again from the events and check-ins standing then (so `progress_percent`
    and `progress_figure` say what they said then), and its KEY_EVENTS latest events then. Six
    queries, whatever the number of events."""
    cycle = report.cycle
    commitments = list(report.commitments())
    approved = approved_then(
        Commitment.objects.filter(pk__in=[commitment.pk for commitment in commitments]), cycle, moment
    )
    then = {row.id: row for row in standing(Commitment, moment).filter(id__in=approved)}
    commitments = [commitment for commitment in commitments if commitment.pk in then]
    for commitment in commitments:
        for name in COMMITMENT_FIELDS_THEN:
            setattr(commitment, name, getattr(then[commitment.pk], name))
        for name in ROLLUP_FIELDS:
            setattr(commitment, name, Commitment._meta.get_field(name).get_default())
    by_pk = {commitment.pk: commitment for commitment in commitments}
    _count_events(by_pk, cycle, moment)
    _latest_values(by_pk, moment)
    for commitment in commitments:
        commitment.progress = commitment.progress_percent
    _key_events(by_pk, moment)
    assessments = {
        row.commitment_id: row for row in standing(Assessment, moment).filter(commitment__in=by_pk)
    }
    for commitment in commitments:
        commitment.report_assessment = assessments.get(commitment.pk)
    signatures = Commitment.objects.pledge_signatures(
        [report.champion_id], cycle, panels=pledge_panels_by_champion(cycle, moment)
    )
    return commitments, signatures


def _count_events(commitments, cycle, moment):
    """Set the event roll-ups of `commitments` ({pk: commitment}) from the events standing at
    `moment`, by the rules of rollups.recount: events in the cycle; counted, those of the kind the
    commitment counts (any, where it names none); the panel sums; the last event's day (of any)."""
    events = events_in_cycle(list(commitments), cycle, moment)
    for row in events.values("commitment_id", "kind", "scope").annotate(count=Count("pk")):
        commitment = commitments[row["commitment_id"]]
        commitment.events_in_cycle += row["count"]
        if not commitment.counts_kind or row["kind"] == commitment.counts_kind:
            commitment.counted_events += row["count"]
            if row["scope"] == "field":
                commitment.counted_in_field += row["count"]
    for pk, sums in panel_sums(events, "commitment_id", moment).items():
        for name, value in sums.items():
            setattr(commitments[pk], name, value)
    last = standing(ProgressEvent, moment).filter(commitment__in=list(commitments))
    for row in last.values("commitment_id").annotate(day=Max("occurred_on")):
        commitments[row["commitment_id"]].last_event_on = row["day"]


def _latest_values(commitments, moment):
    """An indicator's latest value then: its check-in of the latest day standing at `moment`."""
    check_ins = standing(CheckIn, moment).filter(commitment__in=list(commitments))
    for check_in in check_ins.order_by("commitment_id", "measured_on", "id"):
        commitment = commitments[check_in.commitment_id]
        commitment.latest_value, commitment.latest_value_on = check_in.value, check_in.measured_on
        if commitment.last_event_on is None or check_in.measured_on > commitment.last_event_on:
            commitment.last_event_on = check_in.measured_on


def _key_events(commitments, moment):
    """Each commitment's `key_events` then: its KEY_EVENTS latest events standing at `moment`."""
    latest = (
        standing(ProgressEvent, moment)
        .filter(commitment__in=list(commitments))
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=[F("commitment_id")],
                order_by=[F("occurred_on").desc(), F("id").desc()],
            )
        )
        .filter(place__lte=KEY_EVENTS)
        .order_by("commitment_id", "place")
    )
    for commitment in commitments.values():
        commitment.key_events = []
    for event in latest:
        commitments[event.commitment_id].key_events.append(event)


def pledge_panels_by_champion(cycle, moment):
    """For CommitmentQuerySet.pledge_signatures: {champion id: PanelFigures} of the panels in the
    cycle as they stood at `moment`, on their commitments approved then (toward_pledges)."""

    def panels(commitments):
        approved = approved_then(commitments, cycle, moment)
        sums = panel_sums(events_in_cycle(approved, cycle, moment), "commitment__champion", moment)
        return {champion: PanelFigures(**figures) for champion, figures in sums.items()}

    return panels
