from ninja import Query, Router, Schema, Status

from api.schemas import COMMON_ERRORS, ErrorOut
from audit import selectors as audit_selectors
from audit.services import audit_id_numbers_shown
from core import pii
from orgs import access, completeness, deletion, info, selectors
from orgs.models import Org

router = Router(tags=["团组织"])


class SecretaryOut(Schema):
    name: str
    id_number: str
    mobile: str


class OrgOut(Schema):
    id: int
    parent_id: int | None
    level: int
    category: str
    short_name: str
    full_name: str
    industry: str
    phone: str
    email: str
    admin_quota: int | None
    admin_staffed: int | None
    inst_quota: int | None
    inst_staffed: int | None
    secretary: SecretaryOut | None
    sort_order: int
    info_complete: bool
    missing: list[str]
    child_count: int


class OrgListOut(Schema):
    items: list[OrgOut]
    count: int


class SecretaryIn(Schema):
    name: str = ""
    id_number: str = ""
    mobile: str = ""


class OrgPatchIn(Schema):
    short_name: str | None = None
    full_name: str | None = None
    category: str | None = None
    industry: str | None = None
    phone: str | None = None
    email: str | None = None
    admin_quota: int | str | None = None
    admin_staffed: int | str | None = None
    inst_quota: int | str | None = None
    inst_staffed: int | str | None = None
    secretary: SecretaryIn | None = None


class PageIn(Schema):
    page: int = 1
    page_size: int = 50


def shows_full_secretary(org: Org, viewer) -> bool:
    """Full personal data of the secretary only for the organisation's own admins (SPEC §8, P9)."""
    return bool(org.secretary_id) and access.can_manage(viewer, org)


def audit_secretaries_shown(viewer, org: Org, orgs: list[Org], where: str) -> None:
    """One audit event for an answer that showed other people's full ID numbers as secretaries."""
    count = sum(1 for o in orgs if o.secretary_id != viewer.pk and shows_full_secretary(o, viewer))
    audit_id_numbers_shown(actor=viewer, org=org, count=count, where=where)


def org_out(org: Org, viewer) -> dict:
    secretary = None
    if org.secretary_id:
        s = org.secretary
        own = shows_full_secretary(org, viewer)
        secretary = {
            "name": s.name,
            "id_number": s.id_number if own else pii.mask_id_number(s.id_number),
            "mobile": s.mobile if own else pii.mask_mobile(s.mobile),
        }
    missing = completeness.missing_fields(org)
    return {
        **{
            f: getattr(org, f)
            for f in (
                "id",
                "parent_id",
                "level",
                "category",
                "short_name",
                "full_name",
                "industry",
                "phone",
                "email",
                "admin_quota",
                "admin_staffed",
                "inst_quota",
                "inst_staffed",
                "sort_order",
            )
        },
        "secretary": secretary,
        "info_complete": not missing,
        "missing": missing,
        "child_count": org.numchild,
    }


MAX_PAGE = 1_000_000  # far past any list; keeps OFFSET within the database's integer range


def _page_bounds(page: PageIn) -> tuple[int, int]:
    size = max(1, min(page.page_size, 200))
    start = (min(max(page.page, 1), MAX_PAGE) - 1) * size
    return start, start + size


@router.get("/{int:org_id}", response={200: OrgOut, **COMMON_ERRORS, 404: ErrorOut})
def org_get(request, org_id: int):
    org = access.get_org_for_viewer(request.auth, org_id)
    audit_secretaries_shown(request.auth, org, [org], "GET /orgs/{id}")
    return org_out(org, request.auth)


@router.get("/{int:org_id}/children", response={200: OrgListOut, **COMMON_ERRORS, 404: ErrorOut})
def org_children(request, org_id: int, page: Query[PageIn]):
    org = access.get_org_for_viewer(request.auth, org_id)
    start, end = _page_bounds(page)
    children = list(selectors.org_children(org).select_related("secretary")[start:end])
    audit_secretaries_shown(request.auth, org, children, "GET /orgs/{id}/children")
    return {"items": [org_out(c, request.auth) for c in children], "count": org.numchild}


@router.patch("/{int:org_id}", response={200: OrgOut, **COMMON_ERRORS, 404: ErrorOut})
def org_patch(request, org_id: int, payload: OrgPatchIn):
    """组织信息 (O1–O4). Omitted fields stay as they are; "" clears a field; 0 and empty differ (O3)."""
    org = access.get_org_for_viewer(request.auth, org_id)
    data = {k: ("" if v is None else str(v)) for k, v in payload.dict(exclude_unset=True).items() if k != "secretary"}
    if payload.secretary is not None:
        data.update(
            secretary_name=payload.secretary.name,
            secretary_id_number=payload.secretary.id_number,
            secretary_mobile=payload.secretary.mobile,
        )
    org = info.org_info_update(org=org, actor=request.auth, data=data)
    audit_secretaries_shown(request.auth, org, [org], "PATCH /orgs/{id}")
    return org_out(org, request.auth)


@router.delete("/{int:org_id}", response={204: None, **COMMON_ERRORS, 404: ErrorOut, 409: ErrorOut})
def org_delete(request, org_id: int, end_posts: bool = False):
    """U2: by the parent's admin. 409 names what must go first (subordinates, members of a
    待接转团支部); a branch's members move to the parent's 待接转团支部. A committee with no members
    and no subordinates that still has admins or cadres answers 409 `org_has_people` naming them;
    `?end_posts=true` confirms ending all those posts and deletes it in one step (U2(3), C6)."""
    org = access.get_org_for_viewer(request.auth, org_id)
    deletion.org_delete(org=org, actor=request.auth, end_posts=end_posts)
    return Status(204, None)


class AuditEventOut(Schema):
    id: int
    at: str
    actor: str | None
    verb: str
    target_type: str
    target_label: str
    org_id: int | None
    org: str | None
    changes: dict
    outcome: str
    ip: str | None
    request_id: str


class AuditListOut(Schema):
    items: list[AuditEventOut]
    count: int


@router.get("/{int:org_id}/audit", response={200: AuditListOut, **COMMON_ERRORS, 404: ErrorOut}, summary="操作记录")
def org_audit(request, org_id: int, page: Query[PageIn], verb: str = ""):
    """操作记录 of the organisation and everything below it, newest first; personal data in it is masked.
    Admins of the organisation or of a superior; 404 for anyone else."""
    org = access.get_org_for_viewer(request.auth, org_id)
    start, end = _page_bounds(page)
    qs = audit_selectors.org_events(org, verb=verb)
    items = [
        {
            "id": e.id,
            "at": e.at.isoformat(),
            "actor": e.actor.name if e.actor else None,
            "verb": e.verb,
            "target_type": e.target_type,
            "target_label": e.target_label,
            "org_id": e.org_id,
            "org": e.org.short_name if e.org else None,
            "changes": e.changes,
            "outcome": e.outcome,
            "ip": e.ip,
            "request_id": e.request_id,
        }
        for e in qs[start:end]
    ]
    return {"items": items, "count": qs.count()}
