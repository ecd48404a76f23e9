"""The office hands a leaving champion's open commitments over to a successor (issue 31, item 1)."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import DeliveryState
from accounts.tests.factories import OfficeMemberFactory, UserFactory
from champions.models import Champion
from champions.tests.factories import ChampionFactory, OrganizationFactory
from commitments.models import Commitment, Handover, Status
from commitments.tests.factories import CommitmentFactory, CycleFactory
from events.tests.factories import ProgressEventFactory
from reminders.models import Reminder, ReminderKind
from reminders.planning import plan
from reminders.tests.factories import ReminderFactory
from reports.annual import for_annual_report

TODAY = datetime.date(2026, 6, 15)
LEAVES_ON = datetime.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _mid_cycle():
    with time_machine.travel(datetime.datetime(2026, 6, 15, 10, tzinfo=datetime.UTC), tick=False):
        yield


class Organisation:
    """A champion leaving mid-2026 with two open commitments (events logged before and after the day)
    and a completed one; the successor already has commitment number 1."""

    def __init__(self):
        self.cycle = CycleFactory(year=2026)
        organization = OrganizationFactory(name="Office for Peace", acronym="OFP")
        self.focal_point = UserFactory(full_name="Fiona Focal")
        self.leaving = ChampionFactory(
            full_name="Lea Leaving", organization=organization, focal_points=[self.focal_point]
        )
        self.successor = ChampionFactory(full_name="Sam Successor", organization=organization)
        self.first = CommitmentFactory(
            champion=self.leaving, cycle=self.cycle, number=1, title="Meet women staff"
        )
        self.second = CommitmentFactory(
            champion=self.leaving, cycle=self.cycle, number=2, title="Balanced panels"
        )
        self.done = CommitmentFactory(
            champion=self.leaving, cycle=self.cycle, number=3, title="Policy adopted"
        )
        self.done.change_status(Status.COMPLETED, None)
        self.own = CommitmentFactory(
            champion=self.successor, cycle=self.cycle, number=1, title="Own commitment"
        )
        self.before = ProgressEventFactory(
            commitment=self.first, occurred_on=datetime.date(2026, 3, 2), title="Town hall in March"
        )
        self.after = ProgressEventFactory(
            commitment=self.first, occurred_on=datetime.date(2026, 6, 10), title="Town hall in June"
        )
        self.reminder = ReminderFactory(commitment=self.second)
        self.report_reminder = ReminderFactory(
            commitment=None,
            champion=self.leaving,
            cycle=self.cycle,
            kind=ReminderKind.REPORT_DUE,
            deadline=self.cycle.report_due_on,
        )
        self.office = OfficeMemberFactory()


@pytest.fixture
def org(db):
    return Organisation()


def hand_over(client, org, successor=None, effective_on=LEAVES_ON, confirm=True):
    data = {"successor": (successor or org.successor).pk, "effective_on": effective_on.isoformat()}
    if confirm:
        data["confirm"] = "1"
    return client.post(f"/dashboard/champions/{org.leaving.pk}/handover/", data)


def test_it_asks_for_confirmation_before_acting(client, org):
    client.force_login(org.office)
    response = hand_over(client, org, confirm=False)
    assert response.status_code == 200
    assert response.templates[0].name == "dashboard/handover_confirm.html"
    assert [c.pk for c in response.context["moving"]] == [org.first.pk, org.second.pk]
    assert not Handover.objects.exists()
    assert Commitment.objects.get(pk=org.first.pk).champion == org.leaving


def test_it_moves_open_commitments_with_their_whole_history(client, org):
    client.force_login(org.office)
    response = hand_over(client, org)
    assert response.status_code == 302
    assert response["Location"] == f"/dashboard/champions/{org.leaving.pk}/"

    handover = Handover.objects.get()
    assert (handover.from_champion, handover.to_champion, handover.effective_on, handover.cycle) == (
        org.leaving,
        org.successor,
        LEAVES_ON,
        org.cycle,
    )
    assert handover.created_by == org.office
    assert set(handover.commitments.all()) == {org.first, org.second}
    first, second, done = (Commitment.objects.get(pk=c.pk) for c in (org.first, org.second, org.done))
    assert (first.champion, second.champion, done.champion) == (org.successor, org.successor, org.leaving)
    # Number 1 clashes with the successor's own: the next free number; 2 is free and kept.
    assert (first.number, second.number) == (3, 2)
    assert first.taken_over_from == org.leaving and first.taken_over_on == LEAVES_ON
    # Events before and after the day stay with the commitment.
    assert set(first.events.values_list("title", flat=True)) == {"Town hall in March", "Town hall in June"}
    assert first.counted_events == 2
    # In the audit trail: a line in the status history, and the change of champion in its history.
    assert first.status_changes.filter(comment__contains="Taken over from Lea Leaving").exists()
    assert first.history.first().champion_id == org.successor.pk
    # The focal points stay with the organisation.
    assert org.focal_point in org.successor.focal_points.all()
    leaving = Champion.objects.get(pk=org.leaving.pk)
    assert leaving.left_on == LEAVES_ON and not leaving.is_active
    assert leaving not in Champion.objects.active()


def test_the_successors_pages_show_every_event_and_say_taken_over(client, org):
    client.force_login(org.office)
    hand_over(client, org)
    page = client.get(f"/dashboard/champions/{org.successor.pk}/").content.decode()
    assert "Town hall in March" in page and "Town hall in June" in page
    assert "Taken over from Lea Leaving on 1 June 2026" in page
    detail = client.get(f"/dashboard/commitments/{org.first.pk}/").content.decode()
    assert "Taken over from Lea Leaving on 1 June 2026" in detail
    leaving = client.get(f"/dashboard/champions/{org.leaving.pk}/").content.decode()
    assert "Alumnus/alumna since 1 June 2026" in leaving
    assert "Handed over to Sam Successor on 1 June 2026." in leaving
    assert "Reverse this handover" in leaving


def test_the_reports_either_side_name_the_handover(client, org):
    client.force_login(org.office)
    hand_over(client, org)
    successor = client.get(f"/reports/2026/champions/{org.successor.pk}/").content.decode()
    assert "Meet women staff" in successor and "Balanced panels" in successor
    assert successor.count("Taken over from Lea Leaving on 1 June 2026") == 2
    leaving = client.get(f"/reports/2026/champions/{org.leaving.pk}/").content.decode()
    assert "handed over on 1 June 2026 to Sam Successor" in leaving
    # The completed commitment stays in the leaving champion's report, under their name.
    assert "Policy adopted" in leaving and "Meet women staff" not in leaving


def test_the_leaving_champions_reminders_and_feed_stop(client, org):
    client.force_login(org.office)
    hand_over(client, org)
    moved = [org.first.pk, org.second.pk]
    assert not Reminder.objects.filter(commitment__in=moved, state=DeliveryState.PENDING).exists()
    assert not Reminder.objects.filter(champion=org.leaving, state=DeliveryState.PENDING).exists()
    # Their home page shows none of the moved commitments; their calendar feed is gone.
    client.force_login(org.leaving.user)
    home = client.get("/").content.decode()
    assert "Meet women staff" not in home and "Balanced panels" not in home
    org.leaving.user.refresh_from_db()
    assert client.get(f"/calendar/{org.leaving.user.calendar_token}.ics").status_code == 404


def test_a_later_day_makes_an_alumnus_from_that_day(client, org):
    client.force_login(org.office)
    hand_over(client, org, effective_on=datetime.date(2026, 7, 1))
    leaving = Champion.objects.get(pk=org.leaving.pk)
    assert leaving.is_active and leaving in Champion.objects.active()
    assert leaving not in Champion.objects.active(today=datetime.date(2026, 7, 1))


def test_the_reporting_rate_leaves_the_alumnus_out(client, org):
    def champions_counted():
        return sum(row["champions"] for row in for_annual_report(org.cycle).report_states(org.cycle))

    assert champions_counted() == 2
    client.force_login(org.office)
    hand_over(client, org)
    # The leaving champion keeps a completed commitment of the year, yet is not asked for a report.
    assert champions_counted() == 1


def test_reversal_restores_everything(client, org):
    client.force_login(org.office)
    hand_over(client, org)
    handover = Handover.objects.get()
    confirm = client.post(f"/dashboard/handovers/{handover.pk}/reverse/")
    assert confirm.status_code == 200 and b"Reverse this handover" in confirm.content
    assert Commitment.objects.get(pk=org.first.pk).champion == org.successor

    response = client.post(f"/dashboard/handovers/{handover.pk}/reverse/", {"confirm": "1"})
    assert response.status_code == 302
    first, second = (Commitment.objects.get(pk=c.pk) for c in (org.first, org.second))
    assert (first.champion, first.number, second.champion, second.number) == (org.leaving, 1, org.leaving, 2)
    assert first.taken_over_from is None and first.taken_over_on is None
    assert first.events.count() == 2
    leaving = Champion.objects.get(pk=org.leaving.pk)
    assert leaving.left_on is None and leaving.is_active
    handover.refresh_from_db()
    assert handover.reversed_at is not None and handover.reversed_by == org.office
    assert org.focal_point not in org.successor.focal_points.all()
    assert first.status_changes.filter(comment__contains="handover reversed").exists()


def test_reversal_is_refused_once_the_cycle_is_closed(client, org):
    client.force_login(org.office)
    hand_over(client, org)
    handover = Handover.objects.get()
    org.cycle.is_closed = True
    org.cycle.save()
    client.post(f"/dashboard/handovers/{handover.pk}/reverse/", {"confirm": "1"})
    handover.refresh_from_db()
    assert handover.reversed_at is None
    assert Commitment.objects.get(pk=org.first.pk).champion == org.successor


@pytest.mark.parametrize("who", ["champion", "focal_point"])
def test_it_is_the_offices_alone(client, org, who):
    client.force_login(org.leaving.user if who == "champion" else org.focal_point)
    assert client.get(f"/dashboard/champions/{org.leaving.pk}/handover/").status_code == 403
    assert hand_over(client, org).status_code == 403
    assert not Handover.objects.exists()
    handover = Handover.objects.hand_over(org.leaving, org.successor, LEAVES_ON, org.cycle, org.office)
    assert client.post(f"/dashboard/handovers/{handover.pk}/reverse/", {"confirm": "1"}).status_code == 403
    handover.refresh_from_db()
    assert not handover.is_reversed


def test_a_successor_of_another_organisation_is_refused(client, org):
    client.force_login(org.office)
    stranger = ChampionFactory(full_name="Otto Other")
    response = hand_over(client, org, successor=stranger)
    assert response.status_code == 200
    assert "successor" in response.context["form"].errors
    assert not Handover.objects.exists()


def test_the_leaving_champion_cannot_succeed_themselves(client, org):
    client.force_login(org.office)
    response = hand_over(client, org, successor=org.leaving)
    assert "successor" in response.context["form"].errors
    assert not Handover.objects.exists()


def test_a_day_outside_the_cycle_is_refused(client, org):
    client.force_login(org.office)
    response = hand_over(client, org, effective_on=datetime.date(2027, 2, 1))
    assert "effective_on" in response.context["form"].errors
    assert not Handover.objects.exists()


def test_a_successor_without_free_numbers_is_refused(client, org):
    for number in range(2, 6):
        CommitmentFactory(champion=org.successor, cycle=org.cycle, number=number)
    client.force_login(org.office)
    response = hand_over(client, org)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Handover.objects.exists()


def test_it_is_all_or_nothing(client, org, monkeypatch):
    """A failure at the last step (the leaving champion's save) leaves nothing changed."""

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Champion, "save", fail)
    client.force_login(org.office)
    client.raise_request_exception = True
    with pytest.raises(RuntimeError):
        hand_over(client, org)
    monkeypatch.undo()
    assert not Handover.objects.exists()
    first = Commitment.objects.get(pk=org.first.pk)
    assert (first.champion, first.number, first.taken_over_from) == (org.leaving, 1, None)
    assert not first.status_changes.filter(comment__contains="Taken over").exists()
    assert Reminder.objects.filter(pk=org.reminder.pk).exists()
    assert org.focal_point not in org.successor.focal_points.all()
    leaving = Champion.objects.get(pk=org.leaving.pk)
    assert leaving.left_on is None and leaving.is_active
    assert timezone.localdate() == TODAY


def test_the_people_page_lists_alumni(client, org):
    client.force_login(org.office)
    assert b'data-testid="alumni"' not in client.get("/dashboard/people/").content
    hand_over(client, org)
    page = client.get("/dashboard/people/").content.decode()
    assert 'data-testid="alumni"' in page
    assert "Lea Leaving</a>, OFP · since 1 June 2026" in page


def test_the_successors_side_sees_the_commitments_taken_over(client, org):
    client.force_login(org.office)
    hand_over(client, org)
    client.force_login(org.successor.user)
    home = client.get("/").content.decode()
    assert "Meet women staff" in home and "Taken over from Lea Leaving on 1 June 2026" in home
    detail = client.get(f"/commitments/{org.first.pk}/").content.decode()
    assert "Town hall in March" in detail and "Town hall in June" in detail
    assert "Taken over from Lea Leaving on 1 June 2026" in detail


def test_the_successors_reminders_come_with_the_next_run(client, org):
    client.force_login(org.office)
    hand_over(client, org)
    Commitment.objects.filter(pk=org.second.pk).update(due_on=TODAY + datetime.timedelta(days=7))
    plan(TODAY)
    reminders = Reminder.objects.filter(commitment=org.second, state=DeliveryState.PENDING)
    assert reminders.exists()
    assert {reminder.champion for reminder in reminders} == {org.successor}
    assert not Reminder.objects.filter(champion=org.leaving, state=DeliveryState.PENDING).exists()


def test_admin_lists_handovers_read_only(client, org, admin_user):
    client.force_login(org.office)
    hand_over(client, org)
    client.force_login(admin_user)
    page = client.get("/admin/commitments/handover/")
    assert page.status_code == 200 and "Lea Leaving" in page.content.decode()
    assert client.get("/admin/commitments/handover/add/").status_code == 403


def test_an_alumnus_is_not_reminded_of_the_report(client, org):
    client.force_login(org.office)
    hand_over(client, org)
    Reminder.objects.all().delete()
    # A week before the report is due: the successor is reminded; the alumnus, who keeps a
    # completed commitment of the year, is not.
    plan(org.cycle.report_due_on - datetime.timedelta(days=7))
    reminded = set(Reminder.objects.filter(kind=ReminderKind.REPORT_DUE).values_list("champion", flat=True))
    assert reminded == {org.successor.pk}


def test_the_people_page_lists_alumni_in_the_same_queries_whatever_their_number(client, org):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/dashboard/people/").status_code == 200
        return len(captured.captured_queries)

    client.force_login(org.office)
    queries()  # (the first request reads what later ones find cached)
    ChampionFactory(left_on=LEAVES_ON, is_active=False)
    one = queries()
    ChampionFactory.create_batch(5, left_on=LEAVES_ON, is_active=False)
    assert queries() == one
