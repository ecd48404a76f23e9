"""Reporting values on an indicator commitment: record, edit, delete, who may, and evidence downloads."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from commitments.models import Approval
from events.models import CheckIn
from events.tests.factories import CheckInFactory

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _day(cast, days_in):
    """A day of the cast's cycle, never after today."""
    return min(cast.cycle.starts_on + datetime.timedelta(days=days_in), timezone.localdate())


def _value(**overrides):
    return {"value": "10", "measured_on": timezone.localdate().isoformat(), "comment": "Payroll", **overrides}


def _record(client, commitment, data):
    return client.post(f"/commitments/{commitment.pk}/check-in/", data)


def _check_in_with_evidence(commitment, logged_by, **fields):
    check_in = CheckInFactory(
        commitment=commitment, logged_by=logged_by, evidence_name="Payroll Q1.pdf", **fields
    )
    check_in.evidence_file.save("whatever.pdf", ContentFile(PDF))
    return check_in


def test_it_records_a_value_with_evidence_and_returns_to_the_commitment(client, cast, pay_gap):
    client.force_login(cast.focal_point)
    page = client.get(f"/commitments/{pay_gap.pk}/check-in/").content.decode()
    assert "<title>Report a value · commitment 2" in page
    assert "Target: from 12.5 to 5 % pay gap." in page
    assert f'href="/commitments/{pay_gap.pk}/"' in page  # back to the commitment

    today = timezone.localdate()
    response = _record(
        client,
        pay_gap,
        _value(
            value="10.25",
            evidence_file=SimpleUploadedFile("Payroll Q1.pdf", PDF),
            evidence_url="example.org/q1",
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == f"/commitments/{pay_gap.pk}/"
    check_in = CheckIn.objects.get()
    assert (check_in.commitment, check_in.value, check_in.measured_on) == (pay_gap, Decimal("10.25"), today)
    assert check_in.logged_by == cast.focal_point
    assert check_in.comment == "Payroll"
    assert check_in.evidence_name == "Payroll Q1.pdf"
    assert not check_in.evidence_file.name.endswith("Q1.pdf")  # stored under a random name
    assert check_in.evidence_url == "https://example.org/q1"
    pay_gap.refresh_from_db()
    assert (pay_gap.latest_value, pay_gap.latest_value_on, pay_gap.last_event_on) == (
        Decimal("10.25"),
        today,
        today,
    )
    page = client.get(response["Location"]).content.decode()
    assert f"Value reported: 10.25 % pay gap on {today:%-d %B %Y}." in page


def test_the_same_form_posted_twice_saves_one_value(client, cast, pay_gap):
    client.force_login(cast.focal_point)
    data = _value(submission_key="0b1c4c55-3a4e-4a35-9a43-2c4b8f0b7a11")
    assert _record(client, pay_gap, data).status_code == 302
    second = _record(client, pay_gap, {**data, "evidence_file": SimpleUploadedFile("again.pdf", PDF)})
    assert second.status_code == 302
    assert CheckIn.objects.count() == 1
    assert "This value was already saved." in client.get(second["Location"]).content.decode()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"value": ""}, "value", "This field is required."),
        ({"value": "a third"}, "value", "Enter a number."),
        ({"value": "10.125"}, "value", "no more than 2 decimal places"),
        ({"measured_on": ""}, "measured_on", "This field is required."),
        ({"measured_on": "2026-02-30"}, "measured_on", "Enter a valid date."),
        ("future", "measured_on", "This date is in the future"),
        ("last year", "measured_on", "Choose a date within the"),
        ({"evidence_url": "javascript:alert(1)"}, "evidence_url", "Enter a web link that starts with http"),
        ("renamed program", "evidence_file", "This file's content is not a PDF file."),
        ("script", "evidence_file", "This type of file is not accepted"),
    ],
)
def test_it_refuses_bad_input_with_a_clear_message_and_saves_nothing(
    client, cast, pay_gap, fields, field, message
):
    today = timezone.localdate()
    if isinstance(fields, str):  # a case that needs the day or a file
        fields = {
            "future": {"measured_on": (today + datetime.timedelta(days=1)).isoformat()},
            "last year": {"measured_on": (cast.cycle.starts_on - datetime.timedelta(days=1)).isoformat()},
            "renamed program": {"evidence_file": SimpleUploadedFile("payroll.pdf", b"MZ\x90\x00 not a PDF")},
            "script": {"evidence_file": SimpleUploadedFile("payroll.sh", b"#!/bin/sh\n")},
        }[fields]
    client.force_login(cast.focal_point)
    response = _record(client, pay_gap, _value(**fields))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert "Nothing was saved" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_values_are_reported_on_approved_indicator_commitments_only(client, cast, pay_gap):
    client.force_login(cast.champion_user)
    assert client.get(f"/commitments/{cast.commitment.pk}/check-in/").status_code == 404  # a count
    assert _record(client, cast.commitment, _value()).status_code == 404
    pay_gap.approval = Approval.DRAFT
    pay_gap.save()
    assert client.get(f"/commitments/{pay_gap.pk}/check-in/").status_code == 404
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("role", ["other_champion_user", "other_focal_point", "office_member"])
def test_nobody_else_may_record_edit_or_delete(client, cast, pay_gap, role):
    check_in = CheckInFactory(commitment=pay_gap, value=Decimal(11))
    user = cast.other_champion.user if role == "other_champion_user" else getattr(cast, role)
    client.force_login(user)
    for url in [
        f"/commitments/{pay_gap.pk}/check-in/",
        f"/check-ins/{check_in.pk}/edit/",
        f"/check-ins/{check_in.pk}/delete/",
    ]:
        assert client.get(url).status_code == 404, url
        assert client.post(url, _value(value="1")).status_code == 404, url
    assert list(CheckIn.objects.values_list("value", flat=True)) == [Decimal(11)]


def test_anonymous_visitors_are_sent_to_sign_in(client, cast, pay_gap):
    check_in = CheckInFactory(commitment=pay_gap)
    for path in ["check-in/", "edit/", "delete/", "evidence/"]:
        url = (
            f"/commitments/{pay_gap.pk}/check-in/"
            if path == "check-in/"
            else f"/check-ins/{check_in.pk}/{path}"
        )
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url


def test_whoever_recorded_a_value_edits_it_and_the_figures_follow(client, cast, pay_gap):
    check_in = CheckInFactory(commitment=pay_gap, logged_by=cast.focal_point, measured_on=_day(cast, 1))
    client.force_login(cast.focal_point)
    page = client.get(f"/check-ins/{check_in.pk}/edit/").content.decode()
    assert "<title>Edit a value · commitment 2" in page
    assert 'value="10.00"' in page or 'value="10"' in page

    response = client.post(
        f"/check-ins/{check_in.pk}/edit/", _value(value="7.5", measured_on=_day(cast, 2).isoformat())
    )

    assert response.status_code == 302
    check_in.refresh_from_db()
    assert (check_in.value, check_in.measured_on) == (Decimal("7.5"), _day(cast, 2))
    assert check_in.logged_by == cast.focal_point  # recorded by, not edited by
    pay_gap.refresh_from_db()
    assert (pay_gap.latest_value, pay_gap.latest_value_on) == (Decimal("7.5"), _day(cast, 2))
    assert "Value updated: 7.5 % pay gap" in client.get(response["Location"]).content.decode()


def test_the_champion_changes_any_value_a_focal_point_only_their_own(client, cast, pay_gap):
    champions = CheckInFactory(commitment=pay_gap, logged_by=cast.champion_user)
    focal_points = CheckInFactory(commitment=pay_gap, logged_by=cast.focal_point)
    client.force_login(cast.focal_point)
    assert client.get(f"/check-ins/{champions.pk}/edit/").status_code == 404
    assert client.post(f"/check-ins/{champions.pk}/delete/", {"confirm": "1"}).status_code == 404
    page = client.get(f"/commitments/{pay_gap.pk}/").content.decode()
    assert f"/check-ins/{focal_points.pk}/edit/" in page
    assert f"/check-ins/{champions.pk}/edit/" not in page
    client.force_login(cast.champion_user)
    assert client.get(f"/check-ins/{focal_points.pk}/edit/").status_code == 200
    assert client.post(f"/check-ins/{focal_points.pk}/delete/", {"confirm": "1"}).status_code == 302
    assert list(CheckIn.objects.all()) == [champions]


def test_deleting_a_value_asks_first_then_recounts_and_removes_its_file(
    client, cast, pay_gap, django_capture_on_commit_callbacks
):
    older = CheckInFactory(commitment=pay_gap, value=Decimal(11), measured_on=_day(cast, 1))
    newer = _check_in_with_evidence(pay_gap, cast.champion_user, value=Decimal(9), measured_on=_day(cast, 2))
    storage, name = newer.evidence_file.storage, newer.evidence_file.name
    client.force_login(cast.champion_user)
    page = client.get(f"/check-ins/{newer.pk}/delete/").content.decode()
    assert f"Delete the value 9 % pay gap on {_day(cast, 2):%-d %B %Y}?" in page
    assert CheckIn.objects.filter(pk=newer.pk).exists()  # asking deletes nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/check-ins/{newer.pk}/delete/", {"confirm": "1"})

    assert response.status_code == 302
    assert list(CheckIn.objects.all()) == [older]
    assert not storage.exists(name)
    pay_gap.refresh_from_db()
    assert (pay_gap.latest_value, pay_gap.latest_value_on) == (Decimal(11), _day(cast, 1))
    assert "Value deleted: 9 % pay gap" in client.get(response["Location"]).content.decode()


def test_a_replaced_evidence_file_is_removed(client, cast, pay_gap, django_capture_on_commit_callbacks):
    check_in = _check_in_with_evidence(pay_gap, cast.focal_point)
    storage, old_name = check_in.evidence_file.storage, check_in.evidence_file.name
    client.force_login(cast.focal_point)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/check-ins/{check_in.pk}/edit/",
            _value(
                measured_on=check_in.measured_on.isoformat(),
                evidence_file=SimpleUploadedFile("chart.png", PNG),
            ),
        )
    assert response.status_code == 302
    check_in.refresh_from_db()
    assert check_in.evidence_name == "chart.png"
    assert storage.exists(check_in.evidence_file.name)
    assert not storage.exists(old_name)


@pytest.mark.parametrize("role", ["champion_user", "focal_point", "office_member"])
def test_the_evidence_downloads_for_the_champions_side_and_the_office(client, cast, pay_gap, role):
    check_in = _check_in_with_evidence(pay_gap, cast.champion_user)
    client.force_login(getattr(cast, role))
    response = client.get(f"/check-ins/{check_in.pk}/evidence/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Payroll Q1.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("role", ["other_champion_user", "other_focal_point"])
def test_the_evidence_is_not_found_for_other_champions(client, cast, pay_gap, role):
    check_in = _check_in_with_evidence(pay_gap, cast.champion_user)
    client.force_login(cast.other_champion.user if role == "other_champion_user" else cast.other_focal_point)
    assert client.get(f"/check-ins/{check_in.pk}/evidence/").status_code == 404


def test_the_evidence_of_a_value_without_a_file_or_with_its_file_gone_is_not_found(client, cast, pay_gap):
    bare = CheckInFactory(commitment=pay_gap)
    gone = _check_in_with_evidence(pay_gap, cast.champion_user)
    gone.evidence_file.storage.delete(gone.evidence_file.name)
    client.force_login(cast.office_member)
    assert client.get(f"/check-ins/{bare.pk}/evidence/").status_code == 404
    assert client.get(f"/check-ins/{gone.pk}/evidence/").status_code == 404
    assert client.get("/check-ins/999999/evidence/").status_code == 404


def test_behind_nginx_the_evidence_goes_out_through_x_accel_redirect(client, cast, pay_gap, settings):
    settings.EVIDENCE_ACCEL_REDIRECT_PREFIX = "/protected-evidence/"
    check_in = _check_in_with_evidence(pay_gap, cast.champion_user)
    client.force_login(cast.focal_point)
    response = client.get(f"/check-ins/{check_in.pk}/evidence/")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-evidence/{check_in.evidence_file.name}"
    assert response["Content-Type"] == "application/pdf"
    assert not response.content
