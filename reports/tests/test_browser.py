"""The year end in a real browser: a focal point assesses, the champion submits, the office rates one
commitment two steps lower, sees it flagged, and downloads the network's PDF."""

import os

# Why: Playwright's sync API runs an event loop in the test's thread; Django refuses database
# access from such a thread unless told it is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from accounts.tests.factories import PASSWORD, OfficeMemberFactory, UserFactory
from champions.tests.factories import ChampionFactory
from commitments.tests.factories import CommitmentFactory, CycleFactory
from reports.models import Assessment, Report

LEVELS = ["Complete", "Substantial", "Limited", "Not started", "Substantial"]


@pytest.fixture
def year_end():
    """A cycle in its assessment window, and a champion with five approved commitments."""
    today = timezone.localdate()
    cycle = CycleFactory(
        year=today.year,
        starts_on=today - datetime.timedelta(days=300),
        ends_on=today + datetime.timedelta(days=10),
        report_due_on=today + datetime.timedelta(days=30),
    )
    focal_point = UserFactory(email="focal@example.org", full_name="Fiona Focal")
    champion = ChampionFactory(
        full_name="Chidi Champion", user__full_name="Chidi Champion", focal_points=[focal_point]
    )
    commitments = [
        CommitmentFactory(
            champion=champion, cycle=cycle, number=number, title=f"Commitment to measure {number}"
        )
        for number in range(1, 6)
    ]
    office = OfficeMemberFactory(email="office@example.org")
    return {
        "cycle": cycle,
        "champion": champion,
        "commitments": commitments,
        "focal_point": focal_point,
        "office": office,
    }


def _sign_in(page: Page, live_server, user):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_report_goes_from_assessment_to_the_offices_pdf(page: Page, live_server, year_end, tmp_path):
    cycle, champion = year_end["cycle"], year_end["champion"]
    report_url = f"{live_server.url}/reports/{cycle.year}/champions/{champion.pk}/"

    # The focal point assesses the five commitments.
    _sign_in(page, live_server, year_end["focal_point"])
    page.goto(report_url)
    for number, level in enumerate(LEVELS, start=1):
        page.get_by_role("link", name=re.compile(rf"^Assess {number}$")).click()
        expect(page.get_by_role("heading", name=f"Assess commitment {number}", level=1)).to_be_visible()
        page.get_by_label(re.compile(rf"^\s*{level}( \(proposed\))?\s*$")).check()
        page.get_by_label("Narrative").fill(f"What was done for commitment {number}, and what was not.")
        page.get_by_role("button", name="Save the assessment").click()
        expect(page.get_by_text(f"Assessment saved: commitment {number}.")).to_be_visible()
    expect(page.get_by_test_id("report-state")).to_contain_text("5 of 5 commitments assessed")
    expect(page.get_by_role("button", name="Submit the report")).to_have_count(0)  # the champion signs off

    # The champion submits.
    _sign_in(page, live_server, champion.user)
    page.goto(report_url)
    page.get_by_role("button", name="Submit the report").click()
    expect(page.get_by_role("heading", name=f"Sign off and submit your {cycle.year} report?")).to_be_visible()
    assert not Report.objects.get(champion=champion).is_submitted
    page.get_by_role("button", name="Sign off and submit").click()
    expect(page.get_by_text("Report submitted. Thank you.")).to_be_visible()
    assert Report.objects.get(champion=champion).is_submitted

    # The office rates commitment 1 (self-assessed complete) limited: two steps lower, flagged.
    _sign_in(page, live_server, year_end["office"])
    page.goto(report_url)
    first = page.locator(
        "section", has=page.get_by_role("heading", name=re.compile(r"^1\. Commitment to measure 1"))
    )
    first.get_by_label("Limited", exact=True).check()
    first.get_by_label(re.compile(r"^\s*Reason")).fill("Two of the four meetings were held.")
    # The other four are rated as their champion assessed them, in the same form and save.
    for number, level in enumerate(LEVELS[1:], start=2):
        section = page.locator(
            "section", has=page.get_by_role("heading", name=re.compile(rf"^{number}\. Commitment to measure"))
        )
        section.get_by_label(level, exact=True).check()
    page.get_by_role("button", name="Save the 5 ratings").click()
    expect(page.get_by_text("Ratings saved: 5 commitments.")).to_be_visible()
    expect(page.get_by_text("Commitment 1: the assessments differ.")).to_be_visible()
    expect(page.get_by_test_id("differs")).to_have_count(1)
    expect(first.get_by_test_id("differs")).to_have_text("assessment differs")
    assert Assessment.objects.differing().get().commitment == year_end["commitments"][0]

    # The network report counts it, lists it, and its PDF downloads.
    page.goto(f"{live_server.url}/reports/{cycle.year}/")
    expect(page.locator('[data-figure="differing"]')).to_have_text("1")
    expect(page.locator('[data-figure="on-time"]')).to_have_text("1")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the PDF").click()
    download = info.value
    assert download.suggested_filename == f"annual-report-{cycle.year}.pdf"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    reader = PdfReader(path)
    text = "\n".join(pdf_page.extract_text() for pdf_page in reader.pages)
    assert path.read_bytes().startswith(b"%PDF-")
    assert f"Annual report {cycle.year}: the network" in text and "Chidi Champion" in text

    page.get_by_role("link", name="1 assessment differs").click()
    expect(page.get_by_test_id("difference")).to_have_count(1)
    expect(page.get_by_test_id("difference")).to_contain_text("Chidi Champion")
