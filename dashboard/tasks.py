"""Celery tasks of the office's import: a large network file's preview and import (dashboard.ImportJob)."""

import logging

from celery import shared_task
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from commitments import network_file
from dashboard.models import PREVIEW_TIME_LIMIT, ImportJob, lost_before
from events.models import delete_file_on_commit

logger = logging.getLogger(__name__)


# Why its own limits: planning the largest file allowed (network_file.MAX_ROWS rows) takes minutes
# on a busy worker, past the minute other tasks are given.
@shared_task(soft_time_limit=15 * 60, time_limit=PREVIEW_TIME_LIMIT.total_seconds())
def preview_import(job_id):
    """Plan the job's file and keep what its preview shows. Run once at a time: the worker that
    moves the job from queued to running does it; a second delivery of the task finds it running
    and stops, unless that run started longer ago than the task may run (ImportJob.is_lost): its
    worker died, and the preview, which writes nothing, starts anew."""
    lost = Q(state=ImportJob.State.RUNNING, started_at__lt=lost_before())
    if not ImportJob.objects.filter(Q(state=ImportJob.State.QUEUED) | lost, pk=job_id).update(
        state=ImportJob.State.RUNNING, started_at=timezone.now(), rows_planned=0
    ):
        return None
    job = ImportJob.objects.get(pk=job_id)

    def progress(done, rows):
        ImportJob.objects.filter(pk=job_id).update(rows_planned=done, rows=rows)

    try:
        with job.file.open("rb") as stored:
            plan = network_file.plan(stored.read(), job.extension, progress=progress)
    except Exception:
        logger.exception("The preview of import job %s failed.", job_id)
        ImportJob.objects.filter(pk=job_id).update(state=ImportJob.State.FAILED)
        raise
    ImportJob.objects.filter(pk=job_id).update(
        state=ImportJob.State.DONE, preview=plan.summary(), rows=plan.rows, rows_planned=plan.rows
    )
    return plan.rows


@shared_task(soft_time_limit=15 * 60, time_limit=16 * 60)
def import_file(job_id):
    """Import a confirmed job's file, as it reads now, for its uploader; keep what was done, and
    delete the file. Once: the job's row is locked while it is imported, and a job imported already
    is left alone (a second delivery of the task); a worker that dies leaves it to be imported by
    the task's redelivery."""
    try:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().select_related("uploaded_by").get(pk=job_id)
            if job.state != ImportJob.State.IMPORTING:
                return None
            with job.file.open("rb") as stored:
                plan = network_file.plan(stored.read(), job.extension)
            result = network_file.apply(plan, job.uploaded_by) if plan.can_apply else None
            job.result = {
                "changed": result is not None,
                "created": result.commitments_created if result else 0,
                "updated": result.commitments_updated if result else 0,
                "unchanged": result.unchanged if result else plan.unchanged,
                "refused": len(plan.refused),
                "people": len(result.people) if result else 0,
            }
            job.state = ImportJob.State.IMPORTED
            delete_file_on_commit(job.file.storage, job.file.name)
            job.file = ""
            job.save(update_fields=["state", "result", "file"])
    except Exception:
        logger.exception("The import of import job %s failed.", job_id)
        ImportJob.objects.filter(pk=job_id).update(state=ImportJob.State.FAILED)
        raise
    return job.result["created"]
