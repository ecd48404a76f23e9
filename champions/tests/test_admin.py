import datetime

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.tests.factories import UserFactory
from champions.admin import PledgeSignatureInline
from champions.models import Champion, Pledge
from champions.tests.factories import (
    ChampionFactory,
    HubFactory,
    OrganizationFactory,
    PledgeSignatureFactory,
    pledge,
)
from commitments.admin import CommitmentInline

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


def test_it_lists_the_pledges_in_both_languages_with_how_many_signed(client, admin_user, champions):
    PledgeSignatureFactory(champion=champions["chidi"])
    PledgeSignatureFactory(champion=champions["olga"])
    PledgeSignatureFactory(champion=champions["olga"], pledge=pledge("gender-based-violence"))
    client.force_login(admin_user)

    response = client.get(reverse("admin:champions_pledge_changelist"))

    rows = [
        (p.name_en, p.name_fr, p.counts_panels, p.order, p.is_active, p._signer_count)
        for p in response.context["cl"].result_list
    ]
    assert rows == [
        ("Panel Parity Pledge", "Engagement pour la parité des panels", True, 10, True, 2),
        (
            "Pledge on gender-based violence",
            "Engagement contre la violence fondée sur le genre",
            False,
            20,
            True,
            1,
        ),
    ]
    assert "column-signer_count" in response.content.decode()


def test_an_admin_adds_a_pledge_offered_to_champions(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:champions_pledge_add"),
        {
            "name_en": "Pledge on pay equity",
            "name_fr": "Engagement pour l'égalité salariale",
            "slug": "pay-equity",
            "order": 30,
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    added = Pledge.objects.get(slug="pay-equity")
    assert (added.counts_panels, added.is_active, added.order) == (False, True, 30)


def test_the_registered_champion_admin_has_the_signatures_and_the_commitments_inline():
    inlines = admin.site._registry[Champion].inlines
    assert PledgeSignatureInline in inlines
    assert CommitmentInline in inlines


def _champion_form(champion, signatures):
    """The champion's admin form as posted, with `signatures` as the pledge inline's new rows."""
    data = {
        "full_name": champion.full_name,
        "title": champion.title,
        "organization": champion.organization_id,
        "hub": champion.hub_id,
        "user": champion.user_id,
        "is_active": "on",
        "commitments-TOTAL_FORMS": 0,
        "commitments-INITIAL_FORMS": 0,
        "pledge_signatures-TOTAL_FORMS": len(signatures),
        "pledge_signatures-INITIAL_FORMS": 0,
    }
    for i, (slug, signed_on) in enumerate(signatures):
        data[f"pledge_signatures-{i}-pledge"] = pledge(slug).pk
        data[f"pledge_signatures-{i}-signed_on"] = signed_on
    return data


def test_an_admin_records_a_signature_on_the_champions_page(client, admin_user, champions):
    chidi = champions["chidi"]
    client.force_login(admin_user)
    url = reverse("admin:champions_champion_change", args=[chidi.pk])

    response = client.post(url, _champion_form(chidi, [("panel-parity", "2017-12-11")]))

    assert response.status_code == 302
    assert [(s.pledge.slug, s.signed_on) for s in chidi.pledge_signatures.all()] == [
        ("panel-parity", datetime.date(2017, 12, 11))
    ]
    page = client.get(url).content.decode()
    assert 'id="pledge_signatures-group"' in page
    assert 'value="2017-12-11"' in page


@pytest.mark.parametrize(
    "signed, posted",
    [
        # Twice on the same page.
        ([], [("panel-parity", "2020-01-01"), ("panel-parity", "2021-01-01")]),
        # Signed meanwhile, in another tab: not on the page that posts.
        ([("panel-parity", "2020-01-01")], [("panel-parity", "2021-01-01")]),
    ],
)
def test_a_champion_signs_a_pledge_once(client, admin_user, champions, signed, posted):
    chidi = champions["chidi"]
    for slug, signed_on in signed:
        PledgeSignatureFactory(champion=chidi, pledge=pledge(slug), signed_on=signed_on)
    client.force_login(admin_user)
    url = reverse("admin:champions_champion_change", args=[chidi.pk])

    response = client.post(url, _champion_form(chidi, posted))

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    errors = " ".join([*formset.non_form_errors(), *[str(form.errors) for form in formset]])
    assert "pledge" in errors.lower() and ("duplicate" in errors or "already exists" in errors)
    assert chidi.pledge_signatures.count() == len(signed)


def test_it_filters_champions_by_the_pledge_they_signed(client, admin_user, champions):
    PledgeSignatureFactory(champion=champions["olga"])
    client.force_login(admin_user)

    response = client.get(CHANGELIST, {"pledges__id__exact": pledge("panel-parity").pk})

    assert list(response.context["cl"].result_list) == [champions["olga"]]


def test_an_admin_makes_a_champion_public_and_filters_by_it(client, admin_user, champions):
    chidi = champions["chidi"]
    assert not chidi.is_public  # off until the champion agrees
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:champions_champion_change", args=[chidi.pk]),
        {**_champion_form(chidi, []), "is_public": "on"},
    )

    assert response.status_code == 302
    chidi.refresh_from_db()
    assert chidi.is_public
    response = client.get(CHANGELIST, {"is_public__exact": "1"})
    assert list(response.context["cl"].result_list) == [chidi]
