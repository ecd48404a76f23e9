"""People before accounts: nobody is reminded, nor has a feed, before choosing a password through
their invitation; a champion who leaves (made inactive) stops their reminders and feeds at once,
and keeps their history on the office's pages."""

import datetime

import pytest
from django.test import Client

from accounts.models import DeliveryState, Email
from accounts.tests.factories import ImportedPersonFactory, OfficeMemberFactory, UserFactory
from accounts.tests.helpers import accept, invitation_link, invited
from accounts.tests.smtp import sending_to_smtp_server
from champions.tests.factories import ChampionFactory
from commitments.tests.factories import CommitmentFactory, CycleFactory
from config.tests.helpers import at_eight
from reminders import delivery
from reminders.models import Reminder
from reminders.tests.helpers import run_day

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 3, 2)


@pytest.fixture
def imported():
    """A champion and focal point as the network import makes them (no password), with a commitment
    due in 40 days."""
    focal_point = ImportedPersonFactory(email="fatou@example.org", full_name="Fatou Focal")
    champion = ChampionFactory(
        user=ImportedPersonFactory(email="chidi@example.org"), full_name="Chidi", focal_points=[focal_point]
    )
    return CommitmentFactory(
        champion=champion, cycle=CycleFactory(year=2026), number=1, due_on=START + datetime.timedelta(days=40)
    )


@pytest.fixture
def signed_in():
    """A champion and focal point who can sign in, with a commitment due in 40 days."""
    champion = ChampionFactory(full_name="Chidi", focal_points=[UserFactory(email="fiona@example.org")])
    return CommitmentFactory(
        champion=champion, cycle=CycleFactory(year=2026), number=1, due_on=START + datetime.timedelta(days=40)
    )


def _feed(user):
    user.refresh_from_db()
    return Client().get(f"/calendar/{user.calendar_token}.ics")


def test_an_imported_focal_point_is_reminded_only_once_they_have_accepted_their_invitation(
    imported, settings
):
    focal_point = imported.champion.focal_points.get()
    with sending_to_smtp_server(settings) as smtp:
        run_day(imported.due_on - datetime.timedelta(days=30))
        assert smtp.messages == []
        assert {(reminder.state, reminder.last_error) for reminder in Reminder.objects.all()} == {
            (DeliveryState.FAILED, "No recipient: nobody active wants reminder emails.")
        }

        invited(focal_point)
        assert accept(Client(), invitation_link(Email.objects.get().text_body)).status_code == 302
        run_day(imported.due_on - datetime.timedelta(days=7))

    # The focal point now; the champion, never invited, still nothing.
    assert smtp.addressees() == ["fatou@example.org"]
    assert "1 due soon" in smtp.received()[0]["Subject"]


def test_a_message_to_someone_whose_password_was_made_unusable_is_not_sent(signed_in, settings):
    focal_point = signed_in.champion.focal_points.get()
    with at_eight(signed_in.due_on - datetime.timedelta(days=7)), sending_to_smtp_server(settings) as smtp:
        messages = delivery.sweep()
        focal_point.set_unusable_password()
        focal_point.save(update_fields=["password"])
        outcomes = sorted(delivery.deliver(pk).state for pk in messages)

    assert outcomes == ["dropped", DeliveryState.SENT]
    assert smtp.addressees() == [signed_in.champion.user.email]


def test_deactivating_a_champion_stops_their_pending_reminders_at_once(signed_in, settings):
    champion = signed_in.champion
    with at_eight(signed_in.due_on - datetime.timedelta(days=7)), sending_to_smtp_server(settings) as smtp:
        messages = delivery.sweep()
        assert len(messages) == 2  # the champion's and the focal point's, pending
        champion.is_active = False
        champion.save(update_fields=["is_active"])
        outcomes = [delivery.deliver(pk).state for pk in messages]

    assert outcomes == ["dropped", "dropped"]
    assert smtp.messages == []
    run_day(signed_in.due_on - datetime.timedelta(days=1))
    assert not Reminder.objects.filter(state=DeliveryState.SENT).exists()


def test_deactivating_a_champion_stops_their_feeds_and_keeps_their_history_for_the_office(signed_in):
    champion = signed_in.champion
    focal_point = champion.focal_points.get()
    other = CommitmentFactory(champion=ChampionFactory(focal_points=[focal_point]), cycle=signed_in.cycle)
    assert _feed(champion.user).status_code == 200
    assert f"commitment-{signed_in.pk}@".encode() in _feed(focal_point).content

    champion.is_active = False
    champion.save(update_fields=["is_active"])

    assert _feed(champion.user).status_code == 404  # serves no active champion
    focal_feed = _feed(focal_point)
    assert f"commitment-{other.pk}@".encode() in focal_feed.content
    assert f"commitment-{signed_in.pk}@".encode() not in focal_feed.content
    office = Client()
    office.force_login(OfficeMemberFactory())
    for url in (f"/dashboard/champions/{champion.pk}/?cycle=2026", f"/dashboard/commitments/{signed_in.pk}/"):
        page = office.get(url)
        assert page.status_code == 200, url
        assert signed_in.title in page.content.decode()


def test_someone_without_a_password_has_no_feed_until_they_accept(imported):
    focal_point = imported.champion.focal_points.get()
    assert _feed(focal_point).status_code == 404

    accept(Client(), f"/accounts/invitation/{invited(focal_point).token}/")

    assert _feed(focal_point).status_code == 200
