"""Signing the report off asks first: the button's POST shows what will happen and changes nothing;
the confirmation page's POST (confirm=1) submits. What cannot be signed off is said at once."""

import datetime

import pytest
import time_machine
from django.test import Client

from reports.models import Report
from reports.tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db

YEAR = 2031


@pytest.fixture
def commitment(cast):
    """The cast's commitment, in this year's cycle (YEAR, as the clock is in its assessment window)."""
    assert cast.commitment.cycle.year == YEAR
    return cast.commitment


@pytest.fixture(autouse=True)
def _in_the_window():
    with time_machine.travel(datetime.datetime(YEAR, 12, 20, 12, tzinfo=datetime.UTC), tick=False):
        yield


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _url(cast):
    return f"/reports/{YEAR}/champions/{cast.champion.pk}/submit/"


def test_it_asks_before_signing_off_and_signs_off_once_confirmed(cast, commitment):
    AssessmentFactory(commitment=commitment)
    client = _client(cast.champion_user)
    response = client.post(_url(cast))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Sign off and submit your {YEAR} report?" in page
    assert f'href="/reports/{YEAR}/champions/{cast.champion.pk}/"' in page
    assert not Report.objects.get().is_submitted
    assert not Report.objects.get().steps.exists()

    assert client.post(_url(cast), {"confirm": "1"}).status_code == 302
    report = Report.objects.get()
    assert report.is_submitted and report.submitted_by == cast.champion_user


@pytest.mark.parametrize(
    "who, assessed, error",
    [
        ("champion_user", False, "Assess every commitment before submitting the report."),
        ("focal_point", True, "Only the champion signs off the report."),
    ],
)
def test_what_cannot_be_signed_off_is_refused_without_asking(cast, commitment, who, assessed, error):
    if assessed:
        AssessmentFactory(commitment=commitment)
    response = _client(getattr(cast, who)).post(_url(cast), follow=True)
    assert [str(message) for message in response.context["messages"]] == [error]
    assert "Sign off and submit your" not in response.content.decode()
    assert not Report.objects.get().is_submitted
