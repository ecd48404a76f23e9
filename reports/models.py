"""The year end: each champion's self-assessment of their approved commitments, the report they
sign off, and the office's rating beside it on the same scale (the OGP completion scale)."""

import datetime
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from champions.models import Champion
from commitments.models import Commitment, Cycle


class Level(models.TextChoices):
    """How far a commitment was achieved: the scale of both the self-assessment and the office's rating."""

    NOT_STARTED = "not_started", _("Not started")
    LIMITED = "limited", _("Limited")
    SUBSTANTIAL = "substantial", _("Substantial")
    COMPLETE = "complete", _("Complete")

    @classmethod
    def proposed_for(cls, percent):
        """The level measured progress suggests: 0 % not started, under 50 % limited, under 100 %
        substantial, 100 % complete."""
        if percent <= 0:
            return cls.NOT_STARTED
        if percent < 50:
            return cls.LIMITED
        if percent < 100:
            return cls.SUBSTANTIAL
        return cls.COMPLETE

    @classmethod
    def steps_between(cls, one, other):
        """How many steps of the scale apart two levels are."""
        order = list(cls.values)
        return abs(order.index(one) - order.index(other))


# Where the self-assessment and the office's rating disagree by this many steps or more, the
# commitment is flagged "assessment differs".
DIVERGENCE_STEPS = 2


def assessment_opens_on(cycle):
    """The first day champions assess a cycle's commitments: ASSESSMENT_OPENS_DAYS_BEFORE_END days
    before the cycle ends. Assessments are due with the report (Cycle.report_due_on)."""
    return cycle.ends_on - datetime.timedelta(days=settings.ASSESSMENT_OPENS_DAYS_BEFORE_END)


def evidence_upload_to(instance, filename):
    """A random name under assessments/: never the uploader's name, never guessable."""
    return f"assessments/{uuid.uuid4().hex}{Path(filename).suffix.lower()[:10]}"


class ReportQuerySet(models.QuerySet):
    def submitted(self):
        return self.filter(submitted_at__isnull=False)


class Report(models.Model):
    """A champion's annual report on a cycle: signed off by the champion, reviewed by the office."""

    champion = models.ForeignKey(
        Champion, verbose_name=_("champion"), on_delete=models.CASCADE, related_name="reports"
    )
    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="reports"
    )
    submitted_at = models.DateTimeField(verbose_name=_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    late = models.BooleanField(
        verbose_name=_("late"), default=False, help_text=_("Submitted after the cycle's report due date.")
    )
    reviewed_at = models.DateTimeField(verbose_name=_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ReportQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        ordering = ["-cycle__year", "champion__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["champion", "cycle"], name="reports_report_one_per_champion_and_cycle"
            ),
            models.CheckConstraint(
                condition=Q(reviewed_at__isnull=True) | Q(submitted_at__isnull=False),
                name="reports_report_reviewed_once_submitted",
            ),
        ]

    def __str__(self):
        return gettext("%(champion)s's %(year)s report") % {
            "champion": self.champion,
            "year": self.cycle.year,
        }

    @classmethod
    def of(cls, champion, cycle):
        """The champion's report on the cycle (made when first needed)."""
        return cls.objects.get_or_create(champion=champion, cycle=cycle)[0]

    @property
    def is_submitted(self):
        return self.submitted_at is not None

    @property
    def is_reviewed(self):
        return self.reviewed_at is not None

    def commitments(self):
        """The report's commitments: the champion's approved ones of the cycle, with their assessment."""
        return (
            Commitment.objects.approved()
            .filter(champion=self.champion_id, cycle=self.cycle_id)
            .select_related("assessment", "cycle", "taken_over_from")
            .prefetch_related("categories")
            .order_by("number")
        )

    def missing_assessments(self):
        return self.commitments().filter(assessment__level__isnull=True)

    def submit(self, user, now=None):
        """The champion (not a focal point) signs the report off, once every commitment is assessed,
        unless the cycle is closed (a past year kept as history)."""
        if user.pk != self.champion.user_id:
            raise ValidationError(_("Only the champion signs off the report."))
        self.refuse_closed_cycle()
        if self.missing_assessments().exists():
            raise ValidationError(_("Assess every commitment before submitting the report."))
        now = now or timezone.now()
        with transaction.atomic():
            if Report.objects.filter(pk=self.pk, submitted_at__isnull=False).exists():
                return False
            self.submitted_at, self.submitted_by = now, user
            self.late = timezone.localdate(now) > self.cycle.report_due_on
            self.save(update_fields=["submitted_at", "submitted_by", "late"])
            self.steps.create(action=ReportStep.Action.SUBMITTED, by=user)
        return True

    def reopen(self, user, comment):
        """The office reopens a submitted report, saying why: assessments are editable again. Not in
        a closed cycle: the champion could not submit it again (reopen the cycle first)."""
        if not comment.strip():
            raise ValidationError(_("Say why the report is reopened: the comment goes to the champion."))
        self.refuse_closed_cycle()
        if not self.is_submitted:
            return False
        with transaction.atomic():
            self.submitted_at = self.submitted_by = self.reviewed_at = self.reviewed_by = None
            self.late = False
            self.save(update_fields=["submitted_at", "submitted_by", "reviewed_at", "reviewed_by", "late"])
            self.steps.create(action=ReportStep.Action.REOPENED, by=user, comment=comment)
        return True

    def refuse_closed_cycle(self):
        if self.cycle.is_closed:
            raise ValidationError(
                gettext("The %(year)s cycle is closed and kept as history: it can no longer be changed.")
                % {"year": self.cycle.year}
            )

    def mark_reviewed(self, user, now=None):
        """The office has rated the report's commitments."""
        if not self.is_submitted:
            raise ValidationError(_("Only a submitted report is reviewed."))
        with transaction.atomic():
            self.reviewed_at, self.reviewed_by = now or timezone.now(), user
            self.save(update_fields=["reviewed_at", "reviewed_by"])
            self.steps.create(action=ReportStep.Action.REVIEWED, by=user)
        return True


class ReportStep(models.Model):
    """What happened to a report, by whom, when, and why."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        REOPENED = "reopened", _("Reopened")
        REVIEWED = "reviewed", _("Reviewed")

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="steps"
    )
    action = models.CharField(verbose_name=_("action"), max_length=10, choices=Action.choices)
    comment = models.TextField(verbose_name=_("comment"), blank=True, max_length=2000)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(verbose_name=_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("report step")
        verbose_name_plural = _("report steps")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.report}: {self.get_action_display()}"


class AssessmentQuerySet(models.QuerySet):
    def differing(self):
        """Assessments the office rated two steps or more from the champion's, not yet resolved."""
        return self.filter(self.differing_condition())

    @staticmethod
    def differing_condition(via=""):
        """differing() as a condition: the one definition of "assessment differs", on assessments or,
        through `via` (for example "assessment__"), on the commitments they belong to."""
        return Q(**{f"{via}diverges": True, f"{via}divergence_resolved_at__isnull": True})


class Assessment(models.Model):
    """One commitment's self-assessment by the champion's side, and the office's rating beside it."""

    commitment = models.OneToOneField(
        Commitment, verbose_name=_("commitment"), on_delete=models.CASCADE, related_name="assessment"
    )
    level = models.CharField(verbose_name=_("self-assessment"), max_length=15, choices=Level.choices)
    proposed_level = models.CharField(
        verbose_name=_("proposed from progress"),
        max_length=15,
        choices=Level.choices,
        help_text=_("The level measured progress suggested when the commitment was assessed."),
    )
    measured_progress = models.PositiveSmallIntegerField(
        verbose_name=_("measured progress (%)"), help_text=_("Progress when the commitment was assessed.")
    )
    narrative = models.TextField(verbose_name=_("narrative"), blank=True, max_length=2000)
    evidence_file = models.FileField(
        verbose_name=_("evidence file"), upload_to=evidence_upload_to, blank=True, max_length=200
    )
    evidence_name = models.CharField(verbose_name=_("evidence name"), max_length=255, blank=True)
    evidence_url = models.URLField(verbose_name=_("evidence link"), blank=True, max_length=500)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assessed_at = models.DateTimeField(verbose_name=_("assessed at"), default=timezone.now)
    office_level = models.CharField(
        verbose_name=_("office rating"), max_length=15, choices=Level.choices, blank=True
    )
    office_comment = models.TextField(verbose_name=_("office comment"), blank=True, max_length=2000)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rated_at = models.DateTimeField(verbose_name=_("rated at"), null=True, blank=True)
    diverges = models.BooleanField(
        verbose_name=_("assessment differs"),
        default=False,
        help_text=_("The office's rating is two steps or more from the self-assessment."),
    )
    divergence_note = models.TextField(verbose_name=_("resolution note"), blank=True, max_length=2000)
    divergence_resolved_at = models.DateTimeField(verbose_name=_("resolved at"), null=True, blank=True)
    divergence_resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AssessmentQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["evidence_file"])

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=Level.values), name="reports_assessment_level_valid"
            ),
            models.CheckConstraint(
                condition=Q(office_level__in=[*Level.values, ""]),
                name="reports_assessment_office_level_valid",
            ),
        ]
        indexes = [models.Index(fields=["diverges", "divergence_resolved_at"])]

    def __str__(self):
        return gettext("Assessment of %(commitment)s") % {"commitment": self.commitment}

    def clean(self):
        super().clean()
        if self.level and self.level != Level.COMPLETE and not self.narrative.strip():
            raise ValidationError(
                {"narrative": _("Say what was done and what was not: a narrative is needed unless complete.")}
            )
        if (
            self.level
            and self.proposed_level
            and self.level != self.proposed_level
            and not self.narrative.strip()
        ):
            raise ValidationError(
                {
                    "narrative": _(
                        "You chose another level than measured progress suggests: say why in the narrative."
                    )
                }
            )

    def rate(self, user, level, comment=""):
        """The office's own level beside the self-assessment; flags where the two differ by two steps."""
        self.office_level, self.office_comment = level, comment
        self.rated_by, self.rated_at = user, timezone.now()
        self.diverges = Level.steps_between(self.level, level) >= DIVERGENCE_STEPS
        if not self.diverges:
            self.divergence_note, self.divergence_resolved_at, self.divergence_resolved_by = "", None, None
        self.save()

    def resolve_divergence(self, user, note):
        """The office has settled the disagreement (a call, a corrected rating): say how."""
        if not note.strip():
            raise ValidationError(_("Say how the difference was resolved."))
        self.divergence_note, self.divergence_resolved_at, self.divergence_resolved_by = (
            note,
            timezone.now(),
            user,
        )
        self.save(update_fields=["divergence_note", "divergence_resolved_at", "divergence_resolved_by"])
