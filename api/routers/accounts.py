from django.contrib.auth import update_session_auth_hash, user_logged_in
from ninja import Field, Router, Schema, Status

from accounts import otp, reset, services
from accounts.backends import id_number_key
from api.schemas import COMMON_ERRORS, ErrorOut, PersonRecordOut, RecordPatchIn, error_responses, record_out
from core.exceptions import DomainError
from core.ratelimits import check_code_attempt
from orgs import access
from people import profile

router = Router(tags=["账号"])


class LoginIn(Schema):
    id_number: str
    password: str
    otp: str | None = Field(
        None,
        description="两步验证：身份验证器上当前的6位动态验证码，或一个未用过的恢复码。已绑定身份验证器的人员必填；"
        "按规定必须使用两步验证（ADMIN_TOTP_REQUIRED：团委等非支部组织的管理员）而尚未绑定的，须先在网页登录完成绑定。",
    )


class LoginOut(Schema):
    token: str
    person_id: int
    must_change_password: bool


class PasswordIn(Schema):
    old_password: str
    new_password: str


class CadrePostOut(Schema):
    org_id: int
    position: str


class MeOut(PersonRecordOut):
    missing: list[str]
    must_change_password: bool
    member_of: int | None
    cadre_of: list[CadrePostOut]
    admin_of: list[int]


@router.post("/auth/login", auth=None, response={200: LoginOut, **error_responses(400, 401, 422)})
def login(request, payload: LoginIn):
    """One 401 `login_failed` for every refusal: unknown ID number, wrong password, locked account or address
    (after AXES_FAILURE_LIMIT failures), the site-wide failure limit, an initial password past its days, and a
    wrong `otp`. Two-step verification (两步验证): a person with an authenticator, or an admin whose post
    requires one, gets 401 `otp_required` when `otp` is missing (or no authenticator is set up yet: set it up
    on the pages first). No token is issued on any 401. A token expires API_TOKEN_HOURS after issue, or
    sooner when unused for SESSION_IDLE_TIMEOUT_MINUTES."""
    person = services.login_check(request=request, id_number=payload.id_number, password=payload.password)
    otp.login_second_step(person, payload.otp)
    user_logged_in.send(sender=person.__class__, request=request, user=person)
    return {
        "token": services.api_token_issue(person=person),
        "person_id": person.id,
        "must_change_password": person.must_change_password,
    }


@router.post("/auth/logout", response={204: None, **error_responses(401, 403)})
def logout(request):
    token = getattr(request, "api_token", None)
    if token:
        services.api_token_revoke(raw=token)
    return Status(204, None)


@router.post("/auth/password", response={204: None, **COMMON_ERRORS})
def change_password(request, payload: PasswordIn):
    """Every other token and browser session of the caller ends; the token (or session) that calls goes on."""
    token = getattr(request, "api_token", None)
    person = services.password_change(
        person=request.auth, old_password=payload.old_password, new_password=payload.new_password, keep_token=token
    )
    if token is None:  # called with the browser's session: keep that one
        update_session_auth_hash(request, person)
    return Status(204, None)


class ResetIn(Schema):
    id_number: str
    reset_code: str
    new_password: str


@router.post("/auth/reset", auth=None, response={204: None, **error_responses(400, 422)})
def password_reset(request, payload: ResetIn):
    """忘记密码 (P8) with a code from the right admin. Every failure gets one answer (400 reset_failed):
    unknown ID number, wrong, expired or used code, and too many attempts (per address, per ID number,
    site-wide)."""
    check_code_attempt(
        request, "reset-code", account=id_number_key(payload.id_number),
        refusal=DomainError(reset.RESET_FAILED, code="reset_failed"),
    )  # fmt: skip
    reset.password_reset(id_number=payload.id_number, code=payload.reset_code, new_password=payload.new_password)
    return Status(204, None)


class MePatchIn(RecordPatchIn):
    """Own personal fields (P10, P11). name, id_number, league_join_date and development_number are accepted
    only unchanged (so a client may send back what GET returned); changing them is the branch admin's."""


@router.get("/me", response={200: MeOut, 401: ErrorOut})
def me(request):
    """The caller's own record. Their own ID number is shown in full: it is theirs."""
    return _me_out(request.auth)


@router.patch("/me", response={200: MeOut, **error_responses(400, 401, 403, 409, 422)})
def me_update(request, payload: MePatchIn):
    """个人中心 (P10, P11): only the fields sent change; 422 with one message per bad field, nothing saved."""
    person = profile.profile_update(person=request.auth, actor=request.auth, data=payload.changes())
    return _me_out(person)


def _me_out(p) -> dict:
    return {
        **record_out(p, viewer=p),  # read by the person: their own numbers in full
        "missing": p.missing_fields(),
        "must_change_password": p.must_change_password,
        "member_of": p.branch_id,
        "cadre_of": [{"org_id": c.org_id, "position": c.position} for c in p.cadre_posts.order_by("org_id")],
        "admin_of": sorted(access.admin_org_ids(p)),
    }
