"""Setting a cycle's commitments in a real browser: drafted by a focal point, reviewed by the office."""

import os

# Why: Playwright's sync API runs an event loop in the test's thread, and Django refuses database
# access from a thread with a running loop unless told it is safe (the factories and checks here).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.tests.factories import PASSWORD
from commitments.models import Approval, Commitment
from commitments.tests.factories import CycleFactory

YEAR = 2027
DRAFTS = [
    (
        "Hold quarterly town halls with women staff",
        "Organisational culture",
        "Count",
        "4",
        "Meeting with staff",
    ),
    ("Speak only on gender-balanced panels", "Panel parity", "Percentage", "50", None),
    ("Adopt a flexible working arrangements policy", "Work-life balance", "Milestone", None, None),
    (
        "Train every senior manager on unconscious bias",
        "Leadership and accountability",
        "Count",
        "2",
        "Training",
    ),
    ("Host a dialogue on women, peace and security", "Programmatic work", "Count", "1", "High-level event"),
]


def _sign_in(page: Page, live_server, user):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _field(page: Page, label):
    """A form field by its label; crispy adds an asterisk to required ones."""
    return page.get_by_label(re.compile(rf"^\s*{label}\s*\*?\s*$"))


def _draft(page: Page, title, theme, kind, value, counted):
    page.get_by_role("link", name="Add a commitment").click()
    _field(page, "Commitment").fill(title)
    page.get_by_role("checkbox", name=theme, exact=True).check()
    _field(page, "How it is measured").select_option(label=kind)
    if value is None:
        expect(_field(page, "Target")).to_be_hidden()  # a milestone has no value
    else:
        _field(page, "Target").fill(value)
    if counted:
        _field(page, "What counts toward it").select_option(label=counted)
    elif kind != "Count":
        expect(_field(page, "What counts toward it")).to_be_hidden()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status").first).to_contain_text("Draft saved")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_focal_point_sets_five_commitments_and_the_office_approves_them(page: Page, live_server, cast):
    cycle = CycleFactory(year=YEAR)

    # The focal point drafts five commitments from the home page, then submits them.
    _sign_in(page, live_server, cast.focal_point)
    page.get_by_role("link", name=f"Set the {YEAR} commitments").click()
    expect(page.get_by_role("heading", name=f"Commitments for {YEAR}", level=1)).to_be_visible()
    for draft in DRAFTS:
        _draft(page, *draft)
    expect(page.get_by_role("link", name="Add a commitment")).to_have_count(0)  # five: the maximum
    page.get_by_role("button", name="Submit 5 commitments for review").click()
    # A page says what will be sent, and nothing is until it is confirmed.
    expect(page.get_by_test_id("to-submit").get_by_role("listitem")).to_have_count(5)
    assert set(cycle.commitments.values_list("approval", flat=True)) == {Approval.DRAFT}
    page.get_by_role("button", name="Submit 5 commitments", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Submitted 5 commitments")
    assert set(cycle.commitments.values_list("approval", flat=True)) == {Approval.SUBMITTED}

    # The office returns one with a comment and approves the others.
    _sign_in(page, live_server, cast.office_member)
    page.goto(f"{live_server.url}/dashboard/review/?cycle={YEAR}")
    expect(page.get_by_role("heading", name="5 commitments await review")).to_be_visible()
    returned = Commitment.objects.get(cycle=cycle, number=2)
    page.get_by_label("What to change (sent to the champion)").nth(1).fill("Say which panels count.")
    page.get_by_role("button", name=f"Return for changes 2, {cast.champion.full_name}").click()
    expect(page.get_by_role("status").first).to_contain_text("Returned to the champion")
    for number in (1, 3, 4, 5):
        page.get_by_role("button", name=f"Approve {number}, {cast.champion.full_name}").click()
        expect(page.get_by_role("status").first).to_contain_text("Approved")
    returned.refresh_from_db()
    assert returned.approval == Approval.RETURNED

    # The focal point sees the comment, fixes the commitment and submits it again.
    _sign_in(page, live_server, cast.focal_point)
    page.goto(f"{live_server.url}/cycles/{YEAR}/commitments/")
    expect(page.get_by_role("note")).to_contain_text("Say which panels count.")
    page.get_by_role("link", name="Edit 2").click()
    _field(page, "How you will know it is done").fill("Every panel I am invited to.")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_role("button", name="Submit again 2").click()
    page.get_by_role("button", name="Submit 1 commitment", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Submitted: commitment 2")

    # The office approves it; the champion's home shows the five, ready for logging.
    _sign_in(page, live_server, cast.office_member)
    page.goto(f"{live_server.url}/dashboard/review/?cycle={YEAR}")
    page.get_by_role("button", name=f"Approve 1 commitment {cast.champion.full_name}").click()
    page.get_by_role("button", name="Approve 1 commitment", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Approved 1 commitment")
    _sign_in(page, live_server, cast.champion_user)
    page.goto(f"{live_server.url}/?cycle={YEAR}")
    for number, (title, *_rest) in enumerate(DRAFTS, 1):
        expect(page.get_by_role("link", name=title)).to_be_visible()
        expect(page.get_by_role("link", name=f"Log progress on commitment {number}")).to_be_visible()
    assert set(cycle.commitments.values_list("approval", flat=True)) == {Approval.APPROVED}
