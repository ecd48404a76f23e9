import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from accounts.tests.factories import UserFactory
from champions.tests.factories import ChampionFactory
from commitments import network_file
from commitments.models import Approval, Commitment, Status, TargetKind
from commitments.tests.factories import CommitmentFactory, CycleFactory
from commitments.tests.network_rows import HEADER, PARTS_TEXT, as_csv, network_rows

CHANGELIST = reverse("admin:commitments_commitment_changelist")
ADD = reverse("admin:commitments_commitment_add")


def _post_data(champion, cycle, **fields):
    data = {
        "champion": champion.pk,
        "cycle": cycle.pk,
        "number": 1,
        "text": "Hold meetings with women staff in the field.",
        "title": "Hold meetings with women staff in the field",
        "description": "",
        "categories": [],
        "target_kind": TargetKind.COUNT,
        "target_value": 4,
        "unit": "meetings",
        "counts_kind": "meeting",
        "due_on": cycle.ends_on.isoformat(),
        "status": Status.NOT_STARTED,
        # The inline formsets on the page: events and the status history.
        "events-TOTAL_FORMS": 0,
        "events-INITIAL_FORMS": 0,
        "status_changes-TOTAL_FORMS": 0,
        "status_changes-INITIAL_FORMS": 0,
        "approval_changes-TOTAL_FORMS": 0,
        "approval_changes-INITIAL_FORMS": 0,
        "approval": "approved",
    }
    return {**data, **fields}


@pytest.fixture
def five_commitment_cycle(db):
    return CycleFactory(year=2026, max_commitments=5)


def test_it_adds_a_commitment_within_the_cycle_maximum(client, admin_user, five_commitment_cycle):
    champion = ChampionFactory()
    client.force_login(admin_user)

    response = client.post(ADD, _post_data(champion, five_commitment_cycle, number=5))

    assert response.status_code == 302
    assert champion.commitments.get().number == 5


def test_it_shows_an_error_for_a_number_above_the_cycle_maximum(client, admin_user, five_commitment_cycle):
    champion = ChampionFactory()
    client.force_login(admin_user)

    response = client.post(ADD, _post_data(champion, five_commitment_cycle, number=6))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["number"] == [
        "The 2026 cycle allows at most 5 commitments per champion: number 6 is too high."
    ]
    assert "number 6 is too high" in response.text
    assert not Commitment.objects.exists()


def test_it_shows_an_error_for_a_number_already_taken(client, admin_user, five_commitment_cycle):
    taken = CommitmentFactory(cycle=five_commitment_cycle, number=2)
    client.force_login(admin_user)

    response = client.post(ADD, _post_data(taken.champion, five_commitment_cycle, number=2))

    assert response.status_code == 200
    assert "already has a commitment with this number" in response.text
    assert Commitment.objects.count() == 1


def test_it_keeps_the_status_history_when_the_status_changes_in_admin(client, admin_user):
    commitment = CommitmentFactory()
    client.force_login(admin_user)
    data = _post_data(commitment.champion, commitment.cycle, number=commitment.number, status=Status.AT_RISK)

    response = client.post(reverse("admin:commitments_commitment_change", args=[commitment.pk]), data)

    assert response.status_code == 302
    change = commitment.status_changes.get()
    assert (change.old_status, change.new_status, change.changed_by) == (
        Status.NOT_STARTED,
        Status.AT_RISK,
        admin_user,
    )


def test_it_keeps_the_approval_history_when_the_approval_changes_in_admin(client, admin_user):
    commitment = CommitmentFactory(approval=Approval.SUBMITTED)
    client.force_login(admin_user)
    change_page = reverse("admin:commitments_commitment_change", args=[commitment.pk])
    data = _post_data(
        commitment.champion, commitment.cycle, number=commitment.number, approval=Approval.APPROVED
    )

    response = client.post(change_page, data)

    assert response.status_code == 302
    change = commitment.approval_changes.get()
    assert (change.old_approval, change.new_approval, change.changed_by, change.comment) == (
        Approval.SUBMITTED,
        Approval.APPROVED,
        admin_user,
        "Changed in admin.",
    )
    # Saved again with the approval as it is: nothing more in its history.
    assert client.post(change_page, {**data, "title": "Another title"}).status_code == 302
    assert commitment.approval_changes.count() == 1


def test_a_commitment_made_in_admin_is_approved_in_its_history(client, admin_user, five_commitment_cycle):
    champion = ChampionFactory()
    client.force_login(admin_user)

    response = client.post(ADD, _post_data(champion, five_commitment_cycle, number=1))

    assert response.status_code == 302
    change = champion.commitments.get().approval_changes.get()
    assert (change.old_approval, change.new_approval, change.changed_by, change.comment) == (
        Approval.DRAFT,
        Approval.APPROVED,
        admin_user,
        "Made in admin.",
    )


def _make_commitments(how_many):
    """Commitments of every kind of target, five per champion, across hubs and organizations."""
    cycle = CycleFactory(year=2026)
    targets = [
        {"target_kind": TargetKind.COUNT, "target_value": 4},
        {"target_kind": TargetKind.PERCENTAGE, "target_value": 50, "panel_women": 3, "panel_men": 2},
        {"target_kind": TargetKind.MILESTONE, "target_value": None, "status": Status.ON_TRACK},
    ]
    for start in range(0, how_many, 5):
        champion = ChampionFactory(hub__name=f"Hub {start % 3}")
        for number in range(1, min(5, how_many - start) + 1):
            CommitmentFactory(champion=champion, cycle=cycle, number=number, **targets[number % 3])


def _changelist_queries(client):
    client.get(CHANGELIST)  # The first page fills Django's cache of content types.
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    changelist = response.context["cl"]
    return len(queries), (changelist.result_count, len(changelist.result_list))


def test_it_lists_commitments_at_a_cost_that_does_not_grow_with_rows(client, admin_user):
    client.force_login(admin_user)
    _make_commitments(5)
    queries_at_5, rows_at_5 = _changelist_queries(client)
    _make_commitments(55)
    queries_at_60, rows_at_60 = _changelist_queries(client)

    assert (rows_at_5, rows_at_60) == ((5, 5), (60, 25))
    assert queries_at_5 == queries_at_60


def test_it_finds_commitments_by_organization_acronym(client, admin_user):
    wanted = CommitmentFactory(champion__organization__acronym="DPKO")
    CommitmentFactory(champion__organization__acronym="UNHCR")
    client.force_login(admin_user)

    response = client.get(CHANGELIST, {"q": "dpko"})

    assert list(response.context["cl"].result_list) == [wanted]


def test_it_shows_progress_from_the_stored_roll_ups(client, admin_user):
    CommitmentFactory(target_kind=TargetKind.COUNT, target_value=4, counted_events=1)
    client.force_login(admin_user)

    response = client.get(CHANGELIST)

    assert "25%" in response.text


def _champion_page_queries(client, champion):
    url = reverse("admin:champions_champion_change", args=[champion.pk])
    client.get(url)  # The first page fills Django's cache of content types.
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def test_it_shows_a_champions_commitments_at_a_cost_that_does_not_grow_with_them(client, admin_user):
    champion = ChampionFactory()
    client.force_login(admin_user)
    for number in range(1, 6):
        CommitmentFactory(champion=champion, cycle=CycleFactory(year=2025), number=number)
    queries_at_5, _ = _champion_page_queries(client, champion)
    cycle = CycleFactory(year=2026)
    for number in range(1, 6):
        CommitmentFactory(champion=champion, cycle=cycle, number=number)
    queries_at_10, response = _champion_page_queries(client, champion)

    assert queries_at_5 == queries_at_10
    assert response.text.count(f'<option value="{cycle.pk}" selected>2026</option>') == 5


def test_it_edits_a_champions_commitments_on_the_champion_page(client, admin_user):
    commitment = CommitmentFactory(title="Hold meetings")
    champion = commitment.champion
    client.force_login(admin_user)
    data = {
        "full_name": champion.full_name,
        "title": champion.title,
        "organization": champion.organization_id,
        "hub": champion.hub_id,
        "user": champion.user_id,
        "is_active": "on",
        "pledge_signatures-TOTAL_FORMS": 0,
        "pledge_signatures-INITIAL_FORMS": 0,
        "commitments-TOTAL_FORMS": 1,
        "commitments-INITIAL_FORMS": 1,
        "commitments-0-id": commitment.pk,
        "commitments-0-champion": champion.pk,
        "commitments-0-cycle": commitment.cycle_id,
        "commitments-0-number": commitment.number,
        "commitments-0-title": "Hold meetings with women staff in the field",
        "commitments-0-target_kind": commitment.target_kind,
        "commitments-0-target_value": commitment.target_value,
        "commitments-0-due_on": commitment.due_on.isoformat(),
        "commitments-0-status": commitment.status,
    }

    response = client.post(reverse("admin:champions_champion_change", args=[champion.pk]), data)

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.title == "Hold meetings with women staff in the field"


def test_it_explains_why_a_cycle_maximum_cannot_drop_below_a_number_in_use(client, admin_user):
    commitment = CommitmentFactory(cycle=CycleFactory(year=2026, max_commitments=5), number=5)
    cycle = commitment.cycle
    client.force_login(admin_user)
    data = {
        "year": cycle.year,
        "starts_on": cycle.starts_on.isoformat(),
        "ends_on": cycle.ends_on.isoformat(),
        "report_due_on": cycle.report_due_on.isoformat(),
        "max_commitments": 4,
    }

    response = client.post(reverse("admin:commitments_cycle_change", args=[cycle.pk]), data)

    assert response.status_code == 200
    assert "numbered up to 5: the maximum cannot be lower" in response.text
    cycle.refresh_from_db()
    assert cycle.max_commitments == 5


def _varied_commitments():
    """Commitments whose rows differ in every way a cell can: targets, statuses, approvals, dates
    and their absence, text to escape."""
    cycle = CycleFactory(year=2026)
    champion = ChampionFactory(full_name='Amina <b>"Bold"</b> & Co')
    CommitmentFactory(
        champion=champion,
        cycle=cycle,
        number=1,
        title="Panels with <i>women</i> & men",
        target_kind=TargetKind.PERCENTAGE,
        target_value=50,
        status=Status.ON_TRACK,
    )
    CommitmentFactory(
        champion=champion,
        cycle=cycle,
        number=2,
        target_kind=TargetKind.MILESTONE,
        target_value=None,
        status=Status.AT_RISK,
        due_on=datetime.date(2026, 3, 9),
    )
    CommitmentFactory(cycle=cycle, number=3, approval=Approval.SUBMITTED, unit="visits & talks")
    counted = CommitmentFactory(cycle=cycle, number=4, status=Status.COMPLETED)
    Commitment.objects.filter(pk=counted.pk).update(
        last_event_on=datetime.date(2026, 5, 17), counted_events=3
    )


@pytest.mark.parametrize(
    ("query", "rows"),
    [
        ("", 4),
        ("?status__exact=on_track", 1),
        ("?o=-3.2&q=Panels", 1),
        ("?approval__exact=submitted&due_on__year=2026", 1),
    ],
)
@pytest.mark.parametrize(
    ("language", "filter_title", "on_track"),
    [("en", "By status", "On track"), ("fr", "Par statut", "En bonne voie")],
)
def test_its_changelist_lists_filters_searches_and_sorts_in_each_language(
    client, admin_user, query, rows, language, filter_title, on_track
):
    _varied_commitments()
    admin_user.language = language
    admin_user.save(update_fields=["language"])
    client.force_login(admin_user)

    response = client.get(CHANGELIST + query)

    assert response.status_code == 200
    assert response.context["cl"].result_count == rows
    assert response.text.count('class="action-select"') == rows
    assert filter_title in response.text
    if query in ("", "?status__exact=on_track"):
        assert f'<td class="field-status">{on_track}</td>' in response.text
        assert "Amina &lt;b&gt;&quot;Bold&quot;&lt;/b&gt; &amp; Co" in response.text
        assert "Panels with &lt;i&gt;women&lt;/i&gt; &amp; men</a>" in response.text
    if query:
        assert "/change/?_changelist_filters=" in response.text


def test_its_changelist_sorts_by_the_column_asked_for(client, admin_user):
    _varied_commitments()
    client.force_login(admin_user)

    # Column 2 is the number (1 is the champion): descending, then ascending.
    descending = client.get(CHANGELIST, {"o": "-2"}).context["cl"].result_list
    ascending = client.get(CHANGELIST, {"o": "2"}).context["cl"].result_list

    assert [c.number for c in descending] == [4, 3, 2, 1]
    assert [c.number for c in ascending] == [1, 2, 3, 4]


def test_its_changelist_pages_by_25(client, admin_user):
    client.force_login(admin_user)
    _make_commitments(26)

    first, second = client.get(CHANGELIST), client.get(CHANGELIST, {"p": 2})

    assert len(first.context["cl"].result_list) == 25
    assert len(second.context["cl"].result_list) == 1


@pytest.mark.parametrize("model_name", ["commitmentmonth", "cyclemonth"])
def test_it_keeps_the_monthly_roll_ups_out_of_the_admin(client, admin_user, model_name):
    """Roll-ups are machinery derived from events, not people's work: no page lists or shows them."""
    CommitmentFactory()
    client.force_login(admin_user)

    index = client.get(reverse("admin:index"))
    app = client.get(reverse("admin:app_list", args=["commitments"]))

    assert index.status_code == app.status_code == 200
    for page in (index, app):
        models = [model["object_name"] for app in page.context["app_list"] for model in app["models"]]
        assert "Commitment" in models
        assert not any(name.endswith("Month") for name in models)
        assert f"/admin/commitments/{model_name}/" not in page.text
    assert client.get(f"/admin/commitments/{model_name}/").status_code == 404
    assert client.get(f"/admin/commitments/{model_name}/1/change/").status_code == 404


def test_the_champion_page_shows_the_champions_commitments_inline(client, admin_user):
    commitment = CommitmentFactory(title="Hold meetings with women staff in the field")
    client.force_login(admin_user)

    response = client.get(reverse("admin:champions_champion_change", args=[commitment.champion.pk]))

    assert response.status_code == 200
    formset_prefixes = [formset.formset.prefix for formset in response.context["inline_admin_formsets"]]
    assert formset_prefixes == ["pledge_signatures", "commitments"]
    assert 'value="Hold meetings with women staff in the field"' in response.text


# Import and export: admin's doors to the network's file (commitments/resources.py, dashboard/imports.py).

IMPORT = reverse("admin:commitments_commitment_import")
PROCESS_IMPORT = reverse("admin:commitments_commitment_process_import")
EXPORT = reverse("admin:commitments_commitment_export")
OFFICE_IMPORT = "/dashboard/commitments/import/"
FORMATS = {"csv": "0", "xlsx": "1"}  # the indexes of commitments.resources.FORMATS


def staff_who_may(*actions):
    user = UserFactory(is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="commitments", codename__in=[f"{action}_commitment" for action in actions]
        )
    )
    return user


def exported(client, extension, query=""):
    response = client.post(f"{EXPORT}{query}", {"resource": "0", "format": FORMATS[extension]})
    assert response.status_code == 200, response.content[:500]
    return response.content


def table(content, extension):
    if extension == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    rows = load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)
    return [["" if value is None else value for value in row] for row in rows]


def test_its_import_needs_the_add_and_change_permissions(client, db):
    client.force_login(staff_who_may("view", "change"))

    changelist = client.get(CHANGELIST)

    assert changelist.status_code == 200
    assert 'class="import_link"' not in changelist.text and 'class="export_link"' in changelist.text
    assert client.get(IMPORT).status_code == 403
    assert client.post(PROCESS_IMPORT).status_code == 403
    assert client.get(OFFICE_IMPORT).status_code == 403


def test_its_import_is_the_offices_network_import(client, db):
    client.force_login(staff_who_may("view", "add", "change"))

    changelist = client.get(CHANGELIST)
    response = client.get(IMPORT)
    confirmation = client.post(PROCESS_IMPORT, {"import_file_name": "x", "format": "0"})

    assert f'href="{IMPORT}" class="import_link"' in changelist.text.replace("'", '"')
    assert (response.status_code, response.url) == (302, OFFICE_IMPORT)
    assert (confirmation.status_code, confirmation.url) == (302, OFFICE_IMPORT)  # one door, one preview
    page = client.get(OFFICE_IMPORT)
    assert page.status_code == 200
    assert f'href="{CHANGELIST}"' in page.text  # the way back is admin's, not the office's dashboard


@pytest.mark.parametrize("actions, status", [(("add",), 403), (("view",), 200), (("change",), 200)])
def test_its_export_needs_the_view_permission(client, db, actions, status):
    CommitmentFactory()
    client.force_login(staff_who_may(*actions))

    page = client.get(EXPORT)
    download = client.post(EXPORT, {"resource": "0", "format": FORMATS["csv"]})

    assert (page.status_code, download.status_code) == (status, status)
    if status == 200:
        assert "focal_point_email, year, number, categories, text, title" in page.text  # its columns


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_its_export_writes_the_selected_commitments_in_the_networks_columns(client, admin_user, extension):
    today = timezone.localdate()
    plan = network_file.plan(as_csv(network_rows(today.year, today.year - 2)), ".csv")
    network_file.apply(plan, admin_user)
    client.force_login(admin_user)
    cycle = Commitment.objects.get(text=PARTS_TEXT).cycle

    rows = table(exported(client, extension, f"?cycle__id__exact={cycle.pk}"), extension)

    assert rows[0] == HEADER
    assert len(rows) == 1 + 3  # the filtered year's commitments: the ended year's one is left out
    amina = next(row for row in rows if row[9] == PARTS_TEXT)
    assert amina[:4] == [
        "Amina Diallo-Ndiaye",
        "Executive Director",
        "Global Fund for Equal Futures",
        "Geneva",
    ]
    assert amina[8] == "Leadership and accountability; Good governance"
    assert amina[11] == "Milestone"


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_a_file_exported_from_admin_imports_back_unchanged(client, admin_user, extension, language):
    today = timezone.localdate()
    rows = network_rows(today.year, today.year - 2)
    rows[0].update(email="amina@example.org", focal_point_email="fp1@example.org; fp2@example.org")
    network_file.apply(network_file.plan(as_csv(rows), ".csv"), admin_user)
    formula = CommitmentFactory(
        number=2, text='=HYPERLINK("https://evil.example","x")', title="+SUM(A1:A9)", unit="-1"
    )
    admin_user.language = language
    admin_user.save(update_fields=["language"])
    client.force_login(admin_user)

    content = exported(client, extension)
    preview = client.post(OFFICE_IMPORT, {"file": SimpleUploadedFile(f"commitments.{extension}", content)})

    plan = preview.context["plan"]
    assert plan.file_errors == [] and plan.refused == []
    assert (len(plan.new), len(plan.updated), plan.unchanged) == (0, 0, Commitment.objects.count())
    assert "key" not in preview.context  # nothing to confirm
    cells = [cell for row in table(content, extension) for cell in row]
    assert formula.text not in cells and "'" + formula.text in cells  # never read as a formula
    assert "'+SUM(A1:A9)" in cells


def test_its_xlsx_export_is_as_excel_users_expect(client, admin_user):
    commitment = CommitmentFactory(
        categories=["gbv", "work-life"], status=Status.AT_RISK, due_on=datetime.date(2026, 12, 31)
    )
    CommitmentFactory(cycle=CycleFactory(year=2025))  # another year, filtered out
    client.force_login(admin_user)

    response = client.post(
        f"{EXPORT}?cycle__id__exact={commitment.cycle_id}", {"resource": "0", "format": FORMATS["xlsx"]}
    )

    assert response["Content-Disposition"] == 'attachment; filename="commitments-2026.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "Commitments 2026"  # not "Tablib Dataset"
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("A2", "A1:R2")
    assert all(8 <= sheet.column_dimensions[letter].width <= 60 for letter in "ABCDEFGHIJKLMNOPQR")
    row = dict(zip(HEADER, sheet[2], strict=True))
    assert row["due_on"].is_date and row["due_on"].value.date() == datetime.date(2026, 12, 31)
    assert (row["year"].value, row["number"].value, row["target_value"].value) == (2026, commitment.number, 4)
    assert row["target_value"].data_type == "n"
    assert row["categories"].value == "Work-life balance; Gender-based violence"  # labels, not gbv
    assert (row["target_kind"].value, row["status"].value) == ("Count", "At risk")


def test_its_export_of_several_years_is_named_for_all(client, admin_user):
    CommitmentFactory()
    CommitmentFactory(cycle=CycleFactory(year=2025))
    client.force_login(admin_user)

    response = client.post(EXPORT, {"resource": "0", "format": FORMATS["xlsx"]})

    assert response["Content-Disposition"] == 'attachment; filename="commitments.xlsx"'
    assert load_workbook(io.BytesIO(response.content)).active.title == "Commitments"


def test_its_export_is_in_the_readers_language(client, admin_user):
    commitment = CommitmentFactory(categories=["gbv"], status=Status.AT_RISK)
    admin_user.language = "fr"
    admin_user.save(update_fields=["language"])
    client.force_login(admin_user)

    response = client.post(
        f"{EXPORT}?cycle__id__exact={commitment.cycle_id}", {"resource": "0", "format": FORMATS["xlsx"]}
    )

    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert header == list(network_file.COLUMNS.values())
    row = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert row["catégories"] == "Violence fondée sur le genre"
    with translation.override("fr"):
        assert sheet.title == gettext("Commitments %(year)s") % {"year": 2026}
        assert row["statut"] == str(Status.AT_RISK.label)


@pytest.mark.parametrize("language, shown", [("en", "31 December 2027"), ("fr", "31 décembre 2027")])
def test_admin_shows_dates_in_the_readers_format(client, admin_user, language, shown):
    CommitmentFactory(cycle=CycleFactory(year=2027), due_on=datetime.date(2027, 12, 31))
    admin_user.language = language
    admin_user.save(update_fields=["language"])
    client.force_login(admin_user)

    page = client.get(CHANGELIST).text

    assert shown in page
    assert "Dec. 31, 2027" not in page
