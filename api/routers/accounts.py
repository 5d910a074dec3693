import datetime as dt

from django.contrib.auth import user_logged_in
from ninja import Router, Schema, Status

from accounts import reset, services
from accounts.backends import id_number_key
from api.schemas import COMMON_ERRORS, ErrorOut, error_responses
from core.exceptions import DomainError
from core.ratelimits import check_code_attempt
from orgs import access
from people import profile

router = Router(tags=["账号"])


class LoginIn(Schema):
    id_number: str
    password: str


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


class MeOut(Schema):
    id: int
    name: str
    id_number: str
    gender: str
    birth_date: dt.date
    ethnicity: str
    political_status: str
    league_join_date: str | None
    education: str
    occupation: str
    mobile: str
    email: str
    development_number: str | None
    party_applied_on: str | None
    missing: list[str]
    complete: bool
    verified: bool
    registered: bool
    must_change_password: bool
    member_of: int | None
    cadre_of: list[CadrePostOut]
    admin_of: list[int]


@router.post("/auth/login", auth=None, response={200: LoginOut, **error_responses(400, 401, 422)})
def login(request, payload: LoginIn):
    """One 401 for every refusal: unknown ID number, wrong password, locked account or address (after
    AXES_FAILURE_LIMIT failures), the site-wide failure limit, an initial password past its days."""
    person = services.login_check(request=request, id_number=payload.id_number, password=payload.password)
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
    services.password_change(person=request.auth, old_password=payload.old_password, new_password=payload.new_password)
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


class MePatchIn(Schema):
    """Own personal fields (P10, P11). name, id_number, league_join_date and development_number are accepted
    only unchanged (so a client may send back what GET returned); changing them is the branch admin's."""

    ethnicity: str | None = None
    political_status: str | None = None
    education: str | None = None
    occupation: str | None = None
    mobile: str | None = None
    email: str | None = None
    party_applied: bool | None = None
    party_applied_on: str | None = None
    name: str | None = None
    id_number: str | None = None
    league_join_date: str | None = None
    development_number: str | None = None


@router.get("/me", response={200: MeOut, 401: ErrorOut})
def me(request):
    """The caller's own record. Their own ID number is shown in full: it is theirs."""
    return _me_out(request.auth)


@router.patch("/me", response={200: MeOut, **error_responses(400, 401, 403, 409, 422)})
def me_update(request, payload: MePatchIn):
    """个人中心 (P10, P11): only the fields sent change; 422 with one message per bad field, nothing saved."""
    data = {k: ("" if v is None and k != "party_applied" else v) for k, v in payload.dict(exclude_unset=True).items()}
    person = profile.profile_update(person=request.auth, actor=request.auth, data=data)
    return _me_out(person)


def _me_out(p) -> dict:
    return {
        **{
            f: getattr(p, f)
            for f in (
                "id",
                "name",
                "id_number",
                "gender",
                "birth_date",
                "ethnicity",
                "political_status",
                "education",
                "occupation",
                "mobile",
                "email",
                "development_number",
                "complete",
                "verified",
                "registered",
                "must_change_password",
            )
        },
        "league_join_date": p.league_join_date.strftime("%Y-%m") if p.league_join_date else None,
        "party_applied_on": p.party_applied_on.strftime("%Y-%m") if p.party_applied_on else None,
        "missing": p.missing_fields(),
        "member_of": p.branch_id,
        "cadre_of": [{"org_id": c.org_id, "position": c.position} for c in p.cadre_posts.order_by("org_id")],
        "admin_of": sorted(access.admin_org_ids(p)),
    }
