import csv
import datetime
import io

from django.utils import timezone

from commitments.models import Status
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
    assert response["Content-Disposition"] == 'attachment; filename="commitments.csv"'
    rows = _rows(response)
    assert rows[0] == [
        "champion",
        "organization",
        "hub",
        "cycle",
        "number",
        "title",
        "category",
        "target",
        "progress %",
        "status",
        "due date",
        "overdue",
        "last event date",
        "event count",
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
