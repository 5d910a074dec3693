from ninja import Field, Router, Schema, Status

from accounts import registration
from api.schemas import ErrorOut, Id, error_responses
from core.ratelimits import check_code_attempt
from people import members

router = Router(tags=["注册"])


class PersonIn(Schema):
    name: str = ""
    id_number: str = ""
    ethnicity: str = ""
    political_status: str = ""
    league_join_date: str = ""
    education: str = ""
    occupation: str = ""
    mobile: str = ""
    email: str = ""
    development_number: str | None = Field(
        None,
        description="发展团员编号 (P11): required when league_join_date is 2017-01 or later; 12 characters, "
        "the first 4 the join year; unique nationwide (409 development_number_taken).",
    )


class RegisterAdminIn(Schema):
    org_id: Id
    position: str
    code: str
    person: PersonIn
    password: str


class RegisteredOut(Schema):
    person_id: int


class OrgHitOut(Schema):
    id: int
    full_name: str
    category: str


@router.post("/admin", auth=None, response={201: RegisteredOut, 404: ErrorOut, **error_responses(400, 409, 422, 429)})
def register_admin(request, payload: RegisterAdminIn):
    """管理员注册 (C3–C5). Refusals: code_invalid (wrong, wrong case, or another organisation's code),
    code_used, code_replaced, code_expired, admin_limit (409, a 4th admin), invalid_person (field errors,
    C4 join age). Attempts are rate-limited per address, per organisation and address block, per
    organisation (a much higher ceiling) and site-wide (429 rate_limited)."""
    check_code_attempt(request, "registration-code", account=f"org:{payload.org_id}", per_block=True)
    person = registration.admin_register(
        org_id=payload.org_id,
        position=payload.position,
        code=payload.code,
        person_data=payload.person.dict(),
        password=payload.password,
    )
    return Status(201, {"person_id": person.id})


class RegisterMemberIn(Schema):
    branch_id: Id
    person: PersonIn
    password: str


@router.post("/member", auth=None, response={201: RegisteredOut, **error_responses(400, 409, 422, 429)})
def register_member(request, payload: RegisterMemberIn):
    """团员团干部注册 (P5-3): the person is 待认证 until the branch admin verifies them.
    Every other rule (password rules included) is checked before whether the ID number is on record
    (409 person_exists), and that look-up is rate-limited per address, per ID number and site-wide
    (429 rate_limited), so the endpoint is no ID-number oracle."""
    person = members.member_self_register(
        branch_id=payload.branch_id, data=payload.person.dict(), password=payload.password,
        before_lookup=registration.id_lookup_limit(request),
    )  # fmt: skip
    return Status(201, {"person_id": person.id})


@router.get("/orgs", auth=None, response=list[OrgHitOut])
def register_org_search(request, q: str = ""):
    """The registration picker: organisations whose 全称 contains `q` (at least 2 characters, 20 at most)."""
    return [{"id": o.id, "full_name": o.full_name, "category": o.category} for o in registration.org_search(q)]
