import datetime

import factory

from champions.tests.factories import ChampionFactory
from commitments.models import Category, Commitment, Cycle, EventKind, TargetKind


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cycle
        django_get_or_create = ("year",)

    year = 2026
    starts_on = factory.LazyAttribute(lambda c: datetime.date(c.year, 1, 1))
    ends_on = factory.LazyAttribute(lambda c: datetime.date(c.year, 12, 31))
    report_due_on = factory.LazyAttribute(lambda c: datetime.date(c.year + 1, 1, 15))


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    champion = factory.SubFactory(ChampionFactory)
    cycle = factory.SubFactory(CycleFactory)
    number = factory.Sequence(lambda n: n % 5 + 1)
    title = factory.Sequence(lambda n: f"Hold meetings with women staff ({n})")
    description = "Hear first hand about the challenges in their work environment."
    category = Category.CULTURE
    target_kind = TargetKind.COUNT
    target_value = 4
    unit = "meetings"
    counts_kind = EventKind.MEETING
    due_on = factory.LazyAttribute(lambda c: c.cycle.ends_on)
