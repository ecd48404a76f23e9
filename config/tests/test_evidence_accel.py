"""Behind nginx the evidence view checks access, then hands the file to nginx (X-Accel-Redirect)."""

import pytest
from django.core.files.base import ContentFile

from events.tests.factories import ProgressEventFactory

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def behind_nginx(settings):
    settings.EVIDENCE_ACCEL_REDIRECT_PREFIX = "/_evidence/"


@pytest.fixture
def evidence(cast):
    event = ProgressEventFactory(commitment=cast.commitment, evidence_name="Agenda – Goma «final».pdf")
    event.evidence_file.save("whatever.pdf", ContentFile(PDF))
    return event


def test_it_hands_the_file_to_nginx_with_its_original_name(client, cast, behind_nginx, evidence):
    client.force_login(cast.focal_point)
    response = client.get(f"/events/{evidence.pk}/evidence/")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/_evidence/" + evidence.evidence_file.name
    assert response["X-Accel-Redirect"].startswith("/_evidence/evidence/")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert (
        "filename*=utf-8''Agenda%20%E2%80%93%20Goma%20%C2%ABfinal%C2%BB.pdf"
        in response["Content-Disposition"]
    )
    assert response.content == b""  # not a byte of the file from the app server
    assert "no-store" in response["Cache-Control"]


def test_others_get_404_and_no_redirect(client, cast, behind_nginx, evidence):
    client.force_login(cast.other_focal_point)
    response = client.get(f"/events/{evidence.pk}/evidence/")
    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response


def test_the_office_gets_the_file_from_nginx_too(client, cast, behind_nginx, evidence):
    client.force_login(cast.office_member)
    response = client.get(f"/events/{evidence.pk}/evidence/")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"].startswith("/")


def test_a_visitor_is_sent_to_sign_in(client, behind_nginx, evidence):
    response = client.get(f"/events/{evidence.pk}/evidence/")
    assert response.status_code == 302
    assert "X-Accel-Redirect" not in response


def test_a_missing_file_is_404_not_a_redirect(client, cast, behind_nginx, evidence):
    evidence.evidence_file.storage.delete(evidence.evidence_file.name)
    client.force_login(cast.champion_user)
    response = client.get(f"/events/{evidence.pk}/evidence/")
    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response


def test_without_the_setting_the_app_sends_the_file_itself(client, cast, evidence, settings):
    assert settings.EVIDENCE_ACCEL_REDIRECT_PREFIX == ""  # the embedded default
    client.force_login(cast.focal_point)
    response = client.get(f"/events/{evidence.pk}/evidence/")
    assert "X-Accel-Redirect" not in response
    assert b"".join(response.streaming_content) == PDF
