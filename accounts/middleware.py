"""What a browser session may do, checked on every request (pages and the API called with the session).

SessionGuardMiddleware ends a session that has been idle for SESSION_IDLE_TIMEOUT_MINUTES, or that is
older than SESSION_COOKIE_AGE since its login (an absolute limit: saving the session does not extend it),
and one whose login skipped the two-step verification its person needs (accounts.otp), e.g. a session
made by another login path. ForcePasswordChangeMiddleware keeps a person on an initial or reset password
on the password page (SPEC P7).
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from . import otp

# Session keys.
AUTH_AT = "auth_at"  # when the login happened (Unix seconds)
SEEN_AT = "seen_at"  # the last request, to the minute
OTP_DONE = "otp_done"  # the login passed the two-step check, or the person needed none
SEEN_RESOLUTION = 60  # seconds: the session is written at most once a minute for SEEN_AT

IDLE_MESSAGE = "您已超过{minutes}分钟未操作，为保护账号安全已自动退出，请重新登录。"
EXPIRED_MESSAGE = "登录已超过有效时长，为保护账号安全已自动退出，请重新登录。"
OTP_MESSAGE = "您的账号须通过两步验证才能登录，请重新登录并输入身份验证器上的动态验证码。"


@receiver(user_logged_in)
def stamp_session(sender, request, user, **kwargs):
    """At every session login (not the API's token login, which has no session user): when, and whether
    the two-step check is settled. accounts.views logs in only after it; django-otp has set
    user.otp_device by then when a code was verified."""
    session = getattr(request, "session", None)
    if session is None or "_auth_user_id" not in session:
        return
    now = int(time.time())
    session[AUTH_AT] = now
    session[SEEN_AT] = now

    if getattr(user, "otp_device", None) is not None or otp.login_step(user) is None:
        session[OTP_DONE] = True
    else:
        session.pop(OTP_DONE, None)


def _end(request, message: str):
    """Log out; a page gets the login page with the reason, the API an anonymous request (401)."""
    logout(request)
    if request.path.startswith("/api/"):
        return None
    messages.warning(request, message)
    url = reverse("accounts:login")
    if request.method == "GET":
        url += "?" + urlencode({"next": request.get_full_path()})
    return redirect(url)


class SessionGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response = self._check(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def _check(self, request, user):
        session = request.session
        now = int(time.time())
        auth_at = session.get(AUTH_AT)
        seen_at = session.get(SEEN_AT)
        if auth_at is None:  # a session from before this check: it starts counting now
            session[AUTH_AT] = auth_at = now
        if now - auth_at > settings.SESSION_COOKIE_AGE:
            return _end(request, EXPIRED_MESSAGE)
        idle = settings.SESSION_IDLE_TIMEOUT_MINUTES * 60
        if idle and seen_at is not None and now - seen_at > idle:
            return _end(request, IDLE_MESSAGE.format(minutes=settings.SESSION_IDLE_TIMEOUT_MINUTES))
        if not session.get(OTP_DONE):
            if otp.login_step(user) is not None and not (hasattr(user, "is_verified") and user.is_verified()):
                return _end(request, OTP_MESSAGE)
            session[OTP_DONE] = True
        if seen_at is None or now - seen_at >= SEEN_RESOLUTION:
            session[SEEN_AT] = now
        return None


# Pages a person who must change their password may still reach (the API checks itself: api.auth).
ALLOWED_PREFIXES = ("/static/", "/api/")


def _allowed_paths() -> tuple[str, ...]:
    return (reverse("accounts:password_change"), reverse("accounts:logout"))


class ForcePasswordChangeMiddleware:
    """SPEC P7: someone on an initial or reset password sets a new one before anything else: only the
    password page and logging out answer; every other page sends them to the password page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.must_change_password
            and not request.path.startswith(ALLOWED_PREFIXES)
            and request.path not in _allowed_paths()
        ):
            return redirect(reverse("accounts:password_change"))
        return self.get_response(request)
