"""Status against measure: the one rule of where a self-set status and measured progress disagree,
read in SQL (status_disagreeing, with_status_check) and for one commitment (status_check)."""

import datetime

import pytest

from accounts.tests.factories import UserFactory
from commitments.models import Approval, Commitment, Status, StatusChange, StatusDisagreement
from commitments.tests.factories import CommitmentFactory, CycleFactory
from events.tests.factories import ProgressEventFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 1)


def _commitment(status, progress, due_in_days=60, **fields):
    cycle = CycleFactory(year=2026, ends_on=datetime.date(2027, 3, 31))
    commitment = CommitmentFactory(cycle=cycle, **fields)
    Commitment.objects.filter(pk=commitment.pk).update(
        status=status, progress=progress, due_on=TODAY + datetime.timedelta(days=due_in_days)
    )
    commitment.refresh_from_db()
    return commitment


def _checked(commitment):
    """What the rule says of the commitment, read both ways; they must agree."""
    in_python = commitment.status_check(TODAY)
    in_sql = Commitment.objects.with_status_check(TODAY).get(pk=commitment.pk).status_disagreement
    flagged = Commitment.objects.status_disagreeing(TODAY).filter(pk=commitment.pk).exists()
    assert in_python == in_sql
    assert flagged == (in_sql is not None)
    return in_python


@pytest.mark.parametrize(
    "status, progress, due_in_days, expected",
    [
        (Status.COMPLETED, 0, 60, StatusDisagreement.COMPLETED_UNDER_TARGET),
        (Status.COMPLETED, 99, 60, StatusDisagreement.COMPLETED_UNDER_TARGET),
        (Status.COMPLETED, 100, 60, None),
        (Status.OFF_TRACK, 100, 60, StatusDisagreement.BEHIND_AT_TARGET),
        (Status.AT_RISK, 100, 60, StatusDisagreement.BEHIND_AT_TARGET),
        (Status.NOT_STARTED, 100, 60, StatusDisagreement.BEHIND_AT_TARGET),
        (Status.NOT_ACHIEVED, 100, 60, StatusDisagreement.BEHIND_AT_TARGET),
        (Status.OFF_TRACK, 99, 60, None),
        (Status.ON_TRACK, 16, 25, StatusDisagreement.ON_TRACK_LATE),
        (Status.ON_TRACK, 49, 30, StatusDisagreement.ON_TRACK_LATE),
        (Status.ON_TRACK, 16, -5, StatusDisagreement.ON_TRACK_LATE),  # overdue
        (Status.ON_TRACK, 16, 31, None),  # more than a month left
        (Status.ON_TRACK, 50, 25, None),  # half way
        (Status.IN_PROGRESS, 10, 5, None),
        (Status.IN_PROGRESS, 100, 60, None),
    ],
)
def test_it_flags_each_disagreement_of_the_rule(status, progress, due_in_days, expected):
    assert _checked(_commitment(status, progress, due_in_days)) == expected


def test_it_leaves_what_is_not_measured_or_is_history_alone():
    draft = _commitment(Status.NOT_STARTED, 100, approval=Approval.DRAFT)
    assert _checked(draft) is None
    milestone = _commitment(Status.COMPLETED, 40, target_kind="milestone", target_value=None)
    assert _checked(milestone) is None
    closed = _commitment(Status.COMPLETED, 40)
    closed.cycle.is_closed = True
    closed.cycle.save()
    closed.refresh_from_db()
    assert _checked(closed) is None


def test_a_kept_status_is_not_flagged_until_the_status_or_the_measure_changes():
    commitment = _commitment(Status.COMPLETED, 40)
    user = UserFactory()
    change = commitment.confirm_status(user, "The last training is booked; the office agreed.")
    assert (change.old_status, change.new_status, change.changed_by) == (
        Status.COMPLETED,
        Status.COMPLETED,
        user,
    )
    commitment.refresh_from_db()
    assert (commitment.status_confirmed, commitment.status_confirmed_progress) == (Status.COMPLETED, 40)
    assert _checked(commitment) is None

    # The measure moves: asked again.
    Commitment.objects.filter(pk=commitment.pk).update(progress=60)
    commitment.refresh_from_db()
    assert _checked(commitment) == StatusDisagreement.COMPLETED_UNDER_TARGET
    commitment.confirm_status(user)
    commitment.refresh_from_db()
    assert _checked(commitment) is None

    # The status moves to another that disagrees: asked again.
    commitment.change_status(Status.AT_RISK, user)
    Commitment.objects.filter(pk=commitment.pk).update(progress=100)
    commitment.refresh_from_db()
    assert _checked(commitment) == StatusDisagreement.BEHIND_AT_TARGET
    assert StatusChange.objects.filter(commitment=commitment).count() == 3


def test_logged_progress_that_reaches_the_target_settles_a_completed_status():
    commitment = _commitment(Status.COMPLETED, 0, target_value=2, counts_kind="training")
    assert _checked(commitment) == StatusDisagreement.COMPLETED_UNDER_TARGET
    # A meeting counts for nothing toward trainings; two trainings reach the target.
    ProgressEventFactory(commitment=commitment, kind="meeting", occurred_on=TODAY)
    commitment.refresh_from_db()
    assert _checked(commitment) == StatusDisagreement.COMPLETED_UNDER_TARGET
    ProgressEventFactory.create_batch(2, commitment=commitment, kind="training", occurred_on=TODAY)
    commitment.refresh_from_db()
    assert commitment.progress == 100
    assert _checked(commitment) is None
