"""The log form guides: it opens on the kind of event that counts toward the commitment, and asks
before saving an event of a kind that counts for nothing toward it."""

import pytest
from django.test import Client
from django.utils import timezone

from commitments.tests.factories import CommitmentFactory
from events.models import ProgressEvent
from events.tests.factories import ProgressEventFactory

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _event(kind, **fields):
    return {
        "kind": kind,
        "occurred_on": timezone.localdate().isoformat(),
        "title": "Summit on women in leadership",
        "women_count": 3,
        "men_count": 2,
        **fields,
    }


@pytest.fixture
def high_level(cast):
    """A count of high-level events (3)."""
    return CommitmentFactory(
        champion=cast.champion, cycle=cast.cycle, number=2, counts_kind="high_level_event", target_value=3
    )


def _selected_kind(response):
    return response.context["form"]["kind"].value()


def test_the_form_opens_on_the_kind_that_counts(cast, high_level):
    client = _client(cast.focal_point)
    response = client.get(f"/commitments/{high_level.pk}/log/")
    assert _selected_kind(response) == "high_level_event"
    assert '<option value="high_level_event" selected>' in response.content.decode()
    parity = CommitmentFactory(
        champion=cast.champion, cycle=cast.cycle, number=3, target_kind="percentage", target_value=50
    )
    assert _selected_kind(client.get(f"/commitments/{parity.pk}/log/")) == "panel"


def test_a_count_of_every_kind_opens_on_the_first_and_never_warns(cast):
    every_kind = CommitmentFactory(champion=cast.champion, cycle=cast.cycle, number=2, counts_kind="")
    client = _client(cast.focal_point)
    page = client.get(f"/commitments/{every_kind.pk}/log/").content.decode()
    assert 'data-testid="kind-warning"' not in page
    assert client.post(f"/commitments/{every_kind.pk}/log/", _event("other")).status_code == 302


def test_the_warning_is_in_the_page_hidden_until_needed(cast, high_level):
    page = _client(cast.focal_point).get(f"/commitments/{high_level.pk}/log/").content.decode()
    warning = page[page.index('id="kind-warning"') :]
    assert 'data-counted-kinds="high_level_event"' in page
    assert warning.index("hidden") < warning.index(">")
    assert "Only high-level events count toward this commitment (target: 3 high-level events)" in page


def test_a_kind_that_counts_for_nothing_is_asked_about_before_saving(cast, high_level):
    client = _client(cast.focal_point)
    response = client.post(f"/commitments/{high_level.pk}/log/", _event("meeting"))
    assert response.status_code == 200
    assert not ProgressEvent.objects.exists()
    page = response.content.decode()
    warning = page[page.index('id="kind-warning"') :]
    assert warning.index("hidden") > warning.index(">")  # shown
    assert "Meeting with staff counts for nothing toward this commitment" in page
    assert 'name="log_anyway"' in page
    assert "please correct the fields" not in page  # a question, not an error
    assert _selected_kind(response) == "meeting"  # what was chosen stays chosen

    response = client.post(f"/commitments/{high_level.pk}/log/", _event("meeting", log_anyway="on"))
    assert response.status_code == 302
    event = ProgressEvent.objects.get()
    assert event.kind == "meeting"
    high_level.refresh_from_db()
    assert (high_level.counted_events, high_level.events_in_cycle) == (0, 1)


def test_a_kind_that_counts_is_saved_at_once(cast, high_level):
    response = _client(cast.focal_point).post(
        f"/commitments/{high_level.pk}/log/", _event("high_level_event")
    )
    assert response.status_code == 302
    high_level.refresh_from_db()
    assert high_level.counted_events == 1


def test_the_question_comes_with_other_errors_too(cast, high_level):
    response = _client(cast.focal_point).post(
        f"/commitments/{high_level.pk}/log/", _event("training", title="")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"title", "log_anyway"}
    assert "please correct the fields" in response.content.decode()


def test_editing_asks_only_when_the_kind_changes_to_one_that_counts_for_nothing(cast, high_level):
    kept = ProgressEventFactory(commitment=high_level, kind="meeting", logged_by=cast.focal_point)
    client = _client(cast.focal_point)
    data = _event("meeting", title="Renamed", scope="hq")
    assert client.post(f"/events/{kept.pk}/edit/", data).status_code == 302
    counted = ProgressEventFactory(commitment=high_level, kind="high_level_event", logged_by=cast.focal_point)
    response = client.post(f"/events/{counted.pk}/edit/", _event("training"))
    assert response.status_code == 200
    assert "log_anyway" in response.context["form"].errors
    counted.refresh_from_db()
    assert counted.kind == "high_level_event"


def test_an_indicator_or_a_milestone_never_warns(cast, pay_gap):
    response = _client(cast.focal_point).post(
        f"/commitments/{pay_gap.pk}/log/", _event("meeting", scope="hq")
    )
    assert response.status_code == 302
