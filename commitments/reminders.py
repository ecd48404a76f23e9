"""Reminders: which are due (planning), and sending each exactly once (delivery).

Modelled on healthchecks' sendalerts: every reminder is a row before anything is sent, unique
on (commitment, kind, day); a worker claims it with a conditional UPDATE (pending → sending) and
goes on only if that changed one row. Overlapping sweeps, a second beat or a redelivered task
therefore never send twice. The database is the schedule: nothing is queued for the future.
"""

import datetime
import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from commitments.emails import build_emails
from commitments.models import (
    Commitment,
    Cycle,
    OfficeDigest,
    Reminder,
    ReminderKind,
    ReminderState,
)

logger = logging.getLogger(__name__)

SEND_ERRORS = (smtplib.SMTPException, OSError)


def _latest_passed(days, today):
    """The latest of `days` that has come, or None: earlier ones are overtaken by it."""
    passed = [day for day in days if day <= today]
    return max(passed) if passed else None


def _before(deadline):
    return [deadline - datetime.timedelta(days=offset) for offset in settings.REMINDER_OFFSETS]


def overdue_notice_days(due_on):
    every = settings.OVERDUE_NOTICE_EVERY_DAYS
    return [due_on + datetime.timedelta(days=1 + every * n) for n in range(settings.OVERDUE_NOTICES_AT_MOST)]


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
        # Stale (see CommitmentQuerySet.stale) from the day after STALE_AFTER_DAYS without progress;
        # one nudge per stretch of that many days.
        quiet_since = commitment.last_event_on or commitment.cycle.starts_on
        stretch = settings.STALE_AFTER_DAYS
        stretches = ((today - quiet_since).days - 1) // stretch
        if stretches >= 1:
            add(ReminderKind.STALE, quiet_since + datetime.timedelta(days=stretches * stretch + 1), due_on)
    else:
        day = _latest_passed(overdue_notice_days(due_on), today)
        if day:
            add(ReminderKind.OVERDUE, day, due_on)
    return planned


def plan(today):
    """Create the reminder rows due today that do not exist yet; drop pending ones overtaken."""
    open_commitments = (
        Commitment.objects.open()
        .filter(champion__is_active=True)
        .select_related("cycle")
        .only("pk", "champion_id", "cycle_id", "due_on", "last_event_on", "cycle__starts_on")
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
            cycle.commitments.filter(champion__is_active=True)
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


def release_abandoned(now=None):
    """Reminders left 'sending' by a worker that died go back to pending; returns their ids.

    (The weekly digest's row too; the digest task sends it again when it next runs.)
    """
    cutoff = (now or timezone.now()) - datetime.timedelta(seconds=settings.REMINDER_SENDING_TIMEOUT)
    abandoned = Reminder.objects.filter(state=ReminderState.SENDING, claimed_at__lt=cutoff)
    ids = list(abandoned.values_list("pk", flat=True))
    Reminder.objects.filter(pk__in=ids, state=ReminderState.SENDING).update(state=ReminderState.PENDING)
    OfficeDigest.objects.filter(state=ReminderState.SENDING, claimed_at__lt=cutoff).update(
        state=ReminderState.PENDING
    )
    return ids


def sweep(today=None, queue=None):
    """One sweep: plan, release abandoned claims, then queue every pending reminder due by today.

    Returns the ids of the reminders to deliver. With `queue`, each id is handed to it once the
    transaction commits (a worker must see the row); a broker that cannot be reached loses
    nothing: the reminder stays pending and the next sweep queues it again.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        plan(today)
        release_abandoned()
        ids = list(
            Reminder.objects.filter(state=ReminderState.PENDING, due_on__lte=today)
            .order_by("due_on", "pk")
            .values_list("pk", flat=True)
        )
        if queue:
            transaction.on_commit(lambda: queue_deliveries(queue, ids))
    return ids


def queue_deliveries(queue, ids):
    """Hand each id to `queue` (a task's delay); False if the broker could not be reached.

    Nothing is lost when it cannot: the reminders stay pending and the next sweep queues them.
    """
    for reminder_id in ids:
        try:
            queue(reminder_id)
        except Exception:  # the broker's errors vary by transport; nothing is lost, so log and stop
            logger.exception("Could not queue reminder %s; the next sweep will", reminder_id)
            return False
    return True


@dataclass
class Outcome:
    state: str
    retry_in: int | None = None


def _claim(model, pk):
    """pending → sending, counting the attempt; True only for the one caller that changed the row."""
    return (
        model.objects.filter(pk=pk, state=ReminderState.PENDING).update(
            state=ReminderState.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
        )
        == 1
    )


def _send(model, obj, messages):
    """Send, then record the outcome; a failure goes back to pending for a retry, or fails for good."""
    try:
        with get_connection() as connection:
            connection.send_messages(messages)
    except SEND_ERRORS as error:
        attempt = model.objects.values_list("attempts", flat=True).get(pk=obj.pk)
        delays = settings.REMINDER_RETRY_DELAYS
        last_error = f"{type(error).__name__}: {error}"[:2000]
        if attempt > len(delays):
            model.objects.filter(pk=obj.pk).update(state=ReminderState.FAILED, last_error=last_error)
            logger.error("Giving up on %s after %s tries: %s", obj, attempt, last_error)
            return Outcome(ReminderState.FAILED)
        model.objects.filter(pk=obj.pk).update(state=ReminderState.PENDING, last_error=last_error)
        logger.warning(
            "Sending %s failed (try %s), retrying in %ss: %s", obj, attempt, delays[attempt - 1], last_error
        )
        return Outcome(ReminderState.PENDING, retry_in=delays[attempt - 1])
    model.objects.filter(pk=obj.pk, state=ReminderState.SENDING).update(
        state=ReminderState.SENT, sent_at=timezone.now(), last_error=""
    )
    return Outcome(ReminderState.SENT)


def is_still_needed(reminder, today):
    """A reminder claimed late (a retry, a catch-up) goes out only if it still says something true."""
    if not reminder.champion.is_active:
        return False
    commitment = reminder.commitment
    if commitment is None:
        return today <= reminder.deadline
    if not commitment.is_open:
        return False
    if reminder.kind == ReminderKind.STALE:
        return Commitment.objects.stale(today).filter(pk=commitment.pk).exists()
    if reminder.kind == ReminderKind.UPCOMING:
        return today <= commitment.due_on
    return True


def recipients(reminder):
    """The champion and each focal point, active, who want reminders (overdue notices go to all)."""
    champion = reminder.champion
    people = {user.pk: user for user in champion.focal_points.all()}
    if champion.user_id:
        people[champion.user_id] = champion.user
    return [
        user
        for user in people.values()
        if user.is_active and (user.reminder_emails or reminder.kind == ReminderKind.OVERDUE)
    ]


def reminder_context(reminder, today):
    context = {"reminder": reminder, "champion": reminder.champion, "today": today}
    if reminder.commitment:
        commitment = reminder.commitment
        context.update(
            commitment=commitment,
            days_left=commitment.days_left(today),
            overdue_by=-commitment.days_left(today),
            log_url=settings.SITE_URL + reverse("log_progress", args=[commitment.pk]),
        )
    else:
        context.update(
            commitments=list(
                reminder.cycle.commitments.filter(champion=reminder.champion).order_by("number")
            ),
            days_left=(reminder.deadline - today).days,
            home_url=settings.SITE_URL + reverse("home") + f"?cycle={reminder.cycle.year}",
        )
    return context


def deliver(reminder_id, today=None):
    """Send one reminder if this caller claims it; returns what became of it."""
    today = today or timezone.localdate()
    if not _claim(Reminder, reminder_id):
        return Outcome("not claimed")
    reminder = Reminder.objects.select_related("champion__user", "commitment__cycle", "cycle").get(
        pk=reminder_id
    )
    if not is_still_needed(reminder, today):
        reminder.delete()  # never sent, no longer true: nothing to keep
        return Outcome("dropped")
    people = recipients(reminder)
    if not people:
        Reminder.objects.filter(pk=reminder_id).update(
            state=ReminderState.FAILED, last_error="No recipient: nobody active wants reminder emails."
        )
        return Outcome(ReminderState.FAILED)
    context = reminder_context(reminder, today)
    return _send(Reminder, reminder, build_emails("reminder", context, people))


def digest_context(today):
    commitments = Commitment.objects.select_related("champion", "cycle").order_by(
        "due_on", "champion__full_name"
    )
    dashboard = settings.SITE_URL + reverse("dashboard")
    return {
        "today": today,
        "overdue": list(commitments.overdue(today)[:100]),
        "due_soon": list(commitments.due_within(settings.DIGEST_DUE_WITHIN_DAYS, today)[:100]),
        "stale": list(commitments.stale(today).order_by("last_event_on", "due_on")[:100]),
        "due_within_days": settings.DIGEST_DUE_WITHIN_DAYS,
        "dashboard_url": dashboard,
        "champion_url": settings.SITE_URL + "/dashboard/champions/",
    }


def send_digest(today=None):
    """The office's weekly digest, once per week however often it is called."""
    today = today or timezone.localdate()
    week_of = today - datetime.timedelta(days=today.weekday())
    digest, _ = OfficeDigest.objects.get_or_create(week_of=week_of)
    if not _claim(OfficeDigest, digest.pk):
        return Outcome("not claimed")
    people = list(User.objects.office_members())
    if not people:
        OfficeDigest.objects.filter(pk=digest.pk).update(
            state=ReminderState.FAILED, last_error="No office member to send it to."
        )
        return Outcome(ReminderState.FAILED)
    context = digest_context(today)
    return _send(OfficeDigest, digest, build_emails("digest", context, people))
