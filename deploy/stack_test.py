"""The stack test: the production stack (deploy/stack) under load, with parts of it killed.

    .venv/bin/python deploy/stack_test.py [--users 50] [--duration 60] [--keep]     (make stack-test)

It starts the whole stack on free ports of this machine (nginx over HTTPS, two gunicorn instances,
two Celery workers, one beat, a Redis of its own, a PostgreSQL database of its own, DEBUG off),
seeds the demo network, and checks nginx's part (HTTPS redirect, static caching, the evidence
folder unreachable, the body limit). It shows that a 10 MB evidence download does not hold an app
server while it is sent. Then 50 simulated users for 60 s through nginx: champions and focal points
sign in, read their pages, log progress (some with evidence files) and download evidence; the
office reads the dashboard and exports. Meanwhile one gunicorn instance is killed (SIGKILL) and
restarted, one worker too, a reminder sweep is queued by hand while beat's daily sweep falls due
(REMINDER_TIME is set to a minute inside the run), and Redis is restarted.

Afterwards it checks that every event a client was told was saved is in the database exactly
once (a form that got a gateway error is posted again with the same submission key), that each
reminder was sent exactly once, that both gunicorn instances show the same dashboard after the last
write (the cache is shared), that no request failed with a 5xx or a dropped connection outside the
seconds of the kills, that beat ran once, and that a request's id reaches the task it queued. It
prints its figures and exits non-zero when a check fails.

The users are in deploy/stack_users.py. Why plain threads and http.client, not locust: nothing to
install, the self-signed certificate is verified, and each request is timed with the clock the
faults are scheduled on, so every error is placed in its phase. 50 users with pauses of 0.5 to
1.5 s are well within what threads can drive.
"""

import argparse
import contextlib
import datetime
import email
import hashlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import psycopg2

DEPLOY = Path(__file__).resolve().parent
APP_DIR = DEPLOY.parent
sys.path.insert(0, str(DEPLOY))
from environment import app_python, read_env_file  # noqa: E402
from stack_users import (  # noqa: E402
    CSRF_TOKEN,
    FOCAL_POINT,
    LACROIX,
    OFFICE,
    STREAM_CUT_OFF,
    Browser,
    Ledger,
    champion,
    log_progress,
    office,
)

DATABASE = "gc_stack_test"
SERVER = "postgres://postgres@127.0.0.1:5432/"
FIGURE = re.compile(r'data-figure="([^"]+)"[^>]*>\s*([^<]*?)\s*<')
TEN_MB = 10 * 1024 * 1024  # EVIDENCE_MAX_MB's default, the largest evidence file
# Seconds after a fault's process is back within which errors still count as the fault's.
GRACE = 3


def say(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


# --- The stack ----------------------------------------------------------------------------------


class StackUnderTest:
    def __init__(self, folder, ports):
        self.dir = folder
        self.https_port, self.http_port, web_a, web_b, self.redis_port = ports
        self.web_ports = [web_a, web_b]
        self.origin = f"https://localhost:{self.https_port}"

    def run(self, *args, check=True):
        command = [sys.executable, str(DEPLOY / "stack"), *args, "--dir", str(self.dir)]
        return subprocess.run(command, cwd=APP_DIR, check=check, capture_output=True, text=True)

    def start(self, settings):
        result = self.run(
            "start",
            *("--database-url", SERVER + DATABASE, "--https-port", str(self.https_port)),
            *("--http-port", str(self.http_port), "--redis-port", str(self.redis_port)),
            *("--web-ports", ",".join(map(str, self.web_ports)), "--workers", "2"),
            *(item for key, value in settings.items() for item in ("--set", f"{key}={value}")),
            check=False,
        )
        if result.returncode:
            raise SystemExit(f"The stack did not start:\n{result.stdout}{result.stderr}")

    def env(self):
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/root"),
            "LANG": "C.UTF-8",
            **read_env_file(self.dir / "env"),
        }

    def manage(self, *args):
        return subprocess.run(
            [app_python(), "manage.py", *args],
            cwd=APP_DIR,
            env=self.env(),
            check=True,
            capture_output=True,
            text=True,
        )

    def python(self, code):
        return subprocess.run(
            [app_python(), "-c", code],
            cwd=APP_DIR,
            env={**self.env(), "DJANGO_SETTINGS_MODULE": "config.settings"},
            check=True,
            capture_output=True,
            text=True,
        )

    def celery_call(self, task):
        subprocess.run(
            [app_python(), "-m", "celery", "--app", "config", "call", task],
            cwd=APP_DIR,
            env=self.env(),
            check=True,
            capture_output=True,
        )

    def pid(self, name):
        pid_file = self.dir / "run" / f"{name}.pid"
        return int(pid_file.read_text()) if pid_file.exists() else None

    def kill(self, name):
        """SIGKILL the process and all of its group (a gunicorn master and its workers)."""
        os.killpg(self.pid(name), signal.SIGKILL)

    def log_lines(self, name):
        """The JSON lines of a process's log, as dicts (other lines skipped)."""
        lines = []
        for line in (self.dir / "log" / f"{name}.log").read_text(errors="replace").splitlines():
            if line.startswith("{"):
                with contextlib.suppress(ValueError):
                    lines.append(json.loads(line))
        return lines

    def beats_running(self):
        """How many beat processes of this stack run now (found by their environment)."""
        found = 0
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                cmdline = (proc / "cmdline").read_bytes().split(b"\0")
                if b"beat" not in cmdline:
                    continue
                if f"GC_STACK_DIR={self.dir}".encode() in (proc / "environ").read_bytes().split(b"\0"):
                    found += 1
            except OSError:
                continue
        return found


def db():
    return psycopg2.connect(SERVER + DATABASE)


def query(sql, *params, **named):
    connection = db()
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, named or params)
            return cursor.fetchall()
    finally:
        connection.close()


# --- The test -----------------------------------------------------------------------------------


class Report:
    def __init__(self):
        self.checks = []
        self.lines = []

    def check(self, name, ok, detail):
        self.checks.append((name, bool(ok), detail))
        say(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}")

    def figure(self, line):
        self.lines.append(line)
        print(line, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60, help="seconds under load")
    parser.add_argument("--keep", action="store_true", help="leave the stack's folder and database")
    args = parser.parse_args()
    for tool in ("nginx", "redis-server", "openssl", "psql"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            raise SystemExit(f"The stack test needs {tool} (make stack-test installs nginx when missing)")
    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="gc-stack-test-"))
    folder.chmod(0o755)  # nginx's workers read static and evidence files in here
    stack = StackUnderTest(folder, free_ports(5))
    report = Report()
    execute_on_server(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    try:
        # Beat's daily sweep is due at REMINDER_TIME: a minute boundary 90 to 150 s from now, time
        # enough to start, seed and check nginx; the load is then placed around it.
        beat_at = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=150)).replace(
            second=0, microsecond=0
        )
        say(f"Starting the stack in {folder} (beat's sweep due at {beat_at:%H:%M} UTC)")
        stack.start(
            {
                "REMINDER_TIME": f"{beat_at:%H:%M}",
                "TIME_ZONE": "UTC",
                # A reminder left "sending" by a killed worker is sent again after this (15 min in
                # production); short here, so the test sees it happen.
                "REMINDER_SENDING_TIMEOUT": "20",
            }
        )
        say(f"Stack up in {time.monotonic() - started:.0f} s: {stack.origin}")
        seeded = stack.manage("seed_demo", "--champions", "70", "--events-per-commitment", "3")
        say(seeded.stdout.strip().splitlines()[0])
        run_the_test(stack, args, beat_at, report)
    finally:
        say("Stopping the stack")
        stopped = stack.run("stop", check=False)
        if stopped.returncode:
            say(stopped.stderr)
        if not args.keep:
            execute_on_server(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
            shutil.rmtree(folder, ignore_errors=True)
        else:
            say(f"Kept {folder} and the database {DATABASE}")
    failed = [name for name, ok, _ in report.checks if not ok]
    say(f"Stack test took {time.monotonic() - started:.0f} s")
    if failed:
        print(f"STACK TEST FAILED: {', '.join(failed)}", flush=True)
        return 1
    print(f"STACK TEST PASSED: {len(report.checks)} checks", flush=True)
    return 0


def execute_on_server(statement):
    connection = psycopg2.connect(SERVER + "postgres")
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


def run_the_test(stack, args, beat_at, report):
    today = datetime.datetime.now(datetime.UTC).date()
    nginx_checks(stack, report)
    large_download(stack, report)
    request_id_into_task(stack, report)

    # Users and what they may log on: approved commitments of this year's cycle.
    served = {}
    for address, commitment in query(
        """SELECT u.email, c.id FROM commitments_commitment c
           JOIN commitments_cycle y ON y.id = c.cycle_id
           JOIN champions_champion ch ON ch.id = c.champion_id
           JOIN accounts_user u ON u.id = ch.user_id
           WHERE y.year = %s AND c.approval = 'approved'
           UNION ALL
           SELECT u.email, c.id FROM commitments_commitment c
           JOIN commitments_cycle y ON y.id = c.cycle_id
           JOIN champions_champion_focal_points f ON f.champion_id = c.champion_id
           JOIN accounts_user u ON u.id = f.user_id
           WHERE y.year = %s AND c.approval = 'approved'""",
        today.year,
        today.year,
    ):
        served.setdefault(address, []).append(commitment)
    champions = [LACROIX] + sorted(a for a in served if a.startswith("champion"))
    focal_points = [FOCAL_POINT] + sorted(a for a in served if a.startswith("focal0"))
    offices = max(1, args.users // 10)
    focal_count = max(1, args.users // 20)
    people = [("office", OFFICE)] * offices
    people += [("champion", focal_points[i % len(focal_points)]) for i in range(focal_count)]
    people += [("champion", champions[i % len(champions)]) for i in range(args.users - offices - focal_count)]

    # Place the load so that beat's sweep falls about halfway through it.
    load_at = beat_at.timestamp() - args.duration / 2
    wait = load_at - time.time()
    if wait > 0:
        say(f"Waiting {wait:.0f} s, so that beat's sweep falls in the middle of the load")
        time.sleep(wait)
    titles_before = {title for (title,) in query("SELECT title FROM events_progressevent")}
    records, ledger = [], Ledger()
    faults = []
    beats_seen = []
    start = time.monotonic()
    stop_at = start + args.duration
    say(f"Load: {args.users} users for {args.duration} s through nginx ({stack.origin})")
    threads = []
    for number, (kind, address) in enumerate(people):
        rng = random.Random(number)
        browser = Browser(stack, records)
        if kind == "office":
            target, arguments = office, (browser, stop_at, rng)
        else:
            target, arguments = champion, (browser, address, served[address], stop_at, rng, ledger)
        thread = threading.Thread(target=target, args=arguments, name=f"user-{number}", daemon=True)
        threads.append(thread)
        thread.start()
        time.sleep(0.1)  # 10 users a second
    chaos = threading.Thread(target=faults_during_the_load, args=(stack, start, faults), daemon=True)
    chaos.start()
    sampler_stop = threading.Event()
    sampler = threading.Thread(target=sample_beats, args=(stack, sampler_stop, beats_seen), daemon=True)
    sampler.start()
    for thread in threads:
        thread.join(timeout=args.duration + 120)
    chaos.join(timeout=120)
    ended = time.monotonic()
    say(f"Load over: each user finished the request in flight ({ended - stop_at:.1f} s after the end)")

    load = os.getloadavg()[0]
    summarize_requests(records, faults, start, ended, report, args)
    report.figure(
        f"Machine: {os.cpu_count()} cores, load average {load:.1f} at the end of the run (the stack, the "
        "load and anything else running here share them: figures are pessimistic when it exceeds the cores)"
    )
    check_events(ledger, titles_before, report)
    check_dashboards(stack, report)
    if time.time() < beat_at.timestamp() + 3:
        time.sleep(beat_at.timestamp() + 3 - time.time())
    drain_reminders(stack)
    sampler_stop.set()
    sampler.join()
    check_reminders(stack, today, report)
    check_beat(stack, beats_seen, beat_at, start, report)


def faults_during_the_load(stack, start, faults):
    """The faults, at fixed seconds into the load; each (name, from, to) in monotonic time."""

    def at(second):
        time.sleep(max(0, start + second - time.monotonic()))

    web = f"web-{stack.web_ports[0]}"
    at(12)
    began = time.monotonic()
    stack.kill(web)
    say(f"SIGKILL {web} (gunicorn master and workers)")
    time.sleep(1)  # systemd's RestartSec
    stack.run("start", web)
    faults.append(("gunicorn instance killed", began, time.monotonic()))
    say(f"{web} restarted, serving again after {time.monotonic() - began:.1f} s")

    at(22)
    began = time.monotonic()
    stack.kill("worker-1")
    say("SIGKILL worker-1")
    time.sleep(1)
    stack.run("start", "worker-1")
    faults.append(("worker killed", began, time.monotonic()))
    say(f"worker-1 restarted, ready after {time.monotonic() - began:.1f} s")

    at(32)
    began = time.monotonic()
    stack.celery_call("reminders.tasks.sweep_reminders")
    faults.append(("reminder sweep queued by hand", began, time.monotonic()))
    say("Reminder sweep queued by hand (beat's falls due about now too)")

    at(42)
    began = time.monotonic()
    stack.run("restart", "redis")
    faults.append(("Redis restarted", began, time.monotonic()))
    say(f"Redis restarted in {time.monotonic() - began:.1f} s")


def sample_beats(stack, stop, seen):
    while not stop.is_set():
        seen.append(stack.beats_running())
        stop.wait(0.5)


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0


def summarize_requests(records, faults, start, ended, report, args):
    def phase(begin, end):
        for name, fault_start, fault_end in faults:
            if name.startswith("reminder"):
                continue
            if begin <= fault_end + GRACE and end >= fault_start:
                return name
        return "steady"

    names = sorted({record[2] for record in records})
    report.figure("")
    report.figure(f"Requests through nginx over HTTPS: {args.users} users for {args.duration} s")
    report.figure(
        f"{'request':<20} {'count':>6} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'5xx':>4} {'dropped':>7}"
    )
    for name in [*names, None]:
        rows = [r for r in records if name is None or r[2] == name]
        durations = [(r[1] - r[0]) * 1000 for r in rows]
        server_errors = sum(isinstance(r[3], int) and r[3] >= 500 for r in rows)
        dropped = sum(isinstance(r[3], str) for r in rows)
        report.figure(
            f"{name or 'all':<20} {len(rows):>6} {percentile(durations, 0.5):>7.0f} "
            f"{percentile(durations, 0.95):>7.0f} {max(durations, default=0):>7.0f} {server_errors:>4} {dropped:>7}"
        )
    seconds = ended - start
    report.figure(f"{len(records)} requests in {seconds:.0f} s: {len(records) / seconds:.1f} a second")
    by_phase = {}
    for begin, end, _, status in records:
        bad = isinstance(status, str) or status >= 500
        counts = by_phase.setdefault(phase(begin, end), {"requests": 0, "errors": {}})
        counts["requests"] += 1
        if bad:
            counts["errors"][str(status)] = counts["errors"].get(str(status), 0) + 1
    report.figure("Errors (5xx, dropped connections) by phase:")
    for name, fault_start, fault_end in faults:
        report.figure(f"  {name}: at {fault_start - start:.1f} s, back after {fault_end - fault_start:.1f} s")
    for name, counts in by_phase.items():
        errors = ", ".join(f"{n} x {status}" for status, n in sorted(counts["errors"].items())) or "none"
        report.figure(f"  {name:<26} {counts['requests']:>6} requests, errors: {errors}")
    steady_errors = by_phase.get("steady", {"errors": {}})["errors"]
    client_errors = sum(isinstance(r[3], int) and 400 <= r[3] < 500 for r in records)
    report.check(
        "no 5xx outside the kills",
        not steady_errors,
        f"{sum(steady_errors.values())} outside the kills; "
        f"{sum(sum(c['errors'].values()) for p, c in by_phase.items() if p != 'steady')} during them",
    )
    # Why streamed answers apart: nginx resends a request whose answer has not begun; one whose
    # server died while streaming it (a CSV export) has had its status and first rows sent, and
    # no proxy can take them back. The browser shows a failed download, to be started again.
    killed = dict(by_phase.get("gunicorn instance killed", {"errors": {}})["errors"])
    cut_off = killed.pop(STREAM_CUT_OFF, 0)
    report.check(
        "no request lost when an app server is killed (nginx sends it to the other)",
        not killed,
        f"{sum(killed.values())} failed while it was down; "
        f"{cut_off} streamed answer(s) cut off by the kill, to be downloaded again",
    )
    report.check("no request refused (4xx)", client_errors == 0, f"{client_errors} answered 4xx")
    signed_in = sum(record[2] == "sign-in" and record[3] == 302 for record in records)
    report.check(
        "the load ran: every user signed in and went on",
        signed_in == args.users and len(records) >= args.users * 5,
        f"{signed_in} of {args.users} users signed in, {len(records)} requests",
    )


def check_events(ledger, titles_before, report):
    stored = {
        title: n
        for title, n in query(
            "SELECT title, count(*) FROM events_progressevent WHERE title LIKE 'stack-%%' GROUP BY title"
        )
        if title not in titles_before
    }
    told = set(ledger.confirmed)
    lost = told - set(stored)
    duplicated = {title for title, n in stored.items() if n > 1}
    unconfirmed = set(stored) - told
    report.figure(
        f"Events: {len(ledger.confirmed)} confirmed to clients, {sum(stored.values())} saved; "
        f"lost {len(lost)}, duplicated {len(duplicated)}, saved but never confirmed {len(unconfirmed)}; "
        f"{ledger.retried} posted again after a gateway error or a dropped connection"
    )
    report.check(
        "every confirmed event saved exactly once",
        told and not lost and not duplicated and not unconfirmed and not ledger.failed,
        f"{len(told)} confirmed, lost {len(lost)}, duplicated {len(duplicated)}, unconfirmed "
        f"{len(unconfirmed)}, refused {len(ledger.failed)}",
    )


def check_dashboards(stack, report):
    """After the last write, both gunicorn instances show the same figures (the cache is shared)."""
    office_browser = Browser(stack, [])
    office_browser.sign_in(OFFICE)

    def figures(port):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request(
            "GET",
            "/dashboard/",
            headers={
                **office_browser.headers(),
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": "127.0.0.1",
            },
        )
        response = connection.getresponse()
        html = response.read().decode(errors="replace")
        connection.close()
        return response.status, dict(FIGURE.findall(html))

    before = {port: figures(port) for port in stack.web_ports}
    writer = Browser(stack, [])
    writer.sign_in(LACROIX)
    commitment = query(
        """SELECT c.id FROM commitments_commitment c JOIN champions_champion ch ON ch.id = c.champion_id
           JOIN accounts_user u ON u.id = ch.user_id JOIN commitments_cycle y ON y.id = c.cycle_id
           WHERE u.email = %s AND c.approval = 'approved' AND y.year = %s ORDER BY c.number LIMIT 1""",
        LACROIX,
        datetime.datetime.now(datetime.UTC).year,
    )[0][0]
    title = log_progress(writer, commitment, random.Random(1), Ledger())
    after = {port: figures(port) for port in stack.web_ports}
    a, b = (after[port][1] for port in stack.web_ports)
    events_before = before[stack.web_ports[0]][1].get("events")
    report.figure(
        "Dashboard after the last write, from each gunicorn instance: "
        + "; ".join(f"{port}: events {after[port][1].get('events')}" for port in stack.web_ports)
        + f" (before it: {events_before})"
    )
    ok = (
        title
        and all(status == 200 for status, _ in after.values())
        and a == b
        and len(a) >= 5
        and int(a["events"].replace(",", "")) == int(events_before.replace(",", "")) + 1
    )
    report.check(
        "both gunicorn instances show the same dashboard after the last write",
        ok,
        f"{len(a)} figures, identical: {a == b}, events {events_before} -> {a.get('events')}",
    )


# What is still to be sent today. With grouped reminders (the reminders_message table): messages due
# by today not sent yet, and reminders due not yet put in one (a weekly reader's wait for Monday);
# before them, reminders due not sent yet.
OPEN_TODAY = {
    True: """SELECT (SELECT count(*) FROM reminders_message WHERE state IN ('pending', 'sending')
                     AND due_on <= %(today)s)
                  + (SELECT count(*) FROM commitments_reminder r WHERE state = 'pending' AND due_on <= %(today)s
                     AND NOT EXISTS (SELECT 1 FROM reminders_messageitem i WHERE i.reminder_id = r.id))""",
    False: """SELECT count(*) FROM commitments_reminder
              WHERE state IN ('pending', 'sending') AND due_on <= %(today)s""",
}


def open_today():
    grouped = query("SELECT to_regclass('reminders_message') IS NOT NULL")[0][0]
    return query(OPEN_TODAY[grouped], today=datetime.datetime.now(datetime.UTC).date())[0][0]


def drain_reminders(stack):
    """Wait until everything due today is sent (or failed for good). What a killed worker held is
    queued again by the next sweep (which also releases what was left 'sending'), as the next day's
    sweep would in production: here a sweep every 10 s until nothing is left."""
    deadline = time.monotonic() + 120
    last_sweep = time.monotonic()
    while time.monotonic() < deadline:
        left = open_today()
        if not left:
            return
        if time.monotonic() - last_sweep > 10:
            stack.celery_call("reminders.tasks.sweep_reminders")
            last_sweep = time.monotonic()
            say(f"{left} emails or reminders not sent yet: another sweep queued")
        time.sleep(1)


def read_emails(folder):
    """Each file the file-based email backend wrote (one per connection: a batch of messages): its messages."""
    deliveries = []
    for path in sorted(folder.glob("*.log")):
        messages = []
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                message = email.message_from_bytes(chunk)
                text = next(
                    (
                        part.get_payload(decode=True).decode(errors="replace")
                        for part in message.walk()
                        if part.get_content_type() == "text/plain"
                    ),
                    "",
                )
                messages.append((message["To"], message["Subject"], text))
        deliveries.append(messages)
    return deliveries


# How many emails the database says went out for reminders and digests, counted with the app's own
# rules, and the claims each took: with grouped reminders (reminders.models.Message), one email per
# person and day; before them, one per reminder and language of its recipients. A digest is one
# email per language of the office's members.
EXPECTED_EMAILS = """
import collections, datetime, json, django
django.setup()
from accounts.models import User
from reminders import models
today = datetime.date.fromisoformat("%s")
languages = len({user.email_language for user in User.objects.office_members()})
digests = models.OfficeDigest.objects.filter(state="sent").count() * languages
if hasattr(models, "Message"):
    sent = models.Message.objects.filter(state="sent")
    emails = sent.count()
else:
    from reminders.delivery import recipients
    sent = models.Reminder.objects.filter(state="sent", due_on__lte=today)
    emails = sum(len({user.email_language for user in recipients(r)}) for r in sent)
claims = collections.Counter(sent.values_list("attempts", flat=True))
print(json.dumps({"reminders": emails, "digests": digests, "claims": claims}))
"""


def check_reminders(stack, today, report):
    states = dict(
        query("SELECT state, count(*) FROM commitments_reminder WHERE due_on <= %s GROUP BY state", today)
    )
    sent = states.get("sent", 0)
    digests = query("SELECT count(*) FROM commitments_officedigest WHERE state = 'sent'")[0][0]
    messages = [message for delivery in read_emails(stack.dir / "mail") for message in delivery]
    written = len(messages) - sum("/accounts/reset/" in text for _, _, text in messages)
    expected = json.loads(stack.python(EXPECTED_EMAILS % today.isoformat()).stdout.splitlines()[-1])
    twice = len(messages) - len(set(messages))
    claims = {int(n): count for n, count in expected["claims"].items()}
    summary = ", ".join(f"{n} {state}" for state, n in sorted(states.items()))
    report.figure(
        f"Reminders due today: {sum(states.values())} ({summary}), and {digests} office digests; "
        f"{written} emails written for them ({expected['reminders']} + {expected['digests']} recorded as "
        f"sent), {twice} sent twice; claims per email: {claims}"
    )
    left = open_today()
    report.check(
        "each reminder sent exactly once",
        sent >= 50 and not left and written == expected["reminders"] + expected["digests"] and twice == 0,
        f"{sent} reminders sent in {written} emails ({expected['reminders'] + expected['digests']} recorded), "
        f"{twice} twice, {left} left to send today",
    )


def check_beat(stack, beats_seen, beat_at, start, report):
    sent = [
        line
        for line in stack.log_lines("beat")
        if "Sending due task reminder-sweep" in line.get("message", "")
    ]
    received = sum(
        "reminders.tasks.sweep_reminders" in line.get("message", "") and "received" in line.get("message", "")
        for worker in ("worker-1", "worker-2")
        for line in stack.log_lines(worker)
    )
    when = sent[0]["time"] if sent else "never"
    report.figure(
        f"Beat: {max(beats_seen, default=0)} process at most in {len(beats_seen)} samples; reminder-sweep "
        f"sent {len(sent)} time(s) (due {beat_at:%H:%M:%S} UTC, sent {when}); workers received "
        f"{received} sweeps in all (by beat, by hand, and the drain's)"
    )
    report.check(
        "beat ran once and sent the daily sweep once",
        beats_seen and max(beats_seen) == 1 and min(beats_seen) == 1 and len(sent) == 1,
        f"beat processes seen: {sorted(set(beats_seen))}, sweeps sent by beat: {len(sent)}",
    )


# --- Before the load ----------------------------------------------------------------------------


def nginx_checks(stack, report):
    """nginx's part: HTTPS redirect, static caching, the evidence folder, the body limit, health."""
    plain = http.client.HTTPConnection("127.0.0.1", stack.http_port, timeout=10)
    plain.request("GET", "/accounts/login/", headers={"Host": "localhost"})
    redirect = plain.getresponse()
    browser = Browser(stack, [])
    status, headers, page = browser.get("/accounts/login/", "sign-in form")
    hashed = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', page.decode(errors="replace"))
    static_status, static_headers, _ = browser.get(hashed[1], "static") if hashed else (None, {}, b"")
    health = browser.get("/healthz", "healthz")
    shallow = browser.get("/healthz?shallow=1", "healthz")
    # Bigger than an evidence file and its form: refused by nginx from its Content-Length alone.
    too_big = browser.connect()
    too_big.putrequest("POST", "/accounts/login/", skip_host=True)
    for name, value in {**browser.headers(), "Content-Length": str(12 * 1024 * 1024)}.items():
        too_big.putheader(name, value)
    too_big.endheaders()
    refused = too_big.getresponse()
    report.check(
        "nginx: HTTP redirected to HTTPS",
        redirect.status == 301 and redirect.headers["Location"] == f"{stack.origin}/accounts/login/",
        f"{redirect.status} to {redirect.headers['Location']}",
    )
    report.check(
        "nginx: hashed static files cached for a year",
        static_status == 200 and "immutable" in static_headers.get("Cache-Control", ""),
        f"{hashed and hashed[1]}: {static_status}, Cache-Control {static_headers.get('Cache-Control')}",
    )
    report.check(
        "nginx: request bodies capped at the upload limit",
        refused.status == 413,
        f"12 MB request answered {refused.status}",
    )
    report.check(
        "/healthz through nginx: deep and shallow",
        health[0] == 200 and health[2] == b"ok\n" and shallow[0] == 200 and headers.get("X-Request-ID"),
        f"{health[0]} {health[2]!r}, shallow {shallow[0]}, X-Request-ID {headers.get('X-Request-ID')}",
    )


def large_download(stack, report):
    """A 10 MB evidence file, downloaded by 6 slow clients at once (more than the 4 app server
    workers): the app answers each in milliseconds with X-Accel-Redirect and nginx sends the file,
    while other pages are served as usual."""
    browser = Browser(stack, [])
    browser.sign_in(LACROIX)
    commitment = query(
        """SELECT c.id FROM commitments_commitment c JOIN champions_champion ch ON ch.id = c.champion_id
           JOIN accounts_user u ON u.id = ch.user_id JOIN commitments_cycle y ON y.id = c.cycle_id
           WHERE u.email = %s AND c.approval = 'approved' AND y.year = %s ORDER BY c.number LIMIT 1""",
        LACROIX,
        datetime.datetime.now(datetime.UTC).year,
    )[0][0]
    rng = random.Random(10)
    title = log_progress(browser, commitment, rng, Ledger(), evidence_size=TEN_MB)
    [(event, stored_name)] = query(
        "SELECT id, evidence_file FROM events_progressevent WHERE title = %s", title
    )
    stored = (Path(read_env_file(stack.dir / "env")["MEDIA_ROOT"]) / stored_name).read_bytes()
    path = f"/events/{event}/evidence/"
    results = []

    def slow_download():
        connection = browser.connect()
        began = time.monotonic()
        connection.request("GET", path, headers=browser.headers())
        response = connection.getresponse()
        digest, size = hashlib.sha256(), 0
        while chunk := response.read(64 * 1024):
            digest.update(chunk)
            size += len(chunk)
            time.sleep(0.04)  # about 1.5 MB/s: a slow connection
        results.append(
            (
                response.status,
                response.headers["X-Request-ID"],
                time.monotonic() - began,
                size,
                digest.hexdigest(),
            )
        )
        connection.close()

    downloads = [threading.Thread(target=slow_download) for _ in range(6)]
    for thread in downloads:
        thread.start()
    time.sleep(1)
    pages = []
    other = Browser(stack, pages)
    while any(thread.is_alive() for thread in downloads):
        other.get("/accounts/login/", "page meanwhile")
        time.sleep(0.2)
    for thread in downloads:
        thread.join()
    app_lines = {
        line["request_id"]: line
        for port in stack.web_ports
        for line in stack.log_lines(f"web-{port}")
        if line.get("logger") == "config.request"
    }
    nginx_lines = {line["request_id"]: line for line in stack.log_lines("nginx-access")}
    expected = hashlib.sha256(stored).hexdigest()
    app_ms = [app_lines[rid]["duration_ms"] for _, rid, _, _, _ in results if rid in app_lines]
    app_bytes = [app_lines[rid]["bytes"] for _, rid, _, _, _ in results if rid in app_lines]
    nginx_s = [nginx_lines[rid]["duration"] for _, rid, _, _, _ in results if rid in nginx_lines]
    meanwhile = [(end - begin) * 1000 for begin, end, _, status in pages if status == 200]
    report.figure(
        f"10 MB evidence download, 6 slow clients at once: each took {min(r[2] for r in results):.1f}-"
        f"{max(r[2] for r in results):.1f} s through nginx ({len(stored):,} bytes, byte for byte: "
        f"{all(r[4] == expected for r in results)}); the app servers spent {min(app_ms, default=0):.0f}-"
        f"{max(app_ms, default=0):.0f} ms on each and sent {max(app_bytes, default=-1)} bytes of it; "
        f"{len(meanwhile)} pages served meanwhile, slowest {max(meanwhile, default=0):.0f} ms"
    )
    report.check(
        "a 10 MB download does not hold an app server",
        len(results) == 6
        and all(r[0] == 200 and r[3] == len(stored) and r[4] == expected for r in results)
        and len(app_ms) == 6
        and max(app_bytes) == 0
        and min(nginx_s, default=0) > 3
        and max(app_ms) / 1000 < min(nginx_s) / 4
        and meanwhile
        and max(meanwhile) < 2000,
        f"app {max(app_ms, default=0):.0f} ms and {max(app_bytes, default=-1)} bytes per download, nginx "
        f"{min(nginx_s, default=0):.1f}-{max(nginx_s, default=0):.1f} s, pages meanwhile up to "
        f"{max(meanwhile, default=0):.0f} ms",
    )
    direct = browser.get("/_evidence/" + stored_name, "evidence folder")[0]
    report.check(
        "the evidence folder is not reachable from outside", direct == 404, f"/_evidence/...: {direct}"
    )


def request_id_into_task(stack, report):
    """A password reset queues a task: the worker logs it with the id of the request that queued it."""
    browser = Browser(stack, [])
    status, _, page = browser.get("/accounts/password_reset/", "password reset form")
    token = CSRF_TOKEN.search(page.decode(errors="replace"))
    body = urlencode({"csrfmiddlewaretoken": token[1], "email": FOCAL_POINT})
    status, headers, _, _ = browser.post_until_answered("/accounts/password_reset/", "password reset", body)
    request_id = headers["X-Request-ID"] if headers else None
    deadline = time.monotonic() + 20
    lines = []
    while time.monotonic() < deadline and not lines:
        lines = [
            line
            for worker in ("worker-1", "worker-2")
            for line in stack.log_lines(worker)
            if line.get("request_id") == request_id and line.get("task_name")
        ]
        time.sleep(0.5)
    report.check(
        "a request's id is carried into the task it queued",
        status == 302 and lines,
        f"request {request_id}: {len(lines)} worker log lines with it ({lines[0]['task_name'] if lines else '-'})",
    )


if __name__ == "__main__":
    sys.exit(main())
