"""The office invites the people an import made, and one of them signs in through the link, in a
real browser; the pages pass axe-core's WCAG 2.1 AA checks."""

import os

# Why: Playwright's sync API runs an event loop in the test's thread; Django refuses database
# access from such a thread unless told it is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from accounts.tests.factories import PASSWORD, ImportedPersonFactory, OfficeMemberFactory
from accounts.tests.helpers import invitation_link
from champions.tests.factories import ChampionFactory


def _serious_violations(page):
    """axe-core's serious and critical violations on the page (from the site's own static files:
    the Content-Security-Policy allows nothing inline)."""
    origin = re.match(r"https?://[^/]+", page.url).group(0)
    page.add_script_tag(url=f"{origin}/static/vendor/axe-core-4.11.0/axe.min.js")
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']});
            return r.violations.filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id);
        }"""
    )
    return result


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_office_invites_the_imported_people_and_one_signs_in_through_the_link(
    page: Page, live_server, settings, browser
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.SITE_URL = live_server.url
    office = OfficeMemberFactory(email="olivia@example.org", full_name="Olivia Office")
    focal_point = ImportedPersonFactory(email="fatou@example.org", full_name="Fatou Focal")
    ChampionFactory(user=ImportedPersonFactory(email="chidi@example.org"), focal_points=[focal_point])

    page.goto(f"{live_server.url}/accounts/login/?next=/dashboard/people/")
    page.get_by_label("Email address").fill(office.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="People", level=1)).to_be_visible()
    assert _serious_violations(page) == []

    page.get_by_role("button", name="Invite everyone not invited yet (2)").click()
    expect(page.get_by_role("status").first).to_have_text(
        "Invitations were emailed to 2 people: their links work for 14 days."
    )
    expect(page.locator('tr[data-state="invited"]')).to_have_count(2)
    assert sorted(message.to[0] for message in mail.outbox) == ["chidi@example.org", "fatou@example.org"]
    [to_fatou] = [message for message in mail.outbox if message.to == ["fatou@example.org"]]

    invitee = browser.new_page()
    invitee.goto(live_server.url + invitation_link(to_fatou.body))
    expect(invitee.get_by_role("heading", name="Choose your password")).to_be_visible()
    assert _serious_violations(invitee) == []
    invitee.locator("#id_new_password1").fill("a long and private passphrase")
    invitee.locator("#id_new_password2").fill("a long and private passphrase")
    invitee.get_by_role("button", name="Set my password and sign in").click()
    expect(invitee.get_by_text("Welcome: your password is set and you are signed in.")).to_be_visible()

    page.reload()
    expect(page.locator('tr[data-state="signed_in"]')).to_have_text(re.compile("Fatou Focal"))
