import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from commitments.models import Commitment, EventKind, Status, TargetKind
from commitments.tests.factories import CommitmentFactory
from events.tests.factories import ProgressEventFactory


def _rows(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # Excel reads UTF-8 with a byte-order mark
    return list(csv.reader(io.StringIO(body[1:])))


def test_it_exports_the_filtered_commitments(client, cast):
    today = timezone.localdate()
    cast.commitment.title = "=cmd|' /C calc'!A0"
    cast.commitment.due_on = today - datetime.timedelta(days=2)
    cast.commitment.status = Status.AT_RISK
    cast.commitment.save()
    ProgressEventFactory(commitment=cast.commitment, occurred_on=cast.cycle.starts_on)
    client.force_login(cast.office_member)
    response = client.get("/dashboard/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="commitments-{cast.cycle.year}.csv"'
    rows = _rows(response)
    assert rows[0] == [
        "champion",
        "organization",
        "hub",
        "cycle",
        "number",
        "title",
        "categories",
        "target",
        "progress %",
        "status",
        "due date",
        "overdue",
        "last event date",
        "event count",
        "latest value",
        "panels",
        "panels confirmed by organisers",
        "women's share, confirmed %",
        "women's share, self-reported %",
    ]
    assert rows[1] == [
        "Chidi Champion",
        cast.champion.organization.acronym,
        cast.champion.hub.name,
        str(cast.cycle.year),
        "1",
        "'=cmd|' /C calc'!A0",
        "Organisational culture",
        "4 meetings",
        "25",
        "At risk",
        (today - datetime.timedelta(days=2)).isoformat(),
        "yes",
        cast.cycle.starts_on.isoformat(),
        "1",
        "",  # no latest value: not an indicator
        "0",  # no panel: no share of either kind
        "0",
        "",
        "",
    ]
    assert rows[2][0] == "Olga Other"
    assert len(rows) == 3


def test_it_applies_the_dashboard_filters(client, cast):
    client.force_login(cast.office_member)
    rows = _rows(client.get(f"/dashboard/export.csv?hub={cast.other_champion.hub.pk}"))
    names = {row[0] for row in rows[1:]}
    assert "Olga Other" in names
    if cast.other_champion.hub != cast.champion.hub:
        assert "Chidi Champion" not in names


def test_every_field_is_one_cell_whichever_separator_excel_splits_on(client, cast):
    # French Excel splits a CSV on ";": a field with a ";" in it must not start a cell there.
    cast.commitment.title = 'Panels; =HYPERLINK("http://evil.example","x"); +1; -2; @SUM(A1)'
    cast.commitment.save()
    client.force_login(cast.office_member)
    body = b"".join(client.get("/dashboard/export.csv").streaming_content).decode("utf-8")[1:]
    for separator in [",", ";"]:
        cells = [cell for row in csv.reader(io.StringIO(body), delimiter=separator) for cell in row]
        assert any("HYPERLINK" in cell for cell in cells)
        for cell in cells:
            assert not cell.lstrip(" ").startswith(("=", "+", "-", "@")), (separator, cell)


def _sheet(response, filename):
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def _xlsx(response, year):
    return list(_sheet(response, f"commitments-{year}.xlsx").iter_rows())


def test_it_exports_the_same_filters_and_columns_as_xlsx(client, cast):
    cast.commitment.title = "=cmd|' /C calc'!A0"
    cast.commitment.save()
    client.force_login(cast.office_member)
    query = f"?hub={cast.champion.hub.pk}"
    csv_rows = _rows(client.get(f"/dashboard/export.csv{query}"))
    cells = _xlsx(client.get(f"/dashboard/export.xlsx{query}"), cast.cycle.year)
    assert [[cell.value for cell in row] for row in cells][0] == csv_rows[0]
    assert len(cells) == len(csv_rows)
    title = cells[1][5]
    assert title.value == "'=cmd|' /C calc'!A0"  # neutralised as in the CSV...
    assert title.data_type == "s"  # ...and text, never a formula
    assert [_as_csv(cell.value) for cell in cells[1] if cell.column != 6] == [
        value for index, value in enumerate(csv_rows[1]) if index != 5
    ]


def _as_csv(value):
    """An XLSX cell's value as the CSV writes it (a date cell reads back as a datetime)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    return str(value)


def test_its_xlsx_is_as_excel_users_expect(client, cast):
    today = timezone.localdate()
    cast.commitment.due_on = today - datetime.timedelta(days=2)
    cast.commitment.status = Status.AT_RISK
    cast.commitment.title = "A title long enough to need a wide column, longer than the header"
    cast.commitment.save()
    ProgressEventFactory(commitment=cast.commitment, occurred_on=cast.cycle.starts_on)
    client.force_login(cast.office_member)

    sheet = _sheet(client.get("/dashboard/export.xlsx"), f"commitments-{cast.cycle.year}.xlsx")

    assert sheet.title == f"Commitments {cast.cycle.year}"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:S3"
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCDEFGHIJKLMNO"}
    assert all(8 <= width <= 60 for width in widths.values()), widths
    assert widths["F"] > widths["E"]  # the title's column is wider than the number's
    header = [cell.value for cell in sheet[1]]
    assert all(cell.font.bold for cell in sheet[1])
    row = dict(zip(header, sheet[2], strict=True))
    assert row["champion"].value == "Chidi Champion"
    assert (row["cycle"].value, row["number"].value) == (cast.cycle.year, 1)
    assert row["progress %"].data_type == "n" and row["event count"].value == 1
    assert row["due date"].is_date and row["due date"].value.date() == today - datetime.timedelta(days=2)
    assert row["last event date"].is_date and row["last event date"].value.date() == cast.cycle.starts_on
    assert row["due date"].number_format == "mm-dd-yy"  # Excel's short date: the reader's own format
    assert row["status"].value == "At risk"  # labels, not codes
    assert row["overdue"].value == "yes"
    assert row["latest value"].value is None


def test_its_headers_labels_and_yes_no_are_in_the_readers_language(client, cast):
    cast.commitment.due_on = timezone.localdate() - datetime.timedelta(days=2)
    cast.commitment.status = Status.AT_RISK
    cast.commitment.save()
    cast.office_member.language = "fr"
    cast.office_member.save(update_fields=["language"])
    client.force_login(cast.office_member)

    response = client.get("/dashboard/export.xlsx")

    sheet = _sheet(response, f"commitments-{cast.cycle.year}.xlsx")
    header = [cell.value for cell in sheet[1]]
    assert header[:6] == ["champion", "organisation", "pôle", "cycle", "numéro", "titre"]
    with translation.override("fr"):
        assert header == [gettext(name) for name in EXPORT_HEADER_EN]
        assert sheet.title == gettext("Commitments %(year)s") % {"year": cast.cycle.year}
        expected = {"statut": str(Status.AT_RISK.label), gettext("overdue"): gettext("yes")}
    row = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert {name: row[name] for name in expected} == expected


EXPORT_HEADER_EN = [
    "champion",
    "organization",
    "hub",
    "cycle",
    "number",
    "title",
    "categories",
    "target",
    "progress %",
    "status",
    "due date",
    "overdue",
    "last event date",
    "event count",
    "latest value",
    "panels",
    "panels confirmed by organisers",
    "women's share, confirmed %",
    "women's share, self-reported %",
]


def test_its_file_names_the_cycle_chosen(client, cast):
    from commitments.tests.factories import CycleFactory

    next_year = CycleFactory(year=cast.cycle.year + 1)
    client.force_login(cast.office_member)

    response = client.get(f"/dashboard/export.xlsx?cycle={next_year.year}")

    sheet = _sheet(response, f"commitments-{next_year.year}.xlsx")
    assert sheet.title == f"Commitments {next_year.year}"
    assert sheet.max_row == 1 and sheet.auto_filter.ref == "A1:S1"  # no commitment yet: the header


def test_the_xlsx_export_is_for_the_office_only(client, cast):
    client.force_login(cast.champion_user)
    assert client.get("/dashboard/export.xlsx").status_code == 403


@pytest.mark.parametrize("language", ["en", "fr"])
def test_its_target_progress_and_overdue_are_the_commitments_own(client, cast, language):
    # The export reads values, not model instances: its columns must still say what the commitment
    # says of itself (target_label, progress_percent, is_overdue), for every kind of target.
    today = timezone.localdate()
    past = today - datetime.timedelta(days=1)
    mine = {"champion": cast.champion, "cycle": cast.cycle}
    theirs = {"champion": cast.other_champion, "cycle": cast.cycle}
    count = {"target_kind": TargetKind.COUNT}
    share = {"target_kind": TargetKind.PERCENTAGE}
    for fields in [
        {**mine, **count, "number": 2, "target_value": 3, "counts_kind": "", "unit": "", "counted_events": 2},
        {**mine, **count, "number": 3, "target_value": 5, "counts_kind": "", "unit": "workshops"},
        {
            **mine,
            **count,
            "number": 4,
            "target_value": 2,
            "counts_kind": EventKind.PANEL,
            "counted_events": 7,
        },
        {
            **mine,
            **share,
            "number": 5,
            "target_value": 40,
            "panel_women": 3,
            "panel_men": 7,
            "panels_logged": 2,
        },
        {**theirs, **share, "number": 2, "target_value": 50, "due_on": past},
        {
            **theirs,
            "number": 3,
            "target_kind": TargetKind.MILESTONE,
            "target_value": None,
            "status": "on_track",
            "due_on": past,
        },
        {
            **theirs,
            "number": 4,
            "target_kind": TargetKind.MILESTONE,
            "target_value": None,
            "status": "completed",
            "due_on": past,
        },
        {**theirs, **count, "number": 5, "target_value": 4, "status": "not_achieved", "due_on": today},
    ]:
        CommitmentFactory(**fields)
    client.force_login(cast.office_member)
    rows = _rows(client.get("/dashboard/export.csv", HTTP_ACCEPT_LANGUAGE=language))[1:]
    exported = {(row[0], int(row[4])): (row[7], row[8], row[11]) for row in rows}
    commitments = Commitment.objects.filter(cycle=cast.cycle).select_related("champion")
    with translation.override(language):
        expected = {
            (c.champion.full_name, c.number): (
                c.target_label,
                str(c.progress_percent),
                gettext("yes") if c.is_overdue(today) else gettext("no"),  # in the reader's language
            )
            for c in commitments
        }
    assert exported == expected
    assert len(expected) == 10
    assert {progress for _, progress, _ in expected.values()} >= {"0", "60", "66", "75", "100"}
    with translation.override(language):
        assert {overdue for _, _, overdue in expected.values()} == {gettext("yes"), gettext("no")}


def test_it_reads_rows_as_values_in_chunks_not_all_at_once(client, cast):
    client.force_login(cast.office_member)
    with CaptureQueriesContext(connection) as queries:
        b"".join(client.get("/dashboard/export.csv").streaming_content)
    declared = [query["sql"] for query in queries if query["sql"].startswith("DECLARE")]
    if connection.vendor == "postgresql":  # a server-side cursor: EXPORT_CHUNK_ROWS at a time
        assert len(declared) == 1
        assert '"commitments_commitment"."description"' not in declared[0]
