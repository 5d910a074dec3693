"""Who is calling the API: a bearer token, or the browser's session."""

from django.conf import settings
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from accounts.services import api_token_person
from core.exceptions import NotAllowed

# What a person on an initial or reset password may still call (SPEC P7): setting a new password and
# logging out. Not even their own record: the initial password (last 8 of the ID number) is no secret.
OPEN_WHILE_PASSWORD_MUST_CHANGE = ("/api/v1/auth/password", "/api/v1/auth/logout")


def _check_password_state(request, person):
    if person.must_change_password and request.path not in OPEN_WHILE_PASSWORD_MUST_CHANGE:
        raise NotAllowed(
            "您正在使用初始密码或重置后的密码，请先调用 POST /api/v1/auth/password 设置新密码。",
            code="must_change_password",
        )
    return person


class BearerAuth(HttpBearer):
    def authenticate(self, request, token):
        person = api_token_person(token)
        if person is None:
            return None
        request.user = person
        request.api_token = token
        return _check_password_state(request, person)


class SessionAuthChecked(SessionAuth):
    @property
    def param_name(self) -> str:
        # ninja reads settings.SESSION_COOKIE_NAME once, when its module is imported; read it per request,
        # so the production name (__Host-sessionid, config/settings.py) is always the one looked for.
        return settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        # No session cookie: not logged in (401), rather than ninja's CSRF refusal (403) of a
        # session that does not exist. With a session cookie the CSRF check still applies.
        if self.param_name not in request.COOKIES:
            return None
        try:
            return super()._get_key(request)
        except HttpError:  # ninja's CSRF refusal, in English: the same 403 with a message that says what to do
            raise NotAllowed(
                "用浏览器会话调用会修改数据的接口时须带CSRF令牌：请在请求头 X-CSRFToken 中填入 "
                f"Cookie {settings.CSRF_COOKIE_NAME} 的值，"
                "或改用 Authorization: Bearer 令牌（POST /api/v1/auth/login 获取）。",
                code="csrf_failed",
            ) from None

    def authenticate(self, request, key):
        person = super().authenticate(request, key)
        if person is None:
            return None
        return _check_password_state(request, person)


AUTH = [BearerAuth(), SessionAuthChecked()]
