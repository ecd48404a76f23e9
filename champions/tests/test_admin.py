import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from champions.tests.factories import ChampionFactory, HubFactory, OrganizationFactory

CHANGELIST = reverse("admin:champions_champion_changelist")


@pytest.fixture
def champions(db):
    return {
        "chidi": ChampionFactory(
            full_name="Chidi Champion",
            title="Under-Secretary-General for Peacekeeping Operations",
            user__email="chidi@un.example.org",
            organization__acronym="DPKO",
            hub__name="New York",
        ),
        "olga": ChampionFactory(
            full_name="Olga Other",
            title="Director-General",
            user__email="olga@who.example.org",
            organization__acronym="WHO",
            hub__name="Geneva",
        ),
    }


@pytest.mark.parametrize("term", ["chidi", "Champion", "peacekeeping", "chidi@un", "dpko"])
def test_it_finds_champions_by_name_title_email_and_organization(client, admin_user, champions, term):
    client.force_login(admin_user)

    response = client.get(CHANGELIST, {"q": term})

    assert list(response.context["cl"].result_list) == [champions["chidi"]]


def test_it_counts_each_champions_focal_points(client, admin_user, champions):
    champions["chidi"].focal_points.add(*UserFactory.create_batch(2))
    client.force_login(admin_user)

    response = client.get(CHANGELIST)

    counts = {c.full_name: c._focal_point_count for c in response.context["cl"].result_list}
    assert counts == {"Chidi Champion": 2, "Olga Other": 0}


def test_it_filters_champions_by_hub(client, admin_user, champions):
    client.force_login(admin_user)

    response = client.get(CHANGELIST, {"hub__id__exact": champions["olga"].hub_id})

    assert list(response.context["cl"].result_list) == [champions["olga"]]


def test_it_counts_each_hubs_champions(client, admin_user):
    geneva = HubFactory(name="Geneva")
    ChampionFactory.create_batch(3, hub=geneva)
    HubFactory(name="Paris")
    client.force_login(admin_user)

    response = client.get(reverse("admin:champions_hub_changelist"))

    counts = {hub.name: hub._champion_count for hub in response.context["cl"].result_list}
    assert counts == {"Geneva": 3, "Paris": 0}


def test_it_offers_organizations_as_parents_by_acronym(client, admin_user):
    OrganizationFactory(acronym="DPO", name="Department of Peace Operations")
    OrganizationFactory(acronym="WHO", name="World Health Organization")
    client.force_login(admin_user)

    response = client.get(
        "/admin/autocomplete/",
        {
            "term": "dpo",
            "app_label": "champions",
            "model_name": "organization",
            "field_name": "parent",
        },
    )

    assert [result["text"] for result in response.json()["results"]] == [
        "DPO – Department of Peace Operations"
    ]
