import datetime

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from commitments.models import Status
from events.models import ProgressEvent

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _panel(**overrides):
    data = {
        "kind": "panel",
        "occurred_on": timezone.localdate().isoformat(),
        "title": "Panel on women in peacekeeping",
        "women_count": 2,
        "men_count": 2,
        "pledge_asked": "yes",
        "panel_outcome": "balanced",
        # The cast's commitment counts meetings: a panel counts for nothing toward it, and the form
        # asks first (test_kind_warning.py).
        "log_anyway": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def logged_in(client, cast):
    client.force_login(cast.focal_point)
    return client


def _log(client, cast, data):
    return client.post(f"/commitments/{cast.commitment.pk}/log/", data)


def test_it_logs_a_panel_and_returns_to_the_commitment_with_a_confirmation(logged_in, cast):
    response = _log(logged_in, cast, _panel(evidence_file=SimpleUploadedFile("agenda.pdf", PDF)))
    assert response.status_code == 302
    assert response["Location"] == f"/commitments/{cast.commitment.pk}/"
    event = ProgressEvent.objects.get()
    assert (event.kind, event.women_count, event.men_count) == ("panel", 2, 2)
    assert event.logged_by == cast.focal_point
    assert event.pledge_asked is True
    assert event.evidence_name == "agenda.pdf"
    assert not event.evidence_file.name.endswith("agenda.pdf")  # stored under a random name
    page = logged_in.get(response["Location"]).content.decode()
    assert "Progress logged" in page
    assert "Panel on women in peacekeeping" in page


def test_it_logs_each_kind_with_its_own_fields(logged_in, cast):
    today = timezone.localdate().isoformat()
    kinds = [
        {"kind": "meeting", "scope": "field", "location": "Goma", "women_count": 30, "men_count": 4},
        {"kind": "training", "audience": "Senior staff", "women_count": 5, "men_count": 15},
        {"kind": "task_force", "task_force_role": "co_chaired", "women_count": 0, "men_count": 0},
        {"kind": "high_level_event", "location": "New York", "women_count": 0, "men_count": 0},
        {"kind": "other", "women_count": 0, "men_count": 0},
    ]
    for fields in kinds:
        data = {"occurred_on": today, "title": f"A {fields['kind']}", "log_anyway": "on", **fields}
        response = _log(logged_in, cast, data)
        assert response.status_code == 302, response.content.decode()
    assert ProgressEvent.objects.count() == 5
    assert ProgressEvent.objects.get(kind="meeting").location == "Goma"
    assert ProgressEvent.objects.get(kind="training").audience == "Senior staff"
    assert ProgressEvent.objects.get(kind="task_force").task_force_role == "co_chaired"


def test_it_drops_fields_of_another_kind(logged_in, cast):
    response = _log(
        logged_in, cast, _panel(kind="meeting", scope="hq", audience="Everyone", task_force_role="attended")
    )
    assert response.status_code == 302
    event = ProgressEvent.objects.get()
    assert (event.panel_outcome, event.pledge_asked, event.audience, event.task_force_role) == (
        "",
        None,
        "",
        "",
    )


def test_it_updates_the_status_with_a_comment_in_the_same_step(logged_in, cast):
    _log(logged_in, cast, _panel(new_status=Status.ON_TRACK, status_comment="Two panels planned"))
    cast.commitment.refresh_from_db()
    assert cast.commitment.status == Status.ON_TRACK
    change = cast.commitment.status_changes.get()
    assert (change.old_status, change.new_status, change.comment) == (
        "not_started",
        "on_track",
        "Two panels planned",
    )
    assert change.changed_by == cast.focal_point


def _assert_refused(response, field, message):
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert message in " ".join(form.errors[field])
    assert "Nothing was saved" in response.content.decode()
    assert ProgressEvent.objects.count() == 0


def test_it_refuses_a_date_in_the_future(logged_in, cast):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    _assert_refused(
        _log(logged_in, cast, _panel(occurred_on=tomorrow.isoformat())), "occurred_on", "in the future"
    )


def test_it_refuses_a_date_outside_the_cycle_and_says_which_dates_are_allowed(logged_in, cast):
    before = cast.cycle.starts_on - datetime.timedelta(days=1)
    response = _log(logged_in, cast, _panel(occurred_on=before.isoformat()))
    year = cast.cycle.year
    _assert_refused(
        response, "occurred_on", f"within the {year} cycle, from 1 January {year} to 31 December {year}"
    )


def test_it_refuses_a_date_that_is_not_a_date(logged_in, cast):
    _assert_refused(_log(logged_in, cast, _panel(occurred_on="31/02/yesterday")), "occurred_on", "valid date")


@pytest.mark.parametrize("field", ["women_count", "men_count"])
def test_it_refuses_a_negative_count(logged_in, cast, field):
    _assert_refused(_log(logged_in, cast, _panel(**{field: -1})), field, "greater than or equal to 0")


def test_it_refuses_a_panel_with_no_speakers(logged_in, cast):
    _assert_refused(
        _log(logged_in, cast, _panel(women_count=0, men_count=0)), "women_count", "at least one speaker"
    )


def test_it_asks_why_a_panel_was_an_exception(logged_in, cast):
    _assert_refused(_log(logged_in, cast, _panel(panel_outcome="exception")), "outcome_reason", "Say why")


@pytest.mark.parametrize(
    "title, message", [("", "This field is required"), ("x" * 201, "at most 200 characters")]
)
def test_it_refuses_an_empty_or_over_long_title(logged_in, cast, title, message):
    _assert_refused(_log(logged_in, cast, _panel(title=title)), "title", message)


def test_it_refuses_an_evidence_file_of_another_type(logged_in, cast):
    upload = SimpleUploadedFile("payload.exe", b"MZ\x90\x00")
    _assert_refused(_log(logged_in, cast, _panel(evidence_file=upload)), "evidence_file", "not accepted")


def test_it_refuses_a_file_whose_content_does_not_match_its_name(logged_in, cast):
    upload = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf")
    _assert_refused(_log(logged_in, cast, _panel(evidence_file=upload)), "evidence_file", "not a PDF file")


def test_it_refuses_an_evidence_file_over_10_mb_before_receiving_it(logged_in, cast):
    upload = SimpleUploadedFile("big.png", PNG + b"\x00" * settings.EVIDENCE_MAX_BYTES)
    response = _log(logged_in, cast, _panel(evidence_file=upload))
    assert response.status_code == 413
    assert "Evidence files may be at most 10.0\xa0MB" in response.text
    assert not ProgressEvent.objects.exists()


def test_the_form_refuses_an_evidence_file_over_10_mb_too(logged_in, cast, settings):
    # Without the upload handler that stops it early (a deployment that changed the handlers).
    settings.FILE_UPLOAD_HANDLERS = settings.FILE_UPLOAD_HANDLERS[1:]
    upload = SimpleUploadedFile("big.png", PNG + b"\x00" * settings.EVIDENCE_MAX_BYTES)
    _assert_refused(
        _log(logged_in, cast, _panel(evidence_file=upload)), "evidence_file", "evidence files may be at most"
    )


def test_it_accepts_an_image_as_evidence(logged_in, cast):
    response = _log(logged_in, cast, _panel(evidence_file=SimpleUploadedFile("photo.png", PNG)))
    assert response.status_code == 302
    assert ProgressEvent.objects.get().evidence_name == "photo.png"


@pytest.mark.parametrize("link", ["javascript:alert(1)", "ftp://example.org/x.pdf", "not a link"])
def test_it_refuses_a_link_that_is_not_http(logged_in, cast, link):
    _assert_refused(_log(logged_in, cast, _panel(evidence_url=link)), "evidence_url", "http")


def test_it_refuses_a_tampered_kind(logged_in, cast):
    _assert_refused(_log(logged_in, cast, _panel(kind="party")), "kind", "Select a valid choice")


def test_it_refuses_a_tampered_status(logged_in, cast):
    _assert_refused(
        _log(logged_in, cast, _panel(new_status="done-ish")), "new_status", "Select a valid choice"
    )


def test_it_ignores_fields_naming_another_commitment_or_user(logged_in, cast):
    data = _panel(
        commitment=cast.other_commitment.pk, logged_by=cast.office_member.pk, champion=cast.other_champion.pk
    )
    assert _log(logged_in, cast, data).status_code == 302
    event = ProgressEvent.objects.get()
    assert event.commitment == cast.commitment
    assert event.logged_by == cast.focal_point


def test_it_edits_an_event_and_recounts_progress(logged_in, cast):
    _log(logged_in, cast, _panel(kind="meeting", scope="field"))
    event = ProgressEvent.objects.get()
    cast.commitment.refresh_from_db()
    assert (cast.commitment.counted_events, cast.commitment.counted_in_field) == (1, 1)
    response = logged_in.post(
        f"/events/{event.pk}/edit/", _panel(kind="meeting", scope="hq", title="Renamed")
    )
    assert response.status_code == 302
    event.refresh_from_db()
    cast.commitment.refresh_from_db()
    assert event.title == "Renamed"
    assert (cast.commitment.counted_events, cast.commitment.counted_in_field) == (1, 0)


def test_it_asks_before_deleting_and_deletes_on_confirmation(logged_in, cast):
    _log(logged_in, cast, _panel(kind="meeting"))
    event = ProgressEvent.objects.get()
    page = logged_in.get(f"/events/{event.pk}/delete/")
    assert "cannot be undone" in page.content.decode()
    assert ProgressEvent.objects.exists()
    response = logged_in.post(f"/events/{event.pk}/delete/", {"confirm": "1"}, follow=True)
    assert "Event deleted" in response.content.decode()
    assert not ProgressEvent.objects.exists()
    cast.commitment.refresh_from_db()
    assert cast.commitment.counted_events == 0
