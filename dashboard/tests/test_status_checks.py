"""Status against measure on the office's side: the dashboard's count and the list with both."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from champions.tests.factories import ChampionFactory, HubFactory
from commitments.models import Status
from commitments.tests.factories import CommitmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(client, cast):
    client.force_login(cast.office_member)
    return client


@pytest.fixture
def completed_at_zero(cast):
    """'Completed' at 0 of 3 trainings."""
    return CommitmentFactory(
        champion=cast.champion,
        cycle=cast.cycle,
        number=2,
        status=Status.COMPLETED,
        target_value=3,
        counts_kind="training",
        title="Train every manager",
    )


def test_the_dashboard_counts_the_commitments_flagged_and_leads_to_them(office, cast, completed_at_zero):
    page = office.get(f"/dashboard/?cycle={cast.cycle.year}").content.decode()
    assert 'data-figure="status_disagrees">1<' in page
    assert f"/dashboard/status-checks/?cycle={cast.cycle.year}" in page


def test_the_list_shows_the_self_set_status_and_the_measured_progress(office, cast, completed_at_zero):
    response = office.get(f"/dashboard/status-checks/?cycle={cast.cycle.year}")
    page = response.content.decode()
    assert [commitment.pk for commitment in response.context["page"]] == [completed_at_zero.pk]
    assert "Train every manager" in page
    assert "status-completed" in page  # the self-set status, as a badge
    assert '<span data-testid="measured">0%</span>' in page
    assert "0 of 3 trainings" in page
    assert "Completed, but measured progress is under 100%" in page


def test_a_kept_status_leaves_the_count_and_the_list(office, cast, completed_at_zero):
    completed_at_zero.confirm_status(cast.champion_user)
    assert 'data-figure="status_disagrees">0<' in office.get("/dashboard/").content.decode()
    page = office.get("/dashboard/status-checks/").content.decode()
    assert 'data-testid="no-status-checks"' in page


def test_the_list_keeps_the_dashboards_filters(office, cast, completed_at_zero):
    vienna = HubFactory(name="Vienna")
    elsewhere = ChampionFactory(hub=vienna)
    CommitmentFactory(champion=elsewhere, cycle=cast.cycle, number=1, status=Status.COMPLETED)
    response = office.get(f"/dashboard/status-checks/?cycle={cast.cycle.year}&hub={vienna.pk}")
    assert [commitment.champion for commitment in response.context["page"]] == [elsewhere]
    assert f'value="{vienna.pk}" selected' in response.content.decode()


def _queries(client, url):
    client.get(url)  # a session's first request saves it; the count is of the next
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_with_1_and_30_flagged(office, cast, completed_at_zero):
    url = f"/dashboard/status-checks/?cycle={cast.cycle.year}"
    few = _queries(office, url)
    for _champion in range(29):
        CommitmentFactory(champion=ChampionFactory(), cycle=cast.cycle, number=1, status=Status.COMPLETED)
    # The session, the user and their group (and the request's savepoint, twice); the cycle asked
    # for; the filters' choices (cycles, hubs, organizations, categories); the count and the page
    # of commitments with their champions, organizations, hubs and cycles.
    assert _queries(office, url) == few == 12


def test_champions_and_focal_points_may_not_see_the_list(client, cast):
    client.force_login(cast.focal_point)
    assert client.get("/dashboard/status-checks/").status_code == 403
