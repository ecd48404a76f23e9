"""Monthly roll-ups of progress events: per commitment, and per cycle (the dashboard's trends)."""

from django.db import models
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from commitments.models.commitment import Commitment
from commitments.models.cycle import Cycle

# A month's panel speakers split as ProgressEventQuerySet.panel_parity splits them: on panels
# whose organiser answered (the organiser's figures) and on the rest (the figures logged).
# Why roll-up columns, as the commitment's: the dashboard's trend of a whole cycle reads a dozen
# CycleMonth rows, and the split per month would otherwise be a query over every panel of the
# cycle on each computed view.
MONTH_PARITY = ["confirmed_women", "confirmed_men", "self_reported_women", "self_reported_men"]


class CommitmentMonthQuerySet(models.QuerySet):
    def totals(self):
        """Events, and panel speakers by gender (all, and split: MONTH_PARITY), per month, earliest
        first."""
        return (
            self.order_by("month")
            .values("month")
            .annotate(**{name: Sum(name) for name in ["events", "panel_women", "panel_men", *MONTH_PARITY]})
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
    confirmed_women = models.PositiveIntegerField(verbose_name=_("women on confirmed panels"), default=0)
    confirmed_men = models.PositiveIntegerField(verbose_name=_("men on confirmed panels"), default=0)
    self_reported_women = models.PositiveIntegerField(
        verbose_name=_("women on self-reported panels"), default=0
    )
    self_reported_men = models.PositiveIntegerField(verbose_name=_("men on self-reported panels"), default=0)

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
            self.filter(events__gt=0)
            .order_by("month")
            .values("month", "events", "panel_women", "panel_men", *MONTH_PARITY)
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
    confirmed_women = models.IntegerField(verbose_name=_("women on confirmed panels"), default=0)
    confirmed_men = models.IntegerField(verbose_name=_("men on confirmed panels"), default=0)
    self_reported_women = models.IntegerField(verbose_name=_("women on self-reported panels"), default=0)
    self_reported_men = models.IntegerField(verbose_name=_("men on self-reported panels"), default=0)

    objects = CycleMonthQuerySet.as_manager()

    class Meta:
        verbose_name = _("cycle month")
        verbose_name_plural = _("cycle months")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "month"], name="commitments_cyclemonth_unique"),
        ]

    def __str__(self):
        return f"{self.cycle_id} {self.month:%Y-%m}: {self.events}"
