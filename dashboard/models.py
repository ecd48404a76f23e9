"""The office's import jobs: a large network file's preview, worked out by a Celery task."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import delete_file_on_commit

# How long a preview task may run (its hard time limit: dashboard/tasks.py). A preview running
# longer was lost with its worker.
PREVIEW_TIME_LIMIT = datetime.timedelta(minutes=16)


def lost_before():
    """A preview running since before this moment has run longer than its task may: it was lost
    with its worker (ImportJob.is_lost; dashboard.tasks.preview_import takes it over)."""
    return timezone.now() - PREVIEW_TIME_LIMIT


def import_upload_to(instance, filename):
    """A random name under imports/: never the uploader's name, never guessable."""
    return f"imports/{uuid.uuid4().hex}{instance.extension}"


class ImportJob(models.Model):
    """A network file of more than IMPORT_PREVIEW_IN_REQUEST_ROWS rows, previewed and imported by
    Celery tasks (dashboard/tasks.py), too long for a request.

    The upload stores the file and queues preview_import, which plans the file (network_file.plan:
    nothing is written) and keeps what the preview shows (Plan.summary). The uploader's page
    (dashboard/imports.py) reloads itself until the preview is done, then shows it with its Import
    button; the confirmation queues import_file, which plans the file again and writes it, and the
    page reloads itself until it is imported, then says what was done. Only the uploader sees the
    job. The file goes once imported; the job, a day after it was uploaded (at the next upload).
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        IMPORTING = "importing", _("Importing")
        IMPORTED = "imported", _("Imported")
        FAILED = "failed", _("Failed")

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.CASCADE,
        related_name="import_jobs",
    )
    file = models.FileField(verbose_name=_("file"), upload_to=import_upload_to, max_length=200)
    extension = models.CharField(verbose_name=_("extension"), max_length=5)
    state = models.CharField(
        verbose_name=_("state"), max_length=10, choices=State.choices, default=State.QUEUED
    )
    rows = models.PositiveIntegerField(verbose_name=_("rows"), default=0)
    rows_planned = models.PositiveIntegerField(verbose_name=_("rows planned"), default=0)
    preview = models.JSONField(verbose_name=_("preview"), null=True, blank=True)
    result = models.JSONField(verbose_name=_("result"), null=True, blank=True)
    started_at = models.DateTimeField(verbose_name=_("preview started at"), null=True, blank=True)
    submission_key = models.UUIDField(
        verbose_name=_("submission key"), null=True, blank=True, unique=True, editable=False
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.uploaded_by}: {self.get_state_display()}"

    @property
    def is_working(self):
        """A task has the job in hand: its page reloads itself until it is done."""
        return (
            self.state in (self.State.QUEUED, self.State.RUNNING, self.State.IMPORTING) and not self.is_lost
        )

    @property
    def is_lost(self):
        """Its preview has run longer than its task may (PREVIEW_TIME_LIMIT): the worker running it
        died (a restart, a crash). Its page says so and stops waiting; the task, delivered again
        (CELERY_TASK_ACKS_LATE), starts the preview anew, as it writes nothing."""
        return (
            self.state == self.State.RUNNING
            and self.started_at is not None
            and self.started_at < lost_before()
        )

    @property
    def percent(self):
        return 100 * self.rows_planned // self.rows if self.rows else 0


@receiver(post_delete, sender=ImportJob)
def delete_import_file(sender, instance, **kwargs):
    if instance.file:
        delete_file_on_commit(instance.file.storage, instance.file.name)
