"""Benchmark: the public pages and the API's commitments list, as the network's website reads them.

    .venv/bin/python bench/public_pages.py                      # full size: 2,000 champions, all public
    .venv/bin/python bench/public_pages.py --champions 20 --duration 3   # a smoke run

It creates a PostgreSQL database of its own (gc_bench_public), migrates, seeds the network with
`seed_demo --champions N --events-per-commitment E` (0 by default: these pages read no event), makes
every champion public (the largest pages the network can have), runs VACUUM ANALYZE and counts
each path's SQL statements with the test client (the cache emptied first). Then it serves the app
with gunicorn as bench/run.py does (2 workers, DEBUG off, the cache in Redis, emptied first; the
API's rates raised so that no request is throttled) and, for each path, requests it once (the
answer is computed and kept in the cache), then lets --users clients request it without pause for
--duration seconds. It prints p50 and p95 under load, requests per second and failures, with the
target (p95 at most 50 ms when cached, at full size). It exits 0 when the benchmark itself ran: it
reports, it does not gate.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from queries import percentile
from run import HOST, SERVER, Server, create_database, drop_database, execute, run

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
DATABASE = "gc_bench_public"
TARGET_P95_MS = 50
PATHS = [("public list", "/public/"), ("API commitments", "/api/v1/commitments/")]

# Runs inside a Django process against the benchmark's database (see count_statements()).
COUNT = r"""
import json, sys
import django
django.setup()
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
setup_test_environment()
from champions.models import Champion

client = Client()
paths = json.loads(sys.argv[1])
champion = Champion.objects.public().first()
paths.append(["public champion", champion.public_url()])
counts = {}
for name, path in paths:
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, headers={"x-forwarded-proto": "https"})
    assert response.status_code == 200, (path, response.status_code)
    counts[name] = sum(q["sql"] not in ("BEGIN", "COMMIT") for q in captured.captured_queries)
counts["public champions"] = Champion.objects.public().count()
print(json.dumps(counts))
"""


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--champions", type=int, default=2000, help="champions seeded (default 2000: full size)"
    )
    parser.add_argument("--events-per-commitment", type=int, default=0)
    parser.add_argument("--users", type=int, default=4, help="clients requesting at once (default 4)")
    parser.add_argument("--duration", type=int, default=20, help="seconds of load per path (default 20)")
    parser.add_argument(
        "--cache-url", default="redis://127.0.0.1:6379/2", help="the servers' Redis cache, emptied first"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="gc-bench-public-"))
    env = app_env(var_dir, args.cache_url)
    try:
        counts = prepare(args, env, var_dir / "setup.log")
        empty_cache(args.cache_url)
        with Server(env, var_dir / "gunicorn.log") as server:
            results = [load(server.url, name, path, args.users, args.duration) for name, path in PATHS]
    finally:
        if args.keep:
            print(f"Kept the database {DATABASE} and VAR_DIR {var_dir}")
        else:
            drop_database(DATABASE)
            shutil.rmtree(var_dir, ignore_errors=True)
    report(args, counts, results)
    return 0


def app_env(var_dir, cache_url):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="false",
        SECRET_KEY="bench-" + "x" * 50,
        ALLOWED_HOSTS=f"{HOST},testserver",
        DATABASE_URL=SERVER + DATABASE,
        VAR_DIR=str(var_dir),
        CACHE_URL=cache_url,
        # Production names a broker and a mail server; nothing is queued or sent while measured.
        CELERY_BROKER_URL="redis://127.0.0.1:6379/3",
        EMAIL_URL="filemail://",
        LOG_LEVEL="WARNING",
        # The clients all come from one address: no request is to be throttled while measured.
        API_ANONYMOUS_RATE="1000000/minute",
        API_USER_RATE="1000000/minute",
    )
    return env


def prepare(args, env, log):
    """Make, seed and analyse the database; every champion public. The statements each path runs."""
    manage = [sys.executable, "manage.py"]
    print(f"== {args.champions} champions: migrate and seed", flush=True)
    create_database(DATABASE)
    run([*manage, "migrate", "--noinput", "-v", "0"], env, log)
    run([*manage, "collectstatic", "--noinput", "-v", "0"], env, log)
    seed = [*manage, "seed_demo", "--champions", str(args.champions)]
    run([*seed, "--events-per-commitment", str(args.events_per_commitment)], env, log)
    execute(env["DATABASE_URL"], "UPDATE champions_champion SET is_public = true", "VACUUM ANALYZE")
    done = subprocess.run(
        [sys.executable, "-c", COUNT, json.dumps(PATHS)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.exit(f"The statements could not be counted:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def empty_cache(url):
    import redis

    redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()


def fetch(url):
    """(ms, status) of one GET, as from the TLS proxy in front (X-Forwarded-Proto)."""
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return 1000 * (time.perf_counter() - started), status


def load(base, name, path, users, duration):
    """One request to compute and keep the answer, then `users` clients for `duration` seconds."""
    first_ms, status = fetch(base + path)
    if status != 200:
        sys.exit(f"{path} answered {status}")
    times, failures, lock = [], [], threading.Lock()
    deadline = time.monotonic() + duration

    def client():
        while time.monotonic() < deadline:
            elapsed, status = fetch(base + path)
            with lock:
                (times if status == 200 else failures).append(elapsed if status == 200 else status)

    threads = [threading.Thread(target=client) for _ in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result = {
        "name": name,
        "path": path,
        "first_ms": first_ms,
        "requests": len(times),
        "p50_ms": percentile(times, 0.5),
        "p95_ms": percentile(times, 0.95),
        "rps": len(times) / duration,
        "failures": failures,
    }
    print(f"  {name}: p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms", flush=True)
    return result


def report(args, counts, results):
    print(
        f"\n{counts['public champions']:,} public champions; {args.users} clients without pause for "
        f"{args.duration} s per path; gunicorn 2 workers, DEBUG off, cache in Redis.\n"
    )
    print("| path | statements (computed) | first request | p50 | p95 | req/s | failures | target |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for result in results:
        met = "met" if result["p95_ms"] <= TARGET_P95_MS else "MISSED"
        target = f"p95 <= {TARGET_P95_MS} ms: {met}" + ("" if args.champions >= 2000 else " (not full size)")
        print(
            f"| {result['path']} | {counts[result['name']]} | {result['first_ms']:.0f} ms "
            f"| {result['p50_ms']:.1f} ms | {result['p95_ms']:.1f} ms | {result['rps']:.0f} "
            f"| {len(result['failures'])} | {target} |"
        )
    print(f"| a champion's page | {counts['public champion']} | | | | | | |")


if __name__ == "__main__":
    sys.exit(main())
