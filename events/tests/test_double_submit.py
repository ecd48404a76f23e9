import threading
import uuid

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from events.models import ProgressEvent


def _form(**extra):
    return {
        "kind": "meeting",
        "occurred_on": timezone.localdate().isoformat(),
        "title": "Town hall",
        "women_count": 12,
        "men_count": 3,
        **extra,
    }


def test_the_log_form_carries_a_fresh_submission_key(client, cast):
    client.force_login(cast.focal_point)
    url = f"/commitments/{cast.commitment.pk}/log/"
    first = client.get(url).context["form"]["submission_key"].value()
    second = client.get(url).context["form"]["submission_key"].value()
    assert first and second and first != second
    assert 'type="hidden" name="submission_key"' in client.get(url).content.decode()


def test_the_same_form_posted_twice_saves_one_event(client, cast):
    client.force_login(cast.focal_point)
    url = f"/commitments/{cast.commitment.pk}/log/"
    data = _form(submission_key=str(uuid.uuid4()))
    assert client.post(url, data).status_code == 302
    again = client.post(url, data, follow=True)
    assert ProgressEvent.objects.count() == 1
    assert "This progress was already saved." in again.content.decode()
    cast.commitment.refresh_from_db()
    assert cast.commitment.counted_events == 1


def test_two_forms_save_two_events(client, cast):
    client.force_login(cast.focal_point)
    url = f"/commitments/{cast.commitment.pk}/log/"
    client.post(url, _form(submission_key=str(uuid.uuid4())))
    client.post(url, _form(submission_key=str(uuid.uuid4())))
    assert ProgressEvent.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_double_submit_racing_on_two_connections_saves_one_event(cast):
    if connection.vendor != "postgresql":
        pytest.skip("racing requests need PostgreSQL (SQLite serialises writers)")
    url = f"/commitments/{cast.commitment.pk}/log/"
    data = _form(submission_key=str(uuid.uuid4()))
    barrier = threading.Barrier(2)
    statuses = []

    def post():
        client = Client()
        client.force_login(cast.focal_point)
        barrier.wait()
        try:
            statuses.append(client.post(url, data).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert statuses == [302, 302]
    assert ProgressEvent.objects.count() == 1
    cast.commitment.refresh_from_db()
    assert cast.commitment.counted_events == 1
