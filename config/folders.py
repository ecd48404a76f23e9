"""The folders the embedded defaults keep their files in, made by the processes that use them.

Settings only name them (importing settings has no side effects). manage.py, the WSGI
application and the Celery app (worker, beat, and any process that queues a task) call
make_folders() before they need them. With PostgreSQL, Redis and SMTP configured, only the
static files' folder is made.
"""

from pathlib import Path

from django.conf import settings


def make_folders():
    folders = [Path(settings.STATIC_ROOT), Path(settings.CELERY_BEAT_SCHEDULE_FILENAME).parent]
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3" and database["NAME"] != ":memory:":
        folders.append(Path(database["NAME"]).parent)
        if database.get("TEST", {}).get("NAME"):
            folders.append(Path(database["TEST"]["NAME"]).parent)
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        folders += [Path(options[name]) for name in ("data_folder_in", "processed_folder", "control_folder")]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
