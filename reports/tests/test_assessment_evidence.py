"""Attacks on the year-end assessment's evidence files: they live as long as their assessment, and
go out only to the champion's side and the office, through the access-checked evidence download."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from reports.models import Assessment
from reports.tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def assessment(cast):
    assessment = AssessmentFactory(commitment=cast.commitment, evidence_name="minutes.pdf")
    assessment.evidence_file.save("minutes.pdf", ContentFile(PDF))
    return assessment


def url(commitment):
    return f"/reports/commitments/{commitment.pk}/assessment-evidence/"


@pytest.mark.parametrize("who", ["champion_user", "focal_point", "office_member"])
def test_the_champions_side_and_the_office_download_it(cast, assessment, who):
    response = signed_in(getattr(cast, who)).get(url(cast.commitment))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="minutes.pdf"'


@pytest.mark.parametrize("who", ["other_champion", "other_focal_point"])
def test_another_champions_side_gets_404(cast, assessment, who):
    user = cast.other_champion.user if who == "other_champion" else cast.other_focal_point

    assert signed_in(user).get(url(cast.commitment)).status_code == 404


def test_a_visitor_is_sent_to_sign_in(client, cast, assessment):
    response = client.get(url(cast.commitment))

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_behind_nginx_the_file_is_handed_over_after_the_check(cast, assessment, settings):
    settings.EVIDENCE_ACCEL_REDIRECT_PREFIX = "/_evidence/"

    allowed = signed_in(cast.office_member).get(url(cast.commitment))
    refused = signed_in(cast.other_champion.user).get(url(cast.commitment))

    assert allowed["X-Accel-Redirect"] == "/_evidence/" + assessment.evidence_file.name
    assert refused.status_code == 404 and "X-Accel-Redirect" not in refused


def test_an_assessment_without_a_file_is_404(cast):
    AssessmentFactory(commitment=cast.commitment)

    assert signed_in(cast.champion_user).get(url(cast.commitment)).status_code == 404


def test_the_report_page_links_the_file(cast, assessment):
    page = signed_in(cast.office_member).get(f"/reports/{cast.cycle.year}/champions/{cast.champion.pk}/")

    assert f'href="{url(cast.commitment)}"' in page.content.decode()


def test_a_replaced_file_is_deleted_from_disk(cast, assessment, django_capture_on_commit_callbacks, settings):
    settings.ASSESSMENT_OPENS_DAYS_BEFORE_END = 400  # the window is open
    old = assessment.evidence_file.name
    form = {"level": assessment.level, "narrative": assessment.narrative}

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(cast.focal_point).post(
            f"/reports/commitments/{cast.commitment.pk}/assess/",
            {**form, "evidence_file": SimpleUploadedFile("agenda.pdf", PDF)},
        )

    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.evidence_name == "agenda.pdf" and default_storage.exists(assessment.evidence_file.name)
    assert not default_storage.exists(old)


def test_a_deleted_commitment_takes_the_file_from_disk(cast, assessment, django_capture_on_commit_callbacks):
    name = assessment.evidence_file.name

    with django_capture_on_commit_callbacks(execute=True):
        cast.commitment.delete()

    assert not Assessment.objects.exists()
    assert not default_storage.exists(name)


def test_a_rolled_back_deletion_keeps_the_file(cast, assessment, django_capture_on_commit_callbacks):
    name = assessment.evidence_file.name

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assessment.delete()
    # (the transaction would roll back: its callbacks never run)

    assert callbacks and default_storage.exists(name)


def test_a_file_is_kept_while_its_assessment_is_saved_unchanged(
    cast, assessment, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assessment.rate(cast.office_member, "limited")

    assert default_storage.exists(assessment.evidence_file.name)
