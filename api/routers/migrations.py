"""组织迁移 (SPEC U4): apply, list, approve, reject, withdraw."""

from datetime import datetime

from ninja import Query, Router, Schema, Status

from api.schemas import COMMON_ERRORS, ERRORS, Id
from core.exceptions import NotFound
from orgchanges import migration
from orgs import access
from orgs.models import Org, OrgMigration

router = Router(tags=["组织迁移"])


class MigrationIn(Schema):
    org_id: Id
    to_parent_id: Id
    reason: str


class ReasonIn(Schema):
    reason: str = ""


class StepOut(Schema):
    action: str
    actor: str | None
    from_status: str
    to_status: str
    note: str
    at: datetime


class MigrationOut(Schema):
    id: int
    org_id: int
    org_name: str
    from_parent_id: int | None
    from_name: str
    to_parent_id: int | None
    to_name: str
    reason: str
    status: str
    waiting_for_org_id: int | None
    created_at: datetime
    completed_at: datetime | None
    steps: list[StepOut]
    process_id: int  # its process of the approval engine (GET /processes/{id})


class MigrationListOut(Schema):
    items: list[MigrationOut]
    count: int


class ListIn(Schema):
    role: str = ""  # "mine", "todo" or both
    status: str = ""
    page: int = 1
    page_size: int = 50


def _out(m: OrgMigration) -> dict:
    waiting = migration.waiting_org(m)
    return {
        "id": m.id, "org_id": m.org_id, "org_name": m.org.full_name,
        "from_parent_id": m.from_parent_id, "from_name": m.from_name,
        "to_parent_id": m.to_parent_id, "to_name": m.to_name, "reason": m.reason, "status": m.status,
        "waiting_for_org_id": waiting.id if waiting else None,
        "created_at": m.created_at, "completed_at": m.completed_at,
        "steps": [
            {"action": e.action, "actor": e.actor.name if e.actor else None, "from_status": e.from_status,
             "to_status": e.to_status, "note": e.note, "at": e.at}
            for e in m.timeline
        ],
        "process_id": m.process_id,
    }  # fmt: skip


def _get(request, migration_id: int) -> OrgMigration:
    return migration.get_migration_for_viewer(request.auth, migration_id)


@router.post("", response={201: MigrationOut, **ERRORS})
def migration_apply(request, payload: MigrationIn):
    """U4: the migrating organisation's own admin applies; to_parent_id may be any organisation."""
    org = access.fetch_org(request.auth, payload.org_id)
    to_parent = Org.objects.filter(pk=payload.to_parent_id).first()
    if to_parent is None:
        raise NotFound("新上级组织不存在。", code="target_not_found")
    m = migration.migration_apply(org=org, to_parent=to_parent, reason=payload.reason, actor=request.auth)
    return Status(201, _out(_get(request, m.id)))


@router.get("", response={200: MigrationListOut, **COMMON_ERRORS})
def migrations_list(request, filters: Query[ListIn]):
    """Requests of my organisations and those waiting for my approval; `?role=mine|todo`."""
    qs = migration.migrations_for(request.auth, role=filters.role)
    if filters.status:
        qs = qs.filter(status=filters.status)
    size = max(1, min(filters.page_size, 200))
    start = (min(max(filters.page, 1), 1_000_000) - 1) * size  # OFFSET within the database's integer range
    return {"items": [_out(m) for m in qs[start : start + size]], "count": qs.count()}


@router.get("/{int:migration_id}", response={200: MigrationOut, **ERRORS})
def migration_get(request, migration_id: int):
    return _out(_get(request, migration_id))


@router.post("/{int:migration_id}/approve", response={200: MigrationOut, **ERRORS})
def migration_approve(request, migration_id: int):
    """Release (the current superior's admin), then accept (the new superior's admin): the subtree moves."""
    m = migration.migration_approve(migration=_get(request, migration_id), actor=request.auth)
    return _out(_get(request, m.id))


@router.post("/{int:migration_id}/reject", response={200: MigrationOut, **ERRORS})
def migration_reject(request, migration_id: int, payload: ReasonIn):
    m = migration.migration_reject(migration=_get(request, migration_id), actor=request.auth, reason=payload.reason)
    return _out(_get(request, m.id))


@router.post("/{int:migration_id}/withdraw", response={200: MigrationOut, **ERRORS})
def migration_withdraw(request, migration_id: int):
    m = migration.migration_withdraw(migration=_get(request, migration_id), actor=request.auth)
    return _out(_get(request, m.id))
