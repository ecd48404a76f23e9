"""Did ambition rise? The office reviewing a returning champion's commitment sees last year's in the
same category: its target, what was measured, and a raised / same / lowered mark, on the review list
and on the commitment's page, in the same number of queries however many are listed."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from champions.tests.factories import ChampionFactory
from commitments.models import Approval
from commitments.tests.factories import CommitmentFactory, CycleFactory
from events.tests.factories import ProgressEventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def next_cycle(cast):
    return CycleFactory(year=cast.cycle.year + 1)


def submitted(champion, cycle, number, **fields):
    commitment = CommitmentFactory(
        champion=champion, cycle=cycle, number=number, approval=Approval.DRAFT, **fields
    )
    commitment.submit(champion.user)
    return commitment


@pytest.fixture
def returning(cast, next_cycle):
    """Chidi Champion had four meetings to hold in the cast's year, held three; next year six (raised),
    and a commitment in a category he did not have."""
    ProgressEventFactory.create_batch(3, commitment=cast.commitment)
    raised = submitted(cast.champion, next_cycle, 1, target_value=6)
    elsewhere = submitted(cast.champion, next_cycle, 2, categories=["gbv"])
    return raised, elsewhere


def office(cast):
    client = Client()
    client.force_login(cast.office_member)
    return client


def test_the_review_list_shows_last_years_target_measured_and_the_mark(cast, returning, next_cycle):
    raised, elsewhere = returning
    page = office(cast).get(f"/dashboard/review/?cycle={next_cycle.year}").content.decode()
    item = page.split(f'href="/dashboard/commitments/{raised.pk}/"')[1].split("</li>")[0]
    assert f"Last year ({cast.cycle.year})" in item
    assert '<span data-testid="last-year-target">4 meetings</span>' in item
    assert "75% (3 of 4 meetings)" in item
    assert "Ambition raised" in item and "text-bg-success" in item
    other = page.split(f'href="/dashboard/commitments/{elsewhere.pk}/"')[1].split("</li>")[0]
    assert "Not compared: no commitment in these categories last year." in other
    assert 'data-testid="ambition"' not in other


def test_the_commitment_page_shows_it_too_and_nothing_for_a_newcomer(cast, returning, next_cycle):
    raised, _ = returning
    client = office(cast)
    page = client.get(f"/dashboard/commitments/{raised.pk}/").content.decode()
    assert 'data-testid="last-year"' in page
    assert "Ambition raised" in page
    newcomer = submitted(ChampionFactory(), next_cycle, 1)
    assert (
        'data-testid="last-year"' not in client.get(f"/dashboard/commitments/{newcomer.pk}/").content.decode()
    )


def test_a_lowered_target_is_marked_lowered(cast, next_cycle):
    lowered = submitted(cast.champion, next_cycle, 1, target_value=2)
    page = office(cast).get(f"/dashboard/commitments/{lowered.pk}/").content.decode()
    assert "Ambition lowered" in page


def test_the_review_list_costs_the_same_queries_with_one_returning_champion_or_many(
    cast, returning, next_cycle
):
    client = office(cast)
    url = f"/dashboard/review/?cycle={next_cycle.year}"
    client.get(url)  # a session's first request saves it (its activity): the count is of the next

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = count()
    for _ in range(4):
        champion = ChampionFactory()
        CommitmentFactory(champion=champion, cycle=cast.cycle, number=1, target_value=3)
        submitted(champion, next_cycle, 1, target_value=3)
        submitted(champion, next_cycle, 2, categories=["culture", "gbv"], target_value=5)
    assert count() == few == REVIEW_QUERIES


# Session, user, the request's savepoint, office group; the cycle; the champions awaiting review
# (count, page), the commitments on the page and their categories; last year's commitments of those
# champions, the categories of this year's and of last year's (compare_with_last_year); the
# commitments awaiting (count), by hub; who has yet to submit (list, count); the cycles to choose
# from; the savepoint's release.
REVIEW_QUERIES = 18


def test_the_commitment_page_costs_the_same_queries_with_or_without_last_year(cast, returning, next_cycle):
    raised, _ = returning
    newcomer = submitted(ChampionFactory(), next_cycle, 1)
    client = office(cast)
    client.get(f"/dashboard/commitments/{raised.pk}/")

    def count(commitment):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/dashboard/commitments/{commitment.pk}/").status_code == 200
        return len(captured)

    # Last year's commitments (none for a newcomer: nothing more is read), then the categories of both.
    assert count(raised) == count(newcomer) + 2
