"""Copying all of last year's unfinished commitments into drafts, in one action on the setting page."""

import pytest
from django.test import Client

from commitments.models import Approval, Commitment, Status
from commitments.tests.factories import CommitmentFactory, CycleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def next_cycle(cast):
    return CycleFactory(year=cast.cycle.year + 1)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _url(cycle, champion):
    return f"/cycles/{cycle.year}/champions/{champion.pk}/carry/"


@pytest.fixture
def unfinished(cast):
    """The champion's commitments of the current cycle: 1 (the cast's), 2 and 4 unfinished, 3 completed."""
    CommitmentFactory(champion=cast.champion, cycle=cast.cycle, number=3, status=Status.COMPLETED)
    two = CommitmentFactory(champion=cast.champion, cycle=cast.cycle, number=2, categories=["gbv"])
    four = CommitmentFactory(champion=cast.champion, cycle=cast.cycle, number=4, status=Status.AT_RISK)
    CommitmentFactory(champion=cast.champion, cycle=cast.cycle, number=5, approval=Approval.DRAFT)
    return [cast.commitment, two, four]


def test_the_setting_page_offers_to_copy_all_unfinished(cast, next_cycle, unfinished):
    page = _client(cast.focal_point).get(f"/cycles/{next_cycle.year}/commitments/").content.decode()
    assert _url(next_cycle, cast.champion) in page
    assert f"Copy all unfinished from {cast.cycle.year}" in page


def test_the_confirmation_page_lists_what_will_be_copied_and_changes_nothing(cast, next_cycle, unfinished):
    response = _client(cast.focal_point).get(_url(next_cycle, cast.champion))
    assert response.status_code == 200
    assert [old.number for old in response.context["to_copy"]] == [1, 2, 4]
    assert response.context["not_fitting"] == []
    assert 'method="post"' in response.content.decode()
    assert not next_cycle.commitments.exists()


def test_one_post_copies_every_unfinished_commitment_as_numbered_drafts(cast, next_cycle, unfinished):
    response = _client(cast.focal_point).post(_url(next_cycle, cast.champion))
    assert response.status_code == 302
    drafts = list(next_cycle.commitments.order_by("number"))
    assert [(draft.number, draft.carried_from, draft.approval) for draft in drafts] == [
        (1, unfinished[0], Approval.DRAFT),
        (2, unfinished[1], Approval.DRAFT),
        (3, unfinished[2], Approval.DRAFT),
    ]
    assert drafts[1].text == unfinished[1].text
    assert [category.slug for category in drafts[1].categories.all()] == ["gbv"]
    assert drafts[0].due_on == next_cycle.ends_on
    messages = [str(message) for message in response.wsgi_request._messages]
    assert messages == [
        f"Copied 3 unfinished commitments from {cast.cycle.year} into drafts: review them, then submit them."
    ]


def test_repeating_it_copies_nothing_twice(cast, next_cycle, unfinished):
    client = _client(cast.focal_point)
    client.post(_url(next_cycle, cast.champion), follow=True)
    response = client.post(_url(next_cycle, cast.champion))
    assert next_cycle.commitments.count() == 3
    assert [str(message) for message in response.wsgi_request._messages] == [
        "There was nothing left to copy."
    ]
    # Nor does the single copy of one of them.
    client.post(f"/cycles/{next_cycle.year}/commitments/{unfinished[0].pk}/carry/")
    assert next_cycle.commitments.count() == 3


def test_it_copies_up_to_the_maximum_and_names_those_left_out(cast, next_cycle, unfinished):
    for number in (1, 2, 4):
        CommitmentFactory(champion=cast.champion, cycle=next_cycle, number=number, approval=Approval.DRAFT)
    client = _client(cast.champion_user)
    confirm = client.get(_url(next_cycle, cast.champion))
    assert [old.number for old in confirm.context["to_copy"]] == [1, 2]
    assert [old.number for old in confirm.context["not_fitting"]] == [4]

    response = client.post(_url(next_cycle, cast.champion))
    copied = next_cycle.commitments.exclude(carried_from=None).order_by("number")
    assert [(draft.number, draft.carried_from) for draft in copied] == [
        (3, unfinished[0]),
        (5, unfinished[1]),
    ]
    messages = [str(message) for message in response.wsgi_request._messages]
    assert f"allows at most 5 commitments: 4. {unfinished[2].title}." in messages[1]


def test_carry_into_says_which_were_carried_already(cast, next_cycle, unfinished):
    Commitment.objects.filter(pk=unfinished[0].pk).carry_into(next_cycle)
    carried = Commitment.objects.filter(pk__in=[old.pk for old in unfinished]).carry_into(next_cycle)
    assert carried.already_carried == [unfinished[0]]
    assert [draft.carried_from for draft in carried.copied] == unfinished[1:]
    assert Commitment.objects.to_carry_into(next_cycle).filter(champion=cast.champion).count() == 0


def test_nobody_copies_another_champions_commitments(cast, next_cycle, unfinished):
    client = _client(cast.other_champion.user)
    assert client.get(_url(next_cycle, cast.champion)).status_code == 404
    assert client.post(_url(next_cycle, cast.champion)).status_code == 404
    assert not next_cycle.commitments.exists()


def test_a_closed_cycle_copies_nothing(cast, next_cycle, unfinished):
    next_cycle.is_closed = True
    next_cycle.save()
    assert _client(cast.champion_user).post(_url(next_cycle, cast.champion)).status_code == 404
    assert not next_cycle.commitments.exists()
