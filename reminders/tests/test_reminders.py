import datetime
import functools
import threading
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.db import connection

from accounts.models import DeliveryState
from accounts.tests.factories import OfficeMemberFactory, UserFactory
from champions.tests.factories import ChampionFactory
from commitments.models import Status
from commitments.tests.factories import CommitmentFactory, CycleFactory
from config.tests.helpers import at_eight, race
from events.tests.factories import ProgressEventFactory
from reminders import delivery
from reminders.models import Message, OfficeDigest, Reminder, ReminderKind
from reminders.tests.helpers import run_day

UTC = zoneinfo.ZoneInfo("UTC")
START = datetime.date(2026, 3, 2)


@pytest.fixture
def network(db):
    cycle = CycleFactory(year=2026)
    focal_point = UserFactory(email="focal@example.org", full_name="Fiona Focal")
    champion = ChampionFactory(full_name="Chidi Champion", focal_points=[focal_point])
    commitment = CommitmentFactory(
        champion=champion, cycle=cycle, number=1, due_on=START + datetime.timedelta(days=40)
    )
    # Progress logged on the first day keeps the stale nudge out of these 45 days.
    ProgressEventFactory(commitment=commitment, occurred_on=START)
    return commitment


def _days_with_mail(first, last):
    sent = {}
    day = first
    while day <= last:
        before = len(mail.outbox)
        run_day(day)
        if len(mail.outbox) > before:
            sent[(day - first).days] = [m.subject for m in mail.outbox[before:]]
        day += datetime.timedelta(days=1)
    return sent


def test_a_commitment_due_in_40_days_is_reminded_on_days_30_7_1_before_and_1_after(network):
    due = network.due_on
    sent = _days_with_mail(START, due + datetime.timedelta(days=7))
    assert sorted(sent) == [10, 33, 39, 41]  # due - 30, due - 7, due - 1, due + 1
    # One message a day to each person: the champion and the focal point.
    assert sent[10] == sent[33] == sent[39] == ["1 due soon", "1 due soon"]
    assert sent[41] == ["Overdue: 1 commitment", "Overdue: 1 commitment"]
    assert sorted(tuple(m.to) for m in mail.outbox) == sorted(
        [(network.champion.user.email,), ("focal@example.org",)] * 4
    )
    assert Reminder.objects.filter(state=DeliveryState.SENT).count() == 4


def test_overdue_notices_repeat_weekly_at_most_four_times(network):
    due = network.due_on
    sent = _days_with_mail(due + datetime.timedelta(days=1), due + datetime.timedelta(days=40))
    assert sorted(sent) == [0, 7, 14, 21]


def test_a_reminder_email_links_to_the_log_page_and_says_what_is_needed(network, settings):
    settings.SITE_URL = "https://gc.example.org"
    run_day(network.due_on - datetime.timedelta(days=7))
    (message,) = [m for m in mail.outbox if m.to == ["focal@example.org"]]
    assert "Hello Fiona Focal," in message.body
    assert "== Chidi Champion ==" in message.body
    assert f"https://gc.example.org/commitments/{network.pk}/log/" in message.body
    assert "Progress: 25% (1 of 4 meetings)" in message.body
    assert "in 7 days" in message.body
    html = message.alternatives[0][0]
    assert f'href="https://gc.example.org/commitments/{network.pk}/log/"' in html


def test_running_the_sweep_twice_sends_each_email_once(network):
    day = network.due_on - datetime.timedelta(days=7)
    run_day(day)
    run_day(day)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(["focal@example.org", network.champion.user.email])
    assert Reminder.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_reminder_whose_two_emails_go_out_at_the_same_moment_is_marked_sent(monkeypatch):
    """Two workers each send one of a reminder's two emails and record it in the same instant: the
    later to look must see the other's email sent (it is committed before anyone looks)."""
    if connection.vendor != "postgresql":
        pytest.skip("racing connections need PostgreSQL (SQLite serialises writers)")
    cycle = CycleFactory(year=2026)
    CommitmentFactory(
        champion=ChampionFactory(focal_points=[UserFactory()]), cycle=cycle, number=1, due_on=START
    )
    day = START - datetime.timedelta(days=1)
    both_sent = threading.Barrier(2, timeout=20)
    send = delivery.send

    def send_then_wait(*args, **kwargs):
        outcome = send(*args, **kwargs)
        both_sent.wait()  # each worker has recorded its email: now both look at the reminder
        return outcome

    monkeypatch.setattr(delivery, "send", send_then_wait)

    with at_eight(day):
        first, second = delivery.sweep(today=day)
        errors = race(*(functools.partial(delivery.deliver, pk, today=day) for pk in (first, second)))
    assert errors == []
    assert list(Message.objects.values_list("state", flat=True)) == [DeliveryState.SENT] * 2
    assert Reminder.objects.get().state == DeliveryState.SENT
    assert len(mail.outbox) == 2


@pytest.mark.django_db(transaction=True)
def test_three_racing_sweeps_send_each_email_once(django_db_blocker):
    if connection.vendor != "postgresql":
        pytest.skip("racing connections need PostgreSQL (SQLite serialises writers)")
    cycle = CycleFactory(year=2026)
    commitments = [
        CommitmentFactory(
            champion=ChampionFactory(focal_points=[UserFactory()]), cycle=cycle, number=1, due_on=START
        )
        for _ in range(10)
    ]
    day = START - datetime.timedelta(days=1)
    barrier = threading.Barrier(3)

    def sweep_and_deliver():
        barrier.wait()
        for message_id in delivery.sweep(today=day):
            delivery.deliver(message_id, today=day)

    with at_eight(day):
        errors = race(sweep_and_deliver, sweep_and_deliver, sweep_and_deliver)
    assert errors == []
    assert Reminder.objects.filter(state=DeliveryState.SENT).count() == len(commitments)
    # Each of the 20 people (a champion and a focal point per commitment) got one email.
    assert len(mail.outbox) == 2 * len(commitments)
    assert len({tuple(m.to) for m in mail.outbox}) == 2 * len(commitments)


def test_an_smtp_failure_is_retried_and_then_sent_once(network, flaky_smtp):
    flaky_smtp.failures = 1
    day = network.due_on - datetime.timedelta(days=7)
    with at_eight(day):
        first, second = delivery.sweep()
        outcome = delivery.deliver(first)
        assert outcome.retry_in == 60
        message = Message.objects.get(pk=first)
        assert message.state == DeliveryState.PENDING
        assert "SMTPServerDisconnected" in message.last_error
        assert mail.outbox == []
        assert delivery.deliver(second).state == DeliveryState.SENT
        assert Reminder.objects.get().state == DeliveryState.PENDING  # its first message is to retry
        assert delivery.deliver(first).state == DeliveryState.SENT
    reminder = Reminder.objects.get()
    assert (reminder.state, reminder.last_error) == (DeliveryState.SENT, "")
    assert reminder.sent_at is not None
    assert len(mail.outbox) == 2


def test_after_the_last_try_the_reminder_is_failed_and_says_why(network, flaky_smtp):
    flaky_smtp.failures = 100
    day = network.due_on - datetime.timedelta(days=7)
    with at_eight(day):
        first, _second = delivery.sweep()
        delays = [delivery.deliver(first).retry_in for _ in range(5)]
    assert delays == [60, 300, 1800, 3600, None]
    message = Message.objects.get(pk=first)
    assert (message.state, message.attempts) == (DeliveryState.FAILED, 5)
    assert "Connection unexpectedly closed" in message.last_error
    reminder = Reminder.objects.get()
    assert reminder.state == DeliveryState.FAILED
    assert message.user.email in reminder.last_error
    assert reminder.sent_at is None
    assert mail.outbox == []


def test_a_completed_commitment_gets_nothing(network):
    network.status = Status.COMPLETED
    network.save()
    assert _days_with_mail(START, network.due_on + datetime.timedelta(days=3)) == {}


def test_an_inactive_champion_gets_nothing(network):
    network.champion.is_active = False
    network.champion.save()
    assert _days_with_mail(START, network.due_on + datetime.timedelta(days=3)) == {}


def test_a_commitment_completed_after_planning_is_not_reminded(network):
    day = network.due_on - datetime.timedelta(days=7)
    with at_eight(day):
        messages = delivery.sweep()
        network.change_status(Status.COMPLETED, network.champion.user)
        assert [delivery.deliver(pk).state for pk in messages] == ["dropped", "dropped"]
    assert mail.outbox == []
    assert not Reminder.objects.exists()
    assert not Message.objects.exists()


def test_opted_out_users_get_only_overdue_notices(network):
    focal_point = network.champion.focal_points.get()
    focal_point.reminder_emails = False
    focal_point.save()
    run_day(network.due_on - datetime.timedelta(days=7))
    assert [m.to for m in mail.outbox] == [[network.champion.user.email]]
    mail.outbox.clear()
    run_day(network.due_on + datetime.timedelta(days=1))
    assert sorted(m.to[0] for m in mail.outbox) == sorted([network.champion.user.email, "focal@example.org"])


def test_a_reminder_nobody_wants_fails_with_a_reason(network):
    for user in [network.champion.user, *network.champion.focal_points.all()]:
        user.reminder_emails = False
        user.save()
    run_day(network.due_on - datetime.timedelta(days=7))
    reminder = Reminder.objects.get()
    assert reminder.state == DeliveryState.FAILED
    assert "No recipient" in reminder.last_error


def test_catch_up_sends_the_latest_missed_reminder_once_and_skips_overtaken_ones(network):
    # Beat was down from 35 days before the deadline until 5 days before it.
    sent = _days_with_mail(
        network.due_on - datetime.timedelta(days=5), network.due_on - datetime.timedelta(days=2)
    )
    assert sent == {0: ["1 due soon", "1 due soon"]}  # the 7-day reminder, late
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.due_on) == (
        ReminderKind.UPCOMING,
        network.due_on - datetime.timedelta(days=7),
    )


def test_a_pending_reminder_overtaken_by_a_later_one_is_dropped(network):
    with at_eight(network.due_on - datetime.timedelta(days=30)):
        delivery.sweep()  # planned, but the broker never delivered it
    run_day(network.due_on - datetime.timedelta(days=7))
    assert len(mail.outbox) == 2  # one to each person
    assert list(Reminder.objects.values_list("due_on", "state")) == [
        (network.due_on - datetime.timedelta(days=7), DeliveryState.SENT)
    ]


def test_no_catch_up_once_the_deadline_has_passed(network):
    sent = _days_with_mail(
        network.due_on + datetime.timedelta(days=1), network.due_on + datetime.timedelta(days=1)
    )
    assert sent == {0: ["Overdue: 1 commitment", "Overdue: 1 commitment"]}


def test_a_stale_commitment_gets_one_nudge_per_60_day_stretch(db):
    cycle = CycleFactory(year=2026)
    commitment = CommitmentFactory(cycle=cycle, number=1, due_on=datetime.date(2026, 12, 31))
    ProgressEventFactory(commitment=commitment, occurred_on=datetime.date(2026, 1, 10))
    commitment.champion.focal_points.clear()
    days = _days_with_mail(datetime.date(2026, 3, 1), datetime.date(2026, 5, 31))
    nudges = {
        offset: subjects for offset, subjects in days.items() if "without recent progress" in subjects[0]
    }
    # Stale once more than 60 days have passed since 10 January: 12 March, then 11 May.
    assert sorted(nudges) == [11, 71]


def test_the_report_due_reminder_goes_to_every_active_champion(db):
    cycle = CycleFactory(year=2026)
    active = CommitmentFactory(cycle=cycle, number=1, due_on=datetime.date(2026, 12, 31))
    inactive = CommitmentFactory(cycle=cycle, number=1, due_on=datetime.date(2026, 12, 31))
    inactive.champion.is_active = False
    inactive.champion.save()
    run_day(cycle.report_due_on - datetime.timedelta(days=7))
    report = [m for m in mail.outbox if "annual report due" in m.subject]
    assert [m.to for m in report] == [[active.champion.user.email]]
    assert "The 2026 annual report is due by 15 January 2027, in 7 days." in report[0].body
    assert f"/reports/2026/champions/{active.champion_id}/" in report[0].body


def test_a_reminder_is_rendered_in_the_recipients_language(network):
    network.champion.user.language = "fr"
    network.champion.user.save()
    run_day(network.due_on - datetime.timedelta(days=7))
    # One message per language: the French reader gets their own (its text comes with the
    # translations), the English one another.
    assert sorted(m.to for m in mail.outbox) == sorted([[network.champion.user.email], ["focal@example.org"]])


def test_a_sending_reminder_whose_worker_died_is_sent_by_a_later_sweep(network):
    day = network.due_on - datetime.timedelta(days=7)
    with at_eight(day):
        first, second = delivery.sweep()
        delivery.deliver(second)
        Message.objects.filter(pk=first).update(
            state=DeliveryState.SENDING, claimed_at=datetime.datetime(2026, 4, 4, 7, 0, tzinfo=UTC)
        )
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(8, 30), tzinfo=UTC), tick=False):
        assert delivery.sweep() == [first]
        assert delivery.deliver(first).state == DeliveryState.SENT
    assert len(mail.outbox) == 2
    assert Reminder.objects.get().state == DeliveryState.SENT


def test_a_recent_sending_claim_is_left_alone(network):
    day = network.due_on - datetime.timedelta(days=7)
    with at_eight(day):
        first, second = delivery.sweep()
        assert Message.objects.claim(first)
        assert delivery.sweep() == [second]
        assert delivery.deliver(first).state == "not claimed"
    assert mail.outbox == []


def test_the_weekly_digest_lists_overdue_due_soon_and_stale_with_links(db, settings):
    settings.SITE_URL = "https://gc.example.org"
    office = OfficeMemberFactory(email="office@example.org", full_name="Olivia Office")
    cycle = CycleFactory(year=2026)
    monday = datetime.date(2026, 6, 1)
    overdue = CommitmentFactory(
        cycle=cycle, number=1, title="Overdue one", due_on=monday - datetime.timedelta(days=3)
    )
    ProgressEventFactory(commitment=overdue, occurred_on=monday - datetime.timedelta(days=3))
    soon = CommitmentFactory(
        cycle=cycle, number=1, title="Soon one", due_on=monday + datetime.timedelta(days=10)
    )
    ProgressEventFactory(commitment=soon, occurred_on=monday - datetime.timedelta(days=1))
    stale = CommitmentFactory(cycle=cycle, number=1, title="Stale one", due_on=datetime.date(2026, 12, 31))
    with at_eight(monday):
        assert delivery.send_digest().state == DeliveryState.SENT
        assert delivery.send_digest().state == "not claimed"  # once a week
    (message,) = mail.outbox
    assert message.to == ["office@example.org"]
    assert message.subject == "Weekly digest: commitments on 1 June 2026"
    overdue_part, rest = message.body.split("Due in the next 30 days")
    soon_part, stale_part = rest.split("Stale (")
    assert "Overdue one" in overdue_part and "Soon one" not in overdue_part
    assert "Soon one" in soon_part
    assert "Stale one" in stale_part and "Overdue one" not in stale_part
    assert f"https://gc.example.org/dashboard/champions/{stale.champion_id}/" in message.body
    assert "https://gc.example.org/dashboard/" in message.alternatives[0][0]
    assert OfficeDigest.objects.get().week_of == monday
    assert office.pk
