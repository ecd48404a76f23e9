"""The network pledges' figures (CommitmentQuerySet.pledge_figures and pledge_signatures): signers
among the champions a page shows, and every panel a signer logged in the cycle, on any of their
approved commitments, whatever its category or target."""

import datetime

import pytest

from champions.models import Pledge
from champions.tests.factories import ChampionFactory, HubFactory, PledgeSignatureFactory, pledge
from commitments.models import Commitment, PanelFigures, TargetKind
from commitments.tests.factories import CommitmentFactory, CycleFactory
from events.tests.factories import PanelFactory

pytestmark = pytest.mark.django_db

YEAR = 2030


@pytest.fixture
def network():
    """Ann signed the Panel Parity Pledge and logged three panels on two commitments of different
    categories and targets, one of them of men only; Bob signed nothing and logged a panel; Cy
    signed both pledges, and his panels are last year's or on a draft; Dee signed after the year."""
    cycle = CycleFactory(year=YEAR)
    geneva, nairobi = HubFactory(name="Geneva"), HubFactory(name="Nairobi")
    ann = ChampionFactory(full_name="Ann Signer", hub=geneva)
    PledgeSignatureFactory(champion=ann, signed_on=datetime.date(2019, 5, 2))
    meetings = CommitmentFactory(champion=ann, cycle=cycle, number=1, categories=["culture"])
    PanelFactory(commitment=meetings, women_count=2, men_count=2)
    PanelFactory(commitment=meetings, women_count=3, men_count=1)
    milestone = CommitmentFactory(
        champion=ann,
        cycle=cycle,
        number=2,
        categories=["gbv"],
        target_kind=TargetKind.MILESTONE,
        target_value=None,
        counts_kind="",
    )
    PanelFactory(commitment=milestone, women_count=0, men_count=3)

    bob = ChampionFactory(full_name="Bob Nonsigner", hub=geneva)
    PanelFactory(
        commitment=CommitmentFactory(champion=bob, cycle=cycle, number=1), women_count=1, men_count=1
    )

    cy = ChampionFactory(full_name="Cy Both", hub=nairobi)
    PledgeSignatureFactory(champion=cy)
    PledgeSignatureFactory(champion=cy, pledge=pledge("gender-based-violence"))
    CommitmentFactory(champion=cy, cycle=cycle, number=1, categories=["gbv"])
    last_year = CommitmentFactory(champion=cy, cycle=CycleFactory(year=YEAR - 1), number=1)
    PanelFactory(commitment=last_year, women_count=0, men_count=2)
    draft = CommitmentFactory(champion=cy, cycle=cycle, number=2, approval="draft")
    PanelFactory(commitment=draft, women_count=0, men_count=2)

    dee = ChampionFactory(full_name="Dee Later", hub=nairobi)
    PledgeSignatureFactory(champion=dee, signed_on=datetime.date(YEAR + 1, 1, 10))
    PanelFactory(
        commitment=CommitmentFactory(champion=dee, cycle=cycle, number=1), women_count=1, men_count=2
    )
    return {"cycle": cycle, "ann": ann, "bob": bob, "cy": cy, "dee": dee}


def _figures(commitments, cycle):
    return {p.slug: (p.signer_count, p.panels) for p in commitments.pledge_figures(cycle)}


def _shown(cycle, **filters):
    """The commitments a dashboard shows: the cycle's approved ones, filtered."""
    return Commitment.objects.approved().filter(cycle=cycle, **filters)


def test_a_signers_panels_on_commitments_of_any_category_and_target_count(network):
    figures = _figures(_shown(network["cycle"]), network["cycle"])
    # Ann and Cy by the year's end (not Dee); Ann's three panels, on both her commitments.
    signers, panels = figures["panel-parity"]
    assert signers == 2
    assert panels == PanelFigures(
        panels_logged=3,
        panels_balanced=2,
        panels_single_sex=1,
        panel_women=5,
        panel_men=6,
        # No organiser answered: all self-reported (the split: events/tests/test_parity_everywhere.py).
        self_reported_women=5,
        self_reported_men=6,
    )
    assert (panels.balanced_share, panels.single_sex_share, panels.women_share) == (66, 33, 45)


def test_a_pledge_that_counts_no_panels_has_signers_only(network):
    assert _figures(_shown(network["cycle"]), network["cycle"])["gender-based-violence"] == (1, None)


def test_nobody_signing_is_zero_signers_and_no_panels(network):
    cycle = CycleFactory(year=YEAR + 5)
    assert _figures(_shown(cycle), cycle)["panel-parity"] == (0, PanelFigures())


def test_a_pledge_no_longer_offered_is_not_listed(network):
    Pledge.objects.filter(slug="gender-based-violence").update(is_active=False)
    assert list(_figures(_shown(network["cycle"]), network["cycle"])) == ["panel-parity"]


@pytest.mark.parametrize(
    "filters, signers, panels",
    [
        ({"champion__hub__name": "Geneva"}, 1, 3),  # Ann (Bob signed nothing)
        ({"champion__hub__name": "Nairobi"}, 1, 0),  # Cy (Dee signed after the year)
        # Ann's commitment of that category: all three of her panels count, not only its own one.
        ({"categories__slug": "gbv"}, 2, 3),
        ({"categories__slug": "culture"}, 1, 3),  # Ann's meetings, and Bob's and Dee's commitments
        ({"champion__full_name": "Bob Nonsigner"}, 0, 0),
    ],
)
def test_filters_narrow_the_signers_and_their_panels_consistently(network, filters, signers, panels):
    cycle = network["cycle"]
    everything = _figures(_shown(cycle), cycle)["panel-parity"]
    narrowed = _figures(_shown(cycle, **filters), cycle)["panel-parity"]
    assert (narrowed[0], narrowed[1].panels_logged) == (signers, panels)
    assert narrowed[0] <= everything[0]
    assert narrowed[1].panels_logged <= everything[1].panels_logged
    # Each signer's own figures add up to the pledge's.
    shown = _shown(cycle, **filters).values("champion")
    own = [s.panels for s in Commitment.objects.pledge_signatures(shown, cycle) if s.pledge.counts_panels]
    assert (len(own), sum(p.panels_logged for p in own)) == (signers, panels)


def test_a_champions_signatures_have_the_date_and_their_panels_in_the_cycle(network):
    cycle = network["cycle"]
    ann, cy = network["ann"], network["cy"]
    signatures = Commitment.objects.pledge_signatures([ann, cy, network["bob"]], cycle)
    rows = [(s.champion, s.pledge.slug, s.signed_on, s.panels and s.panels.panels_logged) for s in signatures]
    assert sorted(rows, key=lambda row: (row[0].full_name, row[1])) == [
        (ann, "panel-parity", datetime.date(2019, 5, 2), 3),
        (cy, "gender-based-violence", datetime.date(2020, 3, 8), None),
        (cy, "panel-parity", datetime.date(2020, 3, 8), 0),  # last year's and the draft's do not count
    ]


def test_a_signature_after_the_cycle_is_not_in_its_figures(network):
    cycle = network["cycle"]
    dee = network["dee"]
    assert Commitment.objects.pledge_signatures([dee], cycle) == []
    later = CycleFactory(year=YEAR + 1)
    CommitmentFactory(champion=dee, cycle=later, number=1)
    assert [s.champion for s in Commitment.objects.pledge_signatures([dee], later)] == [dee]


def _grow(cycle, champions):
    """More champions who signed both pledges, each with two commitments and panels on them."""
    for _ in range(champions):
        champion = ChampionFactory()
        PledgeSignatureFactory(champion=champion)
        PledgeSignatureFactory(champion=champion, pledge=pledge("gender-based-violence"))
        for number in (1, 2):
            commitment = CommitmentFactory(champion=champion, cycle=cycle, number=number)
            PanelFactory(commitment=commitment, women_count=1, men_count=1)


def test_the_figures_cost_the_same_queries_at_any_size(network, django_assert_num_queries):
    cycle = network["cycle"]
    for size in (0, 20):
        _grow(cycle, size)
        # The pledges with their signers, then the signers' panels per pledge.
        with django_assert_num_queries(2):
            figures = _figures(_shown(cycle), cycle)
        assert figures["panel-parity"][0] == 2 + size
        # The signatures with their pledges, then the signers' panels per champion.
        with django_assert_num_queries(2):
            signatures = Commitment.objects.pledge_signatures(_shown(cycle).values("champion"), cycle)
        assert len(signatures) == 3 + 2 * size
