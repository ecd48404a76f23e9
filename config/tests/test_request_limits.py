"""Oversized or crafted posts are refused cleanly (400, 404) and change nothing."""

import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, ClientHandler, encode_multipart
from django.utils import timezone

from accounts.tests.factories import PASSWORD
from events.models import ProgressEvent
from events.tests.factories import ProgressEventFactory

PDF = b"%PDF-1.4\n%%EOF\n"


def meeting(**extra):
    return {
        "kind": "meeting",
        "occurred_on": timezone.localdate().isoformat(),
        "title": "Town hall with women staff",
        "scope": "hq",
        "women_count": 12,
        "men_count": 3,
        **extra,
    }


@pytest.fixture
def champion_client(client, cast):
    client.force_login(cast.champion_user)
    return client


@pytest.fixture
def log_url(cast):
    return f"/commitments/{cast.commitment.pk}/log/"


def test_too_many_fields_answer_400_on_the_log_form(champion_client, log_url):
    data = meeting(**{f"extra{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)})
    response = champion_client.post(log_url, data)
    assert response.status_code == 400
    assert not ProgressEvent.objects.exists()


def test_too_many_fields_answer_400_on_the_sign_in_page(db):
    data = {f"extra{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = Client().post("/accounts/login/", {"username": "a@example.org", "password": PASSWORD, **data})
    assert response.status_code == 400


def test_a_urlencoded_body_above_the_memory_limit_answers_400(champion_client, log_url):
    notes = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = champion_client.post(log_url, meeting(notes=notes))
    assert response.status_code == 400
    assert not ProgressEvent.objects.exists()


def test_a_multipart_text_field_above_the_memory_limit_answers_400(champion_client, log_url):
    notes = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    evidence = SimpleUploadedFile("agenda.pdf", PDF, content_type="application/pdf")
    response = champion_client.post(log_url, meeting(notes=notes, evidence_file=evidence))
    assert response.status_code == 400
    assert not ProgressEvent.objects.exists()


def test_too_many_files_answer_400(champion_client, log_url):
    files = [
        SimpleUploadedFile(f"agenda{n}.pdf", PDF, content_type="application/pdf")
        for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)
    ]
    response = champion_client.post(log_url, meeting(evidence_file=files))
    assert response.status_code == 400
    assert not ProgressEvent.objects.exists()


def test_an_evidence_file_larger_than_the_memory_limit_is_still_accepted(champion_client, cast, log_url):
    # Files stream to disk: DATA_UPLOAD_MAX_MEMORY_SIZE does not count them.
    big = PDF + b"0" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE * 3)
    evidence = SimpleUploadedFile("report.pdf", big, content_type="application/pdf")
    response = champion_client.post(log_url, meeting(evidence_file=evidence))
    assert response.status_code == 302
    event = ProgressEvent.objects.get()
    assert event.evidence_file.size == len(big)


def test_an_office_members_post_to_the_log_form_answers_404_and_saves_nothing(client, cast, log_url):
    client.force_login(cast.office_member)
    assert client.post(log_url, meeting()).status_code == 404
    assert not ProgressEvent.objects.exists()


def test_the_log_form_ignores_champion_commitment_and_logged_by_fields(champion_client, cast, log_url):
    data = meeting(
        champion=cast.other_champion.pk,
        commitment=cast.other_commitment.pk,
        logged_by=cast.other_focal_point.pk,
        submission_key="",
    )
    assert champion_client.post(log_url, data).status_code == 302
    event = ProgressEvent.objects.get()
    assert event.commitment == cast.commitment
    assert event.logged_by == cast.champion_user
    assert not cast.other_commitment.events.exists()


def test_the_edit_form_ignores_champion_commitment_and_logged_by_fields(client, cast):
    event = ProgressEventFactory(commitment=cast.commitment, logged_by=cast.focal_point)
    client.force_login(cast.focal_point)
    data = meeting(
        title="Edited",
        champion=cast.other_champion.pk,
        commitment=cast.other_commitment.pk,
        logged_by=cast.other_focal_point.pk,
        created_at="2000-01-01T00:00:00Z",
    )
    before = event.created_at
    assert client.post(f"/events/{event.pk}/edit/", data).status_code == 302
    event.refresh_from_db()
    assert event.title == "Edited"
    assert event.commitment == cast.commitment
    assert event.logged_by == cast.focal_point
    assert event.created_at == before
    assert not cast.other_commitment.events.exists()


class _CountingInput(io.BytesIO):
    """A request body that counts what the application reads of it."""

    read_bytes = 0

    def read(self, size=-1):
        data = super().read(size)
        self.read_bytes += len(data)
        return data

    def readline(self, size=-1):
        data = super().readline(size)
        self.read_bytes += len(data)
        return data


def _post_through_the_handler(client, url, body, content_type, declared_length):
    """A POST as gunicorn hands it to Django, with a body that counts how much of it was read."""
    stream = _CountingInput(body)
    environ = {
        **client._base_environ(),
        "REQUEST_METHOD": "POST",
        "PATH_INFO": url,
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(declared_length),
        "wsgi.input": stream,
    }
    response = ClientHandler()(environ)
    return response.status_code, response.content, stream.read_bytes


def _multipart(cast, client, file_size):
    token = client.get(f"/commitments/{cast.commitment.pk}/log/").cookies["csrftoken"].value
    fields = {**meeting(), "csrfmiddlewaretoken": token}
    files = {"evidence_file": SimpleUploadedFile("big.pdf", PDF + b"0" * file_size)}
    return encode_multipart(BOUNDARY, {**fields, **files}), MULTIPART_CONTENT


@pytest.mark.django_db
def test_a_60_mb_upload_is_refused_before_it_is_read(client, cast, log_url):
    client.force_login(cast.champion_user)
    body, content_type = _multipart(cast, client, 60 * 1024 * 1024)
    status, page, read = _post_through_the_handler(client, log_url, body, content_type, len(body))
    assert status == 413
    assert b"Evidence files may be at most" in page
    assert read == 0
    assert not ProgressEvent.objects.exists()


@pytest.mark.django_db
def test_a_file_over_the_limit_is_refused_as_it_streams_in(client, cast, log_url):
    # Its request is under the request limit, so only the file's own count can stop it.
    client.force_login(cast.champion_user)
    body, content_type = _multipart(cast, client, settings.EVIDENCE_MAX_BYTES + 256 * 1024)
    assert len(body) < settings.UPLOAD_REQUEST_MAX_BYTES
    status, _, read = _post_through_the_handler(client, log_url, body, content_type, len(body))
    assert status == 413
    assert read < len(body)
    assert not ProgressEvent.objects.exists()
