import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Case, Count, F, Max, Min, Q, Sum, Value, When, Window
from django.db.models.functions import Cast, Coalesce, Least, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

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


# The roll-ups the dashboard sums over commitments (see CommitmentQuerySet.breakdown_cube).
CUBE_SUMS = [
    "events_in_cycle",
    "panels_logged",
    "panels_balanced",
    "panels_single_sex",
    "panel_women",
    "panel_men",
]
# The counts breakdown_cube gives each of its rows, which summarize adds up.
CUBE_COUNTS = ["commitments", "progress_total", "overdue", "due_soon", "stale", *CUBE_SUMS]


def _share(part, whole):
    """`part` as a whole percentage of `whole`, or None when there is nothing to divide."""
    return round(part * 100 / whole) if whole else None


def summarize(cube, champions):
    """The headline figures: the rows of CommitmentQuerySet.breakdown_cube added up.

    `champions` is how many champions those commitments belong to (a count the cube cannot add up:
    a champion's commitments fall in several of its rows).
    """
    figures = dict.fromkeys(CUBE_COUNTS, 0)
    by_status = dict.fromkeys(Status.values, 0)
    for row in cube:
        for name in CUBE_COUNTS:
            figures[name] += row[name]
        by_status[row["status"]] += row["commitments"]
    total = figures["commitments"]
    figures.update(
        champions=champions,
        events=figures["events_in_cycle"],
        panels=figures["panels_logged"],
        status_shares=[
            (status, label, by_status[status], _share(by_status[status], total))
            for status, label in Status.choices
        ],
        share_panels_balanced=_share(figures["panels_balanced"], figures["panels_logged"]),
        share_panels_single_sex=_share(figures["panels_single_sex"], figures["panels_logged"]),
        women_share=_share(figures["panel_women"], figures["panel_women"] + figures["panel_men"]),
    )
    return figures


class CycleQuerySet(models.QuerySet):
    def chosen(self, year, among):
        """The cycle of `year` (as a query string gives it) if it is one of `among`, else the current one."""
        by_year = {cycle.year: cycle for cycle in among}
        if year.isdigit() and int(year) in by_year:
            return by_year[int(year)]
        current = self.current()
        return by_year.get(current.year, current) if current else None

    def current(self, today=None):
        """The cycle that contains today, else the latest one that has started, else the first."""
        today = today or timezone.localdate()
        return (
            self.filter(starts_on__lte=today, ends_on__gte=today).first()
            or self.filter(starts_on__lte=today).order_by("-starts_on").first()
            or self.order_by("starts_on").first()
        )


class Cycle(models.Model):
    """A reporting year: the commitments made for it and the date the report is due."""

    year = models.PositiveIntegerField(verbose_name=_("year"), unique=True)
    starts_on = models.DateField(verbose_name=_("starts on"))
    ends_on = models.DateField(verbose_name=_("ends on"))
    report_due_on = models.DateField(verbose_name=_("report due on"))
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
        adding = self._state.adding
        super().save(*args, **kwargs)
        if not adding and kwargs.get("update_fields") is None:
            # Only events within the cycle's dates count: new dates may change every roll-up.
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
        """Defaults for a calendar-year cycle: January to December, report due mid-January."""
        defaults = {
            "starts_on": datetime.date(year, 1, 1),
            "ends_on": datetime.date(year, 12, 31),
            "report_due_on": datetime.date(year + 1, 1, 15),
        }
        defaults.update(fields)
        return cls.objects.get_or_create(year=year, defaults=defaults)[0]

    def contains(self, day):
        return self.starts_on <= day <= self.ends_on


class CommitmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Commitments of the champions a user is or serves as focal point (see Champion.served_by)."""
        return self.filter(champion__in=Champion.objects.served_by(user))

    def open(self):
        return self.exclude(status__in=CLOSED_STATUSES)

    def recount_rollups(self):
        """Recompute the event roll-ups of these commitments from their events; returns how many.

        Callers that write events lock the commitment row first (see ProgressEvent.save), so a
        recount always sees every committed event.
        """
        in_cycle = Q(
            events__occurred_on__gte=F("cycle__starts_on"), events__occurred_on__lte=F("cycle__ends_on")
        )
        counted = in_cycle & (Q(counts_kind="") | Q(events__kind=F("counts_kind")))
        # A panel the champion declined to speak on says nothing of the panels they joined.
        panel = in_cycle & Q(events__kind=EventKind.PANEL) & ~Q(events__panel_outcome="declined")
        rollups = {
            "events_in_cycle": Count("events", filter=in_cycle),
            "counted_events": Count("events", filter=counted),
            "counted_in_field": Count("events", filter=counted & Q(events__scope="field")),
            "panels_logged": Count("events", filter=panel),
            "panels_balanced": Count(
                "events", filter=panel & Q(events__women_count__gte=F("events__men_count"))
            ),
            "panels_single_sex": Count(
                "events", filter=panel & (Q(events__women_count=0) | Q(events__men_count=0))
            ),
            "panel_women": Coalesce(Sum("events__women_count", filter=panel), 0),
            "panel_men": Coalesce(Sum("events__men_count", filter=panel), 0),
            "last_event_on": Max("events__occurred_on"),
        }
        counts = (
            # Why Min("pk"): an aggregate names the id column as we choose (a plain values() column
            # gets an alias of Django's choosing); within a group of one commitment it is its id.
            self.order_by()
            .values("pk")
            .annotate(rollup_id=Min("pk"), **{f"new_{name}": value for name, value in rollups.items()})
        )
        sql, params = counts.query.sql_with_params()
        connection = connections[self.db]
        quote = connection.ops.quote_name
        table = quote(self.model._meta.db_table)
        assignments = ", ".join(f"{quote(name)} = rollup.{quote('new_' + name)}" for name in rollups)
        # Why one UPDATE ... FROM: a set-based write recounts 10,000 commitments in one statement
        # (bulk_update builds a CASE per row in Python). PostgreSQL and SQLite 3.33+ both take it.
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS target SET {assignments} FROM ({sql}) AS rollup "
                "WHERE target.id = rollup.rollup_id",
                params,
            )
            recounted = cursor.rowcount
        self._recount_months(connection)
        return recounted

    def _recount_months(self, connection):
        """The per-month roll-ups (CommitmentMonth) of these commitments, rebuilt from their events."""
        events = self.model._meta.get_field("events").related_model.objects
        panel = Q(kind=EventKind.PANEL) & ~Q(panel_outcome="declined")
        months = (
            events.filter(
                commitment__in=self.order_by().values("pk"),
                occurred_on__gte=F("commitment__cycle__starts_on"),
                occurred_on__lte=F("commitment__cycle__ends_on"),
            )
            .order_by()
            .values(
                month_of=F("commitment_id"),
                month_cycle=F("commitment__cycle_id"),
                month_start=TruncMonth("occurred_on"),
            )
            .annotate(
                month_events=Count("pk"),
                month_women=Coalesce(Sum("women_count", filter=panel), 0),
                month_men=Coalesce(Sum("men_count", filter=panel), 0),
            )
        )
        sql, params = months.query.sql_with_params()
        quote = connection.ops.quote_name
        CommitmentMonth.objects.filter(commitment__in=self.order_by().values("pk")).delete()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {quote(CommitmentMonth._meta.db_table)} "
                "(commitment_id, cycle_id, month, events, panel_women, panel_men) "
                "SELECT month_of, month_cycle, month_start, month_events, month_women, month_men "
                f"FROM ({sql}) AS months",
                params,
            )

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
        cutoff = (today or timezone.localdate()) - datetime.timedelta(days=settings.STALE_AFTER_DAYS)
        quiet = Q(last_event_on__lt=cutoff) | Q(last_event_on__isnull=True, cycle__starts_on__lt=cutoff)
        return ~Q(status__in=CLOSED_STATUSES) & quiet

    @staticmethod
    def overdue_condition(today=None):
        return ~Q(status__in=CLOSED_STATUSES) & Q(due_on__lt=today or timezone.localdate())

    def summary(self, today=None):
        """The headline figures of these commitments (see summarize)."""
        return summarize(self.breakdown_cube(today), champions=self.values("champion").distinct().count())

    def breakdown_cube(self, today=None):
        """Every figure the dashboard sums, per hub, organization, category and status, in one scan.

        A few hundred rows at most (hubs x organizations x categories x statuses): folded in Python
        they give the headline figures (summarize) and every breakdown (by hub, by organization, by
        category, status mix by hub). Hubs and organizations come as ids: their names are a lookup.
        """
        today = today or timezone.localdate()
        return (
            self.with_progress()
            .order_by()
            .values(
                "category", "status", hub=F("champion__hub_id"), organization=F("champion__organization_id")
            )
            .annotate(
                commitments=Count("pk"),
                progress_total=Coalesce(Sum("annotated_progress"), 0),
                overdue=Count("pk", filter=self.overdue_condition(today)),
                due_soon=Count("pk", filter=self.due_within_condition(today=today)),
                stale=Count("pk", filter=self.stale_condition(today)),
                **{name: Coalesce(Sum(name), 0) for name in CUBE_SUMS},
            )
        )

    def champion_ranking(self):
        """One row per champion: average progress of these commitments, best first.

        Each row also carries `champions`, how many rows there are in all (a window over the groups),
        so that a page of the ranking and the count of champions come from one query.
        """
        return (
            self.with_progress()
            .order_by()
            .values("champion")
            .annotate(
                # Why not Avg: on PostgreSQL AVG of integers adds up in numeric, twice as slow.
                average_progress=Cast(Sum("annotated_progress"), models.FloatField()) / Count("pk"),
                commitments=Count("pk"),
                champions=Window(Count("*")),
            )
            .order_by("-average_progress", "champion__full_name")
        )

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
    title = models.CharField(verbose_name=_("title"), max_length=300)
    description = models.TextField(verbose_name=_("description"), blank=True)
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
        adding = self._state.adding
        super().save(*args, **kwargs)
        if not adding and kwargs.get("update_fields") is None:
            # Which events count may have changed with counts_kind or the cycle.
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
        if self.counts_kind:
            return EVENT_KIND_PLURALS[self.counts_kind]
        return self.unit or gettext("events")

    @property
    def target_label(self):
        if self.target_kind == TargetKind.COUNT:
            return f"{self.target_value} {self.counted_unit}"
        if self.target_kind == TargetKind.PERCENTAGE:
            return gettext("%(share)s%% women speakers on panels") % {"share": self.target_value}
        return gettext("Milestone")

    @property
    def women_share(self):
        """Women's share of panel speakers in percent, or None before any speaker is logged."""
        speakers = self.panel_women + self.panel_men
        return round(self.panel_women * 100 / speakers) if speakers else None

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

    def change_status(self, status, user, comment=""):
        """Set a new status and keep it in the history; nothing happens if it is unchanged."""
        if status == self.status and not comment:
            return None
        change = self.status_changes.create(
            old_status=self.status, new_status=status, comment=comment, changed_by=user
        )
        self.status = status
        self.save(update_fields=["status", "updated_at"])
        return change

    def clean(self):
        super().clean()
        cycle = getattr(self, "cycle", None) if self.cycle_id else None
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


class StatusChange(models.Model):
    """One entry in a commitment's status history."""

    commitment = models.ForeignKey(
        Commitment, verbose_name=_("commitment"), on_delete=models.CASCADE, related_name="status_changes"
    )
    old_status = models.CharField(verbose_name=_("old status"), max_length=20, choices=Status.choices)
    new_status = models.CharField(verbose_name=_("new status"), max_length=20, choices=Status.choices)
    comment = models.TextField(verbose_name=_("comment"), blank=True)
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


class ReminderKind(models.TextChoices):
    UPCOMING = "upcoming", _("Deadline approaching")
    OVERDUE = "overdue", _("Overdue notice")
    REPORT_DUE = "report_due", _("Report due")
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
        verbose_name = _("office digest")
        verbose_name_plural = _("office digests")
        ordering = ["-week_of"]

    def __str__(self):
        return gettext("Digest for the week of %(day)s") % {"day": self.week_of}
