"""Imports (API.md): one answer for every importer, and background jobs (202 `{job_id}`, `GET /imports/{job_id}`).

`import_answer` is the body of every import operation (POST /orgs/{id}/people/import in api/routers/cadres.py,
POST /orgs/{id}/children/import in api/routers/org_children.py): the report of imports.importer, the result
workbook with `?format=xlsx`, or 202 `{job_id}` for a file above settings.IMPORT_BACKGROUND_ROWS rows.
"""

from typing import Literal

from ninja import Router, Schema, Status

from api.schemas import COMMON_ERRORS, ErrorOut, error_responses
from excel.workbooks import XLSX_CONTENT_TYPE, result_workbook, xlsx_response
from imports import importer, jobs
from imports.models import ImportJob
from people.members import member_target

router = Router(tags=["导入任务"])
# The import operations' 200 answer: the report as JSON, or with `?format=xlsx` the result workbook.
IMPORT_DOC = {
    "responses": {
        200: {  # the int key, as `response=` declares it: two "200" keys would break /api/v1/docs (issue 14, item 10)
            "description": "逐行结果；`?format=xlsx` 时返回结果工作簿（每行旁附结果和说明）",
            "content": {XLSX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


class JobAcceptedOut(Schema):
    job_id: int


# The query of every import operation: `query: Query[ImportQuery]` beside the uploaded `file`.
class ImportQuery(Schema):
    dry_run: bool = False  # check every row, write nothing
    format: Literal["json", "xlsx"] = "json"  # the 200 answer: the report, or the result workbook


def import_responses(report: type[Schema], *statuses: int) -> dict:
    """`response=` of an import operation: its report (200), a background job (202), a file too large (413)."""
    return {200: report, 202: JobAcceptedOut, **COMMON_ERRORS, **error_responses(404, 413, *statuses)}


class JobOut(Schema):
    job_id: int
    status: Literal["排队中", "进行中", "已完成", "失败"]
    done: int
    total: int
    dry_run: bool
    error: str  # why a 失败 job failed; rows written before the failure stay written
    report: dict | None  # once finished: the body the synchronous call would have returned


class ImportFailureOut(Schema):
    row: int
    message: str


class ImportReasonOut(Schema):
    """Every row that failed for one reason: their Excel row numbers and names, in file order."""

    message: str
    rows: list[int]
    names: list[str]


class ImportOut(Schema):
    dry_run: bool
    created: int
    would_create: int
    changed: int = 0  # rows on record whose 团内职务 the import changed (member template)
    would_change: int = 0  # a dry run: rows it would change
    skipped: int
    failed: list[ImportFailureOut]  # one entry a failed row
    failed_by_reason: list[ImportReasonOut]  # the same rows grouped by their message


class PersonRowOut(Schema):
    row: int
    status: Literal["创建", "跳过", "失败", "将创建", "变更", "将变更"]
    message: str
    name: str = ""
    id_number: str = ""
    position: str = ""


class PeopleImportOut(ImportOut):
    rows: list[PersonRowOut]


class ChildRowOut(Schema):
    row: int
    status: Literal["创建", "跳过", "失败", "将创建"]
    message: str
    short_name: str
    category: str
    full_name: str


class ChildrenImportOut(ImportOut):
    rows: list[ChildRowOut]


@router.get("/{int:job_id}", response={200: JobOut, **COMMON_ERRORS, 404: ErrorOut}, summary="导入任务进度")
def import_job(request, job_id: int):
    """Only the job's creator sees it (404 for anyone else)."""
    return jobs.job_out(jobs.job_get_for_user(request.auth, job_id))


def import_answer(request, kind: str, target, file, query: ImportQuery, *, filename: str):
    """Run importer `kind` on `file` into `target`; large files answer 202 `{job_id}`."""
    imp = importer.get(kind)
    outcome = importer.import_start(imp, target=target, actor=request.auth, file=file, dry_run=query.dry_run)
    if isinstance(outcome, ImportJob):
        return Status(202, {"job_id": outcome.pk})
    if query.format == "xlsx":
        return xlsx_response(result_workbook(outcome), filename)
    return outcome.as_dict()


def people_import_kind(request, org, branch_id: int | None):
    """(kind, target) of POST /orgs/{id}/people/import: a branch's member template (P5-2), a committee's into its
    direct subordinate branch `branch_id` (P5-1), or a committee's own 本级团干部 template (P3)."""
    if org.is_branch or branch_id is not None:
        return "member_import", member_target(org=org, branch_id=branch_id, actor=request.auth)
    return "cadre_import", org
