"""Reminders to set a cycle's commitments, and no reminder about commitments not yet approved."""

import datetime

import pytest
from django.core import mail

from accounts.tests.factories import OfficeMemberFactory
from champions.tests.factories import ChampionFactory
from commitments.models import Approval
from commitments.tests.factories import CommitmentFactory, CycleFactory
from config.tests.helpers import at_eight
from reminders import delivery
from reminders.models import Reminder, ReminderKind
from reminders.tests.helpers import run_day

pytestmark = pytest.mark.django_db

DUE = datetime.date(2027, 1, 31)


@pytest.fixture
def cycle():
    return CycleFactory(
        year=2027,
        starts_on=datetime.date(2027, 1, 1),
        ends_on=datetime.date(2027, 12, 31),
        commitments_due_on=DUE,
        report_due_on=datetime.date(2028, 1, 15),
    )


def _days_with_subjects(first, last):
    sent = {}
    day = first
    while day <= last:
        before = len(mail.outbox)
        run_day(day)
        for message in mail.outbox[before:]:
            sent.setdefault((DUE - day).days, []).append((message.to, message.subject))
        day += datetime.timedelta(days=1)
    return sent


def test_champions_who_have_not_submitted_are_reminded_14_and_3_days_before_once_each(cycle):
    nothing = ChampionFactory(full_name="Nadia Nothing")
    drafting = ChampionFactory(full_name="Dan Drafting")
    CommitmentFactory(champion=drafting, cycle=cycle, number=1, approval=Approval.DRAFT)
    submitted = ChampionFactory(full_name="Sam Submitted")
    CommitmentFactory(champion=submitted, cycle=cycle, number=1, approval=Approval.SUBMITTED)
    sent = _days_with_subjects(DUE - datetime.timedelta(days=20), DUE + datetime.timedelta(days=5))
    assert sorted(sent) == [3, 14]
    for messages in sent.values():
        assert sorted(to for to, _ in messages) == sorted([[nothing.user.email], [drafting.user.email]])
        assert all(subject == "commitments to submit" for _, subject in messages)
    # The same sweep twice sends nothing more.
    with at_eight(DUE - datetime.timedelta(days=3)):
        assert delivery.sweep() == []


def test_a_reminder_due_after_the_champion_submitted_is_dropped(cycle):
    champion = ChampionFactory()
    with at_eight(DUE - datetime.timedelta(days=14)):
        (reminder_id,) = delivery.sweep()
    CommitmentFactory(champion=champion, cycle=cycle, number=1, approval=Approval.SUBMITTED)
    with at_eight(DUE - datetime.timedelta(days=14)):
        assert delivery.deliver(reminder_id).state == "dropped"
    assert mail.outbox == []


def test_commitments_not_yet_approved_are_not_reminded_of(cycle):
    champion = ChampionFactory()
    for number, approval in enumerate(["draft", "submitted", "returned"], 1):
        CommitmentFactory(champion=champion, cycle=cycle, number=number, approval=approval,
                          due_on=datetime.date(2027, 6, 30))  # fmt: skip
    _days_with_subjects(datetime.date(2027, 5, 25), datetime.date(2027, 7, 10))
    assert not Reminder.objects.exclude(kind=ReminderKind.COMMITMENTS_DUE).exists()


def test_the_digest_lists_what_awaits_review_and_who_is_late(cycle):
    OfficeMemberFactory(email="office@example.org")
    late = ChampionFactory(full_name="Lena Late")
    waiting = ChampionFactory(full_name="Walt Waiting")
    CommitmentFactory(champion=waiting, cycle=cycle, number=1, approval=Approval.SUBMITTED)
    monday = datetime.date(2027, 2, 1)
    with at_eight(monday):
        assert delivery.send_digest().state == "sent"
    (message,) = mail.outbox
    assert "1 commitment awaits review" in message.body
    assert "Lena Late" in message.body
    assert "Walt Waiting" not in message.body.split("review")[-1]
    assert late
