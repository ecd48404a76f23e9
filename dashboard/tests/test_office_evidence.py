"""The office sees the evidence: on its commitment, champion and report pages, each event's notes,
links and files (downloadable by the office, still 404 to other champions), the values reported on
indicators and the pledges signed; each page in the same number of queries however much was logged."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from champions.tests.factories import PledgeSignatureFactory
from commitments.models import TargetKind
from commitments.tests.factories import CommitmentFactory
from events.models import PanelOutcome
from events.tests.factories import CheckInFactory, PanelFactory, ProgressEventFactory
from reports.models import Level
from reports.tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


class Proof:
    """What the cast's champion logged: a meeting with notes, a file and a link; a panel where the
    pledge's questions were not put, accepted as an exception; a value on an indicator; a pledge."""

    def __init__(self, cast):
        commitment = cast.commitment
        self.meeting = ProgressEventFactory(
            commitment=commitment,
            title="Town hall in Goma",
            notes="Met 40 women staff <and> their managers.",
            evidence_url="https://example.org/photos/goma",
            evidence_name="minutes <Goma>.pdf",
        )
        self.meeting.evidence_file.save("minutes.pdf", ContentFile(PDF))
        self.panel = PanelFactory(
            commitment=commitment,
            title="Panel on peacekeeping",
            pledge_asked=False,
            panel_outcome=PanelOutcome.EXCEPTION,
            outcome_reason="The organisers changed the speakers the day before.",
        )
        self.indicator = CommitmentFactory(
            champion=cast.champion,
            cycle=cast.cycle,
            number=2,
            target_kind=TargetKind.INDICATOR,
            baseline=Decimal("20"),
            target_value=Decimal("40"),
            unit="% women at D-1 and above",
            counts_kind="",
        )
        self.check_in = CheckInFactory(
            commitment=self.indicator, value=Decimal("31"), comment="From the payroll of June."
        )
        self.check_in.evidence_file.save("payroll.pdf", ContentFile(PDF))
        PledgeSignatureFactory(champion=cast.champion, signed_on=datetime.date(2024, 3, 8))


@pytest.fixture
def proof(cast):
    return Proof(cast)


@pytest.fixture
def office(client, cast):
    client.force_login(cast.office_member)
    return client


def _shows_the_proof(page, proof):
    assert "Met 40 women staff &lt;and&gt; their managers." in page  # notes, escaped
    assert f'href="/events/{proof.meeting.pk}/evidence/"' in page
    assert "minutes &lt;Goma&gt;.pdf" in page
    assert 'href="https://example.org/photos/goma"' in page
    # The panel's pledge answers.
    assert "Pledge questions not asked" in page
    assert "Accepted as an exception" in page
    assert "The organisers changed the speakers the day before." in page
    # Read only: nothing to edit or delete.
    assert f"/events/{proof.meeting.pk}/edit/" not in page
    assert f"/events/{proof.meeting.pk}/delete/" not in page


def test_the_offices_commitment_page_shows_notes_links_files_and_pledge_answers(office, cast, proof):
    page = office.get(f"/dashboard/commitments/{cast.commitment.pk}/").content.decode()
    _shows_the_proof(page, proof)


def test_the_offices_commitment_page_of_an_indicator_shows_its_values_and_their_files(office, proof):
    page = office.get(f"/dashboard/commitments/{proof.indicator.pk}/").content.decode()
    assert "31 % women at D-1 and above" in page
    assert "From the payroll of June." in page
    assert f'href="/check-ins/{proof.check_in.pk}/evidence/"' in page


def test_the_offices_champion_page_shows_the_evidence_values_and_pledges(office, cast, proof):
    page = office.get(f"/dashboard/champions/{cast.champion.pk}/").content.decode()
    _shows_the_proof(page, proof)
    assert "commitment 1" in page  # which commitment each event counts toward
    assert "Values reported on commitment 2" in page
    assert "31 % women at D-1 and above" in page
    assert f'href="/check-ins/{proof.check_in.pk}/evidence/"' in page
    assert "<strong>Panel Parity Pledge</strong>, signed on 8 March 2024" in page


def test_the_office_downloads_every_file_the_pages_link_to(office, proof):
    for url in (
        f"/events/{proof.meeting.pk}/evidence/",
        f"/check-ins/{proof.check_in.pk}/evidence/",
    ):
        response = office.get(url)
        assert response.status_code == 200, url
        assert b"".join(response.streaming_content) == PDF
    response = office.get(f"/events/{proof.meeting.pk}/evidence/")
    assert (
        'filename="minutes _Goma_.pdf"' in response["Content-Disposition"]
        or "minutes" in (response["Content-Disposition"])
    )


@pytest.mark.parametrize("role", ["other_champion_user", "other_focal_point"])
def test_other_champions_still_get_404_for_the_files(client, cast, proof, role):
    client.force_login(cast.other_champion.user if role == "other_champion_user" else cast.other_focal_point)
    assert client.get(f"/events/{proof.meeting.pk}/evidence/").status_code == 404
    assert client.get(f"/check-ins/{proof.check_in.pk}/evidence/").status_code == 404


def _queries(client, url):
    client.get(url)  # the session's first request saves it (accounts.middleware): not the page's
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _more_proof(cast, proof, count):
    for _ in range(count):
        event = ProgressEventFactory(
            commitment=cast.commitment, notes="More notes.", evidence_url="https://example.org/x"
        )
        event.evidence_file.save("more.pdf", ContentFile(PDF))
        PanelFactory(commitment=cast.commitment, pledge_asked=True)
        CheckInFactory(commitment=proof.indicator)


@pytest.mark.parametrize(
    "url, expected",
    [
        # 14 as before the notes and files were shown (who logged each event is read with it), and
        # the conversation: its comments, and their history in the audit trail; whether the champion
        # had commitments last year (commitments.models.ambition: none, so nothing more is read).
        ("/dashboard/commitments/{commitment}/", 18),
        # 16 before, then the pledges signed (two queries) and the indicators' values (one).
        ("/dashboard/champions/{champion}/", 21),
    ],
)
def test_each_office_page_costs_the_same_queries_with_2_and_22_events(office, cast, proof, url, expected):
    url = url.format(commitment=cast.commitment.pk, champion=cast.champion.pk)
    assert _queries(office, url) == expected
    _more_proof(cast, proof, 10)
    assert _queries(office, url) == expected


@pytest.fixture
def assessed_report(cast, proof):
    """The champion's report with both commitments assessed, one with a file of its own."""
    assessment = AssessmentFactory(commitment=cast.commitment, level=Level.SUBSTANTIAL)
    assessment.evidence_name = "survey results.pdf"
    assessment.evidence_file.save("survey.pdf", ContentFile(PDF))
    AssessmentFactory(commitment=proof.indicator, level=Level.LIMITED)
    return assessment


def test_the_report_page_shows_each_commitments_evidence_to_the_office(office, cast, proof, assessed_report):
    page = office.get(f"/reports/{cast.cycle.year}/champions/{cast.champion.pk}/").content.decode()
    _shows_the_proof(page, proof)
    assert "2 progress events logged, with their notes and evidence" in page
    assert "1 value reported" in page
    assert f'href="/check-ins/{proof.check_in.pk}/evidence/"' in page
    # The self-assessment's own file.
    assert f'href="/reports/commitments/{cast.commitment.pk}/assessment-evidence/"' in page
    assert "survey results.pdf" in page
    response = office.get(f"/reports/commitments/{cast.commitment.pk}/assessment-evidence/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert 'filename="survey results.pdf"' in response["Content-Disposition"]


def test_the_assessments_file_is_the_champions_side_and_the_offices_only(client, cast, assessed_report):
    url = f"/reports/commitments/{cast.commitment.pk}/assessment-evidence/"
    for user in (cast.champion_user, cast.focal_point):
        client.force_login(user)
        assert client.get(url).status_code == 200
    for user in (cast.other_champion.user, cast.other_focal_point):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(cast.champion_user)
    assert (
        client.get(f"/reports/commitments/{cast.other_commitment.pk}/assessment-evidence/").status_code == 404
    )
    # Without a file: 404.
    assessed_report.evidence_file.delete()
    assert client.get(url).status_code == 404


def test_the_report_page_costs_the_same_queries_with_2_and_22_events(office, cast, proof, assessed_report):
    url = f"/reports/{cast.cycle.year}/champions/{cast.champion.pk}/"
    small = _queries(office, url)
    _more_proof(cast, proof, 10)
    assert _queries(office, url) == small
