import datetime
from operator import attrgetter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Case, F, Max, Q, Sum, Value, When
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.validators import validate_single_line
from champions.models import Champion


class EventKind(models.TextChoices):
    """What a progress event is. Lives here because targets say which kinds count toward them."""

    MEETING = "meeting", _("Meeting with staff")
    PANEL = "panel", _("Panel")
    TRAINING = "training", _("Training")
    TASK_FORCE = "task_force", _("Task-force meeting")
    HIGH_LEVEL_EVENT = "high_level_event", _("High-level event")
    OTHER = "other", _("Other")


# How a count target names what it counts, by the kind of event that counts toward it.
EVENT_KIND_PLURALS = {
    EventKind.MEETING: _("meetings"),
    EventKind.PANEL: _("panels"),
    EventKind.TRAINING: _("trainings"),
    EventKind.TASK_FORCE: _("task-force meetings"),
    EventKind.HIGH_LEVEL_EVENT: _("high-level events"),
    EventKind.OTHER: _("events"),
}


class Category(models.TextChoices):
    LEADERSHIP = "leadership", _("Leadership and accountability")
    GOVERNANCE = "governance", _("Good governance")
    CULTURE = "culture", _("Organisational culture")
    WORK_LIFE = "work_life", _("Work-life balance")
    PROGRAMMATIC = "programmatic", _("Programmatic work")
    PANEL_PARITY = "panel_parity", _("Panel parity")
    GBV = "gbv", _("Gender-based violence")


class TargetKind(models.TextChoices):
    COUNT = "count", _("Count")
    PERCENTAGE = "percentage", _("Percentage")
    MILESTONE = "milestone", _("Milestone")


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")
    COMPLETED = "completed", _("Completed")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")


class Approval(models.TextChoices):
    """Where a commitment is in being set: drafted by the champion's side, approved by the office."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


# Which approval states the champion's side may still edit, delete and submit.
EDITABLE_APPROVALS = (Approval.DRAFT, Approval.RETURNED)


# The default percentage each status stands for (used as a milestone's progress).
STATUS_PERCENT = {
    Status.NOT_STARTED: 0,
    Status.IN_PROGRESS: 25,
    Status.ON_TRACK: 60,
    Status.AT_RISK: 40,
    Status.OFF_TRACK: 20,
    Status.COMPLETED: 100,
    Status.NOT_ACHIEVED: 0,
}
CLOSED_STATUSES = (Status.COMPLETED, Status.NOT_ACHIEVED)
# "Due soon": open and due within this many days (the dashboard's list, the office digest's default).
DUE_SOON_DAYS = 30
ROLLUP_FIELDS = [
    "events_in_cycle",
    "counted_events",
    "counted_in_field",
    "panels_logged",
    "panels_balanced",
    "panels_single_sex",
    "panel_women",
    "panel_men",
    "last_event_on",
]


# Which stored fields decide which events count toward a commitment's roll-ups (see rollups.py).
COMMITMENT_FIELDS_COUNTED = {"cycle", "counts_kind"}
CYCLE_FIELDS_COUNTED = {"starts_on", "ends_on"}


def share_percent(part, whole):
    """`part` as a whole percentage of `whole`, or None when there is nothing to divide."""
    return round(part * 100 / whole) if whole else None


def women_share(women, men):
    """Women's share of panel speakers in percent, or None before any speaker: the one definition."""
    return share_percent(women, women + men)


def counted_unit_wording(counts_kind, unit):
    """Commitment.counted_unit from its fields (for rows read as values, as the export does)."""
    if counts_kind:
        return EVENT_KIND_PLURALS[counts_kind]
    return unit or gettext("events")


def target_wording(target_kind, target_value, counts_kind, unit):
    """Commitment.target_label from its fields: the one wording of a target (pages, admin, exports,
    emails), for rows read as values too."""
    if target_kind == TargetKind.COUNT:
        return f"{target_value} {counted_unit_wording(counts_kind, unit)}"
    if target_kind == TargetKind.PERCENTAGE:
        return gettext("%(share)s%% women speakers on panels") % {"share": target_value}
    return gettext("Milestone")


def stale_cutoff(today=None):
    """An open commitment quiet since before this day is stale (STALE_AFTER_DAYS without progress)."""
    return (today or timezone.localdate()) - datetime.timedelta(days=settings.STALE_AFTER_DAYS)


def _changes_stored(instance, fields, update_fields=None):
    """Whether saving `instance` will change any of `fields` from what is stored (one query)."""
    if instance._state.adding:
        return False
    if update_fields is not None:
        fields = fields & set(update_fields)
    attnames = [instance._meta.get_field(name).attname for name in fields]
    if not attnames:
        return False
    stored = (
        type(instance)
        ._base_manager.db_manager(instance._state.db)
        .filter(pk=instance.pk)
        .values(*attnames)
        .first()
    )
    return stored is None or any(stored[name] != getattr(instance, name) for name in attnames)


def yet_to_submit(cycle):
    """Whether a champion (the outer query's row) has yet to submit `cycle`'s commitments: none yet,
    or some still a draft or returned. The one definition, for the home page, the review page,
    reminders and the digest. `cycle` is a Cycle or a reference to one in an outer query."""
    theirs = models.Q(cycle=cycle, champion=models.OuterRef("pk"))
    editable = Commitment.objects.filter(theirs, approval__in=EDITABLE_APPROVALS)
    return models.Exists(editable) | ~models.Exists(Commitment.objects.filter(theirs))


class CycleQuerySet(models.QuerySet):
    def to_set_by(self, champions):
        """Cycles open for commitments in which one of `champions` has yet to submit."""
        waiting = (
            Champion.objects.active()
            .filter(pk__in=champions)
            .filter(yet_to_submit(models.OuterRef(models.OuterRef("pk"))))
        )
        return self.filter(ends_on__gte=timezone.localdate()).filter(models.Exists(waiting))

    def chosen(self, year, among):
        """The cycle of `year` (as a query string gives it) if it is one of `among`, else the current one."""
        by_year = {cycle.year: cycle for cycle in among}
        if year.isdigit() and int(year) in by_year:
            return by_year[int(year)]
        current = self.current()
        return by_year.get(current.year, current) if current else None

    def current(self, today=None):
        """The cycle that contains today, else the latest one that has started, else the first.

        Chosen among these cycles as read (one query, none when they have been read already, as a
        form's choices are): there is one a year.
        """
        today = today or timezone.localdate()
        cycles = sorted(self, key=attrgetter("starts_on"))
        started = [cycle for cycle in cycles if cycle.starts_on <= today]
        containing = [cycle for cycle in started if cycle.ends_on >= today]
        if containing:  # (should cycles overlap, the latest year)
            return max(containing, key=attrgetter("year"))
        if started:
            return started[-1]
        return cycles[0] if cycles else None


class Cycle(models.Model):
    """A reporting year: the commitments made for it and the date the report is due."""

    year = models.PositiveIntegerField(verbose_name=_("year"), unique=True)
    starts_on = models.DateField(verbose_name=_("starts on"))
    ends_on = models.DateField(verbose_name=_("ends on"))
    report_due_on = models.DateField(verbose_name=_("report due on"))
    commitments_due_on = models.DateField(
        verbose_name=_("commitments due by"),
        help_text=_("The day champions should have submitted their commitments for the cycle."),
    )
    max_commitments = models.PositiveSmallIntegerField(verbose_name=_("max commitments"), default=5)

    objects = CycleQuerySet.as_manager()

    class Meta:
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__lt=models.F("ends_on")),
                name="commitments_cycle_starts_before_ends",
                violation_error_message=_("A cycle must start before it ends."),
            ),
            models.CheckConstraint(
                condition=Q(report_due_on__gte=models.F("starts_on")),
                name="commitments_cycle_report_due_after_start",
                violation_error_message=_("The report cannot be due before the cycle starts."),
            ),
            models.CheckConstraint(
                condition=Q(max_commitments__gte=1, max_commitments__lte=20),
                name="commitments_cycle_max_commitments_range",
                violation_error_message=_("A cycle allows from 1 to 20 commitments per champion."),
            ),
        ]

    def __str__(self):
        return str(self.year)

    def save(self, *args, **kwargs):
        # Only events within the cycle's dates count: new dates change its commitments' roll-ups
        # (and nothing else does: a new report date rewrites no commitment).
        recount = _changes_stored(self, CYCLE_FIELDS_COUNTED, kwargs.get("update_fields"))
        super().save(*args, **kwargs)
        if recount:
            self.commitments.recount_rollups()

    def clean(self):
        super().clean()
        # The database refuses a maximum below a number in use (a trigger); say so clearly first.
        highest = self.pk and self.commitments.aggregate(highest=Max("number"))["highest"]
        if highest and self.max_commitments and self.max_commitments < highest:
            raise ValidationError(
                {
                    "max_commitments": (
                        gettext(
                            "Commitments of this cycle are numbered up to %(highest)s: the maximum cannot be lower."
                        )
                        % {"highest": highest}
                    )
                }
            )

    @classmethod
    def for_year(cls, year, **fields):
        """Defaults for a calendar-year cycle: January to December, commitments due by the end of
        January, report due mid-January of the next year."""
        defaults = {
            "starts_on": datetime.date(year, 1, 1),
            "ends_on": datetime.date(year, 12, 31),
            "commitments_due_on": datetime.date(year, 1, 31),
            "report_due_on": datetime.date(year + 1, 1, 15),
        }
        defaults.update(fields)
        return cls.objects.get_or_create(year=year, defaults=defaults)[0]

    def contains(self, day):
        return self.starts_on <= day <= self.ends_on

    def is_open_for_commitments(self, today=None):
        """Champions may set and submit commitments until the cycle ends (after commitments_due_on
        they are late, and the office sees it)."""
        return (today or timezone.localdate()) <= self.ends_on

    def champions_yet_to_submit(self):
        """Active champions who have not submitted this cycle's commitments (see yet_to_submit)."""
        return Champion.objects.active().filter(yet_to_submit(self))


class CommitmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Commitments of the champions a user is or serves as focal point (see Champion.served_by)."""
        return self.filter(champion__in=Champion.objects.served_by(user))

    def next_number(self, champion, cycle):
        """The lowest number a new commitment of `champion` in `cycle` can take, or None at the maximum."""
        taken = set(self.filter(champion=champion, cycle=cycle).values_list("number", flat=True))
        return next((n for n in range(1, cycle.max_commitments + 1) if n not in taken), None)

    def approved(self):
        """Approved commitments: the only ones measured, shown in figures, logged on and reminded of."""
        return self.filter(approval=Approval.APPROVED)

    def awaiting_review(self):
        return self.filter(approval=Approval.SUBMITTED)

    def open(self):
        return self.exclude(status__in=CLOSED_STATUSES)

    def recount_rollups(self):
        """Recompute the event roll-ups of these commitments from their events (see rollups.recount)."""
        from commitments.rollups import recount

        return recount(self)

    def overdue(self, today=None):
        """Open commitments whose due date has passed: the one definition of "overdue"."""
        return self.filter(self.overdue_condition(today))

    def due_within(self, days=None, today=None):
        """Open commitments due from today to `days` (default DUE_SOON_DAYS) days from now."""
        return self.filter(self.due_within_condition(days, today))

    @staticmethod
    def due_within_condition(days=None, today=None):
        today = today or timezone.localdate()
        soon = today + datetime.timedelta(days=DUE_SOON_DAYS if days is None else days)
        return ~Q(status__in=CLOSED_STATUSES) & Q(due_on__gte=today, due_on__lte=soon)

    def stale(self, today=None):
        """Open commitments with no progress logged for STALE_AFTER_DAYS: the one definition of "stale".

        A commitment with no event at all counts from the start of its cycle.
        """
        return self.filter(self.stale_condition(today))

    @staticmethod
    def stale_condition(today=None):
        """Commitment.is_stale() as a condition: open, and quiet since before stale_cutoff()."""
        cutoff = stale_cutoff(today)
        quiet = Q(last_event_on__lt=cutoff) | Q(last_event_on__isnull=True, cycle__starts_on__lt=cutoff)
        return ~Q(status__in=CLOSED_STATUSES) & quiet

    @staticmethod
    def overdue_condition(today=None):
        return ~Q(status__in=CLOSED_STATUSES) & Q(due_on__lt=today or timezone.localdate())

    def per_month(self):
        """Events logged, and panel speakers by gender, per month, for these commitments."""
        return CommitmentMonth.objects.filter(commitment__in=self.order_by().values("pk")).totals()

    def with_progress(self):
        """Annotate `annotated_progress`: the database's computation of Commitment.progress_percent."""
        share_of_target = (F("panel_women") * 10000) / (
            (F("panel_women") + F("panel_men")) * F("target_value")
        )
        return self.annotate(
            annotated_progress=Case(
                When(
                    target_kind=TargetKind.COUNT,
                    then=Least(Value(100), F("counted_events") * 100 / F("target_value")),
                ),
                When(
                    Q(target_kind=TargetKind.PERCENTAGE) & Q(panel_women__gt=0),
                    then=Least(Value(100), share_of_target),
                ),
                When(target_kind=TargetKind.PERCENTAGE, then=Value(0)),
                *[When(status=status, then=Value(percent)) for status, percent in STATUS_PERCENT.items()],
                default=Value(0),
                output_field=models.IntegerField(),
            )
        )


class Commitment(models.Model):
    """One of a champion's numbered, measurable commitments for a cycle."""

    champion = models.ForeignKey(
        Champion, verbose_name=_("champion"), on_delete=models.CASCADE, related_name="commitments"
    )
    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="commitments"
    )
    number = models.PositiveSmallIntegerField(
        verbose_name=_("number"), help_text=_("1 to the cycle's maximum (usually 5).")
    )
    title = models.CharField(verbose_name=_("title"), max_length=300, validators=[validate_single_line])
    description = models.TextField(verbose_name=_("description"), blank=True, max_length=5000)
    category = models.CharField(verbose_name=_("category"), max_length=20, choices=Category.choices)
    target_kind = models.CharField(
        verbose_name=_("target kind"), max_length=20, choices=TargetKind.choices, default=TargetKind.COUNT
    )
    target_value = models.PositiveIntegerField(
        verbose_name=_("target value"),
        null=True,
        blank=True,
        help_text=_(
            "How many, for a count; the share of women in percent, for a percentage; empty for a milestone."
        ),
    )
    unit = models.CharField(
        verbose_name=_("unit"),
        max_length=60,
        blank=True,
        help_text=_("What is counted, for example 'meetings'."),
        validators=[validate_single_line],
    )
    counts_kind = models.CharField(
        _("events that count"),
        max_length=20,
        choices=EventKind.choices,
        blank=True,
        help_text=_("For a count target: which kind of progress event counts toward it (empty: every kind)."),
    )
    due_on = models.DateField(verbose_name=_("due on"), db_index=True)
    status = models.CharField(
        verbose_name=_("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.NOT_STARTED,
        db_index=True,
    )
    approval = models.CharField(
        verbose_name=_("approval"),
        max_length=10,
        choices=Approval.choices,
        # Why approved by default: commitments made by admins or imported by the office are
        # approved; the champion's side drafts theirs explicitly (commitments/views.py).
        default=Approval.APPROVED,
        db_index=True,
    )
    carried_from = models.ForeignKey(
        "self",
        verbose_name=_("carried from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_into",
        help_text=_("The previous cycle's commitment this one continues."),
    )
    # Roll-ups of the commitment's progress events, kept by recount_rollups() in the same
    # transaction as each event is saved or deleted, so pages read one row, not every event.
    events_in_cycle = models.PositiveIntegerField(
        verbose_name=_("events in cycle"), default=0, editable=False
    )
    counted_events = models.PositiveIntegerField(verbose_name=_("counted events"), default=0, editable=False)
    counted_in_field = models.PositiveIntegerField(
        verbose_name=_("counted in field"), default=0, editable=False
    )
    panels_logged = models.PositiveIntegerField(verbose_name=_("panels logged"), default=0, editable=False)
    panels_balanced = models.PositiveIntegerField(
        verbose_name=_("panels balanced"),
        default=0,
        editable=False,
        help_text=_("Panels with at least half women speakers."),
    )
    panels_single_sex = models.PositiveIntegerField(
        verbose_name=_("panels single sex"), default=0, editable=False
    )
    panel_women = models.PositiveIntegerField(verbose_name=_("panel women"), default=0, editable=False)
    panel_men = models.PositiveIntegerField(verbose_name=_("panel men"), default=0, editable=False)
    last_event_on = models.DateField(verbose_name=_("last event on"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    objects = CommitmentQuerySet.as_manager()
    # Who changed what and when. Roll-ups are derived from events (which have their own history).
    history = HistoricalRecords(excluded_fields=[*ROLLUP_FIELDS, "updated_at"])

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["cycle", "champion", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["champion", "cycle", "number"],
                name="commitments_commitment_unique_number",
                violation_error_message=_(
                    "This champion already has a commitment with this number in this cycle."
                ),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="commitments_commitment_number_positive",
                violation_error_message=_("Commitments are numbered from 1."),
            ),
            models.CheckConstraint(
                condition=(
                    # Why isnull: a CHECK passes when it evaluates to NULL, as `NULL >= 1` does.
                    Q(target_kind=TargetKind.COUNT, target_value__isnull=False, target_value__gte=1)
                    | Q(
                        target_kind=TargetKind.PERCENTAGE,
                        target_value__isnull=False,
                        target_value__gte=1,
                        target_value__lte=100,
                    )
                    | Q(target_kind=TargetKind.MILESTONE)
                ),
                name="commitments_commitment_target_fits_kind",
                violation_error_message=(
                    "A count target needs a value of at least 1; a percentage target a value from 1 to 100."
                ),
            ),
            models.CheckConstraint(
                condition=Q(target_kind__in=TargetKind.values),
                name="commitments_commitment_target_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values),
                name="commitments_commitment_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(category__in=Category.values),
                name="commitments_commitment_category_valid",
            ),
            models.CheckConstraint(
                condition=Q(approval__in=Approval.values),
                name="commitments_commitment_approval_valid",
            ),
            models.CheckConstraint(
                # Only an approved commitment is measured, so only its status can move.
                condition=Q(approval=Approval.APPROVED) | Q(status=Status.NOT_STARTED),
                name="commitments_commitment_status_moves_once_approved",
                violation_error_message=_(
                    "A commitment's status can change once the office has approved it."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["cycle", "status"]),
            models.Index(fields=["cycle", "due_on"]),
            # The stale list: open commitments whose last event is the oldest, first.
            models.Index(fields=["cycle", "last_event_on"]),
        ]

    def __str__(self):
        return f"{self.champion} #{self.number}: {self.title}"

    def save(self, *args, **kwargs):
        if not self._state.adding and kwargs.get("update_fields") is None:
            # Roll-ups are written by their recount alone: a full save of an instance loaded before
            # an event was logged must not write its older figures back.
            kwargs["update_fields"] = EDITABLE_FIELDS
        # Which events count changes with the kind that counts or the cycle, and only with them.
        recount = _changes_stored(self, COMMITMENT_FIELDS_COUNTED, kwargs.get("update_fields"))
        super().save(*args, **kwargs)
        if recount:
            Commitment.objects.filter(pk=self.pk).recount_rollups()
            self.refresh_from_db(fields=ROLLUP_FIELDS)

    @property
    def progress_percent(self):
        """Progress from 0 to 100: the one definition, mirrored in CommitmentQuerySet.with_progress()."""
        if self.target_kind == TargetKind.COUNT:
            return min(100, self.counted_events * 100 // self.target_value)
        if self.target_kind == TargetKind.PERCENTAGE:
            if not self.panel_women:
                return 0
            speakers = self.panel_women + self.panel_men
            return min(100, self.panel_women * 10000 // (speakers * self.target_value))
        return STATUS_PERCENT[self.status]

    @property
    def counted_unit(self):
        """What a count target counts, in the reader's language where the kind of event says it."""
        return counted_unit_wording(self.counts_kind, self.unit)

    @property
    def target_label(self):
        """The target in words, the one wording of it (pages, admin, exports, emails)."""
        return target_wording(self.target_kind, self.target_value, self.counts_kind, self.unit)

    @property
    def women_share(self):
        """Women's share of panel speakers in percent, or None before any speaker is logged."""
        return women_share(self.panel_women, self.panel_men)

    @property
    def progress_figure(self):
        """The figure behind the percentage, in words: "3 of 6 meetings, 1 in the field"."""
        if self.target_kind == TargetKind.COUNT:
            figure = gettext("%(done)s of %(target)s %(unit)s") % {
                "done": self.counted_events,
                "target": self.target_value,
                "unit": self.counted_unit,
            }
            if self.counted_in_field:
                figure += gettext(", %(count)s in the field") % {"count": self.counted_in_field}
            return figure
        if self.target_kind == TargetKind.PERCENTAGE:
            if self.women_share is None:
                return gettext("No speakers logged yet (target %(target)s%% women)") % {
                    "target": self.target_value
                }
            return ngettext(
                "%(share)s%% women speakers across %(count)s panel (target %(target)s%%)",
                "%(share)s%% women speakers across %(count)s panels (target %(target)s%%)",
                self.panels_logged,
            ) % {"share": self.women_share, "count": self.panels_logged, "target": self.target_value}
        return gettext("Milestone: %(status)s") % {"status": self.get_status_display().lower()}

    def days_left(self, today=None):
        """Days until the due date: negative once it has passed."""
        return (self.due_on - (today or timezone.localdate())).days

    @property
    def is_open(self):
        return self.status not in CLOSED_STATUSES

    def is_overdue(self, today=None):
        return self.is_open and self.days_left(today) < 0

    @property
    def quiet_since(self):
        """The last day progress was logged, or the cycle's start before any was."""
        return self.last_event_on or self.cycle.starts_on

    def is_stale(self, today=None):
        """Open with no progress logged for STALE_AFTER_DAYS: the one definition of "stale", mirrored
        in SQL by CommitmentQuerySet.stale()."""
        return self.is_open and self.quiet_since < stale_cutoff(today)

    @property
    def is_approved(self):
        """Measured, reminded of and logged on: see CommitmentQuerySet.approved()."""
        return self.approval == Approval.APPROVED

    @property
    def is_editable_by_champion(self):
        """A draft, or returned by the office: the champion's side may edit, delete and submit it."""
        return self.approval in EDITABLE_APPROVALS

    def submit(self, user):
        """The champion's side submits a draft or a returned commitment for the office's review."""
        return self._move_approval({Approval.DRAFT, Approval.RETURNED}, Approval.SUBMITTED, user)

    def approve(self, user):
        """The office approves a submitted commitment; approving an approved one changes nothing."""
        return self._move_approval({Approval.SUBMITTED}, Approval.APPROVED, user)

    def return_for_changes(self, user, comment):
        """The office sends a submitted commitment back, saying what to change."""
        if not comment.strip():
            raise ValidationError(_("Say what to change: the comment goes to the champion."))
        return self._move_approval({Approval.SUBMITTED}, Approval.RETURNED, user, comment)

    def _move_approval(self, allowed_from, to, user, comment=""):
        """One transition of the approval workflow, kept in its history; None when it does not apply
        (already there, or not from a state it moves from). The row is locked while it moves."""
        with transaction.atomic():
            current = (
                Commitment.objects.select_for_update().values_list("approval", flat=True).get(pk=self.pk)
            )
            if current == to or current not in allowed_from:
                self.approval = current
                return None
            change = self.approval_changes.create(
                old_approval=current, new_approval=to, comment=comment, changed_by=user
            )
            self.approval = to
            self.save(update_fields=["approval", "updated_at"])
        return change

    def change_status(self, status, user, comment="", *, save=True):
        """Set a new status and keep it in the history: the one way a status changes.

        Nothing happens if it is unchanged and there is no comment. With save=False the caller
        saves the commitment (admin, which saves its other fields with it). Only an approved
        commitment's status moves.
        """
        if status == self.status and not comment:
            return None
        if not self.is_approved:
            raise ValidationError(_("A commitment's status can change once the office has approved it."))
        change = self.status_changes.create(
            old_status=self.status, new_status=status, comment=comment, changed_by=user
        )
        self.status = status
        if save:
            self.save(update_fields=["status", "updated_at"])
        return change

    def clean(self):
        """The rules a commitment is set by, in words (the database's constraints stand behind them)."""
        super().clean()
        if self.target_kind == TargetKind.COUNT and not (self.target_value and self.target_value >= 1):
            raise ValidationError({"target_value": gettext("A count target needs how many: at least 1.")})
        if self.target_kind == TargetKind.PERCENTAGE and not (
            self.target_value and 1 <= self.target_value <= 100
        ):
            raise ValidationError(
                {"target_value": gettext("A percentage target needs the share of women, from 1 to 100.")}
            )
        if self.approval != Approval.APPROVED and self.status != Status.NOT_STARTED:
            raise ValidationError(
                {"status": gettext("A commitment's status can change once the office has approved it.")}
            )
        cycle = getattr(self, "cycle", None) if self.cycle_id else None
        if cycle and self.due_on and not cycle.contains(self.due_on):
            raise ValidationError(
                {
                    "due_on": gettext(
                        "The due date must be within the %(year)s cycle, from %(start)s to %(end)s."
                    )
                    % {"year": cycle.year, "start": cycle.starts_on, "end": cycle.ends_on}
                }
            )
        if cycle and self.number and self.number > cycle.max_commitments:
            raise ValidationError(
                {
                    "number": (
                        gettext(
                            "The %(year)s cycle allows at most %(maximum)s commitments per champion: "
                            "number %(number)s is too high."
                        )
                        % {"year": cycle.year, "maximum": cycle.max_commitments, "number": self.number}
                    )
                }
            )


# What a save() of an existing commitment writes: every field but its id and roll-ups.
EDITABLE_FIELDS = [
    field.name
    for field in Commitment._meta.concrete_fields
    if not field.primary_key and field.name not in ROLLUP_FIELDS
]


class ApprovalChange(models.Model):
    """One step of a commitment's approval: submitted, approved or returned, by whom, when, and why."""

    commitment = models.ForeignKey(
        "Commitment", verbose_name=_("commitment"), on_delete=models.CASCADE, related_name="approval_changes"
    )
    old_approval = models.CharField(verbose_name=_("from"), max_length=10, choices=Approval.choices)
    new_approval = models.CharField(verbose_name=_("to"), max_length=10, choices=Approval.choices)
    comment = models.TextField(verbose_name=_("comment"), blank=True, max_length=2000)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(verbose_name=_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["commitment", "-changed_at"])]

    def __str__(self):
        return f"{self.commitment}: {self.get_old_approval_display()} → {self.get_new_approval_display()}"


class CommitmentMonthQuerySet(models.QuerySet):
    def totals(self):
        """Events, and panel speakers by gender, per month, earliest first."""
        return (
            self.order_by("month")
            .values("month")
            .annotate(events=Sum("events"), panel_women=Sum("panel_women"), panel_men=Sum("panel_men"))
        )


class CommitmentMonth(models.Model):
    """A commitment's events in one month of its cycle: the roll-up behind the dashboard's trends.

    Kept by CommitmentQuerySet.recount_rollups(), with the other roll-ups, so the monthly charts
    read a few rows per commitment instead of every event. It carries the commitment's cycle so
    that a whole cycle's months are read without joining its commitments.
    """

    commitment = models.ForeignKey(
        Commitment, verbose_name=_("commitment"), on_delete=models.CASCADE, related_name="months"
    )
    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="months", editable=False
    )
    month = models.DateField(verbose_name=_("month"), help_text=_("The first day of the month."))
    events = models.PositiveIntegerField(verbose_name=_("events"), default=0)
    panel_women = models.PositiveIntegerField(verbose_name=_("women speaking on panels"), default=0)
    panel_men = models.PositiveIntegerField(verbose_name=_("men speaking on panels"), default=0)

    objects = CommitmentMonthQuerySet.as_manager()

    class Meta:
        verbose_name = _("commitment month")
        verbose_name_plural = _("commitment months")
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "month"], name="commitments_commitmentmonth_unique"
            ),
        ]
        indexes = [models.Index(fields=["cycle", "month"])]

    def __str__(self):
        return f"{self.commitment_id} {self.month:%Y-%m}: {self.events}"


class CycleMonthQuerySet(models.QuerySet):
    def trend(self):
        """Events, and panel speakers by gender, per month that has any, earliest first: the rows
        CommitmentMonthQuerySet.totals gives for the same cycle."""
        return (
            self.filter(events__gt=0).order_by("month").values("month", "events", "panel_women", "panel_men")
        )


class CycleMonth(models.Model):
    """A whole cycle's events in one month: the sum of its CommitmentMonth rows for that month.

    Why: the dashboard's trend of a whole cycle would otherwise add up a row per commitment and
    month (42,000 at the benchmark's size in December, about 120,000 by the end of a year) on every
    computed view. Kept by the roll-up recount (commitments/rollups.py) as it rewrites a
    commitment's months: it takes away what they were and adds what they are, so writers of
    different commitments never overwrite each other's totals. A month whose events all went keeps
    its row at zero, which `trend()` leaves out. Plain integers, not positive ones: should a total
    ever be wrong (a write made outside the application), logging progress must not fail on it;
    `manage.py recount_rollups` adds every cycle's months up anew.
    """

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="month_totals", editable=False
    )
    month = models.DateField(verbose_name=_("month"), help_text=_("The first day of the month."))
    events = models.IntegerField(verbose_name=_("events"), default=0)
    panel_women = models.IntegerField(verbose_name=_("women speaking on panels"), default=0)
    panel_men = models.IntegerField(verbose_name=_("men speaking on panels"), default=0)

    objects = CycleMonthQuerySet.as_manager()

    class Meta:
        verbose_name = _("cycle month")
        verbose_name_plural = _("cycle months")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "month"], name="commitments_cyclemonth_unique"),
        ]

    def __str__(self):
        return f"{self.cycle_id} {self.month:%Y-%m}: {self.events}"


class StatusChange(models.Model):
    """One entry in a commitment's status history."""

    commitment = models.ForeignKey(
        Commitment, verbose_name=_("commitment"), on_delete=models.CASCADE, related_name="status_changes"
    )
    old_status = models.CharField(verbose_name=_("old status"), max_length=20, choices=Status.choices)
    new_status = models.CharField(verbose_name=_("new status"), max_length=20, choices=Status.choices)
    comment = models.TextField(verbose_name=_("comment"), blank=True, max_length=2000)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(verbose_name=_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["commitment", "-changed_at"])]

    def __str__(self):
        return f"{self.commitment}: {self.get_old_status_display()} → {self.get_new_status_display()}"
