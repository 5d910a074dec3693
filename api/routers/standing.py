"""团籍状态 (SPEC-2 ST, API.md's "Graduates and 团籍 status" table): the same services and selectors as the pages."""

from typing import Literal

from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.responses import Status

from api.routers.orgs import PageIn, _page_bounds
from api.schemas import ERRORS, PersonOut, person_out
from core.replicas import replica_view
from orgs import access
from people import access as people_access
from standing import selectors, services

router = Router(tags=["团籍状态"])

StatusIn = Literal["超龄离团", "自愿退团", "自行脱团", "开除团籍"]


class StatusChangeIn(Schema):
    status: StatusIn
    reason: str = ""  # 自行脱团: one of 连续6个月不交纳团费, 连续6个月不参加团的组织生活, 连续6个月不做团组织分配的工作
    explanation: str = ""


class ProcessOut(Schema):
    process_id: int


class OverageIn(Schema):
    person_ids: list[int]


class OverageOut(Schema):
    items: list[ProcessOut]
    count: int


class RestoreIn(Schema):
    branch_id: int
    reason: str = ""


class OverageItemOut(Schema):
    person: PersonOut
    branch_id: int
    branch: str
    age: int


class OverageListOut(Schema):
    items: list[OverageItemOut]
    count: int


class LeftItemOut(Schema):
    person: PersonOut
    left_org_id: int | None
    left_org: str


class LeftListOut(Schema):
    items: list[LeftItemOut]
    count: int


@router.post("/people/{int:id}/status-changes", response={201: ProcessOut, **ERRORS}, summary="申请团籍状态变更（ST1）")
def status_change(request, id: int, payload: StatusChangeIn):
    """The member's branch admin (or its direct superior's) asks; the branch's direct superior approves on the
    engine (`POST /processes/{process_id}/approve`). A reason is required; 自行脱团 takes one of its three.
    409 `process_open` while another process of the member is open, naming it."""
    person = people_access.fetch_person(request.auth, id)
    change = services.status_change_request(person=person, actor=request.auth, **payload.dict())
    return Status(201, {"process_id": change.process_id})


@router.get("/orgs/{int:id}/overage", response={200: OverageListOut, **ERRORS}, summary="应离团名单（ST2）")
@replica_view
def overage(request, id: int, page: Query[PageIn]):
    """Members of the subtree aged 28 or more on today's date, status 正常, holding no cadre post in any
    organisation; `person.pending_status` shows a request already made."""
    org = access.fetch_org(request.auth, id)
    qs = selectors.overage_members(org)
    start, end = _page_bounds(page)
    today = timezone.localdate()
    items = [
        {"person": person_out(p, viewer=request.auth), "branch_id": p.branch_id, "branch": p.branch.short_name,
         "age": p.age_on(today)}
        for p in qs[start:end]
    ]  # fmt: skip
    return {"items": items, "count": qs.count()}


@router.post(
    "/orgs/{int:id}/overage/status-changes", response={201: OverageOut, **ERRORS}, summary="批量申请超龄离团（ST2）"
)
def overage_requests(request, id: int, payload: OverageIn):
    """超龄离团 for each of `person_ids` on the organisation's 应离团 list; all or nothing (409 naming each one
    refused, in `errors`)."""
    org = access.fetch_org(request.auth, id)
    done = services.overage_request(org=org, actor=request.auth, person_ids=payload.person_ids)
    return Status(201, {"items": [{"process_id": c.process_id} for c in done], "count": len(done)})


@router.get("/orgs/{int:id}/left-members", response={200: LeftListOut, **ERRORS}, summary="离团团员（ST3）")
@replica_view
def left_members(request, id: int, page: Query[PageIn]):
    """Members who left from a branch of the subtree, read-only, with `person.league_status` saying how."""
    org = access.fetch_org(request.auth, id)
    qs = selectors.left_members(org)
    start, end = _page_bounds(page)
    items = [
        {"person": person_out(p, viewer=request.auth), "left_org_id": p.left_org_id,
         "left_org": p.left_org.short_name if p.left_org else ""}
        for p in qs[start:end]
    ]  # fmt: skip
    return {"items": items, "count": qs.count()}


@router.post("/people/{int:id}/restore", response={201: ProcessOut, **ERRORS}, summary="申请恢复团籍（ST3）")
def restore(request, id: int, payload: RestoreIn):
    """A branch admin (or its direct superior's) asks to restore a member who left into `branch_id`, which must
    be within the caller's reach; the branch's direct superior approves."""
    person = people_access.fetch_person(request.auth, id)
    branch = access.fetch_org(request.auth, payload.branch_id)  # out of reach: the service's 403 says why
    change = services.restore_request(person=person, actor=request.auth, branch=branch, reason=payload.reason)
    return Status(201, {"process_id": change.process_id})
