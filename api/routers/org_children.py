"""Creating direct subordinates (SPEC T5–T7): one at a time, or from the Excel template.

These operations share paths with api/routers/orgs.py (GET and POST
/orgs/{id}/children), and django-ninja gives each router its own URL
patterns, so two routers on one prefix would shadow each other's methods:
the operations are therefore registered on the organisations router itself.
"""

from ninja import File, Query, Schema, Status
from ninja.files import UploadedFile

from api.routers.imports import IMPORT_DOC, ChildrenImportOut, ImportQuery, import_answer, import_responses
from api.schemas import COMMON_ERRORS, ErrorOut, error_responses, xlsx_doc
from excel.workbooks import xlsx_response
from imports import importer
from orgs import access, services

from .orgs import OrgOut, org_out, router


class ChildIn(Schema):
    short_name: str
    category: str
    full_name: str | None = None


@router.post(
    "/{int:org_id}/children",
    response={201: OrgOut, **COMMON_ERRORS, **error_responses(404, 409)},
    summary="创建直属下级组织",
)
def org_child_create(request, org_id: int, payload: ChildIn):
    """单个创建 (T6): 组织全称 defaults to the parent's 全称 + 简称. Only the organisation's own admin."""
    parent = access.fetch_org(request.auth, org_id)
    org = services.org_create_child(parent=parent, actor=request.auth, **payload.dict())
    return Status(201, org_out(org, request.auth))


@router.get(
    "/{int:org_id}/children/template",
    response={**COMMON_ERRORS, 404: ErrorOut},
    openapi_extra=xlsx_doc(),
    summary="下载批量创建下级组织模板",
)
def org_children_template(request, org_id: int):
    parent = access.fetch_org(request.auth, org_id)
    imp = importer.get("children_import")
    return xlsx_response(importer.template_bytes(imp, parent, actor=request.auth), f"{imp.title}.xlsx")


@router.post(
    "/{int:org_id}/children/import",
    response=import_responses(ChildrenImportOut),
    openapi_extra=IMPORT_DOC,
    summary="批量创建直属下级组织",
)
def org_children_import(request, org_id: int, file: File[UploadedFile], query: Query[ImportQuery]):
    """批量创建 (T6): each valid row is created, an invalid row creates nothing, existing ones are skipped.

    `dry_run=true` checks every row and writes nothing.
    """
    parent = access.fetch_org(request.auth, org_id)
    return import_answer(request, "children_import", parent, file, query, filename="批量创建下级组织结果.xlsx")
