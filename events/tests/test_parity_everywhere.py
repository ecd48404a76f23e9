"""Panel parity shown and exported everywhere with organiser-confirmed panels apart from
self-reported ones (ProgressEventQuerySet.panel_parity, kept on each commitment by the roll-ups):
the roll-ups themselves, the dashboard, the office's and the champion's pages, and every export."""

import csv
import datetime
import io
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from icalendar import Calendar
from openpyxl import load_workbook

from champions.tests.factories import PledgeSignatureFactory, pledge
from commitments.models import PANEL_ROLLUPS, Commitment, PanelFigures, TargetKind
from commitments.tests.factories import CommitmentFactory
from events.models import PanelConfirmation, PanelOutcome, ProgressEvent
from events.tests.factories import PanelFactory
from reminders.tests.helpers import run_day

pytestmark = pytest.mark.django_db

# The mix on the parity commitment: confirmed 2 panels (the organisers' figures: 1+3 women of 8),
# self-reported 2 (1+0 women of 6: a link not answered yet is self-reported); a declined panel and
# one outside the cycle count for neither.
CONFIRMED = {"confirmed_panels": 2, "confirmed_women": 4, "confirmed_men": 4}
SELF_REPORTED = {"self_reported_women": 1, "self_reported_men": 5}


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _answer(event, women, men):
    confirmation, _token = PanelConfirmation.ask(event, "organiser@example.org")
    assert confirmation.answer(women, men)


@pytest.fixture
def parity(cast):
    """A women's-share commitment of the cast's champion (who signed the Panel Parity Pledge) with
    a corrected panel, a confirmed one, one asked and not answered, one self-reported, one declined
    and one logged outside the cycle."""
    commitment = CommitmentFactory(
        champion=cast.champion,
        cycle=cast.cycle,
        number=3,
        target_kind=TargetKind.PERCENTAGE,
        target_value=50,
        categories=["panel-parity"],
        unit="",
        counts_kind="panel",
    )
    PledgeSignatureFactory(champion=cast.champion)
    _answer(PanelFactory(commitment=commitment, women_count=2, men_count=2), 1, 3)  # corrected
    _answer(PanelFactory(commitment=commitment, women_count=3, men_count=1), 3, 1)  # confirmed
    PanelConfirmation.ask(PanelFactory(commitment=commitment, women_count=1, men_count=1), "o@example.org")
    PanelFactory(commitment=commitment, women_count=0, men_count=4)
    PanelFactory(commitment=commitment, women_count=5, men_count=0, panel_outcome=PanelOutcome.DECLINED)
    before = cast.cycle.starts_on - datetime.timedelta(days=1)
    _answer(PanelFactory(commitment=commitment, women_count=2, men_count=0, occurred_on=before), 2, 0)
    commitment.refresh_from_db()
    return commitment


def test_the_roll_ups_keep_the_split_of_the_one_rule(parity):
    figures = ProgressEvent.objects.filter(commitment=parity).panel_parity()
    assert figures == {
        **CONFIRMED,
        "confirmed_share": 50,
        "self_reported_panels": 2,
        **SELF_REPORTED,
        "self_reported_share": 16,
    }
    assert {name: getattr(parity, name) for name in [*CONFIRMED, *SELF_REPORTED]} == {
        **CONFIRMED,
        **SELF_REPORTED,
    }
    # The panels logged are the confirmed ones and the self-reported ones, no more.
    assert (parity.panels_logged, parity.self_reported_panels) == (4, 2)
    assert (parity.confirmed_share, parity.self_reported_share) == (50, 16)
    # A recount from scratch finds the same.
    Commitment.objects.filter(pk=parity.pk).update(confirmed_panels=0, self_reported_women=0)
    Commitment.objects.filter(pk=parity.pk).recount_rollups()
    parity.refresh_from_db()
    assert (parity.confirmed_panels, parity.self_reported_women) == (2, 1)


def test_an_event_edited_or_deleted_after_the_answer_moves_the_split(parity):
    self_reported = parity.events.get(women_count=0, men_count=4)
    self_reported.women_count, self_reported.men_count = 4, 0
    self_reported.save()
    parity.refresh_from_db()
    assert (parity.self_reported_women, parity.self_reported_men) == (5, 1)
    parity.events.filter(confirmations__outcome="corrected").get().delete()
    parity.refresh_from_db()
    assert (parity.confirmed_panels, parity.confirmed_women, parity.confirmed_men) == (1, 3, 1)


def test_panel_figures_add_up_the_split():
    one = PanelFigures(panels_logged=2, confirmed_panels=1, confirmed_women=1, confirmed_men=1)
    two = PanelFigures(panels_logged=1, self_reported_women=3, self_reported_men=1)
    total = one + two
    assert (total.panels_logged, total.confirmed_panels, total.self_reported_panels) == (3, 1, 2)
    assert (total.confirmed_share, total.self_reported_share) == (50, 75)
    assert PanelFigures().confirmed_share is None
    assert set(PANEL_ROLLUPS) >= {*CONFIRMED, *SELF_REPORTED}


def _figures(content):
    return dict(re.findall(r'data-figure="(\w+)">([^<]*)<', content))


def test_the_dashboard_shows_both_shares_and_the_pledges_too(cast, parity):
    content = _client(cast.office_member).get(f"/dashboard/?cycle={cast.cycle.year}").content.decode()
    figures = _figures(content)
    assert (figures["confirmed_share"], figures["self_reported_share"]) == ("50%", "16%")
    assert "organiser-confirmed (2 panels)" in content and "self-reported (2 panels)" in content
    pledge_pk = pledge("panel-parity").pk
    assert figures[f"pledge_{pledge_pk}_panels"] == "4"
    assert figures[f"pledge_{pledge_pk}_confirmed_panels"] == "2"
    assert figures[f"pledge_{pledge_pk}_confirmed_share"] == "50%"
    assert figures[f"pledge_{pledge_pk}_self_reported_share"] == "16%"
    assert "Panels confirmed by organisers" in content


def test_the_months_keep_the_split_and_the_dashboards_trend_shows_it(cast, parity):
    from commitments.models import CycleMonth
    from commitments.tests.helpers import assert_cycle_months_add_up

    (month,) = CycleMonth.objects.filter(cycle=cast.cycle).trend()
    assert month["month"] == cast.cycle.starts_on
    assert {name: month[name] for name in ("confirmed_women", "confirmed_men")} == {
        "confirmed_women": 4,
        "confirmed_men": 4,
    }
    assert {name: month[name] for name in SELF_REPORTED} == SELF_REPORTED
    assert_cycle_months_add_up()
    for query in (f"?cycle={cast.cycle.year}", f"?cycle={cast.cycle.year}&hub={cast.champion.hub_id}"):
        content = _client(cast.office_member).get(f"/dashboard/{query}").content.decode()
        row = re.search(r'<tr data-testid="month-parity">(.*?)</tr>', content).group(1)
        assert re.findall(r">([^<>]+)</td>", row) == ["6", "8", "50%", "16%"]


def test_the_dashboard_in_french(cast, parity):
    cast.office_member.language = "fr"
    cast.office_member.save(update_fields=["language"])
    content = _client(cast.office_member).get(f"/dashboard/?cycle={cast.cycle.year}").content.decode()
    with translation.override("fr"):
        for label in (
            "Panels confirmed by organisers",
            "Women's share, confirmed",
            "Women's share, self-reported",
        ):
            assert gettext(label) != label and gettext(label) in content


@pytest.mark.parametrize("who", ["champion_user", "office_member"])
def test_the_champions_pages_show_both_shares_beside_the_progress_and_the_pledge(cast, parity, who):
    url = "/" if who == "champion_user" else f"/dashboard/champions/{cast.champion.pk}/"
    content = _client(getattr(cast, who)).get(url).content.decode()
    split = re.search(r'data-testid="progress-parity-split">([^<]*)<', content).group(1)
    assert split == "Organiser-confirmed: 50% women (2 panels) · self-reported: 16% women (2 panels)"
    assert "Women's share: 50% on 2 panels confirmed by their organisers, 16% on 2 self-reported." in content


def test_the_champions_report_shows_both_shares_beside_the_progress(cast, parity):
    url = f"/reports/{cast.cycle.year}/champions/{cast.champion.pk}/"
    content = _client(cast.champion_user).get(url).content.decode()
    split = re.search(r'data-testid="progress-parity-split">([^<]*)<', content).group(1)
    assert split == "Organiser-confirmed: 50% women (2 panels) · self-reported: 16% women (2 panels)"
    assert "Women's share: 50% on 2 panels confirmed by their organisers" in content


def test_the_progress_line_in_french(cast, parity):
    cast.champion_user.language = "fr"
    cast.champion_user.save(update_fields=["language"])
    content = _client(cast.champion_user).get("/").content.decode()
    split = re.search(r'data-testid="progress-parity-split">([^<]*)<', content).group(1)
    assert split.startswith("Confirmés par les organisateurs")
    assert "autodéclarés" in split


def test_a_commitment_page_shows_the_split_once(cast, parity):
    content = _client(cast.champion_user).get(f"/commitments/{parity.pk}/").content.decode()
    assert 'data-testid="progress-parity-split"' not in content  # the page's own split shows it
    assert re.search(r'data-figure="confirmed_share">50%<', content)


def _csv(response):
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_the_dashboards_export_has_a_column_for_each(cast, parity):
    rows = _csv(_client(cast.office_member).get(f"/dashboard/export.csv?cycle={cast.cycle.year}"))
    assert rows[0][-4:] == [
        "panels",
        "panels confirmed by organisers",
        "women's share, confirmed %",
        "women's share, self-reported %",
    ]
    by_number = {row[4]: row for row in rows[1:] if row[0] == cast.champion.full_name}
    assert by_number["3"][-4:] == ["4", "2", "50", "16"]
    assert by_number["1"][-4:] == ["0", "0", "", ""]  # no panel: no share


def test_the_dashboards_xlsx_export_in_french(cast, parity):
    cast.office_member.language = "fr"
    cast.office_member.save(update_fields=["language"])
    response = _client(cast.office_member).get(f"/dashboard/export.xlsx?cycle={cast.cycle.year}")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [cell.value for cell in sheet[1]]
    with translation.override("fr"):
        expected = [gettext("panels confirmed by organisers"), gettext("women's share, confirmed %")]
    assert header[-3:-1] == expected and expected[0] != "panels confirmed by organisers"
    row = next(row for row in sheet.iter_rows(min_row=2, values_only=True) if row[4] == 3)
    assert row[-4:] == (4, 2, 50, 16)


def test_the_champions_events_export_has_the_organisers_answer(cast, parity):
    rows = _csv(_client(cast.champion_user).get("/events/export.csv"))
    assert rows[0][-3:] == [
        "organiser's answer",
        "women, as the organiser says",
        "men, as the organiser says",
    ]
    answers = sorted(tuple(row[-3:]) for row in rows[1:] if row[4] == "Panel")
    assert answers == sorted(
        [
            ("Corrected by the organiser", "1", "3"),
            ("Confirmed by the organiser", "3", "1"),
            ("Confirmed by the organiser", "2", "0"),  # outside the cycle: answered all the same
            ("", "", ""),
            ("", "", ""),
            ("", "", ""),
        ]
    )


def test_the_network_reports_table_has_a_column_for_each(cast, parity):
    office = _client(cast.office_member)
    rows = _csv(office.get(f"/reports/{cast.cycle.year}.csv"))
    assert rows[0][-5:] == [
        "panels",
        "women speakers %",
        "panels confirmed by organisers",
        "women's share, confirmed %",
        "women's share, self-reported %",
    ]
    by_name = {(row[0], row[1]): row[-5:] for row in rows[1:]}
    assert by_name[("hub", cast.champion.hub.name)] == ["4", "42", "2", "50", "16"]
    assert by_name[("hub", cast.other_champion.hub.name)] == ["0", "", "0", "", ""]
    assert by_name[("category", "Panel parity")] == ["4", "42", "2", "50", "16"]
    assert by_name[("all", "All")] == ["4", "42", "2", "50", "16"]
    response = office.get(f"/reports/{cast.cycle.year}.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [cell.value for cell in sheet[1]][-3:] == rows[0][-3:]


def test_a_report_signed_off_before_the_split_reads_all_its_panels_as_self_reported():
    from reports.models import _with_parity_split

    kept = {"panels_logged": 3, "panel_women": 2, "panel_men": 4}
    figures = PanelFigures(**{**_with_parity_split({**kept, "panels_balanced": 1, "panels_single_sex": 0})})
    assert (figures.confirmed_panels, figures.self_reported_panels, figures.self_reported_share) == (0, 3, 33)


def test_the_migration_fills_the_split_in_as_a_recount_would(cast, parity):
    import importlib

    from django.apps import apps

    from commitments.models import CommitmentMonth, CycleMonth

    split = ["confirmed_women", "confirmed_men", "self_reported_women", "self_reported_men"]

    def kept():
        return (
            list(Commitment.objects.order_by("pk").values_list("pk", "confirmed_panels", *split)),
            list(CommitmentMonth.objects.order_by("pk").values_list("pk", *split)),
            list(CycleMonth.objects.order_by("pk").values_list("pk", *split)),
        )

    recounted = kept()
    # As the columns come: all zero, before the migration fills them in.
    Commitment.objects.update(confirmed_panels=0, **dict.fromkeys(split, 0))
    for model in (CommitmentMonth, CycleMonth):
        model.objects.update(**dict.fromkeys(split, 0))
    importlib.import_module("commitments.migrations.0022_panel_parity_split").fill_in(apps, None)
    assert kept() == recounted


def test_an_answer_deleted_in_admin_leaves_the_confirmed_figures(cast, parity):
    from django.contrib import admin

    corrected = PanelConfirmation.objects.filter(outcome="corrected")
    admin.site._registry[PanelConfirmation].delete_queryset(None, corrected)
    parity.refresh_from_db()
    # The corrected panel is self-reported again, with the figures logged (2 and 2).
    assert (parity.confirmed_panels, parity.confirmed_women, parity.confirmed_men) == (1, 3, 1)
    assert (parity.self_reported_women, parity.self_reported_men) == (3, 7)


def test_the_assessment_page_shows_both_shares_beside_the_progress(cast, parity):
    content = _client(cast.champion_user).get(f"/reports/commitments/{parity.pk}/assess/").content.decode()
    split = re.search(r'data-testid="progress-parity-split">([^<]*)<', content).group(1)
    assert split == "Organiser-confirmed: 50% women (2 panels) · self-reported: 16% women (2 panels)"


def test_the_status_checks_show_both_shares_beside_the_progress(cast, parity):
    parity.status = "completed"  # under its target: the office checks it
    parity.save()
    content = _client(cast.office_member).get("/dashboard/status-checks/").content.decode()
    split = re.search(r'data-testid="progress-parity-split">([^<]*)<', content).group(1)
    assert split == "Organiser-confirmed: 50% women (2 panels) · self-reported: 16% women (2 panels)"


def test_the_network_reports_table_in_french(cast, parity):
    cast.office_member.language = "fr"
    cast.office_member.save(update_fields=["language"])
    rows = _csv(_client(cast.office_member).get(f"/reports/{cast.cycle.year}.csv"))
    with translation.override("fr"):
        expected = [
            gettext(name)
            for name in (
                "panels confirmed by organisers",
                "women's share, confirmed %",
                "women's share, self-reported %",
            )
        ]
    assert rows[0][-3:] == expected
    assert expected[0] == "panels confirmés par les organisateurs"


SPLIT = "Organiser-confirmed: 50% women (2 panels) · self-reported: 16% women (2 panels)"


def test_the_reminder_email_gives_both_shares_under_the_progress(cast, parity):
    run_day(parity.due_on - datetime.timedelta(days=7))
    (message,) = [m for m in mail.outbox if m.to == [cast.champion_user.email]]
    lines = [line.strip() for line in message.body.splitlines()]
    progress = next(i for i, line in enumerate(lines) if line.startswith("Progress: 85%"))
    assert lines[progress + 1] == SPLIT
    html = message.alternatives[0][0]
    assert SPLIT in html


def test_the_calendar_feed_gives_both_shares_under_the_progress(cast, parity):
    cast.champion_user.refresh_from_db()
    response = Client().get(f"/calendar/{cast.champion_user.calendar_token}.ics")
    assert response.status_code == 200
    (event,) = [
        e
        for e in Calendar.from_ical(response.content).walk("VEVENT")
        if str(e["UID"]).startswith(f"commitment-{parity.pk}@")
    ]
    lines = str(event["DESCRIPTION"]).split("\n")
    assert lines[2] == "Progress: 85% — 42% women speakers across 4 panels (target 50%)"
    assert lines[3] == SPLIT


def test_another_target_has_no_split_line(cast, parity):
    meetings = CommitmentFactory(champion=cast.champion, cycle=cast.cycle, number=4)
    assert meetings.parity_split_figure == ""
    parity.panels_logged = 0
    assert parity.parity_split_figure == ""


def test_the_reminder_email_and_the_feed_in_french(cast, parity):
    cast.champion_user.language = "fr"
    cast.champion_user.save(update_fields=["language"])
    run_day(parity.due_on - datetime.timedelta(days=7))
    (message,) = [m for m in mail.outbox if m.to == [cast.champion_user.email]]
    expected = "Confirmés par les organisateurs\u202f: 50\u202f% de femmes (2 panels) · autodéclarés\u202f: 16\u202f% de femmes (2 panels)"
    assert expected in message.body
    response = Client().get(f"/calendar/{cast.champion_user.calendar_token}.ics")
    (event,) = [
        e
        for e in Calendar.from_ical(response.content).walk("VEVENT")
        if str(e["UID"]).startswith(f"commitment-{parity.pk}@")
    ]
    assert str(event["DESCRIPTION"]).split("\n")[3] == expected
