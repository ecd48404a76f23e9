"""The champion's draft form asks what each kind of target needs: an indicator its value at the
start, its target and unit; the page shows those fields only, on a phone too."""

import os

# Why: Playwright's sync API runs an event loop in the test's thread, and Django refuses database
# access from a thread with a running loop unless told it is safe (the factories and checks here).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from accounts.tests.factories import PASSWORD
from commitments.models import Approval, TargetKind
from commitments.tests.factories import CycleFactory

YEAR = 2027
TEXT = "Raise the share of women among staff at D-1 and above from 28% to 40%:\na) publish it every quarter."


@pytest.fixture
def next_cycle(db):
    return CycleFactory(year=YEAR)


def _add(client, cast, **fields):
    data = {"text": TEXT, "target_kind": "indicator", "due_on": f"{YEAR}-12-31", **fields}
    return client.post(f"/cycles/{YEAR}/champions/{cast.champion.pk}/commitments/new/", data)


def test_an_indicator_keeps_its_value_at_the_start_target_and_unit_as_written(client, cast, next_cycle):
    client.force_login(cast.focal_point)
    response = _add(
        client, cast, baseline="28", target_value="40.5", unit="% women at D-1 and above", counts_kind="panel"
    )
    assert response.status_code == 302, response.context["form"].errors
    draft = next_cycle.commitments.get()
    assert (draft.target_kind, draft.baseline, draft.target_value) == (
        TargetKind.INDICATOR,
        28,
        Decimal("40.5"),
    )
    assert (draft.unit, draft.counts_kind, draft.approval) == ("% women at D-1 and above", "", Approval.DRAFT)
    assert draft.text == TEXT  # its line break kept
    assert draft.title == "Raise the share of women among staff at D-1 and above from 28% to 40%"


def test_a_count_drops_what_only_an_indicator_uses(client, cast, next_cycle):
    client.force_login(cast.focal_point)
    _add(
        client,
        cast,
        target_kind="count",
        target_value="4",
        counts_kind="meeting",
        baseline="28",
        unit="meetings",
    )
    draft = next_cycle.commitments.get()
    assert (draft.target_value, draft.counts_kind, draft.baseline, draft.unit) == (4, "meeting", None, "")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"target_value": ""}, "An indicator needs the value to reach."),
        ({"baseline": "28", "target_value": "28"}, "The value to reach must differ from the baseline."),
        ({"target_value": "0"}, "The value to reach must differ from the baseline."),  # no baseline: 0
        ({"target_value": "forty"}, "Enter a number."),
    ],
)
def test_an_indicator_without_a_target_to_reach_is_refused_with_a_clear_message(
    client, cast, next_cycle, fields, message
):
    client.force_login(cast.focal_point)
    response = _add(client, cast, **fields)
    assert response.status_code == 200
    assert message in response.context["form"].errors["target_value"]
    assert "Nothing was saved" in response.content.decode()
    assert not next_cycle.commitments.exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_form_shows_the_fields_of_each_kind_of_target_on_a_phone(page: Page, live_server, cast):
    CycleFactory(year=YEAR)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(cast.focal_point.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/cycles/{YEAR}/champions/{cast.champion.pk}/commitments/new/")

    def field(label):
        return page.get_by_label(re.compile(rf"^\s*{label}\s*\*?\s*$"))

    kind = field("How it is measured")
    shown = {
        "Count": {"Target", "What counts toward it"},
        "Percentage": {"Target"},
        "Indicator": {"Value at the start", "Target", "Unit"},
        "Milestone": set(),
    }
    for label, fields in shown.items():
        kind.select_option(label=label)
        for name in ["Value at the start", "Target", "Unit", "What counts toward it"]:
            if name in fields:
                expect(field(name)).to_be_visible()
            else:
                expect(field(name)).to_be_hidden()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), label

    kind.select_option(label="Indicator")
    field("Commitment").fill(TEXT)
    field("Value at the start").fill("28")
    page.get_by_role("button", name="Save draft").click()
    target = field("Target")
    expect(target).to_be_visible()  # the kind chosen stays chosen, with its fields
    expect(target).to_have_attribute("aria-invalid", "true")
    expect(target).to_have_accessible_description(re.compile("An indicator needs the value to reach."))
