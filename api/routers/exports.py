"""Exports (issue 14, item 3): a big export answers 202 `{job_id}`; its job and its file.

Every export operation (`GET/POST /orgs/{id}/members.xlsx`, `GET /orgs/{id}/progress.xlsx`,
`GET /orgs/{id}/registration-codes.xlsx`) answers the workbook at once up to settings.EXPORT_BACKGROUND_ROWS
rows, and above it 202 `{job_id, status_url, file_url}`: the background worker writes it. Poll
`GET /exports/{job_id}` until `status` is 已完成, then download `GET /exports/{job_id}/file` (the creator
only, until `expires_at`; 404 `export_expired` afterwards).
"""

import datetime as dt
from typing import Literal

from django.http import HttpResponse, StreamingHttpResponse
from ninja import Router, Schema, Status

from api.schemas import COMMON_ERRORS, ErrorOut
from excel.workbooks import XLSX_CONTENT_TYPE
from exports import engine
from exports.models import ExportJob
from exports.views import attachment

router = Router(tags=["导出任务"])
ERRORS = {**COMMON_ERRORS, 404: ErrorOut}
XLSX = {
    "description": "Excel 工作簿（.xlsx）",
    "content": {XLSX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}},
}


class ExportAcceptedOut(Schema):
    job_id: int
    status_url: str
    file_url: str


class ExportJobOut(Schema):
    job_id: int
    kind: str
    status: Literal["排队中", "进行中", "已完成", "失败"]
    done: int  # rows written so far
    total: int  # rows expected
    error: str  # why a 失败 job failed
    filename: str
    size: int  # bytes of the finished file
    expires_at: dt.datetime | None  # the file is deleted then
    expired: bool


# An export operation: `response={**ACCEPTED, ...}, openapi_extra=EXPORT_OPENAPI` (200 workbook, 202 job).
ACCEPTED = {202: ExportAcceptedOut}
EXPORT_OPENAPI = {"responses": {"200": XLSX}}


def answer(outcome: engine.Ready | ExportJob):
    """The workbook (200) or the accepted job (202) of `engine.export_start`."""
    if isinstance(outcome, ExportJob):
        return Status(
            202,
            {
                "job_id": outcome.pk,
                "status_url": f"/api/v1/exports/{outcome.pk}",
                "file_url": f"/api/v1/exports/{outcome.pk}/file",
            },
        )
    return attachment(HttpResponse(outcome.content, content_type=XLSX_CONTENT_TYPE), outcome.filename)


@router.get("/{int:job_id}", response={200: ExportJobOut, **ERRORS}, summary="导出任务进度")
def export_job(request, job_id: int):
    """The caller's own export job (404 `job_not_found` for another's)."""
    return engine.job_out(engine.job_get_for_user(request.auth, job_id))


@router.get(
    "/{int:job_id}/file", response={**ERRORS}, openapi_extra={"responses": {"200": XLSX}}, summary="下载导出文件"
)
def export_file(request, job_id: int):
    """The finished workbook, streamed; 404 `export_not_ready` before it is finished, `export_expired` after
    it was deleted, `job_not_found` for another user's job."""
    filename, size, pieces = engine.job_file(request.auth, job_id)
    response = StreamingHttpResponse(pieces, content_type=XLSX_CONTENT_TYPE)
    response["Content-Length"] = str(size)
    return attachment(response, filename)
