"""Delivery: sending each planned reminder exactly once.

Modelled on healthchecks' sendalerts: every reminder is a row before anything is sent (see
planning.py); a worker claims it with a conditional UPDATE (pending → sending) and goes on only if
that changed one row. Overlapping sweeps, a second beat or a redelivered task therefore never send
twice.
"""

import datetime
import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.emails import build_emails
from accounts.models import User
from commitments.models import Commitment, Cycle
from reminders.models import OfficeDigest, Reminder, ReminderKind, ReminderState
from reminders.planning import plan

logger = logging.getLogger(__name__)

SEND_ERRORS = (smtplib.SMTPException, OSError)


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


def sweep(today=None):
    """One sweep: plan, release abandoned claims; returns the ids of every pending reminder due by
    today, committed, for the caller to deliver (tasks.queue_deliveries, or send_reminders)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        plan(today)
        release_abandoned()
        return list(
            Reminder.objects.filter(state=ReminderState.PENDING, due_on__lte=today)
            .order_by("due_on", "pk")
            .values_list("pk", flat=True)
        )


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
    if reminder.kind == ReminderKind.COMMITMENTS_DUE:
        waiting = reminder.cycle.champions_yet_to_submit().filter(pk=reminder.champion_id)
        return today <= reminder.deadline and waiting.exists()
    if commitment is None:  # the report
        submitted = reminder.cycle.reports.submitted().filter(champion=reminder.champion_id).exists()
        return today <= reminder.deadline and not submitted
    if not commitment.is_approved or not commitment.is_open:
        return False
    if reminder.kind == ReminderKind.STALE:
        return commitment.is_stale(today)
    if reminder.kind == ReminderKind.UPCOMING:
        return today <= commitment.due_on
    return True


def recipients(reminder):
    """The champion and each focal point, active, who want reminders (overdue notices go to all)."""
    return [
        user
        for user in reminder.champion.people()
        if user.reminder_emails or reminder.kind == ReminderKind.OVERDUE
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
    elif reminder.kind == ReminderKind.COMMITMENTS_DUE:
        context.update(
            days_left=(reminder.deadline - today).days,
            set_url=settings.SITE_URL + reverse("set_commitments", args=[reminder.cycle.year]),
        )
    else:
        context.update(
            commitments=list(
                reminder.cycle.commitments.approved().filter(champion=reminder.champion).order_by("number")
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
    commitments = Commitment.objects.approved().select_related("champion", "cycle").order_by(
        "due_on", "champion__full_name"
    )
    dashboard = settings.SITE_URL + reverse("dashboard")
    return {
        "today": today,
        "overdue": list(commitments.overdue(today)[:100]),
        "due_soon": list(commitments.due_within(settings.DIGEST_DUE_WITHIN_DAYS, today)[:100]),
        "stale": list(commitments.stale(today).order_by("last_event_on", "due_on")[:100]),
        "due_within_days": settings.DIGEST_DUE_WITHIN_DAYS,
        "awaiting_review": Commitment.objects.awaiting_review().count(),
        "review_url": settings.SITE_URL + reverse("dashboard_review"),
        "late_setting": [
            (cycle, list(cycle.champions_yet_to_submit().order_by("full_name")[:100]))
            for cycle in Cycle.objects.filter(commitments_due_on__lt=today, ends_on__gte=today).order_by("year")
        ],
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
