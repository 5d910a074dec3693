"""Running imports in the background and watching them (API.md: 202 `{job_id}`, `GET /imports/{job_id}`).

`job_start` stores the uploaded file, records an ImportJob and enqueues
`imports.tasks.run_import_job` (django-tasks: the database backend and
`manage.py db_worker` in the embedded set-up, the immediate backend in
tests). The worker calls `job_run`, which hands the file to the importer
of the job's kind (imports.importer.run_job) and records progress, the
report and the outcome. Imports write in whole chunks, each in its own
transaction, so a worker that dies leaves complete chunks behind and the
same file uploaded again skips them.
"""

import logging
import os
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from core.exceptions import DomainError, NotFound

from . import uploads
from .kinds import IMPORTERS
from .models import ImportJob

logger = logging.getLogger(__name__)

RUN_JOB = "imports.importer.run_job"  # (job, content, progress) -> report dict; imports.importer imports this module


def background_rows() -> int:
    return settings.IMPORT_BACKGROUND_ROWS


def store_file(content: bytes) -> str:
    directory = uploads._directory()
    uploads._purge_old(directory)
    token = secrets.token_urlsafe(32)
    fd = os.open(directory / f"{token}.xlsx", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(content)
    return token


def load_file(token: str) -> bytes:
    if not uploads._TOKEN.match(token or ""):
        raise NotFound("导入文件不存在。", code="upload_expired")
    try:
        return (uploads._directory() / f"{token}.xlsx").read_bytes()
    except FileNotFoundError:
        raise NotFound("上传的文件已过期（保留1天），请重新上传。", code="upload_expired") from None


def job_start(*, kind: str, org, actor, content: bytes, total: int, dry_run: bool) -> ImportJob:
    """Record the job and queue it; with the immediate backend it has finished when this returns."""
    if kind not in IMPORTERS:
        raise ValueError(f"unknown import kind {kind!r}")
    job = ImportJob.objects.create(
        kind=kind, org=org, created_by=actor, dry_run=dry_run, total=total, file_token=store_file(content)
    )
    # Imported here: django-tasks wants the task in its own module (imports.tasks), which imports this one.
    from .tasks import run_import_job

    # The job row must be visible to the worker before it looks for it.
    transaction.on_commit(lambda: run_import_job.enqueue(job.pk))
    if transaction.get_autocommit():
        job.refresh_from_db()
    return job


def job_run(job_id: int) -> None:
    job = ImportJob.objects.filter(pk=job_id).select_related("org", "created_by").first()
    if job is None or job.finished:
        return
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, updated_at=timezone.now())

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(done=done, total=total, updated_at=timezone.now())

    try:
        content = load_file(job.file_token)
        report = import_string(RUN_JOB)(job, content, progress)
    except DomainError as e:
        _finish(job, ImportJob.Status.FAILED, error=e.message)
    except Exception:
        logger.exception("import job %s failed", job.pk)
        _finish(
            job,
            ImportJob.Status.FAILED,
            error="导入过程中发生系统错误，已完成的部分已保存。请稍后重新上传同一文件：已导入的行会自动跳过。",
        )
        raise
    else:
        _finish(job, ImportJob.Status.DONE, report=report)


def _finish(job: ImportJob, status: str, *, report: dict | None = None, error: str = "") -> None:
    fields = {"status": status, "error": error, "finished_at": timezone.now(), "updated_at": timezone.now()}
    if report is not None:
        fields["report"] = report
        fields["done"] = len(report.get("rows", [])) or job.total
    ImportJob.objects.filter(pk=job.pk).update(**fields)


def job_get_for_user(user, job_id: int) -> ImportJob:
    """The job if `user` started it; the same NotFound for missing and not yours."""
    job = ImportJob.objects.filter(pk=job_id, created_by_id=getattr(user, "pk", None)).select_related("org").first()
    if job is None:
        raise NotFound("未找到该导入任务，或它不是您发起的。", code="job_not_found")
    return job


def job_out(job: ImportJob) -> dict:
    """API.md: `{status, done, total, report}`; report is the synchronous call's body once finished."""
    return {
        "job_id": job.pk,
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "dry_run": job.dry_run,
        "error": job.error,
        "report": job.report if job.finished else None,
    }
