"""The network pledges in the reports: in a champion's report (page and PDF) the pledges they signed,
with the date and, for the Panel Parity Pledge, their panels in the year; in the network report, the
signers per pledge."""

import datetime
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from accounts.tests.factories import OfficeMemberFactory
from champions.tests.factories import ChampionFactory, PledgeSignatureFactory, pledge
from commitments.tests.factories import CommitmentFactory, CycleFactory
from events.tests.factories import PanelFactory

pytestmark = pytest.mark.django_db

YEAR = 2030


@pytest.fixture
def year(cast):
    """The cast's champion signed the Panel Parity Pledge on joining and the pledge on gender-based
    violence later; in YEAR they logged three panels on two commitments (one of them on a count of
    meetings), one of men only and two with at least half women. The other champion signed nothing."""
    cycle = CycleFactory(year=YEAR)
    champion = cast.champion
    PledgeSignatureFactory(champion=champion, signed_on=datetime.date(2017, 12, 11))
    PledgeSignatureFactory(
        champion=champion, pledge=pledge("gender-based-violence"), signed_on=datetime.date(2022, 11, 25)
    )
    meetings = CommitmentFactory(champion=champion, cycle=cycle, number=1, categories=["culture"])
    panels = CommitmentFactory(
        champion=champion, cycle=cycle, number=2, categories=["panel-parity"], target_kind="percentage"
    )
    PanelFactory(commitment=meetings, women_count=2, men_count=2)
    PanelFactory(commitment=panels, women_count=3, men_count=1)
    PanelFactory(commitment=panels, women_count=0, men_count=4)
    CommitmentFactory(champion=cast.other_champion, cycle=cycle, number=1)
    return cycle


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _section(content):
    start = content.index('data-testid="pledges"')
    return content[start : content.index("</section>", start)]


def test_the_champions_report_shows_the_pledges_signed_with_the_date_and_the_panels(cast, year):
    response = _client(cast.champion_user).get(f"/reports/{YEAR}/champions/{cast.champion.pk}/")
    section = _section(response.content.decode())
    assert "Network pledges" in section
    assert (
        "<strong>Panel Parity Pledge</strong>, signed on 11 December 2017: 3 panels in 2030 on any "
        "commitment, 2 with at least half women speakers, 1 single-sex."
    ) in section
    assert "<strong>Pledge on gender-based violence</strong>, signed on 25 November 2022." in section
    assert section.index("Panel Parity Pledge") < section.index("gender-based violence")


def test_the_champions_report_shows_the_pledges_in_french(cast, year):
    cast.champion_user.language = "fr"
    cast.champion_user.save()
    response = _client(cast.champion_user).get(f"/reports/{YEAR}/champions/{cast.champion.pk}/")
    section = _section(response.content.decode())
    assert "Engagements du réseau" in section
    assert (
        "<strong>Engagement pour la parité des panels</strong>, signé le 11 décembre 2017\u202f: 3 panels "
        "en 2030, tous engagements confondus (avec au moins la moitié d'intervenantes\u202f: 2\u202f; "
        "non mixtes\u202f: 1)."
    ) in section
    assert "signé le 25 novembre 2022." in section


def test_a_report_says_when_no_pledge_was_signed_by_the_years_end(cast, year):
    signed_later = ChampionFactory()
    PledgeSignatureFactory(champion=signed_later, signed_on=datetime.date(YEAR + 1, 2, 1))
    CommitmentFactory(champion=signed_later, cycle=year, number=1)
    office = _client(OfficeMemberFactory())
    for champion in (cast.other_champion, signed_later):
        section = _section(office.get(f"/reports/{YEAR}/champions/{champion.pk}/").content.decode())
        assert "No network pledge signed by the end of 2030." in section


def test_the_champions_pdf_shows_the_pledges(cast, year):
    response = _client(cast.focal_point).get(f"/reports/{YEAR}/champions/{cast.champion.pk}.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages).split()
    )
    assert "Network pledges" in text
    assert "Panel Parity Pledge, signed on 11 December 2017: 3 panels in 2030 on any commitment" in text
    assert "Pledge on gender-based violence, signed on 25 November 2022." in text


def test_the_network_report_shows_the_signers_per_pledge(cast, year):
    response = _client(OfficeMemberFactory()).get(f"/reports/{YEAR}/")
    pledges = {p.slug: p for p in response.context["pledges"]}
    assert pledges["panel-parity"].signer_count == 1
    assert pledges["panel-parity"].panels.panels_logged == 3
    assert pledges["gender-based-violence"].signer_count == 1
    content = response.content.decode()
    assert 'data-testid="pledges"' in content
    assert ">1 of 2<" in content


def _queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("path", ["/reports/{year}/champions/{champion}/", "/reports/{year}/"])
def test_the_pledges_cost_the_same_queries_with_more_signers(cast, year, path):
    client = _client(OfficeMemberFactory())
    path = path.format(year=YEAR, champion=cast.champion.pk)
    client.get(path)  # a session's first request saves it
    few = _queries(client, path)
    for _ in range(5):
        champion = ChampionFactory()
        PledgeSignatureFactory(champion=champion)
        PanelFactory(commitment=CommitmentFactory(champion=champion, cycle=year, number=1))
    assert _queries(client, path) == few
