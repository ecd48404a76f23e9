"""The performance benchmark: seeds scale data, serves it with gunicorn, loads each page with locust.

    .venv/bin/python bench/run.py            # full size and one tenth, about 7 minutes
    .venv/bin/python bench/run.py --quick    # a small smoke run of the same steps, about a minute

For each size it creates a PostgreSQL database of its own (gc_bench_<size>, dropped and recreated),
migrates, seeds with `seed_demo`, runs VACUUM ANALYZE, counts each page's SQL and times that SQL on
its own (bench/queries.py), then serves the app with gunicorn (2 workers, DEBUG off) and loads one
page at a time with locust: one user without pause (the page's own latency), then --users users
without pause (the page under load). It prints a summary with the targets, PASS or FAIL, and always
exits 0 when the benchmark itself ran: it reports, it does not gate. Results, EXPLAIN ANALYZE plans
and logs go to bench/results/<time>/. The databases and the temporary VAR_DIR are removed at the end
unless --keep.
"""

import argparse
import csv
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime
from operator import itemgetter
from pathlib import Path

import psycopg2
from install import ensure_requirements
from queries import percentile, rerun

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
BIN = Path(sys.executable).parent
SERVER = "postgres://postgres@127.0.0.1:5432/"
HOST = "127.0.0.1"
CACHE_URL = "redis://127.0.0.1:6379/2"
# The servers queue nothing while measured; production names a broker all the same (settings).
BROKER_URL = "redis://127.0.0.1:6379/3"

# size: (champions, events per commitment) for seed_demo.
SIZES = {"full": (2000, 20), "tenth": (200, 20)}
QUICK_SIZES = {"full": (200, 2), "tenth": (20, 2)}
# The budget (issue 26, docs/performance.md), at full size: the computed dashboard's p95 under load
# at most DASHBOARD_P95_MS (cache off) and the dashboard as served at most CACHED_P95_MS (from the
# cache); the computed dashboard and the admin changelist, with one user, at most PAGE_OVER_SQL times
# their own SQL measured beside them; the CSV export of every commitment within EXPORT_MS, one user.
DASHBOARD_P95_MS = 250
CACHED_P95_MS = 30
PAGE_OVER_SQL = 2.5
# The pages judged against PAGE_OVER_SQL times their SQL alone, re-run side by side with them (sql_again).
SQL_JUDGED_PAGES = ("dashboard computed", "admin changelist")
EXPORT_MS = 400
# For reference only: how the dashboard grows from one tenth to full size.
FULL_OVER_TENTH = 1.5
# The CSV export is streamed: at full size (10 times the rows) it may hold at most this many times
# the memory it holds at one tenth. Held whole, it would need about 10 times as much.
EXPORT_MEMORY_GROWTH = 1.5
# Other processes' CPU (% of one core) above which the summary warns that figures are pessimistic.
OTHERS_WARNING = 20
# CPU time the hypervisor gave other machines during a page's run (Linux steal, % of one core) above
# which the run is repeated (up to --retries times) and the least disturbed run is reported. Why: on a
# shared machine the steal comes and goes over minutes; a run that lost half a core to it measures
# the neighbours, not the page. Every run's figures are kept in results.json ("attempts").
STOLEN_RETRY = 10
# The machine's speed (machine_speed): a Python loop of this many steps, a PostgreSQL count of this
# many generated rows.
MACHINE_LOOP = 3_000_000
MACHINE_ROWS = 1_000_000
MACHINE_RUNS = 5


def main():
    args = parse_args()
    started = time.monotonic()
    sizes = QUICK_SIZES if args.quick else SIZES
    out = BENCH_DIR / "results" / datetime.now().strftime("%Y%m%d-%H%M%S")
    out.mkdir(parents=True)
    say(f"Results, plans and logs: {out.relative_to(BASE_DIR)}")
    ensure_requirements()
    empty_cache()
    var_dir = Path(tempfile.mkdtemp(prefix="gc-bench-var-"))
    secret_key = secrets.token_urlsafe(50)
    results = {"settings": vars(args) | {"sizes": {size: sizes[size] for size in args.sizes}}, "sizes": {}}
    results["machine"] = {"start": machine_speed()}
    say(f"Machine speed: {describe_machine(results['machine']['start'])}")
    created = []
    try:
        for size in args.sizes:
            database = f"gc_bench_{size}"
            env = app_env(database, var_dir, secret_key)
            created.append(database)
            results["sizes"][size] = bench_size(size, database, sizes[size], env, args, out)
            (out / "results.json").write_text(json.dumps(results, indent=1))
    finally:
        if args.keep:
            say(f"Kept the databases {', '.join(created)} and VAR_DIR {var_dir}")
        else:
            for database in created:
                drop_database(database)
            shutil.rmtree(var_dir, ignore_errors=True)
            say(f"Dropped the databases {', '.join(created) or '(none)'} and removed VAR_DIR")
    results["machine"]["end"] = machine_speed()
    (out / "results.json").write_text(json.dumps(results, indent=1))
    elapsed = time.monotonic() - started
    summary = summarize(results, args, elapsed)
    print(summary, flush=True)
    (out / "summary.txt").write_text(summary + "\n")
    return 0


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small data and short runs: a smoke test")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark databases at the end")
    parser.add_argument("--sizes", default="full,tenth", help="which sizes, of: full, tenth")
    parser.add_argument("--users", type=int, default=4, help="simulated users under load (default 4)")
    parser.add_argument(
        "--wait", default="0,0", help="each user's pause between requests, MIN,MAX seconds (default 0,0)"
    )
    parser.add_argument("--duration", type=int, help="seconds of load per page (default 20, quick 3)")
    parser.add_argument(
        "--single-duration", type=int, help="seconds of one user per page (default 10, quick 2)"
    )
    parser.add_argument("--repeats", type=int, help="re-executions of each page's SQL (default 30, quick 3)")
    parser.add_argument(
        "--retries",
        type=int,
        default=2,
        help=f"re-runs of a page's load when the hypervisor took over {STOLEN_RETRY}%% of a core (default 2)",
    )
    args = parser.parse_args()
    args.sizes = [size.strip() for size in args.sizes.split(",") if size.strip()]
    unknown = set(args.sizes) - set(SIZES)
    if unknown:
        parser.error(f"unknown size: {', '.join(sorted(unknown))}")
    args.duration = args.duration or (3 if args.quick else 20)
    args.single_duration = args.single_duration or (2 if args.quick else 10)
    args.repeats = args.repeats or (3 if args.quick else 30)
    return args


def say(message):
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


def empty_cache():
    """Empty the benchmark's Redis database (the servers' shared cache), or stop: Redis is needed."""
    import redis

    try:
        redis.Redis.from_url(CACHE_URL, socket_connect_timeout=2).flushdb()
    except redis.RedisError as error:
        raise SystemExit(f"The benchmark caches in Redis ({CACHE_URL}): {error}") from error


def app_env(database, var_dir, secret_key):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="false",
        SECRET_KEY=secret_key,
        ALLOWED_HOSTS=HOST,
        DATABASE_URL=SERVER + database,
        VAR_DIR=str(var_dir),
        # Shared by the 2 workers, as in production; a database of Redis's own, emptied first.
        CACHE_URL=CACHE_URL,
        CELERY_BROKER_URL=BROKER_URL,
        # Nothing is emailed while measured: any email would be a file under VAR_DIR/mail.
        EMAIL_URL="filemail://",
        LOG_LEVEL="WARNING",
    )
    return env


def execute(dsn, *statements):
    """Run statements outside any transaction block (as DROP DATABASE and VACUUM need)."""
    connection = psycopg2.connect(dsn)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


def create_database(database):
    execute(
        SERVER + "postgres",
        f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)',
        f'CREATE DATABASE "{database}"',
    )


def drop_database(database):
    execute(SERVER + "postgres", f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def run(command, env, log, timeout=1800):
    """Run a command from the project folder, its output to `log`; stop the benchmark if it fails."""
    with open(log, "a") as output:
        output.write(f"$ {' '.join(map(str, command))}\n")
        output.flush()
        finished = subprocess.run(
            command, cwd=BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT, timeout=timeout
        )
    if finished.returncode != 0:
        tail = "".join(Path(log).read_text().splitlines(keepends=True)[-30:])
        raise SystemExit(f"{' '.join(map(str, command))} failed ({finished.returncode}):\n{tail}")


def machine_speed():
    """How fast this machine is now: the same fixed work in Python and in PostgreSQL, in ms of CPU
    time, the median of MACHINE_RUNS runs each. Lower is faster.

    Why: the machine kind's speed varies from day to day (another host, other tenants) by more than a
    change to the app moves a page, and within a minute by up to half (seen on 2026-12-02: the same
    loop took 143 to 245 ms of CPU time, with nothing stolen by the hypervisor); figures of two runs
    compare only at about the same speed. Why CPU time, not time on the clock: waiting for a core
    is not the machine's speed. Measured at the start and at the end of a run.
    """
    import psutil  # a dependency of locust

    python, postgres = [], []
    for _ in range(MACHINE_RUNS):
        started, total = time.process_time(), 0
        for number in range(MACHINE_LOOP):
            total += number % 7
        python.append(1000 * (time.process_time() - started))
    connection = psycopg2.connect(SERVER + "postgres")
    try:
        with connection.cursor() as cursor:
            backend = psutil.Process(connection.get_backend_pid())
            for _ in range(MACHINE_RUNS):
                before = sum(backend.cpu_times()[:2])
                cursor.execute("SELECT count(*) FROM generate_series(1, %s)", [MACHINE_ROWS])
                cursor.fetchall()
                postgres.append(1000 * (sum(backend.cpu_times()[:2]) - before))
    finally:
        connection.close()
    return {
        "python_ms": round(statistics.median(python), 1),
        "postgres_ms": round(statistics.median(postgres), 1),
    }


def describe_machine(machine):
    return (
        f"Python {machine['python_ms']:.0f} ms for {MACHINE_LOOP:,} loop steps, PostgreSQL "
        f"{machine['postgres_ms']:.0f} ms to count {MACHINE_ROWS:,} rows (CPU time; lower is faster)"
    )


def timed(label, step):
    """Run step(), say how long it took and return the seconds."""
    started = time.monotonic()
    step()
    seconds = time.monotonic() - started
    say(f"  {label}: {seconds:.1f} s")
    return seconds


def bench_size(size, database, scale, env, args, out):
    champions, events_per_commitment = scale
    say(f"{size}: {champions} champions, {events_per_commitment} events per commitment, database {database}")
    log = out / f"{size}-setup.log"
    manage = [sys.executable, "manage.py"]
    seed = [*manage, "seed_demo", "--champions", str(champions), "--events-per-commitment"]
    timings = {}
    timings["create"] = timed("create database", lambda: create_database(database))
    timings["migrate"] = timed("migrate", lambda: run([*manage, "migrate", "--noinput", "-v", "0"], env, log))
    timings["seed"] = timed("seed_demo", lambda: run([*seed, str(events_per_commitment)], env, log))
    timings["vacuum"] = timed("VACUUM ANALYZE", lambda: execute(env["DATABASE_URL"], "VACUUM ANALYZE"))
    # Each time: static files added to the project meanwhile would otherwise be missing from the
    # manifest, and every page naming them would answer 500.
    collect = [*manage, "collectstatic", "--noinput", "-v", "0"]
    timings["collectstatic"] = timed("collectstatic", lambda: run(collect, env, log))
    probe = out / f"{size}-queries.json"
    command = [sys.executable, str(BENCH_DIR / "queries.py"), str(probe), "--repeats", str(args.repeats)]
    timings["queries"] = timed(f"SQL per page, re-run {args.repeats} times", lambda: run(command, env, log))
    result = json.loads(probe.read_text())
    result["seed"] = {"champions": champions, "events_per_commitment": events_per_commitment}
    result["timings"] = timings
    write_plans(out / f"{size}-explain.txt", result)
    say(f"  rows: {result['rows']}")

    for cached in (True, False):
        # Pages marked uncached (the dashboard computed) are served with the cache off.
        server_env = env if cached else env | {"CACHE_URL": "dummycache://"}
        log = out / f"{size}-gunicorn{'' if cached else '-cache-off'}.log"
        with Server(server_env, log) as server:
            for page, figures in result["pages"].items():
                if figures["cached"] is not cached:
                    continue
                login = result["logins"][figures["who"]]
                for users, duration, key in [
                    (1, args.single_duration, "single"),
                    (args.users, args.duration, "load"),
                ]:
                    beside = key == "single" and page in SQL_JUDGED_PAGES
                    if beside:
                        figures["sql_beside"] = {"before": sql_again(env, figures, args.repeats)}
                    attempts = []
                    while True:
                        retry = f"-retry{len(attempts)}" if attempts else ""
                        prefix = out / f"{size}-{slug(page)}-{users}u{retry}"
                        attempts.append(
                            load(server, figures["path"], page, login, users, duration, args.wait, prefix)
                        )
                        say(f"  {page}, {users} user(s) for {duration} s: {describe(attempts[-1])}")
                        if attempts[-1]["stolen_cpu"] <= STOLEN_RETRY or len(attempts) > args.retries:
                            break
                        say(f"    the hypervisor took {attempts[-1]['stolen_cpu']:.0f}% of a core: run again")
                    figures[key] = min(attempts, key=itemgetter("stolen_cpu"))
                    figures[key]["attempts"] = [dict(attempt) for attempt in attempts]
                    if beside:
                        sql = figures["sql_beside"]
                        sql["after"] = sql_again(env, figures, args.repeats)
                        both = sql["before"]["totals_ms"] + sql["after"]["totals_ms"]
                        sql.update(p50_ms=percentile(both, 0.5), p95_ms=percentile(both, 0.95))
    return result


def sql_again(env, figures, repeats):
    """The page's SQL alone re-run now, beside its run with one user (no EXPLAIN).

    Why: the machine's speed moves by up to half within a minute (docs/performance.md), and the SQL
    re-run in the queries step, minutes before the page's own run, moved between runs of the same
    code by up to a third while the page itself moved by a twentieth. A page is compared with
    twice its SQL alone as measured side by side with it: just before and just after its run.
    """
    statements = [statement["sql"] for statement in figures["sql_alone"]["statements"]]
    return rerun(env["DATABASE_URL"], statements, repeats, explain=False)


def slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def write_plans(path, result):
    lines = []
    for page, figures in result["pages"].items():
        for plan in figures["sql_alone"]["explained"]:
            statement = figures["sql_alone"]["statements"][plan["statement"]]
            lines += [
                f"=== {page}: statement {plan['statement'] + 1} of {len(figures['sql_alone']['statements'])}, "
                f"p50 {statement['p50_ms']:.1f} ms",
                plan["sql"],
                "",
                plan["plan"],
                "",
            ]
    path.write_text("\n".join(lines))


class Server:
    """gunicorn with 2 workers on a free port of 127.0.0.1, stopped on the way out whatever happens."""

    def __init__(self, env, log):
        self.env, self.log = env, log

    def __enter__(self):
        with socket.socket() as probe:
            probe.bind((HOST, 0))
            port = probe.getsockname()[1]
        self.url = f"http://{HOST}:{port}"
        command = [BIN / "gunicorn", "config.wsgi", "--workers", "2", "--bind", f"{HOST}:{port}"]
        # Why: gunicorn's control socket has one default path, which another gunicorn may hold.
        command.append("--no-control-socket")
        self.output = open(self.log, "w")  # noqa: SIM115 - closed in __exit__
        self.process = subprocess.Popen(
            command, cwd=BASE_DIR, env=self.env, stdout=self.output, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                # Why shallow: the full check asks the cache, and a server with the cache off
                # (dummycache://, which keeps nothing) is reported unhealthy by it.
                with urllib.request.urlopen(f"{self.url}/healthz?shallow=1", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise SystemExit(f"gunicorn did not come up; see {self.log}")
            time.sleep(0.2)

    def pids(self):
        import psutil  # a dependency of locust

        try:
            master = psutil.Process(self.process.pid)
            return {master.pid, *(child.pid for child in master.children(recursive=True))}
        except psutil.NoSuchProcess:
            return set()

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.output.close()


def load(server, path, name, login, users, duration, wait, prefix):
    """Run locust headless on one page; the page's figures (ms, requests per second)."""
    raw = Path(f"{prefix}-raw.json")
    env = dict(os.environ)
    env.update(
        BENCH_PATH=path,
        BENCH_NAME=name,
        BENCH_EMAIL=login["email"],
        BENCH_PASSWORD=login["password"],
        BENCH_WAIT=wait,
        BENCH_RAW=str(raw),
    )
    command = [
        BIN / "locust",
        *("-f", BENCH_DIR / "locustfile.py", "--headless", "--only-summary"),
        *("-u", users, "-r", users, "-t", f"{duration}s", "--host", server.url),
        *("--csv", prefix, "--exit-code-on-error", "0", "--loglevel", "WARNING"),
    ]
    before, stolen, started = cpu_times(), stolen_seconds(), time.monotonic()
    with open(f"{prefix}-locust.log", "w") as output:
        subprocess.run(
            list(map(str, command)),
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            check=True,
        )
    cpu = cpu_split(before, cpu_times(), server.pids(), time.monotonic() - started)
    cpu["stolen"] = 100 * (stolen_seconds() - stolen) / cpu["seconds"]
    times = json.loads(raw.read_text()) if raw.exists() else []
    with open(f"{prefix}_stats.csv", newline="") as stats:
        rows = {row["Name"]: row for row in csv.DictReader(stats)}
    row = rows.get(name, {})
    handled = int(rows.get("Aggregated", {}).get("Request Count") or 0)
    failures = {
        row["Name"]: int(row["Failure Count"])
        for row in rows.values()
        if row["Name"] and int(row["Failure Count"])
    }
    return {
        "users": users,
        "seconds": duration,
        "requests": len(times),
        "p50_ms": percentile(times, 0.5),
        "p95_ms": percentile(times, 0.95),
        "max_ms": max(times, default=None),
        "rps": float(row.get("Requests/s") or 0),
        "failures": failures,
        "others_cpu": cpu["others"],
        "stolen_cpu": cpu["stolen"],
        # Per request handled in the run (sign-ins and warm-ups too: a few out of hundreds).
        "app_cpu_ms": 10 * cpu["gunicorn"] * cpu["seconds"] / handled if handled else None,
        "db_cpu_ms": 10 * cpu["postgres"] * cpu["seconds"] / handled if handled else None,
    }


def cpu_times():
    """pid: (name, CPU seconds so far) of every process."""
    import psutil  # a dependency of locust

    times = {}
    for process in psutil.process_iter(["name", "cpu_times"]):
        cpu = process.info["cpu_times"]
        if cpu is not None:
            times[process.pid] = (process.info["name"] or "", cpu.user + cpu.system)
    return times


def stolen_seconds():
    """CPU seconds the hypervisor has given to other machines while this one wanted to run (Linux
    "steal"; 0 where the platform does not say)."""
    import psutil

    return getattr(psutil.cpu_times(), "steal", 0.0)


def cpu_split(before, after, gunicorn, seconds):
    """CPU used meanwhile, in % of one core: by gunicorn, by PostgreSQL and by all other processes.

    The benchmark shares 2 cores with whatever else runs (a test suite, say): when "others" is high,
    the figures measured meanwhile are pessimistic. Locust has exited by `after`, so it is left out,
    as is this script.
    """
    used = {"gunicorn": 0.0, "postgres": 0.0, "others": 0.0}
    for pid, (name, total) in after.items():
        if pid == os.getpid():
            continue
        kind = "gunicorn" if pid in gunicorn else "postgres" if name.startswith("postgres") else "others"
        used[kind] += total - before.get(pid, (name, 0.0))[1]
    return {kind: 100 * cpu / seconds for kind, cpu in used.items()} | {"seconds": seconds}


def describe(figures):
    if not figures["requests"]:
        return f"no successful request; failures {figures['failures']}"
    text = (
        f"p50 {figures['p50_ms']:.0f} ms, p95 {figures['p95_ms']:.0f} ms, {figures['rps']:.1f} req/s, "
        f"other processes {figures['others_cpu']:.0f}% CPU, stolen {figures['stolen_cpu']:.0f}%"
    )
    return text + (f", failures {figures['failures']}" if figures["failures"] else "")


def ms(value):
    return "-" if value is None else f"{value:.0f}"


def pair(figures, first, second):
    return f"{ms(figures.get(first))}/{ms(figures.get(second))}"


def summarize(results, args, elapsed):
    lines = [
        "",
        "=" * 118,
        f"Benchmark summary{' (--quick: a smoke run, figures not meaningful)' if args.quick else ''}",
        f"gunicorn 2 workers, DEBUG off, PostgreSQL on {HOST}; locust: 1 user for {args.single_duration} s, "
        f"then {args.users} users for {args.duration} s per page, "
        + (
            "no pause between requests;"
            if args.wait == "0,0"
            else f"pauses of {args.wait} s between requests;"
        ),
        "'dashboard' is the page as the office gets it: from the cache until the data changes;",
        "'dashboard computed' is the same page with the cache off, computed on every request (as after a change);",
        "'export.csv' and 'admin changelist' read no cache; they are served with it off, as 'dashboard computed';",
        "'queries' = SQL statements per request (session and user included, BEGIN/COMMIT not);",
        f"'SQL alone' = the page's statements re-run {args.repeats} times over psycopg2, p50/p95 of their sum.",
        f"Machine speed at the start: {describe_machine(results['machine']['start'])};",
        f"at the end: {describe_machine(results['machine']['end'])}.",
        "=" * 118,
    ]
    header = (
        f"{'size':<6} {'page':<18} {'queries':>7} {'MiB':>5} {'SQL alone':>10} {'1 user':>10} "
        f"{f'{args.users} users':>10} {'req/s':>6} {'CPU/req':>9} {'requests':>8} {'failed':>6} {'others':>6} {'stolen':>6}"
    )
    lines += [header, "-" * len(header)]
    busiest = most_stolen = repeated = 0
    for size, result in results["sizes"].items():
        for page, figures in result["pages"].items():
            sql = figures["sql_alone"]
            single, under_load = figures.get("single", {}), figures.get("load", {})
            repeated += sum(len(run.get("attempts", [])) > 1 for run in (single, under_load))
            failed = sum(single.get("failures", {}).values()) + sum(under_load.get("failures", {}).values())
            others = max(single.get("others_cpu", 0), under_load.get("others_cpu", 0))
            stolen = max(single.get("stolen_cpu", 0), under_load.get("stolen_cpu", 0))
            busiest = max(busiest, others)
            most_stolen = max(most_stolen, stolen)
            lines.append(
                f"{size:<6} {page:<18} {transactionless(figures):>7} {figures.get('peak_mib', 0):>5.1f} "
                f"{pair(sql, 'p50_ms', 'p95_ms'):>10} {pair(single, 'p50_ms', 'p95_ms'):>10} "
                f"{pair(under_load, 'p50_ms', 'p95_ms'):>10} {under_load.get('rps', 0):>6.1f} "
                f"{pair(under_load, 'app_cpu_ms', 'db_cpu_ms'):>9} {under_load.get('requests', 0):>8} "
                f"{failed:>6} {others:>5.0f}% {stolen:>5.0f}%"
            )
    lines += [
        "'MiB' is the most memory Python held at once while answering the page (tracemalloc, in process).",
        "Columns 'SQL alone', '1 user' and 'N users' are p50/p95 in ms; 'CPU/req' is the CPU time (ms)",
        "gunicorn/PostgreSQL spent per request under load; 'others' is the most CPU other processes used",
        "(not gunicorn, locust or PostgreSQL) during the page's runs, in % of one core; 'stolen' is the",
        "CPU time the hypervisor gave other machines meanwhile (Linux steal), in % of one core.",
        f"A run that lost over {STOLEN_RETRY}% of a core to the hypervisor is repeated (--retries, "
        f"default 2) and the least disturbed reported; {repeated} run(s) were repeated this time "
        "(every run's figures: 'attempts' in results.json).",
    ]
    if most_stolen > OTHERS_WARNING:
        lines.append(
            f"WARNING: the hypervisor took up to {most_stolen:.0f}% of a core during the load: this machine "
            "ran slower than it would alone, and the figures are pessimistic."
        )
    if busiest > OTHERS_WARNING:
        lines.append(
            f"WARNING: other processes used up to {busiest:.0f}% of a core during the load: figures "
            "measured meanwhile are pessimistic; run again on a quiet machine."
        )
    lines.append("")
    for size, result in results["sizes"].items():
        timings = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in result["timings"].items())
        rows = ", ".join(f"{count} {what}" for what, count in result["rows"].items())
        lines.append(f"{size}: {rows}; {timings}")
    lines += slowest_statements(results)
    lines += ["", "Targets, at full size (with 1 user: judged on the median, p95 alongside):"]
    lines += [
        f"  {verdict:<4}  {text}" for verdict, text in [*targets(results), export_memory(results["sizes"])]
    ]
    lines += ["", "For reference (not targets): p95 at full size against one tenth, 4 users"]
    lines += [f"        {text}" for text in growth(results)]
    lines.append(f"\nThe run took {elapsed / 60:.1f} minutes.")
    return "\n".join(lines)


def transactionless(figures):
    """Statements other than BEGIN and COMMIT (ATOMIC_REQUESTS wraps each request in a transaction)."""
    control = {"BEGIN", "COMMIT", "ROLLBACK"}
    return sum(
        1
        for statement in figures["sql_alone"]["statements"]
        if statement["sql"].strip().upper() not in control
        and not statement["sql"].lstrip().upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    )


def slowest_statements(results):
    """The dashboard's and the admin changelist's costliest statements at the largest size measured."""
    size = "full" if "full" in results["sizes"] else next(iter(results["sizes"]), None)
    if size is None:
        return []
    lines = []
    for page in ("dashboard computed", "admin changelist"):
        statements = results["sizes"][size]["pages"][page]["sql_alone"]["statements"]
        ranked = sorted(enumerate(statements, start=1), key=lambda item: item[1]["p50_ms"], reverse=True)
        lines += ["", f"{page} at {size} size, its costliest SQL statements (p50 ms, statement number, SQL):"]
        for number, statement in ranked[:5]:
            sql = " ".join(statement["sql"].split())
            lines.append(
                f"  {statement['p50_ms']:7.1f}  #{number:<3} {sql[:160]}{'...' if len(sql) > 160 else ''}"
            )
    lines.append(f"EXPLAIN ANALYZE of each page's slowest statements: <results>/{size}-explain.txt")
    return lines


def targets(results):
    """(PASS|FAIL|SKIP, explanation) of each target at full size.

    Under load: p95 against the limit. With one user ("alone"): the median against the limit (the
    page's own SQL, re-run alone, taken at its median too), with the p95s alongside.
    """
    pages = results["sizes"].get("full", {}).get("pages", {})

    def figure(page, run, statistic):
        return pages.get(page, {}).get(run, {}).get(statistic)

    def sql(page, statistic):
        # Its SQL alone re-run beside the page's run (see sql_again); from the queries step before.
        figures = pages.get(page, {})
        value = figures.get("sql_beside", figures.get("sql_alone", {})).get(statistic)
        return times(PAGE_OVER_SQL, value)

    def beside(page):
        figures = pages.get(page, {})
        if "sql_beside" not in figures:
            return ""
        before, after = figures["sql_beside"]["before"]["p50_ms"], figures["sql_beside"]["after"]["p50_ms"]
        return (
            f"; its SQL alone {ms(figures['sql_beside']['p50_ms'])} ms beside the run "
            f"(p50 {ms(before)} just before, {ms(after)} just after; {ms(figures['sql_alone']['p50_ms'])} "
            "in the queries step)"
        )

    export_rows = pages.get("export.csv", {}).get("rows")
    # (label, (page, run, statistic judged, its limit as a function of the statistic)); a statistic of
    # None: the median is judged, the p95 shown alongside against its own limit.
    checks = [
        (
            f"dashboard computed (cache off), {results['settings']['users']} users: p95 <= {DASHBOARD_P95_MS} ms",
            ("dashboard computed", "load", "p95_ms", lambda _: DASHBOARD_P95_MS),
        ),
        (
            f"dashboard computed (cache off), 1 user: <= {PAGE_OVER_SQL} x its SQL alone",
            ("dashboard computed", "single", None, lambda statistic: sql("dashboard computed", statistic)),
        ),
        (
            f"admin changelist (cache off), 1 user: <= {PAGE_OVER_SQL} x its SQL alone",
            ("admin changelist", "single", None, lambda statistic: sql("admin changelist", statistic)),
        ),
        (
            f"export.csv of {export_rows or '?'} rows (cache off), 1 user: <= {EXPORT_MS} ms",
            ("export.csv", "single", None, lambda _: EXPORT_MS),
        ),
        (
            f"dashboard as served (cache on), {results['settings']['users']} users: p95 <= {CACHED_P95_MS} ms",
            ("dashboard", "load", "p95_ms", lambda _: CACHED_P95_MS),
        ),
    ]
    verdicts = []
    for label, (page, run, statistic, limit_of) in checks:
        judged = statistic or "p50_ms"
        value, limit = figure(page, run, judged), limit_of(judged)
        if value is None or limit is None:
            verdicts.append(("SKIP", f"{label}: not measured"))
            continue
        text = f"{value:.0f} ms against {limit:.0f} ms (ratio {value / limit:.2f})"
        if statistic is None:
            tail, tail_limit = figure(page, run, "p95_ms"), limit_of("p95_ms")
            text = f"median {text}; p95 {ms(tail)} against {ms(tail_limit)} ms"
            if run == "single":
                text += beside(page)
        verdicts.append(("PASS" if value <= limit else "FAIL", f"{label}: {text}"))
    return verdicts


def growth(results):
    """The dashboard's p95 at full size against one tenth, as served and computed (for reference)."""
    sizes = results["sizes"]
    lines = []
    for page in ("dashboard", "dashboard computed"):
        full, tenth = (
            sizes.get(size, {}).get("pages", {}).get(page, {}).get("load", {}).get("p95_ms")
            for size in ("full", "tenth")
        )
        if full is None or tenth is None:
            lines.append(f"{page}: not measured at both sizes")
        else:
            lines.append(
                f"{page}: {full:.0f} ms against {tenth:.0f} ms (ratio {full / tenth:.2f}; "
                f"it was to stay within {FULL_OVER_TENTH} x)"
            )
    return lines


def export_memory(sizes):
    """(verdict, explanation): does the streamed CSV export hold as much memory at any size?"""
    label = f"export.csv peak memory at full size <= {EXPORT_MEMORY_GROWTH} x at one tenth (10 x the rows)"
    peaks = [
        sizes[size]["pages"]["export.csv"].get("peak_mib") if size in sizes else None
        for size in ("full", "tenth")
    ]
    if None in peaks:
        return "SKIP", f"{label}: not measured"
    full, tenth = peaks
    verdict = "PASS" if full <= EXPORT_MEMORY_GROWTH * tenth else "FAIL"
    return verdict, f"{label}: {full:.1f} MiB against {tenth:.1f} MiB (ratio {full / tenth:.2f})"


def times(factor, value):
    return None if value is None else factor * value


if __name__ == "__main__":
    sys.exit(main())
