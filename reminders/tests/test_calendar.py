"""Calendar feeds (/calendar/<token>.ics): what a feed holds, read back with icalendar; who gets
which feed; the token as the only credential, and its replacement."""

import datetime
import logging

import pytest
from django.contrib.messages import get_messages
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext
from icalendar import Calendar

from accounts.tests.factories import OfficeMemberFactory, UserFactory
from champions.tests.factories import ChampionFactory, HubFactory
from commitments.models import Approval, Commitment, EventKind, Status, TargetKind
from commitments.tests.factories import CommitmentFactory, CycleFactory
from events.models import Scope
from events.tests.factories import PanelFactory, ProgressEventFactory
from reminders.calendar import CalendarFeed, _folded

SITE = "https://gc.example.org"
HOST = "gc.example.org"


class Network:
    """A champion with a focal point, the commitments their feed holds and those it must not hold."""

    def __init__(self):
        self.today = timezone.localdate()
        year = self.today.year
        self.cycle = CycleFactory(year=year)
        # Next year's cycle: the champion has set nothing for it yet.
        self.next_cycle = CycleFactory(year=year + 1)
        # Two years ago: over, its one commitment of the champion completed.
        self.old_cycle = CycleFactory(year=year - 2)
        self.geneva, self.vienna = HubFactory(name="Geneva"), HubFactory(name="Vienna")
        self.focal_point = UserFactory(email="focal@example.org", full_name="Fiona Focal")
        self.champion = ChampionFactory(
            full_name="Chidi Champion", hub=self.geneva, focal_points=[self.focal_point]
        )
        self.meetings = CommitmentFactory(
            champion=self.champion,
            cycle=self.cycle,
            number=1,
            title="Hold meetings with women staff",
            due_on=datetime.date(year, 6, 30),
        )
        ProgressEventFactory(commitment=self.meetings, scope=Scope.FIELD)
        ProgressEventFactory(commitment=self.meetings)
        self.panels = CommitmentFactory(
            champion=self.champion,
            cycle=self.cycle,
            number=2,
            title="Panel parity, with a semicolon; and a comma",
            categories=["panel-parity"],
            target_kind=TargetKind.PERCENTAGE,
            target_value=50,
            unit="",
            counts_kind=EventKind.PANEL,
            status=Status.IN_PROGRESS,
            due_on=datetime.date(year, 9, 30),
        )
        PanelFactory(commitment=self.panels, women_count=1, men_count=3)
        # Not in any feed: completed, a draft, a commitment of a past cycle that is closed.
        self.completed = CommitmentFactory(
            champion=self.champion, cycle=self.cycle, number=3, status=Status.COMPLETED
        )
        self.draft = CommitmentFactory(
            champion=self.champion, cycle=self.cycle, number=4, approval=Approval.DRAFT
        )
        CommitmentFactory(champion=self.champion, cycle=self.old_cycle, number=1, status=Status.NOT_ACHIEVED)
        # Someone else's champion, in another hub: only the office's feed holds it.
        self.other_champion = ChampionFactory(full_name="Olga Other", hub=self.vienna)
        self.other = CommitmentFactory(
            champion=self.other_champion, cycle=self.cycle, number=1, due_on=datetime.date(year, 11, 30)
        )
        # A champion who left the network, still served by the focal point: in no feed.
        self.former = ChampionFactory(
            full_name="Ivan Inactive", is_active=False, focal_points=[self.focal_point]
        )
        CommitmentFactory(champion=self.former, cycle=self.cycle, number=1)
        self.office_member = OfficeMemberFactory(email="office@example.org")


@pytest.fixture
def network(db, settings):
    settings.SITE_URL = SITE
    return Network()


def feed_url(user):
    user.refresh_from_db()
    return f"/calendar/{user.calendar_token}.ics"


def events_of(response):
    """The feed's events by UID, parsed back with icalendar."""
    assert response.status_code == 200, response.status_code
    calendar = Calendar.from_ical(response.content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def commitment_uid(commitment):
    return f"commitment-{commitment.pk}@{HOST}"


def cycle_uids(year):
    return {f"cycle-{year}-commitments-due@{HOST}", f"cycle-{year}-report-due@{HOST}"}


def test_a_focal_points_feed_holds_their_champions_open_commitments_and_their_cycles(client, network):
    events = events_of(client.get(feed_url(network.focal_point)))

    year = network.today.year
    assert set(events) == {
        commitment_uid(network.meetings),
        commitment_uid(network.panels),
        *cycle_uids(year),
        *cycle_uids(year + 1),  # set nothing yet for it
    }
    meetings = events[commitment_uid(network.meetings)]
    assert meetings["DTSTART"].params["VALUE"] == "DATE"
    assert meetings["DTEND"].params["VALUE"] == "DATE"
    assert meetings.decoded("DTSTART") == datetime.date(year, 6, 30)
    assert meetings.decoded("DTEND") == datetime.date(year, 7, 1)
    assert str(meetings["SUMMARY"]) == "Commitment 1 due: Hold meetings with women staff (Chidi Champion)"
    url = f"{SITE}/commitments/{network.meetings.pk}/"
    assert str(meetings["URL"]) == url
    assert str(meetings["DESCRIPTION"]).split("\n") == [
        "Chidi Champion, commitment 1: Hold meetings with women staff",
        "Target: 4 meetings",
        "Progress: 50% — 2 of 4 meetings, 1 in the field",
        url,
    ]
    assert str(meetings["TRANSP"]) == "TRANSPARENT"
    assert isinstance(meetings.decoded("DTSTAMP"), datetime.datetime)

    panels = events[commitment_uid(network.panels)]
    assert str(panels["SUMMARY"]).startswith("Commitment 2 due: Panel parity, with a semicolon; and a comma")
    assert panels.decoded("DTSTART") == datetime.date(year, 9, 30)
    assert "Progress: 50% — 25% women speakers across 1 panel (target 50%)" in str(panels["DESCRIPTION"])

    cycle = network.cycle
    commitments_due = events[f"cycle-{year}-commitments-due@{HOST}"]
    assert commitments_due.decoded("DTSTART") == cycle.commitments_due_on
    assert commitments_due.decoded("DTEND") == cycle.commitments_due_on + datetime.timedelta(days=1)
    assert str(commitments_due["SUMMARY"]) == f"Commitments for {year} due"
    assert str(commitments_due["URL"]) == f"{SITE}/cycles/{year}/commitments/"
    report_due = events[f"cycle-{year}-report-due@{HOST}"]
    assert report_due.decoded("DTSTART") == datetime.date(year + 1, 1, 15)
    assert str(report_due["SUMMARY"]) == f"Reports on {year} due"
    assert str(report_due["URL"]) == f"{SITE}/?cycle={year}"


def test_a_champions_own_feed_does_not_name_them_in_each_summary(client, network):
    events = events_of(client.get(feed_url(network.champion.user)))

    assert {commitment_uid(network.meetings), commitment_uid(network.panels)} <= set(events)
    assert str(events[commitment_uid(network.meetings)]["SUMMARY"]) == (
        "Commitment 1 due: Hold meetings with women staff"
    )


def test_someone_who_serves_no_active_champion_has_no_feed(client, network):
    assert client.get(feed_url(UserFactory())).status_code == 404
    assert client.get(feed_url(network.former.user)).status_code == 404  # a champion who left


def test_someone_without_a_password_of_their_own_has_no_feed(client, network):
    network.focal_point.set_unusable_password()
    network.focal_point.save(update_fields=["password"])

    assert client.get(feed_url(network.focal_point)).status_code == 404


def test_the_calendar_has_a_name_and_asks_to_be_fetched_again_every_six_hours(client, network):
    calendar = Calendar.from_ical(client.get(feed_url(network.focal_point)).content)

    assert str(calendar["X-WR-CALNAME"]) == "Gender Champions: my deadlines"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert calendar.decoded("REFRESH-INTERVAL") == datetime.timedelta(hours=6)
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT6H"


def test_a_changed_due_date_moves_the_event_and_keeps_its_uid(client, network):
    url = feed_url(network.focal_point)
    before = events_of(client.get(url))
    later = network.meetings.due_on + datetime.timedelta(days=14)
    network.meetings.due_on = later
    network.meetings.save()

    after = events_of(client.get(url))

    assert set(after) == set(before)
    moved = after[commitment_uid(network.meetings)]
    assert moved.decoded("DTSTART") == later
    assert moved.decoded("DTEND") == later + datetime.timedelta(days=1)
    assert [event.decoded("DTSTART") for event in after.values()].count(later) == 1


def test_a_commitment_that_closes_leaves_the_feed(client, network):
    network.meetings.change_status(Status.COMPLETED, user=network.focal_point)

    events = events_of(client.get(feed_url(network.focal_point)))

    assert commitment_uid(network.meetings) not in events
    assert commitment_uid(network.panels) in events


def test_summaries_are_in_the_users_language(client, network):
    network.focal_point.language = "fr"
    network.focal_point.save(update_fields=["language"])

    response = client.get(feed_url(network.focal_point), HTTP_ACCEPT_LANGUAGE="en")

    meetings = events_of(response)[commitment_uid(network.meetings)]
    with translation.override("fr"):
        summary = gettext("Commitment %(number)s due: %(title)s (%(champion)s)") % {
            "number": 1,
            "title": "Hold meetings with women staff",
            "champion": "Chidi Champion",
        }
    assert str(meetings["SUMMARY"]) == summary
    assert "4 réunions" in str(meetings["DESCRIPTION"])  # the target, as the model words it
    assert response["Content-Language"] == "fr"


def test_the_office_feed_holds_every_active_champions_commitments(client, network):
    events = events_of(client.get(feed_url(network.office_member)))

    year = network.today.year
    assert set(events) == {
        commitment_uid(network.meetings),
        commitment_uid(network.panels),
        commitment_uid(network.other),
        *cycle_uids(year),
        *cycle_uids(year + 1),
    }
    other = events[commitment_uid(network.other)]
    assert str(other["URL"]) == f"{SITE}/dashboard/commitments/{network.other.pk}/"
    assert str(other["SUMMARY"]).endswith("(Olga Other)")
    assert str(events[f"cycle-{year}-report-due@{HOST}"]["URL"]) == f"{SITE}/reports/{year}/"
    assert (
        str(events[f"cycle-{year}-commitments-due@{HOST}"]["URL"]) == f"{SITE}/dashboard/review/?cycle={year}"
    )


def test_the_office_feed_narrows_to_one_hub_with_the_dashboards_parameter(client, network):
    url = feed_url(network.office_member)

    response = client.get(url, {"hub": network.vienna.pk})

    events = events_of(response)
    assert commitment_uid(network.other) in events
    assert commitment_uid(network.meetings) not in events
    assert (
        str(Calendar.from_ical(response.content)["X-WR-CALNAME"]) == "Gender Champions: deadlines in Vienna"
    )


@pytest.mark.parametrize("hub", ["999999", "Geneva", ""])
def test_the_office_feed_ignores_an_unknown_hub(client, network, hub):
    events = events_of(client.get(feed_url(network.office_member), {"hub": hub}))

    assert {commitment_uid(network.meetings), commitment_uid(network.other)} <= set(events)


def test_a_hub_does_not_widen_a_focal_points_feed(client, network):
    events = events_of(client.get(feed_url(network.focal_point), {"hub": network.vienna.pk}))

    assert commitment_uid(network.other) not in events
    assert commitment_uid(network.meetings) in events


def test_the_feed_needs_no_session_and_sets_no_cookie(client, network):
    response = client.get(feed_url(network.focal_point))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    assert not response.cookies
    assert Session.objects.count() == 0


def test_a_signed_in_visitor_gets_the_tokens_feed_not_their_own(client, network):
    client.force_login(network.office_member)

    events = events_of(client.get(feed_url(network.focal_point)))

    assert commitment_uid(network.other) not in events


@pytest.mark.parametrize("token", ["not-a-valid-token", ""])
def test_a_wrong_token_is_not_found(client, network, token):
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_a_deactivated_users_token_is_not_found(client, network):
    url = feed_url(network.focal_point)
    network.focal_point.is_active = False
    network.focal_point.save(update_fields=["is_active"])

    assert client.get(url).status_code == 404


def test_replacing_the_token_stops_the_old_address(client, network):
    user = network.focal_point
    old_url = feed_url(user)
    client.force_login(user)

    response = client.post("/accounts/preferences/calendar/replace/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/preferences/#calendar"
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "Your calendar feed has a new address: the old one no longer works. "
        "Subscribe to the new one in your calendar app."
    ]
    new_url = feed_url(user)
    assert new_url != old_url
    client.logout()
    assert client.get(old_url).status_code == 404
    assert commitment_uid(network.meetings) in events_of(client.get(new_url))


def test_replacing_the_token_takes_a_post_from_a_signed_in_user(client, network):
    token = network.focal_point.calendar_token

    assert client.post("/accounts/preferences/calendar/replace/").status_code == 302  # to sign in
    client.force_login(network.focal_point)
    assert client.get("/accounts/preferences/calendar/replace/").status_code == 405
    network.focal_point.refresh_from_db()
    assert network.focal_point.calendar_token == token


def test_the_preferences_page_shows_the_feeds_address_and_still_saves_preferences(client, network):
    user = network.focal_point
    client.force_login(user)

    page = client.get("/accounts/preferences/").content.decode()

    assert f'value="{SITE}{feed_url(user)}"' in page
    assert f'href="webcal://{HOST}{feed_url(user)}"' in page
    assert 'action="/accounts/preferences/calendar/replace/"' in page
    for app in ("Outlook", "Google Calendar", "Apple Calendar"):
        assert app in page
    response = client.post(
        "/accounts/preferences/",
        {"full_name": "Fiona F.", "language": "en", "reminder_emails": "on", "reminder_frequency": "weekly"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.full_name == "Fiona F."


def test_the_token_is_never_logged(client, network, caplog):
    url = feed_url(network.focal_point)
    token = network.focal_point.calendar_token

    with caplog.at_level(logging.DEBUG):
        assert client.get(url).status_code == 200

    assert caplog.records  # the request's own line
    for record in caplog.records:
        assert token not in record.getMessage()
        assert token not in str(vars(record))


def add_champions(count, cycle, hub):
    """`count` champions, each with five approved, open commitments (inserted in bulk)."""
    champions = ChampionFactory.create_batch(count, hub=hub)
    Commitment.objects.bulk_create(
        [
            Commitment(
                champion=champion,
                cycle=cycle,
                number=number,
                text=f"Commitment {number}",
                title=f"Commitment {number}",
                target_kind=TargetKind.COUNT,
                target_value=4,
                due_on=cycle.ends_on,
            )
            for champion in champions
            for number in range(1, 6)
        ]
    )


def feed_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries), len(events_of(response))


def test_a_feed_takes_the_same_queries_at_any_size(client, network):
    focal_url, office_url = feed_url(network.focal_point), feed_url(network.office_member)
    small = feed_queries(client, focal_url), feed_queries(client, office_url)

    add_champions(20, network.cycle, network.geneva)
    for champion in network.geneva.champions.exclude(pk=network.champion.pk):
        champion.focal_points.add(network.focal_point)
    large = feed_queries(client, focal_url), feed_queries(client, office_url)

    assert [events for _, events in large] == [events + 100 for _, events in small]
    assert [queries for queries, _ in large] == [queries for queries, _ in small]


@pytest.mark.parametrize("who", ["focal_point", "office_member"])
def test_a_feed_is_built_from_two_queries(network, who, django_assert_num_queries):
    add_champions(5, network.cycle, network.geneva)
    feed = CalendarFeed(getattr(network, who))  # knows whose feed it is: the office or not

    with django_assert_num_queries(2):
        feed.to_ical()


def test_long_lines_are_folded_at_75_octets_without_splitting_a_character():
    line = "SUMMARY:" + "é" * 50 + "\\n" + "x" * 100

    folded = _folded(line)

    assert folded.endswith("\r\n")
    parts = folded.removesuffix("\r\n").split("\r\n ")
    assert all(len(part.encode()) <= 75 for part in parts)
    assert not any(part.endswith("\\") for part in parts)
    assert "".join(parts) == line


def test_a_wrong_tokens_404_is_logged_without_the_token(client, db, caplog):
    import logging

    secret = "not-a-token-but-it-looks-like-one-1234567890"
    with caplog.at_level(logging.WARNING):
        assert client.get(f"/calendar/{secret}.ics").status_code == 404
    assert "/calendar/[token].ics" in caplog.text
    assert secret not in caplog.text
