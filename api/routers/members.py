"""Members of a branch (SPEC P5, P8, P9) and their password reset codes."""

from django.db import transaction
from ninja import Query, Router, Schema, Status

from accounts import reset
from api.routers.orgs import PageIn, _page_bounds
from api.routers.register import PersonIn
from api.schemas import ERRORS, PersonOut, PersonRecordOut, RecordPatchIn, person_out, record_out, xlsx_doc
from core.exceptions import Invalid
from core.replicas import replica_view
from excel.workbooks import xlsx_response
from graduates import services as graduate_services
from orgs import access as org_access
from people import access as people_access
from people import members, profile, queries, selectors
from people.models import Person

router = Router(tags=["团员"])


class MemberOut(Schema):
    person: PersonOut
    position: str
    branch_id: int
    branch: str  # the branch's short name: a committee's list spans many branches


class MemberListOut(Schema):
    items: list[MemberOut]
    count: int


class MemberIn(Schema):
    person: PersonIn
    position: str = ""


class VerifyIn(Schema):
    approve: bool


class ResetCodeOut(Schema):
    reset_code: str
    expires_at: str


def _branch(request, org_id: int):
    branch = org_access.fetch_org(request.auth, org_id)
    if not branch.is_branch:
        raise Invalid("只有团支部有团员；团干部请使用 /orgs/{id}/cadres。", code="not_a_branch")
    return branch


def _member(request, org_id: int, person_id: int) -> Person:
    return people_access.fetch_person(request.auth, person_id, of_org=_branch(request, org_id))


@router.get("/{int:org_id}/members", response={200: MemberListOut, **ERRORS})
@replica_view
def member_list(request, org_id: int, page: Query[PageIn], complete: bool | None = None):
    """团员列表 (S7). ID numbers and mobiles are masked for every reader, the branch admin included; the
    branch admin sees one record in full with `POST /orgs/{id}/people/{person_id}/reveal` (audited).

    On a committee: every member of its subtree, branch by branch in tree order, masked; `count`
    comes from the progress aggregates (current within seconds)."""
    org = org_access.fetch_org(request.auth, org_id)
    start, end = _page_bounds(page)
    if not org.is_branch:
        members = selectors.subtree_member_list(org, complete=complete)
        return {
            "items": [_member_out(p, "", viewer=request.auth) for p in members[start:end]],
            "count": members.count(),
        }
    branch = org
    qs = selectors.member_list(branch, complete=complete)
    people = list(qs[start:end])
    positions = selectors.member_positions(branch, people)
    for p in people:
        p.branch = branch  # saves a query per row
    items = [_member_out(p, positions.get(p.id, ""), viewer=request.auth) for p in people]
    return {"items": items, "count": qs.count()}


def _member_out(person: Person, position: str, *, viewer) -> dict:
    return {
        "person": person_out(person, viewer=viewer),
        "position": position,
        "branch_id": person.branch_id,
        "branch": person.branch.short_name,
    }


@router.post("/{int:org_id}/members", response={201: MemberOut, **ERRORS})
def member_add(request, org_id: int, payload: MemberIn):
    """P5 (1)(2): by the branch admin or its direct superior's admin."""
    branch = _branch(request, org_id)
    person = members.member_add(
        branch=branch, data=payload.person.dict(), position=payload.position, actor=request.auth
    )
    person.branch = branch
    return Status(201, _member_out(person, payload.position, viewer=request.auth))


@router.delete("/{int:org_id}/members/{int:person_id}", response={204: None, **ERRORS})
def member_delete(request, org_id: int, person_id: int):
    """P9: the branch admin alone."""
    members.member_delete(person=_member(request, org_id, person_id), actor=request.auth)
    return Status(204, None)


class MemberRecordIn(RecordPatchIn):
    """The member's own fields plus the ones P11 reserves for the branch admin; name and id_number never change (P1).
    `graduate_flag`: 延迟毕业, 教师, 毕业学生流动团员 or 本届毕业生, null or "" clears it (SPEC-2 GR3)."""

    graduate_flag: str | None = None


class MemberRecordOut(PersonRecordOut):
    """A member's record as the branch admin edits it."""

    graduate_flag: str = ""


@router.patch("/{int:org_id}/members/{int:person_id}", response={200: MemberRecordOut, **ERRORS})
def member_record_update(request, org_id: int, person_id: int, payload: MemberRecordIn):
    """The branch admin edits a member's record, 入团年月 (C4) and 发展团员编号 (P11, unique: 409) included; the
    branch admin or its direct superior's sets the member's 毕业生 flag (GR3)."""
    person = _member(request, org_id, person_id)
    changes = payload.changes()
    flag = changes.pop("graduate_flag", None)
    with transaction.atomic():  # the flag and the record change together or not at all
        if flag is not None:
            graduate_services.flag_set(person=person, actor=request.auth, flag=flag)
        if changes or flag is None:
            person = profile.member_record_update(person=person, actor=request.auth, data=changes)
    return {**record_out(person, viewer=request.auth), "graduate_flag": graduate_services.flag_of(person)}


@router.post("/{int:org_id}/members/{int:person_id}/verify", response={200: MemberOut, 204: None, **ERRORS})
def member_verify(request, org_id: int, person_id: int, payload: VerifyIn):
    """P5 (3): approve → 200 with the member; reject → 204 (the registration is removed)."""
    person = members.member_verify(
        person=_member(request, org_id, person_id), approve=payload.approve, actor=request.auth
    )
    if person is None:
        return Status(204, None)
    return _member_out(person, "", viewer=request.auth)


@router.post("/{int:org_id}/people/{int:person_id}/reset-code", response={200: ResetCodeOut, **ERRORS})
def reset_code(request, org_id: int, person_id: int):
    """P8 as issue 12 settles it: only the admin responsible for the person's own record: a member's branch
    admin; for anyone without a branch, the admin of the direct superior of their 登记组织 (where they were
    entered or registered). A post offered or accepted elsewhere gives no reset right."""
    org = org_access.fetch_org(request.auth, org_id)
    person = people_access.fetch_person(request.auth, person_id, of_org=org)
    issued = reset.reset_code_issue(person=person, actor=request.auth)
    return {"reset_code": issued.code, "expires_at": issued.expires_at.isoformat()}


class RevealOut(Schema):
    person_id: int
    name: str
    id_number: str
    mobile: str


@router.post("/{int:org_id}/people/{int:person_id}/reveal", response={200: RevealOut, **ERRORS})
def reveal(request, org_id: int, person_id: int):
    """One person's full ID number and mobile (lists and records answer them masked), for whoever manages the
    record: a member's branch admin; a cadre's organisation's admin or its direct superior's. Each call is
    recorded in the audit trail (操作记录). 404 if the person is not a member or cadre of the organisation;
    403 for a reader who sees the masked record only."""
    org = org_access.fetch_org(request.auth, org_id)
    person = people_access.fetch_person(request.auth, person_id, of_org=org)
    n = queries.reveal_person(actor=request.auth, person=person, org=org, where="POST …/reveal")
    return {"person_id": n.person_id, "name": n.name, "id_number": n.id_number, "mobile": n.mobile}


@router.post(
    "/{int:org_id}/reset-codes.xlsx",
    response={**ERRORS},
    openapi_extra=xlsx_doc(
        "Excel 工作簿（.xlsx）：姓名、身份证号码（隐去中间位）、重置密码验证码、有效期至，每名团员一行"
    ),
    summary="批量生成重置密码验证码",
)
def reset_codes_branch(request, org_id: int):
    """§7, P8: a fresh 重置密码验证码 for every member of the branch (each replaces the member's live one),
    for the branch admin alone; the codes exist only in this workbook."""
    branch = _branch(request, org_id)
    issued = reset.reset_codes_issue_branch(branch=branch, actor=request.auth)
    return xlsx_response(reset.reset_codes_workbook(issued), reset.reset_codes_filename(branch))
