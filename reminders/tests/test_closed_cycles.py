"""A closed cycle (a past year kept as history) is reminded of nothing: no reminder is planned for
it, one planned before it was closed is not sent, the office's digest does not list it as late, and
its commitments are never escalated."""

import datetime

import pytest
from django.core import mail

from accounts.models import DeliveryState
from accounts.tests.factories import OfficeMemberFactory
from champions.tests.factories import ChampionFactory
from commitments.models import Approval
from commitments.tests.factories import CommitmentFactory, CycleFactory
from config.tests.helpers import at_eight
from reminders import delivery
from reminders.models import Escalation, Reminder, ReminderKind
from reminders.planning import escalate, plan
from reminders.tests.factories import EscalationFactory, ReminderFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2030, 6, 3)
ALL_KINDS = set(ReminderKind.values)


def _days(n):
    return TODAY + datetime.timedelta(days=n)


def _year(year, *, closed=False):
    """A cycle that, on TODAY, is due every kind of reminder: a commitment due in 7 days (and quiet
    since the cycle began: stale), one overdue since yesterday, the report due in 7 days, and a
    champion whose commitments, due in 3 days, are still a draft."""
    cycle = CycleFactory(
        year=year,
        starts_on=_days(-100),
        ends_on=_days(100),
        commitments_due_on=_days(3),
        report_due_on=_days(7),
        is_closed=closed,
    )
    champion = ChampionFactory(full_name=f"Chidi Champion {year}")
    due_soon = CommitmentFactory(
        champion=champion, cycle=cycle, number=1, due_on=_days(7), title=f"Due soon in {year}"
    )
    overdue = CommitmentFactory(
        champion=champion, cycle=cycle, number=2, due_on=_days(-1), title=f"Overdue in {year}"
    )
    drafting = ChampionFactory(full_name=f"Dan Drafting {year}")
    CommitmentFactory(champion=drafting, cycle=cycle, number=1, approval=Approval.DRAFT)
    return {"cycle": cycle, "due_soon": due_soon, "overdue": overdue, "drafting": drafting}


@pytest.mark.parametrize("closed, kinds", [(False, ALL_KINDS), (True, set())])
def test_it_plans_no_reminder_of_any_kind_for_a_closed_cycle(closed, kinds):
    _year(2030, closed=closed)
    plan(TODAY)
    assert set(Reminder.objects.values_list("kind", flat=True)) == kinds


def test_a_reminder_planned_before_its_cycle_was_closed_is_not_sent():
    year = _year(2030)
    with at_eight(TODAY):
        messages = delivery.sweep(TODAY)
    assert messages and set(Reminder.objects.values_list("kind", flat=True)) == ALL_KINDS
    year["cycle"].is_closed = True
    year["cycle"].save()
    with at_eight(TODAY):
        outcomes = [delivery.deliver(message, TODAY) for message in messages]
    assert {outcome.state for outcome in outcomes} == {"dropped"}
    assert mail.outbox == []
    # Never sent, no longer true: gone, not left pending for a later sweep.
    assert not Reminder.objects.exists()


def test_a_reopened_cycle_is_reminded_again():
    year = _year(2030, closed=True)
    plan(TODAY)
    assert not Reminder.objects.exists()
    year["cycle"].is_closed = False
    year["cycle"].save()
    plan(TODAY)
    assert set(Reminder.objects.values_list("kind", flat=True)) == ALL_KINDS


def test_the_digest_lists_nothing_of_a_closed_cycle_as_late():
    # The day after the commitments were due: late setting, overdue, due soon and stale all apply.
    day = _days(5)
    kept, closed = _year(2030), _year(2029, closed=True)
    for year in (kept, closed):
        EscalationFactory(commitment=year["overdue"], escalated_on=day)
    context = delivery.digest_context(day)
    listed = {
        name: {commitment.cycle.year for commitment in context[name]}
        for name in ("overdue", "due_soon", "stale")
    }
    assert listed == {"overdue": {2030}, "due_soon": {2030}, "stale": {2030}}
    assert [cycle.year for cycle, _champions in context["late_setting"]] == [2030]
    assert kept["drafting"] in context["late_setting"][0][1]
    assert [escalation.commitment for escalation in context["escalated"]] == [kept["overdue"]]


def test_the_digest_email_does_not_list_a_closed_cycles_commitments():
    day = _days(5)
    _year(2030)
    _year(2029, closed=True)
    OfficeMemberFactory(email="office@example.org")
    with at_eight(day):
        delivery.send_digest(day)
    (message,) = mail.outbox
    assert "Due soon in 2030" in message.body and "Overdue in 2030" in message.body
    assert "in 2029" not in message.body


def _first_notice_sent_long_ago(commitment):
    """The commitment's first overdue notice, sent ESCALATE_AFTER_DAYS and more before TODAY."""
    return ReminderFactory(
        commitment=commitment,
        kind=ReminderKind.OVERDUE,
        state=DeliveryState.SENT,
        due_on=commitment.due_on + datetime.timedelta(days=1),
    )


@pytest.mark.parametrize("closed, escalated", [(False, 1), (True, 0)])
def test_a_closed_cycles_overdue_commitment_is_not_escalated(settings, closed, escalated):
    cycle = CycleFactory(year=2030, is_closed=closed)
    commitment = CommitmentFactory(cycle=cycle, number=1, due_on=_days(-settings.ESCALATE_AFTER_DAYS - 5))
    _first_notice_sent_long_ago(commitment)
    escalate(TODAY)
    assert Escalation.objects.count() == escalated


def test_closing_a_cycle_clears_its_escalations():
    cycle = CycleFactory(year=2030)
    commitment = CommitmentFactory(cycle=cycle, number=1, due_on=_days(-30))
    other = CommitmentFactory(cycle=CycleFactory(year=2031), number=1, due_on=_days(-30))
    escalations = [EscalationFactory(commitment=commitment), EscalationFactory(commitment=other)]
    cycle.is_closed = True
    cycle.save()
    escalate(TODAY)
    cleared = {escalation.pk: escalation.cleared_on for escalation in Escalation.objects.all()}
    assert cleared == {escalations[0].pk: TODAY, escalations[1].pk: None}
    assert list(Escalation.objects.active()) == [escalations[1]]
