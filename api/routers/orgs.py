import datetime as dt
from typing import Literal

from ninja import Query, Router, Schema, Status

from api.schemas import COMMON_ERRORS, ErrorOut
from core.replicas import replica_view
from orgchanges import deletion
from orgs import access, queries, selectors, trail
from orgs.industries import INDUSTRIES
from orgs.models import Org
from people import org_info

router = Router(tags=["团组织"])

# 单位所属行业类别 in the API are the GB/T 4754 section names (API.md: enumerated values are the Chinese
# terms), listed as an enum in the OpenAPI document; "" is not yet filled in. The database keeps the letter.
Industry = Literal[("", *(name for _, name in INDUSTRIES))]
INDUSTRY_CODES = {name: code for code, name in INDUSTRIES}
INDUSTRY_TERMS = {code: name for code, name in INDUSTRIES}


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
    industry: Industry
    phone: str
    email: str
    admin_quota: int | None
    admin_staffed: int | None
    inst_quota: int | None
    inst_staffed: int | None
    secretary: SecretaryOut | None
    sort_order: int
    founded_on: dt.date  # 成立时间 (SPEC-2 DJ1): the day it was created on the platform until its admin corrects it
    branch_kind: Literal["", "临时团支部", "流动团员团支部"]  # a 团支部's kind; "" is an ordinary one (DJ1)
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
    industry: Industry | None = None
    phone: str | None = None
    email: str | None = None
    admin_quota: int | str | None = None
    admin_staffed: int | str | None = None
    inst_quota: int | str | None = None
    inst_staffed: int | str | None = None
    founded_on: str | None = None  # YYYY-MM-DD; "" clears it
    branch_kind: Literal["", "临时团支部", "流动团员团支部"] | None = None  # the direct superior's to set
    secretary: SecretaryIn | None = None


class PageIn(Schema):
    page: int = 1
    page_size: int = 50


def org_out(org: Org, viewer) -> dict:
    card = queries.org_card(viewer=viewer, org=org)
    return {**card, "industry": INDUSTRY_TERMS.get(card["industry"], "")}


MAX_PAGE = 1_000_000  # far past any list; keeps OFFSET within the database's integer range


def _page_bounds(page: PageIn) -> tuple[int, int]:
    size = max(1, min(page.page_size, 200))
    start = (min(max(page.page, 1), MAX_PAGE) - 1) * size
    return start, start + size


@router.get("/{int:org_id}", response={200: OrgOut, **COMMON_ERRORS, 404: ErrorOut})
def org_get(request, org_id: int):
    """One organisation. The secretary's ID number and mobile are masked for every reader but the secretary,
    the own admin included; the own admin reveals them with `POST /orgs/{id}/secretary/reveal` (audited)."""
    org = access.fetch_org(request.auth, org_id)
    return org_out(org, request.auth)


@router.get("/{int:org_id}/children", response={200: OrgListOut, **COMMON_ERRORS, 404: ErrorOut})
@replica_view
def org_children(request, org_id: int, page: Query[PageIn]):
    org = access.fetch_org(request.auth, org_id)
    start, end = _page_bounds(page)
    children = list(selectors.org_children(org).select_related("secretary")[start:end])
    return {"items": [org_out(c, request.auth) for c in children], "count": org.numchild}


@router.patch("/{int:org_id}", response={200: OrgOut, **COMMON_ERRORS, 404: ErrorOut})
def org_patch(request, org_id: int, payload: OrgPatchIn):
    """组织信息 (O1–O4). Omitted fields stay as they are; "" clears a field; 0 and empty differ (O3)."""
    org = access.fetch_org(request.auth, org_id)
    data = {k: ("" if v is None else str(v)) for k, v in payload.dict(exclude_unset=True).items() if k != "secretary"}
    if data.get("industry"):
        data["industry"] = INDUSTRY_CODES[data["industry"]]
    if payload.secretary is not None:
        data.update(
            secretary_name=payload.secretary.name,
            secretary_id_number=payload.secretary.id_number,
            secretary_mobile=payload.secretary.mobile,
        )
    org = org_info.org_info_update(org=org, actor=request.auth, data=data)
    return org_out(org, request.auth)


class SecretaryRevealOut(SecretaryOut):
    person_id: int


@router.post(
    "/{int:org_id}/secretary/reveal",
    response={200: SecretaryRevealOut, **COMMON_ERRORS, 404: ErrorOut},
    summary="显示本组织书记完整的身份证号码和手机号码",
)
def secretary_reveal(request, org_id: int):
    """The secretary's full ID number and mobile (every other answer masks them, the own admin's too), for the
    organisation's own admin; recorded in the audit trail (操作记录). 404 for anyone else and when no
    secretary is registered."""
    org = access.fetch_org(request.auth, org_id, access.MANAGE)
    card = queries.secretary_reveal(viewer=request.auth, org=org, where="POST /orgs/{id}/secretary/reveal")
    return {"person_id": card.person_id, "name": card.name, "id_number": card.id_number, "mobile": card.mobile}


@router.delete("/{int:org_id}", response={204: None, **COMMON_ERRORS, 404: ErrorOut, 409: ErrorOut})
def org_delete(request, org_id: int, end_posts: bool = False):
    """U2: by the parent's admin. 409 names what must go first (subordinates, members of a
    待接转团支部); a branch's members move to the parent's 待接转团支部. A committee with no members
    and no subordinates that still has admins or cadres answers 409 `org_has_people` naming them;
    `?end_posts=true` confirms ending all those posts and deletes it in one step (U2(3), C6)."""
    org = access.fetch_org(request.auth, org_id)
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
@replica_view
def org_audit(request, org_id: int, page: Query[PageIn], verb: str = ""):
    """操作记录 of the organisation and everything below it, newest first; personal data in it is masked.
    Admins of the organisation or of a superior; 404 for anyone else."""
    org = access.fetch_org(request.auth, org_id)
    start, end = _page_bounds(page)
    qs = trail.org_events(org, verb=verb)
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
