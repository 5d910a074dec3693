"""GET /orgs/{id}/progress and /orgs/{id}/progress.xlsx (API.md): the same selector as the page."""

import datetime as dt
from urllib.parse import quote

from django.http import HttpResponse
from ninja import Router, Schema

from api.schemas import COMMON_ERRORS, error_responses
from excel.workbooks import XLSX_CONTENT_TYPE
from orgs import access
from progress import exports, selectors

router = Router(tags=["进度监督"])


class ProgressRowOut(Schema):
    org_id: int
    short_name: str
    orgs: int
    orgs_complete: int
    cadre_orgs: int
    cadre_orgs_complete: int
    branches: int
    branches_complete: int
    members: int
    members_complete: int


class ProgressOut(Schema):
    as_of: dt.datetime
    self: ProgressRowOut
    rows: list[ProgressRowOut]


@router.get(
    "/{int:id}/progress",
    response={200: ProgressOut, **COMMON_ERRORS, **error_responses(404)},
    summary="录入进度（S1–S5）",
)
def org_progress(request, id: int, sort: str = "", desc: bool = False):
    """One row per direct subordinate with its whole subtree's totals; `self` is the organisation's own subtree."""
    org = access.fetch_org(request.auth, id)
    table = selectors.progress_table(org=org, sort=sort, descending=desc)
    return {"as_of": table["as_of"], "self": table["self"].as_api(), "rows": [r.as_api() for r in table["rows"]]}


@router.get(
    "/{int:id}/progress.xlsx",
    response={**COMMON_ERRORS, **error_responses(404)},
    openapi_extra={
        "responses": {
            "200": {
                "description": "Excel 工作簿（.xlsx）",
                "content": {XLSX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
    summary="录入进度 Excel",
)
def org_progress_xlsx(request, id: int, sort: str = "", desc: bool = False):
    org = access.fetch_org(request.auth, id)
    response = HttpResponse(
        exports.progress_workbook(org=org, sort=sort, descending=desc),
        content_type=XLSX_CONTENT_TYPE,
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(exports.export_filename(org))}"
    return response
