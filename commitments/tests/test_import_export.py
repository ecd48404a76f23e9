"""Commitments in and out of spreadsheets, through the admin's Import and Export (django-import-export)."""

import datetime
import io

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from champions.tests.factories import ChampionFactory
from commitments.models import Approval, Commitment
from commitments.resources import CommitmentResource
from commitments.tests.factories import CommitmentFactory, CycleFactory

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:commitments_commitment_import")
PROCESS = reverse("admin:commitments_commitment_process_import")
EXPORT = reverse("admin:commitments_commitment_export")
CSV, XLSX = "0", "1"  # the formats' order in IMPORT_EXPORT_FORMATS
HEADERS = [
    "champion",
    "cycle",
    "number",
    "title",
    "description",
    "category",
    "target_kind",
    "target_value",
    "counts_kind",
    "due_on",
    "status",
    "approval",
]


@pytest.fixture
def network(cast):
    """The cast's two commitments plus a percentage and a milestone, one of them returned."""
    CommitmentFactory(champion=cast.champion, cycle=cast.cycle, number=2, target_kind="percentage", target_value=50,
                      counts_kind="", category="panel_parity", status="on_track")  # fmt: skip
    CommitmentFactory(champion=cast.other_champion, cycle=cast.cycle, number=2, target_kind="milestone",
                      target_value=None, counts_kind="", description="", approval="returned")  # fmt: skip
    return cast


def _export(client, format=XLSX):
    fields = {f"commitmentresource_{name}": "on" for name in HEADERS}
    response = client.post(EXPORT, {"format": format, "resource": "0", **fields})
    assert response.status_code == 200, response.content[:500]
    return response.content


def _dataset(content, format=XLSX):
    return tablib.Dataset().load(io.BytesIO(content) if format == XLSX else content.decode("utf-8-sig"),
                                 format="xlsx" if format == XLSX else "csv")  # fmt: skip


def _file(dataset, format=XLSX):
    if format == XLSX:
        return SimpleUploadedFile("commitments.xlsx", dataset.export("xlsx"))
    return SimpleUploadedFile("commitments.csv", ("\ufeff" + dataset.export("csv")).encode())


def _preview(client, dataset, format=XLSX):
    response = client.post(IMPORT, {"resource": "0", "format": format, "import_file": _file(dataset, format)})
    assert response.status_code == 200
    return response


def _confirm(client, preview):
    form = preview.context["confirm_form"]
    data = {name: form[name].value() for name in form.fields}
    return client.post(PROCESS, data)


def _snapshot():
    return list(Commitment.objects.order_by("pk").values_list("pk", "updated_at", *HEADERS[2:]))


def test_the_admin_exports_csv_that_excel_reads_as_utf8(client, admin_user, network):
    client.force_login(admin_user)
    content = _export(client, CSV)
    assert content.startswith("\ufeff".encode())
    rows = _dataset(content, CSV)
    assert rows.headers == HEADERS
    first = rows.dict[0]
    assert (first["champion"], first["cycle"], first["number"]) == (
        network.champion_user.email,
        str(network.cycle.year),
        "1",
    )


def test_a_round_trip_changes_nothing(client, admin_user, network):
    client.force_login(admin_user)
    before = _snapshot()
    rows = _dataset(_export(client))
    preview = _preview(client, rows)
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["skip"] == 4 and result.totals["new"] == 0 and result.totals["update"] == 0
    assert _snapshot() == before  # the preview writes nothing
    assert _confirm(client, preview).status_code == 302
    assert _snapshot() == before


def test_an_edited_export_updates_in_place_and_new_rows_are_approved(client, admin_user, network):
    client.force_login(admin_user)
    exported = _dataset(_export(client))
    edited = tablib.Dataset(headers=HEADERS)
    for index, row in enumerate(exported.dict):
        if index == 0:
            row["title"] = "Hold six town halls with women staff"
        edited.append([row[name] for name in HEADERS])
    edited.append(
        [network.champion_user.email, network.cycle.year, 3, "Adopt a parental leave policy", "", "work_life",
         "milestone", "", "", network.cycle.ends_on.isoformat(), "not_started", ""]
    )  # fmt: skip
    preview = _preview(client, edited)
    assert (preview.context["result"].totals["update"], preview.context["result"].totals["new"]) == (1, 1)
    _confirm(client, preview)
    assert Commitment.objects.count() == 5
    assert Commitment.objects.get(pk=network.commitment.pk).title == "Hold six town halls with women staff"
    new = Commitment.objects.get(champion=network.champion, number=3)
    assert (new.approval, new.target_kind, new.history.count()) == (Approval.APPROVED, "milestone", 1)


def _row(cast, **fields):
    values = {
        "champion": cast.champion_user.email,
        "cycle": cast.cycle.year,
        "number": 3,
        "title": "Train every manager",
        "description": "",
        "category": "leadership",
        "target_kind": "count",
        "target_value": 2,
        "counts_kind": "training",
        "due_on": cast.cycle.ends_on.isoformat(),
        "status": "not_started",
        "approval": "",
        **fields,
    }
    return [values[name] for name in HEADERS]


@pytest.mark.parametrize("format", [XLSX, CSV], ids=["xlsx", "csv"])
def test_bad_rows_are_refused_with_their_row_number_and_nothing_is_imported(client, admin_user, cast, format):
    client.force_login(admin_user)
    CycleFactory(year=2027)
    rows = tablib.Dataset(headers=HEADERS)
    rows.append(_row(cast, number=3))  # fine
    rows.append(_row(cast, champion="nobody@example.org"))
    rows.append(_row(cast, number=6))  # a sixth commitment in a five-commitment cycle
    rows.append(_row(cast, number=4, due_on=datetime.date(cast.cycle.year + 1, 3, 1).isoformat()))
    rows.append(_row(cast, number=5, category="astrology"))
    rows.append(_row(cast, number=3))  # the first row's key again
    before = _snapshot()
    preview = _preview(client, rows, format)
    result = preview.context["result"]
    errors = {
        row.number: " ".join(str(m) for ms in row.error.message_dict.values() for m in ms)
        for row in result.invalid_rows
    }
    assert sorted(errors) == [2, 3, 4, 5, 6]
    assert "No champion signs in with nobody@example.org" in errors[2]
    assert "at most 5 commitments per champion" in errors[3]
    assert "must be within the" in errors[4]
    assert "astrology" in errors[5] and "not a valid choice" in errors[5]
    assert "same champion, cycle and number" in errors[6]
    page = preview.content.decode()
    assert "No champion signs in with nobody@example.org" in page
    assert "confirm_form" not in preview.context or preview.context["confirm_form"] is None
    assert _snapshot() == before


def test_the_resource_reads_champions_and_cycles_once_whatever_the_rows(cast, django_assert_max_num_queries):
    rows = tablib.Dataset(headers=HEADERS)
    for number in range(1, 6):
        champion = ChampionFactory()
        rows.append(_row(cast, champion=champion.user.email, number=number % 5 + 1))
    with django_assert_max_num_queries(20):
        result = CommitmentResource().import_data(rows, dry_run=True)
    assert not result.has_validation_errors(), [row.error for row in result.invalid_rows]
    assert result.totals["new"] == 5
