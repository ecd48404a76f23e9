"""Deleting an event or a value asks first: the Delete link (GET) or a POST without confirm=1 shows
what will be removed and removes nothing; the confirmation page's POST (confirm=1) deletes."""

from decimal import Decimal

import pytest

from events.models import CheckIn, ProgressEvent
from events.tests.factories import CheckInFactory, ProgressEventFactory

pytestmark = pytest.mark.django_db


def test_deleting_an_event_asks_first(client, cast):
    event = ProgressEventFactory(commitment=cast.commitment, title="Town hall in Bunia")
    client.force_login(cast.champion_user)
    url = f"/events/{event.pk}/delete/"
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 200
        page = response.content.decode()
        assert "Delete “Town hall in Bunia”?" in page
        assert 'name="confirm" value="1"' in page
        assert f'href="/commitments/{cast.commitment.pk}/"' in page  # Keep it
    assert ProgressEvent.objects.filter(pk=event.pk).exists()
    assert client.post(url, {"confirm": "1"}).status_code == 302
    assert not ProgressEvent.objects.filter(pk=event.pk).exists()


def test_deleting_a_value_asks_first(client, cast, pay_gap):
    check_in = CheckInFactory(commitment=pay_gap, value=Decimal(11))
    client.force_login(cast.champion_user)
    url = f"/check-ins/{check_in.pk}/delete/"
    response = client.post(url)
    assert response.status_code == 200 and 'name="confirm" value="1"' in response.content.decode()
    assert CheckIn.objects.filter(pk=check_in.pk).exists()
    assert client.post(url, {"confirm": "1"}).status_code == 302
    assert not CheckIn.objects.exists()
