"""Submitting commitments asks first: the button's POST shows what will be sent and changes nothing;
the confirmation page's POST (confirm=1) submits. Deleting a draft too."""

import pytest
from django.test import Client

from commitments.models import Approval
from commitments.tests.factories import CommitmentFactory, CycleFactory

pytestmark = pytest.mark.django_db

YEAR = 2027


@pytest.fixture
def drafts(cast):
    cycle = CycleFactory(year=YEAR)
    return [
        CommitmentFactory(champion=cast.champion, cycle=cycle, number=number, approval=Approval.DRAFT,
                          title=f"Draft number {number}")
        for number in (1, 2)
    ]  # fmt: skip


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _approvals(drafts):
    return [type(drafts[0]).objects.get(pk=draft.pk).approval for draft in drafts]


def test_it_shows_what_will_be_submitted_and_submits_nothing_until_confirmed(cast, drafts):
    client = _client(cast.focal_point)
    url = f"/cycles/{YEAR}/champions/{cast.champion.pk}/submit/"
    response = client.post(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Submit Chidi Champion's 2 commitments for 2027 for the office's review?" in page
    assert "Draft number 1" in page and "Draft number 2" in page
    assert 'name="confirm" value="1"' in page
    assert f'href="/cycles/{YEAR}/commitments/"' in page  # Cancel: back, nothing changed
    assert _approvals(drafts) == [Approval.DRAFT, Approval.DRAFT]
    assert not drafts[0].approval_changes.exists()

    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 302
    assert _approvals(drafts) == [Approval.SUBMITTED, Approval.SUBMITTED]


def test_submitting_one_again_asks_first_too(cast, drafts):
    returned = drafts[1]
    returned.submit(cast.focal_point)
    returned.return_for_changes(cast.office_member, "Say which panels count.")
    client = _client(cast.focal_point)
    url = f"/cycles/{YEAR}/commitments/{returned.pk}/submit/"
    response = client.post(url)
    assert response.status_code == 200
    assert "Submit Chidi Champion's 2027 commitment for the office's review?" in response.content.decode()
    returned.refresh_from_db()
    assert returned.approval == Approval.RETURNED
    assert client.post(url, {"confirm": "1"}).status_code == 302
    returned.refresh_from_db()
    assert returned.approval == Approval.SUBMITTED
    assert _approvals(drafts)[0] == Approval.DRAFT  # only the one asked for


def test_nothing_to_submit_needs_no_confirmation(cast, drafts):
    for draft in drafts:
        draft.submit(cast.focal_point)
    response = _client(cast.focal_point).post(
        f"/cycles/{YEAR}/champions/{cast.champion.pk}/submit/", follow=True
    )
    assert "There was nothing to submit." in response.content.decode()


def test_deleting_a_draft_asks_first(cast, drafts):
    client = _client(cast.focal_point)
    url = f"/cycles/{YEAR}/commitments/{drafts[0].pk}/delete/"
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 200
        assert "Delete the draft “Draft number 1”?" in response.content.decode()
    assert type(drafts[0]).objects.filter(pk=drafts[0].pk).exists()
    assert client.post(url, {"confirm": "1"}).status_code == 302
    assert not type(drafts[0]).objects.filter(pk=drafts[0].pk).exists()
