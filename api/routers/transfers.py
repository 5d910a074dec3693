"""组织关系转接 (SPEC U3) through the API."""

from datetime import datetime

from ninja import Query, Router, Schema, Status

from api.routers.orgs import PageIn, _page_bounds
from api.schemas import COMMON_ERRORS, ERRORS, Id
from core.exceptions import Invalid, NotFound
from core.replicas import replica_view
from orgs import access as org_access
from orgs.models import Org
from people.models import Person
from transfers import selectors, services
from transfers.models import TransferRequest

router = Router(tags=["组织关系转接"])
orgs_router = Router(tags=["组织关系转接"])


class StepOut(Schema):
    at: datetime
    action: str
    actor: str | None
    from_status: str
    to_status: str
    note: str


class TransferOut(Schema):
    id: int
    person_id: int
    name: str
    kind: str
    reason: str
    status: str
    from_org_id: int | None
    from_org: str
    to_org_id: int | None
    to_org: str
    to_branch_id: int | None
    created_at: datetime
    completed_at: datetime | None
    steps: list[StepOut]
    process_id: int  # its process of the approval engine (GET /processes/{id})


class TransferListOut(Schema):
    items: list[TransferOut]
    count: int


class TransferIn(Schema):
    person_id: Id | None = None
    name: str | None = None
    id_number: str | None = None
    to_org_id: Id
    reason: str


class ReasonIn(Schema):
    reason: str = ""


class AssignIn(Schema):
    branch_id: Id


class BatchIn(Schema):
    from_branch_id: Id
    to_branch_id: Id
    person_ids: list[Id]
    reason: str


def transfer_out(t: TransferRequest, viewer, *, steps: bool = True) -> dict:
    """The request as `viewer` may see it: outside the sending subtree a 办理转入 names neither the sending
    organisation nor its admins until the sending side has agreed (selectors.shows_from)."""
    if steps:
        selectors.with_steps([t])  # a list's requests come with theirs (one query for all)
    shown = selectors.shows_from(viewer, t)

    def actor(e) -> str | None:
        return e.actor.name if e.actor and (shown or e.actor_id in (t.created_by_id, viewer.pk)) else None

    return {
        "id": t.id, "person_id": t.person_id, "name": t.person.name, "kind": t.kind, "reason": t.reason,
        "status": t.status, "from_org_id": t.from_branch_id if shown else None,
        "from_org": t.from_name if shown else selectors.HIDDEN_FROM, "to_org_id": t.to_org_id,
        "to_org": t.to_name, "to_branch_id": t.to_branch_id, "created_at": t.created_at,
        "completed_at": t.completed_at,
        "steps": [
            {"at": e.at, "action": e.action, "actor": actor(e),
             "from_status": e.from_status, "to_status": e.to_status, "note": e.note}
            for e in t.timeline
        ] if steps else [],
        "process_id": t.process_id,
    }  # fmt: skip


@router.post("", response={201: TransferOut, **ERRORS})
def transfer_create(request, payload: TransferIn):
    """办理转入 ({name, id_number}, the caller's organisation receives), 办理转出 ({person_id} of a member
    below the caller) or the member's own application ({person_id} = oneself)."""
    to_org = Org.objects.filter(pk=payload.to_org_id).first()
    if to_org is None:
        raise NotFound("未找到转入团组织。", code="org_not_found")
    if payload.person_id is not None:
        person = Person.objects.filter(pk=payload.person_id).first()
        if person is None or not (person.pk == request.auth.pk or _sees_member(request.auth, person)):
            raise NotFound("未找到该团员。", code="person_not_found")
    elif payload.name and payload.id_number:
        person = services.find_member(name=payload.name, id_number=payload.id_number)
    else:
        raise Invalid("请提供 person_id，或同时提供 name 和 id_number。", code="person_required")
    t = services.transfer_submit(actor=request.auth, person=person, to_org=to_org, reason=payload.reason)
    return Status(201, transfer_out(t, request.auth))


def _sees_member(actor, person: Person) -> bool:
    return person.branch_id is not None and org_access.can_view(actor, person.branch)


@router.get("", response={200: TransferListOut, **ERRORS})
@replica_view
def transfer_list(
    request, page: Query[PageIn], org_id: int | None = None, status: str = "", direction: str = "", names: str = ""
):
    """The transfer list of `org_id` (default: the caller's first organisation); `names` takes a pasted list."""
    if org_id is None:
        orgs = org_access.admin_orgs(request.auth)
        if not orgs:
            mine = request.auth.transfers.select_related("person", "process").order_by("-created_at")
            return {"items": [transfer_out(t, request.auth, steps=False) for t in mine[:200]], "count": mine.count()}
        org = orgs[0]
    else:
        org = org_access.fetch_org(request.auth, org_id)
    qs = selectors.transfer_list(request.auth, org=org, direction=direction, status=status, names=names)
    start, end = _page_bounds(page)
    return {"items": [transfer_out(t, request.auth, steps=False) for t in qs[start:end]], "count": qs.count()}


@router.get("/todo", response={200: list[TransferOut], **COMMON_ERRORS})
def transfer_todo(request):
    """Requests waiting for the caller's decision."""
    todo = selectors.with_steps(list(selectors.transfers_todo(request.auth)[:200]))
    return [transfer_out(t, request.auth) for t in todo]


@router.get("/{int:transfer_id}", response={200: TransferOut, **ERRORS})
def transfer_get(request, transfer_id: int):
    return transfer_out(selectors.fetch_transfer(request.auth, transfer_id), request.auth)


def _act(request, transfer_id: int, service, **arguments) -> dict:
    """One step on a transfer the caller can see: the service decides whether the caller may take it."""
    transfer = selectors.fetch_transfer(request.auth, transfer_id)
    return transfer_out(service(transfer=transfer, actor=request.auth, **arguments), request.auth)


@router.post("/{int:transfer_id}/approve", response={200: TransferOut, **ERRORS})
def transfer_approve(request, transfer_id: int):
    return _act(request, transfer_id, services.transfer_approve)


@router.post("/{int:transfer_id}/reject", response={200: TransferOut, **ERRORS})
def transfer_reject(request, transfer_id: int, payload: ReasonIn):
    return _act(request, transfer_id, services.transfer_reject, reason=payload.reason)


@router.post("/{int:transfer_id}/withdraw", response={200: TransferOut, **ERRORS})
def transfer_withdraw(request, transfer_id: int):
    return _act(request, transfer_id, services.transfer_withdraw)


@router.post("/{int:transfer_id}/assign", response={200: TransferOut, **ERRORS})
def transfer_assign(request, transfer_id: int, payload: AssignIn):
    branch = Org.objects.filter(pk=payload.branch_id).first()
    if branch is None:
        raise NotFound("未找到该团支部。", code="org_not_found")
    return _act(request, transfer_id, services.transfer_assign, branch=branch)


@orgs_router.post("/{int:org_id}/batch-transfers", response={200: list[TransferOut], **ERRORS})
def batch_transfers(request, org_id: int, payload: BatchIn):
    """批量接转 (committees only): ≤30 members between two branches in the subtree, done at once."""
    org = org_access.fetch_org(request.auth, org_id)
    branches = {o.id: o for o in Org.objects.filter(pk__in=[payload.from_branch_id, payload.to_branch_id])}
    if len(branches) != 2:
        raise NotFound("未找到转出或转入团支部。", code="org_not_found")
    # Only members of the source branch: ids from elsewhere are simply not found (no names leak).
    people = list(Person.objects.filter(pk__in=payload.person_ids, branch_id=payload.from_branch_id))
    if len(people) != len(set(payload.person_ids)):
        raise Invalid("部分人员不在转出团支部中，请核对 person_ids。", code="not_in_branch")
    done = services.batch_transfer(
        actor=request.auth, acting_org=org, from_branch=branches[payload.from_branch_id],
        to_branch=branches[payload.to_branch_id], people=people, reason=payload.reason,
    )  # fmt: skip
    return [transfer_out(t, request.auth) for t in selectors.with_steps(done)]
