"""The annual report: the network's figures for a hand-built network, its page, PDF and CSV, each
champion's PDF, and queries that do not grow with the network."""

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from champions.tests.factories import ChampionFactory
from commitments.tests.factories import CommitmentFactory
from reports.models import Report
from reports.tests.annual_network import (
    YEAR,
    client_for,
    grow,
    pdf_reader,
    pdf_text,
)

pytestmark = pytest.mark.django_db


def _figures(client, query=""):
    response = client.get(f"/reports/{YEAR}/{query}")
    assert response.status_code == 200
    return response.context


def test_it_computes_the_network_figures(network):
    context = _figures(client_for(network["office"]))
    total = context["total"]
    assert (total["commitments"], total["assessed"], total["rated"], total["differing"]) == (17, 16, 5, 1)
    assert (total["self_complete_share"], total["self_achieved_share"]) == (25, 50)
    assert (total["office_complete_share"], total["office_achieved_share"]) == (20, 40)
    # Before the report due date (15 January 2031), Eve's report is not yet due, not missing.
    assert (total["champions"], total["on_time"], total["late"]) == (5, 3, 1)
    assert (total["not_yet_due"], total["missing"], total["not_submitted"]) == (1, 0, 1)
    hubs = {row["name"]: row for row in context["by_hub"]}
    assert list(hubs) == ["Geneva", "Nairobi"]
    geneva, nairobi = hubs["Geneva"], hubs["Nairobi"]
    assert (geneva["commitments"], geneva["assessed"], geneva["rated"], geneva["differing"]) == (8, 8, 5, 1)
    assert (geneva["office_complete_share"], geneva["office_achieved_share"]) == (20, 40)
    assert (geneva["on_time"], geneva["late"], geneva["not_yet_due"]) == (2, 0, 0)
    assert (nairobi["commitments"], nairobi["assessed"], nairobi["rated"]) == (9, 8, 0)
    assert (nairobi["office_complete_share"], nairobi["office_achieved_share"]) == (None, None)
    assert (nairobi["on_time"], nairobi["late"], nairobi["not_yet_due"], nairobi["missing"]) == (1, 1, 1, 0)
    categories = {row["key"]: row for row in context["by_category"]}
    culture, leadership = categories["culture"], categories["leadership"]
    assert (culture["commitments"], culture["self_complete_share"], culture["self_achieved_share"]) == (
        9,
        0,
        50,
    )
    assert (
        leadership["commitments"],
        leadership["self_complete_share"],
        leadership["self_achieved_share"],
    ) == (
        8,
        50,
        50,
    )
    assert culture["self_levels"] == [4, 0, 4, 0]
    assert (total["panels_logged"], total["panel_women"], total["panel_men"]) == (2, 3, 5)
    # 3 women of 8 speakers: 37.5%, rounded down (share_percent).
    assert (total["women_share"], total["balanced_share"], total["panels_single_sex"]) == (37, 50, 1)


def test_no_narrative_is_quoted_unless_the_office_picks_it(network):
    # The highlights are the office's pick (test_published_report), not chosen by a rule.
    context = _figures(client_for(network["office"]))
    assert context["highlights"] == []
    assert "Narrative of" not in client_for(network["office"]).get(f"/reports/{YEAR}/").content.decode()


def test_it_keeps_to_the_dashboards_filters(network):
    client = client_for(network["office"])
    nairobi = _figures(client, f"?hub={network['nairobi'].pk}")
    assert (nairobi["total"]["commitments"], nairobi["total"]["champions"]) == (9, 3)
    assert [row["name"] for row in nairobi["by_hub"]] == ["Nairobi"]
    culture = _figures(client, "?category=culture")
    assert (culture["total"]["commitments"], culture["total"]["champions"]) == (9, 5)
    assert [row["key"] for row in culture["by_category"]] == ["culture"]
    page = client.get(f"/reports/{YEAR}/?hub={network['nairobi'].pk}&category=culture").content.decode()
    assert "Hub: Nairobi · Category: Organisational culture" in page
    assert f'href="/reports/{YEAR}.pdf?hub={network["nairobi"].pk}&amp;category=culture"' in page
    ignored = _figures(client, "?hub=999999")
    assert ignored["form"].ignored == ["hub"] and ignored["total"]["commitments"] == 17


def test_the_page_draws_its_charts_as_svg_without_script(network):
    page = client_for(network["office"]).get(f"/reports/{YEAR}/").content.decode()
    for chart in ("chart-levels-hub", "chart-levels-category", "chart-reports", "chart-parity"):
        assert f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" id="{chart}"' in page
    assert "style=" not in page.split("<main", 1)[1]  # the Content-Security-Policy allows none
    assert page.count('data-figure="commitments">17<') == 1


def test_the_network_pdf_has_its_pages_header_and_figures(network):
    response = client_for(network["office"]).get(f"/reports/{YEAR}.pdf?hub={network['geneva'].pk}")
    assert response["Content-Disposition"] == f'attachment; filename="annual-report-{YEAR}-geneva.pdf"'
    reader = pdf_reader(response)
    # The cover, foreword and contents; then the sections, no section forced onto a page of its own.
    pages = len(reader.pages)
    assert 2 <= pages <= 5
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert f"Annual report {YEAR}: the network" in text
        assert "Hub: Geneva" in text
        assert f"Page {number} of {pages}" in text
    text = pdf_text(reader)
    assert "Commitments made" in text and "Ada Achebe" in text and "Methods" in text
    assert "Cy Carter" not in text  # Nairobi's


def test_a_champions_pdf_has_their_commitments_and_figures_on_as_few_pages_as_they_take(network):
    """Four short commitments: one page, no page per commitment (see test_champion_report_pages)."""
    ada = network["ada"]
    response = client_for(ada.user).get(f"/reports/{YEAR}/champions/{ada.pk}.pdf")
    assert response["Content-Disposition"] == f'attachment; filename="annual-report-{YEAR}-ada-achebe.pdf"'
    reader = pdf_reader(response)
    assert len(reader.pages) == 1
    text = pdf_text(reader)
    assert "Ada Achebe" in text and f"Annual report {YEAR}" in text and "Page 1 of 1" in text
    assert "Ada Achebe commitment 2" in text
    assert "Key town hall" in text  # a key event
    assert "4 meetings" in text  # the target
    # Not reviewed yet: the champion's side does not see the office's rating; the office does.
    assert "Office rating" not in text
    office_text = pdf_text(
        pdf_reader(client_for(network["office"]).get(f"/reports/{YEAR}/champions/{ada.pk}.pdf"))
    )
    assert "Office rating" in office_text


def test_the_office_sees_the_difference_flagged_in_the_pdf_and_the_list(network):
    bea, office = network["bea"], client_for(network["office"])
    text = pdf_text(pdf_reader(office.get(f"/reports/{YEAR}/champions/{bea.pk}.pdf")))
    assert "assessment differs" in text
    listed = office.get(f"/dashboard/differences/?cycle={YEAR}").content.decode()
    assert listed.count('data-testid="difference"') == 1 and "Bea Bamba commitment 4" in listed
    other_hub = office.get(
        f"/dashboard/differences/?cycle={YEAR}&hub={network['nairobi'].pk}"
    ).content.decode()
    assert 'data-testid="no-differences"' in other_hub
    assert "assessment differs" not in pdf_text(
        pdf_reader(client_for(bea.user).get(f"/reports/{YEAR}/champions/{bea.pk}.pdf"))
    )


def test_the_csv_is_the_reports_table(network):
    response = client_for(network["office"]).get(f"/reports/{YEAR}.csv")
    assert response["Content-Disposition"] == f'attachment; filename="annual-report-{YEAR}.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:4] == ["breakdown", "name", "commitments", "assessed"]
    by_name = {(row[0], row[1]): row for row in rows[1:]}
    assert list(by_name) == [
        ("hub", "Geneva"),
        ("hub", "Nairobi"),
        ("category", "Leadership and accountability"),
        ("category", "Organisational culture"),
        ("all", "All"),
    ]
    # ... champions, on time, late, not yet due (before the due date: none missing), missing.
    assert by_name[("all", "All")][2:15] == [
        "17",
        "16",
        "25",
        "50",
        "5",
        "20",
        "40",
        "1",
        "5",
        "3",
        "1",
        "1",
        "0",
    ]
    assert by_name[("hub", "Nairobi")][6:9] == ["0", "", ""]


def test_the_xlsx_is_the_reports_table_as_excel_users_expect(network):
    from openpyxl import load_workbook

    client = client_for(network["office"])
    rows = list(
        csv.reader(
            io.StringIO(b"".join(client.get(f"/reports/{YEAR}.csv").streaming_content).decode("utf-8-sig"))
        )
    )

    response = client.get(f"/reports/{YEAR}.xlsx")

    assert response["Content-Disposition"] == f'attachment; filename="annual-report-{YEAR}.xlsx"'
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert (sheet.title, sheet.freeze_panes, sheet.auto_filter.ref) == (
        f"Annual report {YEAR}",
        "A2",
        "A1:U6",
    )
    cells = list(sheet.iter_rows())
    assert [["" if cell.value is None else str(cell.value) for cell in row] for row in cells] == rows
    total = cells[-1]
    assert (total[2].value, total[2].data_type) == (17, "n")  # numbers, not text


def test_only_the_office_gets_the_network_report(network):
    ada = network["ada"]
    for path in (
        f"/reports/{YEAR}/",
        f"/reports/{YEAR}.pdf",
        f"/reports/{YEAR}.csv",
        f"/reports/{YEAR}.xlsx",
        "/dashboard/differences/",
    ):
        assert client_for(ada.user).get(path).status_code == 403
    assert client_for(network["office"]).get(f"/reports/{YEAR + 5}/").status_code == 404


def test_a_focal_point_gets_their_champions_pdf_and_nobody_elses(network):
    ada, bea = network["ada"], network["bea"]
    focal_point = UserFactory()
    ada.focal_points.add(focal_point)
    assert client_for(focal_point).get(f"/reports/{YEAR}/champions/{ada.pk}.pdf").status_code == 200
    assert client_for(focal_point).get(f"/reports/{YEAR}/champions/{bea.pk}.pdf").status_code == 404
    assert client_for(bea.user).get(f"/reports/{YEAR}/champions/{ada.pk}.pdf").status_code == 404


def test_a_pdf_download_writes_nothing(network):
    newcomer = ChampionFactory()
    CommitmentFactory(champion=newcomer, cycle=network["cycle"], number=1)
    reader = pdf_reader(client_for(newcomer.user).get(f"/reports/{YEAR}/champions/{newcomer.pk}.pdf"))
    assert "Not submitted yet" in pdf_text(reader)
    assert not Report.objects.filter(champion=newcomer).exists()


def _queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries)


@pytest.mark.parametrize(
    "path",
    [
        "/reports/{year}/",
        "/reports/{year}/?hub={hub}&category=culture",
        "/reports/{year}.pdf",
        "/reports/{year}.csv",
        "/reports/{year}/champions/{champion}.pdf",
        "/reports/{year}/champions/{champion}/",
        "/dashboard/differences/?cycle={year}",
    ],
)
def test_the_queries_do_not_grow_with_the_network(network, path):
    client = client_for(network["office"])
    path = path.format(year=YEAR, hub=network["geneva"].pk, champion=network["ada"].pk)
    _queries(client, path)  # the first request of a session saves it
    small = _queries(client, path)
    grow(network["cycle"], [network["geneva"], network["nairobi"]], 12)
    assert _queries(client, path) == small
    # The network report reads the network's profile, its annual report (foreword), the picked
    # highlights, the panel parity, the champions' outcomes and the returning champions' ambition
    # (four: commitments/models/ambition.py) too.
    assert small <= 30


ROLES = ["anonymous", "champion", "focal_point", "other_champion", "office"]
# What a GET of each report URL answers to each role (see config/tests/test_routes.py for the rest).
ACCESS = {
    "/reports/{year}/": [302, 403, 403, 403, 200],
    "/reports/{year}.pdf": [302, 403, 403, 403, 200],
    "/reports/{year}.csv": [302, 403, 403, 403, 200],
    "/reports/{year}.xlsx": [302, 403, 403, 403, 200],
    "/reports/{year}/champions/{champion}/": [302, 200, 200, 404, 200],
    "/reports/{year}/champions/{champion}.pdf": [302, 200, 200, 404, 200],
    "/dashboard/differences/": [302, 403, 403, 403, 200],
}


@pytest.mark.parametrize("path", ACCESS)
def test_each_role_gets_what_it_may_see_of_each_report(network, path):
    ada = network["ada"]
    focal_point = UserFactory()
    ada.focal_points.add(focal_point)
    users = {
        "champion": ada.user,
        "focal_point": focal_point,
        "other_champion": network["bea"].user,
        "office": network["office"],
    }
    url = path.format(year=YEAR, champion=ada.pk)
    answers = []
    for role in ROLES:
        client = client_for(users[role]) if role in users else Client()
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        answers.append(response.status_code)
    assert answers == ACCESS[path]


def test_names_are_escaped_in_the_charts_and_tables(network):
    network["geneva"].name = '<b>Geneva & "Co"</b>'
    network["geneva"].save()
    page = client_for(network["office"]).get(f"/reports/{YEAR}/").content.decode()
    assert "<b>Geneva" not in page
    assert "&lt;b&gt;Geneva &amp; &quot;Co&quot;&lt;/b&gt;" in page
    reader = pdf_reader(client_for(network["office"]).get(f"/reports/{YEAR}.pdf"))
    assert '<b>Geneva & "Co"</b>' in pdf_text(reader)


def test_a_french_reader_gets_the_pdf_in_french(network):
    ada = network["ada"]
    ada.user.language = "fr"
    ada.user.save()
    text = pdf_text(pdf_reader(client_for(ada.user).get(f"/reports/{YEAR}/champions/{ada.pk}.pdf")))
    assert "20 décembre 2030" in text  # submitted on, in the reader's language
