import datetime
import io

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import DeliveryState
from accounts.tests.factories import UserFactory
from champions.admin import ChampionAdmin, PledgeSignatureInline
from champions.models import Champion
from commitments.admin import ApprovalChangeInline, CommitmentAdmin, CommitmentInline, StatusChangeInline
from commitments.models import Commitment, Status
from events.admin import ProgressEventInline
from reminders.models import Escalation, Message, OfficeDigest, Reminder, ReminderKind

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


def _admin_url(model, page, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


def test_the_registered_commitment_admin_has_every_apps_inlines_and_actions(rf, admin_user):
    """Each app above commitments registers its own subclass; the last one has all they add."""
    model_admin = admin.site.get_model_admin(Commitment)
    request = rf.get(COMMITMENTS)
    request.user = admin_user

    assert [type(inline) for inline in model_admin.get_inline_instances(request)] == [
        ProgressEventInline,
        StatusChangeInline,
        ApprovalChangeInline,
    ]
    assert "send_reminder_now" in model_admin.get_actions(request)
    assert isinstance(model_admin, CommitmentAdmin)
    assert [
        type(inline) for inline in admin.site.get_model_admin(Champion).get_inline_instances(request)
    ] == [PledgeSignatureInline, CommitmentInline]
    # The lower apps' own admins are left as they wrote them.
    assert (CommitmentAdmin.inlines, CommitmentAdmin.actions) == (
        [StatusChangeInline, ApprovalChangeInline],
        (),
    )
    assert ChampionAdmin.inlines == [PledgeSignatureInline]


@pytest.fixture
def view_only_staff(db):
    """A staff member who may look at commitments and reminders, and change nothing."""
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_commitment", "view_reminder", "view_champion"])
    )
    return user


def test_a_view_only_staff_member_is_offered_no_action(client, view_only_staff, commitment):
    failed_reminder(commitment)
    client.force_login(view_only_staff)

    commitments, reminders = client.get(COMMITMENTS), client.get(REMINDERS)

    assert commitments.status_code == reminders.status_code == 200
    assert commitment in commitments.context["cl"].result_list
    for response in (commitments, reminders):
        assert response.context["action_form"] is None
        assert "send_reminder_now" not in response.text
        assert "resend_failed" not in response.text


def test_a_view_only_staff_member_cannot_send_a_reminder_now(
    client, view_only_staff, commitment, eager, django_capture_on_commit_callbacks
):
    client.force_login(view_only_staff)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = act(client, COMMITMENTS, "send_reminder_now", commitment)

    assert response.status_code == 200  # the changelist again, nothing done
    assert callbacks == []
    assert not Reminder.objects.exists()
    assert mail.outbox == []


def test_a_view_only_staff_member_cannot_resend_a_failed_reminder(
    client, view_only_staff, commitment, eager, django_capture_on_commit_callbacks
):
    reminder = failed_reminder(commitment)
    client.force_login(view_only_staff)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = act(client, REMINDERS, "resend_failed", reminder)

    assert response.status_code == 200
    assert callbacks == []
    reminder.refresh_from_db()
    assert (reminder.state, reminder.attempts) == (DeliveryState.FAILED, 5)
    assert mail.outbox == []


@pytest.fixture
def one_of_each_kept_by_the_sweep(commitment, admin_user):
    reminder = failed_reminder(commitment)
    return {
        Reminder: reminder,
        Message: Message.objects.create(user=admin_user, due_on=reminder.due_on, state=DeliveryState.FAILED),
        OfficeDigest: OfficeDigest.objects.create(
            week_of=datetime.date(2026, 11, 30), state=DeliveryState.FAILED
        ),
        Escalation: Escalation.objects.create(
            commitment=commitment,
            deadline=commitment.due_on,
            first_notice_on=commitment.due_on + datetime.timedelta(days=1),
            escalated_on=commitment.due_on + datetime.timedelta(days=15),
        ),
    }


@pytest.mark.parametrize("model", [Reminder, Message, OfficeDigest, Escalation], ids=lambda m: m.__name__)
def test_what_the_sweep_keeps_cannot_be_added_by_hand(
    client, admin_user, one_of_each_kept_by_the_sweep, model
):
    client.force_login(admin_user)

    changelist = client.get(_admin_url(model, "changelist"))

    assert changelist.status_code == 200
    assert changelist.context["has_add_permission"] is False
    assert _admin_url(model, "add") not in changelist.text
    assert client.get(_admin_url(model, "add")).status_code == 403
    assert client.post(_admin_url(model, "add"), {}).status_code == 403


@pytest.mark.parametrize("model", [Reminder, Message, OfficeDigest, Escalation], ids=lambda m: m.__name__)
def test_what_the_sweep_keeps_is_shown_read_only(client, admin_user, one_of_each_kept_by_the_sweep, model):
    obj = one_of_each_kept_by_the_sweep[model]
    client.force_login(admin_user)
    url = _admin_url(model, "change", obj.pk)

    page = client.get(url)

    assert page.status_code == 200
    form = page.context["adminform"]
    assert set(form.readonly_fields) >= set(admin.site.get_model_admin(model).fields)
    assert form.form.fields == {}  # every field read-only: nothing to post
    assert 'name="_save"' not in page.text
    assert client.post(url, {"state": DeliveryState.PENDING}).status_code == 403


def test_a_reminders_state_is_changed_by_the_action_not_on_its_page(client, admin_user, commitment):
    reminder = failed_reminder(commitment)
    client.force_login(admin_user)

    response = client.post(_admin_url(Reminder, "change", reminder.pk), {"state": DeliveryState.PENDING})

    assert response.status_code == 403
    reminder.refresh_from_db()
    assert (reminder.state, reminder.attempts) == (DeliveryState.FAILED, 5)
    assert "resend_failed" in client.get(REMINDERS).text
