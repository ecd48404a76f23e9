"""A closed cycle (a past year kept as history) is read-only to the champion's side: no commitment
set, edited, deleted, submitted or carried into it; the home page of that year says once that it is
closed and shows nothing overdue; reopening it gives the rights back; and it is never the current
cycle while an open one contains today."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from commitments.models import Approval, Cycle
from commitments.tests.factories import CommitmentFactory, CycleFactory

pytestmark = pytest.mark.django_db

CLOSED = "cycle is closed and kept as history: it can no longer be changed."


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _close(cycle, closed=True):
    cycle.is_closed = closed
    cycle.save()


@pytest.fixture
def next_year(cast):
    """Next year's cycle, closed before it has even ended (so only its being closed refuses), with a
    draft and a returned commitment of the cast's champion."""
    cycle = CycleFactory(year=timezone.localdate().year + 1, is_closed=True)
    draft = CommitmentFactory(champion=cast.champion, cycle=cycle, number=1, approval=Approval.DRAFT)
    returned = CommitmentFactory(champion=cast.champion, cycle=cycle, number=2, approval=Approval.RETURNED)
    return {"cycle": cycle, "draft": draft, "returned": returned}


def _draft_data(cycle):
    return {
        "text": "Hold quarterly town halls with women staff.",
        "target_kind": "count",
        "target_value": 4,
        "counts_kind": "meeting",
        "due_on": cycle.ends_on.isoformat(),
    }


def _changes(cast, year):
    """Every request of the champion's side that changes a cycle's commitments, as (method, path)."""
    draft, returned = year["draft"], year["returned"]
    base = f"/cycles/{year['cycle'].year}"
    return [
        ("get", f"{base}/champions/{cast.champion.pk}/commitments/new/"),
        ("post", f"{base}/champions/{cast.champion.pk}/commitments/new/"),
        ("get", f"{base}/commitments/{draft.pk}/edit/"),
        ("post", f"{base}/commitments/{draft.pk}/edit/"),
        ("get", f"{base}/commitments/{draft.pk}/delete/"),
        ("post", f"{base}/commitments/{draft.pk}/delete/"),
        ("post", f"{base}/commitments/{returned.pk}/submit/"),
        ("post", f"{base}/champions/{cast.champion.pk}/submit/"),
        ("post", f"{base}/commitments/{cast.commitment.pk}/carry/"),
    ]


@pytest.mark.parametrize("who", ["champion_user", "focal_point"])
def test_every_view_that_changes_commitments_refuses_a_closed_cycle(cast, next_year, who):
    client = _client(getattr(cast, who))
    data = _draft_data(next_year["cycle"])
    answers = [getattr(client, method)(path, data).status_code for method, path in _changes(cast, next_year)]
    assert answers == [404] * len(answers)
    approvals = dict(next_year["cycle"].commitments.values_list("number", "approval"))
    assert approvals == {1: Approval.DRAFT, 2: Approval.RETURNED}


def test_the_setting_page_of_a_closed_cycle_shows_it_read_only(cast, next_year):
    page = _client(cast.focal_point).get(f"/cycles/{next_year['cycle'].year}/commitments/").content.decode()
    assert page.count('data-testid="closed-year"') == 1 and CLOSED in page
    assert next_year["draft"].title in page
    for _method, path in _changes(cast, next_year):
        assert path not in page


def test_reopening_the_cycle_gives_back_setting_its_commitments(cast, next_year):
    _close(next_year["cycle"], False)
    client = _client(cast.focal_point)
    draft = next_year["draft"]
    edit = f"/cycles/{next_year['cycle'].year}/commitments/{draft.pk}/edit/"
    assert client.post(edit, {**_draft_data(next_year["cycle"]), "title": "Edited"}).status_code == 302
    submit = f"/cycles/{next_year['cycle'].year}/champions/{cast.champion.pk}/submit/"
    assert client.post(submit, {"confirm": "1"}).status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.approval) == ("Edited", Approval.SUBMITTED)


def test_the_home_page_does_not_ask_to_set_a_closed_cycles_commitments(cast, next_year):
    client = _client(cast.focal_point)
    assert f"/cycles/{next_year['cycle'].year}/commitments/" not in client.get("/").content.decode()
    _close(next_year["cycle"], False)
    assert f"/cycles/{next_year['cycle'].year}/commitments/" in client.get("/").content.decode()


@pytest.fixture
def last_year(cast):
    """Last year, closed, with a commitment left open past its due date."""
    cycle = CycleFactory(year=timezone.localdate().year - 1, is_closed=True)
    commitment = CommitmentFactory(
        champion=cast.champion, cycle=cycle, number=1, title="Last year's town halls"
    )
    return {"cycle": cycle, "commitment": commitment}


@pytest.mark.parametrize("who", ["champion_user", "focal_point"])
def test_the_home_page_of_a_closed_year_says_so_once_and_shows_nothing_overdue(cast, last_year, who):
    year = last_year["cycle"].year
    page = _client(getattr(cast, who)).get(f"/?cycle={year}").content.decode()
    assert page.count('data-testid="closed-year"') == 1
    assert f"The {year} {CLOSED}" in page
    assert "Last year&#x27;s town halls" in page
    assert "overdue" not in page
    assert f"/commitments/{last_year['commitment'].pk}/log/" not in page
    assert f"/cycles/{year}/commitments/" not in page
    assert f"/reports/{year}/champions/{cast.champion.pk}/" in page  # the year's report, to read


def test_the_home_page_of_a_reopened_year_shows_it_overdue_again(cast, last_year):
    _close(last_year["cycle"], False)
    page = _client(cast.focal_point).get(f"/?cycle={last_year['cycle'].year}").content.decode()
    assert 'data-testid="closed-year"' not in page
    assert "overdue by" in page
    assert f"/commitments/{last_year['commitment'].pk}/log/" in page


def test_a_closed_past_year_is_never_current_while_an_open_cycle_contains_today():
    with time_machine.travel(datetime.date(2031, 6, 1)):
        closed = Cycle.for_year(2030, is_closed=True)
        assert Cycle.objects.current() == closed  # the last started: its history is still shown
        this_year = Cycle.for_year(2031)
        assert Cycle.objects.current() == this_year


def test_a_french_reader_is_told_the_year_is_closed_in_french(cast, last_year):
    cast.focal_point.language = "fr"
    cast.focal_point.save()
    page = _client(cast.focal_point).get(f"/?cycle={last_year['cycle'].year}").content.decode()
    assert f"Le cycle {last_year['cycle'].year} est clos et conservé comme historique" in page
