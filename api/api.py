"""The JSON API of API.md. Endpoints are thin: they call the same services as the pages."""

import functools
import re

from django.core.files.uploadedfile import UploadedFile
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from core.exceptions import DomainError, join_messages
from core.upload_limit import charge_upload

from .auth import AUTH
from .renderers import ChineseJSONRenderer
from .routers import (
    accounts,
    cadres,
    evaluation,
    exports,
    graduates,
    imports,
    members,
    migrations,
    org_admin,
    org_children,  # noqa: F401  registers its operations on orgs.router
    orgs,
    people,
    post_offers,
    progress,
    rating,
    register,
    standing,
    transfers,
    workflow,
)
from .schemas import check_ids

api = NinjaAPI(
    title="智慧团建 API",
    version="1",
    description="智慧团建 JSON 接口。登录后以 `Authorization: Bearer <token>` 调用。错误返回 {code, message, errors}。",
    auth=AUTH,
    renderer=ChineseJSONRenderer(),
    urls_namespace="api",
)


def error_body(code: str, message: str, errors: list | None = None) -> dict:
    return {"code": code, "message": message, "errors": errors or []}


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, error_body(exc.code, exc.message, exc.errors), status=exc.status)


@api.exception_handler(AuthenticationError)
def not_logged_in(request, exc):
    return api.create_response(
        request, error_body("not_authenticated", "未登录或登录已过期，请先调用 POST /api/v1/auth/login。"), status=401
    )


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, error_body("not_found", "未找到，或您无权查看。"), status=404)


@api.exception_handler(NinjaValidationError)
def invalid_input(request, exc: NinjaValidationError):
    errors = []
    for e in exc.errors:
        loc = [str(p) for p in e.get("loc", []) if p not in ("body", "query", "path", "payload")]
        errors.append({"field": ".".join(loc) or None, "message": _pydantic_message(e)})
    return api.create_response(
        request,
        error_body("invalid", "提交的数据格式不正确：" + join_messages(x["message"] for x in errors), errors),
        status=422,
    )


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return api.create_response(request, error_body("error", str(exc)), status=exc.status_code)


def _pydantic_message(e: dict) -> str:
    loc = ".".join(str(p) for p in e.get("loc", []) if p not in ("body", "query", "path", "payload"))
    kind = e.get("type", "")
    if kind == "missing":
        return f"缺少字段 {loc}"
    if kind.endswith("parsing") or kind.endswith("type"):
        return f"字段 {loc} 的类型不正确"
    if kind == "literal_error":  # an enumerated value (API.md: Chinese terms) outside the list
        allowed = re.findall(r"'([^']*)'", e.get("ctx", {}).get("expected", ""))
        return f"字段 {loc} 的值不在可选范围内，可选：{'；'.join(v for v in allowed if v)}" + (
            "（空字符串表示未填写）" if "" in allowed else ""
        )
    return f"字段 {loc} 不正确：{e.get('msg', '')}"


def _checked(view_func):
    """Around every operation, after its input is validated: path and query ids in range (api.schemas.check_ids)
    and each uploaded file counted against the admin's hourly quota (core.upload_limit.charge_upload)."""

    @functools.wraps(view_func)
    def operation(request, *args, **kwargs):
        check_ids(kwargs)
        if any(isinstance(value, UploadedFile) for value in kwargs.values()):
            charge_upload(request, request.auth)
        return view_func(request, *args, **kwargs)

    return operation


api.add_decorator(_checked)

api.add_router("/", accounts.router)
api.add_router("/orgs", orgs.router)
api.add_router("/orgs", org_admin.router)
api.add_router("/orgs", cadres.router)
api.add_router("/orgs", members.router)
api.add_router("/orgs", people.router)
api.add_router("/admin-changes", org_admin.changes_router)
api.add_router("/register", register.router)
api.add_router("/imports", imports.router)
api.add_router("/exports", exports.router)
api.add_router("/transfers", transfers.router)
api.add_router("/orgs", transfers.orgs_router)
api.add_router("/migrations", migrations.router)
api.add_router("/orgs", progress.router)
api.add_router("/orgs", rating.router)
api.add_router("/", evaluation.router)  # /orgs/{id}/evaluations…, /me/evaluations
api.add_router("/", standing.router)  # /people/{id}/status-changes, /orgs/{id}/overage …
api.add_router("/orgs", graduates.router)
api.add_router("/post-offers", post_offers.router)
api.add_router("/", workflow.router)
api.add_router("/orgs", post_offers.orgs_router)
