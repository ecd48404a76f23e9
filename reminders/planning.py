"""Planning: which reminders are due, as rows, before anything is sent.

Every reminder is a row before it goes out, unique on (commitment, kind, day) or, for a report,
(champion, cycle, kind, day): a second sweep, or one racing this one, plans nothing new. The
database is the schedule: nothing is queued for the future.
"""

import datetime

from django.conf import settings
from django.db.models import Exists, F, Max, Min, OuterRef, Q
from django.utils import timezone

from accounts.models import DeliveryState
from commitments import data_version
from commitments.models import CLOSED_STATUSES, Commitment, Cycle
from events.models import ProgressEvent
from reminders.models import Escalation, Reminder, ReminderKind


def _latest_passed(days, today):
    """The latest of `days` that has come, or None: earlier ones are overtaken by it."""
    passed = [day for day in days if day <= today]
    return max(passed) if passed else None


def _before(deadline, offsets=None):
    offsets = settings.REMINDER_OFFSETS if offsets is None else offsets
    return [deadline - datetime.timedelta(days=offset) for offset in offsets]


def overdue_notice_days(due_on):
    every = settings.OVERDUE_NOTICE_EVERY_DAYS
    return [due_on + datetime.timedelta(days=1 + every * n) for n in range(settings.OVERDUE_NOTICES_AT_MOST)]


def stale_notice_day(commitment, today):
    """The day the current nudge about no progress is due: one per stretch of STALE_AFTER_DAYS
    without progress, from the day the commitment became stale (Commitment.is_stale)."""
    stretch = settings.STALE_AFTER_DAYS
    quiet_since = commitment.quiet_since
    stretches = ((today - quiet_since).days - 1) // stretch
    return quiet_since + datetime.timedelta(days=stretches * stretch + 1)


def planned_for(commitment, today):
    """The reminders a commitment is due for today (one per kind at most), as unsaved rows."""
    planned = []
    due_on = commitment.due_on

    def add(kind, day, deadline):
        planned.append(
            Reminder(
                champion_id=commitment.champion_id,
                commitment=commitment,
                cycle_id=commitment.cycle_id,
                kind=kind,
                due_on=day,
                deadline=deadline,
            )
        )

    if today <= due_on:
        day = _latest_passed(_before(due_on), today)
        if day:
            add(ReminderKind.UPCOMING, day, due_on)
        if commitment.is_stale(today):
            add(ReminderKind.STALE, stale_notice_day(commitment, today), due_on)
    else:
        day = _latest_passed(overdue_notice_days(due_on), today)
        if day:
            add(ReminderKind.OVERDUE, day, due_on)
    return planned


def _commitments_due(today):
    """Reminders to set the cycle's commitments, to the champions who have yet to submit them, at
    COMMITMENT_REMINDER_OFFSETS days before the cycle's commitments_due_on (none in a closed cycle)."""
    rows = []
    for cycle in Cycle.objects.filter(commitments_due_on__gte=today, is_closed=False):
        day = _latest_passed(_before(cycle.commitments_due_on, settings.COMMITMENT_REMINDER_OFFSETS), today)
        if day:
            champions = cycle.champions_yet_to_submit().values_list("pk", flat=True)
            rows += _champions_reminders(
                champions, cycle, ReminderKind.COMMITMENTS_DUE, day, cycle.commitments_due_on
            )
    return rows


def _champions_reminders(champion_ids, cycle, kind, day, deadline):
    """Reminders that belong to a champion and a cycle (not to a commitment), as unsaved rows."""
    return [
        Reminder(champion_id=champion_id, cycle=cycle, kind=kind, due_on=day, deadline=deadline)
        for champion_id in champion_ids
    ]


def escalate(today):
    """Overdue commitments nobody acted on reach the office: escalated ESCALATE_AFTER_DAYS after their
    first overdue notice went out, when no progress has been logged since, once per deadline; cleared
    once progress is logged, the commitment or its cycle is closed (a closed cycle's commitments are
    never overdue), or its due date moves. The office's figures show escalations, so a change gives
    them a new data version."""
    first_notices = (
        Reminder.objects.filter(kind=ReminderKind.OVERDUE, state=DeliveryState.SENT, commitment__isnull=False)
        .values("commitment", "deadline")
        .annotate(first=Min("due_on"))
        .filter(first__lte=today - datetime.timedelta(days=settings.ESCALATE_AFTER_DAYS))
    )
    overdue = Commitment.objects.approved().overdue(today)
    candidates = {
        (notice["commitment"], notice["deadline"]): notice["first"]
        for notice in first_notices.filter(commitment__in=overdue.values("pk"))
    }
    # Progress logged since the first notice, by when it was logged (not the day it says it happened).
    last_logged = dict(
        ProgressEvent.objects.filter(commitment__in={pk for pk, _ in candidates})
        .values("commitment")
        .annotate(last=Max("created_at"))
        .values_list("commitment", "last")
    )
    quiet = [
        (pk, deadline)
        for pk, deadline in overdue.filter(pk__in={pk for pk, _ in candidates}).values_list("pk", "due_on")
        if (pk, deadline) in candidates
        and (pk not in last_logged or timezone.localdate(last_logged[pk]) < candidates[(pk, deadline)])
    ]
    created = Escalation.objects.bulk_create(
        [
            Escalation(
                commitment_id=pk,
                deadline=deadline,
                first_notice_on=candidates[(pk, deadline)],
                escalated_on=today,
            )
            for pk, deadline in quiet
        ],
        ignore_conflicts=True,  # once per deadline: the unique constraint
    )
    active = Escalation.objects.filter(cleared_on__isnull=True)
    acted_on = active.filter(
        Q(commitment__status__in=CLOSED_STATUSES)
        | Q(commitment__cycle__is_closed=True)
        | ~Q(commitment__due_on=F("deadline"))
        | Exists(
            ProgressEvent.objects.filter(
                commitment=OuterRef("commitment"), created_at__date__gte=OuterRef("escalated_on")
            )
        )
    )
    cleared = acted_on.update(cleared_on=today)
    if created or cleared:
        data_version.changed()


def plan(today):
    """Create the reminder rows due today that do not exist yet; drop pending ones overtaken.

    A closed cycle (a past year kept as history) is reminded of nothing: its commitments are not
    open (CommitmentQuerySet.open), and its report and commitments are not asked for."""
    open_commitments = (
        Commitment.objects.approved()
        .open()
        .filter(champion__is_active=True)
        .select_related("cycle")
        .only("pk", "champion_id", "cycle_id", "due_on", "status", "last_event_on", "cycle__starts_on")
    )
    rows = [
        row
        for commitment in open_commitments.iterator(chunk_size=2000)
        for row in planned_for(commitment, today)
    ]
    for cycle in Cycle.objects.filter(report_due_on__gte=today, is_closed=False):
        day = _latest_passed(_before(cycle.report_due_on), today)
        if not day:
            continue
        champions = (
            cycle.commitments.approved()
            .filter(champion__is_active=True)
            # Not asked of a champion who handed over by then (ChampionQuerySet.in_office_on, as a join).
            .exclude(champion__left_on__lte=cycle.report_due_on)
            # Reminders about the report stop once it is submitted.
            .exclude(champion__in=cycle.reports.submitted().values("champion"))
            .values_list("champion_id", flat=True)
            .distinct()
        )
        rows += _champions_reminders(champions, cycle, ReminderKind.REPORT_DUE, day, cycle.report_due_on)
    rows += _commitments_due(today)
    # Why ignore_conflicts: the unique constraints make a second sweep, or one racing this one,
    # insert nothing new; the conflict is the database saying "already planned".
    Reminder.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    later = Reminder.objects.filter(kind=OuterRef("kind"), due_on__gt=OuterRef("due_on"), due_on__lte=today)
    Reminder.objects.filter(state=DeliveryState.PENDING, commitment__isnull=False).filter(
        Exists(later.filter(commitment=OuterRef("commitment")))
    ).delete()
    Reminder.objects.filter(state=DeliveryState.PENDING, commitment__isnull=True).filter(
        Exists(later.filter(commitment__isnull=True, champion=OuterRef("champion"), cycle=OuterRef("cycle")))
    ).delete()
    escalate(today)
