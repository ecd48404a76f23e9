import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.tests.factories import PanelFactory, ProgressEventFactory


def test_it_shows_the_commitment_progress_and_timeline_newest_first(client, cast):
    older = ProgressEventFactory(
        commitment=cast.commitment, title="Older meeting", occurred_on=cast.cycle.starts_on
    )
    newer = PanelFactory(
        commitment=cast.commitment,
        title="Newer panel",
        occurred_on=cast.cycle.starts_on.replace(day=20),
        logged_by=cast.focal_point,
        evidence_url="https://example.org/agenda",
    )
    client.force_login(cast.champion_user)
    page = client.get(f"/commitments/{cast.commitment.pk}/").content.decode()
    assert page.index(newer.title) < page.index(older.title)
    assert cast.commitment.description in page
    assert "1 of 4 meetings" in page
    assert "Speakers: women 2, men 2" in page
    assert "Logged by Fiona Focal" in page
    assert 'href="https://example.org/agenda"' in page
    assert f"<title>Commitment {cast.commitment.number}:" in page


def test_it_shows_the_status_history(client, cast):
    cast.commitment.change_status("on_track", cast.focal_point, "Meetings scheduled")
    client.force_login(cast.champion_user)
    page = client.get(f"/commitments/{cast.commitment.pk}/").content.decode()
    assert "Not started → On track" in page
    assert "Meetings scheduled" in page


def test_it_has_an_empty_state(client, cast):
    client.force_login(cast.champion_user)
    assert "Nothing logged yet" in client.get(f"/commitments/{cast.commitment.pk}/").content.decode()


def test_it_paginates_a_long_timeline(client, cast):
    ProgressEventFactory.create_batch(25, commitment=cast.commitment)
    client.force_login(cast.champion_user)
    first = client.get(f"/commitments/{cast.commitment.pk}/")
    assert first.content.decode().count('data-testid="event"') == 20
    second = client.get(f"/commitments/{cast.commitment.pk}/?page=2")
    assert second.content.decode().count('data-testid="event"') == 5
    assert client.get(f"/commitments/{cast.commitment.pk}/?page=junk").status_code == 200


def _queries(client, url):
    client.get(
        url
    )  # A session's first request saves it (its activity: accounts.middleware); the count is of the next.
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["champion_user", "focal_point"])
def test_it_costs_the_same_queries_with_3_and_30_events(client, cast, role):
    client.force_login(getattr(cast, role))
    url = f"/commitments/{cast.commitment.pk}/"
    ProgressEventFactory.create_batch(3, commitment=cast.commitment, logged_by=cast.focal_point)
    cast.commitment.change_status("in_progress", cast.focal_point)
    few = _queries(client, url)
    ProgressEventFactory.create_batch(27, commitment=cast.commitment, logged_by=cast.champion_user)
    for status in ("on_track", "at_risk", "on_track"):
        cast.commitment.change_status(status, cast.champion_user)
    many = _queries(client, url)
    # session, user, commitment, event count, event page, status history, approval steps, the
    # commitments continuing it, the office-group check for the menu, its categories, its comments;
    # a savepoint pair
    assert few == many == 13
