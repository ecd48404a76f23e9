"""Reminders: one row per reminder due to go out, and the office's weekly digest.

The tables keep the names they had when the reminders lived in the commitments app.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Delivery, DeliveryState
from champions.models import Champion
from commitments.models import Commitment, Cycle


class ReminderKind(models.TextChoices):
    UPCOMING = "upcoming", _("Deadline approaching")
    OVERDUE = "overdue", _("Overdue notice")
    REPORT_DUE = "report_due", _("Report due")
    COMMITMENTS_DUE = "commitments_due", _("Commitments due")
    STALE = "stale", _("No recent progress")


class Reminder(Delivery):
    """One reminder that is due to go out, and what became of it.

    A row is created before anything is sent (planning.py), unique per commitment (or champion and
    cycle), kind and day, so however many sweeps run it is planned once. It goes out in its
    recipients' grouped messages (Message, one per person a day); it is sent once every one of them
    is, failed if one gave up.
    """

    champion = models.ForeignKey(
        Champion, verbose_name=_("champion"), on_delete=models.CASCADE, related_name="reminders"
    )
    commitment = models.ForeignKey(
        Commitment,
        verbose_name=_("commitment"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(verbose_name=_("kind"), max_length=20, choices=ReminderKind.choices)
    due_on = models.DateField(
        verbose_name=_("due on"), help_text=_("The day this reminder is due to go out.")
    )
    deadline = models.DateField(
        verbose_name=_("deadline"),
        help_text=_("The deadline it is about: the commitment's due date or the report's."),
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        db_table = "commitments_reminder"
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-due_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "kind", "due_on"],
                condition=Q(commitment__isnull=False),
                name="commitments_reminder_unique_per_commitment",
                violation_error_message=_("This reminder already exists."),
            ),
            models.UniqueConstraint(
                fields=["champion", "cycle", "kind", "due_on"],
                condition=Q(commitment__isnull=True),
                name="commitments_reminder_unique_per_champion",
                violation_error_message=_("This reminder already exists."),
            ),
            models.CheckConstraint(
                condition=Q(state__in=DeliveryState.values), name="commitments_reminder_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state=DeliveryState.SENT) | Q(sent_at__isnull=False),
                name="commitments_reminder_sent_has_sent_at",
            ),
        ]
        indexes = [models.Index(fields=["state", "due_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.commitment or self.champion} on {self.due_on}"


class OfficeDigest(Delivery):
    """The weekly digest to the chief-of-staff office: one row per week, claimed like a reminder."""

    week_of = models.DateField(
        verbose_name=_("week of"), unique=True, help_text=_("The Monday of the week it covers.")
    )

    class Meta:
        db_table = "commitments_officedigest"
        verbose_name = _("office digest")
        verbose_name_plural = _("office digests")
        ordering = ["-week_of"]

    def __str__(self):
        return gettext("Digest for the week of %(day)s") % {"day": self.week_of}


class Message(Delivery):
    """One email to one person with every reminder due for them, across every champion they are or
    serve: each morning, or each Monday for those who chose weekly (User.reminder_frequency).

    A worker claims it (pending → sending) with a conditional update, so it goes out once however
    many workers receive its task; a failed send goes back to pending and is retried, its reminders
    pending until it is sent. Each reminder is in at most one message of each person (MessageItem's
    unique constraint): planned twice, raced, or resent, nobody gets it twice.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("to"),
        on_delete=models.CASCADE,
        related_name="reminder_messages",
    )
    due_on = models.DateField(verbose_name=_("goes out on"))
    reminders = models.ManyToManyField(
        Reminder, verbose_name=_("reminders"), through="MessageItem", related_name="messages"
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder email")
        verbose_name_plural = _("reminder emails")
        ordering = ["-due_on", "-id"]
        constraints = [
            # One message still to send per person and day: the next reminders join it.
            models.UniqueConstraint(
                fields=["user", "due_on"],
                condition=Q(state="pending"),
                name="reminders_message_one_pending_per_person_and_day",
            ),
            models.CheckConstraint(
                condition=Q(state__in=DeliveryState.values), name="reminders_message_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state=DeliveryState.SENT) | Q(sent_at__isnull=False),
                name="reminders_message_sent_has_sent_at",
            ),
        ]
        indexes = [models.Index(fields=["state", "due_on"])]

    def __str__(self):
        return gettext("Reminders to %(user)s on %(day)s") % {"user": self.user_id, "day": self.due_on}


class MessageItem(models.Model):
    """A reminder in a person's message. Unique per reminder and person: nobody gets a reminder twice."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="items")
    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="items")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("reminder in an email")
        verbose_name_plural = _("reminders in emails")
        constraints = [
            models.UniqueConstraint(
                fields=["reminder", "user"], name="reminders_messageitem_once_per_person"
            ),
        ]

    def __str__(self):
        return f"{self.reminder_id} → {self.user_id}"


class EscalationQuerySet(models.QuerySet):
    def active(self):
        """Escalations not cleared yet: the office's to act on."""
        return self.filter(cleared_on__isnull=True)

    def longest_first(self):
        """The longest escalated first (the order the office acts in)."""
        return self.order_by("escalated_on", "id")

    def listed(self, today, limit=100):
        """The first `limit`, the longest escalated first, with their commitment and champion, each
        with `days`: how long since it was escalated."""
        escalations = list(
            self.select_related("commitment__champion", "commitment__cycle").longest_first()[:limit]
        )
        for escalation in escalations:
            escalation.days = (today - escalation.escalated_on).days
        return escalations


class Escalation(models.Model):
    """An overdue commitment nobody acted on, brought to the office's attention: once per deadline.

    Escalated ESCALATE_AFTER_DAYS after the first overdue notice went out with no progress logged
    since; cleared when progress is logged or the commitment is closed (planning.py).
    """

    commitment = models.ForeignKey(
        Commitment, verbose_name=_("commitment"), on_delete=models.CASCADE, related_name="escalations"
    )
    deadline = models.DateField(verbose_name=_("deadline"), help_text=_("The due date it was overdue from."))
    first_notice_on = models.DateField(verbose_name=_("first overdue notice"))
    escalated_on = models.DateField(verbose_name=_("escalated on"))
    cleared_on = models.DateField(verbose_name=_("cleared on"), null=True, blank=True)

    objects = EscalationQuerySet.as_manager()

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["escalated_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "deadline"], name="reminders_escalation_once_per_deadline"
            ),
        ]
        indexes = [models.Index(fields=["cleared_on", "escalated_on"])]

    def __str__(self):
        return gettext("%(commitment)s, escalated on %(day)s") % {
            "commitment": self.commitment,
            "day": self.escalated_on,
        }
