"""The office's dashboard of a closed year (a past year kept as history): its figures, and nothing in
it overdue, due soon or stale."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import OfficeMemberFactory
from commitments.models import Status
from commitments.tests.factories import CommitmentFactory, CycleFactory
from events.tests.factories import PanelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def office():
    client = Client()
    client.force_login(OfficeMemberFactory())
    return client


@pytest.fixture
def last_year():
    """Last year, with a commitment completed, and two left open past their due date and quiet since."""
    cycle = CycleFactory(year=timezone.localdate().year - 1)
    done = CommitmentFactory(cycle=cycle, number=1, status=Status.COMPLETED)
    PanelFactory(commitment=done, occurred_on=cycle.starts_on + datetime.timedelta(days=10))
    CommitmentFactory(cycle=cycle, number=1)
    CommitmentFactory(cycle=cycle, number=2, due_on=cycle.ends_on - datetime.timedelta(days=100))
    return cycle


def _dashboard(office, cycle):
    response = office.get(f"/dashboard/?cycle={cycle.year}")
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("closed, overdue", [(False, 2), (True, 0)])
def test_a_closed_years_dashboard_has_its_figures_and_nothing_overdue(office, last_year, closed, overdue):
    last_year.is_closed = closed
    last_year.save()
    response = _dashboard(office, last_year)
    figures = response.context["figures"]
    assert (figures["commitments"], figures["champions"], figures["panels"]) == (3, 3, 1)
    assert (figures["overdue"], figures["stale"], figures["due_soon"]) == (overdue, overdue, 0)
    assert len(response.context["overdue"]) == overdue
    assert ("overdue by" in response.content.decode()) == (not closed)
