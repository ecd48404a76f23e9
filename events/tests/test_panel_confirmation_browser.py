"""A panel confirmed by its organiser, in a real browser: the champion's side gives the organiser's
address on the log form, the organiser corrects the speakers from the emailed link without an
account, and the office sees both figures."""

import os

# Why: Playwright's sync API runs an event loop in the test's thread (see events/tests/test_browser.py).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.tests.factories import PASSWORD

LINK = re.compile(r"/panels/confirm/[\w-]+/")


def _sign_in(page: Page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(
        page.get_by_role("heading", name=re.compile(r"^(My commitments|Commitments dashboard)"))
    ).to_be_visible()


def _field(page: Page, label):
    return page.get_by_label(re.compile(rf"^\s*{label}\s*\*?\s*$"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_organiser_corrects_a_panel_from_the_email_and_the_office_sees_both_figures(
    page: Page, live_server, cast, settings, browser
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    _sign_in(page, live_server, cast.focal_point)
    page.goto(f"{live_server.url}/commitments/{cast.commitment.pk}/log/")
    organiser_email = _field(page, re.escape("Organiser's email (optional)"))
    _field(page, "What happened").select_option(label="Meeting with staff")
    expect(organiser_email).to_be_hidden()
    _field(page, "What happened").select_option(label="Panel")
    expect(organiser_email).to_be_visible()
    _field(page, "Date").fill(timezone.localdate().isoformat())
    _field(page, "Title").fill("Panel on women in peacekeeping")
    _field(page, "Women").fill("2")
    _field(page, "Men").fill("2")
    organiser_email.fill("organiser@conference.example")
    page.get_by_label("Log it anyway").check()  # the commitment counts meetings: a panel counts for nothing
    page.get_by_role("button", name="Save progress").click()
    expect(page.get_by_role("status")).to_contain_text("Progress logged")

    assert [message.to for message in mail.outbox] == [["organiser@conference.example"]]
    link = LINK.search(mail.outbox[0].body).group(0)

    organiser = browser.new_page()  # no session: the organiser has no account
    organiser.goto(f"{live_server.url}{link}")
    expect(organiser.get_by_role("heading", name="Confirm a panel's speakers")).to_be_visible()
    expect(organiser.get_by_test_id("panel")).to_contain_text("Panel on women in peacekeeping")
    expect(organiser.get_by_text(re.compile(r"^Chidi Champion, a member"))).to_be_visible()
    expect(_field(organiser, "Women speakers")).to_have_value("2")
    _field(organiser, "Women speakers").fill("1")
    _field(organiser, "Men speakers").fill("3")
    organiser.get_by_role("button", name="Send").click()
    expect(organiser.get_by_test_id("outcome")).to_contain_text("You corrected")
    organiser.goto(f"{live_server.url}{link}")  # the link worked once
    expect(organiser.get_by_role("heading", name="This link no longer works")).to_be_visible()
    organiser.close()

    page.get_by_role("button", name="Sign out").click()
    _sign_in(page, live_server, cast.office_member)
    page.goto(f"{live_server.url}/dashboard/champions/{cast.champion.pk}/")
    expect(page.get_by_test_id("organiser-correction")).to_have_text(
        "Organiser corrected: women 2 → 1, men 2 → 3"
    )
