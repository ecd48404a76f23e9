"""The Content-Security-Policy in a real browser: no page breaks it, nothing shows in the console."""

import os

# Why: Playwright's sync API runs an event loop in the test's thread, and Django refuses database
# access from a thread with a running loop unless told it is safe (the factories and checks here).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.tests.factories import PASSWORD, AdminFactory
from events.tests.factories import PanelFactory, ProgressEventFactory

# Runs in every document before its own scripts, so violations met while parsing are caught too.
LISTEN_FOR_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__csp.push({
    directive: event.violatedDirective,
    blocked: event.blockedURI,
    sample: event.sample,
    source: event.sourceFile + ":" + event.lineNumber,
  });
});
"""


class Watcher:
    """Collects, per page visited, the CSP violations and the console's errors and warnings."""

    def __init__(self, page: Page, base_url):
        self.page, self.base_url = page, base_url
        self.problems = {}
        self.console = []
        page.add_init_script(LISTEN_FOR_VIOLATIONS)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console.append(f"page error: {error}"))

    def _on_console(self, message):
        if message.type in ("error", "warning"):
            self.console.append((message.type, message.text, message.location.get("url", "")))

    def visit(self, path, status=200):
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status == status, path
        self.check(path, expected_error=path if status >= 400 else None)

    def check(self, label, expected_error=None):
        self.page.wait_for_load_state("networkidle")
        self.console = [
            f"{kind}: {text} ({url})"
            for kind, text, url in self.console
            # The browser asks for /favicon.ico on its own; the site has none (not a policy matter).
            if not (text.startswith("Failed to load resource") and url == self.base_url + "/favicon.ico")
            # A 403 or 404 page the test asked for is logged as a failed load of the page itself.
            and not (text.startswith("Failed to load resource") and url == f"{self.base_url}{expected_error}")
        ]
        violations = self.page.evaluate("window.__csp || []")
        if violations or self.console:
            self.problems[label] = {"violations": violations, "console": self.console}
        self.console = []


def sign_in(page: Page, base_url, user):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(f"{base_url}/accounts/login/")


@pytest.fixture
def activity(cast):
    """Events this month on the cast's commitment, a panel among them, so the charts have data."""
    today = timezone.localdate()
    PanelFactory(commitment=cast.commitment, occurred_on=today, logged_by=cast.champion_user)
    return ProgressEventFactory(commitment=cast.commitment, occurred_on=today, logged_by=cast.champion_user)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_sign_in_pages_keep_to_the_policy(page: Page, live_server):
    watcher = Watcher(page, live_server.url)
    watcher.visit("/accounts/login/")
    watcher.visit("/accounts/password_reset/")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill("nobody@example.org")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Please enter a correct email address and password")).to_be_visible()
    watcher.check("/accounts/login/ (refused)")
    assert watcher.problems == {}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_champions_pages_keep_to_the_policy(page: Page, live_server, cast, activity):
    watcher = Watcher(page, live_server.url)
    sign_in(page, live_server.url, cast.champion_user)
    watcher.check("/ (after signing in)")
    watcher.visit(f"/commitments/{cast.commitment.pk}/")
    watcher.visit(f"/commitments/{cast.commitment.pk}/log/")
    page.get_by_label("What happened").select_option(label="Panel")  # the form's script shows and hides
    expect(page.get_by_label("Outcome")).to_be_visible()
    watcher.check("/commitments/…/log/ (a panel)")
    watcher.visit(f"/events/{activity.pk}/edit/")
    watcher.visit("/accounts/preferences/")
    watcher.visit(f"/commitments/{cast.other_commitment.pk}/", status=404)
    watcher.visit("/dashboard/", status=403)
    assert watcher.problems == {}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_office_pages_and_charts_keep_to_the_policy(page: Page, live_server, cast, activity):
    watcher = Watcher(page, live_server.url)
    sign_in(page, live_server.url, cast.office_member)
    watcher.visit("/dashboard/")
    for chart in ["chart-events", "chart-status", "chart-parity"]:
        assert page.evaluate(f"Chart.getChart('{chart}') !== undefined"), f"{chart} was not drawn"
    watcher.visit(f"/dashboard/champions/{cast.champion.pk}/")
    watcher.visit(f"/dashboard/commitments/{cast.commitment.pk}/")
    assert watcher.problems == {}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_admin_keeps_to_the_policy(page: Page, live_server, cast, activity):
    watcher = Watcher(page, live_server.url)
    admin = AdminFactory()
    sign_in(page, live_server.url, admin)
    watcher.visit("/admin/")
    watcher.visit(f"/admin/commitments/commitment/{cast.commitment.pk}/change/")
    watcher.visit(f"/admin/commitments/commitment/{cast.commitment.pk}/history/")
    watcher.visit("/admin/events/progressevent/")
    watcher.visit(f"/admin/events/progressevent/{activity.pk}/change/")
    page.get_by_role("link", name="Choose a Date").first.click()  # the admin's calendar widget
    watcher.check("/admin/events/progressevent/…/change/ (calendar)")
    watcher.visit(f"/admin/champions/champion/{cast.champion.pk}/change/")
    watcher.visit(f"/admin/accounts/user/{admin.pk}/change/")
    watcher.visit("/admin/axes/accessattempt/")
    assert watcher.problems == {}
