"""Roll-ups: each commitment's progress figures, derived from its progress events and stored on it.

Pages read a commitment's figures from its row (and the trend charts from its monthly rows,
CommitmentMonth) instead of counting its events each time. Every event write recounts its
commitment under the commitment's row lock in the same transaction (ProgressEvent.save), so the
stored figures always equal a recount; `manage.py recount_rollups` recounts them all.

A whole cycle's months (CycleMonth) are the sums of its commitments' months, kept as those change:
a recount takes away what a commitment's months were and adds what they are, and a commitment's
deletion takes them away (`take_away_months`, a pre_delete receiver).

Lock order, so that two writers never deadlock: the commitments first, in id order (their event
writes lock them, see ProgressEvent.save), then their cycles, in id order (`_lock_cycle_totals`),
before any of the cycle's month totals is written.
"""

from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import Count, F, Max, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Greatest, TruncMonth

from commitments import data_version
from commitments.models import Commitment, CommitmentMonth, Cycle, CycleMonth, EventKind
from commitments.models.months import MONTH_PARITY


def recount(commitments):
    """Recompute the roll-ups of `commitments` (a Commitment QuerySet) from their events; returns how many.

    Callers that write events lock the commitment rows first (see ProgressEvent.save), so a
    recount always sees every committed event. The office's figures change with it.
    """
    in_cycle = Q(events__occurred_on__gte=F("cycle__starts_on"), events__occurred_on__lte=F("cycle__ends_on"))
    counted = in_cycle & (Q(counts_kind="") | Q(events__kind=F("counts_kind")))
    # A panel the champion declined to speak on says nothing of the panels they joined.
    panel = in_cycle & Q(events__kind=EventKind.PANEL) & ~Q(events__panel_outcome="declined")
    # An indicator's latest reported value (the check-in of the latest day, the last logged that day).
    check_ins = (
        commitments.model._meta.get_field("check_ins")
        .related_model.objects.filter(commitment=OuterRef("pk"))
        .order_by("-measured_on", "-pk")
    )
    latest_on = Subquery(check_ins.values("measured_on")[:1])
    last_event = Max("events__occurred_on")
    rollups = {
        "events_in_cycle": Count("events", filter=in_cycle),
        "counted_events": Count("events", filter=counted),
        "counted_in_field": Count("events", filter=counted & Q(events__scope="field")),
        "panels_logged": Count("events", filter=panel),
        "panels_balanced": Count("events", filter=panel & Q(events__women_count__gte=F("events__men_count"))),
        "panels_single_sex": Count(
            "events", filter=panel & (Q(events__women_count=0) | Q(events__men_count=0))
        ),
        "panel_women": Coalesce(Sum("events__women_count", filter=panel), 0),
        "panel_men": Coalesce(Sum("events__men_count", filter=panel), 0),
        # The later of the last event and the last check-in: either is progress. (Coalesced both
        # ways: GREATEST is NULL on SQLite when either is.)
        "last_event_on": Greatest(Coalesce(last_event, latest_on), Coalesce(latest_on, last_event)),
        "latest_value": Subquery(check_ins.values("value")[:1]),
        "latest_value_on": latest_on,
    }
    counts = (
        # Why Min("pk"): an aggregate names the id column as we choose (a plain values() column
        # gets an alias of Django's choosing); within a group of one commitment it is its id.
        commitments.order_by()
        .values("pk")
        .annotate(rollup_id=Min("pk"), **{f"new_{name}": value for name, value in rollups.items()})
    )
    try:
        sql, params = counts.query.sql_with_params()
        split_sql, split_params = _parity_split(commitments).query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (pk__in=[]): nothing to recount
        return 0
    # One transaction, whoever calls (savepoint=False: none more inside the caller's): the figures,
    # the months and the cycles' totals change together, under the locks of the lock order.
    with transaction.atomic(using=commitments.db, savepoint=False):
        connection = connections[commitments.db]
        quote = connection.ops.quote_name
        table = quote(commitments.model._meta.db_table)
        assignments = [f"{quote(name)} = rollup.{quote('new_' + name)}" for name in rollups]
        # A commitment without counted panels has no row in the split: zeros.
        assignments += [f"{quote(name)} = COALESCE(split.{quote(name)}, 0)" for name in PARITY_SPLIT]
        # Why one UPDATE ... FROM: a set-based write recounts 10,000 commitments in one statement
        # (bulk_update builds a CASE per row in Python). PostgreSQL and SQLite 3.33+ both take it.
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS target SET {', '.join(assignments)} "
                f"FROM ({sql}) AS rollup LEFT JOIN ({split_sql}) AS split ON split.split_of = rollup.rollup_id "
                "WHERE target.id = rollup.rollup_id",
                (*params, *split_params),
            )
            recounted = cursor.rowcount
        # Progress from the roll-ups just written (and the target and status): the column pages sum.
        commitments.model._default_manager.using(commitments.db).filter(
            pk__in=commitments.order_by().values("pk")
        ).refresh_progress()
        _recount_months(commitments, connection)
        data_version.changed(using=commitments.db)
    return recounted


# The split of a commitment's panels kept on it (Commitment.confirmed_panels...).
PARITY_SPLIT = [
    "confirmed_panels",
    "confirmed_women",
    "confirmed_men",
    "self_reported_women",
    "self_reported_men",
]


def _parity_split(commitments):
    """Per commitment (`split_of`), its panels split by the one rule of panel parity
    (ProgressEventQuerySet.panel_parity_by): organiser-confirmed, with the organiser's figures, and
    self-reported.

    Why roll-ups (here, and per month in _recount_months) rather than a grouped query on each
    page: pages and exports sum commitments' panel roll-ups (and the trends, months' roll-ups) in
    the queries they run already, so the split costs none more at any size."""
    events = commitments.model._meta.get_field("events").related_model.objects
    return events.filter(commitment__in=commitments.order_by().values("pk")).panel_parity_by(
        split_of=F("commitment_id")
    )


def _recount_months(commitments, connection):
    """The per-month roll-ups (CommitmentMonth) of these commitments, rebuilt from their events."""
    events = commitments.model._meta.get_field("events").related_model.objects
    ids = commitments.order_by().values("pk")
    panel = Q(kind=EventKind.PANEL) & ~Q(panel_outcome="declined")
    months = (
        events.filter(
            commitment__in=ids,
            occurred_on__gte=F("commitment__cycle__starts_on"),
            occurred_on__lte=F("commitment__cycle__ends_on"),
        )
        .order_by()
        .values(
            month_of=F("commitment_id"),
            month_cycle=F("commitment__cycle_id"),
            month_start=TruncMonth("occurred_on"),
        )
        .annotate(
            month_events=Count("pk"),
            month_women=Coalesce(Sum("women_count", filter=panel), 0),
            month_men=Coalesce(Sum("men_count", filter=panel), 0),
        )
    )
    sql, params = months.query.sql_with_params()
    # Each month's panels split by the one rule (ProgressEventQuerySet.panel_parity_by).
    split = events.filter(commitment__in=ids).panel_parity_by(
        split_of=F("commitment_id"), split_start=TruncMonth("occurred_on")
    )
    split_sql, split_params = split.query.sql_with_params()
    quote = connection.ops.quote_name
    _lock_cycle_totals(ids, connection)
    _add_to_cycle_months(ids, connection, sign=-1)
    CommitmentMonth.objects.using(commitments.db).filter(commitment__in=ids).delete()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(CommitmentMonth._meta.db_table)} "
            f"(commitment_id, cycle_id, month, events, panel_women, panel_men, {', '.join(MONTH_PARITY)}) "
            "SELECT month_of, month_cycle, month_start, month_events, month_women, month_men, "
            + ", ".join(f"COALESCE(split.{quote(name)}, 0)" for name in MONTH_PARITY)
            + f" FROM ({sql}) AS months LEFT JOIN ({split_sql}) AS split "
            "ON split.split_of = months.month_of AND split.split_start = months.month_start",
            (*params, *split_params),
        )
    _add_to_cycle_months(ids, connection, sign=1)


def take_away_months(sender, instance, using, **kwargs):
    """pre_delete receiver for Commitment: its months leave its cycle's totals before they go with it.

    The commitment is locked first, as event writes lock it (events/models.py), so an event saved
    at the same moment is either counted in the months taken away or waits for the deletion.
    """
    sender.objects.using(using).filter(pk=instance.pk).lock()
    _lock_cycle_totals([instance.pk], connections[using])
    _add_to_cycle_months([instance.pk], connections[using], sign=-1)


def _lock_cycle_totals(commitment_ids, connection):
    """Lock the cycles whose month totals (CycleMonth) a recount of these commitments changes, in id order.

    Why: every event write of a cycle takes from and adds to the same few CycleMonth rows (this
    month's, above all), and an UPDATE or an upsert locks its rows in whatever order its plan
    reads them. Two writers that met on two months in opposite orders deadlocked, and PostgreSQL
    cancelled one of them: the person logging progress got "temporarily unavailable" (12 writers
    at once on the demo's cycle: 118 of 480 saves). Holding the cycle row first makes the writers
    of one cycle take turns at its totals, for the milliseconds the totals take. FOR NO KEY UPDATE:
    rows that refer to the cycle (commitments, months) can still be inserted meanwhile.
    """
    months = CommitmentMonth.objects.using(connection.alias).filter(commitment__in=commitment_ids)
    commitments = Commitment.objects.using(connection.alias).filter(pk__in=commitment_ids)
    list(
        Cycle.objects.using(connection.alias)
        .select_for_update(no_key=True)
        .filter(Q(pk__in=months.values("cycle")) | Q(pk__in=commitments.values("cycle")))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _add_to_cycle_months(commitment_ids, connection, sign):
    """Add the months of these commitments to their cycles' months (CycleMonth), or take them away (sign -1).

    Why sums added, not recomputed: two writers of different commitments recounting at once would
    each recompute a month without the other's uncommitted rows, and the last to write would win.
    Added and taken away, each writer changes the total by its own commitments' share only.
    """
    months = (
        CommitmentMonth.objects.using(connection.alias)
        .filter(commitment__in=commitment_ids)
        .order_by()
        .values(total_cycle=F("cycle"), total_month=F("month"))
        .annotate(
            total_events=Sum("events"),
            total_women=Sum("panel_women"),
            total_men=Sum("panel_men"),
            **{f"total_{name}": Sum(name) for name in MONTH_PARITY},
        )
    )
    sql, params = months.query.sql_with_params()
    table = connection.ops.quote_name(CycleMonth._meta.db_table)
    # Column of CycleMonth: its sum in `months`.
    sums = {
        "events": "total_events",
        "panel_women": "total_women",
        "panel_men": "total_men",
        **{name: f"total_{name}" for name in MONTH_PARITY},
    }
    with connection.cursor() as cursor:
        if sign > 0:
            # Why WHERE true: SQLite needs a WHERE to tell an upsert's ON CONFLICT from a join's ON.
            cursor.execute(
                f"INSERT INTO {table} (cycle_id, month, {', '.join(sums)}) "
                f"SELECT total_cycle, total_month, {', '.join(sums.values())} "
                f"FROM ({sql}) AS months WHERE true "
                "ON CONFLICT (cycle_id, month) DO UPDATE SET "
                + ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in sums),
                params,
            )
        else:
            cursor.execute(
                f"UPDATE {table} AS total SET "
                + ", ".join(f"{name} = total.{name} - months.{total}" for name, total in sums.items())
                + f" FROM ({sql}) AS months "
                "WHERE total.cycle_id = months.total_cycle AND total.month = months.total_month",
                params,
            )
