"""The network report as the office publishes it: its cover, its foreword (written in the product,
in both languages), the highlights the office picks and orders, "not yet due" before the report
due date, and the hubs' meeting packs. The network of test_annual_report."""

import datetime
import io

import pytest
import time_machine
from django.contrib import admin
from django.core.files.base import ContentFile
from django.test import Client
from PIL import Image

from accounts.tests.factories import AdminFactory
from champions.tests.factories import HubFactory
from commitments.models import Status
from commitments.tests.factories import CommitmentFactory
from reports.models import AnnualReport, Assessment, Highlight, NetworkProfile, Report
from reports.tests.annual_network import DUE, YEAR, client_for, grow, ink_reach, pdf_reader, pdf_text

pytestmark = pytest.mark.django_db


FOREWORD_EN = "This year the network held its hubs to their word."
FOREWORD_FR = "Cette année, le réseau a tenu parole."


def _png():
    image = io.BytesIO()
    Image.new("RGB", (40, 20), "#3b1f5c").save(image, "PNG")
    return ContentFile(image.getvalue(), name="logo.png")


@pytest.fixture
def published(network):
    """The network with its profile (a name and a logo) and the 2030 report's foreword."""
    profile = NetworkProfile(name="Gender Champions Test Network")
    profile.logo.save("logo.png", _png(), save=False)
    profile.save()
    AnnualReport.objects.create(cycle=network["cycle"], foreword_en=FOREWORD_EN, foreword_fr=FOREWORD_FR)
    return network


def _french(user):
    user.language = "fr"
    user.save()
    return user


@pytest.mark.parametrize("language, foreword", [("en", FOREWORD_EN), ("fr", FOREWORD_FR)])
def test_the_cover_and_the_foreword_are_on_the_pdfs_first_page(published, language, foreword):
    office = published["office"]
    if language == "fr":
        _french(office)
    reader = pdf_reader(client_for(office).get(f"/reports/{YEAR}.pdf"))
    first = reader.pages[0].extract_text()
    assert "Gender Champions Test Network" in first
    assert str(YEAR) in first
    assert foreword in first
    assert len(reader.pages[0].images) == 1  # the logo
    title = f"Rapport annuel {YEAR} : le réseau" if language == "fr" else f"Annual report {YEAR}: the network"
    assert title.replace("\u202f", " ") in first.replace("\u202f", " ")


def test_the_foreword_falls_back_to_the_other_language(published):
    AnnualReport.objects.filter(cycle=published["cycle"]).update(foreword_fr="")
    office = _french(published["office"])
    page = client_for(office).get(f"/reports/{YEAR}/").content.decode()
    assert f'lang="en"><p>{FOREWORD_EN}</p>' in page  # in English, and marked so


def test_without_a_profile_or_foreword_the_cover_has_the_default_name_and_no_logo(network):
    response = client_for(network["office"]).get(f"/reports/{YEAR}/")
    page = response.content.decode()
    assert response.context["logo"] == "" and "report-logo" not in page
    assert "International Gender Champions" in page
    assert 'data-testid="no-foreword"' in page
    reader = pdf_reader(client_for(network["office"]).get(f"/reports/{YEAR}.pdf"))
    assert "International Gender Champions" in reader.pages[0].extract_text()
    assert not NetworkProfile.objects.exists() and not AnnualReport.objects.exists()  # read, not written


def test_the_contents_give_each_sections_page_in_the_pdf(published):
    first = pdf_reader(client_for(published["office"]).get(f"/reports/{YEAR}.pdf")).pages[0].extract_text()
    assert "Contents" in first
    for section in ("Key figures", "Highlights", "Methods"):
        line = next(line for line in first.splitlines() if section in line)
        assert line.rstrip()[-1].isdigit(), line  # its page number (target-counter)


def test_before_the_due_date_no_report_is_missing(network):
    response = client_for(network["office"]).get(f"/reports/{YEAR}/")
    assert response.context["unsubmitted"] == "not_yet_due"
    total = response.context["total"]
    assert (total["not_yet_due"], total["missing"], total["not_submitted"]) == (1, 0, 1)
    page = response.content.decode()
    assert 'data-figure="not-yet-due">1<' in page and "Reports not yet due" in page
    assert "missing" not in page.split("<main", 1)[1].lower()
    text = pdf_text(pdf_reader(client_for(network["office"]).get(f"/reports/{YEAR}.pdf")))
    assert "not yet due" in text.lower()
    assert "missing" not in text.lower()


def test_after_the_due_date_an_unsubmitted_report_is_missing(network):
    with time_machine.travel(datetime.datetime.combine(DUE, datetime.time(12)) + datetime.timedelta(days=1)):
        client = client_for(network["office"])
        response = client.get(f"/reports/{YEAR}/")
        assert response.context["unsubmitted"] == "missing"
        assert (response.context["total"]["missing"], response.context["total"]["not_yet_due"]) == (1, 0)
        assert 'data-figure="missing">1<' in response.content.decode()
        text = pdf_text(pdf_reader(client.get(f"/reports/{YEAR}.pdf")))
    assert "Reports missing" in text and "not yet due" not in text.lower()


def test_on_the_due_date_itself_a_report_is_not_yet_due(network):
    with time_machine.travel(datetime.datetime.combine(DUE, datetime.time(12))):
        response = client_for(network["office"]).get(f"/reports/{YEAR}/")
    assert response.context["unsubmitted"] == "not_yet_due"


def _assessment(network, name, number):
    return Assessment.objects.get(commitment__champion__full_name=name, commitment__number=number)


def test_the_office_picks_and_orders_the_highlights(network):
    client = client_for(network["office"])
    form_page = client.get(f"/reports/{YEAR}/highlights/")
    assert form_page.status_code == 200
    # Narratives of submitted reports only: Eve Evans' report is not submitted.
    candidates = [assessment for assessment, _field in form_page.context["form"].rows()]
    assert len(candidates) == 16
    assert "Eve Evans" not in {assessment.commitment.champion.full_name for assessment in candidates}
    bea_3, ada_2, cy_1 = (
        _assessment(network, "Bea Bamba", 3),
        _assessment(network, "Ada Achebe", 2),
        _assessment(network, "Cy Carter", 1),
    )
    response = client.post(
        f"/reports/{YEAR}/highlights/",
        {f"place_{bea_3.pk}": "5", f"place_{ada_2.pk}": "1", f"place_{cy_1.pk}": "2"},
        follow=True,
    )
    assert "Highlights saved" in response.content.decode()
    assert list(Highlight.objects.values_list("assessment", "order")) == [
        (ada_2.pk, 1),
        (cy_1.pk, 2),
        (bea_3.pk, 3),
    ]
    page = client.get(f"/reports/{YEAR}/")
    shown = [highlight.assessment.pk for highlight in page.context["highlights"]]
    assert shown == [ada_2.pk, cy_1.pk, bea_3.pk]
    text = pdf_text(pdf_reader(client.get(f"/reports/{YEAR}.pdf")))
    positions = [
        text.index(f"Narrative of {name} #{number}.")
        for name, number in [
            ("Ada Achebe", 2),
            ("Cy Carter", 1),
            ("Bea Bamba", 3),
        ]
    ]
    assert positions == sorted(positions)
    assert "Narrative of Ada Achebe #4." not in text  # not picked: no rule picks narratives any more
    # The form shows the picked ones first, in their order, with their places.
    rows = client.get(f"/reports/{YEAR}/highlights/").context["form"].rows()
    assert [(assessment.pk, field.value()) for assessment, field in rows[:3]] == [
        (ada_2.pk, 1),
        (cy_1.pk, 2),
        (bea_3.pk, 3),
    ]
    # Nothing picked: the highlights are emptied.
    client.post(f"/reports/{YEAR}/highlights/", {})
    assert not Highlight.objects.exists()


def test_two_highlights_cannot_share_a_place(network):
    client = client_for(network["office"])
    ada_2, cy_1 = _assessment(network, "Ada Achebe", 2), _assessment(network, "Cy Carter", 1)
    response = client.post(
        f"/reports/{YEAR}/highlights/", {f"place_{ada_2.pk}": "1", f"place_{cy_1.pk}": "1"}
    )
    assert response.status_code == 200
    assert "is given twice" in response.content.decode()
    response = client.post(f"/reports/{YEAR}/highlights/", {f"place_{ada_2.pk}": "nonsense"})
    assert response.status_code == 200 and response.context["form"].errors
    assert not Highlight.objects.exists() and not AnnualReport.objects.exists()


def test_the_office_writes_the_foreword(network):
    client = client_for(network["office"])
    assert client.get(f"/reports/{YEAR}/").content.decode().count(f'href="/reports/{YEAR}/foreword/"') == 1
    assert client.get(f"/reports/{YEAR}/foreword/").status_code == 200
    response = client.post(
        f"/reports/{YEAR}/foreword/", {"foreword_en": FOREWORD_EN, "foreword_fr": FOREWORD_FR}, follow=True
    )
    assert response.redirect_chain == [(f"/reports/{YEAR}/", 302)]
    page = response.content.decode()
    assert "Foreword saved" in page and FOREWORD_EN in page
    annual_report = AnnualReport.objects.get(cycle=network["cycle"])
    assert (annual_report.foreword_en, annual_report.foreword_fr) == (FOREWORD_EN, FOREWORD_FR)
    assert annual_report.updated_by == network["office"]


def test_a_foreword_too_long_is_refused(network):
    client = client_for(network["office"])
    response = client.post(f"/reports/{YEAR}/foreword/", {"foreword_en": "x" * 5001, "foreword_fr": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["foreword_en"]
    assert not AnnualReport.objects.exists()


def test_only_the_office_writes_the_foreword_and_picks_highlights(network):
    champion = client_for(network["ada"].user)
    for path in (f"/reports/{YEAR}/foreword/", f"/reports/{YEAR}/highlights/"):
        assert champion.get(path).status_code == 403
        assert champion.post(path, {"foreword_en": "Mine."}).status_code == 403
        assert Client().get(path).status_code == 302  # to sign in
    assert not AnnualReport.objects.exists()
    assert client_for(network["office"]).get(f"/reports/{YEAR + 5}/foreword/").status_code == 404


def test_the_hub_pack_is_the_hubs_figures_overdue_and_highlights(network):
    geneva, nairobi = network["geneva"], network["nairobi"]
    overdue = CommitmentFactory(
        champion=network["bea"],
        cycle=network["cycle"],
        number=5,
        title="Bea's overdue training",
        due_on=datetime.date.today() - datetime.timedelta(days=3),
        status=Status.IN_PROGRESS,
    )
    annual_report = AnnualReport.objects.create(cycle=network["cycle"])
    Highlight.objects.create(
        annual_report=annual_report, assessment=_assessment(network, "Cy Carter", 1), order=1
    )
    Highlight.objects.create(
        annual_report=annual_report, assessment=_assessment(network, "Bea Bamba", 3), order=2
    )
    client = client_for(network["office"])
    network_page = client.get(f"/reports/{YEAR}/").content.decode()
    assert f'href="/reports/{YEAR}/hubs/{geneva.pk}/"' in network_page
    response = client.get(f"/reports/{YEAR}/hubs/{geneva.pk}/")
    assert response.status_code == 200
    context = response.context
    assert context["as_of"] is None
    assert (context["total"]["champions"], context["total"]["commitments"]) == (2, 9)
    assert (context["total"]["on_time"], context["total"]["submitted_share"]) == (2, 100)
    assert [row["name"] for row in context["by_hub"]] == ["Geneva"]
    assert [highlight.assessment.commitment.champion.full_name for highlight in context["highlights"]] == [
        "Bea Bamba"
    ]
    assert [commitment.pk for commitment in context["overdue"]] == [overdue.pk]
    assert sum(count for _status, _label, count in context["status_mix"]) == 9
    assert set(context["total"]) >= {"confirmed_share", "self_reported_share", "confirmed_panels"}
    page = response.content.decode()
    assert "Bea&#x27;s overdue training" in page and "Cy Carter" not in page
    pdf = client.get(f"/reports/{YEAR}/hubs/{geneva.pk}.pdf")
    reader = pdf_reader(pdf)
    assert all(
        reach >= 0.5 for reach in ink_reach(pdf.content, top_mm=24, bottom_mm=18)[:-1]
    )  # no page half blank
    first = reader.pages[0].extract_text()
    assert f"Hub meeting pack {YEAR}: Geneva" in first
    text = pdf_text(reader)
    assert "Narrative of Bea Bamba #3." in text and "Cy Carter" not in text
    assert "Bea's overdue training" in text
    nairobi_text = pdf_text(pdf_reader(client.get(f"/reports/{YEAR}/hubs/{nairobi.pk}.pdf")))
    assert "Narrative of Cy Carter #1." in nairobi_text and "Bea Bamba" not in nairobi_text


def test_only_the_office_gets_a_hub_pack(network):
    geneva = network["geneva"]
    for path in (f"/reports/{YEAR}/hubs/{geneva.pk}/", f"/reports/{YEAR}/hubs/{geneva.pk}.pdf"):
        assert client_for(network["ada"].user).get(path).status_code == 404
        assert Client().get(path).status_code == 302
    office = client_for(network["office"])
    assert office.get(f"/reports/{YEAR}/hubs/999999/").status_code == 404
    assert office.get(f"/reports/{YEAR}/hubs/999999.pdf").status_code == 404
    assert office.get(f"/reports/{YEAR + 5}/hubs/{geneva.pk}/").status_code == 404
    empty = HubFactory(name="Vienna")
    page = office.get(f"/reports/{YEAR}/hubs/{empty.pk}/")
    assert page.status_code == 200 and 'data-testid="no-overdue"' in page.content.decode()


def test_the_champions_are_listed_with_their_outcomes(network):
    context = client_for(network["office"]).get(f"/reports/{YEAR}/").context
    champions = {champion.full_name: champion for champion in context["champions"]}
    assert list(champions) == ["Ada Achebe", "Bea Bamba", "Cy Carter", "Dee Diallo", "Eve Evans"]
    # The office's rating, else the self-assessment; nothing for a report not submitted.
    assert [str(c.outcome) for c in champions["Bea Bamba"].outcomes] == [
        "Not started",
        "Limited",
        "Substantial",
        "Limited",  # the office's rating (the champion said complete)
    ]
    assert [c.outcome for c in champions["Eve Evans"].outcomes] == [None]
    assert (
        'data-testid="champion-outcomes"'
        in client_for(network["office"]).get(f"/reports/{YEAR}/").content.decode()
    )
    # The PDF lists them a line each (cheaper to lay out than a table's cells).
    text = pdf_text(pdf_reader(client_for(network["office"]).get(f"/reports/{YEAR}.pdf")))
    assert "Eve Evans" in text and "1. not assessed" in text


def _statements(client, path, django_assert_num_queries, expected=None):
    """The statements a GET of `path` makes: asserted equal to `expected` when given."""
    if expected is None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)
    with django_assert_num_queries(expected):
        response = client.get(path)
        assert response.status_code == 200
    return expected


@pytest.mark.parametrize(
    "path",
    ["/reports/{year}/", "/reports/{year}/hubs/{hub}/", "/reports/{year}/hubs/{hub}.pdf"],
)
def test_the_statements_are_the_same_at_two_sizes(published, path, django_assert_num_queries):
    client = client_for(published["office"])
    path = path.format(year=YEAR, hub=published["geneva"].pk)
    annual_report = AnnualReport.objects.get()
    Highlight.objects.create(
        annual_report=annual_report, assessment=_assessment(published, "Bea Bamba", 3), order=1
    )
    client.get(path)  # the first request of a session saves it
    small = _statements(client, path, django_assert_num_queries)
    grow(published["cycle"], [published["geneva"], published["nairobi"]], 12)
    for assessment in Assessment.objects.filter(commitment__champion__full_name__startswith="Grown")[:6]:
        Highlight.objects.create(annual_report=annual_report, assessment=assessment, order=10 + assessment.pk)
    _statements(client, path, django_assert_num_queries, expected=small)
    assert small <= 30


def test_the_new_models_are_in_the_admin(client):
    for model in (NetworkProfile, AnnualReport):
        assert admin.site.is_registered(model)
    client.force_login(AdminFactory())
    assert client.get("/admin/reports/networkprofile/add/").status_code == 200
    NetworkProfile.objects.create(name="The network")
    request = type("Request", (), {"user": AdminFactory()})()
    profile_admin = admin.site._registry[NetworkProfile]
    assert not profile_admin.has_add_permission(request)  # one profile
    assert not profile_admin.has_delete_permission(request)
    assert client.get("/admin/reports/annualreport/add/").status_code == 200
    inlines = admin.site._registry[AnnualReport].inlines
    assert [inline.model for inline in inlines] == [Highlight]


def test_a_logo_too_large_or_not_an_image_is_refused():
    from django.core.exceptions import ValidationError

    profile = NetworkProfile(name="The network")
    profile.logo.save("logo.gif", ContentFile(b"GIF89a"), save=False)
    with pytest.raises(ValidationError):
        profile.full_clean()
    assert profile.logo_data_uri() == ""  # not a PNG or JPEG: never embedded


def test_tables_repeat_their_header_not_their_totals_and_never_split_a_row(published, monkeypatch):
    from reports import pdf

    rendered = {}

    def keep(template, context):
        rendered["html"] = pdf.render_to_string(template, {**context, "page_number_content": ""})
        return b"%PDF-"

    monkeypatch.setattr(pdf, "render_pdf", keep)
    for path in (f"/reports/{YEAR}.pdf", f"/reports/{YEAR}/hubs/{published['geneva'].pk}.pdf"):
        client_for(published["office"]).get(path)
        html = rendered["html"]
        assert "thead { display: table-header-group; }" in html
        assert "tfoot { display: table-row-group; }" in html
        assert "tr { break-inside: avoid; }" in html
        assert "<tfoot" not in html and 'class="report-totals"' in html  # the totals: a last body row
        assert 'class="report-section report-new-page"' not in html  # no section forced onto a new page


def test_the_cover_says_as_of_when_a_report_is_rebuilt_on_a_date(network):
    from django.template.loader import render_to_string

    response = client_for(network["office"]).get(f"/reports/{YEAR}/hubs/{network['geneva'].pk}/")
    assert response.context["as_of"] is None and 'data-testid="as-of"' not in response.content.decode()
    context = {"network": response.context["network"], "title": "Pack", "as_of": datetime.date(2031, 6, 1)}
    assert "As of 1 June 2031" in render_to_string("reports/_cover.html", context)


def test_a_highlight_whose_report_is_reopened_is_not_shown(network):
    annual_report = AnnualReport.objects.create(cycle=network["cycle"])
    ada_2 = _assessment(network, "Ada Achebe", 2)
    Highlight.objects.create(annual_report=annual_report, assessment=ada_2, order=1)
    client = client_for(network["office"])
    assert [h.assessment for h in client.get(f"/reports/{YEAR}/").context["highlights"]] == [ada_2]
    Report.objects.get(champion=network["ada"]).reopen(network["office"], "Check the figures.")
    assert client.get(f"/reports/{YEAR}/").context["highlights"] == []  # kept, shown again once signed off


def test_the_highlights_page_costs_the_same_statements_at_two_sizes(network, django_assert_num_queries):
    client = client_for(network["office"])
    path = f"/reports/{YEAR}/highlights/"
    client.get(path)
    small = _statements(client, path, django_assert_num_queries)
    grow(network["cycle"], [network["geneva"], network["nairobi"]], 5)
    _statements(client, path, django_assert_num_queries, expected=small)


def test_a_table_that_runs_over_pages_keeps_each_row_whole_and_its_totals_once(network):
    """The rendered PDF itself, read page by page: the reports' table of 45 hubs with names long
    enough to wrap over two lines runs over a page; each hub's name is whole on one page (a row
    split across pages would leave half of it on each), its header repeats on the page it runs on
    to, and its totals row ("All") comes once, at its end."""
    from champions.tests.factories import ChampionFactory

    for index in range(45):
        hub = HubFactory(name=f"Regional hub of the Great Lakes and the Horn number {index:02}")
        CommitmentFactory(champion=ChampionFactory(hub=hub), cycle=network["cycle"], number=1)
    response = client_for(network["office"]).get(f"/reports/{YEAR}.pdf")
    reader = pdf_reader(response)
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    header = "Hub Champions On time Late Not yet due Submitted"
    table_pages = [number for number, text in enumerate(pages) if header in text]
    assert len(table_pages) >= 2, "the table should run over at least two pages"
    assert table_pages == list(range(table_pages[0], table_pages[0] + len(table_pages)))  # header on each
    for index in range(45):
        name = f"Regional hub of the Great Lakes and the Horn number {index:02}"
        assert any(name in pages[number] for number in table_pages), f"{name} is split across pages"
    totals = [number for number in table_pages if "All 50 " in pages[number]]
    assert totals == [table_pages[-1]]
    # No page is left with a heading alone (a chart of 47 hubs is scaled to fit under its heading).
    running = (
        "Annual report 2030: the network · All hubs, organizations and categories",
        "International Gender Champions · made on",
    )
    for number, text in enumerate(pages[:-1]):
        body = text
        for part in running:
            body = body.replace(part, "")
        assert len(body) > 200, f"page {number + 1} is mostly blank: {text}"
    # And as a reader sees them, drawn as images: every page but the last is inked down past half its
    # body (its margins, 24 mm at the top and 18 mm at the bottom, hold the running header and footer).
    reaches = ink_reach(response.content, top_mm=24, bottom_mm=18)
    half_empty = [(number + 1, round(reach, 2)) for number, reach in enumerate(reaches[:-1]) if reach < 0.5]
    assert half_empty == [], f"pages mostly blank (page, how far down ink reaches): {half_empty}"
