"""The year end: each champion's self-assessment of their approved commitments, the report they
sign off, and the office's rating beside it on the same scale (the OGP completion scale)."""

import base64
import dataclasses
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import FileExtensionValidator
from django.db import models, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Window
from django.db.models.functions import RowNumber
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from champions.models import Champion
from commitments.models import ROLLUP_FIELDS, Approval, Commitment, Cycle, PanelFigures
from events.models import ProgressEvent, delete_file_on_commit
from reports.emails import email_office_signed_off, email_reviewed


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
    """The first day champions assess a cycle's commitments (Cycle.assessment_opens_on)."""
    return cycle.assessment_opens_on


def report_window_open(cycle, today=None):
    """Whether reports on the cycle are being assessed and signed off: from the day assessments open
    until the cycle is closed (a past year kept as history)."""
    return not cycle.is_closed and (today or timezone.localdate()) >= assessment_opens_on(cycle)


# The events a report shows for each commitment: its latest ones.
KEY_EVENTS = 3
# What a report as signed off keeps of each commitment (its measured progress), and of each key event.
SIGNED_OFF_FIGURES = [*ROLLUP_FIELDS, "status"]
SIGNED_OFF_EVENT_FIELDS = ["occurred_on", "kind", "title", "women_count", "men_count"]


def evidence_upload_to(instance, filename):
    """A random name under assessments/: never the uploader's name, never guessable."""
    return f"assessments/{uuid.uuid4().hex}{Path(filename).suffix.lower()[:10]}"


class ReportQuerySet(models.QuerySet):
    def submitted(self):
        return self.filter(submitted_at__isnull=False)


def signed_off(champion="champion", cycle="cycle"):
    """Whether the outer query's champion has signed off their report on its cycle (`champion` and
    `cycle` name the outer query's fields): their commitments of that cycle are then reminded of
    no more (reminders.planning)."""
    return Exists(Report.objects.submitted().filter(champion=OuterRef(champion), cycle=OuterRef(cycle)))


def champions_yet_to_report(cycle):
    """Active champions with approved commitments in the cycle who have not signed off their report
    on it: the one definition, for the report reminders and the office's list of who is late. Not
    asked of a champion who handed over by the report's due date (ChampionQuerySet.in_office_on)."""
    return (
        Champion.objects.active()
        .exclude(left_on__lte=cycle.report_due_on)
        .filter(Exists(Commitment.objects.approved().filter(cycle=cycle, champion=OuterRef("pk"))))
        .exclude(Exists(Report.objects.submitted().filter(cycle=cycle, champion=OuterRef("pk"))))
    )


def _with_parity_split(figures):
    """A signed-off report's kept panel figures, with the split between organiser-confirmed and
    self-reported panels: a report signed off before that split was kept showed no panel as
    confirmed, so all its panels are self-reported, with the figures logged."""
    if "panel_women" not in figures or "confirmed_panels" in figures:
        return figures
    return {
        "confirmed_panels": 0,
        "confirmed_women": 0,
        "confirmed_men": 0,
        "self_reported_women": figures["panel_women"],
        "self_reported_men": figures["panel_men"],
        **figures,
    }


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
    signed_off = models.JSONField(
        verbose_name=_("report as signed off"),
        null=True,
        blank=True,
        editable=False,
        encoder=DjangoJSONEncoder,
        help_text=_("The figures and key events the report showed when the champion signed it off."),
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
    history = HistoricalRecords(excluded_fields=["signed_off"])

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

    def shown(self):
        """The report's commitments, each with `key_events`, and the network pledges signed (with
        their panels), as the report's page and PDF show them.

        A report signed off shows what it showed at that moment: `signed_off`, kept by submit(),
        holds each commitment's measured progress (its roll-ups and status), its key events and the
        pledges' panel figures, and they stand in for today's. Why a copy rather than events filtered
        to those logged before the sign-off: an event logged earlier may be edited or deleted later,
        and progress is a roll-up of today's events; a copy is the report exactly as signed. The
        texts, assessments and the office's rating are read as they are (the workflow freezes the
        first two once the report is submitted; the rating comes after). Events logged since are
        listed apart, as after the sign-off (logged_after_sign_off).
        """
        commitments = list(self.commitments())
        signatures = Commitment.objects.pledge_signatures([self.champion_id], self.cycle)
        kept = self.signed_off
        if kept is None:
            events = self.key_events(commitments)
            for commitment in commitments:
                commitment.key_events = events.get(commitment.pk, [])
            return commitments, signatures
        commitments = [commitment for commitment in commitments if str(commitment.pk) in kept["commitments"]]
        for commitment in commitments:
            figures = _with_parity_split(kept["commitments"][str(commitment.pk)])
            for name in SIGNED_OFF_FIGURES:
                setattr(commitment, name, Commitment._meta.get_field(name).to_python(figures[name]))
            commitment.key_events = [
                ProgressEvent(
                    **{
                        name: ProgressEvent._meta.get_field(name).to_python(event[name])
                        for name in SIGNED_OFF_EVENT_FIELDS
                    }
                )
                for event in kept["key_events"].get(str(commitment.pk), [])
            ]
        for signature in signatures:
            panels = kept["pledge_panels"].get(str(signature.pk))
            if panels is not None:
                signature.panels = PanelFigures(**_with_parity_split(panels))
        return commitments, signatures

    def as_signed_off(self):
        """What the report shows now, to keep as the report signed off (see shown())."""
        self.signed_off = None
        commitments, signatures = self.shown()
        return {
            "commitments": {
                str(commitment.pk): {name: getattr(commitment, name) for name in SIGNED_OFF_FIGURES}
                for commitment in commitments
            },
            "key_events": {
                str(commitment.pk): [
                    {name: getattr(event, name) for name in SIGNED_OFF_EVENT_FIELDS}
                    for event in commitment.key_events
                ]
                for commitment in commitments
            },
            "pledge_panels": {
                str(signature.pk): dataclasses.asdict(signature.panels)
                for signature in signatures
                if signature.panels is not None
            },
        }

    @staticmethod
    def key_events(commitments):
        """{commitment id: its latest KEY_EVENTS events, the newest first}, in one query."""
        latest = (
            ProgressEvent.objects.filter(commitment__in=[commitment.pk for commitment in commitments])
            .annotate(
                place=Window(
                    RowNumber(),
                    partition_by=[F("commitment_id")],
                    order_by=[F("occurred_on").desc(), F("id").desc()],
                )
            )
            .filter(place__lte=KEY_EVENTS)
            .order_by("commitment_id", "place")
            .only("commitment_id", "occurred_on", "kind", "title", "women_count", "men_count")
        )
        events = {}
        for event in latest:
            events.setdefault(event.commitment_id, []).append(event)
        return events

    def logged_after_sign_off(self):
        """The events logged on the report's commitments since it was signed off, the newest first."""
        if not self.is_submitted:
            return ProgressEvent.objects.none()
        return ProgressEvent.objects.filter(
            commitment__champion=self.champion_id,
            commitment__cycle=self.cycle_id,
            created_at__gt=self.submitted_at,
        ).order_by("-occurred_on", "-created_at")

    def missing_assessments(self):
        return self.commitments().filter(assessment__level__isnull=True)

    def submit(self, user, now=None):
        """The champion (not a focal point) signs the report off, once every commitment is assessed,
        unless the cycle is closed (a past year kept as history)."""
        self.refuse_submission(user)
        now = now or timezone.now()
        with transaction.atomic():
            if Report.objects.filter(pk=self.pk, submitted_at__isnull=False).exists():
                return False
            self.signed_off = self.as_signed_off()
            self.submitted_at, self.submitted_by = now, user
            self.late = timezone.localdate(now) > self.cycle.report_due_on
            self.save(update_fields=["submitted_at", "submitted_by", "late", "signed_off"])
            step = self.steps.create(action=ReportStep.Action.SUBMITTED, by=user)
            email_office_signed_off(self, step)
        return True

    def refuse_submission(self, user):
        """ValidationError unless `user` may sign the report off now (asked before confirming too)."""
        if user.pk != self.champion.user_id:
            raise ValidationError(_("Only the champion signs off the report."))
        self.refuse_closed_cycle()
        if self.missing_assessments().exists():
            raise ValidationError(_("Assess every commitment before submitting the report."))

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
            self.late, self.signed_off = False, None
            self.save(
                update_fields=[
                    "submitted_at",
                    "submitted_by",
                    "reviewed_at",
                    "reviewed_by",
                    "late",
                    "signed_off",
                ]
            )
            self.steps.create(action=ReportStep.Action.REOPENED, by=user, comment=comment)
        return True

    def refuse_closed_cycle(self):
        if self.cycle.is_closed:
            raise ValidationError(
                gettext("The %(year)s cycle is closed and kept as history: it can no longer be changed.")
                % {"year": self.cycle.year}
            )

    def mark_reviewed(self, user, now=None):
        """The office has rated the report's commitments: the champion's side now sees the ratings,
        and is told by email. False if it was reviewed already (a second click, another office
        member): nothing is recorded or sent twice."""
        if not self.is_submitted:
            raise ValidationError(_("Only a submitted report is reviewed."))
        now = now or timezone.now()
        with transaction.atomic():
            # Why a conditional update: of two office members marking it at once, one records it.
            marked = Report.objects.filter(
                pk=self.pk, submitted_at__isnull=False, reviewed_at__isnull=True
            ).update(reviewed_at=now, reviewed_by=user)
            if not marked:
                return False
            self.reviewed_at, self.reviewed_by = now, user
            step = self.steps.create(action=ReportStep.Action.REVIEWED, by=user)
            email_reviewed(self, step)
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
    def highlightable(self, cycle):
        """The assessments the office may pick as the cycle's highlights: with a narrative, of an
        approved commitment of the cycle, in the champion's submitted report."""
        return self.exclude(narrative="").filter(
            commitment__approval=Approval.APPROVED,
            commitment__cycle=cycle,
            commitment__champion__reports__cycle=cycle,
            commitment__champion__reports__submitted_at__isnull=False,
        )

    def differing(self):
        """Assessments the office rated two steps or more from the champion's, not yet resolved."""
        return self.filter(self.differing_condition())

    @staticmethod
    def differing_condition(via=""):
        """differing() as a condition: the one definition of "assessment differs", on assessments or,
        through `via` (for example "assessment__"), on the commitments they belong to."""
        return Q(**{f"{via}diverges": True, f"{via}divergence_resolved_at__isnull": True})

    @staticmethod
    def level_counts(via="", submitted=None):
        """The counts a report's breakdown makes of assessments (`via` names them from the rows
        counted, for example "assessment__"; `submitted`, a condition for those that count, else
        all): assessed, rated by the office, differing, and each level's count on both sides
        ("self_complete", "office_limited"...). One definition for today's report and a report
        as of a day (reports/annual.py, reports/as_of.py)."""

        def count(condition=None):
            if submitted is not None:
                condition = submitted & condition if condition is not None else submitted
            return Count("pk", filter=condition) if condition is not None else Count("pk")

        counts = {
            "assessed": count(),
            "rated": count(Q(**{f"{via}office_level__in": Level.values})),
            "differing": count(AssessmentQuerySet.differing_condition(via=via)),
        }
        for level in Level.values:
            counts[f"self_{level}"] = count(Q(**{f"{via}level": level}))
            counts[f"office_{level}"] = count(Q(**{f"{via}office_level": level}))
        return counts


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

    def save(self, *args, **kwargs):
        with transaction.atomic():
            stored = Assessment.objects.filter(pk=self.pk).values_list("evidence_file", flat=True).first()
            super().save(*args, **kwargs)
            if stored and stored != self.evidence_file.name:  # a file replaced goes, as an event's does
                delete_file_on_commit(self.evidence_file.storage, stored)

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

    @property
    def outcome(self):
        """What the commitment achieved, as the report lists it: the office's rating, else the
        self-assessment."""
        return self.office_level or self.level

    def get_outcome_display(self):
        return Level(self.outcome).label if self.outcome else ""

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


@receiver(post_delete, sender=Assessment)
def delete_assessment_evidence(sender, instance, **kwargs):
    """An assessment's evidence file goes with it (deleted itself, or with its commitment)."""
    if instance.evidence_file:
        delete_file_on_commit(instance.evidence_file.storage, instance.evidence_file.name)


# The network's logo: a small picture, embedded in the report's page and PDF (as a data: URI).
LOGO_MAX_BYTES = 512 * 1024
LOGO_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg"}


def logo_upload_to(instance, filename):
    """A random name under network/: never the uploader's name."""
    return f"network/{uuid.uuid4().hex}{Path(filename).suffix.lower()[:6]}"


def validate_logo_size(upload):
    if upload.size > LOGO_MAX_BYTES:
        raise ValidationError(_("The logo is too large: at most 512 KB."))


class NetworkProfile(models.Model):
    """The network itself, as its published reports name it: its name and its logo (a singleton,
    the only row has pk 1, edited by an admin in Django's admin; NetworkProfile.current() reads it,
    or a default with the name and no logo while nobody has saved one).

    Why the logo goes into reports as a data: URI: the PDF maker fetches only the product's own
    static files (reports/pdf.py), and uploads are not served publicly; a logo of at most 512 KB
    embedded in the page and the PDF needs neither."""

    DEFAULT_NAME = "International Gender Champions"

    name = models.CharField(verbose_name=_("network name"), max_length=200, default=DEFAULT_NAME)
    logo = models.ImageField(
        verbose_name=_("logo"),
        upload_to=logo_upload_to,
        blank=True,
        max_length=200,
        validators=[FileExtensionValidator(list(LOGO_TYPES)), validate_logo_size],
        help_text=_("PNG or JPEG, at most 512 KB: shown on the cover of the network's reports."),
    )

    class Meta:
        verbose_name = _("network profile")
        verbose_name_plural = _("network profile")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="reports_networkprofile_singleton")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def current(cls):
        """The network's profile (one query), or the default one, unsaved, while there is none."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    def logo_data_uri(self):
        """The logo as a data: URI for an <img> (in the page and the PDF), or "" without one (or
        when its file is gone or not a PNG or JPEG)."""
        if not self.logo:
            return ""
        content_type = LOGO_TYPES.get(Path(self.logo.name).suffix.lower().lstrip("."))
        try:
            with self.logo.open("rb") as logo:
                data = logo.read(LOGO_MAX_BYTES + 1)
        except OSError:
            return ""
        if not content_type or len(data) > LOGO_MAX_BYTES:
            return ""
        return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"


class AnnualReport(models.Model):
    """What the office writes for a cycle's published network report: its foreword in both
    languages, and (through Highlight) the narratives it picks to tell. One per cycle, made when the
    office first saves either (AnnualReport.of reads it without writing)."""

    cycle = models.OneToOneField(
        Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="annual_report"
    )
    foreword_en = models.TextField(verbose_name=_("foreword (English)"), blank=True, max_length=5000)
    foreword_fr = models.TextField(verbose_name=_("foreword (French)"), blank=True, max_length=5000)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        ordering = ["-cycle__year"]

    def __str__(self):
        return gettext("Annual report %(year)s") % {"year": self.cycle.year}

    @classmethod
    def of(cls, cycle):
        """The cycle's annual report, or an unsaved empty one (a page that reads writes nothing)."""
        return cls.objects.filter(cycle=cycle).first() or cls(cycle=cycle)

    @property
    def foreword(self):
        """The foreword in the reader's language, else in the other one (one written is shown)."""
        return self._foreword()[0]

    @property
    def foreword_language(self):
        """The language the shown foreword is written in ("en" or "fr"), for its `lang` attribute."""
        return self._foreword()[1]

    def _foreword(self):
        french = (get_language() or "").startswith("fr")
        choices = [("fr", self.foreword_fr), ("en", self.foreword_en)]
        for language, text in choices if french else reversed(choices):
            if text.strip():
                return text.strip(), language
        return "", ""


class HighlightQuerySet(models.QuerySet):
    def picked(self, cycle):
        """The highlights the office picked for `cycle`'s report, in its order, with their
        assessment, commitment and champion."""
        return (
            self.filter(annual_report__cycle=cycle)
            .select_related(
                "assessment__commitment__champion__organization", "assessment__commitment__champion__hub"
            )
            .order_by("order", "pk")
        )

    def shown_for(self, cycle, commitments):
        """The highlights of `cycle` the office picked among `commitments` (a report's, filtered):
        those still in a submitted report (Assessment candidates for highlights:
        AssessmentQuerySet.highlightable). A report as of a day: reports/as_of.highlights."""
        return self.picked(cycle).filter(
            assessment__in=Assessment.objects.highlightable(cycle).filter(
                commitment__in=commitments.order_by().values("pk")
            )
        )


class Highlight(models.Model):
    """A narrative the office picked for a cycle's annual report, at its place in the order (1
    first): the report tells these stories, in this order, and a hub's meeting pack its hub's."""

    annual_report = models.ForeignKey(
        AnnualReport, verbose_name=_("annual report"), on_delete=models.CASCADE, related_name="highlights"
    )
    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="highlights"
    )
    order = models.PositiveSmallIntegerField(verbose_name=_("order"))

    objects = HighlightQuerySet.as_manager()

    class Meta:
        verbose_name = _("highlight")
        verbose_name_plural = _("highlights")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["annual_report", "assessment"], name="reports_highlight_once"),
        ]

    def __str__(self):
        return f"{self.order}. {self.assessment.commitment}"
