"""Status against measure: where the status a champion's side sets and the progress measured from
what they log disagree, the one rule the office's dashboard flags and the champion is asked about."""

import datetime
from dataclasses import dataclass

from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commitments.models.vocabulary import Approval, Status, TargetKind

# "On track" is doubted once a commitment is due within this many days with its measured progress
# still under this share. Why these: with a month or less left, more than half of a target still
# to do is more than a typical year's pace (a twelfth of it a month) can finish.
ON_TRACK_DOUBTED_DAYS = 30
ON_TRACK_DOUBTED_UNDER = 50


class StatusDisagreement(models.TextChoices):
    """How a status disagrees with measured progress."""

    COMPLETED_UNDER_TARGET = "completed_under_target", _("Completed, but measured progress is under 100%")
    BEHIND_AT_TARGET = "behind_at_target", _("Marked as behind, but measured progress is 100%")
    ON_TRACK_LATE = (
        "on_track_late",
        _("On track, but measured progress is under half with a month or less left"),
    )


@dataclass(frozen=True)
class StatusRule:
    """One way a status disagrees with measured progress: the statuses it is about, the measured
    progress that contradicts them, and (optionally) how soon the commitment is due. Both the SQL
    condition and the check of one commitment are read from these figures, so they cannot drift."""

    disagreement: str
    statuses: tuple
    progress_under: int | None = None
    progress_at_least: int | None = None
    due_within_days: int | None = None

    def condition(self, today):
        condition = Q(status__in=self.statuses)
        if self.progress_under is not None:
            condition &= Q(progress__lt=self.progress_under)
        if self.progress_at_least is not None:
            condition &= Q(progress__gte=self.progress_at_least)
        if self.due_within_days is not None:
            condition &= Q(due_on__lte=today + datetime.timedelta(days=self.due_within_days))
        return condition

    def holds_for(self, commitment, today):
        return (
            commitment.status in self.statuses
            and (self.progress_under is None or commitment.progress < self.progress_under)
            and (self.progress_at_least is None or commitment.progress >= self.progress_at_least)
            and (
                self.due_within_days is None
                or commitment.due_on <= today + datetime.timedelta(days=self.due_within_days)
            )
        )


STATUS_RULES = [
    # Done by the champion's word, not by what was logged.
    StatusRule(StatusDisagreement.COMPLETED_UNDER_TARGET, (Status.COMPLETED,), progress_under=100),
    # Said to be behind (or not even started) with the target reached.
    StatusRule(
        StatusDisagreement.BEHIND_AT_TARGET,
        (Status.NOT_STARTED, Status.AT_RISK, Status.OFF_TRACK, Status.NOT_ACHIEVED),
        progress_at_least=100,
    ),
    # Said to be on track, little done, little time left.
    StatusRule(
        StatusDisagreement.ON_TRACK_LATE,
        (Status.ON_TRACK,),
        progress_under=ON_TRACK_DOUBTED_UNDER,
        due_within_days=ON_TRACK_DOUBTED_DAYS,
    ),
]


def status_checked_condition():
    """The commitments whose status is held against a measure: approved (measured), of a target
    other than a milestone (whose progress is its status), in a cycle not closed (history), and not
    kept as they are by the champion's side since (Commitment.confirm_status: the status and the
    measured progress it was kept at, both unchanged)."""
    confirmed = Q(status_confirmed=F("status"), status_confirmed_progress=F("progress"))
    return (
        Q(approval=Approval.APPROVED, cycle__is_closed=False)
        & ~Q(target_kind=TargetKind.MILESTONE)
        & ~confirmed
    )


def status_disagrees_condition(today=None):
    """A commitment whose status disagrees with its measured progress (STATUS_RULES), unconfirmed."""
    today = today or timezone.localdate()
    disagrees = Q()
    for rule in STATUS_RULES:
        disagrees |= rule.condition(today)
    return status_checked_condition() & disagrees


def status_check_expression(today=None):
    """The StatusDisagreement of each commitment, or None: status_disagrees_condition() by rule."""
    today = today or timezone.localdate()
    return Case(
        *[
            When(status_checked_condition() & rule.condition(today), then=Value(rule.disagreement))
            for rule in STATUS_RULES
        ],
        default=Value(None),
        output_field=models.CharField(max_length=30),
    )


def status_check_of(commitment, today=None):
    """Commitment.status_check(): the same rules, read for one commitment in Python."""
    today = today or timezone.localdate()
    checked = (
        commitment.is_approved
        and commitment.target_kind != TargetKind.MILESTONE
        and not commitment.cycle.is_closed
        and not (
            commitment.status_confirmed == commitment.status
            and commitment.status_confirmed_progress == commitment.progress
        )
    )
    if not checked:
        return None
    rule = next((rule for rule in STATUS_RULES if rule.holds_for(commitment, today)), None)
    return StatusDisagreement(rule.disagreement) if rule else None
