"""deploy/backup and deploy/restore keep the database password off the command line, where any local
user reads it (`ps`): it reaches pg_dump, pg_restore and psql as PGPASSWORD in their environment.

Attacked as a local user would look: pg_dump and psql replaced, first on PATH, by scripts that write
down the command line they were given and the PGPASSWORD they were handed.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
PASSWORD = "s3cret p@ss/word"
DATABASE_URL = "postgres://gc_app:s3cret%20p%40ss%2Fword@db.example.internal:5433/gender_champions"

SPY = """#!{python}
import json, os, sys
with open({log!r}, "a") as log:
    log.write(json.dumps({{"argv": sys.argv, "PGPASSWORD": os.environ.get("PGPASSWORD")}}) + "\\n")
sys.exit(1)
"""


@pytest.fixture
def spied(tmp_path):
    """A PATH whose pg_dump, pg_restore and psql only write down how they were called."""
    bin_dir, log = tmp_path / "bin", tmp_path / "calls.jsonl"
    bin_dir.mkdir()
    for name in ("pg_dump", "pg_restore", "psql"):
        spy = bin_dir / name
        spy.write_text(SPY.format(python=sys.executable, log=str(log)))
        spy.chmod(0o755)
    env = {
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "DATABASE_URL": DATABASE_URL,
        "VAR_DIR": str(tmp_path / "var"),
    }
    return env, log


def _calls(log):
    return [json.loads(line) for line in log.read_text().splitlines()]


@pytest.mark.parametrize("script", ["backup", "restore"])
def test_the_password_is_in_the_environment_never_on_the_command_line(spied, tmp_path, script):
    env, log = spied
    args = ["--dest", str(tmp_path)] if script == "backup" else [str(tmp_path / "some-backup.tar")]

    subprocess.run([sys.executable, str(BASE_DIR / "deploy" / script), *args], env=env, capture_output=True)

    calls = _calls(log)
    assert calls, "the script ran no PostgreSQL client"
    for call in calls:
        command_line = " ".join(call["argv"])
        assert "s3cret" not in command_line and "%40" not in command_line
        assert "postgresql://gc_app@db.example.internal:5433/gender_champions" in command_line
        assert call["PGPASSWORD"] == PASSWORD
