import os

from celery import Celery
from celery.signals import before_task_publish, setup_logging, task_postrun, task_prerun

from config.logging import current_task, request_id

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def make_folders(sender, **kwargs):
    """The filesystem broker's folders, before the worker, beat or a publisher first uses them."""
    from config.folders import make_folders

    make_folders()


@setup_logging.connect
def use_django_logging(**kwargs):
    """Workers and beat log as the web processes do (settings.LOGGING: JSON lines in production),
    instead of Celery's own format."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
    logging.captureWarnings(True)  # warnings too, as log lines (py.warnings)


@before_task_publish.connect
def carry_request_id(headers=None, **kwargs):
    """A task queued while a request (or another task) is handled carries that request's id."""
    if headers is not None and request_id.get() and "request_id" not in headers:
        headers["request_id"] = request_id.get()


@task_prerun.connect
def adopt_request_id(task_id=None, task=None, **kwargs):
    """While a task runs, its log lines carry the id of the request that queued it (see
    config/logging.py), and the tasks it queues carry it on."""
    # Run eagerly (apply(), tests), a task is in its caller's request and keeps its id.
    rid = getattr(task.request, "request_id", None) or request_id.get()
    task.request.log_context = (request_id.set(rid), current_task.set((task_id, task.name)))


@task_postrun.connect
def forget_request_id(task=None, **kwargs):
    tokens = getattr(task.request, "log_context", None)
    if tokens:
        request_id.reset(tokens[0])
        current_task.reset(tokens[1])
