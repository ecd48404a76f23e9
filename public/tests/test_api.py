import json

import pytest
from django.core.management import call_command

from accounts.tests.factories import UserFactory
from champions.tests.factories import ChampionFactory, HubFactory
from commitments.models import Approval
from commitments.tests.factories import CommitmentFactory, CycleFactory

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/",
    "/api/v1/champions/",
    "/api/v1/commitments/",
    "/api/v1/categories/",
    "/api/v1/cycles/",
    "/api/v1/hubs/",
    "/api/v1/organizations/",
    "/api/v1/pledges/",
]


def names(response, field="full_name"):
    return [row[field] for row in response.json()["results"]]


def test_it_answers_anonymous_clients_with_the_public_champions(client, network):
    response = client.get("/api/v1/champions/")

    assert response.status_code == 200
    (champion,) = response.json()["results"]
    assert champion["full_name"] == "Paula Public"
    assert champion["position"] == "Director-General"
    assert champion["organization"] == {
        "id": network.public.organization_id,
        "name": "Open Organization",
        "acronym": "OPEN",
    }
    assert champion["hub"]["name"] == "Geneva"
    assert champion["pledges"] == [{"pledge": "panel-parity", "signed_on": "2020-03-08"}]
    assert champion["page"].endswith(network.public.public_url())


def test_it_lists_approved_commitments_of_public_champions_only(client, network):
    response = client.get("/api/v1/commitments/")

    (commitment,) = response.json()["results"]
    assert commitment["title"] == "Publish hiring figures"
    assert commitment["champion"]["full_name"] == "Paula Public"
    assert commitment["cycle"] == network.cycle.year
    assert commitment["status"] == "in_progress"
    assert commitment["categories"] == [
        {
            "slug": "selection-recruitment",
            "label_en": "Selection and recruitment",
            "label_fr": "Sélection et recrutement",
        }
    ]


def test_no_answer_holds_a_champion_who_did_not_opt_in(client, network):
    for path in LISTS:
        content = client.get(path).content.decode()
        for private in network.private_fields:
            assert private not in content, (path, private)
    assert client.get(f"/api/v1/champions/{network.private.pk}/").status_code == 404
    assert client.get(f"/api/v1/commitments/{network.private_commitment.pk}/").status_code == 404


def test_no_answer_holds_an_email_a_note_or_an_unapproved_commitment(client, network):
    details = [f"/api/v1/champions/{network.public.pk}/", f"/api/v1/commitments/{network.approved.pk}/"]
    for path in [*LISTS, *details]:
        response = client.get(path)
        assert response.status_code == 200, path
        content = response.content.decode()
        assert "@" not in content, path
        assert "Confidential note" not in content, path
        assert "Fred Focal" not in content, path
        for title in network.unapproved_titles:
            assert title not in content, (path, title)
    for commitment in network.unapproved:
        assert client.get(f"/api/v1/commitments/{commitment.pk}/").status_code == 404


def test_office_members_get_every_champion(client, network):
    client.force_login(network.office_member)

    assert names(client.get("/api/v1/champions/")) == ["Nadia Private", "Paula Public"]
    titles = names(client.get("/api/v1/commitments/"), "title")
    assert sorted(titles) == ["Private commitment of Nadia", "Publish hiring figures"]
    assert client.get(f"/api/v1/champions/{network.private.pk}/").json()["page"] is None
    assert "Hidden Organization" in client.get("/api/v1/organizations/").content.decode()


def test_other_signed_in_people_get_the_public_champions(client, network):
    client.force_login(network.private.user)

    assert names(client.get("/api/v1/champions/")) == ["Paula Public"]


def test_an_office_answer_kept_in_the_cache_never_reaches_the_public(client, network):
    client.force_login(network.office_member)
    assert "Nadia Private" in client.get("/api/v1/champions/").content.decode()
    client.logout()

    assert "Nadia Private" not in client.get("/api/v1/champions/").content.decode()


def test_it_filters_commitments_by_cycle_hub_organization_category_and_champion(client, network):
    earlier = CycleFactory(year=network.cycle.year - 1)
    CommitmentFactory(champion=network.public, cycle=earlier, number=1, title="Last year's commitment")
    other = ChampionFactory(full_name="Otto Other", is_public=True, hub=HubFactory(name="Nairobi"))
    CommitmentFactory(
        champion=other, cycle=network.cycle, number=1, title="Otto's commitment", categories=["gbv"]
    )

    def titles(query):
        return sorted(names(client.get(f"/api/v1/commitments/?{query}"), "title"))

    assert titles(f"cycle={earlier.year}") == ["Last year's commitment"]
    assert titles(f"cycle={network.cycle.year}") == ["Otto's commitment", "Publish hiring figures"]
    assert titles(f"hub={network.public.hub_id}&cycle={network.cycle.year}") == ["Publish hiring figures"]
    assert titles(f"organization={other.organization_id}") == ["Otto's commitment"]
    assert titles("category=gbv") == ["Otto's commitment"]
    assert titles(f"champion={network.public.pk}") == ["Last year's commitment", "Publish hiring figures"]
    assert titles(f"hub={network.private.hub_id}") == []
    assert names(client.get("/api/v1/champions/?category=gbv")) == ["Otto Other"]
    assert names(client.get(f"/api/v1/champions/?organization={network.public.organization_id}")) == [
        "Paula Public"
    ]


@pytest.mark.parametrize(
    "query",
    ["cycle=last", "hub=-1", "category=no%20such%20thing", "organization=1.5", f"champion={'9' * 30}"],
)
def test_it_answers_a_bad_filter_with_400(client, network, query):
    response = client.get(f"/api/v1/commitments/?{query}")

    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_it_answers_a_detail_beyond_any_id_with_404(client, network):
    assert client.get(f"/api/v1/commitments/{'9' * 30}/").status_code == 404


def test_it_pages_fifty_at_a_time(client, network, more_public_champions):
    more_public_champions(30, network.cycle)  # 60 approved commitments with network's one: 61

    first = client.get("/api/v1/commitments/").json()
    second = client.get(first["next"]).json()

    assert first["count"] == 61
    assert len(first["results"]) == 50
    assert len(second["results"]) == 11
    assert second["next"] is None
    assert client.get("/api/v1/commitments/?page=9").status_code == 404


def test_it_costs_the_same_statements_at_any_size(
    client, network, more_public_champions, django_assert_num_queries
):
    # Counted, then the page's rows, then their categories or pledges (in the request's savepoint).
    def counted(path, statements):
        from django.core.cache import cache

        cache.clear()
        with django_assert_num_queries(statements):
            assert client.get(path).status_code == 200

    more_public_champions(2, network.cycle)  # 3 public champions
    counted("/api/v1/commitments/", 5)
    counted("/api/v1/champions/", 5)
    more_public_champions(7, network.cycle)  # 10
    counted("/api/v1/commitments/", 5)
    counted("/api/v1/champions/", 5)


def test_it_is_read_only(client, network):
    assert client.post("/api/v1/commitments/", {"title": "x"}).status_code == 405
    client.force_login(network.office_member)
    response = client.delete(f"/api/v1/commitments/{network.approved.pk}/")
    assert response.status_code in (403, 405)  # (403: the session's CSRF check comes first)


def test_it_answers_429_past_the_rate(client, network, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "5/minute"},
    }

    answers = [client.get("/api/v1/commitments/").status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
    client.force_login(UserFactory())
    answers = [client.get("/api/v1/commitments/").status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]


def test_it_counts_each_client_behind_the_proxy_apart(client, network, settings):
    """As the lockout does (accounts.lockout.client_address): nginx appends the client's address."""
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    settings.AXES_IPWARE_PROXY_COUNT = 0  # what PROXY_COUNT=1 sets (see settings.py)
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "2/minute"},
    }

    def status(address):
        return client.get(
            "/api/v1/hubs/", headers={"x-forwarded-for": address}, REMOTE_ADDR="127.0.0.1"
        ).status_code

    assert [status("203.0.113.1") for _ in range(3)] == [200, 200, 429]
    assert status("203.0.113.2") == 200


def test_its_schema_is_served_and_valid(client, network, tmp_path):
    response = client.get("/api/schema/", headers={"accept": "application/json"})

    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    assert "/api/v1/commitments/" in paths
    parameters = {parameter["name"] for parameter in paths["/api/v1/commitments/"]["get"]["parameters"]}
    assert {"cycle", "hub", "organization", "category", "page"} <= parameters
    # drf-spectacular checks the schema against the OpenAPI 3 specification (and fails on a warning).
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


def test_an_unapproved_commitment_leaves_its_champion_listed(client, network):
    CommitmentFactory(champion=network.public, cycle=network.cycle, number=5, approval=Approval.DRAFT)

    assert names(client.get("/api/v1/champions/")) == ["Paula Public"]
