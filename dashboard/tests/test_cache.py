"""The dashboard's pages are kept in the cache until the data under them changes (dashboard/cache.py).

These tests commit for real (transaction=True): when a transaction commits is what they are about.
"""

import datetime
import logging
import re

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from champions.models import Hub
from commitments.models import Commitment, Status
from dashboard.cache import VERSION_KEY
from events.tests.factories import ProgressEventFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def office(cast):
    client = Client()
    client.force_login(cast.office_member)
    return client


def _view(client, url="/dashboard/"):
    """The page's headline figures and the tables its queries read."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    figures = dict(re.findall(r'data-figure="(\w+)">([^<]*)<', response.content.decode()))
    tables = {
        table for query in queries for table in re.findall(r'(?:FROM|JOIN|UPDATE) "(\w+)"', query["sql"])
    }
    return figures, tables


def _computed(tables):
    return "commitments_commitment" in tables


def _version():
    return cache.get(VERSION_KEY)


def test_a_page_is_computed_once_then_served_from_the_cache(office, cast):
    first, computed = _view(office)
    again, cached = _view(office)
    assert again == first
    assert first["commitments"] == "2"
    assert _computed(computed)
    # Only the session and the user (with the office group): nothing of the dashboard's own.
    assert cached <= {"accounts_user", "accounts_user_groups", "auth_group", "django_session"}


def test_each_query_string_is_a_page_of_its_own(office, cast):
    _view(office)
    filtered, queries = _view(office, f"/dashboard/?hub={cast.champion.hub.pk}")
    assert filtered["commitments"] == "1"
    assert _computed(queries)
    assert _view(office)[0]["commitments"] == "2"


def test_logging_an_event_shows_on_the_next_view(office, cast):
    before, _ = _view(office)
    logger = Client()
    logger.force_login(cast.focal_point)
    response = logger.post(
        f"/commitments/{cast.commitment.pk}/log/",
        {
            "kind": "meeting",
            "occurred_on": timezone.localdate().isoformat(),
            "title": "Field visit",
            "women_count": 3,
            "men_count": 2,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    after, queries = _view(office)
    assert int(after["events"]) == int(before["events"]) + 1
    assert _computed(queries)


def test_every_way_of_writing_gives_a_new_version_once_committed(cast):
    version = _version()
    Commitment.objects.filter(pk=cast.commitment.pk).update(status=Status.AT_RISK)  # autocommit
    assert _version() != version

    version = _version()
    with transaction.atomic():
        ProgressEventFactory(commitment=cast.commitment)
        Hub.objects.bulk_create([Hub(name="Bangkok")])
        assert _version() == version  # not before the commit
    assert _version() != version

    version = _version()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM champions_hub WHERE name = %s", ["Bangkok"])
    assert _version() != version


def test_a_rolled_back_write_keeps_the_version(cast):
    version = _version()
    with pytest.raises(RuntimeError), transaction.atomic():
        Commitment.objects.filter(pk=cast.commitment.pk).update(status=Status.AT_RISK)
        raise RuntimeError
    assert _version() == version
    # Nor does a write in a savepoint rolled back, inside a transaction that commits.
    with transaction.atomic(), pytest.raises(RuntimeError), transaction.atomic():
        ProgressEventFactory(commitment=cast.commitment)
        raise RuntimeError
    assert _version() == version


def test_writes_to_other_tables_keep_the_version(office, cast):
    version = _version()
    office.get("/dashboard/")  # saves the session
    cast.office_member.full_name = "Renamed"
    cast.office_member.save()
    assert _version() == version


def test_uncommitted_writes_are_neither_served_from_nor_kept_in_the_cache(office, cast):
    before, _ = _view(office)
    with pytest.raises(RuntimeError), transaction.atomic():
        ProgressEventFactory(commitment=cast.commitment)
        # The same connection sees its own write: computed for it, not from the cache...
        inside, _ = _view(office)
        assert int(inside["events"]) == int(before["events"]) + 1
        raise RuntimeError
    # ...and not kept for anybody: the write was rolled back.
    assert _view(office)[0] == before


def test_a_new_day_is_a_new_page(office, cast):
    today = timezone.localdate()
    _view(office)
    tomorrow = datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time(12))
    with time_machine.travel(timezone.make_aware(tomorrow), tick=False):
        office.force_login(cast.office_member)  # the session has expired meanwhile
        _, queries = _view(office)
    assert _computed(queries)


def test_migrate_gives_a_new_version(cast):
    version = _version()
    call_command("migrate", verbosity=0)
    assert _version() != version


def test_a_failing_cache_gives_the_page_computed(office, cast, settings, caplog):
    # Nothing listens on port 1: every cache call fails, as with Redis down.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with caplog.at_level(logging.WARNING, logger="dashboard.cache"):
        figures, _ = _view(office)
        # A write still succeeds, though its new version cannot be stored.
        ProgressEventFactory(commitment=cast.commitment)
    assert figures["commitments"] == "2"
    assert "The dashboard's cache failed" in caplog.text
    assert "Could not store the dashboard's new data version" in caplog.text


def test_a_version_lost_from_the_cache_is_replaced(office, cast):
    _view(office)
    cache.delete(VERSION_KEY)
    _, queries = _view(office)
    assert _computed(queries)
    assert _version()


def test_each_language_is_a_page_of_its_own(office, cast):
    english = office.get("/dashboard/").content.decode()
    assert "Commitments dashboard" in english
    cast.office_member.language = "fr"
    cast.office_member.save()
    french = office.get("/dashboard/").content.decode()
    assert "Commitments dashboard" not in french
    assert "Tableau de bord" in french
