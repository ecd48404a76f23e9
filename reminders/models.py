"""Reminders: one row per reminder due to go out, and the office's weekly digest.

The tables keep the names they had when the reminders lived in the commitments app.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from champions.models import Champion
from commitments.models import Commitment, Cycle


class ReminderKind(models.TextChoices):
    UPCOMING = "upcoming", _("Deadline approaching")
    OVERDUE = "overdue", _("Overdue notice")
    REPORT_DUE = "report_due", _("Report due")
    COMMITMENTS_DUE = "commitments_due", _("Commitments due")
    STALE = "stale", _("No recent progress")


class ReminderState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Reminder(models.Model):
    """One reminder that is due to go out, and what became of it.

    A row is created before anything is sent; a worker claims it (pending → sending) with a
    conditional update, so each reminder goes out once however many sweeps run.
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
    state = models.CharField(
        verbose_name=_("state"),
        max_length=10,
        choices=ReminderState.choices,
        default=ReminderState.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(verbose_name=_("attempts"), default=0)
    last_error = models.TextField(verbose_name=_("last error"), blank=True)
    claimed_at = models.DateTimeField(verbose_name=_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(verbose_name=_("sent at"), null=True, blank=True)
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
                condition=Q(state__in=ReminderState.values), name="commitments_reminder_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state=ReminderState.SENT) | Q(sent_at__isnull=False),
                name="commitments_reminder_sent_has_sent_at",
            ),
        ]
        indexes = [models.Index(fields=["state", "due_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.commitment or self.champion} on {self.due_on}"


class OfficeDigest(models.Model):
    """The weekly digest to the chief-of-staff office: one row per week, claimed like a reminder."""

    week_of = models.DateField(
        verbose_name=_("week of"), unique=True, help_text=_("The Monday of the week it covers.")
    )
    state = models.CharField(
        verbose_name=_("state"), max_length=10, choices=ReminderState.choices, default=ReminderState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(verbose_name=_("attempts"), default=0)
    last_error = models.TextField(verbose_name=_("last error"), blank=True)
    claimed_at = models.DateTimeField(verbose_name=_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(verbose_name=_("sent at"), null=True, blank=True)

    class Meta:
        db_table = "commitments_officedigest"
        verbose_name = _("office digest")
        verbose_name_plural = _("office digests")
        ordering = ["-week_of"]

    def __str__(self):
        return gettext("Digest for the week of %(day)s") % {"day": self.week_of}
