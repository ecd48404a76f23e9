"""A reminder email reads as a list of commitments: one item per commitment with every reason it is
reminded of together, and nothing about the deadlines of a year whose report is signed off."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import DeliveryState
from commitments.tests.factories import CommitmentFactory, CycleFactory
from config.tests.helpers import at_eight
from events.tests.factories import ProgressEventFactory
from reminders import delivery
from reminders.models import Reminder, ReminderKind
from reminders.tests.helpers import run_day
from reports.models import Report

pytestmark = pytest.mark.django_db

DAY = datetime.date(2030, 6, 10)  # a cycle of its own: the cast's is this year's


@pytest.fixture
def quiet_and_due_soon(cast):
    """A commitment due in 25 days (its 30-day reminder due) with no progress for 70 days."""
    for commitment in [cast.commitment, cast.other_commitment]:  # this year's: not reminded in 2030
        commitment.delete()
    cycle = CycleFactory(year=2030)
    commitment = CommitmentFactory(
        champion=cast.champion, cycle=cycle, number=2, title="Train the managers",
        due_on=DAY + datetime.timedelta(days=25),
    )  # fmt: skip
    with at_eight(DAY - datetime.timedelta(days=70)):
        ProgressEventFactory(commitment=commitment, occurred_on=DAY - datetime.timedelta(days=70))
    return commitment


def _to(address):
    return [message for message in mail.outbox if message.to == [address]]


def test_a_commitment_due_soon_and_quiet_is_one_item_with_both_reasons(cast, quiet_and_due_soon):
    run_day(DAY)
    (message,) = _to(cast.focal_point.email)
    kinds = set(Reminder.objects.filter(commitment=quiet_and_due_soon).values_list("kind", flat=True))
    assert kinds == {ReminderKind.UPCOMING, ReminderKind.STALE}  # two reasons...
    assert message.body.count("Train the managers") == 1  # ...one item
    assert "Due on 5 July 2030, in 25 days. No progress logged for 70 days." in message.body
    html = message.alternatives[0][0]
    assert html.count("<li") == 1
    assert "in 25 days. No progress logged for 70 days." in html
    assert message.subject == "1 due soon; 1 without recent progress"


def test_the_item_reads_in_french_too(cast, quiet_and_due_soon):
    cast.focal_point.language = "fr"
    cast.focal_point.save()
    run_day(DAY)
    (message,) = _to(cast.focal_point.email)
    assert message.body.count("Train the managers") == 1
    assert "juillet 2030" in message.body
    assert message.subject == message.subject.strip()


def test_no_deadline_reminders_once_the_champions_report_is_signed_off(cast, quiet_and_due_soon):
    Report.objects.create(champion=cast.champion, cycle=quiet_and_due_soon.cycle, submitted_at=timezone.now())
    for day in [DAY, quiet_and_due_soon.due_on - datetime.timedelta(days=7), quiet_and_due_soon.due_on]:
        run_day(day)
    run_day(quiet_and_due_soon.due_on + datetime.timedelta(days=1))  # no overdue notice either
    assert mail.outbox == []
    assert not Reminder.objects.filter(champion=cast.champion).exists()


def test_another_champion_of_the_cycle_is_still_reminded(cast, quiet_and_due_soon):
    other = CommitmentFactory(
        champion=cast.other_champion, cycle=quiet_and_due_soon.cycle, number=1,
        due_on=quiet_and_due_soon.due_on,
    )  # fmt: skip
    Report.objects.create(champion=cast.champion, cycle=quiet_and_due_soon.cycle, submitted_at=timezone.now())
    run_day(quiet_and_due_soon.due_on - datetime.timedelta(days=7))
    assert {tuple(message.to) for message in mail.outbox} == {
        (cast.other_champion.user.email,),
        (cast.other_focal_point.email,),
    }
    assert set(Reminder.objects.values_list("commitment", flat=True)) == {other.pk}


def test_a_reminder_planned_before_the_sign_off_is_dropped_when_its_email_comes_to_go(
    cast, quiet_and_due_soon
):
    with at_eight(DAY):
        messages = delivery.sweep()  # planned and put in messages; the broker is slow
    Report.objects.create(champion=cast.champion, cycle=quiet_and_due_soon.cycle, submitted_at=timezone.now())
    with at_eight(DAY):
        outcomes = [delivery.deliver(pk).state for pk in messages]
    assert outcomes == ["dropped", "dropped"]
    assert mail.outbox == []
    assert not Reminder.objects.filter(state=DeliveryState.PENDING).exists()
