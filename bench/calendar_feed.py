"""Benchmark: the office's calendar feed of a whole network's commitments.

    .venv/bin/python bench/calendar_feed.py                  # 2,000 champions: 10,000 commitments
    .venv/bin/python bench/calendar_feed.py --champions 200 --runs 5

It creates a PostgreSQL database of its own (gc_bench_calendar), migrates, seeds the network with
`seed_demo --champions N --events-per-commitment 0` and runs `VACUUM ANALYZE`. Then, in a Django
process of its own with DEBUG off, it requests feeds through the test client, as a calendar app
would (no session, only the token): the office's feed of every champion's commitments as seeded,
the same with every commitment open (each of them an event: the largest a feed of this network can
be), the office's feed of one hub, and a focal point's feed. Each feed is requested once to warm up,
then `--runs` times; it prints the median, fastest and slowest time, the events, size and queries
of each, with the target (the office feed of 10,000 commitments in at most 1 s). It exits 0 when
the benchmark itself ran: it reports, it does not gate.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
SERVER = "postgres://postgres@127.0.0.1:5432/"
DATABASE = "gc_bench_calendar"
TARGET_SECONDS = 1.0
TARGET_COMMITMENTS = 10000

# Runs inside a Django process against the benchmark's database (see measure()).
MEASURE = r"""
import json, statistics, sys, time
import django
django.setup()
from django.test.utils import CaptureQueriesContext, setup_test_environment
setup_test_environment()
from django.db import connection
from django.test import Client
from accounts.models import User
from champions.models import Hub
from commitments.models import CLOSED_STATUSES, Commitment, Status
from demo.network import FOCAL_POINT_EMAIL, OFFICE_EMAIL

runs = int(sys.argv[1])
client = Client()  # never signed in: a feed needs its token only

def url(email):
    return f"/calendar/{User.objects.get(email=email).calendar_token}.ics"

def measure(name, path):
    response = client.get(path)  # warm-up
    assert response.status_code == 200, (name, response.status_code)
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    # Counted now (the next request empties the log); the transaction's BEGIN and COMMIT aside.
    queries = sum(q["sql"] not in ("BEGIN", "COMMIT") for q in captured.captured_queries)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - started)
    return {
        "feed": name,
        "events": response.content.count(b"BEGIN:VEVENT"),
        "kib": round(len(response.content) / 1024),
        "queries": queries,
        "median_s": round(statistics.median(times), 3),
        "min_s": round(min(times), 3),
        "max_s": round(max(times), 3),
    }

office = url(OFFICE_EMAIL)
hub = Hub.objects.get(name="Geneva")
results = [measure("office, as seeded", office)]
# Every commitment open, so that each is an event: the largest feed of the network.
Commitment.objects.filter(status__in=CLOSED_STATUSES).update(status=Status.IN_PROGRESS)
results.append(measure("office, every commitment open", office))
results.append(measure(f"office, one hub ({hub.name})", f"{office}?hub={hub.pk}"))
results.append(measure("focal point", url(FOCAL_POINT_EMAIL)))
results.append({"commitments": Commitment.objects.count()})
print(json.dumps(results))
"""


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--champions", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=9, help="timed requests of each feed (default 9)")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    try:
        results = bench(args.champions, args.runs)
    finally:
        if not args.keep:
            dropdb()
    report(results, args.runs)


def dropdb():
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DATABASE], check=False)


def bench(champions, runs):
    var_dir = tempfile.mkdtemp(prefix="gc-bench-calendar-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "testserver,127.0.0.1",
        "DATABASE_URL": SERVER + DATABASE,
        "CACHE_URL": "locmemcache://",
        # Production names a broker and a mail server; this process queues and sends nothing (any
        # email would be a file under VAR_DIR/mail).
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/3",
        "EMAIL_URL": "filemail://",
        "VAR_DIR": var_dir,
        "LOG_LEVEL": "WARNING",
        "SECURE_SSL_REDIRECT": "false",
        "SITE_URL": "https://gc.example.org",
    }
    dropdb()
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DATABASE], check=True)
    manage = [sys.executable, "manage.py"]
    print(f"== {champions} champions: migrate and seed", flush=True)
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=BASE_DIR, env=env, check=True)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], cwd=BASE_DIR, env=env, check=True)
    seed = [*manage, "seed_demo", "--champions", str(champions), "--events-per-commitment", "0"]
    subprocess.run(seed, cwd=BASE_DIR, env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-d", DATABASE, "-c", "VACUUM ANALYZE"],
        check=True,
    )
    print(f"== {champions} champions: request the feeds ({runs} runs each)", flush=True)
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(runs)], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"The feeds could not be measured:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(results, runs):
    *feeds, totals = results
    print(f"\n{totals['commitments']:,} commitments in the database; {runs} timed requests of each feed.\n")
    print("| feed | events | size | queries | median | fastest / slowest | target |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for feed in feeds:
        target = ""
        if feed["feed"].startswith("office") and feed["events"] >= TARGET_COMMITMENTS:
            met = "met" if feed["median_s"] <= TARGET_SECONDS else "MISSED"
            target = f"at most {TARGET_SECONDS:g} s: {met}"
        print(
            f"| {feed['feed']} | {feed['events']:,} | {feed['kib']:,} KiB | {feed['queries']} "
            f"| {feed['median_s']} s | {feed['min_s']} / {feed['max_s']} s | {target} |"
        )


if __name__ == "__main__":
    main()
