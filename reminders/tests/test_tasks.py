import datetime
import io

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts.models import DeliveryState
from accounts.tests.factories import OfficeMemberFactory
from accounts.tests.smtp import running_smtp_server
from commitments.tests.factories import commitment_due_in_seven_days
from reminders import delivery
from reminders.models import Message, OfficeDigest, Reminder, ReminderKind
from reminders.tasks import (
    deliver_message,
    deliver_messages,
    send_office_digest,
    sweep_reminders,
)
from reminders.tests.factories import ReminderFactory


def _messages(reminder):
    """The reminder in its recipients' messages for today (the champion's and the focal point's)."""
    return delivery.group_now([reminder.pk])


def addressees():
    """Every address the emails sent went to, once per email: each person reminded appears once."""
    return sorted(address for message in mail.outbox for address in message.to)


def test_it_sweeps_and_delivers_the_reminders_due(
    due_in_seven_days, eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = sweep_reminders.delay()

    assert result.get() == 2  # one message for the champion, one for the focal point
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.due_on, reminder.state) == (
        ReminderKind.UPCOMING,
        timezone.localdate(),
        DeliveryState.SENT,
    )
    assert addressees() == sorted(["focal@example.org", due_in_seven_days.champion.user.email])
    assert mail.outbox[0].subject == "1 due soon"


def test_it_queues_nothing_before_the_sweep_commits(
    due_in_seven_days, eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        sweep_reminders.delay()

    assert len(callbacks) == 1
    assert mail.outbox == []
    assert Reminder.objects.get().state == DeliveryState.PENDING


def test_it_retries_a_failed_send_and_then_sends_once(due_in_seven_days, eager_retries, flaky_smtp):
    flaky_smtp.failures = 1
    reminder = ReminderFactory(commitment=due_in_seven_days)
    first, second = _messages(reminder)

    assert deliver_message.delay(first).get() == DeliveryState.SENT
    reminder.refresh_from_db()
    assert reminder.state == DeliveryState.PENDING  # until the second person's message goes too
    assert deliver_message.delay(second).get() == DeliveryState.SENT

    reminder.refresh_from_db()
    assert (reminder.state, reminder.last_error) == (DeliveryState.SENT, "")
    assert list(Message.objects.order_by("pk").values_list("state", "attempts")) == [("sent", 2), ("sent", 1)]
    assert addressees() == sorted(["focal@example.org", due_in_seven_days.champion.user.email])


def test_it_gives_up_after_the_last_try(due_in_seven_days, eager_retries, flaky_smtp):
    flaky_smtp.failures = 100
    reminder = ReminderFactory(commitment=due_in_seven_days)
    first, _second = _messages(reminder)

    result = deliver_message.delay(first)

    assert result.get() == DeliveryState.FAILED
    message = Message.objects.get(pk=first)
    assert (message.state, message.attempts) == (DeliveryState.FAILED, 5)
    assert "SMTPServerDisconnected" in message.last_error
    reminder.refresh_from_db()
    assert reminder.state == DeliveryState.FAILED
    assert mail.outbox == []


def test_it_sends_nothing_for_a_reminder_already_sent(due_in_seven_days, eager):
    reminder = ReminderFactory(commitment=due_in_seven_days)
    for message in _messages(reminder):
        deliver_message.delay(message)

    result = deliver_message.delay(message)  # a redelivered task

    assert result.get() == "not claimed"
    assert len(addressees()) == 2
    assert _messages(reminder) == []  # grouped again: already in both people's messages


def test_it_loses_nothing_when_the_broker_cannot_be_reached(
    due_in_seven_days, unreachable_broker, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_reminders() == 2  # as beat's worker runs it; queueing each delivery fails

    reminder = Reminder.objects.get()
    assert reminder.state == DeliveryState.PENDING
    assert reminder.attempts == 0
    messages = list(Message.objects.order_by("pk").values_list("pk", flat=True))
    assert f"Could not queue the delivery of reminder emails {messages}" in caplog.text
    assert "127.0.0.1:1" in caplog.text
    assert mail.outbox == []

    out = io.StringIO()
    call_command("send_reminders", stdout=out)  # the next sweep, run by hand here

    assert "2 reminder emails due: 2 sent." in out.getvalue()

    reminder.refresh_from_db()
    assert reminder.state == DeliveryState.SENT
    assert len(addressees()) == 2


def test_it_sends_the_office_digest_once_a_week(db, eager):
    OfficeMemberFactory(email="office@example.org")

    assert send_office_digest.delay().get() == DeliveryState.SENT
    assert send_office_digest.delay().get() == "not claimed"

    assert [m.to for m in mail.outbox] == [["office@example.org"]]
    assert OfficeDigest.objects.get().state == DeliveryState.SENT


def test_the_hourly_release_requeues_a_message_a_dead_worker_left_sending(
    due_in_seven_days, eager, django_capture_on_commit_callbacks
):
    from reminders.tasks import release_abandoned_reminders

    first, second = delivery.sweep()
    assert delivery.deliver(second).state == DeliveryState.SENT
    assert Message.objects.claim(first)  # a worker claimed it, then died
    assert release_abandoned_reminders() == 0  # too recent to be called abandoned
    Message.objects.filter(pk=first).update(claimed_at=timezone.now() - datetime.timedelta(minutes=20))
    with django_capture_on_commit_callbacks(execute=True):  # in a worker, no transaction: at once
        assert release_abandoned_reminders() == 1
    message = Message.objects.get(pk=first)
    assert (message.state, message.attempts) == (DeliveryState.SENT, 2)
    assert Reminder.objects.get().state == DeliveryState.SENT
    assert len(mail.outbox) == 2
    assert release_abandoned_reminders() == 0


def test_a_batch_of_messages_goes_over_one_connection(due_in_seven_days, eager, settings):
    reminder = ReminderFactory(commitment=due_in_seven_days)
    first, second = _messages(reminder)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

    with running_smtp_server() as smtp:
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
        assert deliver_messages.delay([first, second]).get() == [DeliveryState.SENT, DeliveryState.SENT]

    assert (smtp.conversations, len(smtp.messages)) == (1, 2)
    reminder.refresh_from_db()
    assert reminder.state == DeliveryState.SENT


def test_a_message_that_fails_in_a_batch_is_retried_alone_and_the_rest_queued_again(
    due_in_seven_days, eager_retries, flaky_smtp
):
    flaky_smtp.failures = 1
    reminder = ReminderFactory(commitment=due_in_seven_days)
    first, second = _messages(reminder)

    # The first fails: the batch stops there; its retry and the rest run at once here (eager).
    assert deliver_messages.delay([first, second]).get() == [DeliveryState.PENDING]

    assert list(Message.objects.order_by("pk").values_list("state", "attempts")) == [("sent", 2), ("sent", 1)]
    assert addressees() == sorted(["focal@example.org", due_in_seven_days.champion.user.email])
    reminder.refresh_from_db()
    assert (reminder.state, reminder.last_error) == (DeliveryState.SENT, "")


def test_the_sweep_delivers_its_messages_twenty_to_a_task(
    db, eager, settings, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    for _ in range(11):  # 11 champions and their focal points: 22 people, 22 messages
        commitment_due_in_seven_days(today)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

    with running_smtp_server() as smtp:
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
        with django_capture_on_commit_callbacks(execute=True):
            assert sweep_reminders.delay().get() == 22

    assert (smtp.conversations, len(smtp.messages)) == (2, 22)  # a connection a task: 20, then 2
    assert set(Message.objects.values_list("state", flat=True)) == {DeliveryState.SENT}
