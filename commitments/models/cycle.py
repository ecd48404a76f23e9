"""Cycles: the reporting years commitments are made for."""

import datetime
from operator import attrgetter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from champions.models import Champion
from commitments.models.vocabulary import CYCLE_FIELDS_COUNTED, EDITABLE_APPROVALS


def changes_stored(instance, fields, update_fields=None):
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
    from commitments.models.commitment import (
        Commitment,  # (commitments refer to their cycle: imported when used)
    )

    theirs = models.Q(cycle=cycle, champion=models.OuterRef("pk"))
    editable = Commitment.objects.filter(theirs, approval__in=EDITABLE_APPROVALS)
    return models.Exists(editable) | ~models.Exists(Commitment.objects.filter(theirs))


class CycleQuerySet(models.QuerySet):
    def to_set_by(self, champions):
        """Cycles open for commitments (see Cycle.is_open_for_commitments) in which one of `champions`
        has yet to submit."""
        waiting = (
            Champion.objects.active()
            .filter(pk__in=champions)
            .filter(yet_to_submit(models.OuterRef(models.OuterRef("pk"))))
        )
        open_cycles = self.filter(is_closed=False, ends_on__gte=timezone.localdate())
        return open_cycles.filter(models.Exists(waiting))

    def assessing(self, today=None):
        """Cycles not closed whose assessment window has opened (see Cycle.assessment_opens_on)."""
        today = today or timezone.localdate()
        opened = today + datetime.timedelta(days=settings.ASSESSMENT_OPENS_DAYS_BEFORE_END)
        return self.filter(is_closed=False, ends_on__lte=opened)

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
    is_closed = models.BooleanField(
        verbose_name=_("closed"),
        default=False,
        help_text=_(
            "A past year kept as history: nothing in it is overdue or reminded of, no report is missing, "
            "and champions can no longer change it."
        ),
    )

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
        recount = changes_stored(self, CYCLE_FIELDS_COUNTED, kwargs.get("update_fields"))
        with transaction.atomic():
            if recount:
                # The lock order of commitments/rollups.py: its commitments before the cycle's row,
                # which saving it locks, as an event written meanwhile takes them.
                self.commitments.lock()
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
        return cls.objects.get_or_create(year=year, defaults=cls.calendar_year(year, **fields))[0]

    @staticmethod
    def calendar_year(year, **fields):
        """The fields of a calendar-year cycle (see for_year)."""
        return {
            "starts_on": datetime.date(year, 1, 1),
            "ends_on": datetime.date(year, 12, 31),
            "commitments_due_on": datetime.date(year, 1, 31),
            "report_due_on": datetime.date(year + 1, 1, 15),
            **fields,
        }

    @property
    def assessment_opens_on(self):
        """The first day champions assess the cycle's commitments: ASSESSMENT_OPENS_DAYS_BEFORE_END
        days before it ends. Assessments are due with the report (report_due_on)."""
        return self.ends_on - datetime.timedelta(days=settings.ASSESSMENT_OPENS_DAYS_BEFORE_END)

    def contains(self, day):
        return self.starts_on <= day <= self.ends_on

    def a_year_after(self, day):
        """The same day a year later (28 February after a 29th), within this cycle: a carried
        commitment's due date."""
        try:
            later = day.replace(year=day.year + 1)
        except ValueError:  # 29 February
            later = day + datetime.timedelta(days=365)
        return min(max(later, self.starts_on), self.ends_on)

    def is_open_for_commitments(self, today=None):
        """Champions may set and submit commitments until the cycle ends (after commitments_due_on
        they are late, and the office sees it), unless it is closed."""
        return not self.is_closed and (today or timezone.localdate()) <= self.ends_on

    def has_ended(self, today=None):
        return self.ends_on < (today or timezone.localdate())

    def champions_yet_to_submit(self):
        """Active champions who have not submitted this cycle's commitments (see yet_to_submit)."""
        return Champion.objects.active().filter(yet_to_submit(self))
