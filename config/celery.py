import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def make_folders(sender, **kwargs):
    """The filesystem broker's folders, before the worker, beat or a publisher first uses them."""
    from config.folders import make_folders

    make_folders()
