"""The deployment's environment, as the units get it: the process's own, then the env file.

Shared by deploy/backup, deploy/restore and deploy/stack (Python's standard library only).
"""

import os
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

APP_DIR = Path(__file__).resolve().parent.parent


def read_env_file(path):
    """KEY=value lines as systemd's EnvironmentFile reads them (comments, blank lines, quotes)."""
    values = {}
    for raw in Path(path).read_text().splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise ValueError(f"{path}: not KEY=value: {raw!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def environment(env_file=None):
    """os.environ with the env file's values over it (the file is what the processes run with)."""
    env = dict(os.environ)
    if env_file:
        env.update(read_env_file(env_file))
    return env


def libpq_url(database_url):
    """DATABASE_URL (django-environ's spellings) as a URL pg_dump, pg_restore and psql take, without
    its password: a command line is readable by every local user (`ps`); the password goes in the
    environment instead (libpq_environ)."""
    scheme, sep, rest = database_url.partition("://")
    if not sep or scheme not in {"postgres", "postgresql", "pgsql", "psql"}:
        raise SystemExit(
            f"DATABASE_URL must be a PostgreSQL URL (postgres://...), not {scheme or database_url!r}"
        )
    parts = urlsplit(f"postgresql://{rest}")
    netloc = parts.hostname or ""
    if ":" in netloc:  # an IPv6 address
        netloc = f"[{netloc}]"
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    if parts.username:
        netloc = f"{quote(unquote(parts.username), safe='')}@{netloc}"
    return urlunsplit(parts._replace(netloc=netloc))


def libpq_environ(database_url, base=None):
    """The environment for pg_dump, pg_restore and psql: `base` (os.environ) with the URL's password
    as PGPASSWORD, which libpq reads and which only this user and root can see."""
    env = dict(os.environ if base is None else base)
    password = urlsplit(database_url).password
    if password:
        env["PGPASSWORD"] = unquote(password)
    return env


def media_root(env):
    """MEDIA_ROOT as settings computes it."""
    var_dir = env.get("VAR_DIR") or str(APP_DIR / "var")
    return Path(env.get("MEDIA_ROOT") or Path(var_dir) / "media")


def app_python():
    """The app's interpreter: its virtualenv's, else this one."""
    venv = APP_DIR / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else os.environ.get("PYTHON", "python3")
