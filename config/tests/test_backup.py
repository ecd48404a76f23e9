"""Backups that restore: deploy/backup of a seeded database and its evidence files, deploy/restore
into an empty database and folder, then the same rows, the same files and the same dashboard.

Run as an operator would: the scripts in subprocesses, on databases of their own next to the test
database (PostgreSQL only: pg_dump and pg_restore).
"""

import json
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.conf import settings

pytestmark = pytest.mark.slow  # subprocesses: migrate, seed, backup, restore

BASE_DIR = Path(__file__).resolve().parents[2]
EVIDENCE_FILES = 6

ADD_EVIDENCE = """
import os, sys, django
django.setup()
from django.core.files.base import ContentFile
from events.models import ProgressEvent
for n, event in enumerate(ProgressEvent.objects.order_by("pk")[: int(sys.argv[1])]):
    content = b"%PDF-1.4\\n" + os.urandom(1000 * 4**n)  # 1 kB to 1 MB
    event.evidence_name = f"Evidence {n} – été.pdf"
    event.evidence_file.save(f"evidence-{n}.pdf", ContentFile(content))
"""

DASHBOARD_FIGURES = """
import json, re, django
django.setup()
from django.test import Client
from accounts.models import User
client = Client()
client.force_login(User.objects.get(email="office@demo.genderchampions.org"))
response = client.get("/dashboard/")
assert response.status_code == 200, response.status_code
html = response.content.decode()
print(json.dumps(re.findall(r'data-figure="([^"]+)"[^>]*>\\s*([^<]*?)\\s*<', html)))
"""


def server_url(name):
    db = settings.DATABASES["default"]
    credentials = quote(db["USER"] or "postgres") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def execute(statement):
    connection = psycopg2.connect(server_url("postgres"))
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


def row_counts(url):
    """Every table of the database, with its number of rows."""
    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
            tables = [name for (name,) in cursor.fetchall()]
            counts = {}
            for table in tables:
                cursor.execute(f'SELECT count(*) FROM "{table}"')
                counts[table] = cursor.fetchone()[0]
            return counts
    finally:
        connection.close()


def evidence_names(url):
    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT evidence_file FROM events_progressevent WHERE evidence_file <> '' ORDER BY 1"
            )
            return [name for (name,) in cursor.fetchall()]
    finally:
        connection.close()


def app_env(tmp_path, url, media):
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "true",
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": url,
        "MEDIA_ROOT": str(media),
        "VAR_DIR": str(tmp_path / "var"),
        "CACHE_URL": "locmemcache://",
        "CELERY_BROKER_URL": "memory://",
    }


def run(command, env, timeout=300):
    result = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{command}: {result.stdout}\n{result.stderr}"
    return result


def dashboard_figures(env):
    return dict(json.loads(run([sys.executable, "-c", DASHBOARD_FIGURES], env).stdout.splitlines()[-1]))


@pytest.fixture(scope="module")
def restored(tmp_path_factory):
    """A seeded database with evidence files, backed up, and the backup restored elsewhere."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("backups are PostgreSQL dumps: this test needs PostgreSQL")
    tmp_path = tmp_path_factory.mktemp("backup")
    prefix = settings.DATABASES["default"]["NAME"]
    source, target = f"{prefix}_backup_source", f"{prefix}_backup_target"
    for name in (source, target):
        execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        execute(f'CREATE DATABASE "{name}"')
    try:
        source_env = app_env(tmp_path, server_url(source), tmp_path / "media-source")
        run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], source_env)
        run([sys.executable, "manage.py", "seed_demo"], source_env)
        run([sys.executable, "-c", ADD_EVIDENCE, str(EVIDENCE_FILES)], source_env)
        before = row_counts(server_url(source))

        backup = run(
            [sys.executable, str(BASE_DIR / "deploy" / "backup"), "--dest", str(tmp_path / "backups")],
            source_env,
        )
        archive = Path(backup.stdout.strip().splitlines()[-1])
        figures_before = dashboard_figures(source_env)

        target_env = app_env(tmp_path, server_url(target), tmp_path / "media-target")
        restore = run([sys.executable, str(BASE_DIR / "deploy" / "restore"), str(archive)], target_env)
        after = row_counts(server_url(target))
        yield {
            "archive": archive,
            "before": before,
            "after": after,
            "restore_log": restore.stderr,
            "source": (server_url(source), tmp_path / "media-source"),
            "target": (server_url(target), tmp_path / "media-target"),
            "target_env": target_env,
            "figures_before": figures_before,
            "figures_after": dashboard_figures(target_env),
        }
    finally:
        for name in (source, target):
            execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_backup_is_one_dated_archive_of_the_dump_and_the_files(restored):
    archive = restored["archive"]
    assert re.fullmatch(r"gender-champions-\d{8}-\d{6}\.tar", archive.name)
    assert archive.stat().st_mode & 0o077 == 0  # readable by its owner only
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert "database.pgdump" in names
    assert sum(name.startswith("media/evidence/") for name in names) == EVIDENCE_FILES
    assert manifest["media_files"] == EVIDENCE_FILES


def test_every_table_has_the_same_rows_after_the_restore(restored):
    before, after = restored["before"], restored["after"]
    assert before["events_progressevent"] > 100
    assert before["commitments_commitment"] >= 100
    assert after == before


def test_the_evidence_files_come_back_byte_for_byte(restored):
    source_url, source_media = restored["source"]
    target_url, target_media = restored["target"]
    names = evidence_names(target_url)
    assert names == evidence_names(source_url)
    assert len(names) == EVIDENCE_FILES
    for name in names:
        assert (target_media / name).read_bytes() == (source_media / name).read_bytes(), name
    assert "missing" not in restored["restore_log"]


def test_the_dashboard_shows_the_same_figures(restored):
    assert len(restored["figures_before"]) >= 5
    assert restored["figures_after"] == restored["figures_before"]


def test_restore_refuses_a_database_that_is_not_empty(restored):
    result = subprocess.run(
        [sys.executable, str(BASE_DIR / "deploy" / "restore"), str(restored["archive"])],
        cwd=BASE_DIR,
        env=restored["target_env"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "The database is not empty" in result.stderr
