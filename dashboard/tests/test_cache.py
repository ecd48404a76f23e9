"""The dashboard's pages are kept in the cache until the data under them changes (dashboard/cache.py,
commitments/data_version.py).

These tests commit for real (transaction=True): when a transaction commits is what they are about.
"""

import datetime
import io
import logging
import re

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from champions.models import Champion, Hub, Pledge, PledgeSignature
from commitments import data_version
from commitments.models import Commitment, Status
from commitments.tests.helpers import assert_cycle_months_add_up
from config.tests.helpers import at_eight
from events.models import ProgressEvent
from events.tests.factories import PanelFactory, ProgressEventFactory
from reminders import delivery

# Slow: every test here commits, and the database is emptied after each.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def office(cast):
    client = Client()
    client.force_login(cast.office_member)
    return client


@pytest.fixture
def admin_client(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def _view(client, url="/dashboard/"):
    """The page's headline figures, its text and the tables its queries read."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    figures = dict(re.findall(r'data-figure="(\w+)">([^<]*)<', content))
    tables = {
        table for query in queries for table in re.findall(r'(?:FROM|JOIN|UPDATE) "(\w+)"', query["sql"])
    }
    return figures, content, tables


def _computed(tables):
    return "commitments_commitment" in tables


def test_a_page_is_computed_once_then_served_from_the_shared_cache(office, cast, real_cache):
    first, _, computed = _view(office)
    again, _, cached = _view(office)
    assert again == first
    assert first["commitments"] == "2"
    assert _computed(computed)
    # Only the session and the user (with the office group): nothing of the dashboard's own.
    assert cached <= {"accounts_user", "accounts_user_groups", "auth_group", "django_session"}


def test_the_page_says_whether_it_came_from_the_cache(office, cast):
    assert office.get("/dashboard/")["X-Dashboard-Cache"] == "miss"
    assert office.get("/dashboard/")["X-Dashboard-Cache"] == "hit"
    ProgressEventFactory(commitment=cast.commitment)  # a new version: computed again
    assert office.get("/dashboard/")["X-Dashboard-Cache"] == "miss"
    with transaction.atomic():  # computed for the transaction, not kept, not read from the cache
        assert office.get("/dashboard/")["X-Dashboard-Cache"] == "miss"


def test_each_query_string_is_a_page_of_its_own(office, cast):
    _view(office)
    filtered, _, tables = _view(office, f"/dashboard/?hub={cast.champion.hub.pk}")
    assert filtered["commitments"] == "1"
    assert _computed(tables)
    assert _view(office)[0]["commitments"] == "2"


def _admin_form_data(response):
    """What the admin page's form would post as it stands: its fields and inline formsets."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for name, field in form.fields.items():
            value = form[name].value()
            if value is None or hasattr(value, "url") or (hasattr(field, "queryset") and value == ""):
                continue
            data[form.add_prefix(name)] = value
    return data


def _admin_change(client, model, pk, **changes):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[pk])
    data = {**_admin_form_data(client.get(url)), **changes}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def _admin_delete(client, model, pk):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_delete", args=[pk])
    assert client.post(url, {"post": "yes"}).status_code == 302


def _admin_action(client, model, action, pks):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = client.post(url, {"action": action, "_selected_action": pks, "post": "yes"})
    assert response.status_code == 302


def _log_form(cast, office, admin_client):
    client = Client()
    client.force_login(cast.focal_point)
    response = client.post(
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
    return "events", "1"


def _log_form_with_a_status(cast, office, admin_client):
    client = Client()
    client.force_login(cast.champion_user)
    response = client.post(
        f"/commitments/{cast.commitment.pk}/log/",
        {
            "kind": "meeting",
            "occurred_on": timezone.localdate().isoformat(),
            "title": "Field visit",
            "women_count": 3,
            "men_count": 2,
            "new_status": Status.AT_RISK,
        },
    )
    assert response.status_code == 302
    return "share_at_risk", "50%"


def _edit_form(cast, office, admin_client):
    panel = PanelFactory(commitment=cast.commitment, women_count=1, men_count=1)
    client = Client()
    client.force_login(cast.champion_user)
    _view(office)  # the page as it is with the panel
    response = client.post(
        f"/events/{panel.pk}/edit/",
        {
            "kind": "panel",
            "occurred_on": panel.occurred_on.isoformat(),
            "title": panel.title,
            "women_count": 3,
            "men_count": 1,
            "panel_outcome": "balanced",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    return "women_share", "75%"


def _delete_form(cast, office, admin_client):
    event = ProgressEventFactory(commitment=cast.commitment)
    _view(office)
    client = Client()
    client.force_login(cast.champion_user)
    assert client.post(f"/events/{event.pk}/delete/", {"confirm": "1"}).status_code == 302
    return "events", "0"


def _admin_commitment_status(cast, office, admin_client):
    _admin_change(admin_client, Commitment, cast.commitment.pk, status=Status.ON_TRACK)
    return "share_on_track", "50%"


def _admin_commitment_delete(cast, office, admin_client):
    _admin_delete(admin_client, Commitment, cast.other_commitment.pk)
    return "commitments", "1"


def _admin_commitments_delete_action(cast, office, admin_client):
    _admin_action(admin_client, Commitment, "delete_selected", [cast.other_commitment.pk])
    return "commitments", "1"


def _admin_champion_delete(cast, office, admin_client):
    _admin_delete(admin_client, Champion, cast.other_champion.pk)
    return "champions", "1"


def _admin_champion_rename(cast, office, admin_client):
    _admin_change(admin_client, Champion, cast.champion.pk, full_name="Renamed Champion")
    return "text", "Renamed Champion"


def _admin_pledge_signature_add(cast, office, admin_client):
    parity = Pledge.objects.starting().get(slug="panel-parity")
    _admin_change(
        admin_client,
        Champion,
        cast.champion.pk,
        **{
            "pledge_signatures-TOTAL_FORMS": "1",
            "pledge_signatures-0-pledge": parity.pk,
            "pledge_signatures-0-signed_on": "2017-12-11",
        },
    )
    return f"pledge_{parity.pk}_signers", "1 of 2"


def _admin_pledge_signature_remove(cast, office, admin_client):
    signature = PledgeSignature.objects.create(
        pledge=Pledge.objects.starting().get(slug="panel-parity"),
        champion=cast.champion,
        signed_on=datetime.date(2017, 12, 11),
    )
    _view(office)  # the page as it is with the signature
    _admin_change(admin_client, Champion, cast.champion.pk, **{"pledge_signatures-0-DELETE": "on"})
    assert not PledgeSignature.objects.filter(pk=signature.pk).exists()
    return f"pledge_{signature.pledge_id}_signers", "0 of 2"


def _pledge_signature_alone(cast, office, admin_client):
    # Saved with no change to the champion (seed_demo on a champion who exists, a shell): the
    # signature's own receiver gives the new version, as its delete does.
    signature = PledgeSignature.objects.create(
        pledge=Pledge.objects.starting().get(slug="panel-parity"),
        champion=cast.champion,
        signed_on=datetime.date(2017, 12, 11),
    )
    assert _computed(_view(office)[2])
    signature.delete()
    return f"pledge_{signature.pledge_id}_signers", "0 of 2"


def _admin_pledge_rename(cast, office, admin_client):
    parity = Pledge.objects.starting().get(slug="panel-parity")
    _admin_change(admin_client, Pledge, parity.pk, name_en="Panel Parity Pledge (renamed)")
    return "text", "Panel Parity Pledge (renamed)"


def _admin_hub_rename(cast, office, admin_client):
    _admin_change(admin_client, Hub, cast.champion.hub.pk, name="Bangkok")
    return "text", "Bangkok"


def _admin_organization_rename(cast, office, admin_client):
    organization = cast.champion.organization
    _admin_change(admin_client, type(organization), organization.pk, acronym="NEWACR")
    return "text", "NEWACR"


def _admin_cycle_dates(cast, office, admin_client):
    ProgressEventFactory(commitment=cast.commitment, occurred_on=cast.cycle.starts_on)
    _view(office)
    later = cast.cycle.starts_on + datetime.timedelta(days=1)
    _admin_change(admin_client, type(cast.cycle), cast.cycle.pk, starts_on=later.isoformat())
    return "events", "0"


def _admin_event_add(cast, office, admin_client):
    response = admin_client.post(
        reverse("admin:events_progressevent_add"),
        {
            "commitment": cast.commitment.pk,
            "occurred_on": cast.cycle.starts_on.isoformat(),
            "kind": "meeting",
            "title": "Added in admin",
            "logged_by": cast.champion_user.pk,
            "scope": "",
            "women_count": 0,
            "men_count": 0,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    return "events", "1"


def _admin_events_delete_action(cast, office, admin_client):
    event = ProgressEventFactory(commitment=cast.commitment)
    _view(office)
    _admin_action(admin_client, ProgressEvent, "delete_selected", [event.pk])
    return "events", "0"


def _recount_command(cast, office, admin_client):
    # An event written outside the application (no recount, no new version)...
    ProgressEvent.objects.bulk_create([ProgressEventFactory.build(commitment=cast.commitment)])
    _view(office)
    call_command("recount_rollups", stdout=io.StringIO())  # ...counted by the repair command
    return "events", "1"


def _recount_of_a_queryset(cast, office, admin_client):
    ProgressEvent.objects.bulk_create([ProgressEventFactory.build(commitment=cast.commitment)])
    _view(office)
    Commitment.objects.filter(pk=cast.commitment.pk).recount_rollups()
    return "events", "1"


def _seed_demo_command(cast, office, admin_client):
    call_command("seed_demo", stdout=io.StringIO())
    return "text", "Jean-Pierre Lacroix"


WRITE_PATHS = [
    _log_form,
    _log_form_with_a_status,
    _edit_form,
    _delete_form,
    _admin_commitment_status,
    _admin_commitment_delete,
    _admin_commitments_delete_action,
    _admin_champion_delete,
    _admin_champion_rename,
    _admin_pledge_signature_add,
    _admin_pledge_signature_remove,
    _pledge_signature_alone,
    _admin_pledge_rename,
    _admin_hub_rename,
    _admin_organization_rename,
    _admin_cycle_dates,
    _admin_event_add,
    _admin_events_delete_action,
    _recount_command,
    _recount_of_a_queryset,
    _seed_demo_command,
]


@pytest.mark.parametrize("write", WRITE_PATHS, ids=[write.__name__.lstrip("_") for write in WRITE_PATHS])
def test_every_write_path_is_seen_on_the_next_view(office, admin_client, cast, write):
    _view(office)
    assert not _computed(_view(office)[2])  # kept
    figure, expected = write(cast, office, admin_client)  # (some view the page before they write)
    assert_cycle_months_add_up()
    figures, content, tables = _view(office)
    assert _computed(tables), "the write did not give a new version"
    if figure == "text":
        assert expected in content
    else:
        assert figures[figure] == expected


def test_reminder_deliveries_keep_the_cached_page(office, cast, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cast.commitment.due_on = timezone.localdate() + datetime.timedelta(days=7)
    cast.commitment.save()
    _view(office)
    with at_eight(timezone.localdate()):
        ids = delivery.sweep()
        assert ids
        for reminder_id in ids:
            delivery.deliver(reminder_id)
    _, _, tables = _view(office)
    assert not _computed(tables)


def test_writes_to_other_tables_keep_the_version(office, cast):
    version = data_version.current()
    office.get("/dashboard/")  # saves the session
    cast.office_member.full_name = "Renamed"
    cast.office_member.save()
    assert data_version.current() == version


def test_a_new_version_comes_only_once_committed(cast):
    version = data_version.current()
    with transaction.atomic():
        ProgressEventFactory(commitment=cast.commitment)
        Hub.objects.create(name="Bangkok")
        assert data_version.current() == version  # not before the commit
    assert data_version.current() != version


def test_a_rolled_back_write_keeps_the_version(cast):
    version = data_version.current()
    with pytest.raises(RuntimeError), transaction.atomic():
        cast.commitment.change_status(Status.AT_RISK, cast.champion_user)
        raise RuntimeError
    assert data_version.current() == version
    # Nor does a write in a savepoint rolled back, inside a transaction that commits.
    with transaction.atomic(), pytest.raises(RuntimeError), transaction.atomic():
        ProgressEventFactory(commitment=cast.commitment)
        raise RuntimeError
    assert data_version.current() == version


def test_a_page_read_inside_a_transaction_is_not_kept(office, cast):
    before, _, _ = _view(office)
    with pytest.raises(RuntimeError), transaction.atomic():
        ProgressEventFactory(commitment=cast.commitment)
        # The same connection sees its own write: computed for it, not from the cache...
        inside, _, _ = _view(office)
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
        _, _, tables = _view(office)
    assert _computed(tables)


def test_migrate_gives_a_new_version(cast):
    version = data_version.current()
    call_command("migrate", verbosity=0)
    assert data_version.current() != version


def test_a_failing_cache_gives_the_page_computed(office, cast, settings, caplog):
    # Nothing listens on port 1: every cache call fails, as with Redis down.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with caplog.at_level(logging.WARNING):
        figures, _, _ = _view(office)
        # A write still succeeds, though its new version cannot be stored.
        ProgressEventFactory(commitment=cast.commitment)
    assert figures["commitments"] == "2"
    assert "The dashboard's cache failed" in caplog.text
    assert "Could not store a new data version" in caplog.text


def test_a_version_lost_from_the_cache_is_replaced(office, cast):
    from django.core.cache import cache

    _view(office)
    cache.delete(data_version.VERSION_KEY)
    _, _, tables = _view(office)
    assert _computed(tables)
    assert cache.get(data_version.VERSION_KEY)


def test_each_language_is_a_page_of_its_own(office, cast):
    english = office.get("/dashboard/").content.decode()
    assert "Commitments dashboard" in english
    cast.office_member.language = "fr"
    cast.office_member.save()
    french = office.get("/dashboard/").content.decode()
    assert "Commitments dashboard" not in french
    assert "Tableau de bord" in french
