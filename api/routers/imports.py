"""Background imports (API.md): 202 `{job_id}`, then `GET /imports/{job_id}` until finished.

`member_people_import` is the member (branch) side of POST /orgs/{id}/people/import,
called from api/routers/cadres.py, which owns that path.
"""

from typing import Literal
from urllib.parse import quote

from django.http import HttpResponse
from ninja import Router, Schema, Status

from api.schemas import COMMON_ERRORS, ErrorOut
from imports import jobs
from imports.models import ImportJob
from imports.workbooks import XLSX_CONTENT_TYPE, result_workbook
from people import member_import

router = Router(tags=["导入任务"])


class JobAcceptedOut(Schema):
    job_id: int


class JobOut(Schema):
    job_id: int
    status: Literal["排队中", "进行中", "已完成", "失败"]
    done: int
    total: int
    dry_run: bool
    error: str  # why a 失败 job failed; rows written before the failure stay written
    report: dict | None  # once finished: the body the synchronous call would have returned


@router.get("/{int:job_id}", response={200: JobOut, **COMMON_ERRORS, 404: ErrorOut}, summary="导入任务进度")
def import_job(request, job_id: int):
    """Only the job's creator sees it (404 for anyone else)."""
    return jobs.job_out(jobs.job_get_for_user(request.auth, job_id))


def member_people_import(request, org, file, *, dry_run: bool, branch_id: int | None, format: str):
    """A branch's member template (P5-2), or a committee's into its direct subordinate branch `branch_id` (P5-1).

    Files above settings.IMPORT_BACKGROUND_ROWS rows answer 202 `{job_id}`.
    """
    branch = member_import.member_target(org=org, branch_id=branch_id, actor=request.auth)
    outcome = member_import.member_import_start(branch=branch, file=file, actor=request.auth, dry_run=dry_run)
    if isinstance(outcome, ImportJob):
        return Status(202, {"job_id": outcome.pk})
    if format == "xlsx":
        response = HttpResponse(result_workbook(outcome), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote('导入结果.xlsx')}"
        return response
    return outcome.as_dict()
