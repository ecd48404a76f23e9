"""Approving all of a champion's commitments asks first: the button's POST shows what will be
approved and changes nothing; the confirmation page's POST (confirm=1) approves."""

import pytest
from django.core import mail
from django.test import Client

from commitments.models import Approval
from commitments.tests.factories import CommitmentFactory, CycleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(cast):
    cycle = CycleFactory(year=2027)
    commitments = []
    for number in (1, 2):
        commitment = CommitmentFactory(
            champion=cast.champion, cycle=cycle, number=number, approval="draft", title=f"Set {number}"
        )
        commitment.submit(cast.focal_point)
        commitments.append(commitment)
    return commitments


def _approvals(commitments):
    return {type(c).objects.get(pk=c.pk).approval for c in commitments}


def test_it_shows_what_will_be_approved_and_approves_nothing_until_confirmed(
    cast, submitted, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    client = Client()
    client.force_login(cast.office_member)
    url = f"/dashboard/review/2027/champions/{cast.champion.pk}/approve/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"page": "2"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Approve all 2 of Chidi Champion's commitments for 2027?" in page
    assert "Set 1" in page and "Set 2" in page
    assert '<input type="hidden" name="page" value="2">' in page  # back to the same page of the list
    assert 'href="/dashboard/review/?cycle=2027&amp;page=2"' in page
    assert _approvals(submitted) == {Approval.SUBMITTED}
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"page": "2", "confirm": "1"})
    assert response["Location"] == "/dashboard/review/?cycle=2027&page=2"
    assert _approvals(submitted) == {Approval.APPROVED}
    assert len(mail.outbox) == 2  # the champion and the focal point
