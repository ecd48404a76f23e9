import io

import pytest
from django.core.management import call_command

from accounts.tests.factories import OfficeMemberFactory
from commitments import network_file
from commitments.models import Commitment, CycleMonth
from events.tests.factories import PanelFactory

pytestmark = pytest.mark.django_db


def test_it_repairs_roll_ups_that_drifted():
    panel = PanelFactory(women_count=3, men_count=1)
    Commitment.objects.filter(pk=panel.commitment_id).update(
        panels_logged=9, panel_women=0, events_in_cycle=0
    )
    out = io.StringIO()
    call_command("recount_rollups", stdout=out)
    commitment = Commitment.objects.get()
    assert (commitment.panels_logged, commitment.panel_women, commitment.events_in_cycle) == (1, 3, 1)
    assert (commitment.panels_balanced, commitment.panels_single_sex) == (1, 0)
    assert "Recounted the roll-ups of 1 commitments." in out.getvalue()


def test_it_adds_up_each_cycles_months_anew():
    panel = PanelFactory(women_count=3, men_count=1)
    CycleMonth.objects.update(events=7, panel_women=0)
    call_command("recount_rollups", stdout=io.StringIO())
    month = CycleMonth.objects.get()
    assert (month.cycle_id, month.month) == (panel.commitment.cycle_id, panel.occurred_on.replace(day=1))
    assert (month.events, month.panel_women, month.panel_men) == (1, 3, 1)


def test_recounting_none_is_nothing_to_do():
    PanelFactory(women_count=3, men_count=1)
    assert Commitment.objects.filter(pk__in=[]).recount_rollups() == 0
    assert Commitment.objects.get().panels_logged == 1  # nobody else's roll-ups touched


def test_applying_an_empty_import_plan_writes_nothing():
    result = network_file.apply(network_file.Plan(), OfficeMemberFactory())
    assert (result.commitments_created, result.commitments_updated, result.unchanged, result.people) == (
        0,
        0,
        0,
        [],
    )
    assert not Commitment.objects.exists()
