import datetime

import factory

from accounts.tests.factories import UserFactory
from champions.models import Champion, Hub, Organization, Pledge, PledgeSignature


def pledge(slug):
    """One of the pledges the migrations seed (champions/migrations/0006), by its short name."""
    return Pledge.objects.starting().get(slug=slug)


class HubFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hub
        django_get_or_create = ("name",)

    name = factory.Iterator(["Geneva", "New York", "Vienna", "Nairobi", "The Hague", "Paris"])


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    acronym = factory.Sequence(lambda n: f"ORG{n}")


class ChampionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Champion
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    full_name = factory.SelfAttribute("user.full_name")
    title = "Director-General"
    organization = factory.SubFactory(OrganizationFactory)
    hub = factory.SubFactory(HubFactory)

    @factory.post_generation
    def focal_points(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.focal_points.add(*extracted)


class PledgeSignatureFactory(factory.django.DjangoModelFactory):
    """A champion's signature of the Panel Parity Pledge, unless another pledge is given."""

    class Meta:
        model = PledgeSignature

    pledge = factory.LazyFunction(lambda: pledge("panel-parity"))
    champion = factory.SubFactory(ChampionFactory)
    signed_on = datetime.date(2020, 3, 8)
