"""Organisation information, registration codes, order and admins (SPEC O1–O4, C1–C6)."""

from django.http import HttpResponse
from ninja import Router, Schema, Status

from api.routers import exports
from api.schemas import COMMON_ERRORS, ErrorOut, Id
from core.exceptions import NotFound
from orgchanges import admin_changes
from orgs import access, codes, services
from orgs.models import AdminChange
from people import access as people_access

router = Router(tags=["组织管理"])
ERRORS = {**COMMON_ERRORS, 404: ErrorOut, 409: ErrorOut}


class CodeOut(Schema):
    code: str
    expires_at: str


class PersonIdIn(Schema):
    person_id: Id


class AdminOut(Schema):
    person_id: int
    name: str


class AdminChangeOut(Schema):
    id: int
    org_id: int
    person_id: int
    action: str
    status: str
    process_id: int


class AdminResultOut(Schema):
    status: str
    change: AdminChangeOut | None = None


class OrderIn(Schema):
    ids: list[Id]


def _change_out(change: AdminChange) -> dict:
    return {"id": change.id, "org_id": change.org_id, "person_id": change.person_id,
            "action": change.action, "status": change.get_status_display(), "process_id": change.process_id}  # fmt: skip


@router.post("/{int:org_id}/registration-code", response={200: CodeOut, **ERRORS})
def registration_code(request, org_id: int):
    """C2: a new code for a direct subordinate (by its parent's admin); the unused old code stops working."""
    org = access.fetch_org(request.auth, org_id)
    issued = codes.registration_code_issue(org=org, actor=request.auth)
    return {"code": issued.code, "expires_at": issued.expires_at.isoformat()}


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get(
    "/{int:org_id}/registration-codes.xlsx",
    response={200: None, **exports.ACCEPTED, **ERRORS},
    openapi_extra={
        "responses": {
            200: {
                "description": "xlsx：每个直属下级组织一行（组织全称、组织简称、管理员、注册码状态、有效期至），不含注册码",
                "content": {XLSX: {}},
            }
        }
    },
)
def registration_codes_state_xlsx(request, org_id: int):
    """C2: the current codes of all direct subordinates, changing nothing. Codes are stored only as keyed
    hashes, so the workbook gives each one's status (未生成 / 有效至… / 已使用 / 已过期), not the code;
    `POST` issues new ones."""
    org = access.fetch_org(request.auth, org_id)
    return exports.answer(codes.codes_state_export(parent=org, actor=request.auth))


@router.post(
    "/{int:org_id}/registration-codes.xlsx",
    response={200: None, **ERRORS},
    openapi_extra={
        "responses": {
            200: {"description": "xlsx：组织全称、组织简称、注册码、有效期至", "content": {XLSX: {}}},
        }
    },
)
def registration_codes_issue_xlsx(request, org_id: int):
    """C2 批量生成: new codes for every direct subordinate without a registered admin, replacing their unused
    ones, as a workbook (the only place the codes ever appear); 409 `nothing_to_issue` when every
    subordinate has an admin. A POST, so no cross-site link can trigger it."""
    org = access.fetch_org(request.auth, org_id)
    issued = codes.registration_codes_issue_all(parent=org, actor=request.auth)
    return _xlsx(codes.codes_workbook(issued), "registration-codes.xlsx")


@router.put("/{int:org_id}/children/order", response={204: None, **ERRORS})
def children_order(request, org_id: int, payload: OrderIn):
    """组织排序: the ids of all direct subordinates in their new order."""
    org = access.fetch_org(request.auth, org_id)
    services.children_reorder(parent=org, ordered_ids=payload.ids, actor=request.auth)
    return Status(204, None)


@router.get("/{int:org_id}/admins", response={200: list[AdminOut], **ERRORS})
def admins_list(request, org_id: int):
    org = access.fetch_org(request.auth, org_id)
    return [{"person_id": a.person_id, "name": a.person.name} for a in org.admins.select_related("person")]


def _result(change: AdminChange | None):
    if change is None:
        return Status(200, {"status": "已生效", "change": None})
    return Status(202, {"status": "待审批", "change": _change_out(change)})


@router.post("/{int:org_id}/admins", response={200: AdminResultOut, 202: AdminResultOut, **ERRORS})
def admins_add(request, org_id: int, payload: PersonIdIn):
    """C6: on a direct subordinate takes effect at once (200); on one's own organisation waits for
    the direct superior's approval (202)."""
    org = access.fetch_org(request.auth, org_id)
    person = people_access.fetch_person(request.auth, payload.person_id)
    return _result(admin_changes.admin_change_request(org=org, person=person, action="add", actor=request.auth))


@router.delete("/{int:org_id}/admins/{int:person_id}", response={200: AdminResultOut, 202: AdminResultOut, **ERRORS})
def admins_revoke(request, org_id: int, person_id: int):
    org = access.fetch_org(request.auth, org_id)
    person = people_access.fetch_person(request.auth, person_id)
    return _result(admin_changes.admin_change_request(org=org, person=person, action="revoke", actor=request.auth))


changes_router = Router(tags=["组织管理"])


@changes_router.get("", response={200: list[AdminChangeOut], **COMMON_ERRORS})
def changes_todo(request):
    """管理员变更 waiting for the caller's approval (to-do list)."""
    return [_change_out(c) for c in admin_changes.admin_changes_todo(request.auth)[:200]]


def _change_or_404(request, change_id: int) -> AdminChange:
    change = admin_changes.get_change_for_approver_or_none(request.auth, change_id)
    if change is None:
        raise NotFound("未找到该申请，或它不归您审批。", code="change_not_found")
    return change


@changes_router.post("/{int:change_id}/approve", response={200: AdminChangeOut, **ERRORS})
def change_approve(request, change_id: int):
    return _change_out(
        admin_changes.admin_change_approve(change=_change_or_404(request, change_id), actor=request.auth)
    )


class RejectIn(Schema):
    reason: str = ""


@changes_router.post("/{int:change_id}/reject", response={200: AdminChangeOut, **ERRORS})
def change_reject(request, change_id: int, payload: RejectIn):
    change = _change_or_404(request, change_id)
    return _change_out(admin_changes.admin_change_reject(change=change, actor=request.auth, note=payload.reason))
