"""Progress, defined once on Commitment over roll-ups that event writes keep up to date."""

import datetime
import functools
import random
import threading

import pytest
from django.db import connection

from commitments import rollups
from commitments.models import (
    ROLLUP_FIELDS,
    STATUS_PERCENT,
    Commitment,
    CommitmentMonth,
    Cycle,
    CycleMonth,
    Status,
    TargetKind,
)
from commitments.tests.factories import CommitmentFactory
from commitments.tests.helpers import assert_cycle_months_add_up
from config.tests.helpers import race
from events.models import ProgressEvent
from events.tests.factories import PanelFactory, ProgressEventFactory

pytestmark = pytest.mark.django_db


def _fresh(commitment):
    return Commitment.objects.get(pk=commitment.pk)


def test_a_count_target_with_no_events_is_at_zero():
    commitment = CommitmentFactory(target_value=6)
    assert commitment.progress_percent == 0
    assert commitment.progress_figure == "0 of 6 meetings"


def test_a_count_target_counts_qualifying_events_in_the_cycle():
    commitment = CommitmentFactory(target_value=6, counts_kind="meeting")
    ProgressEventFactory.create_batch(2, commitment=commitment, scope="hq")
    ProgressEventFactory(commitment=commitment, scope="field")
    PanelFactory(commitment=commitment)  # another kind: does not count toward meetings
    ProgressEventFactory(
        commitment=commitment, occurred_on=commitment.cycle.starts_on - datetime.timedelta(days=1)
    )
    commitment = _fresh(commitment)
    assert commitment.progress_percent == 50
    assert commitment.progress_figure == "3 of 6 meetings, 1 in the field"


def test_a_count_target_without_a_kind_counts_every_kind():
    commitment = CommitmentFactory(target_value=4, counts_kind="", unit="")
    ProgressEventFactory(commitment=commitment)
    PanelFactory(commitment=commitment)
    assert _fresh(commitment).progress_figure == "2 of 4 events"


def test_over_achievement_is_capped_at_100():
    commitment = CommitmentFactory(target_value=1, counts_kind="high_level_event", unit="high-level events")
    # The unit agrees with the target: one high-level event.
    ProgressEventFactory.create_batch(3, commitment=commitment, kind="high_level_event")
    commitment = _fresh(commitment)
    assert commitment.progress_percent == 100
    assert commitment.progress_figure == "3 of 1 high-level event"


def test_a_percentage_target_uses_womens_share_of_panel_speakers():
    commitment = CommitmentFactory(target_kind=TargetKind.PERCENTAGE, target_value=50, counts_kind="panel")
    assert commitment.progress_percent == 0
    assert commitment.progress_figure == "No speakers logged yet (target 50% women)"
    PanelFactory(commitment=commitment, women_count=1, men_count=3)
    PanelFactory(commitment=commitment, women_count=2, men_count=2)
    ProgressEventFactory(commitment=commitment, women_count=40, men_count=0)  # a meeting: not a panel
    commitment = _fresh(commitment)
    # 3 women of 8 speakers = 37.5% (shown rounded down), against a target of 50%: 75% of the way.
    assert commitment.progress_percent == 75
    assert commitment.progress_figure == "37% women speakers across 2 panels (target 50%)"


def test_a_declined_panel_does_not_count_toward_parity():
    commitment = CommitmentFactory(target_kind=TargetKind.PERCENTAGE, target_value=50)
    PanelFactory(commitment=commitment, women_count=0, men_count=5, panel_outcome="declined")
    PanelFactory(commitment=commitment, women_count=3, men_count=3)
    commitment = _fresh(commitment)
    assert (commitment.panels_logged, commitment.panel_women, commitment.panel_men) == (1, 3, 3)
    assert commitment.progress_percent == 100


def test_a_percentage_above_its_target_is_capped_at_100():
    commitment = CommitmentFactory(target_kind=TargetKind.PERCENTAGE, target_value=50)
    PanelFactory(commitment=commitment, women_count=4, men_count=0)
    assert _fresh(commitment).progress_percent == 100


@pytest.mark.parametrize("status", list(Status))
def test_a_milestone_follows_its_status(status):
    commitment = CommitmentFactory(target_kind=TargetKind.MILESTONE, target_value=None, status=status)
    assert commitment.progress_percent == STATUS_PERCENT[status]
    assert (
        Commitment.objects.with_progress().get(pk=commitment.pk).annotated_progress == STATUS_PERCENT[status]
    )


def _mixed_dataset(rng, size=40):
    commitments = []
    for _ in range(size):
        kind = rng.choice(list(TargetKind))
        commitment = CommitmentFactory(
            number=1,
            target_kind=kind,
            target_value=None
            if kind == TargetKind.MILESTONE
            else rng.randint(1, 100 if kind == "percentage" else 8),
            counts_kind=rng.choice(["", "meeting", "panel", "training"]),
            status=rng.choice(list(Status)),
        )
        for _ in range(rng.randint(0, 6)):
            if rng.random() < 0.5:
                PanelFactory(
                    commitment=commitment,
                    women_count=rng.randint(0, 4),
                    men_count=rng.randint(1, 4),
                    panel_outcome=rng.choice(["", "balanced", "declined"]),
                )
            else:
                ProgressEventFactory(
                    commitment=commitment,
                    kind=rng.choice(["meeting", "training", "other"]),
                    scope=rng.choice(["hq", "field"]),
                    occurred_on=commitment.cycle.starts_on + datetime.timedelta(days=rng.randint(-20, 300)),
                )
        commitments.append(commitment)
    return commitments


def test_the_database_and_python_agree_on_a_mixed_dataset():
    _mixed_dataset(random.Random(7))
    annotated = {c.pk: c.annotated_progress for c in Commitment.objects.with_progress()}
    python = {c.pk: c.progress_percent for c in Commitment.objects.all()}
    assert annotated == python
    assert len(set(python.values())) > 5  # the dataset exercises more than a couple of values


def test_roll_ups_always_equal_a_recount_after_creates_edits_moves_and_deletes():
    rng = random.Random(11)
    commitments = _mixed_dataset(rng, size=15)
    events = list(ProgressEvent.objects.all())
    for event in rng.sample(events, len(events) // 3):
        event.women_count += 1
        event.occurred_on = event.commitment.cycle.starts_on + datetime.timedelta(days=rng.randint(-5, 200))
        event.save()
    for event in rng.sample(events, len(events) // 4):
        event.commitment = rng.choice(commitments)
        event.save()
    for event in rng.sample(events, len(events) // 4):
        ProgressEvent.objects.get(pk=event.pk).delete()
    commitments[0].counts_kind = "training"
    commitments[0].save()
    commitments[1].cycle = Cycle.for_year(commitments[1].cycle.year + 1)
    commitments[1].save()
    commitments[2].delete()
    Commitment.objects.filter(pk=commitments[3].pk).delete()

    stored = list(Commitment.objects.order_by("pk").values_list(*ROLLUPS))
    months = _months()
    assert_cycle_months_add_up()
    Commitment.objects.all().recount_rollups()
    assert list(Commitment.objects.order_by("pk").values_list(*ROLLUPS)) == stored
    assert _months() == months
    assert any(row[0] for row in stored)
    assert len(months) > 10
    assert_cycle_months_add_up()


def test_the_monthly_roll_ups_follow_a_commitment_to_another_cycle():
    commitment = CommitmentFactory()
    ProgressEventFactory(commitment=commitment, occurred_on=commitment.cycle.starts_on)
    assert list(commitment.months.values_list("cycle", flat=True)) == [commitment.cycle_id]
    later = Cycle.for_year(commitment.cycle.year + 1)
    ProgressEventFactory(commitment=commitment, occurred_on=later.starts_on)
    commitment.cycle = later
    commitment.save()
    assert list(commitment.months.values_list("cycle", "month")) == [(later.pk, later.starts_on)]


def _months():
    return list(
        CommitmentMonth.objects.order_by("commitment", "month").values_list(
            "commitment", "month", "events", "panel_women", "panel_men"
        )
    )


def test_the_monthly_roll_ups_count_events_and_panel_speakers_in_the_cycle():
    commitment = CommitmentFactory(target_kind=TargetKind.PERCENTAGE, target_value=50)
    start = commitment.cycle.starts_on
    PanelFactory(commitment=commitment, occurred_on=start, women_count=1, men_count=3)
    PanelFactory(commitment=commitment, occurred_on=start.replace(day=20), women_count=2, men_count=2)
    PanelFactory(
        commitment=commitment, occurred_on=start, women_count=0, men_count=9, panel_outcome="declined"
    )
    ProgressEventFactory(commitment=commitment, occurred_on=start.replace(month=3), women_count=50)
    ProgressEventFactory(commitment=commitment, occurred_on=start - datetime.timedelta(days=3))
    assert list(Commitment.objects.filter(pk=commitment.pk).per_month()) == [
        {"month": start, "events": 3, "panel_women": 3, "panel_men": 5, **_self_reported(3, 5)},
        {
            "month": start.replace(month=3),
            "events": 1,
            "panel_women": 0,
            "panel_men": 0,
            **_self_reported(0, 0),
        },
    ]


ROLLUPS = ROLLUP_FIELDS


def _self_reported(women, men):
    """A month's split when no organiser answered: every panel self-reported (the split itself:
    test_parity_everywhere.py)."""
    return {"confirmed_women": 0, "confirmed_men": 0, "self_reported_women": women, "self_reported_men": men}


def test_a_cycles_months_follow_events_that_move_between_months_and_go():
    commitment = CommitmentFactory()
    start = commitment.cycle.starts_on
    event = PanelFactory(commitment=commitment, occurred_on=start, women_count=2, men_count=1)
    PanelFactory(
        commitment=CommitmentFactory(cycle=commitment.cycle), occurred_on=start, women_count=1, men_count=1
    )
    assert list(CycleMonth.objects.filter(cycle=commitment.cycle).trend()) == [
        {"month": start, "events": 2, "panel_women": 3, "panel_men": 2, **_self_reported(3, 2)}
    ]
    event.occurred_on = start.replace(month=2)
    event.save()
    assert list(CycleMonth.objects.filter(cycle=commitment.cycle).trend()) == [
        {"month": start, "events": 1, "panel_women": 1, "panel_men": 1, **_self_reported(1, 1)},
        {
            "month": start.replace(month=2),
            "events": 1,
            "panel_women": 2,
            "panel_men": 1,
            **_self_reported(2, 1),
        },
    ]
    ProgressEvent.objects.get(pk=event.pk).delete()
    assert list(CycleMonth.objects.filter(cycle=commitment.cycle).trend()) == [
        {"month": start, "events": 1, "panel_women": 1, "panel_men": 1, **_self_reported(1, 1)}
    ]
    assert_cycle_months_add_up()


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_two_events_saved_at_once_on_two_commitments_both_count_in_their_cycles_month(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("racing connections need PostgreSQL (SQLite serialises writers)")
    first = CommitmentFactory()
    second = CommitmentFactory(cycle=first.cycle)
    both_saved = threading.Barrier(2, timeout=20)
    lock = rollups._lock_cycle_totals

    def lock_when_both_saved(commitment_ids, using):
        both_saved.wait()  # each has its event saved and its commitment recounted, neither has committed
        lock(commitment_ids, using)

    monkeypatch.setattr(rollups, "_lock_cycle_totals", lock_when_both_saved)
    day = first.cycle.starts_on
    errors = race(
        *(functools.partial(ProgressEventFactory, commitment=c, occurred_on=day) for c in (first, second))
    )
    assert errors == []
    assert list(CycleMonth.objects.filter(cycle=first.cycle).trend()) == [
        {"month": day, "events": 2, "panel_women": 0, "panel_men": 0, **_self_reported(0, 0)}
    ]
    assert_cycle_months_add_up()


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_many_people_logging_on_one_cycle_at_once_never_deadlock():
    """Eight focal points saving events on their commitments of one cycle at the same moment, on
    days all over the year: every save goes through. Before the cycle's totals were locked first
    (rollups._lock_cycle_totals), writers met on two months' totals in opposite orders and
    PostgreSQL cancelled one ("deadlock detected": the person saw "temporarily unavailable")."""
    if connection.vendor != "postgresql":
        pytest.skip("racing connections need PostgreSQL (SQLite serialises writers)")
    commitments = [CommitmentFactory()]
    commitments += CommitmentFactory.create_batch(7, cycle=commitments[0].cycle)
    cycle = commitments[0].cycle
    days = (cycle.ends_on - cycle.starts_on).days

    def log_ten(commitment, seed):
        rng = random.Random(seed)
        for _ in range(10):
            ProgressEventFactory(
                commitment=commitment,
                occurred_on=cycle.starts_on + datetime.timedelta(days=rng.randrange(days)),
            )

    errors = race(*(functools.partial(log_ten, c, seed) for seed, c in enumerate(commitments)))
    assert errors == []
    assert ProgressEvent.objects.count() == 80
    assert sum(row["events"] for row in CycleMonth.objects.filter(cycle=cycle).trend()) == 80
    assert_cycle_months_add_up()


def test_stored_progress_follows_status_and_target_changes_and_equals_a_fresh_working_out():
    commitments = _mixed_dataset(random.Random(13), size=20)
    for commitment in commitments[:10]:
        commitment = Commitment.objects.get(pk=commitment.pk)
        if commitment.is_approved and commitment.target_kind == TargetKind.MILESTONE:
            commitment.change_status(Status.ON_TRACK, None)
        elif commitment.target_kind == TargetKind.COUNT:
            commitment.target_value = commitment.target_value + 1
            commitment.save()
    stored = {c.pk: c.progress for c in Commitment.objects.all()}
    python = {c.pk: c.progress_percent for c in Commitment.objects.all()}
    Commitment.objects.refresh_progress()
    fresh = {c.pk: c.progress for c in Commitment.objects.all()}
    assert stored == python == fresh
