import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command

from accounts.models import DeliveryState
from accounts.tests.factories import UserFactory
from champions.tests.factories import ChampionFactory
from commitments.tests.factories import CommitmentFactory, CycleFactory
from config.tests.helpers import at_eight
from events.tests.factories import ProgressEventFactory
from reminders.models import Reminder, ReminderKind

DUE_ON = datetime.date(2026, 4, 10)
SEVEN_DAYS_BEFORE = DUE_ON - datetime.timedelta(days=7)


def send_reminders():
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    return out.getvalue()


@pytest.fixture
def commitment(db):
    champion = ChampionFactory(focal_points=[UserFactory(email="focal@example.org")])
    commitment = CommitmentFactory(champion=champion, cycle=CycleFactory(year=2026), number=1, due_on=DUE_ON)
    # Recent progress keeps the "no recent progress" nudge out of the way.
    ProgressEventFactory(commitment=commitment, occurred_on=datetime.date(2026, 3, 1))
    return commitment


def test_it_sends_the_reminder_due_today(commitment):
    with at_eight(SEVEN_DAYS_BEFORE):
        output = send_reminders()

    assert "2 reminder emails due: 2 sent." in output  # one to each person
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.due_on, reminder.state) == (
        ReminderKind.UPCOMING,
        SEVEN_DAYS_BEFORE,
        DeliveryState.SENT,
    )
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        ["focal@example.org", commitment.champion.user.email]
    )
    assert mail.outbox[0].subject == "1 due soon"


def test_it_sends_nothing_the_second_time(commitment):
    with at_eight(SEVEN_DAYS_BEFORE):
        send_reminders()
        sent = len(mail.outbox)
        output = send_reminders()

    assert "0 reminder emails due: nothing to send." in output
    assert len(mail.outbox) == sent
    assert Reminder.objects.count() == 1


def test_it_says_so_when_nothing_is_due(commitment):
    with at_eight(DUE_ON - datetime.timedelta(days=31)):  # the day before the 30-day reminder
        output = send_reminders()

    assert "0 reminder emails due: nothing to send." in output
    assert mail.outbox == []


def test_it_counts_reminders_nobody_can_receive_as_failed(commitment):
    for user in [commitment.champion.user, *commitment.champion.focal_points.all()]:
        user.reminder_emails = False
        user.save()

    with at_eight(SEVEN_DAYS_BEFORE):
        output = send_reminders()

    assert "0 reminder emails due: nothing to send." in output
    assert mail.outbox == []
    assert Reminder.objects.get().state == DeliveryState.FAILED
