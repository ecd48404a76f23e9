"""What users type is shown as text everywhere: pages, admin, emails; and exports cannot run formulas."""

import csv
import datetime
import io

import pytest
from django.core import mail
from django.utils import timezone

from accounts.tests.factories import AdminFactory
from commitments.tests.factories import CommitmentFactory
from config.tests.helpers import at_eight
from events.tests.factories import ProgressEventFactory
from reminders import delivery

SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
# Breaks out of an attribute value if quotes are not escaped.
ATTRIBUTE = '"><img src=x onerror=alert(2)>'
RAW_MARKUP = [SCRIPT, "<img src=x", "</script><script>"]


@pytest.fixture
def tainted(cast):
    """The cast's commitment and one of its events, titled with a script, due in 10 days."""
    today = timezone.localdate()
    commitment = cast.commitment
    commitment.title = SCRIPT
    commitment.description = ATTRIBUTE
    commitment.due_on = today + datetime.timedelta(days=10)  # listed under "due soon" on the dashboard
    commitment.save()
    # Its name ends up in the dashboard's chart data, inside a <script type="application/json">.
    hub = cast.champion.hub
    hub.name = f"</script><script>alert(3)</script>{hub.name}"
    hub.save()
    return ProgressEventFactory(
        commitment=commitment,
        title=SCRIPT,
        notes=ATTRIBUTE,
        location=ATTRIBUTE,
        occurred_on=today,
        logged_by=cast.champion_user,
    )


def assert_shown_as_text(response):
    assert response.status_code == 200
    page = response.content.decode()
    for markup in RAW_MARKUP:
        assert markup not in page
    assert ESCAPED_SCRIPT in page


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/commitments/{commitment}/",
        "/commitments/{commitment}/log/",
        "/events/{event}/edit/",
        "/events/{event}/delete/",
    ],
)
def test_it_escapes_titles_on_the_champions_pages(client, cast, tainted, url):
    client.force_login(cast.champion_user)
    assert_shown_as_text(client.get(url.format(commitment=cast.commitment.pk, event=tainted.pk)))


def test_it_shows_the_event_title_as_typed_in_the_edit_form(client, cast, tainted):
    client.force_login(cast.champion_user)
    page = client.get(f"/events/{tainted.pk}/edit/").content.decode()
    assert f'value="{ESCAPED_SCRIPT}"' in page
    assert "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in page


@pytest.mark.parametrize(
    "url", ["/dashboard/", "/dashboard/champions/{champion}/", "/dashboard/commitments/{commitment}/"]
)
def test_it_escapes_titles_on_the_office_pages(client, cast, tainted, url):
    client.force_login(cast.office_member)
    response = client.get(url.format(champion=cast.champion.pk, commitment=cast.commitment.pk))
    assert_shown_as_text(response)


def test_the_dashboard_lists_the_commitment_in_its_tables_and_charts(client, cast, tainted):
    client.force_login(cast.office_member)
    page = client.get("/dashboard/").content.decode()
    due_soon = page.split('id="due-title"')[1].split("</section>")[0]
    assert f"1. {ESCAPED_SCRIPT}</span></a>" in due_soon
    assert f'title="{ESCAPED_SCRIPT}"' in page  # the champion's status cells
    chart_data = page.split('id="chart-data"')[1].split("</script>")[0]
    assert "\\u003C/script\\u003E\\u003Cscript\\u003Ealert(3)" in chart_data


@pytest.mark.parametrize(
    "url",
    [
        "/admin/commitments/commitment/",
        "/admin/commitments/commitment/{commitment}/change/",
        "/admin/commitments/commitment/{commitment}/history/",
        "/admin/events/progressevent/",
        "/admin/events/progressevent/{event}/change/",
        "/admin/events/progressevent/{event}/history/",
        "/admin/champions/champion/{champion}/change/",
    ],
)
def test_it_escapes_titles_in_admin(client, cast, tainted, url):
    client.force_login(AdminFactory())
    response = client.get(
        url.format(commitment=cast.commitment.pk, event=tainted.pk, champion=cast.champion.pk)
    )
    assert_shown_as_text(response)


def _csv_rows(response):
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(body)))


FORMULAS = ["=1+1", "+1+1", "-1+1", "@SUM(1+1)"]


def test_the_events_export_neutralises_formulas(client, cast):
    for formula in FORMULAS:
        ProgressEventFactory(
            commitment=cast.commitment, title=formula, location=formula, logged_by=cast.champion_user
        )
    client.force_login(cast.champion_user)
    rows = _csv_rows(client.get("/events/export.csv"))
    assert sorted(row["title"] for row in rows) == sorted(f"'{formula}" for formula in FORMULAS)
    assert sorted(row["location"] for row in rows) == sorted(f"'{formula}" for formula in FORMULAS)


def test_the_dashboard_export_neutralises_formulas(client, cast):
    cast.commitment.title = FORMULAS[0]
    cast.commitment.save()
    for number, formula in enumerate(FORMULAS[1:], start=2):
        CommitmentFactory(champion=cast.champion, cycle=cast.cycle, number=number, title=formula)
    cast.champion.full_name = '=HYPERLINK("http://evil.example")'
    cast.champion.save()
    client.force_login(cast.office_member)
    rows = [row for row in _csv_rows(client.get("/dashboard/export.csv")) if row["champion"].startswith("'=")]
    assert sorted(row["title"] for row in rows) == sorted(f"'{formula}" for formula in FORMULAS)
    assert {row["champion"] for row in rows} == {'\'=HYPERLINK("http://evil.example")'}


def test_the_exports_keep_ordinary_text_as_it_is(client, cast):
    ProgressEventFactory(commitment=cast.commitment, title="Town hall, 40 women – 1 man", location="Goma")
    client.force_login(cast.champion_user)
    (row,) = _csv_rows(client.get("/events/export.csv"))
    assert (row["title"], row["location"]) == ("Town hall, 40 women – 1 man", "Goma")


def test_a_reminder_email_escapes_the_title_in_its_html_part(cast):
    commitment = cast.commitment
    commitment.title = SCRIPT
    commitment.due_on = datetime.date(cast.cycle.year, 6, 30)
    commitment.save()
    day = commitment.due_on - datetime.timedelta(days=7)
    with at_eight(day):
        for reminder_id in delivery.sweep():
            delivery.deliver(reminder_id)
    messages = [message for message in mail.outbox if "alert(1)" in message.body]
    assert messages, [message.subject for message in mail.outbox]
    for message in messages:
        html, mimetype = message.alternatives[0]
        assert mimetype == "text/html"
        assert SCRIPT not in html
        assert ESCAPED_SCRIPT in html
        assert SCRIPT in message.body  # the plain-text part shows the title as typed


def test_the_office_digest_escapes_titles_in_its_html_part(cast):
    commitment = cast.commitment
    commitment.title = SCRIPT
    commitment.due_on = datetime.date(cast.cycle.year, 6, 30)
    commitment.save()
    with at_eight(commitment.due_on - datetime.timedelta(days=3)):
        delivery.send_digest()
    (message,) = mail.outbox
    html = message.alternatives[0][0]
    assert SCRIPT not in html
    assert ESCAPED_SCRIPT in html
    assert SCRIPT in message.body
