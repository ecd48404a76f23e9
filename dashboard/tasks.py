"""Celery task of the office's import: a large network file's preview (dashboard.ImportJob)."""

import logging

from celery import shared_task

from commitments import network_file
from dashboard.models import ImportJob

logger = logging.getLogger(__name__)


# Why its own limits: planning the largest file allowed (network_file.MAX_ROWS rows) takes minutes
# on a busy worker, past the minute other tasks are given.
@shared_task(soft_time_limit=15 * 60, time_limit=16 * 60)
def preview_import(job_id):
    """Plan the job's file and keep what its preview shows. Run once: the worker that moves the job
    from queued to running does it; a second delivery of the task finds it running and stops."""
    if not ImportJob.objects.filter(pk=job_id, state=ImportJob.State.QUEUED).update(
        state=ImportJob.State.RUNNING
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
