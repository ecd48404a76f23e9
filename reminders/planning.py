"""Planning: which reminders are due, as rows, before anything is sent.

Every reminder is a row before it goes out, unique on (commitment, kind, day) or, for a report,
(champion, cycle, kind, day): a second sweep, or one racing this one, plans nothing new. The
database is the schedule: nothing is queued for the future.
"""

import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef

from commitments.models import Commitment, Cycle
from reminders.models import Reminder, ReminderKind, ReminderState


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
    COMMITMENT_REMINDER_OFFSETS days before the cycle's commitments_due_on."""
    rows = []
    for cycle in Cycle.objects.filter(commitments_due_on__gte=today):
        day = _latest_passed(_before(cycle.commitments_due_on, settings.COMMITMENT_REMINDER_OFFSETS), today)
        if day:
            rows += [
                Reminder(
                    champion_id=champion_id,
                    cycle=cycle,
                    kind=ReminderKind.COMMITMENTS_DUE,
                    due_on=day,
                    deadline=cycle.commitments_due_on,
                )
                for champion_id in cycle.champions_yet_to_submit().values_list("pk", flat=True)
            ]
    return rows


def plan(today):
    """Create the reminder rows due today that do not exist yet; drop pending ones overtaken."""
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
    for cycle in Cycle.objects.filter(report_due_on__gte=today):
        day = _latest_passed(_before(cycle.report_due_on), today)
        if not day:
            continue
        champions = (
            cycle.commitments.approved()
            .filter(champion__is_active=True)
            # Reminders about the report stop once it is submitted.
            .exclude(champion__in=cycle.reports.submitted().values("champion"))
            .values_list("champion_id", flat=True)
            .distinct()
        )
        rows += [
            Reminder(
                champion_id=champion_id,
                cycle=cycle,
                kind=ReminderKind.REPORT_DUE,
                due_on=day,
                deadline=cycle.report_due_on,
            )
            for champion_id in champions
        ]
    rows += _commitments_due(today)
    # Why ignore_conflicts: the unique constraints make a second sweep, or one racing this one,
    # insert nothing new; the conflict is the database saying "already planned".
    Reminder.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    later = Reminder.objects.filter(kind=OuterRef("kind"), due_on__gt=OuterRef("due_on"), due_on__lte=today)
    Reminder.objects.filter(state=ReminderState.PENDING, commitment__isnull=False).filter(
        Exists(later.filter(commitment=OuterRef("commitment")))
    ).delete()
    Reminder.objects.filter(state=ReminderState.PENDING, commitment__isnull=True).filter(
        Exists(later.filter(commitment__isnull=True, champion=OuterRef("champion"), cycle=OuterRef("cycle")))
    ).delete()
