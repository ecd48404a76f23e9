from decimal import Decimal

import factory

from commitments.models import EventKind
from commitments.tests.factories import CommitmentFactory
from events.models import CheckIn, ProgressEvent, Scope


class ProgressEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressEvent

    commitment = factory.SubFactory(CommitmentFactory)
    occurred_on = factory.LazyAttribute(lambda e: e.commitment.cycle.starts_on)
    kind = EventKind.MEETING
    title = factory.Sequence(lambda n: f"Town hall with women staff {n}")
    scope = Scope.HQ
    women_count = 12
    men_count = 3
    logged_by = factory.LazyAttribute(lambda e: e.commitment.champion.user)


class PanelFactory(ProgressEventFactory):
    kind = EventKind.PANEL
    title = factory.Sequence(lambda n: f"Panel on peace operations {n}")
    women_count = 2
    men_count = 2


class CheckInFactory(factory.django.DjangoModelFactory):
    """A value reported on an indicator commitment (give it one: see the pay_gap fixture)."""

    class Meta:
        model = CheckIn

    commitment = factory.SubFactory(CommitmentFactory)
    measured_on = factory.LazyAttribute(lambda c: c.commitment.cycle.starts_on)
    value = Decimal("10")
    comment = "From the payroll of the quarter."
    logged_by = factory.LazyAttribute(lambda c: c.commitment.champion.user)
