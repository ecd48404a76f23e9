"""The network's file: read against what is stored (plan), written in one go (apply), and written out
again (rows) so that it imports back unchanged."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from openpyxl import load_workbook

from accounts.models import User
from accounts.tests.factories import UserFactory
from champions.models import Champion, Hub, Organization
from champions.tests.factories import ChampionFactory, OrganizationFactory
from commitments import network_file
from commitments.models import Commitment, Cycle, Status, StatusChange, TargetKind
from commitments.tests.factories import CommitmentFactory, CycleFactory
from commitments.tests.network_rows import (
    FRENCH_TEXT,
    HEADER,
    INDICATOR_TEXT,
    PARTS_TEXT,
    as_csv,
    as_xlsx,
    network_rows,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR, PAST = TODAY.year, TODAY.year - 2


def planned(content, extension=".csv"):
    return network_file.plan(content, extension, today=TODAY)


def imported(content, extension=".csv", user=None):
    plan = planned(content, extension)
    assert not plan.file_errors, plan.file_errors
    return plan, network_file.apply(plan, user)


@pytest.mark.parametrize("write, extension", [(as_csv, ".csv"), (as_xlsx, ".xlsx")])
def test_it_previews_a_networks_file_without_writing_anything(write, extension):
    plan = planned(write(network_rows(YEAR, PAST)), extension)

    assert plan.file_errors == [] and plan.refused == []
    assert (len(plan.new), len(plan.updated), plan.unchanged) == (4, 0, 0)
    assert sorted(champion.full_name for champion in plan.champions) == [
        "Amina Diallo-Ndiaye",
        "Kwame Mensah",
        "Élodie Lefèvre",
    ]
    assert sorted(hub.name for hub in plan.hubs) == ["Geneva", "Paris"]
    assert len(plan.organizations) == 3  # "global fund for equal futures" is the same organization
    assert sorted((cycle.year, cycle.is_closed) for cycle in plan.cycles) == [(PAST, True), (YEAR, False)]
    assert plan.people == []
    assert not Champion.objects.exists() and not Commitment.objects.exists() and not Hub.objects.exists()


def test_it_imports_commitments_as_published_and_emails_nobody():
    plan, result = imported(as_xlsx(network_rows(YEAR, PAST)), ".xlsx")

    assert (result.commitments_created, result.commitments_updated) == (4, 0)
    amina = Champion.objects.get(full_name="Amina Diallo-Ndiaye")
    assert amina.user is None and amina.hub.name == "Geneva" and amina.title == "Executive Director"
    assert amina.organization.acronym == "" and str(amina.organization) == "Global Fund for Equal Futures"
    parts, indicator = amina.commitments.order_by("number")
    assert parts.text == PARTS_TEXT  # line breaks and lettered parts kept
    assert parts.title == "Strengthen the organisation's policies against sexual harassment by"
    assert sorted(c.slug for c in parts.categories.all()) == ["governance", "leadership"]
    assert (parts.target_kind, parts.due_on, parts.approval) == (
        TargetKind.MILESTONE,
        datetime.date(YEAR, 12, 31),
        "approved",
    )
    assert (indicator.number, indicator.text) == (2, INDICATOR_TEXT)
    assert (indicator.target_kind, indicator.baseline, indicator.target_value) == (
        TargetKind.INDICATOR,
        Decimal("28"),
        Decimal("40"),
    )
    assert indicator.unit == "% women at D-1 and above"
    assert [c.slug for c in indicator.categories.all()] == ["selection-recruitment"]
    elodie = Commitment.objects.get(champion__full_name="Élodie Lefèvre")
    assert elodie.text == FRENCH_TEXT
    assert sorted(c.slug for c in elodie.categories.all()) == [
        "meetings-conferences-delegations",
        "panel-parity",
    ]
    assert (elodie.target_kind, elodie.target_value) == (TargetKind.PERCENTAGE, Decimal(50))
    past = Commitment.objects.get(champion__full_name="Kwame Mensah")
    assert past.champion.hub is None
    assert past.cycle.year == PAST and past.cycle.is_closed
    assert (past.number, past.status, past.counts_kind) == (2, Status.COMPLETED, "meeting")
    assert not past.is_overdue(TODAY)
    assert mail.outbox == []


def test_a_second_import_of_the_same_file_changes_nothing():
    content = as_csv(network_rows(YEAR, PAST))
    imported(content)
    counts = (Champion.objects.count(), Commitment.objects.count(), Organization.objects.count())

    plan = planned(content)

    assert (len(plan.new), len(plan.updated), plan.unchanged, plan.refused) == (0, 0, 4, [])
    assert not plan.can_apply
    assert plan.champions == plan.organizations == plan.hubs == plan.cycles == plan.people == []
    assert (Champion.objects.count(), Commitment.objects.count(), Organization.objects.count()) == counts


def test_it_says_first_what_is_wrong_with_the_file_as_a_whole():
    missing = planned(as_csv([{"champion": "A"}], header=["champion", "year", "notes", "catégorie"]))
    unreadable = planned(b"not a workbook", ".xlsx")
    empty = planned(b"", ".csv")

    (problem,) = missing.file_errors
    assert "Required columns are missing: organization, text." in problem
    assert "Unknown columns: notes, catégorie." in problem
    assert "the columns are: champion, position, organization" in problem
    assert unreadable.file_errors == ["The file cannot be read as an Excel workbook (.xlsx)."]
    assert empty.file_errors == ["The file is empty: its first row should name the columns."]
    assert missing.refused == [] and not missing.can_apply


def test_it_refuses_rows_by_number_and_first_words_with_the_allowed_values():
    rows = network_rows(YEAR, PAST)
    rows[0]["categories"] = "Good governance; Astrology"
    rows[1]["year"] = "next year"
    rows[2]["text"] = "x " * 1001
    rows[3]["status"] = "Almost done"

    plan = planned(as_csv(rows))

    refused = {row.number: row for row in plan.refused}
    assert sorted(refused) == [2, 3, 4, 5]
    assert refused[2].first_words == "Strengthen the organisation's policies against sexual harassment by: …"
    (error,) = refused[2].errors
    assert "Astrology is not a category of the network" in error and "Selection and recruitment" in error
    assert refused[3].errors == ["year: give the year as four digits, for example 2026."]
    assert refused[4].errors == ["text: at most 2000 characters (2001 given)."]
    assert "not_started (Not started)" in refused[5].errors[0] and "Almost done" in refused[5].errors[0]
    # A refused row creates nothing: its champion, organization and year are not planned.
    assert plan.champions == plan.cycles == plan.new == []


def test_it_reads_french_headers_and_labels_and_semicolons():
    header = [network_file.COLUMNS[name] for name in HEADER]
    rows = [
        {
            **network_rows(YEAR, PAST)[1],
            "target_kind": "Pourcentage",
            "status": "En bonne voie",
            "due_on": f"30/06/{YEAR}",
        }
    ]
    french = as_csv([{network_file.COLUMNS[k]: v for k, v in row.items()} for row in rows], header, ";")

    plan, result = imported(french)

    commitment = Commitment.objects.get()
    assert (commitment.target_kind, commitment.status) == (TargetKind.PERCENTAGE, Status.ON_TRACK)
    assert commitment.due_on == datetime.date(YEAR, 6, 30)


def test_it_matches_champions_by_email_else_by_name_and_organization_ignoring_case_and_accents():
    organization = OrganizationFactory(name="Organisation internationale de la Francophonie numérique")
    elodie = ChampionFactory(full_name="Élodie Lefèvre", organization=organization, user=None)
    signed_in = ChampionFactory(full_name="Amina Diallo-Ndiaye")
    rows = [
        {
            **network_rows(YEAR, PAST)[1],
            "champion": "ELODIE LEFEVRE",
            "organization": organization.name.upper(),
        },
        {
            "champion": "amina diallo ndiaye",
            "organization": "Another name of her organization",
            "email": signed_in.user.email.upper(),
            "year": YEAR,
            "text": "Appoint a gender focal point in every division.",
        },
    ]

    plan, _result = imported(as_csv(rows))

    assert plan.champions == []
    assert Commitment.objects.get(text=FRENCH_TEXT).champion == elodie
    assert Commitment.objects.get(text__startswith="Appoint").champion == signed_in


def test_people_without_accounts_are_made_without_a_password_and_get_no_email():
    rows = network_rows(YEAR, PAST)[:1]
    rows[0].update(email="amina@example.org", focal_point_email="fp1@example.org; fp2@example.org")

    plan, result = imported(as_csv(rows))

    amina = Champion.objects.get()
    assert amina.user.email == "amina@example.org" and not amina.user.has_usable_password()
    assert sorted(user.email for user in amina.focal_points.all()) == ["fp1@example.org", "fp2@example.org"]
    assert sorted(user.email for user in result.people) == [
        "amina@example.org",
        "fp1@example.org",
        "fp2@example.org",
    ]
    assert amina.people() == []  # nobody hears about the commitments before they are invited
    assert mail.outbox == []


def test_a_row_without_a_number_takes_the_next_free_one_and_matches_by_its_text_next_time():
    champion = ChampionFactory(
        full_name="Amina Diallo-Ndiaye", organization__name="Global Fund for Equal Futures"
    )
    cycle = CycleFactory(year=YEAR)
    CommitmentFactory(champion=champion, cycle=cycle, number=1)
    rows = [network_rows(YEAR, PAST)[0]]

    imported(as_csv(rows))
    again = planned(as_csv(rows))

    assert Commitment.objects.get(text=PARTS_TEXT).number == 2
    assert (len(again.new), again.unchanged) == (0, 1)


def test_more_commitments_than_the_cycle_allows_are_refused():
    rows = [{**network_rows(YEAR, PAST)[0], "text": f"Commitment {n}."} for n in range(1, 7)]

    plan = planned(as_csv(rows))

    assert len(plan.new) == 5
    (refused,) = plan.refused
    assert refused.number == 7
    assert refused.errors == [
        f"Amina Diallo-Ndiaye has more commitments in {YEAR} than the cycle allows (5)."
    ]


def test_an_update_changes_only_what_the_file_gives_and_records_a_status_change(admin_user):
    imported(as_csv(network_rows(YEAR, PAST)))
    rows = network_rows(YEAR, PAST)
    rows[1].update(target_value="40", status="On track")

    plan, result = imported(as_csv(rows), user=admin_user)

    assert (result.commitments_created, result.commitments_updated, result.unchanged) == (0, 1, 3)
    elodie = Commitment.objects.get(text=FRENCH_TEXT)
    assert (elodie.target_value, elodie.status) == (Decimal(40), Status.ON_TRACK)
    step = StatusChange.objects.get(commitment=elodie)
    assert (step.old_status, step.new_status, step.changed_by) == (
        Status.NOT_STARTED,
        Status.ON_TRACK,
        admin_user,
    )


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_an_exported_file_imports_back_unchanged(language, extension, client, cast):
    imported(as_csv(network_rows(YEAR, PAST)))
    formula = CommitmentFactory(
        champion=cast.other_champion,
        cycle=cast.cycle,
        number=2,
        text='=HYPERLINK("https://evil.example","x")',
    )
    formula.categories.set([])
    client.force_login(cast.office_member)

    with translation.override(language):
        response = client.get(f"/dashboard/commitments/export.{extension}", HTTP_ACCEPT_LANGUAGE=language)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    plan = planned(content, f".{extension}")

    assert plan.file_errors == [] and plan.refused == []
    assert (len(plan.new), len(plan.updated), plan.unchanged) == (0, 0, Commitment.objects.count())
    if extension == "csv":
        assert "'=HYPERLINK" in content.decode("utf-8-sig")


def test_the_export_speaks_the_readers_language(client, cast):
    imported(as_csv(network_rows(YEAR, PAST)))
    client.force_login(cast.office_member)

    response = client.get("/dashboard/commitments/export.xlsx", HTTP_ACCEPT_LANGUAGE="fr")

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("champion", "poste", "organisation", "pôle")
    amina = next(row for row in rows if row[9] == PARTS_TEXT)
    assert amina[8] == "Leadership et responsabilité; Bonne gouvernance"  # in the categories' order
    assert amina[11] == "Étape clé"  # a milestone


def test_the_export_of_a_year_is_a_sheet_as_excel_users_expect(client, cast):
    imported(as_csv(network_rows(YEAR, PAST)))
    client.force_login(cast.office_member)

    response = client.get(f"/dashboard/commitments/export.xlsx?cycle={YEAR}")

    assert response["Content-Disposition"] == f'attachment; filename="commitments-{YEAR}.xlsx"'
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    count = Commitment.objects.filter(cycle__year=YEAR).count()
    assert (sheet.title, sheet.freeze_panes) == (f"Commitments {YEAR}", "A2")
    assert sheet.auto_filter.ref == f"A1:R{count + 1}"
    assert sheet.column_dimensions["J"].width > sheet.column_dimensions["H"].width  # text over number
    header = [cell.value for cell in sheet[1]]
    amina = next(
        dict(zip(header, row, strict=True))
        for row in sheet.iter_rows(min_row=2)
        if row[9].value == PARTS_TEXT
    )
    commitment = Commitment.objects.get(text=PARTS_TEXT)
    assert amina["due_on"].is_date and amina["due_on"].value.date() == commitment.due_on
    assert (amina["year"].value, amina["number"].value) == (YEAR, commitment.number)


def test_planning_reads_a_fixed_number_of_queries_whatever_the_files_size():
    def queries(count):
        rows = [
            {**row, "champion": f"{row['champion']} {n}", "email": f"{len(row['champion'])}-{n}@example.org"}
            for n in range(count)
            for row in network_rows(YEAR, PAST)
        ]
        with CaptureQueriesContext(connection) as captured:
            plan = planned(as_csv(rows))
        assert len(plan.new) == 4 * count
        return len(captured)

    assert queries(2) == queries(20)


def test_a_file_of_more_rows_than_the_limit_is_refused_while_it_is_read(monkeypatch):
    monkeypatch.setattr(network_file, "MAX_ROWS", 3)

    plan = planned(as_csv(network_rows(YEAR, PAST)))

    assert plan.file_errors == ["The file has more than 3 rows: split it into files of at most 3 rows."]


def test_an_address_of_another_champion_is_refused_not_given_their_commitments():
    ChampionFactory(full_name="Former Champion", user=UserFactory(email="principal@example.org"))
    rows = [{**network_rows(YEAR, PAST)[0], "email": "PRINCIPAL@example.org"}]

    plan = planned(as_csv(rows))

    (refused,) = plan.refused
    assert refused.errors == [
        "email: PRINCIPAL@example.org is the address of Former Champion, not of Amina Diallo-Ndiaye."
    ]
    assert plan.new == [] and plan.champions == [] and User.objects.count() == 1
    assert Cycle.objects.count() == 0
