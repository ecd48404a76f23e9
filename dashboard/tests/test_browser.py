"""The office's dashboard in a real browser: filter by hub, see the figures change, download the CSV."""

import os

# Why: Playwright's sync API runs an event loop in the test's thread; Django refuses database
# access from such a thread unless told it is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest
from playwright.sync_api import Page, expect

from accounts.tests.factories import PASSWORD
from champions.tests.factories import ChampionFactory, HubFactory
from commitments.tests.factories import CommitmentFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_office_member_filters_by_hub_and_downloads_the_csv(page: Page, live_server, cast, tmp_path):
    nairobi = HubFactory(name="Kigali")
    for _ in range(3):
        CommitmentFactory(champion=ChampionFactory(hub=nairobi), cycle=cast.cycle, number=1)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(cast.office_member.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Commitments dashboard", level=1)).to_be_visible()
    commitments = page.locator('[data-figure="commitments"]')
    expect(commitments).to_have_text("5")

    page.get_by_label("Hub", exact=True).select_option(label="Kigali")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(
        f"{live_server.url}/dashboard/?cycle={cast.cycle.year}&hub={nairobi.pk}&organization=&category=&status="
    )
    expect(commitments).to_have_text("3")
    expect(page.locator('[data-figure="champions"]')).to_have_text("3")

    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    download = info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert download.suggested_filename == f"commitments-{cast.cycle.year}.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 1 + 3
    assert all(",Kigali," in line for line in lines[1:])
