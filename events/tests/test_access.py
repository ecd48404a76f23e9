"""Who may see and log on a commitment: its champion and their focal points; everybody else gets 404."""

import pytest
from django.core.files.base import ContentFile

from events.models import ProgressEvent
from events.tests.factories import ProgressEventFactory

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

ALLOWED = ["champion_user", "focal_point"]
REFUSED = ["other_champion_user", "other_focal_point", "office_member"]


def _user(cast, role):
    return cast.other_champion.user if role == "other_champion_user" else getattr(cast, role)


def _event(cast, logged_by=None):
    event = ProgressEventFactory(commitment=cast.commitment, logged_by=logged_by or cast.champion_user)
    event.evidence_file.save("agenda.pdf", ContentFile(PDF))
    return event


def _urls(cast, event):
    c = cast.commitment.pk
    return [
        f"/commitments/{c}/",
        f"/commitments/{c}/log/",
        f"/events/{event.pk}/edit/",
        f"/events/{event.pk}/delete/",
        f"/events/{event.pk}/evidence/",
    ]


@pytest.mark.parametrize("role", ALLOWED)
def test_it_lets_the_champion_and_focal_point_see_every_page(client, cast, role):
    event = _event(cast, logged_by=_user(cast, role))
    client.force_login(_user(cast, role))
    for url in _urls(cast, event):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", REFUSED)
def test_it_answers_404_to_everybody_else(client, cast, role):
    event = _event(cast)
    client.force_login(_user(cast, role))
    for url in _urls(cast, event):
        if role == "office_member" and url.endswith("/evidence/"):
            continue  # the office reads every event's evidence (test_it_lets_the_office_download_evidence)
        assert client.get(url).status_code == 404, url


def test_it_lets_the_office_download_evidence_and_nothing_more(client, cast):
    event = _event(cast)
    client.force_login(cast.office_member)
    response = client.get(f"/events/{event.pk}/evidence/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    # Still not the champion's pages to log on, edit or delete.
    for url in _urls(cast, event)[:-1]:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("role", REFUSED)
def test_it_answers_404_to_posts_from_everybody_else(client, cast, role):
    event = _event(cast)
    client.force_login(_user(cast, role))
    data = {
        "kind": "meeting",
        "occurred_on": event.occurred_on,
        "title": "Sneaky",
        "women_count": 1,
        "men_count": 1,
    }
    assert client.post(f"/commitments/{cast.commitment.pk}/log/", data).status_code == 404
    assert client.post(f"/events/{event.pk}/edit/", data).status_code == 404
    assert client.post(f"/events/{event.pk}/delete/", {"confirm": "1"}).status_code == 404
    assert ProgressEvent.objects.get() == event
    event.refresh_from_db()
    assert event.title != "Sneaky"


def test_it_answers_404_to_a_guessed_id(client, cast):
    client.force_login(cast.champion_user)
    assert client.get("/commitments/999999/").status_code == 404
    assert client.get("/events/999999/edit/").status_code == 404
    assert client.get("/events/999999/evidence/").status_code == 404


def test_it_sends_anonymous_visitors_to_sign_in(client, cast):
    event = _event(cast)
    for url in ["/", *_urls(cast, event), "/events/export.csv"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url


def test_it_lets_a_focal_point_edit_only_the_events_they_logged(client, cast):
    theirs = ProgressEventFactory(commitment=cast.commitment, logged_by=cast.focal_point)
    champions = ProgressEventFactory(commitment=cast.commitment, logged_by=cast.champion_user)
    client.force_login(cast.focal_point)
    assert client.get(f"/events/{theirs.pk}/edit/").status_code == 200
    assert client.get(f"/events/{champions.pk}/edit/").status_code == 404
    assert client.post(f"/events/{champions.pk}/delete/", {"confirm": "1"}).status_code == 404
    assert ProgressEvent.objects.filter(pk=champions.pk).exists()


def test_it_lets_the_champion_edit_any_event_on_their_commitments(client, cast):
    event = ProgressEventFactory(commitment=cast.commitment, logged_by=cast.focal_point)
    client.force_login(cast.champion_user)
    assert client.get(f"/events/{event.pk}/edit/").status_code == 200
    response = client.post(f"/events/{event.pk}/delete/", {"confirm": "1"})
    assert response.status_code == 302
    assert not ProgressEvent.objects.filter(pk=event.pk).exists()


def test_it_hides_edit_links_on_events_the_user_may_not_change(client, cast):
    event = ProgressEventFactory(commitment=cast.commitment, logged_by=cast.champion_user)
    client.force_login(cast.focal_point)
    page = client.get(f"/commitments/{cast.commitment.pk}/").content.decode()
    assert event.title in page
    assert f"/events/{event.pk}/edit/" not in page


def test_it_stops_access_when_a_focal_point_is_removed(client, cast):
    client.force_login(cast.focal_point)
    assert client.get(f"/commitments/{cast.commitment.pk}/").status_code == 200
    cast.champion.focal_points.remove(cast.focal_point)
    assert client.get(f"/commitments/{cast.commitment.pk}/").status_code == 404
