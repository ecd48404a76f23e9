"""Benchmark: a morning's reminders for a whole network, delivered by the Procfile's worker.

    .venv/bin/python bench/reminders.py                 # 2,000 champions: 10,000 reminders
    .venv/bin/python bench/reminders.py --champions 200

It creates a PostgreSQL database of its own (gc_bench_reminders), migrates, seeds the champions with
`seed_demo --champions N --events-per-commitment 0`, makes every commitment approved, in progress and due
seven days from today (so each is due a "7 days left" reminder this morning), starts a real SMTP server
(aiosmtpd, in this process) and the Procfile's worker (`celery -A config worker --pool=threads
--concurrency=2`) on Redis, then runs the daily sweep task and times it until every reminder is
marked sent, counting the messages the SMTP server received; it prints the sweep's time (planning
and grouping) and the delivery's apart. Target: 10,000 reminders delivered in
at most 60 s. It reports; it does not gate.
"""

import argparse
import contextlib
import os
import shlex
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg2
from install import ensure_requirements

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
SERVER = "postgres://postgres@127.0.0.1:5432/"
DATABASE = "gc_bench_reminders"
BROKER = "redis://127.0.0.1:6379/4"
TARGET_SECONDS = 60

# Run in a Django process: dates moved, the sweep queued, then progress read until done.
PREPARE = r"""
import datetime
import django
django.setup()
from django.utils import timezone
from commitments.models import Commitment, Cycle
today = timezone.localdate()
Cycle.objects.filter(year=today.year).update(ends_on=max(today + datetime.timedelta(days=30), datetime.date(today.year, 12, 31)))
Commitment.objects.update(
    due_on=today + datetime.timedelta(days=7), last_event_on=today, approval="approved", status="in_progress"
)
print(Commitment.objects.count())
"""
SWEEP = r"""
import django
django.setup()
from reminders.tasks import sweep_reminders
sweep_reminders.delay()
"""
# Read with one connection, not a Django process a second (its start-up would take the worker's CPU).
PROGRESS = """
SELECT (SELECT count(*) FROM commitments_reminder),
       (SELECT count(*) FROM commitments_reminder WHERE state = 'sent'),
       (SELECT count(*) FROM reminders_message),
       (SELECT count(*) FROM reminders_message WHERE state = 'sent')
"""


class Inbox:
    """An aiosmtpd handler counting the messages it receives."""

    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
        return "250 OK"


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--champions", type=int, default=2000)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    ensure_requirements()
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd checks its server by connecting to it)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Why server_hostname: otherwise every connection looks its own name up (seconds, without DNS).
    smtp = Controller(inbox, hostname="127.0.0.1", port=port, server_hostname="bench.local")
    smtp.start()
    var_dir = tempfile.mkdtemp(prefix="gc-bench-reminders-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "x" * 50,
        "DATABASE_URL": SERVER + DATABASE,
        "CELERY_BROKER_URL": BROKER,
        "CACHE_URL": "locmemcache://",
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "VAR_DIR": var_dir,
        "LOG_LEVEL": "WARNING",
    }
    worker = None
    try:
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DATABASE], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DATABASE], check=True)
        manage = [sys.executable, "manage.py"]
        print(f"== {args.champions} champions: migrate and seed", flush=True)
        subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=BASE_DIR, env=env, check=True)
        seed = [*manage, "seed_demo", "--champions", str(args.champions), "--events-per-commitment", "0"]
        subprocess.run(seed, cwd=BASE_DIR, env=env, check=True, stdout=subprocess.DEVNULL)
        commitments = run_django(PREPARE, env).strip()
        subprocess.run([sys.executable, "-m", "celery", "-A", "config", "purge", "-f"], cwd=BASE_DIR, env=env,
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        procfile = (BASE_DIR / "Procfile").read_text()
        command = next(line.split(":", 1)[1] for line in procfile.splitlines() if line.startswith("worker:"))
        command = shlex.split(command.replace("exec ", "").strip())
        command[0] = str(Path(sys.executable).parent / command[0])
        print(f"== the Procfile's worker: {' '.join(command)}", flush=True)
        worker = subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        time.sleep(5)  # the worker connects to Redis
        started = time.monotonic()
        run_django(SWEEP, env)
        grouped = None
        figures_sent, last_change = 0, time.monotonic()
        with contextlib.closing(psycopg2.connect(SERVER + DATABASE)) as connection:
            connection.autocommit = True
            while True:
                with connection.cursor() as cursor:
                    cursor.execute(PROGRESS)
                    reminders, sent, messages, messages_sent = cursor.fetchone()
                figures = {"reminders": reminders, "sent": sent, "messages": messages}
                if grouped is None and messages:  # the sweep's transaction committed: delivery begins
                    grouped = time.monotonic() - started
                if reminders and sent == reminders:
                    break
                if messages and messages_sent == messages and time.monotonic() - last_change > 10:
                    # Every email went, yet reminders stay pending: a bug, not a slow machine.
                    print(f"Every email sent, but {reminders - sent} reminders left pending: {figures}")
                    break
                if sent != figures_sent:
                    figures_sent, last_change = sent, time.monotonic()
                if time.monotonic() - started > 600:
                    print("Gave up after 600 s:", figures)
                    break
                time.sleep(0.2)
        elapsed = time.monotonic() - started
        everything = figures["reminders"] and figures["sent"] == figures["reminders"]
        met = "met" if everything and elapsed <= TARGET_SECONDS else "MISSED"
        print(
            f"\n{commitments} commitments: {figures['reminders']:,} reminders in {figures['messages']:,} emails "
            f"(one per person), {'all' if everything else 'NOT all'} sent in {elapsed:.1f} s ({figures['reminders'] / elapsed:.0f} reminders/s); "
            f"the SMTP server received {inbox.count:,} emails. Target at most {TARGET_SECONDS} s: {met}.\n"
            f"Planned and grouped (the sweep) in {grouped:.1f} s; delivered in {elapsed - grouped:.1f} s "
            f"({figures['messages'] / (elapsed - grouped):.0f} emails/s)."
        )
    finally:
        if worker:
            worker.terminate()
            worker.wait(30)
        smtp.stop()
        if not args.keep:
            subprocess.run(
                ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DATABASE], check=False
            )


def run_django(code, env):
    done = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"Failed:\n{done.stderr[-3000:]}")
    return done.stdout


if __name__ == "__main__":
    main()
