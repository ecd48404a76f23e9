"""The champion's home says what awaits their side: commitments the office returned (with its
reason and a link to change them), drafts to submit, and the year's report to assess and sign off."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from champions.tests.factories import ChampionFactory
from commitments.models import Approval
from commitments.tests.factories import CommitmentFactory, CycleFactory
from reports.models import Report
from reports.tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db

YEAR = 2031


@pytest.fixture(autouse=True)
def _in_the_assessment_window():
    """Early December: this year's report is being assessed, next year's commitments are being set."""
    with time_machine.travel(datetime.datetime(YEAR, 12, 1, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def next_cycle():
    return CycleFactory(year=YEAR + 1)


def _to_do(page):
    if 'data-testid="to-do"' not in page:
        return ""
    start = page.index('data-testid="to-do"')
    return " ".join(page[start : page.index("</section>", start)].split())


def _returned(cast, cycle, number, comment):
    commitment = CommitmentFactory(
        champion=cast.champion,
        cycle=cycle,
        number=number,
        approval=Approval.DRAFT,
        title=f"Returned {number}",
    )
    commitment.submit(cast.focal_point)
    commitment.return_for_changes(cast.office_member, comment)
    return commitment


def test_it_shows_a_returned_commitment_with_the_offices_reason_and_a_link_to_change_it(
    client, cast, next_cycle
):
    returned = _returned(cast, next_cycle, 1, "Say which panels count.")
    client.force_login(cast.focal_point)
    to_do = _to_do(client.get("/").content.decode())
    assert f"Commitment 1 for {YEAR + 1} (Chidi Champion), “Returned 1”, was returned by the office." in to_do
    assert "Say which panels count." in to_do
    assert f'href="/cycles/{YEAR + 1}/commitments/{returned.pk}/edit/"' in to_do


def test_it_counts_the_drafts_to_submit(client, cast, next_cycle):
    for number in (1, 2):
        CommitmentFactory(champion=cast.champion, cycle=next_cycle, number=number, approval=Approval.DRAFT)
    CommitmentFactory(champion=cast.champion, cycle=next_cycle, number=3, approval=Approval.SUBMITTED)
    client.force_login(cast.champion_user)
    to_do = _to_do(client.get("/").content.decode())
    assert f"2 drafts for {YEAR + 1} (Chidi Champion) to submit by 31 January {YEAR + 1}." in to_do
    assert f'href="/cycles/{YEAR + 1}/commitments/"' in to_do


def test_it_asks_the_champion_to_sign_off_the_report_and_tells_the_focal_point_who_does(client, cast):
    client.force_login(cast.champion_user)
    to_do = _to_do(client.get("/").content.decode())
    assert f"Your {YEAR} report: assess each commitment and sign it off by 15 January {YEAR + 1}." in to_do
    assert f'href="/reports/{YEAR}/champions/{cast.champion.pk}/"' in to_do
    client.force_login(cast.focal_point)
    to_do = _to_do(client.get("/").content.decode())
    assert f"Chidi Champion's {YEAR} report: assess each commitment; Chidi Champion signs it off" in to_do


def test_a_signed_off_report_and_a_closed_year_are_not_to_do(client, cast):
    AssessmentFactory(commitment=cast.commitment)
    Report.of(cast.champion, cast.cycle).submit(cast.champion_user)
    client.force_login(cast.champion_user)
    assert _to_do(client.get("/").content.decode()) == ""
    Report.objects.all().delete()
    cast.cycle.is_closed = True
    cast.cycle.save()
    assert _to_do(client.get("/").content.decode()) == ""


def test_nothing_to_do_before_the_assessment_window_and_nothing_of_other_champions(client, cast, next_cycle):
    _returned(cast, next_cycle, 1, "Not mine to see.")  # the cast's champion's, not the other's
    CommitmentFactory(champion=cast.other_champion, cycle=next_cycle, number=1, approval=Approval.DRAFT)
    client.force_login(cast.other_focal_point)
    with time_machine.travel(datetime.datetime(YEAR, 6, 1, 12, tzinfo=datetime.UTC), tick=False):
        to_do = _to_do(client.get("/").content.decode())
    assert "Not mine to see." not in to_do and "report" not in to_do
    assert f"1 draft for {YEAR + 1} (Olga Other) to submit" in to_do


def _queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


def test_the_panel_costs_the_same_queries_with_one_and_several_items(client, cast, next_cycle):
    client.force_login(cast.focal_point)
    _returned(cast, next_cycle, 1, "First reason.")
    CommitmentFactory(champion=cast.champion, cycle=next_cycle, number=2, approval=Approval.DRAFT)
    client.get("/")  # (the first request after signing in saves the session)
    one = _queries(client)
    second = ChampionFactory(full_name="Second Champion", focal_points=[cast.focal_point])
    CommitmentFactory(champion=second, cycle=cast.cycle, number=1)
    _returned(cast, next_cycle, 3, "Second reason.")
    CommitmentFactory(champion=second, cycle=next_cycle, number=1, approval=Approval.DRAFT)
    page = client.get("/").content.decode()
    assert _to_do(page).count('data-testid="to-do-report"') == 2
    assert _to_do(page).count('data-testid="to-do-returned"') == 2
    assert _to_do(page).count('data-testid="to-do-drafts"') == 2
    # the home page's 15 (test_home), and the returned commitments' approval steps
    assert _queries(client) == one == 16
