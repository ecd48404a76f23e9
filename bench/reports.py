"""Benchmark: the annual report at the network's full size, its page and its PDFs.

    .venv/bin/python bench/reports.py                      # 2,000 champions, 20 events per commitment
    .venv/bin/python bench/reports.py --champions 2000 200 # and one tenth
    .venv/bin/python bench/reports.py --events-per-commitment 5 --runs 5 --keep

For each size it creates a PostgreSQL database of its own (gc_bench_reports_<champions>), migrates,
seeds `seed_demo --champions N --events-per-commitment E`, then the year end in bulk: for about 90%
of champions a report (most submitted on time, some late, some still drafts) with an assessment of
every approved commitment (levels near what progress proposes, narratives of a few hundred
characters), and the office's rating of most of them (a few two steps apart: "assessment differs");
the rest have no report (missing). Then `VACUUM ANALYZE`.

It measures in a Django process of its own with `DEBUG` off (the test client, signed in with
force_login): the network report page, its CSV, its PDF, the network page for one hub, the hub
meeting pack of the largest hub (page and PDF), and a champion's PDF (Jean-Pierre Lacroix's, the
seed's champion). Each is requested once to warm up (the first PDF also imports WeasyPrint and
loads the fonts: reported as "cold"), then --runs times: the median, the fastest and the slowest,
and the SQL statements per request (session and user included). It prints them against the
targets (network page 2 s, its PDF 20 s, the largest hub's pack as a PDF 10 s, a champion's PDF
2 s) and exits 0 when the benchmark itself ran: it reports, it does not gate.

The same reports as of yesterday (`?as_of=`, rebuilt from the history: reports/as_of.py) are
measured too, against today's (at most twice their time). Bulk loads write no history: seed_demo
writes the first history row of its commitments and events (demo/history.py), and the year end
here that of its reports and assessments, dated when the product would have written them.
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
TARGETS = {"network page": 2.0, "network PDF": 20.0, "hub pack PDF": 10.0, "champion PDF": 2.0}

# Runs inside a Django process against the benchmark's database: the year end, in bulk.
SEED = r"""
import random, time
import django
django.setup()
from django.db import connection, transaction
from django.utils import timezone
from accounts.models import User
from commitments.models import Commitment, Cycle
from reports.models import Assessment, DIVERGENCE_STEPS, Level, Report

started = time.monotonic()
rng = random.Random(2026)
cycle = Cycle.objects.current()
office = User.objects.get(email="office@demo.genderchampions.org")
now = timezone.now()
SENTENCES = [
    "We held the meetings planned with women staff in the field and at headquarters.",
    "Two of the trainings moved to the next quarter when the trainers were redeployed.",
    "Senior managers now review the gender balance of every panel before accepting an invitation.",
    "The task force met each quarter and agreed a workplan with the staff association.",
    "Progress was slower than planned in the duty stations affected by the liquidity crisis.",
    "Evidence of each event is attached: agendas, lists of speakers and the minutes.",
]
levels = Level.values
commitments = list(Commitment.objects.approved().filter(cycle=cycle).with_progress()
                   .values_list("pk", "champion_id", "annotated_progress").order_by("champion_id", "number"))
by_champion = {}
for pk, champion_id, progress in commitments:
    by_champion.setdefault(champion_id, []).append((pk, progress))
reports, assessments, states = [], [], {"on time": 0, "late": 0, "draft": 0, "missing": 0}
for champion_id, theirs in by_champion.items():
    draw = rng.random()
    state = "on time" if draw < 0.78 else "late" if draw < 0.88 else "draft" if draw < 0.93 else "missing"
    states[state] += 1
    if state == "missing":
        continue
    submitted = state in ("on time", "late")
    reports.append(Report(champion_id=champion_id, cycle=cycle, submitted_at=now if submitted else None,
                          late=state == "late"))
    for pk, progress in theirs:
        proposed = Level.proposed_for(progress)
        place = levels.index(proposed)
        if rng.random() > 0.75:
            place = min(max(place + rng.choice([-1, 1]), 0), 3)
        level = levels[place]
        narrative = " ".join(rng.sample(SENTENCES, rng.randint(2, 6)))
        assessment = Assessment(commitment_id=pk, level=level, proposed_level=proposed, measured_progress=progress,
                                narrative=narrative, assessed_at=now)
        if submitted and rng.random() < 0.7:
            apart = rng.choices([0, 1, 2], weights=[70, 25, 5])[0]
            office_place = place - apart if place - apart >= 0 else place + apart
            assessment.office_level = levels[min(office_place, 3)]
            assessment.rated_by, assessment.rated_at = office, now
            assessment.diverges = Level.steps_between(level, assessment.office_level) >= DIVERGENCE_STEPS
        assessments.append(assessment)
with transaction.atomic():
    Report.objects.bulk_create(reports, batch_size=1000)
    Assessment.objects.bulk_create(assessments, batch_size=1000)
print(f"year end seeded in {time.monotonic() - started:.1f} s: {len(reports)} reports ({states}), "
      f"{len(assessments)} assessments, {Assessment.objects.filter(diverges=True).count()} differing")

# The history a report as of a day is rebuilt from (reports/as_of.py): the product writes it with
# each save, but bulk loads write none. seed_demo gave its commitments and events theirs
# (demo/history.py); the year end's reports and assessments get theirs here, dated yesterday. A
# report as of yesterday then reads every commitment, report and assessment, and the events up to
# yesterday.
import datetime
from demo.history import write_first_history
started = time.monotonic()
yesterday = now - datetime.timedelta(days=1)
written = write_first_history({Report: lambda row: yesterday, Assessment: lambda row: yesterday}, now=now)
print(f"first history written in {time.monotonic() - started:.1f} s: {written}")
"""

# Runs inside a Django process against the benchmark's database (see measure()).
MEASURE = r"""
import datetime, io, json, statistics, sys, time
import django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader
from accounts.models import User
from champions.models import Champion, Hub
from commitments.models import Commitment, Cycle
from reports.models import Report
from django.utils import timezone

runs = int(sys.argv[1])
cycle = Cycle.objects.current()
office = User.objects.get(email="office@demo.genderchampions.org")
lacroix = Champion.objects.get(user__email="jean-pierre.lacroix@demo.genderchampions.org")
hub = Hub.objects.order_by("name").first()
# The hub pack of the largest hub: the most champions.
largest = Hub.objects.annotate(size=Count("champions")).order_by("-size", "name").first()
client = Client()
client.force_login(office)
# As of yesterday: the same reports rebuilt from the history (the seed dates it: see SEED).
as_of = "as_of=" + (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
pages = [
    ("network page", f"/reports/{cycle.year}/"),
    ("network page, one hub", f"/reports/{cycle.year}/?hub={hub.pk}"),
    ("network CSV", f"/reports/{cycle.year}.csv"),
    ("network PDF", f"/reports/{cycle.year}.pdf"),
    ("hub pack", f"/reports/{cycle.year}/hubs/{largest.pk}/"),
    ("hub pack PDF", f"/reports/{cycle.year}/hubs/{largest.pk}.pdf"),
    ("champion PDF", f"/reports/{cycle.year}/champions/{lacroix.pk}.pdf"),
    ("network page as of", f"/reports/{cycle.year}/?{as_of}"),
    ("network CSV as of", f"/reports/{cycle.year}.csv?{as_of}"),
    ("network PDF as of", f"/reports/{cycle.year}.pdf?{as_of}"),
    ("hub pack PDF as of", f"/reports/{cycle.year}/hubs/{largest.pk}.pdf?{as_of}"),
    ("champion PDF as of", f"/reports/{cycle.year}/champions/{lacroix.pk}.pdf?{as_of}"),
]
figures = {
    "commitments": Commitment.objects.approved().filter(cycle=cycle).count(),
    "champions": Champion.objects.count(),
    "reports submitted": Report.objects.submitted().filter(cycle=cycle).count(),
    "largest hub": f"{largest.name} ({largest.size} champions)",
    "pages": [],
}

def fetch(path):
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200, (path, response.status_code, body[:500])
    return time.perf_counter() - started, len(queries), body

for name, path in pages:
    cold, _, body = fetch(path)
    timings, counts = [], set()
    for _ in range(runs):
        seconds, count, body = fetch(path)
        timings.append(seconds)
        counts.add(count)
    pdf_pages = len(PdfReader(io.BytesIO(body)).pages) if path.endswith(".pdf") else None
    figures["pages"].append({"name": name, "path": path, "cold": cold, "median": statistics.median(timings),
                             "fastest": min(timings), "slowest": max(timings), "queries": sorted(counts),
                             "bytes": len(body), "pdf_pages": pdf_pages})
print(json.dumps(figures))
"""


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--champions", type=int, nargs="+", default=[2000])
    parser.add_argument("--events-per-commitment", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5, help="timed requests of each page (default 5)")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    args = parser.parse_args()
    results = []
    for champions in args.champions:
        database = f"gc_bench_reports_{champions}"
        try:
            results.append(bench(champions, database, args.events_per_commitment, args.runs))
        finally:
            if not args.keep:
                subprocess.run(
                    ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", database], check=False
                )
    report(results)


def bench(champions, database, events_per_commitment, runs):
    var_dir = tempfile.mkdtemp(prefix="gc-bench-reports-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "testserver,127.0.0.1",
        "DATABASE_URL": SERVER + database,
        "CACHE_URL": "locmemcache://",
        # Production names a broker and a mail server; this process queues and sends nothing (any
        # email would be a file under VAR_DIR/mail).
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/3",
        "EMAIL_URL": "filemail://",
        "VAR_DIR": var_dir,
        "LOG_LEVEL": "WARNING",
        "SECURE_SSL_REDIRECT": "false",
    }
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", database], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", database], check=True)
    manage = [sys.executable, "manage.py"]
    print(
        f"== {champions} champions: migrate, seed ({events_per_commitment} events per commitment)", flush=True
    )
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=BASE_DIR, env=env, check=True)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], cwd=BASE_DIR, env=env, check=True)
    seed = [
        *manage,
        "seed_demo",
        "--champions",
        str(champions),
        "--events-per-commitment",
        str(events_per_commitment),
    ]
    subprocess.run(seed, cwd=BASE_DIR, env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, "-c", SEED], cwd=BASE_DIR, env=env, check=True)
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", "VACUUM ANALYZE", database], check=True
    )
    print(f"== {champions} champions: measure ({runs} runs of each page)", flush=True)
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(runs)], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"The annual report could not be measured:\n{done.stderr[-3000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["size"] = champions
    return figures


def _seconds(value):
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def report(results):
    print()
    print(
        "| champions | commitments | page | median | fastest / slowest | cold | queries | PDF pages | target |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for figures in results:
        for page in figures["pages"]:
            target = TARGETS.get(page["name"])
            verdict = ""
            if target and figures["size"] >= 2000:
                verdict = f"at most {target:g} s: {'met' if page['median'] <= target else 'MISSED'}"
            queries = "/".join(str(count) for count in page["queries"])
            print(
                f"| {figures['champions']:,} | {figures['commitments']:,} | {page['name']} | {_seconds(page['median'])} "
                f"| {_seconds(page['fastest'])} / {_seconds(page['slowest'])} | {_seconds(page['cold'])} | {queries} "
                f"| {page['pdf_pages'] or ''} | {verdict} |"
            )
    for figures in results:
        print(f"{figures['champions']:,} champions: the largest hub is {figures['largest hub']}.")
    for figures in results:
        medians = {page["name"]: page["median"] for page in figures["pages"]}
        for name, median in medians.items():
            today = medians.get(name.removesuffix(" as of")) if name.endswith(" as of") else None
            if today:
                verdict = "met" if median <= 2 * today else "MISSED"
                print(
                    f"{figures['champions']:,} champions, {name}: {median / today:.2f} times today's "
                    f"(at most twice: {verdict})"
                )
    if len(results) > 1:
        counts = {page["name"]: {tuple(page["queries"])} for page in results[0]["pages"]}
        for figures in results[1:]:
            for page in figures["pages"]:
                counts[page["name"]].add(tuple(page["queries"]))
        same = all(len(sizes) == 1 for sizes in counts.values())
        print(f"\nQueries per page the same at every size: {'yes' if same else 'NO'}.")


if __name__ == "__main__":
    main()
