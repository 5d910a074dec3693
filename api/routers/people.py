"""Bulk work of SPEC §7: 查找人员 by a pasted list, 导出团员名单 of a whole subtree."""

from ninja import Router, Schema

from api.routers import exports
from api.schemas import COMMON_ERRORS, ErrorOut
from orgs import access as org_access
from people import export, search

router = Router(tags=["查找与导出"])
ERRORS = {**COMMON_ERRORS, 404: ErrorOut}


class SearchIn(Schema):
    query: str


class SearchHitOut(Schema):
    person_id: int
    name: str
    id_number: str
    branch_name: str
    complete: bool
    positions: list[str]
    matched: str
    can_reveal: bool


class SearchOut(Schema):
    items: list[SearchHitOut]
    not_found: list[str]


@router.post("/{int:org_id}/people/search", response={200: SearchOut, **ERRORS})
def people_search(request, org_id: int, payload: SearchIn):
    """Names or ID numbers separated by newlines, commas, 、, spaces or tabs; only the organisation's subtree.
    ID numbers come back masked; where `can_reveal` is true (the caller manages the record),
    `POST /orgs/{id}/people/{person_id}/reveal` shows it in full, audited."""
    org = org_access.fetch_org(request.auth, org_id)
    result = search.people_search(
        actor=request.auth, org=org, names_or_ids=payload.query, where="POST /orgs/{id}/people/search"
    )
    return {"items": [vars(hit) for hit in result.items], "not_found": result.not_found}


@router.get(
    "/{int:org_id}/members.xlsx",
    response={**exports.ACCEPTED, **ERRORS},
    openapi_extra=exports.EXPORT_OPENAPI,
    summary="导出团员名单",
)
def members_export(request, org_id: int):
    """Every member of every branch in the subtree, one sheet, ID numbers and mobiles masked (every reader).
    The full list is `POST` with a reason. Above settings.EXPORT_BACKGROUND_ROWS members: 202 `{job_id}`, the
    background worker writes it (`GET /exports/{job_id}`, then `GET /exports/{job_id}/file`); past Excel's
    1,048,575 rows a sheet the rows go on in 团员名单(2), 团员名单(3) …"""
    org = org_access.fetch_org(request.auth, org_id)
    return exports.answer(export.members_export(actor=request.auth, org=org))


class FullExportIn(Schema):
    reason: str


@router.post(
    "/{int:org_id}/members.xlsx",
    response={**exports.ACCEPTED, **ERRORS},
    openapi_extra=exports.EXPORT_OPENAPI,
    summary="导出完整团员名单",
)
def members_export_full(request, org_id: int, payload: FullExportIn):
    """导出完整团员名单: like `GET`, with ID numbers and mobiles in full in the rows of the branches the caller
    administers (P9: other rows stay masked; 403 for a caller who administers no branch in the subtree).
    `reason` (导出用途, up to 200 characters) is required (422 `reason_required`); the export is recorded in
    the audit trail with it, and the workbook carries the exporter's name, the time and the reason (a 说明
    sheet and the document properties). A big subtree: 202 `{job_id}` as for `GET`."""
    org = org_access.fetch_org(request.auth, org_id)
    return exports.answer(export.members_export(actor=request.auth, org=org, full=True, reason=payload.reason))
