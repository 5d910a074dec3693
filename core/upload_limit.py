"""A cap on request bodies, checked before anything reads one (issue 8), and an hourly quota of uploads per admin
(issue 12 item 16: `charge_upload`).

excel.readers refuses a file above 10 MB, but only after Django has parsed
the multipart body, writing every uploaded file of more than
FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file first: without this cap a
multi-gigabyte body would fill /tmp before that check ran. The declared
Content-Length is what is checked; Django reads no more than it, so a body
that lies about its length is cut short, never read in full. In production
the reverse proxy should carry the same cap (nginx: client_max_body_size), so
such a body does not even reach the application server.
"""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django_ratelimit.core import is_ratelimited

from core.exceptions import DomainError

from .error_pages import error_page


class UploadQuotaExceeded(DomainError):
    status = 429
    code = "upload_quota"


def charge_upload(request, user) -> None:
    """Count one uploaded file against `user`'s hourly quota (UPLOAD_QUOTA_PER_HOUR; 0 switches it off).

    Every upload is parsed in a child process and checked cell by cell, so an admin's uploads are limited
    however they come in: the import pages (imports.flow.receive) and every API operation that takes a file
    (api.api). Confirming a file already checked is not an upload. Counted with django-ratelimit in the
    cache, like the other rate limits (core.ratelimits), and off with them (RATELIMIT_ENABLE).
    """
    quota = getattr(settings, "UPLOAD_QUOTA_PER_HOUR", 0)
    if not quota or not getattr(settings, "RATELIMIT_ENABLE", True) or not getattr(user, "pk", None):
        return
    if is_ratelimited(request, group="uploads", key=lambda g, r: f"user:{user.pk}", rate=f"{quota}/h", increment=True):
        raise UploadQuotaExceeded(
            f"上传过于频繁：每位管理员每小时最多上传{quota}个文件，本小时的次数已经用完，请稍后再上传。"
            "如需录入大量数据，请把名单合并到一个文件中上传。"
        )


def size_text(n: int) -> str:
    return f"{n / (1024 * 1024):g}MB" if n >= 1024 * 1024 else f"{max(n // 1024, 1)}KB"


def too_large_message(limit: int) -> str:
    return (
        f"上传的内容超过{size_text(limit)}，服务器未接收。导入文件不能超过10MB："
        "请删除多余的行、图片和格式，或把名单分成几个文件分别上传。"
    )


class UploadLimitMiddleware:
    """413 for a request whose declared body is larger than UPLOAD_MAX_BYTES: the API's error body under /api/,
    a short Chinese page elsewhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.UPLOAD_MAX_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body from a malformed length either
        if length > limit:
            return self.refuse(request, limit)
        return self.get_response(request)

    @staticmethod
    def refuse(request, limit: int) -> HttpResponse:
        message = too_large_message(limit)
        if request.path.startswith("/api/"):
            body = {"code": "file_too_large", "message": message, "errors": []}
            response = JsonResponse(body, status=413, json_dumps_params={"ensure_ascii": False})
        else:
            response = error_page(request, 413, message)
        return response
