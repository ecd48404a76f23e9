import datetime

import factory

from champions.tests.factories import ChampionFactory
from commitments.models import Category, Commitment, Cycle, EventKind, TargetKind


def category(slug):
    """One of the categories a network starts with, by its short name (made again after a test that
    emptied the database, as transactional tests do)."""
    return Category.objects.starting().get(slug=slug)


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cycle
        django_get_or_create = ("year",)

    year = 2026
    starts_on = factory.LazyAttribute(lambda c: datetime.date(c.year, 1, 1))
    ends_on = factory.LazyAttribute(lambda c: datetime.date(c.year, 12, 31))
    commitments_due_on = factory.LazyAttribute(lambda c: c.starts_on + datetime.timedelta(days=30))
    report_due_on = factory.LazyAttribute(lambda c: datetime.date(c.year + 1, 1, 15))


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment
        skip_postgeneration_save = True

    champion = factory.SubFactory(ChampionFactory)
    cycle = factory.SubFactory(CycleFactory)
    number = factory.Sequence(lambda n: n % 5 + 1)
    title = ""
    # The text as published; a given title is the text too, unless a text is given.
    text = factory.LazyAttributeSequence(lambda c, n: c.title or f"Hold meetings with women staff ({n})")
    description = "Hear first hand about the challenges in their work environment."
    target_kind = TargetKind.COUNT
    target_value = 4
    unit = "meetings"
    counts_kind = EventKind.MEETING
    due_on = factory.LazyAttribute(lambda c: c.cycle.ends_on)

    @factory.post_generation
    def categories(obj, create, extracted, **kwargs):
        """CommitmentFactory(categories=["culture", ...]) by short name; organisational culture by default."""
        if create:
            obj.categories.set(
                [category(slug) if isinstance(slug, str) else slug for slug in extracted or ["culture"]]
            )


def commitment_due_in_seven_days(today, focal_point_email=None):
    """An open commitment whose 7-day reminder is due `today`; its cycle asks for nothing else then.

    The cycle started ten days before and its report is far off, so no other reminder is due.
    """
    from accounts.tests.factories import UserFactory

    cycle = CycleFactory(
        year=today.year,
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=60),
        report_due_on=today + datetime.timedelta(days=90),
    )
    focal_point = UserFactory(email=focal_point_email) if focal_point_email else UserFactory()
    champion = ChampionFactory(focal_points=[focal_point])
    return CommitmentFactory(
        champion=champion, cycle=cycle, number=1, due_on=today + datetime.timedelta(days=7)
    )
