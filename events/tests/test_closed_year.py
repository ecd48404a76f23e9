"""A closed cycle's commitments are read-only to the champion's side: no progress logged, no event
edited or deleted; the commitment page says once that the year is closed; the office still sees it
all; reopening the cycle gives the champion's side its rights back."""

import pytest
from django.http import Http404

from events.models import ProgressEvent
from events.tests.factories import ProgressEventFactory
from events.views import _get_commitment_for_user

CLOSED = "cycle is closed and kept as history: it can no longer be changed."


def _close(cycle, closed=True):
    cycle.is_closed = closed
    cycle.save()


@pytest.fixture
def event(cast):
    """Progress logged by the focal point, then the cycle closed."""
    event = ProgressEventFactory(commitment=cast.commitment, logged_by=cast.focal_point, title="Town hall")
    _close(cast.cycle)
    return event


def _as(client, user):
    client.force_login(user)
    return client


def _meeting(cast):
    return {
        "kind": "meeting",
        "scope": "hq",
        "occurred_on": cast.cycle.starts_on.isoformat(),
        "title": "Another town hall",
        "women_count": 10,
        "men_count": 2,
    }


@pytest.mark.parametrize("who", ["champion_user", "focal_point"])
def test_the_commitment_page_says_once_the_year_is_closed_and_offers_no_change(client, cast, event, who):
    page = _as(client, getattr(cast, who)).get(f"/commitments/{cast.commitment.pk}/").content.decode()
    assert page.count('data-testid="closed-year"') == 1
    assert f"The {cast.cycle.year} {CLOSED}" in page
    assert "Town hall" in page
    for link in (
        f"/commitments/{cast.commitment.pk}/log/",
        f"/events/{event.pk}/edit/",
        f"/events/{event.pk}/delete/",
    ):
        assert link not in page


@pytest.mark.parametrize("who", ["champion_user", "focal_point"])
def test_the_champions_side_cannot_log_progress_in_a_closed_year(client, cast, event, who):
    client = _as(client, getattr(cast, who))
    url = f"/commitments/{cast.commitment.pk}/log/"
    assert client.get(url).status_code == 404
    assert client.post(url, _meeting(cast)).status_code == 404
    assert list(ProgressEvent.objects.all()) == [event]


@pytest.mark.parametrize("who", ["champion_user", "focal_point"])
def test_the_champions_side_cannot_edit_or_delete_an_event_of_a_closed_year(client, cast, event, who):
    client = _as(client, getattr(cast, who))
    for url in (f"/events/{event.pk}/edit/", f"/events/{event.pk}/delete/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/events/{event.pk}/edit/", _meeting(cast)).status_code == 404
    assert client.post(f"/events/{event.pk}/delete/", {"confirm": "1"}).status_code == 404
    event.refresh_from_db()
    assert event.title == "Town hall"


def test_the_rule_is_in_the_commitment_lookup_every_logging_view_uses(cast, event):
    """Check-ins and progress both log through _get_commitment_for_user(..., to_log=True)."""
    with pytest.raises(Http404, match=CLOSED):
        _get_commitment_for_user(cast.focal_point, cast.commitment.pk, to_log=True)
    assert _get_commitment_for_user(cast.focal_point, cast.commitment.pk) == cast.commitment


def test_the_office_still_sees_a_closed_years_commitment_and_its_events(client, cast, event):
    client = _as(client, cast.office_member)
    champion_page = client.get(f"/dashboard/champions/{cast.champion.pk}/?cycle={cast.cycle.year}")
    assert champion_page.status_code == 200
    assert cast.commitment.title in champion_page.content.decode()
    commitment_page = client.get(f"/dashboard/commitments/{cast.commitment.pk}/")
    assert commitment_page.status_code == 200
    assert "Town hall" in commitment_page.content.decode()


def test_reopening_the_cycle_gives_back_logging_editing_and_deleting(client, cast, event):
    _close(cast.cycle, False)
    client = _as(client, cast.focal_point)
    page = client.get(f"/commitments/{cast.commitment.pk}/").content.decode()
    assert 'data-testid="closed-year"' not in page
    assert f"/commitments/{cast.commitment.pk}/log/" in page and f"/events/{event.pk}/edit/" in page
    assert client.post(f"/commitments/{cast.commitment.pk}/log/", _meeting(cast)).status_code == 302
    assert client.get(f"/events/{event.pk}/edit/").status_code == 200
    assert client.post(f"/events/{event.pk}/delete/", {"confirm": "1"}).status_code == 302
    assert list(ProgressEvent.objects.values_list("title", flat=True)) == ["Another town hall"]
