import uuid
from pathlib import Path

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.validators import validate_single_line
from commitments.models import Commitment, EventKind


class Scope(models.TextChoices):
    HQ = "hq", _("Headquarters")
    FIELD = "field", _("Field")


class PanelOutcome(models.TextChoices):
    BALANCED = "balanced", _("Balanced panel")
    EXCEPTION = "exception", _("Accepted as an exception")
    DECLINED = "declined", _("Declined to speak")


class TaskForceRole(models.TextChoices):
    CO_CHAIRED = "co_chaired", _("Co-chaired")
    ATTENDED = "attended", _("Attended")


def evidence_upload_to(instance, filename):
    """A random name under evidence/: never the uploader's name, never guessable."""
    suffix = Path(filename).suffix.lower()[:10]
    return f"evidence/{uuid.uuid4().hex}{suffix}"


class ProgressEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Events on the commitments a user may see (see Commitment.objects.visible_to)."""
        return self.filter(commitment__in=Commitment.objects.visible_to(user))

    def readable_by(self, user):
        """Events whose notes, links and evidence files a user may read: the champion's side's
        (visible_to), and every event for the chief-of-staff office, which checks ratings against
        them."""
        return self if user.is_office_member else self.visible_to(user)


class ProgressEvent(models.Model):
    """Something a champion did toward a commitment: a meeting, a panel, a training..."""

    commitment = models.ForeignKey(
        Commitment, verbose_name=_("commitment"), on_delete=models.CASCADE, related_name="events"
    )
    occurred_on = models.DateField(verbose_name=_("occurred on"))
    kind = models.CharField(verbose_name=_("kind"), max_length=20, choices=EventKind.choices)
    title = models.CharField(verbose_name=_("title"), max_length=200, validators=[validate_single_line])
    notes = models.TextField(verbose_name=_("notes"), blank=True, max_length=5000)
    scope = models.CharField(verbose_name=_("scope"), max_length=10, choices=Scope.choices, blank=True)
    location = models.CharField(
        verbose_name=_("location"), max_length=200, blank=True, validators=[validate_single_line]
    )
    women_count = models.PositiveIntegerField(
        verbose_name=_("women count"),
        default=0,
        help_text=_("Women speakers, for a panel; women participants otherwise."),
    )
    men_count = models.PositiveIntegerField(
        verbose_name=_("men count"),
        default=0,
        help_text=_("Men speakers, for a panel; men participants otherwise."),
    )
    pledge_asked = models.BooleanField(
        _("Panel Parity Pledge questions put to the organisers"), null=True, blank=True
    )
    panel_outcome = models.CharField(
        verbose_name=_("panel outcome"), max_length=20, choices=PanelOutcome.choices, blank=True
    )
    outcome_reason = models.TextField(_("reason for the exception"), blank=True, max_length=2000)
    audience = models.CharField(
        verbose_name=_("audience"),
        max_length=200,
        blank=True,
        help_text=_("Who was trained, e.g. senior staff."),
        validators=[validate_single_line],
    )
    task_force_role = models.CharField(
        verbose_name=_("task force role"), max_length=20, choices=TaskForceRole.choices, blank=True
    )
    evidence_file = models.FileField(
        verbose_name=_("evidence file"), upload_to=evidence_upload_to, blank=True, max_length=200
    )
    evidence_name = models.CharField(
        verbose_name=_("evidence name"),
        max_length=255,
        blank=True,
        help_text=_("The uploaded file's original name."),
    )
    evidence_url = models.URLField(verbose_name=_("evidence url"), blank=True, max_length=500)
    submission_key = models.UUIDField(
        verbose_name=_("submission key"),
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("Sent with the log form, so the same form posted twice saves one event."),
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="logged_events",
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    objects = ProgressEventQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("progress event")
        verbose_name_plural = _("progress events")
        ordering = ["-occurred_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(women_count__gte=0), name="events_progressevent_women_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(men_count__gte=0), name="events_progressevent_men_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=EventKind.values), name="events_progressevent_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(scope__in=[*Scope.values, ""]), name="events_progressevent_scope_valid"
            ),
            models.CheckConstraint(
                condition=Q(panel_outcome__in=[*PanelOutcome.values, ""]),
                name="events_progressevent_panel_outcome_valid",
            ),
            models.CheckConstraint(
                condition=Q(task_force_role__in=[*TaskForceRole.values, ""]),
                name="events_progressevent_task_force_role_valid",
            ),
            models.CheckConstraint(
                condition=~Q(kind=EventKind.PANEL) | Q(women_count__gt=0) | Q(men_count__gt=0),
                name="events_progressevent_panel_has_speakers",
                violation_error_message=_("A panel needs at least one speaker."),
            ),
        ]
        indexes = [
            models.Index(fields=["commitment", "occurred_on"]),
            models.Index(fields=["occurred_on"]),
        ]

    def __str__(self):
        return f"{self.occurred_on} {self.get_kind_display()}: {self.title}"

    def save(self, *args, **kwargs):
        with transaction.atomic():
            affected = {self.commitment_id}
            stored = ProgressEvent.objects.filter(pk=self.pk).values("commitment_id", "evidence_file").first()
            if stored:
                affected.add(stored["commitment_id"])
            _lock_commitments(affected)
            super().save(*args, **kwargs)
            Commitment.objects.filter(pk__in=affected).recount_rollups()
            if stored and stored["evidence_file"] and stored["evidence_file"] != self.evidence_file.name:
                _delete_file_on_commit(self.evidence_file.storage, stored["evidence_file"])

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            commitment_id = self.commitment_id
            _lock_commitments({commitment_id})
            result = super().delete(*args, **kwargs)
            Commitment.objects.filter(pk=commitment_id).recount_rollups()
        return result

    @property
    def speakers(self):
        return self.women_count + self.men_count

    def can_be_changed_by(self, user):
        """Who may edit or delete: whoever logged it, and the champion on any of their commitments.

        Callers reach the event through ProgressEvent.objects.visible_to(user) first.
        """
        return user.pk is not None and user.pk in (self.logged_by_id, self.commitment.champion.user_id)


@receiver(post_delete, sender=ProgressEvent)
def delete_evidence_file(sender, instance, **kwargs):
    """An event's evidence file goes with it (whichever way it was deleted: page, admin, cascade)."""
    if instance.evidence_file:
        _delete_file_on_commit(instance.evidence_file.storage, instance.evidence_file.name)


def _delete_file_on_commit(storage, name):
    """Delete a stored file once the transaction commits: rolled back, the event keeps its file.

    The audit trail keeps that there was a file and its name, not the file.
    """
    transaction.on_commit(lambda: storage.delete(name))


def _lock_commitments(ids):
    """Lock the commitments whose roll-ups an event write changes.

    Why: under READ COMMITTED, two events saved at once would each recount without the other's
    row. Holding the commitment row until commit makes the second recount start after the first
    commits, so it sees both. Locked in id order so two writers never deadlock.
    """
    list(
        Commitment.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True)
    )


class CheckIn(models.Model):
    """A value reported on an indicator commitment ("women among D-level staff: 31%"), on a day.

    The commitment's progress is where its latest value stands between its baseline and its target
    (the roll-ups keep the latest on the commitment: commitments/rollups.py).
    """

    commitment = models.ForeignKey(
        Commitment, verbose_name=_("commitment"), on_delete=models.CASCADE, related_name="check_ins"
    )
    measured_on = models.DateField(verbose_name=_("measured on"))
    value = models.DecimalField(verbose_name=_("value"), max_digits=12, decimal_places=2)
    comment = models.TextField(verbose_name=_("comment"), blank=True, max_length=2000)
    evidence_file = models.FileField(
        verbose_name=_("evidence file"), upload_to=evidence_upload_to, blank=True, max_length=200
    )
    evidence_name = models.CharField(verbose_name=_("evidence name"), max_length=255, blank=True)
    evidence_url = models.URLField(verbose_name=_("evidence link"), blank=True, max_length=500)
    submission_key = models.UUIDField(
        verbose_name=_("submission key"), null=True, blank=True, unique=True, editable=False
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["evidence_file"])

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-measured_on", "-pk"]
        indexes = [models.Index(fields=["commitment", "-measured_on"])]

    def __str__(self):
        return f"{self.measured_on}: {self.value}"

    def save(self, *args, **kwargs):
        with transaction.atomic():
            _lock_commitments({self.commitment_id})
            stored = CheckIn.objects.filter(pk=self.pk).values_list("evidence_file", flat=True).first()
            super().save(*args, **kwargs)
            Commitment.objects.filter(pk=self.commitment_id).recount_rollups()
            if stored and stored != self.evidence_file.name:  # a file replaced goes, as an event's does
                _delete_file_on_commit(self.evidence_file.storage, stored)

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            commitment_id = self.commitment_id
            _lock_commitments({commitment_id})
            result = super().delete(*args, **kwargs)
            Commitment.objects.filter(pk=commitment_id).recount_rollups()
        return result

    def can_be_changed_by(self, user):
        """Who may edit or delete: whoever recorded it, and the champion (as for progress events)."""
        return user.pk is not None and user.pk in (self.logged_by_id, self.commitment.champion.user_id)


@receiver(post_delete, sender=CheckIn)
def delete_check_in_evidence(sender, instance, **kwargs):
    """A check-in's evidence file goes with it."""
    if instance.evidence_file:
        _delete_file_on_commit(instance.evidence_file.storage, instance.evidence_file.name)
