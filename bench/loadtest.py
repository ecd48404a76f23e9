"""The load test (a script, not a test): 50 users for 60 s on gunicorn and PostgreSQL, then a check
that every progress event a client was told was saved is in the database once, and nothing else.

    .venv/bin/python bench/loadtest.py [--users 50] [--duration 60] [--champions 200] [--keep]

Champions (90% of users) read their home and commitment pages and log progress, now and then
posting the same form twice; office members (10%) read the dashboard. It prints requests per
second, p50/p95/p99 and errors per request type, 5xx responses, the lost and duplicated events,
and the share of dashboard views served from the cache (the rest were computed).
It reports; it exits 0 whatever the figures, non-zero only when it could not run.
"""

import argparse
import csv
import datetime
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402 - the benchmark's database, server and logging helpers

DATABASE = "gc_load"
SERVER_ERROR = re.compile(r"answered 5\d\d")
PASSWORD = "demo-password-2026"


def main():
    args = parse_args()
    bench.ensure_requirements()
    out = bench.BENCH_DIR / "results" / f"load-{time.strftime('%Y%m%d-%H%M%S')}"
    out.mkdir(parents=True)
    bench.say(f"Results and logs: {out.relative_to(bench.BASE_DIR)}")
    with tempfile.TemporaryDirectory(prefix="gc-load-") as var_dir:
        env = bench.app_env(DATABASE, var_dir, secrets.token_urlsafe(50))
        log = out / "setup.log"
        try:
            bench.create_database(DATABASE)
            manage = [bench.BIN / "python", "manage.py"]
            bench.timed("migrate", lambda: bench.run([*manage, "migrate", "--noinput", "-v", "0"], env, log))
            seed = [*manage, "seed_demo", "--champions", str(args.champions), "--events-per-commitment", "5"]
            bench.timed("seed", lambda: bench.run(seed, env, log))
            bench.timed(
                "collectstatic",
                lambda: bench.run([*manage, "collectstatic", "--noinput", "-v", "0"], env, log),
            )
            before = load_events()
            with bench.Server(env, out / "gunicorn.log") as server:
                saved = out / "saved.txt"
                stats = run_locust(server, args, saved, out)
            report(stats, saved, before, out / "load_failures.csv", args)
            report_dashboard(out / "dashboard.json")
        finally:
            if not args.keep:
                bench.drop_database(DATABASE)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60, help="seconds under load")
    parser.add_argument("--champions", type=int, default=200, help="scaled champions to seed and sign in as")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


def run_locust(server, args, saved, out):
    env = dict(os.environ)
    env.update(
        LOAD_PASSWORD=PASSWORD,
        LOAD_CHAMPIONS=str(args.champions),
        LOAD_SAVED=str(saved),
        LOAD_DASHBOARD=str(out / "dashboard.json"),
        LOAD_DAY=datetime.date.today().isoformat(),
    )
    command = [
        bench.BIN / "locust",
        *("-f", bench.BENCH_DIR / "loadtest_locustfile.py", "--headless", "--only-summary"),
        *("-u", args.users, "-r", 10, "-t", f"{args.duration}s", "--host", server.url),
        *("--csv", out / "load", "--exit-code-on-error", "0", "--loglevel", "WARNING"),
        # Why: at the end, let each user finish the request in flight and read its answer; a user
        # stopped mid-request leaves an event the server saved but the client was never told of.
        *("--stop-timeout", 30),
    ]
    bench.say(f"Loading with {args.users} users for {args.duration} s")
    with open(out / "locust.log", "w") as output:
        subprocess.run(
            list(map(str, command)),
            cwd=bench.BENCH_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            check=True,
            timeout=args.duration + 300,
        )
    with open(out / "load_stats.csv", newline="") as stats:
        return list(csv.DictReader(stats))


def load_events():
    """Titles of the load test's events in the database, with how many times each is there."""
    connection = psycopg2.connect(bench.SERVER + DATABASE)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT title, COUNT(*) FROM events_progressevent WHERE title LIKE 'load-%%' GROUP BY title"
            )
            return dict(cursor.fetchall())
    finally:
        connection.close()


def report(stats, saved, before, failures_csv, args):
    told = set(saved.read_text().split()) if saved.exists() else set()
    stored = load_events()
    lost = told - set(stored)
    duplicated = {title for title, n in stored.items() if n > 1}
    unconfirmed = set(stored) - told - set(before)
    print()
    print(
        f"{'request':<16} {'count':>7} {'fail':>5} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>7}"
    )
    for row in stats:
        print(
            f"{row['Name'] or 'Aggregated':<16} {row['Request Count']:>7} {row['Failure Count']:>5} "
            f"{float(row['Requests/s']):>7.1f} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6} "
            f"{float(row['Max Response Time']):>7.0f}"
        )
    print(f"(ms; {args.users} users for {args.duration} s; gunicorn with 2 workers on PostgreSQL)")
    server_errors = 0
    if failures_csv.exists():
        with open(failures_csv, newline="") as rows:
            for row in csv.DictReader(rows):
                print(f"failure: {row['Method']} {row['Name']}: {row['Error']} x{row['Occurrences']}")
                if SERVER_ERROR.search(row["Error"]):
                    server_errors += int(row["Occurrences"])
    print()
    print(f"events the clients were told were saved: {len(told)}")
    print(
        f"  lost: {len(lost)}   duplicated: {len(duplicated)}   saved but never confirmed: {len(unconfirmed)}"
    )
    print(f"5xx responses: {server_errors}")
    ok = not (lost or duplicated or unconfirmed or server_errors)
    print(f"{'PASS' if ok else 'FAIL'}  zero 5xx, zero lost or duplicated events")


def report_dashboard(views_file):
    """How many dashboard views the server answered from its cache, and how many it computed."""
    views = json.loads(views_file.read_text()) if views_file.exists() else {}
    total = sum(views.values())
    hits = views.get("hit", 0)
    share = f"{100 * hits / total:.0f}%" if total else "-"
    print(
        f"dashboard views served from the cache: {hits} of {total} ({share}); computed: "
        f"{views.get('miss', 0)}"
        + (f"; without the header: {views['unsaid']}" if views.get("unsaid") else "")
    )


if __name__ == "__main__":
    main()
