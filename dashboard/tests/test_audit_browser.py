"""The office's audit trail in a real browser: old and new values of long texts fit the page."""

import os

# Why: Playwright's sync API runs an event loop in the test's thread; Django refuses database
# access from such a thread unless told it is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest
from playwright.sync_api import Page, expect

from accounts.tests.factories import PASSWORD, UserFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 375])
def test_the_audit_trail_fits_the_page_with_long_values(page: Page, live_server, cast, width):
    editor = UserFactory(email="a.very.long.address.of.somebody.in.the.network@example.org")
    commitment = cast.commitment
    commitment.text = (
        "Publish the results at https://example.org/" + "reports/" * 40 + " and " + "word " * 150
    )
    commitment.status = "at_risk"
    commitment._history_user = editor
    commitment.save()

    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(cast.office_member.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/dashboard/commitments/{commitment.pk}/")

    trail = page.get_by_test_id("audit-trail")
    expect(trail).to_contain_text("Not started")
    expect(trail).to_contain_text("At risk")
    root = "document.documentElement"
    assert page.evaluate(f"{root}.scrollWidth <= {root}.clientWidth"), page.evaluate(
        f"[{root}.scrollWidth, {root}.clientWidth]"
    )
    assert trail.evaluate("table => table.scrollWidth <= table.parentElement.clientWidth")
