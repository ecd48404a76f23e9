"""The dashboard's Pledges section: how many of the champions shown signed each network pledge, and
the panels the signers logged in the cycle (CommitmentQuerySet.pledge_figures)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from champions.tests.factories import ChampionFactory, HubFactory, PledgeSignatureFactory, pledge
from commitments.tests.factories import CommitmentFactory
from events.tests.factories import PanelFactory


@pytest.fixture
def office(client, cast):
    client.force_login(cast.office_member)
    return client


@pytest.fixture
def signed(cast):
    """The cast's champion signed the Panel Parity Pledge and logged two panels, one of men only, on a
    commitment of a category that is not panel parity; the other champion signed the pledge on
    gender-based violence and logged a panel too."""
    PledgeSignatureFactory(champion=cast.champion)
    PanelFactory(commitment=cast.commitment, women_count=2, men_count=1)
    PanelFactory(commitment=cast.commitment, women_count=0, men_count=3)
    PledgeSignatureFactory(champion=cast.other_champion, pledge=pledge("gender-based-violence"))
    PanelFactory(commitment=cast.other_commitment, women_count=1, men_count=1)
    return {"parity": pledge("panel-parity"), "gbv": pledge("gender-based-violence")}


def _figures(content):
    return dict(re.findall(r'data-figure="(\w+)">([^<]*)<', content))


def test_it_shows_each_pledges_signers_and_their_panels_after_panel_parity(office, signed):
    content = office.get("/dashboard/").content.decode()
    parity, gbv = signed["parity"].pk, signed["gbv"].pk
    figures = _figures(content)
    assert figures[f"pledge_{parity}_signers"] == "1 of 2"
    assert figures[f"pledge_{parity}_panels"] == "2"  # the signer's, not the other champion's
    assert figures[f"pledge_{parity}_single_sex"] == "1"
    assert figures[f"pledge_{gbv}_signers"] == "1 of 2"
    assert f"pledge_{gbv}_panels" not in figures
    section = content[content.index('id="pledges-title"') :]
    assert content.index("Panel parity") < content.index('id="pledges-title"') < content.index("Escalated")
    row = re.search(r"<tr><th scope=\"row\">Panel Parity Pledge</th>.*?</tr>", section, re.S).group(0)
    assert re.findall(r">([^<>]+)</td>", row) == ["1 of 2", "2", "50%", "1", "33%", "0", "–", "33%"]
    assert "Panels do not count toward this pledge." in section


def test_it_shows_the_section_in_french(office, cast, signed):
    cast.office_member.language = "fr"
    cast.office_member.save()
    content = office.get("/dashboard/").content.decode()
    section = content[content.index('id="pledges-title"') :]
    assert "Engagements du réseau" in section
    assert "Engagement pour la parité des panels" in section
    assert "1 sur 2" in section
    assert "Les panels ne comptent pas pour cet engagement." in section


def test_the_filters_narrow_the_signers_to_the_champions_shown(office, cast, signed):
    parity = signed["parity"].pk
    other_hub = cast.other_champion.hub_id
    assert cast.champion.hub_id != other_hub
    figures = _figures(office.get(f"/dashboard/?hub={other_hub}").content.decode())
    assert figures[f"pledge_{parity}_signers"] == "0 of 1"
    assert figures[f"pledge_{parity}_panels"] == "0"
    figures = _figures(office.get(f"/dashboard/?hub={cast.champion.hub_id}").content.decode())
    assert (figures[f"pledge_{parity}_signers"], figures[f"pledge_{parity}_panels"]) == ("1 of 1", "2")


def _queries(client):
    client.get("/dashboard/")  # a session's first request saves it; the count is of the next
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/dashboard/").status_code == 200
    return len(queries)


def test_the_section_costs_the_same_queries_with_more_signers_and_panels(office, cast, signed):
    few = _queries(office)
    hub = HubFactory(name="Vienna")
    for number in range(12):
        champion = ChampionFactory(hub=hub)
        PledgeSignatureFactory(champion=champion)
        if number % 2:
            PledgeSignatureFactory(champion=champion, pledge=signed["gbv"])
        commitment = CommitmentFactory(champion=champion, cycle=cast.cycle, number=1, categories=["gbv"])
        PanelFactory.create_batch(2, commitment=commitment)
    assert _queries(office) == few
    assert _figures(office.get("/dashboard/").content.decode())[f"pledge_{signed['parity'].pk}_signers"] == (
        "13 of 14"
    )
