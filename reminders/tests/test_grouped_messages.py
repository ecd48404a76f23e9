"""One email per person per morning with everything due for them, weekly on request, and escalation."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import DeliveryState
from accounts.tests.factories import OfficeMemberFactory, UserFactory
from champions.tests.factories import ChampionFactory
from commitments.models import Status
from commitments.tests.factories import CommitmentFactory, CycleFactory
from config.tests.helpers import at_eight
from events.tests.factories import ProgressEventFactory
from reminders import delivery
from reminders.models import Escalation, Message, Reminder
from reminders.tests.helpers import run_day

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 6, 10)  # a Wednesday


@pytest.fixture
def focal_point():
    return UserFactory(email="fiona@example.org", full_name="Fiona Focal")


@pytest.fixture
def three_champions(focal_point):
    """A focal point serving three champions, each with something due on DAY."""
    cycle = CycleFactory(year=2026)
    anna = ChampionFactory(full_name="Anna Overdue", focal_points=[focal_point])
    ben = ChampionFactory(full_name="Ben Soon", focal_points=[focal_point])
    cleo = ChampionFactory(full_name="Cleo Quiet", focal_points=[focal_point])
    commitments = {
        # Overdue since yesterday: its first overdue notice goes out today.
        "overdue": CommitmentFactory(champion=anna, cycle=cycle, number=1, title="Anna's overdue one",
                                     due_on=DAY - datetime.timedelta(days=1)),
        # Due in 7 and in 30 days.
        "seven": CommitmentFactory(champion=ben, cycle=cycle, number=2, title="Ben's seven-day one",
                                   due_on=DAY + datetime.timedelta(days=7)),
        "thirty": CommitmentFactory(champion=ben, cycle=cycle, number=1, title="Ben's thirty-day one",
                                    due_on=DAY + datetime.timedelta(days=30)),
        # Due in 7 days too, for the third champion.
        "cleo": CommitmentFactory(champion=cleo, cycle=cycle, number=1, title="Cleo's one",
                                  due_on=DAY + datetime.timedelta(days=7)),
    }  # fmt: skip
    with at_eight(DAY - datetime.timedelta(days=5)):  # logged then, as well as said to have happened then
        for commitment in commitments.values():
            ProgressEventFactory(commitment=commitment, occurred_on=DAY - datetime.timedelta(days=5))
    return commitments


def _to(address):
    return [message for message in mail.outbox if message.to == [address]]


def test_a_focal_point_serving_three_champions_gets_one_message_with_everything_in_order(three_champions):
    run_day(DAY)
    (message,) = _to("fiona@example.org")
    assert message.subject == "Overdue: 1 commitment; 3 due soon"
    body = message.body
    # Grouped by champion, the most urgent first; within a champion, the soonest first.
    order = [body.index(text) for text in ["== Anna Overdue ==", "Anna's overdue one", "== Ben Soon ==",
                                           "Ben's seven-day one", "Ben's thirty-day one", "== Cleo Quiet ==", "Cleo's one"]]  # fmt: skip
    assert order == sorted(order)
    assert "OVERDUE: it was due on 9 June 2026, 1 day ago." in body
    for commitment in three_champions.values():
        assert f"/commitments/{commitment.pk}/log/" in body
    # Each champion got theirs, one message each; every reminder is sent once.
    assert len(mail.outbox) == 4
    assert set(Reminder.objects.values_list("state", flat=True)) == {DeliveryState.SENT}
    assert Message.objects.filter(user__email="fiona@example.org").count() == 1


def test_the_next_morning_brings_nothing_new(three_champions):
    run_day(DAY)
    sent = len(mail.outbox)
    run_day(DAY + datetime.timedelta(days=1))
    assert len(mail.outbox) == sent


def test_a_weekly_reader_gets_monday_s_message_with_the_weeks_reminders(three_champions, focal_point):
    focal_point.reminder_frequency = "weekly"
    focal_point.save()
    run_day(DAY)  # a Wednesday
    assert _to("fiona@example.org") == []
    assert len(mail.outbox) == 3  # the champions, daily readers, got theirs
    for day in range(1, 6):
        run_day(DAY + datetime.timedelta(days=day))
    (message,) = _to("fiona@example.org")  # Monday 15 June
    assert "Anna's overdue one" in message.body and "Cleo's one" in message.body
    assert Message.objects.get(user=focal_point).due_on == datetime.date(2026, 6, 15)


def test_opted_out_readers_get_only_overdue_notices(three_champions, focal_point):
    focal_point.reminder_emails = False
    focal_point.save()
    run_day(DAY)
    (message,) = _to("fiona@example.org")
    assert message.subject == "Overdue: 1 commitment"
    assert "Ben's seven-day one" not in message.body


def test_a_message_costs_the_same_queries_with_one_line_or_many(focal_point, django_assert_num_queries):
    cycle = CycleFactory(year=2026)

    def one_message(champions):
        for _ in range(champions):
            champion = ChampionFactory(focal_points=[focal_point])
            CommitmentFactory(
                champion=champion, cycle=cycle, number=1, due_on=DAY + datetime.timedelta(days=7)
            )
        with at_eight(DAY):
            delivery.sweep()
            message = Message.objects.get(user=focal_point, state=DeliveryState.PENDING)
            with CaptureQueriesContext(connection) as queries:
                assert delivery.deliver(message.pk, DAY).state == DeliveryState.SENT
        return len(queries)

    few = one_message(1)
    Message.objects.all().delete()
    Reminder.objects.all().delete()
    many = one_message(12)
    # claim, message, reminders, attempts, reports signed off, escalations, sent, reminders sent
    assert few == many == 8


def test_an_overdue_commitment_nobody_acts_on_is_escalated_once_after_14_days(three_champions, settings):
    OfficeMemberFactory(email="office@example.org")
    overdue = three_champions["overdue"]
    for day in range(0, 16):
        run_day(DAY + datetime.timedelta(days=day))
    escalation = Escalation.objects.get(commitment=overdue)
    assert escalation.first_notice_on == DAY
    assert escalation.escalated_on == DAY + datetime.timedelta(days=14)
    # The champion's next email says the office has been told.
    mail.outbox.clear()
    run_day(DAY + datetime.timedelta(days=21))  # the next weekly overdue notice
    (message,) = _to(overdue.champion.user.email)
    assert (
        "The chief-of-staff office has been told that it is overdue with no progress logged." in message.body
    )
    # Listed at the top of the office's weekly digest, with how long.
    monday = datetime.date(2026, 6, 29)
    with at_eight(monday):
        assert delivery.send_digest(monday).state == DeliveryState.SENT
    digest = _to("office@example.org")[-1].body
    assert digest.index("Escalated") < digest.index("Overdue (")
    assert "escalated 5 days ago" in digest
    # Once only.
    run_day(DAY + datetime.timedelta(days=30))
    assert Escalation.objects.filter(commitment=overdue).count() == 1


def test_logging_progress_clears_the_escalation(three_champions):
    overdue = three_champions["overdue"]
    for day in range(0, 15):
        run_day(DAY + datetime.timedelta(days=day))
    assert Escalation.objects.active().count() == 1
    with at_eight(DAY + datetime.timedelta(days=15)):
        ProgressEventFactory(commitment=overdue, occurred_on=DAY)
    run_day(DAY + datetime.timedelta(days=15))
    assert Escalation.objects.active().count() == 0
    assert Escalation.objects.get().cleared_on == DAY + datetime.timedelta(days=15)


def test_progress_logged_after_the_first_notice_prevents_it(three_champions):
    overdue = three_champions["overdue"]
    run_day(DAY)
    with at_eight(DAY + datetime.timedelta(days=3)):
        ProgressEventFactory(commitment=overdue, occurred_on=DAY)
    for day in range(3, 20):
        run_day(DAY + datetime.timedelta(days=day))
    assert not Escalation.objects.exists()


def test_completing_the_commitment_clears_it(three_champions):
    overdue = three_champions["overdue"]
    for day in range(0, 15):
        run_day(DAY + datetime.timedelta(days=day))
    overdue.change_status(Status.COMPLETED, overdue.champion.user)
    run_day(DAY + datetime.timedelta(days=15))
    assert not Escalation.objects.active().exists()
