"""The champion's side is asked to confirm or correct a status its measured progress contradicts."""

import pytest
from django.test import Client

from commitments.models import Commitment, Status, StatusChange

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def completed_at_zero(cast):
    """The cast's commitment (4 meetings, none logged) marked completed."""
    cast.commitment.change_status(Status.COMPLETED, cast.champion_user)
    return cast.commitment


def test_the_commitment_page_asks_to_keep_or_change_the_status(cast, completed_at_zero):
    page = _client(cast.focal_point).get(f"/commitments/{completed_at_zero.pk}/").content.decode()
    assert 'data-testid="status-check"' in page
    assert "The status says “Completed”, but measured progress is 0% (0 of 4 meetings)" in page
    assert f'action="/commitments/{completed_at_zero.pk}/status/keep/"' in page
    assert f'href="/commitments/{completed_at_zero.pk}/status/"' in page


def test_a_status_that_agrees_asks_nothing(cast):
    page = _client(cast.focal_point).get(f"/commitments/{cast.commitment.pk}/").content.decode()
    assert 'data-testid="status-check"' not in page


def test_keeping_the_status_records_it_and_clears_the_question(cast, completed_at_zero):
    client = _client(cast.focal_point)
    response = client.post(
        f"/commitments/{completed_at_zero.pk}/status/keep/", {"comment": "Done in a way not counted."}
    )
    assert response.status_code == 302
    kept = StatusChange.objects.filter(commitment=completed_at_zero).first()
    assert (kept.old_status, kept.new_status, kept.comment, kept.changed_by) == (
        Status.COMPLETED,
        Status.COMPLETED,
        "Done in a way not counted.",
        cast.focal_point,
    )
    page = client.get(f"/commitments/{completed_at_zero.pk}/").content.decode()
    assert 'data-testid="status-check"' not in page
    assert "Completed, kept" in page
    assert not Commitment.objects.status_disagreeing().filter(pk=completed_at_zero.pk).exists()


def test_changing_the_status_from_its_page(cast, completed_at_zero):
    client = _client(cast.champion_user)
    form = client.get(f"/commitments/{completed_at_zero.pk}/status/")
    assert form.status_code == 200
    assert 'name="status"' in form.content.decode()
    response = client.post(
        f"/commitments/{completed_at_zero.pk}/status/", {"status": "in_progress", "comment": "Not yet."}
    )
    assert response.status_code == 302
    completed_at_zero.refresh_from_db()
    assert completed_at_zero.status == Status.IN_PROGRESS
    assert (
        'data-testid="status-check"'
        not in client.get(f"/commitments/{completed_at_zero.pk}/").content.decode()
    )


def test_a_bad_status_is_a_form_error(cast, completed_at_zero):
    response = _client(cast.champion_user).post(
        f"/commitments/{completed_at_zero.pk}/status/", {"status": "done"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["status"]
    completed_at_zero.refresh_from_db()
    assert completed_at_zero.status == Status.COMPLETED


def test_nobody_else_keeps_or_changes_the_status(cast, completed_at_zero):
    for user in (cast.other_focal_point, cast.office_member):
        client = _client(user)
        assert client.post(f"/commitments/{completed_at_zero.pk}/status/keep/").status_code == 404
        assert (
            client.post(f"/commitments/{completed_at_zero.pk}/status/", {"status": "on_track"}).status_code
            == 404
        )
    completed_at_zero.refresh_from_db()
    assert completed_at_zero.status_confirmed == ""
    assert completed_at_zero.status == Status.COMPLETED
