"""Every office page with filters keeps what was chosen, the cycle included, and its heading names the
year whose data it shows: filtering a hub while looking at this year never shows next year's."""

import csv
import io
import re

import pytest

from accounts.tests.factories import ImportedPersonFactory, UserFactory
from champions.tests.factories import ChampionFactory, HubFactory
from commitments.models import Approval, Status
from commitments.tests.factories import CommitmentFactory, CycleFactory
from reports.models import Level
from reports.tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db


class TwoYears:
    """This year's cycle (the current one) and next year's, each with commitments in the New York hub
    and elsewhere, a different number in each year."""

    def __init__(self, cast):
        self.this_year, self.next_year = cast.cycle, CycleFactory(year=cast.cycle.year + 1)
        self.new_york, self.geneva = HubFactory(name="New York"), HubFactory(name="Geneva")
        cast.champion.hub = self.new_york
        cast.champion.save()
        cast.other_champion.hub = self.geneva
        cast.other_champion.save()
        self.ny_this_year = [cast.commitment]
        self.ny_this_year += [
            CommitmentFactory(champion=cast.champion, cycle=self.this_year, number=number)
            for number in (2, 3)
        ]
        self.next_champion = ChampionFactory(full_name="Nina Next", hub=self.new_york)
        self.ny_next_year = [
            CommitmentFactory(
                champion=self.next_champion, cycle=self.next_year, number=number, status=Status.ON_TRACK
            )
            for number in range(1, 6)
        ]
        self.geneva_next_year = CommitmentFactory(
            champion=cast.other_champion, cycle=self.next_year, number=1
        )


@pytest.fixture
def years(cast):
    return TwoYears(cast)


@pytest.fixture
def office(client, cast):
    client.force_login(cast.office_member)
    return client


def _heading(page):
    """The page's h1 as read: its text, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", "", re.search(r"<h1.*?</h1>", page, re.S).group(0)).split())


def _selected(page, name):
    """The value the select `name` shows chosen."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return re.findall(r'<option value="([^"]*)" selected', select)


@pytest.mark.parametrize("cycle", ["this", "default", "unknown"])
def test_the_dashboard_filtered_by_hub_stays_on_the_chosen_year(office, years, cycle):
    year = {"this": f"cycle={years.this_year.year}&", "default": "", "unknown": "cycle=1800&"}[cycle]
    response = office.get(f"/dashboard/?{year}hub={years.new_york.pk}")
    page = response.content.decode()
    assert _heading(page) == f"Commitments dashboard {years.this_year.year}"
    assert _selected(page, "cycle") == [str(years.this_year.year)]
    assert _selected(page, "hub") == [str(years.new_york.pk)]
    figures = response.context["figures"]
    assert (figures["champions"], figures["commitments"]) == (1, len(years.ny_this_year))
    # Every link onwards carries the year and the hub.
    query = f"cycle={years.this_year.year}&amp;hub={years.new_york.pk}"
    assert f"/dashboard/export.csv?{query}" in page
    assert f"/dashboard/differences/?{query}" in page
    assert f"/reports/{years.this_year.year}/?{query}" in page
    # Reset clears the other filters, not the year being looked at.
    assert f'href="/dashboard/?cycle={years.this_year.year}">Reset' in page


def test_the_dashboard_shows_next_year_when_next_year_is_chosen(office, years):
    response = office.get(f"/dashboard/?cycle={years.next_year.year}&hub={years.new_york.pk}&status=on_track")
    page = response.content.decode()
    assert _heading(page) == f"Commitments dashboard {years.next_year.year}"
    assert _selected(page, "cycle") == [str(years.next_year.year)]
    assert _selected(page, "status") == ["on_track"]
    figures = response.context["figures"]
    assert (figures["champions"], figures["commitments"]) == (1, len(years.ny_next_year))
    # Its ranking's pages keep every filter.
    assert (
        response.context["query"] == f"cycle={years.next_year.year}&hub={years.new_york.pk}&status=on_track"
    )


def test_the_export_of_a_hub_is_of_the_chosen_year(office, years):
    response = office.get(f"/dashboard/export.csv?cycle={years.this_year.year}&hub={years.new_york.pk}")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert {row["cycle"] for row in rows} == {str(years.this_year.year)}
    assert len(rows) == len(years.ny_this_year)


def _differing(commitment, office_member):
    AssessmentFactory(commitment=commitment, level=Level.COMPLETE).rate(office_member, Level.NOT_STARTED)


def test_the_differences_page_filtered_by_hub_stays_on_the_chosen_year(office, cast, years):
    _differing(years.ny_this_year[0], cast.office_member)
    for commitment in years.ny_next_year[:2]:
        _differing(commitment, cast.office_member)
    _differing(years.geneva_next_year, cast.office_member)
    for year in (f"cycle={years.this_year.year}&", ""):
        page = office.get(f"/dashboard/differences/?{year}hub={years.new_york.pk}").content.decode()
        assert _heading(page) == f"Assessments that differ · {years.this_year.year}"
        assert _selected(page, "cycle") == [str(years.this_year.year)]
        assert _selected(page, "hub") == [str(years.new_york.pk)]
        assert page.count('data-testid="difference"') == 1
        # Back to the dashboard as it was filtered.
        assert f'href="/dashboard/?cycle={years.this_year.year}&amp;hub={years.new_york.pk}"' in page
    page = office.get(
        f"/dashboard/differences/?cycle={years.next_year.year}&hub={years.new_york.pk}"
    ).content.decode()
    assert _heading(page) == f"Assessments that differ · {years.next_year.year}"
    assert page.count('data-testid="difference"') == 2


def test_the_review_page_stays_on_the_chosen_year(office, cast, years):
    # Next year's commitments await review (where the page opens without a year); this year's too.
    for commitment in [*years.ny_next_year, years.ny_this_year[1]]:
        commitment.approval, commitment.status = Approval.SUBMITTED, Status.NOT_STARTED
        commitment.save()
    response = office.get(f"/dashboard/review/?cycle={years.this_year.year}")
    page = response.content.decode()
    assert _heading(page) == f"Review commitments {years.this_year.year}"
    select = re.search(r'<select id="review-cycle".*?</select>', page, re.S).group(0)
    assert re.findall(r'value="(\d+)" selected', select) == [str(years.this_year.year)]
    assert response.context["awaiting_count"] == 1
    assert [champion for champion, _commitments in response.context["groups"]] == [cast.champion]
    # Links onwards keep the year.
    assert f'href="/dashboard/?cycle={years.this_year.year}"' in page
    assert f"/dashboard/commitments/export.xlsx?cycle={years.this_year.year}" in page
    # Approving one comes back to the same year.
    approved = office.post(f"/dashboard/review/commitments/{years.ny_this_year[1].pk}/approve/")
    assert approved["Location"] == f"/dashboard/review/?cycle={years.this_year.year}"


def test_the_commitments_export_is_of_the_chosen_year(office, years):
    response = office.get(f"/dashboard/commitments/export.csv?cycle={years.this_year.year}")
    assert f"commitments-{years.this_year.year}.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert {row["year"] for row in rows} == {str(years.this_year.year)}
    assert len(rows) == len(years.ny_this_year) + 1  # the other champion's


def test_the_champion_page_stays_on_the_year_the_office_was_looking_at(office, cast, years):
    # Next year: the champion made no commitment in it; the page says so, of that year.
    page = office.get(
        f"/dashboard/champions/{cast.champion.pk}/?cycle={years.next_year.year}"
    ).content.decode()
    assert f"No commitments in {years.next_year.year}." in page
    assert re.findall(r'value="(\d+)" selected', page) == [str(years.next_year.year)]
    assert f'href="/dashboard/?cycle={years.next_year.year}"' in page
    page = office.get(
        f"/dashboard/champions/{cast.champion.pk}/?cycle={years.this_year.year}"
    ).content.decode()
    assert f"Commitments {years.this_year.year}" in page
    assert page.count("/dashboard/commitments/") >= len(years.ny_this_year)


def test_the_people_pages_state_links_keep_the_other_filters(office, cast, years):
    invited = ImportedPersonFactory(full_name="Ian Imported")
    cast.champion.focal_points.add(invited)
    cast.other_champion.focal_points.add(ImportedPersonFactory(full_name="Gus Geneva"))
    UserFactory()  # acts for no champion
    response = office.get(f"/dashboard/people/?hub={years.new_york.pk}&q=i")
    page = response.content.decode()
    assert _selected(page, "hub") == [str(years.new_york.pk)]
    link = re.search(r'<a href="([^"]+)" data-state="not_invited">Not invited: (\d+)</a>', page)
    assert link.group(1) == f"?q=i&amp;hub={years.new_york.pk}&amp;state=not_invited"
    # The count beside the link is of the list it leads to.
    assert link.group(2) == "1"
    listed = office.get(f"/dashboard/people/?hub={years.new_york.pk}&q=i&state=not_invited")
    assert [person.name for person in listed.context["people"]] == ["Ian Imported"]
    assert _selected(listed.content.decode(), "hub") == [str(years.new_york.pk)]
    # Inviting everyone still invites the whole network, and says how many.
    assert "Invite everyone not invited yet (2)" in page


def test_the_network_report_of_a_hub_leads_back_to_the_dashboard_of_that_hub_and_year(office, years):
    response = office.get(f"/reports/{years.this_year.year}/?hub={years.new_york.pk}")
    page = response.content.decode()
    assert _selected(page, "hub") == [str(years.new_york.pk)]
    assert f'href="/dashboard/?cycle={years.this_year.year}&amp;hub={years.new_york.pk}"' in page
