"""The CSV exports are streamed: their rows are read from the database as the download goes, a
chunk at a time, so an export of any size holds no more than a chunk in memory (bench/run.py
prints the peak it measured at full size and at one tenth)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.tests.factories import ProgressEventFactory

# Each export, who downloads it and how many rows the cast gives them.
EXPORTS = [
    ("/dashboard/export.csv", "office_member", 2),  # both champions' commitments
    ("/events/export.csv", "focal_point", 1),  # the one event of the champion they serve
]


@pytest.mark.parametrize("path, who, rows", EXPORTS)
def test_an_export_reads_its_rows_only_as_the_download_goes(client, cast, path, who, rows):
    ProgressEventFactory(commitment=cast.commitment, occurred_on=cast.cycle.starts_on)
    client.force_login(getattr(cast, who))
    response = client.get(path)
    assert response.streaming
    pieces = iter(response.streaming_content)

    with CaptureQueriesContext(connection) as queries:
        header = next(pieces)
    assert header.startswith("\ufeff".encode()) and header.count(b"\n") == 1
    assert queries.captured_queries == []  # the view answered before reading any row

    with CaptureQueriesContext(connection) as queries:
        body = b"".join(pieces)
    assert body.count(b"\n") == rows
    (query,) = queries.captured_queries  # every row from one query, its related rows joined in
    if connection.vendor == "postgresql":
        # A server-side cursor: PostgreSQL hands the rows over a chunk at a time.
        assert query["sql"].startswith("DECLARE")
