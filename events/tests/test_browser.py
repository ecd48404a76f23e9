"""Logging progress in a real browser: sign-in, the log form and its kind-dependent fields, access."""

import os

# Why: Playwright's sync API runs an event loop in the test's thread, and Django refuses database
# access from a thread with a running loop unless told it is safe (the factories and checks here).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.tests.factories import PASSWORD
from commitments.models import EventKind, TargetKind
from commitments.tests.factories import CommitmentFactory
from events.models import CheckIn, ProgressEvent

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def parity_commitment(cast):
    """The champion's panel parity commitment: half the speakers on the panels they join are women."""
    return CommitmentFactory(
        champion=cast.champion,
        cycle=cast.cycle,
        number=2,
        title="Speak only on gender-balanced panels",
        categories=["panel-parity"],
        target_kind=TargetKind.PERCENTAGE,
        target_value=50,
        unit="",
        counts_kind=EventKind.PANEL,
    )


def _sign_in(page: Page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name=re.compile(r"^My commitments"), level=1)).to_be_visible()


def _field(page: Page, label):
    """A form field by its label; crispy adds an asterisk to required ones ("Women*")."""
    return page.get_by_label(re.compile(rf"^\s*{label}\s*\*?\s*$"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_lets_a_focal_point_log_a_panel_with_evidence(
    page: Page, live_server, cast, parity_commitment, tmp_path
):
    agenda = tmp_path / "agenda.pdf"
    agenda.write_bytes(PDF)
    today = timezone.localdate()

    _sign_in(page, live_server, cast.focal_point)
    expect(page.get_by_role("heading", name=re.compile(r"^Chidi Champion"), level=2)).to_be_visible()
    expect(page.get_by_text("Olga Other")).to_have_count(0)
    expect(page.get_by_role("link", name=parity_commitment.title)).to_be_visible()
    progress = page.get_by_role("progressbar", name="Progress of commitment 2")
    expect(progress).to_have_attribute("aria-valuenow", "0")

    page.get_by_role("link", name="Log progress on commitment 2").click()
    expect(page.get_by_role("heading", name="Log progress", level=1)).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/commitments/{parity_commitment.pk}/log/")
    _field(page, "What happened").select_option(label="Panel")
    _field(page, "Date").fill(today.isoformat())
    _field(page, "Title").fill("Panel on women in peacekeeping")
    _field(page, "Women").fill("2")
    _field(page, "Men").fill("2")
    _field(page, "Evidence file").set_input_files(agenda)
    page.get_by_role("button", name="Save progress").click()

    expect(page).to_have_url(f"{live_server.url}/commitments/{parity_commitment.pk}/")
    expect(page.get_by_role("status").first).to_contain_text(
        "Progress logged: “Panel on women in peacekeeping”."
    )
    expect(progress).to_have_attribute("aria-valuenow", "100")
    expect(page.get_by_test_id("progress-figure")).to_contain_text("50% women speakers across 1 panel")
    evidence_link = page.get_by_role("link", name="Evidence: agenda.pdf")
    expect(evidence_link).to_be_visible()
    with page.expect_download() as download:
        evidence_link.click()
    assert download.value.suggested_filename == "agenda.pdf"
    assert download.value.path().read_bytes() == PDF

    event = ProgressEvent.objects.get()
    assert event.commitment == parity_commitment
    assert (event.kind, event.occurred_on, event.women_count, event.men_count) == ("panel", today, 2, 2)
    assert event.logged_by == cast.focal_point
    assert event.evidence_name == "agenda.pdf"
    with event.evidence_file.open("rb") as stored:
        assert stored.read() == PDF


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_shows_only_the_fields_of_the_chosen_kind(page: Page, live_server, cast):
    _sign_in(page, live_server, cast.focal_point)
    page.goto(f"{live_server.url}/commitments/{cast.commitment.pk}/log/")
    kind = _field(page, "What happened")
    where, outcome, audience = _field(page, "Where"), _field(page, "Outcome"), _field(page, "Audience")

    kind.select_option(label="Meeting with staff")
    expect(where).to_be_visible()
    expect(outcome).to_be_hidden()
    expect(audience).to_be_hidden()

    kind.select_option(label="Panel")
    expect(outcome).to_be_visible()
    expect(where).to_be_hidden()
    expect(audience).to_be_hidden()

    kind.select_option(label="Training")
    expect(audience).to_be_visible()
    expect(where).to_be_visible()
    expect(outcome).to_be_hidden()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_warns_as_soon_as_a_kind_that_counts_for_nothing_is_chosen(page: Page, live_server, cast):
    _sign_in(page, live_server, cast.focal_point)
    page.goto(f"{live_server.url}/commitments/{cast.commitment.pk}/log/")  # a count of meetings
    kind = _field(page, "What happened")
    warning = page.get_by_test_id("kind-warning")
    expect(kind).to_have_value("meeting")  # it opens on the kind that counts
    expect(warning).to_be_hidden()

    kind.select_option(label="Training")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Only meetings count toward this commitment")
    kind.select_option(label="Meeting with staff")
    expect(warning).to_be_hidden()

    # Told before saving, one can log it anyway in one go.
    kind.select_option(label="Training")
    page.get_by_label("Log it anyway").check()
    _field(page, "Title").fill("Training of managers")
    page.get_by_role("button", name="Save progress").click()
    expect(page.get_by_role("status").first).to_contain_text("Progress logged: “Training of managers”.")
    assert ProgressEvent.objects.get().kind == "training"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_shows_not_found_for_another_champions_commitment(page: Page, live_server, cast):
    _sign_in(page, live_server, cast.focal_point)

    response = page.goto(f"{live_server.url}/commitments/{cast.other_commitment.pk}/")

    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_text(cast.other_commitment.title)).to_have_count(0)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_panel_without_speakers_and_saves_nothing(page: Page, live_server, cast):
    _sign_in(page, live_server, cast.focal_point)
    log_url = f"{live_server.url}/commitments/{cast.commitment.pk}/log/"
    page.goto(log_url)
    _field(page, "What happened").select_option(label="Panel")
    _field(page, "Title").fill("Panel with nobody on it")
    _field(page, "Women").fill("0")
    _field(page, "Men").fill("0")
    page.get_by_role("button", name="Save progress").click()

    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved")
    women = _field(page, "Women")
    expect(women).to_have_attribute("aria-invalid", "true")
    expect(women).to_have_accessible_description(re.compile(r"A panel needs at least one speaker"))
    expect(page.locator("#div_id_women_count")).to_contain_text("A panel needs at least one speaker")
    expect(page).to_have_url(log_url)
    assert not ProgressEvent.objects.exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_focal_point_reports_a_value_on_an_indicator_on_a_phone(
    page: Page, live_server, cast, pay_gap, tmp_path
):
    payroll = tmp_path / "payroll.pdf"
    payroll.write_bytes(PDF)
    today = timezone.localdate()
    page.set_viewport_size({"width": 375, "height": 740})

    def no_horizontal_scroll():
        return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    _sign_in(page, live_server, cast.focal_point)
    page.get_by_role("link", name=pay_gap.title).click()
    expect(page.get_by_role("heading", name=f"2. {pay_gap.title}", level=1)).to_be_visible()
    expect(page.get_by_test_id("commitment-text")).to_contain_text(
        "a) publish the gap by grade every quarter;"
    )
    expect(page.get_by_test_id("latest-value")).to_have_text("none reported yet")
    assert no_horizontal_scroll(), "the commitment page scrolls sideways at 375 px"

    report = page.get_by_role("link", name="Report a value")
    assert report.bounding_box()["height"] >= 44
    report.click()
    expect(page.get_by_role("heading", name="Report a value", level=1)).to_be_visible()
    assert no_horizontal_scroll(), "the form scrolls sideways at 375 px"
    _field(page, "Value").fill("10")
    expect(_field(page, "Date of the value")).to_have_value(today.isoformat())
    _field(page, "Comment").fill("Payroll of the quarter, all grades.")
    _field(page, "Evidence file").set_input_files(payroll)
    page.get_by_role("button", name="Save the value").click()

    expect(page).to_have_url(f"{live_server.url}/commitments/{pay_gap.pk}/")
    expect(page.get_by_role("status").first).to_contain_text("Value reported: 10 % pay gap on")
    expect(page.get_by_test_id("latest-value")).to_contain_text("10 % pay gap")
    expect(page.get_by_role("progressbar", name="Progress of commitment 2")).to_have_attribute(
        "aria-valuenow", "33"
    )
    check_in = page.get_by_test_id("check-in")
    expect(check_in).to_have_count(1)
    expect(check_in).to_contain_text("Payroll of the quarter, all grades.")
    expect(check_in).to_contain_text("Reported by Fiona Focal")
    assert no_horizontal_scroll(), "the commitment page with a value scrolls sideways at 375 px"
    with page.expect_download() as download:
        check_in.get_by_role("link", name="Evidence: payroll.pdf").click()
    assert download.value.path().read_bytes() == PDF

    stored = CheckIn.objects.get()
    assert (stored.value, stored.measured_on, stored.logged_by) == (10, today, cast.focal_point)
