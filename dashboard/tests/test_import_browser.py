"""The office imports a network's published commitments in a real browser, then invites the people
the file named: nobody is emailed before the invitation."""

import os

# Why: Playwright's sync API runs an event loop in the test's thread; Django refuses database
# access from such a thread unless told it is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.tests.factories import PASSWORD, OfficeMemberFactory
from champions.models import Champion
from commitments.models import Category, Commitment
from commitments.tests.network_rows import PARTS_TEXT, as_xlsx, network_rows


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_office_imports_a_networks_file_and_invites_its_people(
    page: Page, live_server, settings, tmp_path
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.SITE_URL = live_server.url
    Category.objects.starting()  # (a transactional test empties what the migrations seeded)
    office = OfficeMemberFactory(email="olivia@example.org", full_name="Olivia Office")
    today = timezone.localdate()
    rows = network_rows(today.year, today.year - 2)
    rows[0]["email"] = "amina@example.org"
    rows[1]["focal_point_email"] = "chargee.mission@example.org"
    upload = tmp_path / "network.xlsx"
    upload.write_bytes(as_xlsx(rows))
    page.set_viewport_size({"width": 375, "height": 800})

    page.goto(f"{live_server.url}/accounts/login/?next=/dashboard/commitments/import/")
    page.get_by_label("Email address").fill(office.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Spreadsheet of commitments").set_input_files(str(upload))
    page.get_by_role("button", name="Check the file (nothing is imported yet)").click()

    preview = page.get_by_test_id("import-preview")
    expect(preview).to_contain_text("4 new commitments")
    expect(preview).to_contain_text("Amina Diallo-Ndiaye")
    expect(preview).to_contain_text("ended: created closed")
    assert not Commitment.objects.exists()  # a preview writes nothing
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Imported: 4 new commitments")
    assert Commitment.objects.get(champion__full_name="Amina Diallo-Ndiaye", number=1).text == PARTS_TEXT
    assert mail.outbox == []  # importing emails nobody
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.goto(f"{live_server.url}/dashboard/people/")
    page.get_by_role("button", name="Invite everyone not invited yet (2)").click()
    expect(page.get_by_role("status").first).to_contain_text("Invitations were emailed to 2 people")
    assert sorted(message.to[0] for message in mail.outbox) == [
        "amina@example.org",
        "chargee.mission@example.org",
    ]
    assert Champion.objects.filter(user__isnull=True).count() == 2  # no email yet: not invited
