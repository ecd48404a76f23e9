import datetime
import hashlib
import secrets
import uuid
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Count, F, FilteredRelation, Q, Sum
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.validators import validate_single_line
from commitments import data_version
from commitments.models import Commitment, EventKind, women_share


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

    def with_organiser_answers(self):
        """Each event with `organiser_answers`: its organiser's answer (PanelConfirmation.answered),
        in a list of one or none, in one query for a page of events (events/_timeline.html)."""
        return self.prefetch_related(
            models.Prefetch(
                "confirmations", queryset=PanelConfirmation.objects.answered(), to_attr="organiser_answers"
            )
        )

    def with_organiser_figures(self):
        """Each event with its organiser's answer read in the same query, for rows read one by one
        (the champion's events export): `organiser_outcome` (confirmed or corrected, None when no
        organiser answered), `organiser_women` and `organiser_men`."""
        return self.annotate(
            answer=FilteredRelation("confirmations", condition=Q(confirmations__used_at__isnull=False)),
            organiser_outcome=F("answer__outcome"),
            organiser_women=F("answer__women_count"),
            organiser_men=F("answer__men_count"),
        )

    def counted_panels(self):
        """The panels that count toward parity figures: those logged within their commitment's cycle,
        less those the champion declined to speak on (a declined panel says nothing of the panels
        they joined). The roll-ups count the same panels (commitments/rollups.py), so a page's
        "panels logged" is the confirmed panels plus the self-reported ones."""
        return self.filter(
            kind=EventKind.PANEL,
            occurred_on__gte=F("commitment__cycle__starts_on"),
            occurred_on__lte=F("commitment__cycle__ends_on"),
        ).exclude(panel_outcome="declined")

    def _with_answer(self):
        """The counted panels, each joined to its organiser's answer (`answer`; one at most: a
        constraint), and the sums of the split over them."""
        answered = Q(answer__id__isnull=False)
        sums = {
            "confirmed_panels": Count("pk", filter=answered),
            "confirmed_women": Coalesce(Sum("answer__women_count", filter=answered), 0),
            "confirmed_men": Coalesce(Sum("answer__men_count", filter=answered), 0),
            "self_reported_panels": Count("pk", filter=~answered),
            "self_reported_women": Coalesce(Sum("women_count", filter=~answered), 0),
            "self_reported_men": Coalesce(Sum("men_count", filter=~answered), 0),
        }
        panels = self.counted_panels().annotate(
            answer=FilteredRelation("confirmations", condition=Q(confirmations__used_at__isnull=False))
        )
        return panels, sums

    def panel_parity(self):
        """Women's share of panel speakers, organiser-confirmed panels apart from self-reported
        ones: the one rule of that split, for every page that shows it.

        A panel is organiser-confirmed once its organiser answered its link (confirmed or
        corrected: PanelConfirmation.answered) and counts with the organiser's figures; every
        other panel is self-reported and counts with the figures the champion's side logged.
        Only counted panels (counted_panels). One query (an event has at most one answer: a
        constraint)."""
        panels, sums = self._with_answer()
        return with_parity_shares(panels.aggregate(**sums))

    def panel_parity_by(self, **groups):
        """The split of panel_parity (without the shares) per group of panels, in one query: rows of
        `groups` (names to expressions, as for values()) and the six sums. The roll-ups store it per
        commitment this way (commitments/rollups.py)."""
        panels, sums = self._with_answer()
        return panels.order_by().values(**groups).annotate(**sums)


def with_parity_shares(figures):
    """`figures` (the split's sums: panel_parity) with the two shares, `confirmed_share` and
    `self_reported_share`, in percent (None before any speaker)."""
    figures["confirmed_share"] = women_share(figures["confirmed_women"], figures["confirmed_men"])
    figures["self_reported_share"] = women_share(figures["self_reported_women"], figures["self_reported_men"])
    return figures


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
            Commitment.objects.filter(pk__in=affected).lock()
            super().save(*args, **kwargs)
            Commitment.objects.filter(pk__in=affected).recount_rollups()
            if stored and stored["evidence_file"] and stored["evidence_file"] != self.evidence_file.name:
                delete_file_on_commit(self.evidence_file.storage, stored["evidence_file"])

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            commitment_id = self.commitment_id
            Commitment.objects.filter(pk=commitment_id).lock()
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
        delete_file_on_commit(instance.evidence_file.storage, instance.evidence_file.name)


def delete_file_on_commit(storage, name):
    """Delete a stored file once the transaction commits: rolled back, the event keeps its file.
    Every uploaded file goes this way (events, check-ins, assessments, import jobs).

    The audit trail keeps that there was a file and its name, not the file.
    """
    transaction.on_commit(lambda: storage.delete(name))


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
            Commitment.objects.filter(pk=self.commitment_id).lock()
            stored = CheckIn.objects.filter(pk=self.pk).values_list("evidence_file", flat=True).first()
            super().save(*args, **kwargs)
            Commitment.objects.filter(pk=self.commitment_id).recount_rollups()
            if stored and stored != self.evidence_file.name:  # a file replaced goes, as an event's does
                delete_file_on_commit(self.evidence_file.storage, stored)

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            commitment_id = self.commitment_id
            Commitment.objects.filter(pk=commitment_id).lock()
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
        delete_file_on_commit(instance.evidence_file.storage, instance.evidence_file.name)


# How long an organiser's link to confirm a panel works.
PANEL_CONFIRMATION_DAYS = 30


def panel_token_hash(token):
    """What is stored of a panel confirmation's token: its SHA-256 (as for invitations), so that
    whoever reads the database cannot use a link still open."""
    return hashlib.sha256(token.encode()).hexdigest()


class ConfirmationOutcome(models.TextChoices):
    PENDING = "pending", _("Waiting for the organiser")
    CONFIRMED = "confirmed", _("Confirmed by the organiser")
    CORRECTED = "corrected", _("Corrected by the organiser")


class PanelConfirmationQuerySet(models.QuerySet):
    def answered(self):
        return self.filter(used_at__isnull=False)

    def corrected(self):
        return self.filter(outcome=ConfirmationOutcome.CORRECTED)

    def by_token(self, token):
        """The confirmation a link's token opens (whatever its state), or DoesNotExist."""
        return self.select_related("event__commitment__champion").get(token_hash=panel_token_hash(token))


class PanelConfirmation(models.Model):
    """A panel's organiser asked, by an emailed single-use link, to confirm or correct how many
    women and men spoke: the champion's figures stay on the event, the organiser's are kept here."""

    event = models.ForeignKey(
        ProgressEvent, verbose_name=_("panel"), on_delete=models.CASCADE, related_name="confirmations"
    )
    organiser_email = models.EmailField(verbose_name=_("organiser's email"), max_length=254)
    token_hash = models.CharField(verbose_name=_("token hash"), max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(verbose_name=_("expires at"))
    used_at = models.DateTimeField(verbose_name=_("answered at"), null=True, blank=True)
    outcome = models.CharField(
        verbose_name=_("outcome"),
        max_length=10,
        choices=ConfirmationOutcome.choices,
        default=ConfirmationOutcome.PENDING,
    )
    women_count = models.PositiveIntegerField(verbose_name=_("women, as the organiser says"), null=True)
    men_count = models.PositiveIntegerField(verbose_name=_("men, as the organiser says"), null=True)
    # The champion's figures when the organiser answered: what a correction is "from".
    claimed_women_count = models.PositiveIntegerField(verbose_name=_("women, as logged"), null=True)
    claimed_men_count = models.PositiveIntegerField(verbose_name=_("men, as logged"), null=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    objects = PanelConfirmationQuerySet.as_manager()

    class Meta:
        verbose_name = _("panel confirmation")
        verbose_name_plural = _("panel confirmations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=ConfirmationOutcome.values),
                name="events_panelconfirmation_outcome_valid",
            ),
            models.CheckConstraint(
                condition=Q(outcome=ConfirmationOutcome.PENDING, used_at__isnull=True)
                | (~Q(outcome=ConfirmationOutcome.PENDING) & Q(used_at__isnull=False)),
                name="events_panelconfirmation_answered_has_outcome",
            ),
            # Why: the parity figures join an event to its answer (ProgressEventQuerySet.panel_parity).
            models.UniqueConstraint(
                fields=["event"],
                condition=Q(used_at__isnull=False),
                name="events_panelconfirmation_one_answer",
            ),
        ]

    def __str__(self):
        return f"{self.event}: {self.get_outcome_display()}"

    @classmethod
    def ask(cls, event, organiser_email, now=None):
        """A new confirmation of `event` by `organiser_email`: (the row, the link's token). Only the
        token's hash is stored; the token goes out in the email only."""
        token = secrets.token_urlsafe(32)
        confirmation = cls.objects.create(
            event=event,
            organiser_email=organiser_email,
            token_hash=panel_token_hash(token),
            expires_at=(now or timezone.now()) + datetime.timedelta(days=PANEL_CONFIRMATION_DAYS),
        )
        return confirmation, token

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()

    @property
    def is_open(self):
        return self.used_at is None and not self.is_expired

    def answer(self, women_count, men_count):
        """Record the organiser's figures: confirmed when they are the event's, else corrected. False
        when the link was used (or expired) meanwhile: two submits record one answer.

        Why a conditional UPDATE: two posts at once both read the row unused; only the first to
        update it changes a row."""
        event = self.event
        outcome = (
            ConfirmationOutcome.CONFIRMED
            if (women_count, men_count) == (event.women_count, event.men_count)
            else ConfirmationOutcome.CORRECTED
        )
        now = timezone.now()
        try:
            with transaction.atomic():
                # The answer moves the panel into the confirmed figures its commitment keeps
                # (Commitment.confirmed_panels...): recounted under its lock, as an event write.
                Commitment.objects.filter(pk=event.commitment_id).lock()
                changed = PanelConfirmation.objects.filter(
                    pk=self.pk, used_at__isnull=True, expires_at__gt=now
                ).update(
                    used_at=now,
                    outcome=outcome,
                    women_count=women_count,
                    men_count=men_count,
                    claimed_women_count=event.women_count,
                    claimed_men_count=event.men_count,
                )
                if changed:
                    Commitment.objects.filter(pk=event.commitment_id).recount_rollups()
        except IntegrityError:  # another link of the same panel was answered first
            return False
        if changed:
            data_version.changed()  # the office's parity figures read the answers
            self.refresh_from_db()
        return bool(changed)
