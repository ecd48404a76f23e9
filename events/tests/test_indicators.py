"""Indicator commitments everywhere they show: their roll-ups and progress (Python and SQL alike),
the commitment's pages with its text as published, the champion's report, the export and reminders."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commitments.models import Commitment, TargetKind
from commitments.tests.factories import CommitmentFactory, commitment_due_in_seven_days
from events.tests.factories import CheckInFactory, ProgressEventFactory
from reminders.tests.helpers import run_day


def _day(cast, days_in):
    """A day of the cast's cycle, never after today."""
    return min(cast.cycle.starts_on + datetime.timedelta(days=days_in), timezone.localdate())


def _in_sql(commitment):
    return Commitment.objects.with_progress().get(pk=commitment.pk).annotated_progress


# Roll-ups and progress


def test_the_latest_value_is_the_latest_days_whatever_order_they_came_in(cast, pay_gap):
    CheckInFactory(commitment=pay_gap, value=Decimal(9), measured_on=_day(cast, 2))
    CheckInFactory(commitment=pay_gap, value=Decimal(11), measured_on=_day(cast, 1))  # reported late
    pay_gap.refresh_from_db()
    assert (pay_gap.latest_value, pay_gap.latest_value_on) == (Decimal(9), _day(cast, 2))


def test_the_last_progress_day_is_the_later_of_the_last_event_and_the_last_value(cast, pay_gap):
    ProgressEventFactory(commitment=pay_gap, occurred_on=_day(cast, 1))
    pay_gap.refresh_from_db()
    assert pay_gap.last_event_on == _day(cast, 1)
    value = CheckInFactory(commitment=pay_gap, measured_on=_day(cast, 3))
    pay_gap.refresh_from_db()
    assert pay_gap.last_event_on == _day(cast, 3)
    value.delete()
    pay_gap.refresh_from_db()
    assert (pay_gap.last_event_on, pay_gap.latest_value, pay_gap.latest_value_on) == (
        _day(cast, 1),
        None,
        None,
    )


@pytest.mark.parametrize(
    ("baseline", "target", "values", "percent"),
    [
        # Reducing the pay gap from 12.5% to 5%: a third of the way at 10, rounded down.
        ("12.5", "5", [], 0),
        ("12.5", "5", ["12.5"], 0),
        ("12.5", "5", ["10"], 33),
        ("12.5", "5", ["9.99"], 33),
        ("12.5", "5", ["5"], 100),
        ("12.5", "5", ["4"], 100),  # beyond the target: done, not more
        ("12.5", "5", ["13"], 0),  # worse than at the start: nothing yet, not less
        ("12.5", "5", ["11", "8.75"], 50),  # the latest counts
        # Raising women among D-level staff from 28% to 40%.
        ("28", "40", ["31"], 25),
        ("28", "40", ["39.99"], 99),  # never rounded up to done
        ("28", "40", ["40"], 100),
        ("28", "40", ["27"], 0),
        # No baseline: from 0.
        (None, "40", ["10"], 25),
    ],
)
def test_progress_is_where_the_latest_value_stands_in_python_and_in_sql_alike(
    cast, baseline, target, values, percent
):
    commitment = CommitmentFactory(
        champion=cast.champion,
        cycle=cast.cycle,
        number=3,
        target_kind=TargetKind.INDICATOR,
        baseline=None if baseline is None else Decimal(baseline),
        target_value=Decimal(target),
        unit="%",
        counts_kind="",
    )
    for days_in, value in enumerate(values, start=1):
        CheckInFactory(commitment=commitment, value=Decimal(value), measured_on=_day(cast, days_in))
    commitment.refresh_from_db()
    assert commitment.progress_percent == percent
    assert _in_sql(commitment) == percent


def test_the_progress_figure_says_the_latest_value_its_day_and_the_target(cast, pay_gap):
    assert pay_gap.progress_figure == "No value reported yet (target from 12.5 to 5 % pay gap)"
    CheckInFactory(
        commitment=pay_gap, value=Decimal("8.75"), measured_on=datetime.date(cast.cycle.year, 1, 1)
    )
    pay_gap.refresh_from_db()
    assert pay_gap.progress_figure.startswith("8.75 % pay gap on ")
    assert pay_gap.progress_figure.endswith("(target from 12.5 to 5 % pay gap)")


# The commitment's pages


def test_the_commitment_page_shows_its_text_as_published_and_the_values_newest_first(client, cast, pay_gap):
    CheckInFactory(
        commitment=pay_gap, value=Decimal(11), measured_on=_day(cast, 1), logged_by=cast.focal_point,
        comment="First payroll\nof the year",
    )  # fmt: skip
    CheckInFactory(
        commitment=pay_gap,
        value=Decimal("8.75"),
        measured_on=_day(cast, 2),
        evidence_url="https://example.org/q2",
    )
    client.force_login(cast.focal_point)
    page = client.get(f"/commitments/{pay_gap.pk}/").content.decode()

    assert f'<h1 class="h3">2. {pay_gap.title}</h1>' in page
    assert (
        "Reduce the gender pay gap in our organisation from 12.5% to 5% by the end of the year:<br>"
        "a) publish the gap by grade every quarter;<br>"
        "b) review every starting salary set above the grade&#x27;s midpoint &lt;with the staff union&gt;."
    ) in page
    assert "from 12.5 to 5 % pay gap" in page  # baseline, target and unit
    assert f"8.75 % pay gap, {_day(cast, 2):%-d %b %Y}" in page  # the latest value and its day
    assert page.index("8.75 % pay gap</h3>") < page.index("11 % pay gap</h3>")
    assert "First payroll<br>of the year" in page
    assert "Reported by Fiona Focal" in page
    assert 'href="https://example.org/q2"' in page
    assert f'href="/commitments/{pay_gap.pk}/check-in/">Report a value</a>' in page


def test_an_indicator_page_before_any_value_invites_the_first(client, cast, pay_gap):
    client.force_login(cast.champion_user)
    page = client.get(f"/commitments/{pay_gap.pk}/").content.decode()
    assert "none reported yet" in page
    assert (
        f'No value reported yet. <a href="/commitments/{pay_gap.pk}/check-in/">Report the first value</a>'
        in page
    )


def test_other_kinds_of_commitment_show_their_text_and_no_values(client, cast):
    client.force_login(cast.champion_user)
    page = client.get(f"/commitments/{cast.commitment.pk}/").content.decode()
    assert cast.commitment.text in page
    assert "Report a value" not in page
    assert "Values reported" not in page
    assert "Latest value" not in page


def _queries(client, url):
    client.get(url)  # A session's first request saves it (its activity); the count is of the next.
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/commitments/{pk}/", "/dashboard/commitments/{pk}/"])
def test_an_indicator_page_costs_the_same_queries_with_3_and_30_values(client, cast, pay_gap, url):
    user = cast.office_member if url.startswith("/dashboard/") else cast.focal_point
    client.force_login(user)
    url = url.format(pk=pay_gap.pk)
    CheckInFactory.create_batch(3, commitment=pay_gap, logged_by=cast.focal_point)
    few = _queries(client, url)
    CheckInFactory.create_batch(27, commitment=pay_gap, logged_by=cast.champion_user)
    assert _queries(client, url) == few


def test_the_office_sees_the_text_the_values_their_evidence_and_who_changed_them(client, cast, pay_gap):
    client.force_login(cast.focal_point)
    client.post(
        f"/commitments/{pay_gap.pk}/check-in/",
        {"value": "10", "measured_on": _day(cast, 1).isoformat(), "comment": "Payroll"},
    )
    check_in = pay_gap.check_ins.get()
    client.post(
        f"/check-ins/{check_in.pk}/edit/",
        {"value": "9.5", "measured_on": _day(cast, 1).isoformat(), "comment": "Payroll, corrected"},
    )
    check_in.refresh_from_db()
    check_in.evidence_name = "Payroll.pdf"
    check_in.evidence_file.save("payroll.pdf", io.BytesIO(b"%PDF-1.4\n%%EOF\n"))

    client.force_login(cast.office_member)
    response = client.get(f"/dashboard/commitments/{pay_gap.pk}/")
    page = response.content.decode()
    assert "a) publish the gap by grade every quarter;<br>" in page
    assert "9.5 % pay gap" in page
    assert 'Fiona Focal <span class="text-muted">&lt;focal@example.org&gt;</span>' in page
    assert f'href="/check-ins/{check_in.pk}/evidence/"' in page
    assert f"/check-ins/{check_in.pk}/edit/" not in page  # the office reads, and changes nothing
    day = f"{_day(cast, 1):%-d %b %Y}"
    assert [(str(entry.action), entry.title) for entry in response.context["audit"][:3]] == [
        ("changed", f"9.5 ({day})"),
        ("changed", f"9.5 ({day})"),
        ("created", f"10 ({day})"),
    ]


# The champion's report, the export and reminders


def test_the_champions_report_shows_each_commitments_full_text(client, cast, pay_gap):
    CheckInFactory(commitment=pay_gap, value=Decimal(10), measured_on=_day(cast, 1))
    client.force_login(cast.champion_user)
    page = client.get(f"/reports/{cast.cycle.year}/champions/{cast.champion.pk}/").content.decode()
    assert "a) publish the gap by grade every quarter;<br>" in page
    assert "10 % pay gap on" in page  # the progress figure
    assert cast.commitment.text in page


def test_the_champions_report_pdf_shows_each_commitments_full_text(client, cast, pay_gap):
    from pypdf import PdfReader

    client.force_login(cast.champion_user)
    response = client.get(f"/reports/{cast.cycle.year}/champions/{cast.champion.pk}.pdf")
    assert response.status_code == 200
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "a) publish the gap by grade every quarter;" in text
    assert "b) review every starting salary" in text
    assert "from 12.5 to 5 % pay gap" in text


def test_the_office_export_gives_an_indicators_latest_value_and_nothing_for_the_others(client, cast, pay_gap):
    CheckInFactory(commitment=pay_gap, value=Decimal("8.75"), measured_on=_day(cast, 1))
    client.force_login(cast.office_member)
    body = b"".join(client.get("/dashboard/export.csv").streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    column = rows[0].index("latest value")
    by_title = {row[rows[0].index("title")]: row for row in rows[1:]}
    assert by_title[pay_gap.title][column] == "8.75"
    assert by_title[pay_gap.title][rows[0].index("target")] == "from 12.5 to 5 % pay gap"
    assert by_title[pay_gap.title][rows[0].index("progress %")] == "50"
    assert by_title[cast.commitment.title][column] == ""


def test_a_reminder_of_an_indicator_says_its_title_and_where_its_value_stands(db):
    today = timezone.localdate()
    commitment = commitment_due_in_seven_days(today, focal_point_email="fiona@example.org")
    commitment.target_kind, commitment.counts_kind, commitment.unit = TargetKind.INDICATOR, "", "% pay gap"
    commitment.baseline, commitment.target_value = Decimal("12.5"), Decimal(5)
    commitment.text = "Reduce the gender pay gap from 12.5% to 5%:\na) publish it every quarter."
    commitment.title = ""
    commitment.save()
    CheckInFactory(commitment=commitment, value=Decimal(10), measured_on=today)

    run_day(today)

    message = next(message for message in mail.outbox if message.to == ["fiona@example.org"])
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert f"Commitment 1: {commitment.title}" in body
        assert "33% (10 % pay gap on" in body
        assert "(target from 12.5 to 5 % pay gap)" in body
    assert "a) publish" not in message.body  # a list of what is due: titles, not texts


def test_the_log_form_of_an_indicator_points_to_reporting_a_value(client, cast, pay_gap):
    # Reminders link to the log form: from there, the value is one link away.
    client.force_login(cast.focal_point)
    page = client.get(f"/commitments/{pay_gap.pk}/log/").content.decode()
    assert f'<a href="/commitments/{pay_gap.pk}/check-in/">report a value</a>' in page
    assert "/check-in/" not in client.get(f"/commitments/{cast.commitment.pk}/log/").content.decode()
