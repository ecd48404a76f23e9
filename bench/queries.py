"""The benchmark's in-process half: SQL per page, and each page's SQL re-run on its own.

Run by bench/run.py with the same environment as the server (DATABASE_URL, DEBUG...):

    python bench/queries.py RESULT.json --repeats 30

For each benchmarked page (the dashboard twice: from the cache, and computed with the cache off)
it signs in with the test client's force_login, renders the page once to
warm caches, then renders it again inside CaptureQueriesContext: that gives the number of SQL
statements a request runs (session and user included) and their text. Each page's statements are
then re-executed `--repeats` times over a psycopg2 connection of their own, which gives what the SQL
alone costs; the slowest statements are EXPLAIN ANALYZEd. A last request, traced with tracemalloc,
gives the most memory Python held at once while answering it. It also writes the demo logins and the
commitment page to load, so that run.py reads them from the seed rather than repeating them.
"""

import argparse
import contextlib
import csv
import io
import json
import os
import re
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import django

BASE_DIR = Path(__file__).resolve().parent.parent
# Why: a server-side cursor (QuerySet.iterator on PostgreSQL) is logged as its DECLARE statement.
DECLARE = re.compile(
    r"^DECLARE\s+\S+\s+(?:NO\s+)?(?:SCROLL\s+)?CURSOR\s+(?:WITH(?:OUT)?\s+HOLD\s+)?FOR\s+", re.I
)
EXPLAINED_PER_PAGE = 3


def percentile(values, share):
    """The `share` (0..1) percentile of `values`, interpolated between the nearest ranks."""
    ordered = sorted(values)
    if not ordered:
        return None
    position = (len(ordered) - 1) * share
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def pages(commitment_id):
    """(name, path, who, cached) of each page the benchmark measures.

    The dashboard twice: as the office gets it (from the cache while the data has not changed, see
    dashboard/cache.py), and computed on every request, with the cache off, as after each change.
    The export and the admin changelist read no cache: they are measured with it off, beside the
    computed dashboard.
    """
    return [
        ("dashboard", "/dashboard/", "office", True),
        ("dashboard computed", "/dashboard/", "office", False),
        ("home", "/", "champion", True),
        ("commitment", f"/commitments/{commitment_id}/", "champion", True),
        ("export.csv", "/dashboard/export.csv", "office", False),
        ("admin changelist", "/admin/commitments/commitment/", "admin", False),
    ]


def cache_off():
    """Settings under which nothing is cached: every dashboard request computes the page."""
    from django.test import override_settings

    return override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}})


def capture(client, path):
    """The SQL one request for `path` runs, after a first request that warms per-process caches,
    and the body of its answer."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for attempt in ("warm-up", "measured"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
            # A streamed response (the CSV) runs its queries while it is read.
            body = b"".join(response.streaming_content) if response.streaming else response.content
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code} on the {attempt} request")
    return [query["sql"] for query in queries.captured_queries], body


def csv_rows(body):
    """Rows of a CSV download, its header left out."""
    return len(list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))) - 1


def peak_memory(client, path):
    """The most memory (MiB) Python held at once while answering `path`, its body read to the end.

    A streamed body is read a piece at a time and each piece dropped, as the server sends it.
    """
    tracemalloc.start()
    try:
        response = client.get(path)
        for _piece in response.streaming_content if response.streaming else [response.content]:
            pass
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def rerun(dsn, statements, repeats, explain=True):
    """Execute the statements `repeats` times (after one warm-up pass); times in milliseconds.

    Also used by run.py, without the EXPLAINs, beside each page's run with one user.
    """
    import psycopg2

    statements = [DECLARE.sub("", sql) for sql in statements]
    totals, each = [], [[] for _ in statements]
    connection = psycopg2.connect(dsn)
    # Autocommit: the captured BEGIN and COMMIT open and close the request's transaction, as in the app.
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            for attempt in range(repeats + 1):
                total = 0.0
                for i, sql in enumerate(statements):
                    started = time.perf_counter()
                    cursor.execute(sql)
                    if cursor.description is not None:
                        cursor.fetchall()
                    elapsed = (time.perf_counter() - started) * 1000
                    total += elapsed
                    if attempt:
                        each[i].append(elapsed)
                if attempt:
                    totals.append(total)
            explained = []
            slowest = sorted(range(len(statements)), key=lambda i: statistics.median(each[i]), reverse=True)
            for i in slowest[:EXPLAINED_PER_PAGE] if explain else []:
                if statements[i].lstrip().upper().startswith("SELECT"):
                    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statements[i]}")
                    plan = "\n".join(row[0] for row in cursor.fetchall())
                    explained.append({"statement": i, "sql": statements[i], "plan": plan})
    finally:
        connection.close()
    return {
        "p50_ms": percentile(totals, 0.5),
        "p95_ms": percentile(totals, 0.95),
        "repeats": repeats,
        "totals_ms": totals,
        "statements": [
            {"sql": sql, "p50_ms": percentile(times, 0.5), "p95_ms": percentile(times, 0.95)}
            for sql, times in zip(statements, each, strict=True)
        ],
        "explained": explained,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("result", type=Path, help="where to write the JSON result")
    parser.add_argument("--repeats", type=int, default=30, help="re-executions of each page's SQL")
    args = parser.parse_args()

    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from champions.models import Champion
    from commitments.models import Commitment, Cycle
    from demo.management.commands import seed_demo
    from events.models import ProgressEvent

    emails = {
        "office": seed_demo.OFFICE_EMAIL,
        "champion": seed_demo.LACROIX_EMAIL,
        "admin": seed_demo.ADMIN_EMAIL,
    }
    users = {role: get_user_model().objects.get(email__iexact=email) for role, email in emails.items()}
    commitment = (
        Commitment.objects.filter(champion__user=users["champion"], cycle=Cycle.objects.current())
        .order_by("-events_in_cycle", "number")
        .first()
    )
    result = {
        "logins": {role: {"email": email, "password": seed_demo.PASSWORD} for role, email in emails.items()},
        "commitment_id": commitment.pk,
        "rows": {
            "champions": Champion.objects.count(),
            "commitments": Commitment.objects.count(),
            "events": ProgressEvent.objects.count(),
        },
        "server": connection.cursor().connection.server_version,
        "debug": settings.DEBUG,
        "pages": {},
    }
    dsn = os.environ["DATABASE_URL"]
    for name, path, who, cached in pages(commitment.pk):
        # As through the TLS-terminating proxy the app expects, as the load test does.
        client = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0], HTTP_X_FORWARDED_PROTO="https")
        client.force_login(users[who])
        with contextlib.nullcontext() if cached else cache_off():
            statements, body = capture(client, path)
            peak = peak_memory(client, path)
        result["pages"][name] = {
            "path": path,
            "who": who,
            "cached": cached,
            "queries": len(statements),
            "bytes": len(body),
            "rows": csv_rows(body) if path.endswith(".csv") else None,
            "peak_mib": peak,
            "sql_alone": rerun(dsn, statements, args.repeats),
        }
    connection.close()
    args.result.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
