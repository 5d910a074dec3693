"""Chinese error pages in the site's look for every refusal a page can meet (issue 14, item 2).

The API keeps its JSON error body (api.api's handlers, core.upload_limit); everything else gets
templates/errors/error.html, which needs no database (a 500 may come from a database that is down)
and says what happened and the way back. Django calls the handler* views when DEBUG is off; with
DEBUG on, ErrorPageMiddleware still turns a refused page (404, 403) into the same page, because a
refusal is not a developer's error and its technical page would show the URL configuration.
"""

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme

PAGES = {
    400: ("请求有误", "提交的内容无法识别，可能是页面已过期或链接不完整。", "请返回上一页刷新后重新填写提交。"),
    403: (
        "无权访问",
        "您没有权限进行此操作或查看此页面。",
        "请确认当前组织是否正确（页面右上角可切换组织），或联系上级组织管理员。",
    ),
    404: ("页面不存在", "您要找的页面不存在，或您无权查看。", "请从菜单进入，或检查链接是否完整。"),
    413: ("上传内容过大", "上传的文件或提交的内容超过了允许的大小。", "请拆分成几个较小的文件后分别上传。"),
    429: ("操作过于频繁", "短时间内尝试次数过多，已暂时限制。", "请稍后再试；如确需帮助，请联系上级组织管理员。"),
    500: (
        "系统出错了",
        "服务器处理您的请求时出错，您的操作可能没有完成。",
        "请稍后刷新重试；如反复出现，请联系管理员并提供请求编号。",
    ),
}
CSRF_PAGE = (
    "页面已过期",
    "为保护您的账号，提交的表单已失效（页面停留太久、重新登录过，或在其他窗口退出了登录）。",
    "请返回上一页，刷新页面后重新提交；如仍不行，请重新登录。",
)


API_CODES = {400: "bad_request", 403: "forbidden", 404: "not_found", 413: "file_too_large", 429: "rate_limited",
             500: "server_error"}  # fmt: skip


def error_page(request, status: int, message: str = "", *, title: str = "", hint: str | None = None) -> HttpResponse:
    default_title, default_message, default_hint = PAGES.get(status, PAGES[500])
    if request is not None and request.path.startswith("/api/"):  # a path no API operation serves: still JSON
        body = {"code": API_CODES.get(status, "error"), "message": message or default_message, "errors": []}
        return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    context = {
        "status": status,
        "title": title or default_title,
        "message": message or default_message,
        "hint": default_hint if hint is None else hint,
        "back": _back_url(request) if status in (400, 403, 413, 429) else "",
        "login": status in (403,),
        "request_id": getattr(request, "request_id", "") if request is not None else "",
    }
    response = HttpResponse(render_to_string("errors/error.html", context), status=status,
                            content_type="text/html; charset=utf-8")  # fmt: skip
    response.error_page = True
    return response


def _back_url(request) -> str:
    """The page the person came from, if it is one of ours (no script: the CSP allows none inline)."""
    referer = request.META.get("HTTP_REFERER", "") if request is not None else ""
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        return referer
    return ""


def _message(exception) -> str:
    """The Chinese message a view gave its refusal (Http404("…")), if it gave one."""
    text = str(exception.args[0]) if exception is not None and getattr(exception, "args", None) else ""
    return text if text and any("\u4e00" <= ch <= "\u9fff" for ch in text) else ""


def bad_request(request, exception=None):
    return error_page(request, 400)


def permission_denied(request, exception=None):
    return error_page(request, 403, _message(exception))


def page_not_found(request, exception=None):
    return error_page(request, 404, _message(exception))


def server_error(request):
    return error_page(request, 500)


def csrf_failure(request, reason=""):
    title, message, hint = CSRF_PAGE
    response = error_page(request, 403, message, title=title, hint=hint)
    response.context_reason = reason  # for tests; never shown
    return response


class ErrorPageMiddleware:
    """Refusals of pages (not /api/) get the Chinese page even with DEBUG on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # With DEBUG on, a URL that matches nothing gets Django's technical 404 (it lists the URL patterns):
        # a refusal, not a developer's error, so it gets the Chinese page like every other 404.
        if settings.DEBUG and response.status_code == 404 and not getattr(response, "error_page", False):
            if b"DEBUG = True" in getattr(response, "content", b""):
                return error_page(request, 404)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, Http404):
            return error_page(request, 404, _message(exception))
        if isinstance(exception, PermissionDenied):
            return error_page(request, 403, _message(exception))
        if isinstance(exception, (BadRequest, SuspiciousOperation)):
            return error_page(request, 400)
        return None
