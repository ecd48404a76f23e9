"""The progress events' admin (every model's admin pages: reminders/tests/test_admin_pages.py)."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commitments.models import Commitment, Cycle, EventKind
from events.models import ProgressEvent
from events.tests.factories import PanelFactory, ProgressEventFactory


def _url(model, page, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


def _changelist_queries(client, url):
    client.get(url)  # The first page fills Django's cache of content types.
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.context["cl"].result_count


def _log_events(how_many):
    for n in range(how_many):
        factory = PanelFactory if n % 3 == 0 else ProgressEventFactory
        factory(commitment__champion__hub__name=f"Hub {n % 4}")


def test_it_lists_progress_events_at_a_cost_that_does_not_grow_with_rows(client, admin_user):
    client.force_login(admin_user)
    url = _url(ProgressEvent, "changelist")
    _log_events(5)
    at_5 = _changelist_queries(client, url)
    _log_events(45)
    at_50 = _changelist_queries(client, url)

    assert (at_5[1], at_50[1]) == (5, 50)
    assert at_5[0] == at_50[0]


def test_it_finds_events_by_champion_name(client, admin_user):
    wanted = ProgressEventFactory(commitment__champion__full_name="Chidi Champion")
    ProgressEventFactory(commitment__champion__full_name="Olga Other")
    client.force_login(admin_user)

    response = client.get(_url(ProgressEvent, "changelist"), {"q": "chidi"})

    assert list(response.context["cl"].result_list) == [wanted]


def test_it_proposes_the_signed_in_admin_as_who_logged_a_new_event(client, admin_user):
    client.force_login(admin_user)

    response = client.get(_url(ProgressEvent, "add"))

    assert response.context["adminform"].form.initial["logged_by"] == admin_user.pk


def _commitment_post(commitment, **data):
    fields = {
        "champion": commitment.champion_id,
        "cycle": commitment.cycle_id,
        "number": commitment.number,
        "title": commitment.title,
        "description": commitment.description,
        "text": commitment.text,
        "target_kind": commitment.target_kind,
        "target_value": commitment.target_value,
        "unit": commitment.unit,
        "counts_kind": commitment.counts_kind,
        "due_on": commitment.due_on.isoformat(),
        "status": commitment.status,
        "status_changes-TOTAL_FORMS": 0,
        "status_changes-INITIAL_FORMS": 0,
        "approval_changes-TOTAL_FORMS": 0,
        "approval_changes-INITIAL_FORMS": 0,
        "approval": "approved",
    }
    return {**fields, **data}


def test_it_logs_an_event_added_on_the_commitment_page_and_counts_it(client, admin_user):
    event = ProgressEventFactory()
    commitment = event.commitment
    client.force_login(admin_user)
    data = _commitment_post(
        commitment,
        **{
            "events-TOTAL_FORMS": 2,
            "events-INITIAL_FORMS": 1,
            "events-0-id": event.pk,
            "events-0-commitment": commitment.pk,
            "events-0-occurred_on": event.occurred_on.isoformat(),
            "events-0-kind": event.kind,
            "events-0-title": event.title,
            "events-0-women_count": event.women_count,
            "events-0-men_count": event.men_count,
            "events-1-commitment": commitment.pk,
            "events-1-occurred_on": commitment.cycle.starts_on.isoformat(),
            "events-1-kind": EventKind.MEETING,
            "events-1-title": "Meeting with women staff in Goma",
            "events-1-women_count": 20,
            "events-1-men_count": 0,
        },
    )

    response = client.post(_url(Commitment, "change", commitment.pk), data)

    assert response.status_code == 302
    added = commitment.events.get(title="Meeting with women staff in Goma")
    assert added.logged_by == admin_user
    commitment.refresh_from_db()
    assert commitment.counted_events == 2


def test_it_recounts_the_roll_ups_when_events_are_deleted_from_the_list(client, admin_user):
    first = ProgressEventFactory()
    commitment = first.commitment
    ProgressEventFactory.create_batch(2, commitment=commitment)
    client.force_login(admin_user)

    response = client.post(
        _url(ProgressEvent, "changelist"),
        {"action": "delete_selected", "_selected_action": [first.pk], "post": "yes"},
    )

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.counted_events == 2


def test_it_recounts_the_roll_ups_when_a_cycle_changes_its_dates(client, admin_user):
    event = ProgressEventFactory(occurred_on=datetime.date(2026, 1, 10))
    commitment = event.commitment
    cycle = commitment.cycle
    client.force_login(admin_user)

    response = client.post(
        _url(Cycle, "change", cycle.pk),
        {
            "year": cycle.year,
            "starts_on": "2026-02-01",
            "ends_on": cycle.ends_on.isoformat(),
            "commitments_due_on": cycle.commitments_due_on.isoformat(),
            "report_due_on": cycle.report_due_on.isoformat(),
            "max_commitments": cycle.max_commitments,
        },
    )

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.counted_events == 0


def test_it_shows_the_history_of_an_event_and_a_champion(client, admin_user):
    event = ProgressEventFactory(title="First title")
    event.title = "Second title"
    event.save()
    client.force_login(admin_user)
    page = client.get(reverse("admin:events_progressevent_history", args=[event.pk])).content.decode()
    assert "Second title" in page and "First title" in page
    champion = event.commitment.champion
    assert client.get(reverse("admin:champions_champion_history", args=[champion.pk])).status_code == 200


def test_the_commitment_page_shows_its_events_inline(client, admin_user):
    event = ProgressEventFactory(title="Meeting with women staff in Goma")
    client.force_login(admin_user)

    response = client.get(_url(Commitment, "change", event.commitment.pk))

    assert response.status_code == 200
    formsets = [inline.formset for inline in response.context["inline_admin_formsets"]]
    assert [formset.prefix for formset in formsets] == ["events", "status_changes", "approval_changes"]
    assert list(formsets[0].queryset) == [event]
    assert 'value="Meeting with women staff in Goma"' in response.text
