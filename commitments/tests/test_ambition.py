"""Did ambition rise? The rule (commitments.models.ambition.ambition_mark), which of last year's
commitments a commitment is set beside, and the annual report's figures, in four queries at any size."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import OfficeMemberFactory
from champions.tests.factories import ChampionFactory
from commitments.models import (
    Ambition,
    Approval,
    Commitment,
    Cycle,
    EventKind,
    TargetKind,
    ambition_mark,
    compare_with_last_year,
    returning_champions_ambition,
)
from commitments.tests.factories import CommitmentFactory, CycleFactory, category

COUNT, PERCENTAGE, INDICATOR, MILESTONE = (
    TargetKind.COUNT,
    TargetKind.PERCENTAGE,
    TargetKind.INDICATOR,
    TargetKind.MILESTONE,
)


def target(kind, value=None, *, counts=EventKind.MEETING, unit="meetings", baseline=None):
    """A commitment's target, unsaved: all the rule reads."""
    return Commitment(
        target_kind=kind,
        target_value=None if value is None else Decimal(value),
        counts_kind=counts if kind == COUNT else "",
        unit=unit,
        baseline=None if baseline is None else Decimal(baseline),
    )


@pytest.mark.parametrize(
    ("before", "now", "mark"),
    [
        (target(COUNT, 4), target(COUNT, 6), Ambition.RAISED),
        (target(COUNT, 6), target(COUNT, 6), Ambition.SAME),
        (target(COUNT, 6), target(COUNT, 4), Ambition.LOWERED),
        (target(COUNT, 4, counts=""), target(COUNT, 5, counts=""), Ambition.RAISED),  # any event, both years
        (target(PERCENTAGE, 40), target(PERCENTAGE, 50), Ambition.RAISED),
        (target(PERCENTAGE, 50), target(PERCENTAGE, 50), Ambition.SAME),
        (target(PERCENTAGE, 50), target(PERCENTAGE, 45), Ambition.LOWERED),
        # Women among D-level staff, up from a baseline of 28%.
        (target(INDICATOR, 35, unit="%", baseline=28), target(INDICATOR, 40, unit="%", baseline=35), Ambition.RAISED),
        (target(INDICATOR, 40, unit="%", baseline=28), target(INDICATOR, 40, unit="% ", baseline=33), Ambition.SAME),
        (target(INDICATOR, 40, unit="%", baseline=28), target(INDICATOR, 36, unit="%", baseline=30), Ambition.LOWERED),
        # A pay gap, down from 20%: the lower target is the higher ambition.
        (target(INDICATOR, 15, unit="%", baseline=20), target(INDICATOR, 10, unit="%", baseline=16), Ambition.RAISED),
        (target(INDICATOR, 10, unit="%", baseline=20), target(INDICATOR, 12, unit="%", baseline=14), Ambition.LOWERED),
    ],
)  # fmt: skip
def test_same_kind_and_measure_compares_target_values(before, now, mark):
    assert ambition_mark(now, before) == (mark, "")


@pytest.mark.parametrize(
    ("before", "now", "reason"),
    [
        (target(COUNT, 4), target(PERCENTAGE, 50), "last year's target was of another kind (count, now percentage)"),
        (target(MILESTONE), target(MILESTONE), "a milestone has no target value to compare"),
        (target(COUNT, 4), target(COUNT, 6, counts=EventKind.TRAINING), "counted other events (meetings, now trainings)"),
        (target(COUNT, 4), target(COUNT, 6, counts=""), "counted other events (meetings, now any event)"),
        (target(INDICATOR, 40, unit="%", baseline=28), target(INDICATOR, 50, unit="staff", baseline=28), "another unit (%, now staff)"),
        (target(INDICATOR, 15, unit="%", baseline=20), target(INDICATOR, 25, unit="%", baseline=20), "aimed the other way"),
    ],
)  # fmt: skip
def test_anything_else_gets_no_mark_and_says_why(before, now, reason):
    mark, said = ambition_mark(now, before)
    assert mark is None
    assert said.startswith("Not compared: ")
    assert reason in said


@pytest.fixture
def years(db):
    return CycleFactory(year=2025), CycleFactory(year=2026)


def _commitment(champion, cycle, number, categories=("culture",), **fields):
    return CommitmentFactory(
        champion=champion, cycle=cycle, number=number, categories=list(categories), **fields
    )


@pytest.mark.django_db
def test_a_returning_champion_is_compared_in_the_categories_they_had_last_year(years):
    last, this = years
    champion = ChampionFactory()
    before = _commitment(champion, last, 1, target_value=4)
    _commitment(champion, last, 2, categories=["gbv"], target_value=9)
    raised = _commitment(champion, this, 1, categories=["leadership", "culture"], target_value=6)
    elsewhere = _commitment(champion, this, 2, categories=["work-life"], target_value=2)
    compared = compare_with_last_year([raised, elsewhere], this)
    assert (compared[raised.pk].previous, compared[raised.pk].mark) == (before, Ambition.RAISED)
    assert compared[raised.pk].mark_label == "Ambition raised"
    assert compared[elsewhere.pk].previous is None
    assert compared[elsewhere.pk].mark is None
    assert compared[elsewhere.pk].reason == "Not compared: no commitment in these categories last year."


@pytest.mark.django_db
def test_a_champion_new_this_year_or_without_a_previous_cycle_is_not_compared(years):
    last, this = years
    newcomer = _commitment(ChampionFactory(), this, 1)
    _commitment(ChampionFactory(), last, 1)  # somebody else's last year
    assert compare_with_last_year([newcomer], this) == {}
    first = CycleFactory(year=2020)  # no 2019 cycle
    assert compare_with_last_year([_commitment(ChampionFactory(), first, 1)], first) == {}


@pytest.mark.django_db
def test_only_last_years_approved_commitments_count(years):
    last, this = years
    champion = ChampionFactory()
    _commitment(champion, last, 1, approval=Approval.DRAFT, target_value=2)
    _commitment(champion, last, 2, approval=Approval.RETURNED, target_value=2)
    assert compare_with_last_year([_commitment(champion, this, 1)], this) == {}


@pytest.mark.django_db
def test_it_is_set_beside_the_one_it_continues_else_the_same_kind_sharing_most_categories(years):
    last, this = years
    champion = ChampionFactory()
    # Of another kind, though it shares both categories: not preferred.
    _commitment(
        champion,
        last,
        1,
        categories=["culture", "leadership"],
        target_kind=PERCENTAGE,
        target_value=50,
        counts_kind="",
    )
    _commitment(champion, last, 2, target_value=3)
    two_shared = _commitment(champion, last, 3, categories=["culture", "leadership"], target_value=8)
    carried = _commitment(champion, last, 4, categories=["culture"], target_value=1)
    now = _commitment(champion, this, 1, categories=["culture", "leadership"], target_value=5)
    assert compare_with_last_year([now], this)[now.pk].previous == two_shared  # fewer: lowered
    assert compare_with_last_year([now], this)[now.pk].mark == Ambition.LOWERED
    now.carried_from = carried
    now.save()
    compared = compare_with_last_year([now], this)[now.pk]
    assert (compared.previous, compared.mark) == (carried, Ambition.RAISED)


@pytest.fixture
def network(years):
    """Returning champions: Ama raised one commitment and kept another, Ben lowered his, Cleo changed
    the kind of her target (not compared), Dan had nothing in the same category; Eve is new."""
    last, this = years
    names = ["Ama", "Ben", "Cleo", "Dan", "Eve"]
    people = {name: ChampionFactory(full_name=name) for name in names}
    _commitment(people["Ama"], last, 1, target_value=4)
    _commitment(people["Ama"], last, 2, categories=["gbv"], target_value=2)
    _commitment(people["Ama"], this, 1, target_value=6)
    _commitment(people["Ama"], this, 2, categories=["gbv"], target_value=2)
    _commitment(people["Ben"], last, 1, target_value=10)
    _commitment(people["Ben"], this, 1, target_value=5)
    _commitment(people["Cleo"], last, 1, target_value=10)
    _commitment(people["Cleo"], this, 1, target_kind=MILESTONE, target_value=None, counts_kind="")
    _commitment(people["Dan"], last, 1, categories=["gbv"])
    _commitment(people["Dan"], this, 1, categories=["work-life"])
    _commitment(people["Eve"], this, 1)
    _commitment(people["Eve"], this, 2, approval=Approval.DRAFT)
    return this, people


@pytest.mark.django_db
def test_the_annual_report_gets_the_share_of_comparable_commitments_that_raised_ambition(network):
    this, people = network
    figures = returning_champions_ambition(this)
    assert (figures.comparable, figures.raised, figures.same, figures.lowered) == (3, 1, 1, 1)
    assert figures.not_compared == 1  # Cleo's
    assert figures.raised_share == 33
    assert (figures.champions, figures.champions_raised, figures.champions_raised_share) == (2, 1, 50)


@pytest.mark.django_db
def test_the_network_annual_report_gives_the_share_of_returning_champions_who_raised_it(network, client):
    """The report's key figures and their note, from the same figures (2 returning champions compare,
    Ama raised one of her targets: 50%); a category filter applies to them as to the rest."""
    this, people = network
    client.force_login(OfficeMemberFactory())
    page = client.get(f"/reports/{this.year}/").content.decode()
    assert 'data-figure="ambition-raised">50' in page
    assert "1 of the 2 returning champions with a commitment comparable to last year's raised" in page
    assert "(1 of 3 comparable commitments)" in page
    gbv = client.get(f"/reports/{this.year}/?category=gbv").content.decode()
    assert 'data-figure="ambition-raised">0' in gbv
    assert "0 of the 1 returning champion with a commitment comparable" in gbv


@pytest.mark.django_db
def test_the_report_may_filter_the_commitments_it_counts(network):
    this, people = network
    ama = Commitment.objects.filter(cycle=this, approval=Approval.APPROVED, champion=people["Ama"])
    figures = returning_champions_ambition(this, ama)
    assert (figures.comparable, figures.raised, figures.same, figures.lowered) == (2, 1, 1, 0)
    assert (figures.raised_share, figures.champions_raised_share) == (50, 100)
    # As the annual report filters its commitments (by category, here).
    from reports.annual import for_annual_report

    gbv = returning_champions_ambition(this, for_annual_report(this).filter(categories=category("gbv")))
    assert (gbv.comparable, gbv.same, gbv.champions, gbv.champions_raised) == (1, 1, 1, 0)
    nobody = returning_champions_ambition(this, Commitment.objects.none())
    assert (nobody.comparable, nobody.raised_share, nobody.champions_raised_share) == (0, None, None)


@pytest.mark.django_db
def test_the_figures_cost_four_queries_at_any_size(network):
    this, people = network
    last = Cycle.objects.get(year=2025)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            returning_champions_ambition(this)
        return len(captured)

    assert queries() == 4
    for _ in range(10):
        champion = ChampionFactory()
        _commitment(champion, last, 1, categories=["culture", "gbv"], target_value=3)
        _commitment(champion, this, 1, categories=["culture"], target_value=4)
        _commitment(champion, this, 2, categories=["gbv"], target_value=2)
    assert queries() == 4
    assert returning_champions_ambition(this).comparable == 3 + 20


@pytest.mark.django_db
def test_the_review_pages_comparison_costs_three_queries_at_any_size(network):
    this, people = network
    last = Cycle.objects.get(year=2025)

    def queries():
        commitments = list(Commitment.objects.filter(cycle=this))
        with CaptureQueriesContext(connection) as captured:
            compare_with_last_year(commitments, this)
        return len(captured)

    assert queries() == 3
    for _ in range(10):
        champion = ChampionFactory()
        _commitment(champion, last, 1, target_value=3)
        _commitment(champion, this, 1, target_value=4)
    assert queries() == 3
