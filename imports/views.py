"""Watching a background import: its page, the progress fragment htmx polls, and the result workbook."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.module_loading import import_string
from django.views.decorators.http import require_GET

from core.exceptions import DomainError, NotFound

from . import jobs
from .workbooks import XLSX_CONTENT_TYPE

# kind -> (function(content, report) -> annotated workbook, URL name of the confirmation, where to go next)
KINDS = {
    "member_import": (
        "people.member_import.result_workbook_from_job",
        "people:member_import_confirm",
        "people:members",
    ),
}
FAILED_ROWS_SHOWN = 200


def _job_or_404(request, pk: int):
    try:
        return jobs.job_get_for_user(request.user, pk)
    except NotFound:
        raise Http404("未找到该导入任务，或它不是您发起的。") from None


def job_context(job) -> dict:
    report = job.report or {}
    failed = report.get("failed", [])
    _, confirm_url, next_url = KINDS[job.kind]
    return {
        "job": job,
        "report": report if job.finished else None,
        "failed_rows": failed[:FAILED_ROWS_SHOWN],
        "failed_more": max(len(failed) - FAILED_ROWS_SHOWN, 0),
        "confirm_url": confirm_url,
        "next_url": next_url,
    }


@login_required
@require_GET
def job_page(request, pk: int):
    return render(request, "imports/job.html", job_context(_job_or_404(request, pk)))


@login_required
@require_GET
def job_status(request, pk: int):
    """htmx polls this every second until the job has finished."""
    return render(request, "imports/partials/job_status.html", job_context(_job_or_404(request, pk)))


@login_required
@require_GET
def job_result(request, pk: int):
    job = _job_or_404(request, pk)
    if not job.finished or not job.report:
        raise Http404("导入尚未完成。")
    try:
        content = import_string(KINDS[job.kind][0])(jobs.load_file(job.file_token), job.report)
    except DomainError as e:
        raise Http404(e.message) from None
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    name = f"{'检查' if job.dry_run else '导入'}结果_{job.pk}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
