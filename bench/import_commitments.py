"""Benchmark: a whole network's commitments imported from XLSX, as the admin does it.

    .venv/bin/python bench/import_commitments.py             # 2,000 champions, 10,000 rows (and 1,000)
    .venv/bin/python bench/import_commitments.py --champions 200

For each size it creates a PostgreSQL database of its own (gc_bench_import_<rows>), migrates, seeds
the champions with `seed_demo --champions N --events-per-commitment 0`, creates next year's cycle,
and writes an XLSX of five commitments per champion for it. It then imports the file through the
admin's real pages, in a Django process of its own: the upload (a dry run that shows the preview)
and the confirmation (the import itself), timing each and reading the process's peak resident
memory after each. It prints the figures with the target (dry run plus confirm at most 60 s for
10,000 rows) and exits 0 when the benchmark itself ran: it reports, it does not gate.
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
TARGET_SECONDS = 60

# Runs inside a Django process against the benchmark's database (see measure()).
MEASURE = r"""
import datetime, io, json, resource, sys, time
import django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()  # so that the test client's responses carry their template context
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from accounts.models import User
from champions.models import Champion
from commitments.models import Commitment, Cycle

year = datetime.date.today().year + 1
cycle = Cycle.for_year(year)
admin = User.objects.filter(is_superuser=True).first()
rows = tablib.Dataset(headers=["champion", "cycle", "number", "title", "description", "category", "target_kind",
                               "target_value", "counts_kind", "due_on", "status", "approval"])
kinds = [("count", 4, "meeting"), ("percentage", 50, ""), ("milestone", "", ""), ("count", 2, "training"),
         ("count", 1, "high_level_event")]
for email in Champion.objects.filter(user__isnull=False).order_by("pk").values_list("user__email", flat=True):
    for number, (kind, value, counted) in enumerate(kinds, 1):
        rows.append([email, year, number, f"Commitment {number} of {email}", "Set in a spreadsheet.", "culture",
                     kind, value, counted, f"{year}-12-31", "not_started", ""])
content = rows.export("xlsx")
client = Client()
client.force_login(admin)
figures = {"rows": len(rows), "file_kib": round(len(content) / 1024)}
figures["before_peak_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)

def step(name, call):
    # Why the resident set's peak, not tracemalloc: tracing slows Python down several times over.
    started = time.perf_counter()
    response = call()
    figures[name + "_s"] = round(time.perf_counter() - started, 2)
    figures[name + "_peak_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return response

preview = step("dry_run", lambda: client.post(reverse("admin:commitments_commitment_import"), {
    "resource": "0", "format": "1", "import_file": SimpleUploadedFile("commitments.xlsx", content)}))
assert preview.status_code == 200 and preview.context, (preview.status_code, preview.content[:2000])
result = preview.context["result"]
assert not result.has_errors() and not result.has_validation_errors(), "the file did not import cleanly"
form = preview.context["confirm_form"]
confirmed = step("confirm", lambda: client.post(reverse("admin:commitments_commitment_process_import"),
                                              {name: form[name].value() for name in form.fields}))
assert confirmed.status_code == 302, confirmed.status_code
figures["imported"] = Commitment.objects.filter(cycle=cycle).count()
figures["total_s"] = round(figures["dry_run_s"] + figures["confirm_s"], 2)
print(json.dumps(figures))
"""


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--champions", type=int, nargs="+", default=[2000, 200])
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    args = parser.parse_args()
    results = []
    for champions in args.champions:
        database = f"gc_bench_import_{champions * 5}"
        try:
            results.append(bench(champions, database))
        finally:
            if not args.keep:
                subprocess.run(
                    ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", database], check=False
                )
    report(results)


def bench(champions, database):
    var_dir = tempfile.mkdtemp(prefix="gc-bench-import-")
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
    print(f"== {champions} champions: migrate and seed", flush=True)
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=BASE_DIR, env=env, check=True)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], cwd=BASE_DIR, env=env, check=True)
    seed = [*manage, "seed_demo", "--champions", str(champions), "--events-per-commitment", "0"]
    subprocess.run(seed, cwd=BASE_DIR, env=env, check=True, stdout=subprocess.DEVNULL)
    print(f"== {champions} champions: import {champions * 5} commitments from XLSX", flush=True)
    done = subprocess.run(
        [sys.executable, "-c", MEASURE], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"The import could not be measured:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(results):
    print()
    print(
        "| rows | file | dry run | confirm | total | peak resident memory (before / dry run / confirm) | target |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for figures in results:
        met = "met" if figures["total_s"] <= TARGET_SECONDS or figures["rows"] < 10000 else "MISSED"
        target = f"at most {TARGET_SECONDS} s: {met}" if figures["rows"] >= 10000 else ""
        print(
            f"| {figures['rows']:,} | {figures['file_kib']} KiB | {figures['dry_run_s']} s | {figures['confirm_s']} s "
            f"| {figures['total_s']} s | {figures['before_peak_mib']} / {figures['dry_run_peak_mib']} / "
            f"{figures['confirm_peak_mib']} MiB | {target} |"
        )
    if len(results) == 2:
        big, small = sorted(results, key=lambda figures: -figures["rows"])
        grew = [figures["confirm_peak_mib"] - figures["before_peak_mib"] for figures in (big, small)]
        print(
            f"\nThe import's memory (peak less the process before it): {grew[0]:.0f} MiB for {big['rows']:,} rows, "
            f"{grew[1]:.0f} MiB for {small['rows']:,}."
        )


if __name__ == "__main__":
    main()
