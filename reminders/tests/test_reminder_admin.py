import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import DeliveryState
from commitments.models import Status
from commitments.tests.factories import CommitmentFactory
from reminders.models import Reminder, ReminderKind

REMINDERS = reverse("admin:reminders_reminder_changelist")
COMMITMENTS = reverse("admin:commitments_commitment_changelist")


@pytest.fixture
def commitment(due_in_seven_days):
    return due_in_seven_days


def make_reminder(commitment, **fields):
    values = {
        "champion": commitment.champion,
        "commitment": commitment,
        "cycle": commitment.cycle,
        "kind": ReminderKind.UPCOMING,
        "due_on": timezone.localdate(),
        "deadline": commitment.due_on,
        **fields,
    }
    if values.get("state") == DeliveryState.SENT:
        values.setdefault("sent_at", timezone.now())
    return Reminder.objects.create(**values)


def failed_reminder(commitment, **fields):
    return make_reminder(
        commitment,
        state=DeliveryState.FAILED,
        attempts=5,
        last_error="SMTPServerDisconnected: Connection unexpectedly closed",
        **fields,
    )


def addressees():
    return sorted(address for message in mail.outbox for address in message.to)


def shown_messages(response):
    return [str(message) for message in response.context["messages"]]


def act(client, url, action, *objects, follow=False):
    data = {"action": action, "_selected_action": [obj.pk for obj in objects]}
    return client.post(url, data, follow=follow)


def test_it_filters_reminders_by_state(client, admin_user, commitment):
    failed = failed_reminder(commitment)
    make_reminder(commitment, state=DeliveryState.SENT, due_on=timezone.localdate() - datetime.timedelta(1))
    client.force_login(admin_user)

    response = client.get(REMINDERS, {"state__exact": DeliveryState.FAILED})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [failed]


def test_it_filters_reminders_by_kind(client, admin_user, commitment):
    make_reminder(commitment, kind=ReminderKind.UPCOMING)
    overdue = make_reminder(commitment, kind=ReminderKind.OVERDUE)
    client.force_login(admin_user)

    response = client.get(REMINDERS, {"kind__exact": ReminderKind.OVERDUE})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [overdue]


def test_it_resends_a_failed_reminder(
    client, admin_user, commitment, eager, django_capture_on_commit_callbacks
):
    reminder = failed_reminder(commitment)
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks() as callbacks:
        response = act(client, REMINDERS, "resend_failed", reminder)

    assert response.status_code == 302
    reminder.refresh_from_db()
    assert (reminder.state, reminder.attempts, reminder.last_error) == (DeliveryState.PENDING, 0, "")
    assert mail.outbox == []  # queued only once the request's transaction commits

    for callback in callbacks:
        callback()

    reminder.refresh_from_db()
    # Tried once in each of its two messages (one to each person).
    assert (reminder.state, reminder.attempts, reminder.last_error) == (DeliveryState.SENT, 2, "")
    assert addressees() == sorted(["focal@example.org", commitment.champion.user.email])


def test_it_does_not_resend_a_sent_reminder(
    client, admin_user, commitment, eager, django_capture_on_commit_callbacks
):
    reminder = make_reminder(commitment, state=DeliveryState.SENT, attempts=1)
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = act(client, REMINDERS, "resend_failed", reminder, follow=True)

    assert callbacks == []
    assert shown_messages(response) == ["Skipped 1 reminder that had not failed."]
    reminder.refresh_from_db()
    assert (reminder.state, reminder.attempts) == (DeliveryState.SENT, 1)
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_it_says_how_many_reminders_it_queued_and_skipped(client, admin_user, commitment, eager):
    # transaction=True: the request's own commit queues the deliveries, as in production.
    failed = failed_reminder(commitment)
    sent = make_reminder(commitment, kind=ReminderKind.STALE, state=DeliveryState.SENT, attempts=1)
    client.force_login(admin_user)

    response = act(client, REMINDERS, "resend_failed", failed, sent, follow=True)

    assert response.status_code == 200
    assert sorted(shown_messages(response)) == [
        "Queued 1 failed reminder to be resent.",
        "Skipped 1 reminder that had not failed.",
    ]
    assert Reminder.objects.get(pk=failed.pk).state == DeliveryState.SENT
    assert len(addressees()) == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("unreachable_broker")
def test_it_says_so_when_the_broker_cannot_be_reached_and_the_next_sweep_sends_it(
    client, admin_user, commitment
):
    reminder = failed_reminder(commitment)
    client.force_login(admin_user)

    response = act(client, REMINDERS, "resend_failed", reminder, follow=True)

    assert response.status_code == 200
    assert shown_messages(response) == [
        "Could not reach the task queue: the reminders are pending and the next reminder sweep will send them."
    ]
    reminder.refresh_from_db()
    assert (reminder.state, reminder.attempts) == (DeliveryState.PENDING, 0)
    assert mail.outbox == []

    call_command("send_reminders", stdout=io.StringIO())

    reminder.refresh_from_db()
    assert reminder.state == DeliveryState.SENT
    assert len(addressees()) == 2


def test_it_sends_a_reminder_now_to_the_champion_and_focal_point(
    client, admin_user, commitment, eager, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = act(client, COMMITMENTS, "send_reminder_now", commitment)

    assert response.status_code == 302
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.due_on, reminder.deadline, reminder.state) == (
        ReminderKind.UPCOMING,
        timezone.localdate(),
        commitment.due_on,
        DeliveryState.SENT,
    )
    assert addressees() == sorted(["focal@example.org", commitment.champion.user.email])
    assert mail.outbox[0].subject == "1 due soon"


def test_it_sends_nothing_more_when_asked_twice_in_a_day(
    client, admin_user, commitment, eager, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        act(client, COMMITMENTS, "send_reminder_now", commitment)
    sent = len(mail.outbox)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = act(client, COMMITMENTS, "send_reminder_now", commitment, follow=True)

    assert callbacks == []
    assert shown_messages(response) == ["Skipped 1 commitment that already has a reminder today."]
    assert len(mail.outbox) == sent
    assert Reminder.objects.count() == 1


def test_it_sends_no_reminder_for_a_closed_commitment(
    client, admin_user, commitment, eager, django_capture_on_commit_callbacks
):
    commitment.status = Status.COMPLETED
    commitment.save()
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = act(client, COMMITMENTS, "send_reminder_now", commitment, follow=True)

    assert shown_messages(response) == [
        "Skipped 1 commitment that is closed or past due, or whose champion is inactive."
    ]
    assert not Reminder.objects.exists()
    assert mail.outbox == []


def _reminder(**fields):
    commitment = CommitmentFactory()
    return Reminder.objects.create(
        champion=commitment.champion,
        commitment=commitment,
        cycle=commitment.cycle,
        kind=ReminderKind.UPCOMING,
        due_on=commitment.due_on - datetime.timedelta(days=14),
        deadline=commitment.due_on,
        **fields,
    )


def test_it_lets_a_failed_reminder_be_set_back_to_pending(client, admin_user):
    reminder = _reminder(state=DeliveryState.FAILED, attempts=3, last_error="SMTP timeout")
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:reminders_reminder_change", args=[reminder.pk]), {"state": DeliveryState.PENDING}
    )

    assert response.status_code == 302
    reminder.refresh_from_db()
    assert (reminder.state, reminder.attempts) == (DeliveryState.PENDING, 3)


def test_it_refuses_to_mark_a_reminder_sent_by_hand(client, admin_user):
    reminder = _reminder()
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:reminders_reminder_change", args=[reminder.pk]), {"state": DeliveryState.SENT}
    )

    assert response.status_code == 200
    assert "needs the time it was sent" in response.text
    reminder.refresh_from_db()
    assert reminder.state == DeliveryState.PENDING


def test_it_lets_an_already_sent_reminder_stay_sent(client, admin_user):
    reminder = _reminder(state=DeliveryState.SENT, sent_at=timezone.now())
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:reminders_reminder_change", args=[reminder.pk]), {"state": DeliveryState.SENT}
    )

    assert response.status_code == 302
