"""Helpers shared by the tests of the roll-ups (events' and the dashboard's tests check them too)."""

from django.db.models import Sum

from commitments.models import CommitmentMonth, Cycle, CycleMonth


def assert_cycle_months_add_up():
    """Each cycle's months (CycleMonth) are the sums of its commitments' months, as a recount gives them."""
    sums = (
        CommitmentMonth.objects.order_by()
        .values("cycle", "month")
        .annotate(all_events=Sum("events"), women=Sum("panel_women"), men=Sum("panel_men"))
    )
    expected = {(row["cycle"], row["month"]): (row["all_events"], row["women"], row["men"]) for row in sums}
    kept = CycleMonth.objects.values_list("cycle", "month", "events", "panel_women", "panel_men")
    assert {(cycle, month): rest for cycle, month, *rest in kept if rest != [0, 0, 0]} == {
        key: list(value) for key, value in expected.items()
    }
    for cycle in Cycle.objects.all():
        assert list(CycleMonth.objects.filter(cycle=cycle).trend()) == list(
            CommitmentMonth.objects.filter(cycle=cycle).totals()
        )
