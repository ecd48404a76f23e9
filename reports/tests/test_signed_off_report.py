"""Attacks on a signed-off report: what is logged, edited or deleted after the champion signs the
report off changes neither its page nor its PDF (Report.signed_off, kept by Report.submit); events
logged since are marked "after sign-off" on the report and the commitment's page."""

import datetime
import io

import pytest
from django.test import Client
from pypdf import PdfReader

from champions.tests.factories import PledgeSignatureFactory
from events.models import ProgressEvent
from events.tests.factories import PanelFactory, ProgressEventFactory
from reports.models import Report
from reports.tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def signed_off(cast, settings):
    """One meeting of the four the commitment counts, one panel of two women and two men under the
    Panel Parity Pledge; the champion assessed the commitment and signed the report off."""
    settings.ASSESSMENT_OPENS_DAYS_BEFORE_END = 400
    day = cast.cycle.starts_on
    ProgressEventFactory(commitment=cast.commitment, title="Town hall in Goma", occurred_on=day)
    PanelFactory(
        commitment=cast.commitment, title="Panel on peacekeeping", women_count=2, men_count=2, occurred_on=day
    )
    PledgeSignatureFactory(champion=cast.champion, signed_on=datetime.date(2020, 3, 8))
    AssessmentFactory(commitment=cast.commitment)
    champion = signed_in(cast.champion_user)
    response = champion.post(
        f"/reports/{cast.cycle.year}/champions/{cast.champion.pk}/submit/", {"confirm": "1"}
    )
    assert response.status_code == 302
    assert Report.objects.get().is_submitted
    return champion


def page_text(cast, client):
    return client.get(f"/reports/{cast.cycle.year}/champions/{cast.champion.pk}/").content.decode()


def pdf_text(cast, client):
    response = client.get(f"/reports/{cast.cycle.year}/champions/{cast.champion.pk}.pdf")
    assert response.status_code == 200
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def change_everything_after_the_sign_off(cast):
    """Log a meeting and a men-only panel, rename the first meeting, and delete the first panel."""
    focal_point = signed_in(cast.focal_point)
    today = datetime.date.today().isoformat()
    for title, kind, women, men in [
        ("Town hall in Bunia", "meeting", 10, 2),
        ("All-male panel", "panel", 0, 3),
    ]:
        response = focal_point.post(
            f"/commitments/{cast.commitment.pk}/log/",
            {
                "kind": kind,
                "occurred_on": today,
                "title": title,
                "scope": "field",
                "women_count": women,
                "men_count": men,
                "log_anyway": "on",  # a panel counts for nothing toward the cast's meetings
            },
        )
        assert response.status_code == 302, response.context["form"].errors
    first = ProgressEvent.objects.get(title="Town hall in Goma")
    response = signed_in(cast.champion_user).post(
        f"/events/{first.pk}/edit/",
        {"kind": "meeting", "occurred_on": first.occurred_on.isoformat(), "title": "Renamed after the sign-off",
         "scope": "hq", "women_count": 1, "men_count": 1},
    )  # fmt: skip
    assert response.status_code == 302
    ProgressEvent.objects.get(title="Panel on peacekeeping").delete()


def test_the_report_page_and_pdf_stay_as_signed_off(cast, signed_off):
    readers = [signed_off, signed_in(cast.office_member), signed_in(cast.focal_point)]
    pdfs_before = [pdf_text(cast, reader) for reader in readers]
    page_before = page_text(cast, signed_off)
    assert "1 of 4 meetings" in page_before and "25%" in page_before
    assert "Town hall in Goma" in pdfs_before[0] and "Panel on peacekeeping" in pdfs_before[0]

    change_everything_after_the_sign_off(cast)

    cast.commitment.refresh_from_db()
    assert cast.commitment.counted_events == 2  # today's figures did move
    for reader, pdf_before in zip(readers, pdfs_before, strict=True):
        assert pdf_text(cast, reader) == pdf_before  # the very same text
        page = page_text(cast, reader)
        assert "1 of 4 meetings" in page and "2 of 4 meetings" not in page
        # The report's own list of key events is as signed off; the evidence folded out below it is
        # today's, for the office to check ratings against (issue 28), so the new name is there.
        assert "Town hall in Goma" in page
        assert "Panel on peacekeeping" in page  # deleted since, still in the report as signed off
        # The pledge's panels as they were: since, the balanced one was deleted, an all-male one logged.
        assert "1 with at least half women speakers, 0 single-sex" in " ".join(page.split())


def test_events_logged_after_the_sign_off_are_marked_on_the_report_page(cast, signed_off):
    change_everything_after_the_sign_off(cast)

    page = page_text(cast, signed_in(cast.office_member))

    section = page[page.index('data-testid="after-sign-off"') :]
    assert "Logged after sign-off" in section
    assert "Town hall in Bunia" in section and "All-male panel" in section
    assert section.count(">after sign-off</span>") == 2
    assert "Town hall in Bunia" not in pdf_text(cast, signed_off)


def test_the_commitment_page_marks_what_was_logged_or_changed_after_the_sign_off(cast, signed_off):
    ProgressEventFactory(
        commitment=cast.commitment, title="Unchanged before"
    )  # (logged after, by the factory)
    ProgressEvent.objects.filter(title="Unchanged before").update(
        created_at=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC),
        updated_at=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC),
    )
    change_everything_after_the_sign_off(cast)

    events = signed_in(cast.focal_point).get(f"/commitments/{cast.commitment.pk}/").context["page"]

    marks = {event.title: (event.after_sign_off, event.changed_after_sign_off) for event in events}
    assert marks["Town hall in Bunia"] == (True, True)
    assert marks["Renamed after the sign-off"] == (False, True)
    assert marks["Unchanged before"] == (False, False)
    page = signed_in(cast.focal_point).get(f"/commitments/{cast.commitment.pk}/").content.decode()
    assert page.count(">after sign-off</span>") == 2 and page.count(">changed after sign-off</span>") == 1


def test_a_report_not_signed_off_shows_todays_figures(cast, settings):
    ProgressEventFactory(commitment=cast.commitment)
    client = signed_in(cast.focal_point)
    assert "1 of 4 meetings" in page_text(cast, client)

    ProgressEventFactory(commitment=cast.commitment)

    assert "2 of 4 meetings" in page_text(cast, client)
    assert 'data-testid="after-sign-off"' not in page_text(cast, client)


def test_a_reopened_report_shows_todays_figures_and_signs_off_anew(cast, signed_off):
    change_everything_after_the_sign_off(cast)
    office = signed_in(cast.office_member)
    office.post(
        f"/reports/{cast.cycle.year}/champions/{cast.champion.pk}/reopen/",
        {"note": "Add this year's meetings."},
    )

    assert Report.objects.get().signed_off is None
    assert "2 of 4 meetings" in page_text(cast, office)

    signed_off.post(f"/reports/{cast.cycle.year}/champions/{cast.champion.pk}/submit/", {"confirm": "1"})
    ProgressEventFactory(commitment=cast.commitment, title="Third meeting")

    assert "2 of 4 meetings" in pdf_text(cast, office) and "Third meeting" not in pdf_text(cast, office)
