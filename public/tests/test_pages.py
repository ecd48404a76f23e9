import re
import time
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from champions.models import Champion
from commitments.models import Status

pytestmark = pytest.mark.django_db

LIST = "/public/"


def public_answers(client, network):
    """Every public page and the sitemap, in both languages."""
    paths = [LIST, f"{LIST}?lang=fr", network.public.public_url(), f"{network.public.public_url()}?lang=fr"]
    return {path: client.get(path) for path in [*paths, "/sitemap.xml"]}


def test_it_lists_public_champions_with_their_approved_commitments_and_pledges(client, network):
    response = client.get(LIST)

    assert response.status_code == 200
    page = response.content.decode()
    for shown in [
        "Paula Public",
        "Director-General",
        "Open Organization",
        "Geneva",
        "Publish hiring figures",
    ]:
        assert shown in page
    assert "Selection and recruitment" in page
    assert "In progress" in page
    assert "Panel Parity Pledge" in page
    assert network.public.public_url() in page


def test_its_champion_page_shows_the_commitments_published_text(client, network):
    response = client.get(network.public.public_url())

    assert response.status_code == 200
    page = response.content.decode()
    assert "Paula Public" in page
    assert network.approved.text in page
    assert "Panel Parity Pledge" in page


def test_it_needs_no_sign_in(client, network):
    for path, response in public_answers(client, network).items():
        assert response.status_code == 200, path


def test_it_never_shows_a_champion_who_did_not_opt_in(client, network):
    for path, response in public_answers(client, network).items():
        content = response.content.decode()
        for private in network.private_fields:
            assert private not in content, (path, private)
    private_page = reverse("public_champion", kwargs={"slug": network.private.public_slug})
    assert client.get(private_page).status_code == 404


def test_it_never_shows_a_draft_submitted_or_returned_commitment(client, network):
    for path, response in public_answers(client, network).items():
        for title in network.unapproved_titles:
            assert title not in response.content.decode(), (path, title)


def test_it_shows_no_email_no_note_and_no_focal_point(client, network):
    for path, response in public_answers(client, network).items():
        content = response.content.decode()
        assert "@" not in content, path
        assert "Confidential note" not in content, path
        assert "Fred Focal" not in content, path


def test_it_leaves_out_champions_no_longer_active(client, network):
    Champion.objects.filter(pk=network.public.pk).update(is_active=False)

    assert "Paula Public" not in client.get(LIST).content.decode()
    assert client.get(network.public.public_url()).status_code == 404


def test_it_answers_an_earlier_name_with_the_pages_address(client, network):
    old = network.public.public_url()
    network.public.full_name = "Paula Renamed"
    network.public.save()

    response = client.get(f"{old}?lang=fr")

    assert response.status_code == 301
    assert response["Location"] == f"{network.public.public_url()}?lang=fr"
    assert network.public.public_url().endswith("-paula-renamed/")


@pytest.mark.parametrize("slug", ["999999-nobody", "paula-public", "0", "9" * 30 + "-too-large"])
def test_it_answers_an_unknown_champion_with_404(client, network, slug):
    assert client.get(f"/public/champions/{slug}/").status_code == 404


def test_it_speaks_french(client, network):
    response = client.get(f"{LIST}?lang=fr")

    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert "Sélection et recrutement" in page
    assert "Engagement pour la parité des panels" in page


def test_it_follows_the_visitors_language_without_a_parameter(client, network):
    response = client.get(LIST, headers={"accept-language": "fr"})

    assert '<html lang="fr">' in response.content.decode()
    assert f'<link rel="canonical" href="{settings.SITE_URL}{LIST}?lang=fr">' in response.content.decode()


def test_it_tells_search_engines_its_title_description_and_addresses(client, network):
    page = client.get(network.public.public_url()).content.decode()

    assert re.search(r"<title>Paula Public: commitments for \d{4} · ", page)
    description = re.search(r'<meta name="description" content="([^"]+)">', page)[1]
    assert "Paula Public" in description and "Open Organization" in description
    url = settings.SITE_URL + network.public.public_url()
    assert f'<link rel="canonical" href="{url}">' in page
    assert f'<link rel="alternate" hreflang="fr" href="{url}?lang=fr">' in page
    assert f'<link rel="alternate" hreflang="x-default" href="{url}">' in page
    # The language switch stays on this site (no form: the page is cached for everyone).
    assert f'href="{network.public.public_url()}?lang=fr" hreflang="fr"' in page
    assert "csrfmiddlewaretoken" not in page


def test_its_sitemap_lists_the_public_pages_in_each_language(client, network):
    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    locations = re.findall(r"<loc>([^<]+)</loc>", response.content.decode())
    paths = [location.split("testserver", 1)[1] for location in locations]
    page = network.public.public_url()
    assert paths == [LIST, f"{LIST}?lang=fr", page, f"{page}?lang=fr"]


def test_it_groups_champions_by_hub_then_organization_and_pages_them(client, network, more_public_champions):
    more_public_champions(101, network.cycle)

    first = client.get(LIST).content.decode()
    second = client.get(f"{LIST}?page=2&lang=fr").content.decode()

    assert first.count('<article class="mb-3">') == 100
    assert second.count('<article class="mb-3">') == 2
    assert "Page 2 of 2" in first or "Page 1 of 2" in first
    assert 'href="?lang=fr&amp;page=1"' in second
    hubs = re.findall(r'<h2 class="h3">([^<]+)</h2>', first)
    assert hubs == sorted(hubs)


def test_it_costs_the_same_statements_at_any_size(
    client, network, more_public_champions, django_assert_num_queries
):
    # The cycles, the champions (counted, then the page), their commitments, categories and pledges,
    # within the request's savepoint (ATOMIC_REQUESTS in a test's transaction).
    def counted(path, statements):
        cache.clear()
        with django_assert_num_queries(statements):
            assert client.get(path).status_code == 200

    more_public_champions(2, network.cycle)  # 3 public champions
    counted(LIST, 8)
    counted(network.public.public_url(), 7)
    more_public_champions(7, network.cycle)  # 10
    counted(LIST, 8)
    counted(network.public.public_url(), 7)


def test_it_is_kept_at_most_a_minute(client, network):
    response = client.get(LIST)

    max_age = int(re.search(r"max-age=(\d+)", response["Cache-Control"])[1])
    assert 0 < max_age <= 60


def test_a_change_shows_within_a_minute(client, network):
    client.get(LIST)
    network.approved.change_status(Status.COMPLETED, network.office_member)

    assert "Completed" not in client.get(LIST).content.decode()  # kept: the cache answers
    with mock.patch("time.time", return_value=time.time() + 61):  # a minute later
        assert "Completed" in client.get(LIST).content.decode()


def test_the_shared_cache_keeps_a_page_at_most_a_minute(client, network, real_cache):
    if not hasattr(cache, "_cache") or not hasattr(cache._cache, "get_client"):
        pytest.skip("the configured cache is not Redis (the embedded default's file cache)")
    client.get(LIST)

    redis = cache._cache.get_client()
    kept = redis.keys("*cache_page*")
    assert kept
    assert all(0 < redis.ttl(key) <= 60 for key in kept)


def test_signed_in_pages_link_to_the_public_pages(client, network):
    client.force_login(network.office_member)

    assert f'href="{LIST}"' in client.get("/dashboard/").content.decode()


def test_it_escapes_what_champions_wrote(client, network):
    network.approved.title = '<script>alert("x")</script>'
    network.approved.save()

    page = client.get(network.public.public_url()).content.decode()

    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
