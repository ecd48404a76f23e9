"""Delivery: everything due for a person, in one email, each planned reminder sent exactly once.

Modelled on healthchecks' sendalerts: every reminder is a row before anything is sent (planning.py).
A sweep puts each reminder due into its recipients' next grouped message (Message: one per person
a day, or a Monday for those who chose weekly); a worker claims a message with a conditional UPDATE
(pending → sending) and goes on only if that changed one row. Overlapping sweeps, a second beat or
a redelivered task therefore never send twice; the unique (reminder, person) pair of MessageItem
means nobody gets a reminder in two messages.
"""

import contextlib
import datetime

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Count, F, Max, Prefetch
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from accounts.emails import SEND_ERRORS, Outcome, build_emails, send
from accounts.models import DeliveryState, ReminderFrequency, User
from champions.models import Champion
from commitments.models import Approval, ApprovalChange, Commitment, Cycle
from reminders.models import Escalation, Message, MessageItem, OfficeDigest, Reminder, ReminderKind
from reminders.planning import plan
from reports.models import Report, ReportStep

# Most urgent first: the order of lines within a champion's part of a message.
URGENCY = [
    ReminderKind.OVERDUE,
    ReminderKind.UPCOMING,
    ReminderKind.STALE,
    ReminderKind.COMMITMENTS_DUE,
    ReminderKind.REPORT_DUE,
]


def release_abandoned(now=None):
    """Messages left 'sending' by a worker that died go back to pending; returns their ids. The
    weekly digest's row too (its task sends it again), and reminders left so by older releases."""
    ids = Message.objects.release_abandoned(now)
    Reminder.objects.release_abandoned(now)
    OfficeDigest.objects.release_abandoned(now)
    return ids


def sweep(today=None):
    """One sweep: plan, release abandoned claims, put every pending reminder due by today in its
    recipients' messages; returns the ids of the messages due, committed, for the caller to deliver
    (tasks.queue_deliveries, or send_reminders)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        plan(today)
        release_abandoned()
        group(Reminder.objects.filter(state=DeliveryState.PENDING, due_on__lte=today), today)
        return list(
            Message.objects.filter(state=DeliveryState.PENDING, due_on__lte=today)
            .order_by("due_on", "pk")
            .values_list("pk", flat=True)
        )


def message_day(user, today):
    """The day a person's next message goes out: today, or the coming Monday for weekly readers."""
    if user.reminder_frequency == ReminderFrequency.WEEKLY:
        return today + datetime.timedelta(days=(7 - today.weekday()) % 7)
    return today


def wants(user, kind):
    """Whether a person gets reminders of this kind: overdue notices go to everyone."""
    return user.reminder_emails or kind == ReminderKind.OVERDUE


def group(reminders, today, at_once=False):
    """Put each reminder in the next message of each of its recipients (the champion and their focal
    points, active, who want it), in a fixed number of queries whatever the number of reminders.
    `at_once`: in today's message even for those who read theirs on Mondays (the office's "remind
    them now")."""
    reminders = list(reminders.select_related("champion__user").order_by("pk"))
    champions = {reminder.champion_id for reminder in reminders}
    people = {
        champion.pk: champion.people()
        for champion in Champion.objects.filter(pk__in=champions)
        .select_related("user")
        .prefetch_related(Prefetch("focal_points", queryset=User.objects.filter(is_active=True)))
    }
    pairs, nobody = [], []
    for reminder in reminders:
        readers = [user for user in people.get(reminder.champion_id, []) if wants(user, reminder.kind)]
        pairs += [(reminder, user) for user in readers]
        if not readers:
            nobody.append(reminder.pk)
    if nobody:
        Reminder.objects.filter(pk__in=nobody, state=DeliveryState.PENDING).update(
            state=DeliveryState.FAILED, last_error="No recipient: nobody active wants reminder emails."
        )
    # Only those not in a message of that person already (they are the same pairs a racing sweep
    # might add: MessageItem's unique constraint settles that race below).
    already = set(
        MessageItem.objects.filter(reminder__in=[reminder.pk for reminder in reminders]).values_list(
            "reminder", "user"
        )
    )
    pairs = [(reminder, user) for reminder, user in pairs if (reminder.pk, user.pk) not in already]
    if not pairs:
        return
    days = {user.pk: today if at_once else message_day(user, today) for _, user in pairs}
    # Why ignore_conflicts: one pending message per person and day (a unique constraint), whoever
    # creates it; a racing sweep's insert is the database saying "it exists".
    Message.objects.bulk_create(
        [Message(user_id=pk, due_on=day) for pk, day in days.items()], ignore_conflicts=True
    )
    open_messages = {
        (message.user_id, message.due_on): message.pk
        for message in Message.objects.filter(state=DeliveryState.PENDING, user__in=days)
    }
    MessageItem.objects.bulk_create(
        [
            MessageItem(message_id=open_messages[(user.pk, days[user.pk])], reminder=reminder, user=user)
            for reminder, user in pairs
            if (user.pk, days[user.pk]) in open_messages
        ],
        ignore_conflicts=True,  # already in a message of this person: nobody gets a reminder twice
    )


def still_needed(reminders, today):
    """The reminders that still say something true today (a retry, a catch-up may come late), in a
    fixed number of queries: their cycle not closed since they were planned (a past year kept as
    history), commitments open and approved, reports not submitted (nor, once it is, any deadline
    of that champion's cycle), commitments not yet submitted, deadlines not passed."""
    reported_on = {(r.cycle_id, r.champion_id) for r in reminders if r.kind != ReminderKind.COMMITMENTS_DUE}
    submitted_reports = set()
    if reported_on:
        submitted_reports = set(
            Report.objects.submitted()
            .filter(
                cycle__in={cycle for cycle, _ in reported_on},
                champion__in={champion for _, champion in reported_on},
            )
            .values_list("cycle", "champion")
        )
    waiting = set()
    setting = {r.cycle_id for r in reminders if r.kind == ReminderKind.COMMITMENTS_DUE}
    for cycle in Cycle.objects.filter(pk__in=setting) if setting else ():
        waiting |= {(cycle.pk, pk) for pk in cycle.champions_yet_to_submit().values_list("pk", flat=True)}

    def needed(reminder):
        if not reminder.champion.is_active or reminder.cycle.is_closed:
            return False
        commitment = reminder.commitment
        if reminder.kind == ReminderKind.COMMITMENTS_DUE:
            return _timely(reminder, today) and (reminder.cycle_id, reminder.champion_id) in waiting
        if commitment is None:  # the report
            return (
                _timely(reminder, today)
                and (reminder.cycle_id, reminder.champion_id) not in submitted_reports
            )
        if not commitment.is_approved or not commitment.is_open:
            return False
        if (reminder.cycle_id, reminder.champion_id) in submitted_reports:
            return False
        if reminder.kind == ReminderKind.STALE:
            return commitment.is_stale(today)
        if reminder.kind == ReminderKind.UPCOMING:
            return today <= commitment.due_on
        return True

    return [reminder for reminder in reminders if needed(reminder)]


def _timely(reminder, today):
    """A reminder of a deadline still to come, not caught up after it has passed (it would say "in
    -3 days"); one due after its deadline (the office reminding the late, remind_now) says how late."""
    return today <= reminder.deadline or reminder.due_on > reminder.deadline


def remind_now(champion_ids, cycle, kind, today=None):
    """The office reminds these champions (their side) of what they have not done in the cycle: set
    their commitments (COMMITMENTS_DUE) or sign off their report (REPORT_DUE). At most once a day
    each: the reminder is a row unique per champion, cycle, kind and day, so a double click, two
    office members at once, or a reminder the sweep planned for today, make one email.

    Returns the ids of the reminders made now (for group_now(..., at_once=True)) and how many of the
    champions had one today already."""
    today = today or timezone.localdate()
    deadline = cycle.commitments_due_on if kind == ReminderKind.COMMITMENTS_DUE else cycle.report_due_on
    made, already = [], 0
    with transaction.atomic():
        for champion_id in champion_ids:
            # Why get_or_create and not one bulk insert: it says which were made by this call (the
            # office is told how many), and a conflict with the unique constraint (another office
            # member, the same moment) is settled in its savepoint.
            reminder, created = Reminder.objects.get_or_create(
                champion_id=champion_id,
                cycle=cycle,
                kind=kind,
                due_on=today,
                commitment=None,
                defaults={"deadline": deadline},
            )
            if created:
                made.append(reminder.pk)
            else:
                already += 1
    return made, already


def message_context(user, reminders, today):
    """A person's message: their reminders grouped by champion, most urgent first, one line per
    commitment (every reason it is reminded of together: due soon and no recent progress), with its
    figure, due date and link; one line per report or set of commitments asked for. The subject
    says what matters most."""
    escalated = set(
        Escalation.objects.filter(
            commitment__in=[r.commitment_id for r in reminders if r.commitment_id], cleared_on__isnull=True
        ).values_list("commitment", flat=True)
    )
    champions = {}
    lines = {}
    for reminder in reminders:
        about = (
            ("commitment", reminder.commitment_id)
            if reminder.commitment_id
            else (reminder.kind, reminder.cycle_id)
        )
        line = lines.get((reminder.champion_id, about))
        if line is None:
            line = lines[(reminder.champion_id, about)] = _line(reminder, today, escalated)
            champions.setdefault(reminder.champion_id, {"champion": reminder.champion, "lines": []})[
                "lines"
            ].append(line)
        if reminder.kind not in line["reasons"]:
            line["reasons"].append(reminder.kind)
    groups = []
    for group in champions.values():
        for line in group["lines"]:
            line["reasons"].sort(key=URGENCY.index)
            line["kind"] = line["reasons"][0]  # the most urgent says how the line reads
            line["stale"] = ReminderKind.STALE in line["reasons"]
        group["lines"].sort(key=lambda line: (URGENCY.index(line["kind"]), line["days_left"]))
        groups.append(group)
    groups.sort(key=lambda group: (URGENCY.index(group["lines"][0]["kind"]), group["lines"][0]["days_left"]))
    counts = {kind: sum(1 for r in reminders if r.kind == kind) for kind in URGENCY}
    return {"user": user, "groups": groups, "counts": counts, "today": today, "headline": headline(counts)}


def _line(reminder, today, escalated):
    """A line of a message, for what `reminder` is about (its reasons are added by the caller)."""
    days_left = (reminder.deadline - today).days
    line = {"reminder": reminder, "reasons": [], "days_left": days_left, "late_by": -days_left}
    if reminder.commitment_id:
        commitment = reminder.commitment
        line.update(
            commitment=commitment,
            days_left=commitment.days_left(today),
            overdue_by=-commitment.days_left(today),
            quiet_days=(today - commitment.quiet_since).days,
            escalated=commitment.pk in escalated,
            log_url=settings.SITE_URL + reverse("log_progress", args=[commitment.pk]),
        )
    elif reminder.kind == ReminderKind.COMMITMENTS_DUE:
        line["url"] = settings.SITE_URL + reverse("set_commitments", args=[reminder.cycle.year])
    else:
        line["url"] = settings.SITE_URL + reverse(
            "champion_report", args=[reminder.cycle.year, reminder.champion_id]
        )
    return line


def headline(counts):
    """What matters most, for the subject: "Overdue: 1 commitment; 3 due soon"."""
    parts = []
    if counts[ReminderKind.OVERDUE]:
        parts.append(
            ngettext(
                "Overdue: %(count)s commitment",
                "Overdue: %(count)s commitments",
                counts[ReminderKind.OVERDUE],
            )
            % {"count": counts[ReminderKind.OVERDUE]}
        )
    if counts[ReminderKind.UPCOMING]:
        parts.append(gettext("%(count)s due soon") % {"count": counts[ReminderKind.UPCOMING]})
    if counts[ReminderKind.STALE]:
        parts.append(
            ngettext(
                "%(count)s without recent progress",
                "%(count)s without recent progress",
                counts[ReminderKind.STALE],
            )
            % {"count": counts[ReminderKind.STALE]}
        )
    if counts[ReminderKind.COMMITMENTS_DUE]:
        parts.append(gettext("commitments to submit"))
    if counts[ReminderKind.REPORT_DUE]:
        parts.append(gettext("annual report due"))
    return "; ".join(parts[:3])


def deliver(message_id, today=None, connection=None):
    """Send one person's message if this caller claims it; returns what became of it.

    `connection`: an email backend shared by a batch of messages (deliver_batch), else one of its own."""
    today = today or timezone.localdate()
    # Each statement commits on its own: the claim before anything is sent (another worker must see
    # it), the message's "sent" before its reminders are looked at (see below).
    if not Message.objects.claim(message_id):
        return Outcome("not claimed")
    message = Message.objects.select_related("user").get(pk=message_id)
    reminders = list(
        Reminder.objects.filter(items__message=message)
        .select_related("champion", "commitment__cycle", "cycle")
        .order_by("pk")
    )
    Reminder.objects.filter(pk__in=[reminder.pk for reminder in reminders]).update(
        attempts=F("attempts") + 1, claimed_at=timezone.now()
    )
    needed = still_needed(reminders, today)
    dropped = [reminder.pk for reminder in reminders if reminder not in needed]
    if dropped:
        # Never sent to this person, no longer true: out of the message, and gone if in no other.
        MessageItem.objects.filter(message=message, reminder__in=dropped).delete()
        Reminder.objects.filter(pk__in=dropped, items__isnull=True, state=DeliveryState.PENDING).delete()
    if not needed or not message.user.can_sign_in:  # deactivated, or their password made unusable
        message.delete()
        return Outcome("dropped")
    with translation.override(message.user.email_language):  # the subject is worked out here
        context = message_context(message.user, needed, today)
    emails = build_emails("reminders", context, [message.user])
    ids = [reminder.pk for reminder in needed]
    outcome = send(message, emails, connection)
    if outcome.state == DeliveryState.SENT:
        # A reminder is sent once every message it is in has gone. Why not in the message's own
        # transaction: two workers sending a reminder's two messages at once would each look before
        # the other's "sent" is committed, and neither would mark it. Committed first, the later
        # look sees both.
        Reminder.objects.filter(pk__in=ids, state=DeliveryState.PENDING).exclude(
            items__message__state__in=[DeliveryState.PENDING, DeliveryState.SENDING, DeliveryState.FAILED]
        ).update(state=DeliveryState.SENT, sent_at=timezone.now(), last_error="")
    elif outcome.state == DeliveryState.FAILED:
        Reminder.objects.filter(pk__in=ids).update(
            state=DeliveryState.FAILED, last_error=f"The email to {message.user.email} could not be sent."
        )
    return outcome


def deliver_batch(message_ids, today=None):
    """Deliver several people's messages over one connection to the mail server (a connection per
    message, its greeting and goodbye, took 4 of a message's 30 ms against a local server, measured;
    more with TLS). Each message is claimed, sent and recorded on its own, as by deliver().

    Returns the outcomes of the messages tried, in order. It stops after the first that could not be
    sent: a server that fails once likely fails the next too (a hung one would hold the batch for
    EMAIL_TIMEOUT a message); the caller queues the rest again, untouched and still pending."""
    today = today or timezone.localdate()
    outcomes = []
    connection = get_connection()
    try:
        for message_id in message_ids:
            outcomes.append(deliver(message_id, today, connection))
            if outcomes[-1].state in (DeliveryState.PENDING, DeliveryState.FAILED):
                break
    finally:
        with contextlib.suppress(*SEND_ERRORS):
            connection.close()
    return outcomes


def group_now(reminder_ids, today=None, at_once=False):
    """Put these reminders in their recipients' messages due today (see group() for `at_once`);
    returns the ids of those messages due by today."""
    today = today or timezone.localdate()
    with transaction.atomic():
        group(Reminder.objects.filter(pk__in=reminder_ids, state=DeliveryState.PENDING), today, at_once)
        return list(
            Message.objects.filter(
                items__reminder__in=reminder_ids, state=DeliveryState.PENDING, due_on__lte=today
            )
            .distinct()
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def digest_context(today):
    """The office's weekly digest: what is late or soon due, and what awaits the office. Closed
    cycles are history: their commitments are never overdue, due soon or stale (the QuerySet's
    conditions), and their commitments and escalations are not listed as late."""
    commitments = (
        Commitment.objects.approved()
        .select_related("champion", "cycle")
        .order_by("due_on", "champion__full_name")
    )
    dashboard = settings.SITE_URL + reverse("dashboard")
    return {
        **submissions_of_last_week(today),
        "today": today,
        "overdue": list(commitments.overdue(today)[:100]),
        "due_soon": list(commitments.due_within(today=today)[:100]),
        "stale": list(commitments.stale(today).order_by("last_event_on", "due_on")[:100]),
        "due_within_days": settings.DUE_SOON_DAYS,
        "escalated": Escalation.objects.active().filter(commitment__cycle__is_closed=False).listed(today),
        "awaiting_review": Commitment.objects.awaiting_review().count(),
        "review_url": settings.SITE_URL + reverse("dashboard_review"),
        "late_setting": [
            (cycle, list(cycle.champions_yet_to_submit().order_by("full_name")[:100]))
            for cycle in Cycle.objects.filter(
                commitments_due_on__lt=today, ends_on__gte=today, is_closed=False
            ).order_by("year")
        ],
        "dashboard_url": dashboard,
        "champion_url": settings.SITE_URL + "/dashboard/champions/",
    }


def submissions_of_last_week(today):
    """What champions submitted in the week before the digest's (Monday to Sunday, by the local
    day): the commitments, by champion and cycle, and the reports signed off. Each submission is in
    one digest however late in its week the digest goes out."""
    this_week = today - datetime.timedelta(days=today.weekday())
    last_week = this_week - datetime.timedelta(days=7)
    return {
        "submitted_commitments": list(
            ApprovalChange.objects.filter(
                new_approval=Approval.SUBMITTED,
                changed_at__date__gte=last_week,
                changed_at__date__lt=this_week,
            )
            .values("commitment__champion", "commitment__champion__full_name", "commitment__cycle__year")
            .annotate(count=Count("commitment", distinct=True), last=Max("changed_at"))
            .order_by("last")
        ),
        "signed_off": list(
            ReportStep.objects.filter(
                action=ReportStep.Action.SUBMITTED, at__date__gte=last_week, at__date__lt=this_week
            )
            .select_related("report__champion", "report__cycle")
            .order_by("at")
        ),
    }


def send_digest(today=None):
    """The office's weekly digest, once per week however often it is called. Those who chose to hear
    of submissions and sign-offs at once (User.notify_at_once) are not told of them again here."""
    today = today or timezone.localdate()
    week_of = today - datetime.timedelta(days=today.weekday())
    digest, _ = OfficeDigest.objects.get_or_create(week_of=week_of)
    if not OfficeDigest.objects.claim(digest.pk):
        return Outcome("not claimed")
    people = list(User.objects.office_members())
    if not people:
        OfficeDigest.objects.filter(pk=digest.pk).update(
            state=DeliveryState.FAILED, last_error="No office member to send it to."
        )
        return Outcome(DeliveryState.FAILED)
    context = digest_context(today)
    told_at_once = {**context, "submitted_commitments": [], "signed_off": [], "told_at_once": True}
    messages = build_emails("digest", context, [p for p in people if not p.notify_at_once])
    messages += build_emails("digest", told_at_once, [p for p in people if p.notify_at_once])
    return send(digest, messages)
