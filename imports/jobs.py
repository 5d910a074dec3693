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

from django.conf import settings
from django.utils.module_loading import import_string

from core import background
from core.exceptions import DomainError, NotFound

from . import uploads
from .kinds import IMPORTERS
from .models import ImportJob

logger = logging.getLogger(__name__)

FAILED = "导入过程中发生系统错误，已完成的部分已保存。请稍后重新上传同一文件：已导入的行会自动跳过。"
RUN_JOB = "imports.importer.run_job"  # (job, content, progress) -> report dict; imports.importer imports this module


def background_rows() -> int:
    return settings.IMPORT_BACKGROUND_ROWS


def store_file(content: bytes) -> str:
    return uploads.put(content)


def load_file(token: str) -> bytes:
    content = uploads.get(token)
    if content is None:
        raise NotFound("上传的文件已过期（保留1天），请重新上传。", code="upload_expired")
    return content


def job_start(*, kind: str, org, actor, content: bytes, total: int, dry_run: bool) -> ImportJob:
    """Record the job and queue it; with the immediate backend it has finished when this returns."""
    if kind not in IMPORTERS:
        raise ValueError(f"unknown import kind {kind!r}")
    job = ImportJob.objects.create(
        kind=kind, org=org, created_by=actor, dry_run=dry_run, total=total, file_token=store_file(content)
    )
    # Imported here: django-tasks wants the task in its own module (imports.tasks), which imports this one.
    from .tasks import run_import_job

    return background.enqueue_on_commit(run_import_job, job)


def job_run(job_id: int) -> None:
    job = background.job_claim(ImportJob, job_id)
    if job is None:
        return

    def progress(done: int, total: int) -> None:
        background.job_update(job, done=done, total=total)

    try:
        content = load_file(job.file_token)
        report = import_string(RUN_JOB)(job, content, progress)
    except DomainError as e:
        background.job_finish(job, ImportJob.Status.FAILED, error=e.message)
    except Exception:
        logger.exception("import job %s failed", job.pk)
        background.job_finish(job, ImportJob.Status.FAILED, error=FAILED)
        raise
    else:
        done = len(report.get("rows", [])) or job.total
        background.job_finish(job, ImportJob.Status.DONE, report=report, done=done)


def job_get_for_user(user, job_id: int) -> ImportJob:
    return background.job_for_creator(ImportJob, user, job_id, missing="未找到该导入任务，或它不是您发起的。")


def job_out(job: ImportJob) -> dict:
    """API.md: `{status, done, total, report}`; report is the synchronous call's body once finished."""
    return {**background.job_out(job, "dry_run"), "report": job.report if job.finished else None}
