"""WCAG 2.1 AA checks with axe-core in a real browser, in English and French, and a phone-sized screen."""

import os

# Why: Playwright's sync API runs an event loop in the test's thread; Django refuses database
# access from such a thread unless told it is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.tests.factories import PASSWORD
from champions.tests.factories import ChampionFactory, HubFactory, OrganizationFactory
from commitments.tests.factories import CommitmentFactory
from events.models import ProgressEvent
from events.tests.factories import PanelFactory, ProgressEventFactory

LANGUAGES = ["en", "fr"]


def _sign_in(page, live_server, user, language):
    page.goto(f"{live_server.url}/accounts/login/")
    if language != "en":
        page.locator(f'button[name="language"][value="{language}"]').click()
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit].btn-primary").click()
    page.wait_for_load_state()


def _serious_violations(page):
    # Loaded from the site's own static files: the Content-Security-Policy allows nothing inline.
    origin = re.match(r"https?://[^/]+", page.url).group(0)
    page.add_script_tag(url=f"{origin}/static/vendor/axe-core-4.11.0/axe.min.js")
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                          nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


@pytest.fixture
def logged(cast):
    ProgressEventFactory(
        commitment=cast.commitment, occurred_on=timezone.localdate(), logged_by=cast.focal_point
    )
    PanelFactory(commitment=cast.other_commitment, occurred_on=timezone.localdate())
    return cast


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sign_in_page_has_no_serious_violation(page: Page, live_server, language, db):
    page.goto(f"{live_server.url}/accounts/login/")
    if language != "en":
        page.locator(f'button[name="language"][value="{language}"]').click()
        page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert _serious_violations(page) == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_focal_points_pages_have_no_serious_violation(page: Page, live_server, logged, language):
    _sign_in(page, live_server, logged.focal_point, language)
    for path in ["/", f"/commitments/{logged.commitment.pk}/", f"/commitments/{logged.commitment.pk}/log/"]:
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert _serious_violations(page) == [], path


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_dashboard_has_no_serious_violation(page: Page, live_server, logged, language):
    _sign_in(page, live_server, logged.office_member, language)
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert _serious_violations(page) == []


@pytest.fixture
def wide_tables(logged):
    """Data that makes the office's tables wider than a phone: names without a place to break a line
    in each breakdown, and a champion with a commitment in each of the overdue, due-soon and stale
    lists."""
    today = timezone.localdate()
    hub = HubFactory(name="PalaisDesNationsLiaisonOfficeHub")
    organization = OrganizationFactory(
        name="Office of the Special Adviser", acronym="UNWOMENUNDPPADOSDMSPCOHCHRUNH"
    )
    champion = ChampionFactory(
        full_name="Maximiliana Wolkenstein-Rodenegg", hub=hub, organization=organization
    )
    for number, due_on in enumerate(
        [today - datetime.timedelta(days=5), today + datetime.timedelta(days=10)], 1
    ):
        CommitmentFactory(
            champion=champion,
            cycle=logged.cycle,
            number=number,
            due_on=due_on,
            title="Hold quarterly town halls with women staff at headquarters and in field missions",
        )
    logged.wide_champion = champion
    return logged


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_office_pages_wide_tables_scroll_by_keyboard_on_a_phone(
    page: Page, live_server, wide_tables, language
):
    page.set_viewport_size({"width": 375, "height": 812})
    _sign_in(page, live_server, wide_tables.office_member, language)
    for path in ["/dashboard/", f"/dashboard/champions/{wide_tables.wide_champion.pk}/"]:
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("html")).to_have_attribute("lang", language)
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")  # chart data
        scrolling = page.evaluate(
            """() => [...document.querySelectorAll('.table-responsive')]
                .filter(e => e.scrollWidth > e.clientWidth)
                .map(e => ({label: e.getAttribute('aria-label'), tabindex: e.getAttribute('tabindex'),
                            breakdown: !!e.closest('section[aria-labelledby="breakdowns-title"]')}))"""
        )
        # Tables that do scroll sideways, a breakdown among them on the dashboard: else this proves nothing.
        assert scrolling and (path != "/dashboard/" or any(t["breakdown"] for t in scrolling)), path
        assert all(t["tabindex"] == "0" and t["label"] for t in scrolling), scrolling
        assert _serious_violations(page) == [], path


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_form_errors_are_tied_to_their_fields(page: Page, live_server, cast):
    _sign_in(page, live_server, cast.focal_point, "en")
    page.goto(f"{live_server.url}/commitments/{cast.commitment.pk}/log/")
    page.locator("#id_kind").select_option("panel")
    page.locator("#id_title").fill("")
    page.locator("#id_women_count").fill("0")
    page.locator("#id_men_count").fill("0")
    page.locator("#event-form button[type=submit]").first.click()
    title = page.locator("#id_title")
    expect(title).to_have_attribute("aria-invalid", "true")
    described = title.get_attribute("aria-describedby") or ""
    assert any(page.locator(f"#{id_}").count() for id_ in described.split()), described
    assert _serious_violations(page) == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_focal_point_logs_an_event_on_a_phone(page: Page, live_server, cast):
    page.set_viewport_size({"width": 375, "height": 740})
    _sign_in(page, live_server, cast.focal_point, "en")

    def no_horizontal_scroll():
        return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    assert no_horizontal_scroll(), "home page scrolls sideways at 375 px"
    log = page.get_by_role("link", name=re.compile("Log progress"))
    box = log.first.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44, box
    log.first.click()
    expect(page.locator("#id_kind")).to_be_visible()  # the form has loaded, not the page before it
    assert no_horizontal_scroll(), "log form scrolls sideways at 375 px"
    page.locator("#id_kind").select_option("meeting")
    page.locator("#id_title").fill("Town hall in Bunia")
    page.locator("#id_women_count").fill("14")
    page.locator("#id_men_count").fill("2")
    save = page.locator("#event-form button[type=submit]").first
    save_box = save.bounding_box()
    assert save_box["height"] >= 44, save_box
    save.click()
    expect(page.locator(".alert-success")).to_contain_text("Town hall in Bunia")
    assert no_horizontal_scroll()
    assert ProgressEvent.objects.get().title == "Town hall in Bunia"
