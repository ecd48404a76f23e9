"""A closed cycle's reports: none is missing (those not submitted say so, as history), the champion's
side can no longer assess or sign off, the office still reads everything, and reopening the cycle
gives the champion's side its rights back."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.tests.factories import OfficeMemberFactory, UserFactory
from champions.tests.factories import ChampionFactory, HubFactory
from commitments.tests.factories import CommitmentFactory, CycleFactory
from reports.models import Assessment, Level, Report
from reports.tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db

# A past year: its assessment window and report due date have passed whenever the tests run.
YEAR = 2024
ON_TIME = datetime.datetime(YEAR, 12, 20, 12, tzinfo=datetime.UTC)
CLOSED_NOTICE = f"The {YEAR} cycle is closed and kept as history: it can no longer be changed."


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _close(cycle, closed=True):
    cycle.is_closed = closed
    cycle.save()


@pytest.fixture
def year():
    """A past year, closed, of two champions in one hub: Ada submitted her report on time, Bo did not
    (his commitment assessed, the report never signed off)."""
    cycle = CycleFactory(year=YEAR)
    hub = HubFactory(name="Geneva")
    ada = ChampionFactory(full_name="Ada Achebe", hub=hub)
    AssessmentFactory(commitment=CommitmentFactory(champion=ada, cycle=cycle, number=1))
    Report.of(ada, cycle).submit(ada.user, now=ON_TIME)
    bo = ChampionFactory(full_name="Bo Bamba", hub=hub, focal_points=[UserFactory(email="focal@example.org")])
    commitment = CommitmentFactory(champion=bo, cycle=cycle, number=1, title="Bo's trainings")
    AssessmentFactory(commitment=commitment, level=Level.LIMITED)
    _close(cycle)
    return {
        "cycle": cycle,
        "ada": ada,
        "bo": bo,
        "commitment": commitment,
        "office": OfficeMemberFactory(email="office@example.org"),
    }


@pytest.mark.parametrize("closed, missing", [(False, 1), (True, 0)])
def test_a_closed_years_unsubmitted_report_is_not_missing(year, closed, missing):
    _close(year["cycle"], closed)
    context = _client(year["office"]).get(f"/reports/{YEAR}/").context
    (geneva,) = context["by_hub"]
    for row in (context["total"], geneva):
        assert (row["champions"], row["on_time"], row["late"]) == (2, 1, 0)
        assert (row["missing"], row["not_submitted"]) == (missing, 1)
        # The share submitted stays the share of all the year's champions.
        assert row["submitted_share"] == 50


def test_the_network_report_says_not_submitted_closed_year(year):
    office = _client(year["office"])
    page = office.get(f"/reports/{YEAR}/").content.decode()
    assert "Reports not submitted (closed year)" in page and 'data-figure="not-submitted">1<' in page
    assert "Not submitted (closed year)</th>" in page
    assert "Reports missing" not in page and 'data-figure="missing"' not in page
    assert "none is missing" in page
    assert "not submitted (closed year)</text>" in page  # the chart's legend
    response = office.get(f"/reports/{YEAR}.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    header, everyone = rows[0], rows[-1]
    assert everyone[:2] == ["all", "All"]
    figures = dict(zip(header, everyone, strict=True))
    assert (figures["reports missing"], figures["reports not submitted"]) == ("0", "1")
    pdf = office.get(f"/reports/{YEAR}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")


def test_an_open_years_report_still_counts_missing_reports(year):
    _close(year["cycle"], False)
    page = _client(year["office"]).get(f"/reports/{YEAR}/").content.decode()
    assert 'data-figure="missing">1<' in page
    assert "closed year" not in page


@pytest.mark.parametrize("who", ["champion", "focal_point"])
def test_the_champions_side_reads_a_closed_years_report_and_changes_nothing(year, who):
    bo, commitment = year["bo"], year["commitment"]
    client = _client(bo.user if who == "champion" else bo.focal_points.get())
    page = client.get(f"/reports/{YEAR}/champions/{bo.pk}/").content.decode()
    assert page.count('data-testid="closed-year"') == 1 and CLOSED_NOTICE in page
    assert "Not submitted (closed year)." in page
    assert "Bo&#x27;s trainings" in page
    assert f"/reports/commitments/{commitment.pk}/assess/" not in page
    assert f"/reports/{YEAR}/champions/{bo.pk}/submit/" not in page
    assess = f"/reports/commitments/{commitment.pk}/assess/"
    assert client.get(assess).status_code == 404
    assert client.post(assess, {"level": "complete", "narrative": "All done."}).status_code == 404
    assert Assessment.objects.get(commitment=commitment).level == Level.LIMITED


def test_the_champion_cannot_sign_off_a_closed_years_report(year):
    bo = year["bo"]
    response = _client(bo.user).post(f"/reports/{YEAR}/champions/{bo.pk}/submit/", follow=True)
    assert response.status_code == 200
    assert CLOSED_NOTICE in [str(message) for message in response.context["messages"]]
    assert not Report.objects.get(champion=bo).is_submitted
    with pytest.raises(ValidationError):
        Report.of(bo, year["cycle"]).submit(bo.user)


def test_the_office_reads_a_closed_years_reports_and_pdfs(year):
    office = _client(year["office"])
    bo, ada = year["bo"], year["ada"]
    page = office.get(f"/reports/{YEAR}/champions/{bo.pk}/").content.decode()
    assert "Bo&#x27;s trainings" in page and "Not submitted (closed year)." in page
    assert page.count('data-testid="closed-year"') == 1
    submitted = office.get(f"/reports/{YEAR}/champions/{ada.pk}/").content.decode()
    assert "Submitted on 20 December 2024" in submitted
    # A report handed back to a champion who could not submit it again: not in a closed year.
    assert f"/reports/{YEAR}/champions/{ada.pk}/reopen/" not in submitted
    response = office.post(f"/reports/{YEAR}/champions/{ada.pk}/reopen/", {"note": "Redo"}, follow=True)
    assert CLOSED_NOTICE in [str(message) for message in response.context["messages"]]
    assert Report.objects.get(champion=ada).is_submitted
    pdf = office.get(f"/reports/{YEAR}/champions/{bo.pk}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")


def test_reopening_the_cycle_gives_the_champion_back_assessing_and_signing_off(year):
    bo, commitment = year["bo"], year["commitment"]
    _close(year["cycle"], False)
    client = _client(bo.user)
    page = client.get(f"/reports/{YEAR}/champions/{bo.pk}/").content.decode()
    assert 'data-testid="closed-year"' not in page
    assert f"/reports/commitments/{commitment.pk}/assess/" in page
    response = client.post(
        f"/reports/commitments/{commitment.pk}/assess/", {"level": "limited", "narrative": "Two of four."}
    )
    assert response.status_code == 302
    assert client.post(f"/reports/{YEAR}/champions/{bo.pk}/submit/", {"confirm": "1"}).status_code == 302
    report = Report.objects.get(champion=bo)
    assert report.is_submitted and report.late
