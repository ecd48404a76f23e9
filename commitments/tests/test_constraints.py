import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from commitments.models import Commitment, Cycle, TargetKind
from commitments.tests.factories import CommitmentFactory, CycleFactory
from reminders.models import Reminder, ReminderKind

pytestmark = pytest.mark.django_db


def test_it_refuses_a_sixth_commitment_in_a_five_commitment_cycle():
    first = CommitmentFactory(number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitmentFactory(champion=first.champion, cycle=first.cycle, number=6)
    assert Commitment.objects.count() == 1


def test_it_refuses_renumbering_above_the_maximum():
    commitment = CommitmentFactory(number=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Commitment.objects.filter(pk=commitment.pk).update(number=6)


def test_it_refuses_lowering_the_maximum_below_a_number_in_use():
    commitment = CommitmentFactory(number=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Cycle.objects.filter(pk=commitment.cycle_id).update(max_commitments=4)


def test_it_allows_a_sixth_commitment_when_the_cycle_allows_six():
    cycle = CycleFactory(year=2030, max_commitments=6)
    assert CommitmentFactory(cycle=cycle, number=6).pk


def test_full_clean_explains_a_sixth_commitment():
    commitment = CommitmentFactory.build(
        cycle=CycleFactory(), champion=CommitmentFactory().champion, number=6
    )
    with pytest.raises(ValidationError) as info:
        commitment.full_clean()
    assert "allows at most 5 commitments" in info.value.message_dict["number"][0]


def test_it_refuses_number_zero():
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitmentFactory(number=0)


def test_it_refuses_a_duplicate_number():
    first = CommitmentFactory(number=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitmentFactory(champion=first.champion, cycle=first.cycle, number=2)


def test_it_refuses_a_percentage_target_over_100():
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitmentFactory(target_kind=TargetKind.PERCENTAGE, target_value=120)


def test_it_refuses_a_count_target_without_a_value():
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitmentFactory(target_kind=TargetKind.COUNT, target_value=None)


def test_it_refuses_an_unknown_status():
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitmentFactory(status="finished-ish")


def test_it_refuses_a_cycle_ending_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        Cycle.objects.create(
            year=2031,
            starts_on=datetime.date(2031, 12, 31),
            ends_on=datetime.date(2031, 1, 1),
            commitments_due_on=datetime.date(2031, 1, 31),
            report_due_on=datetime.date(2032, 1, 15),
        )


def test_it_refuses_a_duplicate_cycle_year():
    CycleFactory(year=2032)
    with pytest.raises(IntegrityError), transaction.atomic():
        Cycle.objects.create(
            year=2032,
            starts_on=datetime.date(2032, 1, 1),
            ends_on=datetime.date(2032, 12, 31),
            commitments_due_on=datetime.date(2032, 1, 31),
            report_due_on=datetime.date(2033, 1, 15),
        )


def _reminder(commitment, **fields):
    return Reminder.objects.create(
        champion=commitment.champion,
        commitment=commitment,
        cycle=commitment.cycle,
        kind=fields.pop("kind", ReminderKind.UPCOMING),
        due_on=fields.pop("due_on", datetime.date(2026, 12, 1)),
        deadline=commitment.due_on,
        **fields,
    )


def test_it_refuses_a_duplicate_reminder():
    commitment = CommitmentFactory()
    _reminder(commitment)
    with pytest.raises(IntegrityError), transaction.atomic():
        _reminder(commitment)
    assert Reminder.objects.count() == 1


def test_it_refuses_a_duplicate_report_reminder_for_a_champion():
    commitment = CommitmentFactory()
    fields = {"champion": commitment.champion, "cycle": commitment.cycle, "kind": ReminderKind.REPORT_DUE}
    day = datetime.date(2026, 12, 16)
    Reminder.objects.create(**fields, due_on=day, deadline=commitment.cycle.report_due_on)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(**fields, due_on=day, deadline=commitment.cycle.report_due_on)


def test_it_refuses_a_sent_reminder_without_sent_at():
    with pytest.raises(IntegrityError), transaction.atomic():
        _reminder(CommitmentFactory(), state="sent")
