"""The life of a background job (core.models.BackgroundJob: imports.ImportJob, exports.ExportJob).

Its app records the job and queues it with `enqueue_on_commit`; the worker takes it with `job_claim`,
reports progress with `job_update` and the outcome with `job_finish`; the creator watches it through
`job_for_creator` and `job_out`. Every change is an UPDATE of the named fields of the job's row, so no
writer puts back a stale copy of the others.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .exceptions import NotFound

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, job):
    """Queue `task` for `job` once the job's row is committed (the worker must find it); the job as it stands
    afterwards: with the immediate task backend outside a transaction it has already run."""
    transaction.on_commit(lambda: task.enqueue(job.pk))
    if transaction.get_autocommit():
        job.refresh_from_db()
    return job


def job_claim(model, job_id: int):
    """The worker's job, now marked running; None when it is gone or has finished already."""
    job = model.objects.filter(pk=job_id).select_related("org", "created_by").first()
    if job is None or job.finished:
        return None
    job_update(job, status=model.Status.RUNNING)
    return job


def job_update(job, **fields) -> None:
    type(job).objects.filter(pk=job.pk).update(**fields, updated_at=timezone.now())


def job_finish(job, status: str, *, error: str = "", **fields) -> None:
    """The job ended with `status` (done or failed; `error` says why it failed), and whatever its kind keeps."""
    job_update(job, status=status, error=error, finished_at=timezone.now(), **fields)


def job_for_creator(model, user, job_id: int, *, missing: str):
    """The job if `user` started it; the same NotFound (`missing`) for missing and not yours."""
    job = model.objects.filter(pk=job_id, created_by_id=getattr(user, "pk", None)).select_related("org").first()
    if job is None:
        raise NotFound(missing, code="job_not_found")
    return job


def job_out(job, *fields: str) -> dict:
    """What the API shows of every job (its id, where it stands, its rows done of the total, why it failed), and
    the `fields` of its kind as they are on the job."""
    shown = ("status", "done", "total", "error", *fields)
    return {"job_id": job.pk, **{name: getattr(job, name) for name in shown}}


def resume_stale(model, task) -> int:
    """Queue again the running jobs whose worker stopped reporting (killed, or its machine lost); how many.

    A running job reports progress after every chunk it writes, so one silent for STALE_JOB_SECONDS has
    lost its worker. Imports write whole chunks, each in its own transaction, and skip the rows already
    there, so the job run again finishes the file instead of leaving it half-imported; an export starts
    its file again. The conditional UPDATE lets exactly one scheduler run take each stale job.
    """
    now = timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.STALE_JOB_SECONDS)
    stale = model.objects.filter(status=model.Status.RUNNING, updated_at__lt=cutoff)
    resumed = 0
    for pk in stale.values_list("pk", flat=True):
        if model.objects.filter(pk=pk, status=model.Status.RUNNING, updated_at__lt=cutoff).update(updated_at=now):
            logger.warning("%s %s lost its worker; queued again", model._meta.label, pk)
            task.enqueue(pk)
            resumed += 1
    return resumed
