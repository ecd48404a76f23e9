"""An event's evidence file lives as long as the event, and text fields have limits the form enforces."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from events.models import ProgressEvent
from events.tests.factories import ProgressEventFactory

PDF = b"%PDF-1.4\n%%EOF\n"


def _with_evidence(cast):
    event = ProgressEventFactory(commitment=cast.commitment, logged_by=cast.champion_user)
    event.evidence_file.save("agenda.pdf", ContentFile(PDF))
    return event, event.evidence_file.name


def _meeting(**extra):
    return {
        "kind": "meeting",
        "occurred_on": timezone.localdate().isoformat(),
        "title": "Town hall",
        "scope": "hq",
        "women_count": 3,
        "men_count": 1,
        **extra,
    }


def test_deleting_an_event_removes_its_file_once_committed(client, cast, django_capture_on_commit_callbacks):
    event, name = _with_evidence(cast)
    client.force_login(cast.champion_user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post(f"/events/{event.pk}/delete/", {"confirm": "1"}).status_code == 302
        assert default_storage.exists(name)  # not before the commit
    for callback in callbacks:
        callback()
    assert not default_storage.exists(name)
    # The audit trail keeps that there was a file, and its name.
    assert ProgressEvent.history.filter(id=event.pk, history_type="-").get().evidence_file == name


def test_replacing_the_evidence_removes_the_old_file(client, cast, django_capture_on_commit_callbacks):
    event, name = _with_evidence(cast)
    client.force_login(cast.champion_user)
    upload = SimpleUploadedFile("minutes.pdf", PDF)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/events/{event.pk}/edit/", _meeting(evidence_file=upload))
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.evidence_file.name != name
    assert default_storage.exists(event.evidence_file.name)
    assert not default_storage.exists(name)


def test_a_rolled_back_deletion_keeps_the_file(cast, django_capture_on_commit_callbacks):
    event, name = _with_evidence(cast)
    pk = event.pk
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        event.delete()
        raise RuntimeError
    assert default_storage.exists(name)
    assert ProgressEvent.objects.filter(pk=pk).exists()


def test_deleting_a_commitment_removes_its_events_files(cast, django_capture_on_commit_callbacks):
    _, name = _with_evidence(cast)
    with django_capture_on_commit_callbacks(execute=True):
        cast.commitment.delete()
    assert not default_storage.exists(name)


@pytest.mark.parametrize(
    "field, limit", [("notes", 5000), ("outcome_reason", 2000), ("status_comment", 2000), ("title", 200)]
)
def test_the_log_form_enforces_every_text_fields_length(client, cast, field, limit):
    client.force_login(cast.champion_user)
    data = _meeting(**{field: "x" * (limit + 1)})
    if field == "outcome_reason":
        data.update(kind="panel", panel_outcome="exception")
    response = client.post(f"/commitments/{cast.commitment.pk}/log/", data)
    assert response.status_code == 200
    assert f"at most {limit} characters" in response.content.decode()
    assert not ProgressEvent.objects.exists()


def test_an_event_title_refuses_control_characters(client, cast):
    client.force_login(cast.champion_user)
    response = client.post(f"/commitments/{cast.commitment.pk}/log/", _meeting(title="Town\u202ehall"))
    assert "invisible or control character" in response.content.decode()
    assert not ProgressEvent.objects.exists()


def test_an_uploaded_files_name_loses_its_invisible_characters(client, cast):
    client.force_login(cast.champion_user)
    upload = SimpleUploadedFile("report\u202efdp.pdf", PDF)
    response = client.post(f"/commitments/{cast.commitment.pk}/log/", _meeting(evidence_file=upload))
    assert response.status_code == 302
    assert ProgressEvent.objects.get().evidence_name == "reportfdp.pdf"
